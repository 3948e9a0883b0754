"""Submissions that look for the answer where the grader keeps it: through `import grader`, the filesystem,
`gc` or `sys.modules`. Each matches the oracle when the candidate runs inside the grading process (the
control, which shows the cheat works), and fails in its own process (grader.host), where none of that exists; the grader
survives them, and a candidate's process that breaks the protocol is a crash of that file only."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, check_named, grade_many

from grader import jail
from grader.candidate import Candidate
from grader.launch import HOST_MODULES, start
from grader.plan import build_plan, load_question
from grader.remote import Zygote
from grader.verdict import grade_file

SIGNATURE = "def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n"
WRONG = "    return torch.zeros(*q.shape[:-1], v.shape[-1], dtype=q.dtype, device=q.device)\n"

# each finds the reference (and runs it) or the oracle's outputs, else returns zeros
CHEATS = {
    "grader_paths": """
        import torch
        def _reference():
            try:
                import grader.paths
                path = grader.paths.root() / "solutions" / "sdpa" / "reference.py"
            except ImportError:
                import grader
                path = Path(grader.__file__).resolve().parent.parent / "solutions" / "sdpa" / "reference.py"
            namespace = {}
            exec(path.read_text(), namespace)
            return namespace["scaled_dot_product_attention"]
        from pathlib import Path
        """ + SIGNATURE + """\
            try:
                return _reference()(q, k, v, mask, scale)
            except Exception:
            """ + WRONG,
    "gc_walk": """
        import gc, torch
        """ + SIGNATURE + """\
            for obj in gc.get_objects():
                if type(obj).__name__ != "Prepared":  # the grader's class for a case and its oracle
                    continue
                inputs, golden = obj.inputs, obj.golden
                if isinstance(inputs, dict) and isinstance(golden, list) and golden and isinstance(
                        inputs.get("q"), torch.Tensor) and inputs["q"].shape == q.shape and torch.equal(inputs["q"], q):
                    return golden[0].to(q.dtype)
        """ + WRONG,
    "sys_modules": """
        import gc, sys, torch
        """ + SIGNATURE + """\
            plan = sys.modules.get("grader.plan")
            if plan is not None:
                for obj in gc.get_objects():
                    if isinstance(obj, plan.Prepared) and isinstance(obj.inputs, dict) and obj.golden and \\
                            obj.inputs["q"].shape == q.shape and torch.equal(obj.inputs["q"], q):
                        return obj.golden[0].to(q.dtype)
        """ + WRONG,
}

PROBE = """
import os, sys
from pathlib import Path
class Probe:
    def __init__(self):
        try:
            import grader.paths  # noqa
            self.paths = True
        except ImportError:
            self.paths = False
        import grader
        self.package = sorted(p.name for p in Path(grader.__file__).parent.iterdir())
        self.modules = sorted(m for m in sys.modules if m == "grader" or m.startswith("grader."))
        self.env = dict(os.environ)
        self.cwd = os.getcwd()
        self.path = list(sys.path)
"""


def _cheat(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(CHEATS[name]), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(CHEATS))
def test_a_cheat_that_works_in_process_fails_in_its_own_process(bank, tmp_path: Path, name: str) -> None:
    (question,) = (ROOT / "questions").glob("*/sdpa.yaml")
    plan = build_plan(load_question(question), ROOT / "solutions" / "sdpa", "float32", "cpu", 0)
    control = grade_file(plan, _cheat(tmp_path, name), lambda event: None)  # the candidate next to the plan
    values = next(c for c in control.checks if c.name == "values")
    assert values.passed is True, values.message  # it got the oracle's outputs (or the reference's)

    good = tmp_path / "good.py"
    good.write_text((ROOT / "solutions" / "sdpa" / "reference.py").read_text(encoding="utf-8"), encoding="utf-8")
    cheat, after = grade_many(bank, "sdpa", [_cheat(tmp_path, name), good])
    assert cheat["status"] == "failed" and check_named(cheat, "values")["passed"] is False
    assert after["status"] == "passed"  # the grader survived it


@pytest.mark.parametrize("jailed", [False, pytest.param(True, marks=pytest.mark.skipif(
    not jail.available(), reason="bubblewrap cannot run here"))], ids=["plain", "jailed"])
def test_the_candidates_process_holds_nothing_of_the_bank(tmp_path: Path, jailed: bool) -> None:
    zygote = Zygote(start({}, False, jailed))
    try:
        host = zygote.fork()
        probe = Candidate.load(host.ask, PROBE, str(tmp_path / "probe.py"), "Probe", "Probe()", [], False)
        handle = probe.construct({}, "probe")
        seen = {name: probe.attribute(handle, name, "probe")[1] for name in ("paths", "package", "modules", "env",
                                                                             "cwd", "path")}
        host.close()
    finally:
        zygote.close()
    assert seen["paths"] is False
    assert seen["package"] == sorted(f"{m}.py" for m in HOST_MODULES)
    assert not {"grader.plan", "grader.paths", "grader.bank", "grader.checks", "grader.contract"} & set(seen["modules"])
    assert "ATTNBANK_ROOT" not in seen["env"] and not seen["env"].get("PYTHONPATH")
    assert not any(str(ROOT) in v for v in seen["env"].values())
    assert seen["cwd"] == ("/tmp" if jailed else str(zygote.workdir)) and str(ROOT) not in seen["path"]
    assert not zygote.workdir.exists()  # removed when closed


BREAKS = {  # a candidate that writes to the protocol's own descriptor, found through /proc
    "garbage": "os.write(fd, b'\\x01' * 64)",
    "flood": "os.write(fd, (1 << 40).to_bytes(8, 'little'))",
}


@pytest.mark.parametrize("how", list(BREAKS))
def test_a_candidate_that_breaks_the_protocol_crashes_only_its_file(bank, write, how: str) -> None:
    broken = write(f"{how}.py", """
        import os, stat
        """ + SIGNATURE + """\
            for name in os.listdir("/proc/self/fd"):
                fd = int(name)
                if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode) and os.get_blocking(fd) is not None:
                    try:
                        """ + BREAKS[how] + """
                    except OSError:
                        pass
            return q
        """)
    good = write("good.py", (ROOT / "solutions" / "sdpa" / "reference.py").read_text(encoding="utf-8"))
    verdict, after = grade_many(bank, "sdpa", [broken, good])
    assert verdict["status"] == "crashed", verdict["checks"]
    assert "broke the grader's protocol" in check_named(verdict, "run")["message"]
    assert after["status"] == "passed"


@pytest.mark.skipif(not jail.available(), reason="the bank stays readable by absolute path until grader.jail confines")
def test_the_bank_is_out_of_reach_by_its_absolute_path(bank, write) -> None:
    """What only the jail can stop: the reference opened by the checkout's absolute path, or found through the
    grading process's command line (its job names the solutions folder)."""
    reference = repr(str(ROOT / "solutions" / "sdpa" / "reference.py"))
    cheat = write("absolute.py", """
        import json, os, torch
        def _paths():
            yield REFERENCE
            job = open(f"/proc/{os.getppid()}/cmdline", "rb").read().split(b"\\0")[-2].decode()
            yield json.load(open(job))["solutions"] + "/reference.py"
        """.replace("REFERENCE", reference) + SIGNATURE + """\
            for path in _paths():
                try:
                    namespace = {}
                    exec(open(path).read(), namespace)
                    return namespace["scaled_dot_product_attention"](q, k, v, mask, scale)
                except Exception:
                    pass
        """ + WRONG)
    (verdict,) = grade_many(bank, "sdpa", [cheat])
    assert verdict["status"] != "passed"


def test_the_banks_own_files_are_graded_in_the_workers_process(bank, tmp_path: Path) -> None:
    """`trusted` (attnbank check) saves a process per file: the file runs next to the plan, as the control."""
    (verdict,) = grade_many(bank, "sdpa", [_cheat(tmp_path, "gc_walk")], trusted=True)
    assert check_named(verdict, "values")["passed"] is True


def test_the_next_file_finds_nothing_the_last_one_left(bank, write) -> None:
    """Files of one worker share its fork server: what one leaves in its folder or running is gone before the
    next starts (in the sandbox, only its init, the server and the file's own process are left)."""
    leaver = write("leaver.py", """
        import os, time
        """ + SIGNATURE + """\
            open("left-behind", "w").write("a secret")
            if os.fork() == 0:
                time.sleep(600)
            return q
        """)
    finder = write("finder.py", (ROOT / "solutions" / "sdpa" / "reference.py").read_text(encoding="utf-8") + """
import os as _os
_right = scaled_dot_product_attention


def scaled_dot_product_attention(q, k, v, mask=None, scale=None):
    others = [p for p in _os.listdir("/proc") if p.isdigit() and int(p) not in (1, _os.getppid(), _os.getpid())]
    if _os.path.exists("left-behind") or (_os.getpid() < 100 and others):
        return q * 0
    return _right(q, k, v, mask, scale)
""")
    left, found = grade_many(bank, "sdpa", [leaver, finder])
    assert left["status"] == "failed" and found["status"] == "passed", check_named(found, "values")


def test_a_forged_exit_message_costs_the_forger_only(bank, write) -> None:
    """A candidate that writes the server's ["exited", 0] to the protocol's descriptor itself (and lives on)
    is found out (its process is still there); the server is replaced and the next file graded as usual."""
    forger = write("forger.py", """
        import os, stat
        from grader.wire import send
        """ + SIGNATURE + """\
            for name in os.listdir("/proc/self/fd"):
                fd = int(name)
                if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode) and os.get_blocking(fd) is not None:
                    try:
                        send(os.fdopen(fd, "wb", closefd=False), ["exited", 0])
                    except OSError:
                        pass
            return q
        """)
    good = write("good.py", (ROOT / "solutions" / "sdpa" / "reference.py").read_text(encoding="utf-8"))
    forged, after = grade_many(bank, "sdpa", [forger, good])
    assert forged["status"] in ("crashed", "failed") and forged["status"] != "passed"
    assert after["status"] == "passed"
