"""The hostile set of issue 17, graded as a cohort by `attnbank grade-batch` in grader.jail's sandbox: each
attack is refused or contained, the batch and the grader stay alive, and nothing outside the sandbox changes.

Each spying file computes the right answer and returns zeros instead if its attack worked, so `passed` means
the attack failed; each cheat returns the reference's answer only if it could reach it, so `failed` means it
could not; the resource attacks are not caught and get the status that names the limit."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from test_batch import batch, gradebook

from grader import jail

pytestmark = pytest.mark.skipif(not jail.available(), reason="bubblewrap cannot run here: no sandbox to test")

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
WRONG = "    return torch.zeros(*q.shape[:-1], v.shape[-1], dtype=q.dtype, device=q.device)\n"


def _reference() -> str:
    """The bank's reference under another name, `_right`, for files that answer correctly."""
    source = (ROOT / "solutions" / "sdpa" / "reference.py").read_text(encoding="utf-8")
    return source.replace("def scaled_dot_product_attention(", "def _right(")


def spying(attack: str) -> str:
    """A right answer, or zeros if `attack` (lines defining `worked() -> bool`) worked."""
    return _reference() + "\n\nimport os, socket, torch  # noqa\n\n" + attack + "\n\n" + ENTRY + \
        "    if worked():\n    " + WRONG + "    return _right(q, k, v, mask, scale)\n"


def cheating(find: str) -> str:
    """The reference's answer if `find` (lines defining `found() -> str | None`, its source) reached it."""
    return "import os, json, torch\n" + find + "\n\n" + ENTRY + """\
    text = found()
    if text:
        namespace = {}
        exec(text, namespace)
        return namespace["scaled_dot_product_attention"](q, k, v, mask, scale)
""" + WRONG


def _try_read(expression: str) -> str:
    return (f"def found():\n    try:\n        return open({expression}).read()\n"
            "    except Exception:\n        return None\n")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    home = tmp_path_factory.mktemp("home")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connections.append(listener.accept())
            except TimeoutError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    secret = folder / "zz-good" / "sdpa.py"  # another student's submission, graded in the same batch
    reference = ROOT / "solutions" / "sdpa" / "reference.py"
    files = {
        "cheat-grader": cheating("def found():\n    try:\n        import grader.paths\n"
                                 "        return (grader.paths.root() / 'solutions/sdpa/reference.py').read_text()\n"
                                 "    except Exception:\n        return None\n"),
        "cheat-path": cheating(_try_read(repr(str(reference)))),
        "socket": spying(f"def worked():\n    try:\n        socket.create_connection(('127.0.0.1', {port}), 2)\n"
                         "        return True\n    except OSError:\n        return False\n"),
        "home": spying("def worked():\n    done = False\n"
                       f"    for where in ({str(home)!r}, os.path.expanduser('~')):\n"
                       "        try:\n            open(os.path.join(where, 'pwned'), 'w').write('x')\n"
                       f"            done = done or where == {str(home)!r}\n"
                       "        except OSError:\n            pass\n    return done\n"),
        "sibling": spying(f"def worked():\n    try:\n        return bool(open({str(secret)!r}).read())\n"
                          "    except OSError:\n        return False\n"),
        "fork-bomb": "import os, time\n\n\n" + ENTRY + "    while True:\n        if os.fork() == 0:\n"
                                                      "            time.sleep(600)\n",
        "alloc-100gb": "import torch\n\n\n" + ENTRY + "    return torch.empty(25 << 30) + q.sum()\n",
        "file-10gb": "import torch\n\n\n" + ENTRY + "    with open('big', 'wb') as fh:\n"
                                                  "        for _ in range(10 << 10):\n"
                                                  "            fh.write(bytes(1 << 20))\n    return q\n",
        "zz-good": reference.read_text(encoding="utf-8"),
    }
    for student, source in files.items():
        (folder / student).mkdir()
        (folder / student / "sdpa.py").write_text(source, encoding="utf-8")
    out = folder.parent / (folder.name + "-out")
    try:
        batch(folder, out, "-j", "1", env={"HOME": str(home)})
    finally:
        stop.set()
    rows = {r["student"]: r for r in gradebook(out)}
    return rows, home, connections, folder


@pytest.mark.parametrize("student", ["cheat-grader", "cheat-path"])
def test_the_reference_is_out_of_reach(graded, student: str) -> None:
    rows = graded[0]
    assert rows[student]["status"] == "failed" and rows[student]["failed_check"] == "values"


def test_no_socket_reaches_the_hosts_loopback(graded) -> None:
    rows, _, connections, _ = graded
    assert rows["socket"]["status"] == "passed" and connections == []


def test_home_is_not_written(graded) -> None:
    rows, home, _, _ = graded
    assert rows["home"]["status"] == "passed" and list(home.iterdir()) == []


def test_another_students_submission_is_out_of_reach(graded) -> None:
    assert graded[0]["sibling"]["status"] == "passed"


def test_a_fork_bomb_is_refused_and_leaves_nothing_behind(graded) -> None:
    row = graded[0]["fork-bomb"]
    assert row["status"] == "error" and "processes" in row["message"]


def test_a_100_gb_allocation_is_status_memory(graded) -> None:
    row = graded[0]["alloc-100gb"]
    assert row["status"] == "memory" and "GiB" in row["message"]


def test_a_10_gb_file_is_refused_and_removed(graded) -> None:
    rows, _, _, folder = graded
    assert rows["file-10gb"]["status"] == "error" and "file" in rows["file-10gb"]["message"]
    assert not any(p.name == "big" for p in folder.parent.rglob("big"))


def test_the_batch_lives_on_and_grades_the_good_file_after_them(graded) -> None:
    rows = graded[0]
    assert len(rows) == 9 and rows["zz-good"]["status"] == "passed"
