"""`attnbank site serve`'s grading API on a real loopback server: grades, progress, and every security rule."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from grader.bank import load_bank
from grader.cli import cli
from grader.serve import bind, create_app
from grader.sitegen import build

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "site_bank"
REPO = HERE.parent
TOKEN = "test-token-0123456789"
PASSING = (FIXTURE / "solutions" / "toy-softmax" / "reference.py").read_text(encoding="utf-8")
WRONG_AXIS = "import torch\n\n\ndef softmax(x):\n    return torch.softmax(x, dim=0)\n"
SLOW = "import time\n\ntime.sleep(2)\n" + PASSING  # sleeps while imported: a grade that takes a while


class Server:
    """A real uvicorn server with the site app on a free loopback port, in a background thread."""

    def __init__(self, site: Path, waiting: int):
        self.sock = bind("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.host = f"127.0.0.1:{self.port}"
        app = create_app(site, "127.0.0.1", self.port, TOKEN, waiting)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str
                ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body); headers use _ for -, and default to the right Host, Origin and token."""
        sent = {"Host": self.host, "Origin": f"http://{self.host}", "X-Attnbank-Token": TOKEN}
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body, {k: v for k, v in sent.items() if v is not None})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def grade(self, code: str, question: str = "toy-softmax", **headers: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("POST", "/api/grade", json.dumps({"question": question, "code": code}).encode(),
                            **headers)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> Iterator[Path]:
    """The fixture bank and a fresh progress database for this module; yields the database's path."""
    db = tmp_path_factory.mktemp("db") / "progress.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ATTNBANK_ROOT", str(FIXTURE))
        mp.setenv("ATTNBANK_DB", str(db))
        yield db


@pytest.fixture(scope="module")
def server(env: Path, tmp_path_factory) -> Iterator[Server]:
    out = tmp_path_factory.mktemp("served") / "out"
    build(load_bank(FIXTURE), out)
    s = Server(out, waiting=1)
    yield s
    s.stop()


def test_a_grade_returns_what_grade_json_prints_and_deletes_its_file(server: Server, tmp_path: Path) -> None:
    status, _, body = server.grade(WRONG_AXIS, X_Attnbank_Client="json")
    assert status == 200
    served = json.loads(body)
    file = tmp_path / "toy_softmax.py"
    file.write_text(WRONG_AXIS, encoding="utf-8")
    cli_run = subprocess.run([sys.executable, "-m", "grader", "grade", "toy-softmax", str(file), "--json",
                              "--no-record"], cwd=REPO, capture_output=True, text=True, env=os.environ)
    printed = json.loads(cli_run.stdout)
    assert list(served) == list(printed)  # the same keys in the same order
    assert {**served, "file": None} == {**printed, "file": None}
    assert served["status"] == "failed" and served["checks"][-1]["name"] == "values"
    assert not Path(served["file"]).exists() and not Path(served["file"]).parent.exists()


def test_a_pass_is_recorded_where_stats_and_the_site_see_it(server: Server, env: Path) -> None:
    status, headers, body = server.grade(PASSING, X_Attnbank_Client="record")
    assert status == 200 and json.loads(body)["passed"] is True
    assert "progress:" in headers["x-attnbank-progress"]
    db = os.environ["ATTNBANK_DB"]  # the database the server records into now (conftest isolates each test)
    assert db in headers["x-attnbank-progress"]
    stats = CliRunner().invoke(cli, ["stats", "--db", db])
    assert stats.exit_code == 0, stats.output
    assert "Heads and kernels" in stats.output and "Total reviews: 1" in stats.output, stats.output
    status, _, body = server.request("GET", "/api/progress")
    assert status == 200 and json.loads(body)["status"]["toy-softmax"] == "mastered"


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_the_api_needs_the_launch_token(server: Server, token: str | None) -> None:
    assert server.request("GET", "/api/progress", X_Attnbank_Token=token)[0] == 403
    assert server.grade(PASSING, X_Attnbank_Token=token)[0] == 403


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1", "null"])
def test_a_foreign_origin_is_refused(server: Server, origin: str) -> None:
    assert server.grade(PASSING, Origin=origin)[0] == 403
    assert server.request("GET", "/index.html", Origin=origin)[0] == 403
    assert server.request("GET", "/index.html", Origin=None)[0] == 200  # a plain navigation sends none


@pytest.mark.parametrize("host", ["evil.example", "localhost", "evil.example:{port}", "127.0.0.2:{port}"])
def test_a_foreign_host_is_refused_against_dns_rebinding(server: Server, host: str) -> None:
    host = host.format(port=server.port)
    assert server.request("GET", "/index.html", Host=host)[0] == 403
    assert server.request("GET", "/api/progress", Host=host, Origin=f"http://{host}")[0] == 403


def test_a_body_over_256_kb_gets_413(server: Server) -> None:
    big = json.dumps({"question": "toy-softmax", "code": "#" * 300_000}).encode()
    assert server.request("POST", "/api/grade", big)[0] == 413
    # chunked, without a Content-Length: stopped while it is read
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/api/grade", skip_host=True)
    for k, v in {"Host": server.host, "X-Attnbank-Token": TOKEN, "Transfer-Encoding": "chunked"}.items():
        conn.putheader(k, v)
    conn.endheaders()
    for start in range(0, len(big), 65536):
        chunk = big[start:start + 65536]
        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    conn.send(b"0\r\n\r\n")
    assert conn.getresponse().status == 413
    conn.close()


@pytest.mark.parametrize("body", [b"not json", b"[1]", b'{"question": "toy-softmax"}',
                                  b'{"question": "toy-softmax", "code": "", "file": "/etc/passwd"}',
                                  b'{"question": "../x", "code": ""}', b'{"question": "toy-softmax", "code": "", '
                                  b'"seed": true}', b'{"question": "toy-softmax", "code": "", "dtype": "int8"}'])
def test_a_malformed_request_gets_400_and_no_field_takes_a_path(server: Server, body: bytes) -> None:
    status, _, reply = server.request("POST", "/api/grade", body)
    assert status == 400 and json.loads(reply)["error"]


def test_an_unknown_or_non_coding_question_gets_400(server: Server) -> None:
    for qid, words in (("no-such-question", "no-such-question"), ("cache-bytes", "only coding questions")):
        status, _, reply = server.grade(PASSING, question=qid)
        assert status == 400 and words in json.loads(reply)["error"]


def test_the_static_site_has_no_listing_and_no_escape(server: Server) -> None:
    assert server.request("GET", "/q/")[0] == 404
    assert server.request("GET", "/../pyproject.toml")[0] == 404
    assert server.request("GET", "/q/toy-softmax.html")[0] == 200


def test_one_grade_per_client_and_a_bounded_queue(server: Server) -> None:
    """One grade runs, one waits (waiting=1); the same client again, or a third one, gets 429."""
    results: dict[str, int] = {}

    def run(client: str) -> None:
        results[client] = server.grade(SLOW, X_Attnbank_Client=client)[0]

    first = threading.Thread(target=run, args=("a",))
    first.start()
    time.sleep(0.5)
    second = threading.Thread(target=run, args=("b",))
    second.start()
    time.sleep(0.5)
    status, headers, _ = server.grade(PASSING, X_Attnbank_Client="a")
    assert status == 429 and int(headers["retry-after"]) > 0
    status, headers, _ = server.grade(PASSING, X_Attnbank_Client="c")
    assert status == 429 and int(headers["retry-after"]) > 0
    first.join()
    second.join()
    assert results == {"a": 200, "b": 200}
    assert server.grade(PASSING, X_Attnbank_Client="a")[0] == 200  # free again once done


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.2", "localhost", "::"])
def test_serve_refuses_a_non_loopback_host(host: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["site", "serve", "--host", host, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "loopback only" in result.output
    assert not (tmp_path / "o").exists()  # refused before building anything


def test_serve_prints_its_token_in_the_url_and_takes_one_from_the_environment(tmp_path: Path) -> None:
    env = {**os.environ, "ATTNBANK_ROOT": str(FIXTURE), "ATTNBANK_TOKEN": "from-the-env"}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "site", "serve", "--port", "0", "--out",
                             str(tmp_path / "out")], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/#token=(\S+)", line)
        assert match and match.group(2) == "from-the-env", line
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=30)
        conn.request("GET", "/api/progress", headers={"X-Attnbank-Token": "from-the-env"})
        assert conn.getresponse().status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)

