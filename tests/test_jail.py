"""The candidate's sandbox (grader.jail) contains hostile code: each test runs a small program through
`wrap(...)`, checks what it could not do, and, where cheap, that the same program does it unjailed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import jail, paths
from grader.i18n import TEXT

needs_jail = pytest.mark.skipif(not jail.available(),
                                reason="bubblewrap is missing or cannot create namespaces here")


def run(code: str, workdir: Path, jailed: bool = True, timeout: float = 60,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `code` with this interpreter, niced, in the sandbox (with `env` added) or plainly in `workdir`."""
    argv = [sys.executable, "-c", textwrap.dedent(code)]
    argv = ["nice", "-n", "10", *(jail.wrap(argv, workdir, env=env) if jailed else argv)]
    return subprocess.run(argv, cwd=workdir, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="attnbank-jail-test-") as tmp:
        yield Path(tmp)


@needs_jail
def test_the_hosts_loopback_cannot_be_reached(workdir: Path) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    code = f"""
        import socket
        try:
            socket.create_connection(("127.0.0.1", {server.getsockname()[1]}), timeout=5)
            print("connected")
        except OSError as exc:
            print("refused", exc)
    """
    with server:
        assert run(code, workdir).stdout.startswith("refused")
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing reached the host's listener
        assert run(code, workdir, jailed=False).stdout == "connected\n"  # the control: unjailed, it connects


@needs_jail
def test_the_real_home_is_neither_readable_nor_writable(workdir: Path) -> None:
    home = Path.home().resolve()
    before = sorted(os.listdir(home))
    files = [str(p) for p in sorted(home.iterdir()) if p.is_file() and os.access(p, os.R_OK)][:5]
    code = f"""
        import os, pathlib
        home = {str(home)!r}
        for name in {files!r}:
            try:
                open(name).read(1)
                print("read", name)
            except OSError:
                pass
        try:
            open(os.path.join(home, "attnbank-jail-probe"), "w").write("x")
            print("wrote")
        except OSError:
            pass
        print("home", os.path.expanduser("~"), os.getcwd())
        pathlib.Path("~/mine").expanduser().write_text("ok")
    """
    done = run(code, workdir)
    assert done.stdout == "home /tmp /tmp\n", done.stderr
    assert sorted(os.listdir(home)) == before and not (home / "attnbank-jail-probe").exists()
    assert (workdir / "mine").read_text() == "ok"  # the private HOME is the workdir


@needs_jail
def test_the_bank_is_out_of_reach(workdir: Path) -> None:
    bank = paths.root()
    secrets = [bank / "questions" / "topics.yaml", *sorted((bank / "solutions").glob("*/reference.py"))[:3]]
    assert all(p.is_file() for p in secrets)
    code = f"""
        import os
        from grader import paths
        for name in {[str(p) for p in secrets]!r} + [str(paths.root() / "questions" / "topics.yaml")]:
            try:
                open(name).read(1)
                print("read", name)
            except OSError:
                pass
        print(sorted(os.listdir(paths.PACKAGE.parent)), os.path.exists(paths.PACKAGE / "data" / "questions"))
    """
    done = run(code, workdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['grader'] False\n"  # grader/ alone, never the repository around it
    assert run(code, workdir, jailed=False).stdout.count("read") == len(secrets) + 1  # the control


@needs_jail
def test_another_students_folder_is_out_of_reach(tmp_path: Path) -> None:
    mine, theirs = tmp_path / "alice", tmp_path / "bob"
    mine.mkdir()
    theirs.mkdir()
    (theirs / "sdpa.py").write_text("secret = 1\n")
    code = f"""
        import os
        try:
            print(open({str(theirs / "sdpa.py")!r}).read())
        except OSError:
            print("unreadable", os.listdir("/tmp"))
    """
    out = run(code, mine).stdout  # /tmp is alice's folder (plus, for a checkout in the temp dir, its grader/)
    assert out.startswith("unreadable [") and "bob" not in out and "sdpa.py" not in out


@needs_jail
def test_the_workdir_is_writable_and_the_rest_read_only(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = f"""
        import os
        open("here.txt", "w").write("cwd")
        open("/tmp/there.txt", "w").write("tmp")
        for where in ("/new", "/usr/lib/attnbank-probe", {str(paths.PACKAGE / "probe.py")!r}, "/dev/shm/x"):
            try:
                open(where, "w").write("x")
                print("wrote", where)
            except OSError:
                pass
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                print("leaked" * (b"s3cret" in open(f"/proc/{{pid}}/environ", "rb").read()), end="")
            except OSError:
                pass
        print(sorted(os.environ), os.environ["TRITON_INTERPRET"])
    """
    monkeypatch.setenv("ATTNBANK_SECRET", "s3cret")
    done = run(code, workdir, env={"TRITON_INTERPRET": "1"})  # a question's cpu_env gets in
    assert (workdir / "here.txt").read_text() == "cwd" and (workdir / "there.txt").read_text() == "tmp"
    assert "wrote" not in done.stdout and "ATTNBANK_SECRET" not in done.stdout and "leaked" not in done.stdout
    assert "'PATH'" in done.stdout and done.stdout.endswith(" 1\n")
    assert not (paths.PACKAGE / "probe.py").exists()


@needs_jail
def test_pipes_and_sockets_passed_in_reach_the_trusted_side(workdir: Path) -> None:
    """The trusted process talks to the candidate host over inherited descriptors (no network, no /dev/shm)."""
    read, write = os.pipe()
    ours, theirs = socket.socketpair()
    code = f"""
        import os, socket
        os.write({write}, b"pipe")
        socket.socket(fileno={theirs.fileno()}).sendall(b"socketpair")
    """
    with ours, theirs:
        done = subprocess.run(jail.wrap([sys.executable, "-c", textwrap.dedent(code)], workdir),
                              pass_fds=(write, theirs.fileno()), capture_output=True, text=True, timeout=60)
        os.close(write)
        assert done.returncode == 0, done.stderr
        assert os.read(read, 16) == b"pipe" and ours.recv(16) == b"socketpair"
    os.close(read)


@needs_jail
def test_a_fork_bomb_is_stopped_and_the_machine_keeps_working(workdir: Path) -> None:
    code = """
        import os, time
        me, refused, start = os.getpid(), 0, time.time()
        while time.time() - start < 2:
            try:
                os.fork()
            except OSError:
                refused += 1
                time.sleep(0.01)
        if os.getpid() == me:
            print("refused", refused > 0)
    """
    start = time.monotonic()
    bomb = subprocess.Popen(["nice", "-n", "10", *jail.wrap([sys.executable, "-c", textwrap.dedent(code)], workdir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(1)
    assert subprocess.run(["true"]).returncode == 0  # the machine can still start processes
    out, err = bomb.communicate(timeout=60)
    assert out == "refused True\n", err
    assert time.monotonic() - start < 30


@needs_jail
def test_the_processes_of_a_killed_sandbox_all_end(workdir: Path) -> None:
    code = """
        import os, time
        for _ in range(3):
            os.fork()
        open(f"alive-{os.getpid()}", "w").close()
        time.sleep(60)
    """
    proc = subprocess.Popen(["nice", "-n", "10", *jail.wrap([sys.executable, "-c", textwrap.dedent(code)], workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(list(workdir.glob("alive-*"))) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    namespace = _pid_namespace(proc.pid)
    assert len(list(workdir.glob("alive-*"))) == 8 and len(_members(namespace)) >= 8  # the check sees them
    proc.kill()  # bwrap alone, as the grader's supervisor does
    proc.wait()
    deadline = time.monotonic() + 10
    while _members(namespace) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _members(namespace) == []


def _pid_namespace(bwrap: int) -> str:
    """The pid namespace of the sandbox that bwrap process `bwrap` started (that of its child)."""
    child = jail.candidate_pid(bwrap)
    assert child is not None, "the sandbox's process was not found"
    return os.readlink(f"/proc/{child}/ns/pid")


def _members(namespace: str) -> list[str]:
    found = []
    for proc in filter(str.isdigit, os.listdir("/proc")):
        try:
            found += [proc] if os.readlink(f"/proc/{proc}/ns/pid") == namespace else []
        except OSError:
            continue
    return found


@needs_jail
def test_the_candidates_cpu_time_is_read_through_bwrap(workdir: Path) -> None:
    from grader.sandbox import cpu_seconds

    proc = subprocess.Popen(["nice", "-n", "10", *jail.wrap([sys.executable, "-c", "while True: pass"], workdir)])
    try:
        deadline, used = time.monotonic() + 30, 0.0
        while used < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
            pid = jail.candidate_pid(proc.pid)
            used = (cpu_seconds(pid) or 0.0) if pid else 0.0
        assert used >= 0.3 and (cpu_seconds(proc.pid) or 0.0) < 0.1  # bwrap itself spends next to nothing
    finally:
        proc.kill()
        proc.wait()
    assert jail.candidate_pid(proc.pid) is None


@needs_jail
def test_a_100_gb_allocation_fails_fast_as_memory(workdir: Path) -> None:
    start = time.monotonic()
    done = run("bytearray(100 << 30)", workdir)
    assert time.monotonic() - start < 20
    assert done.returncode == 1 and done.stderr.rstrip().endswith("MemoryError")
    assert jail.exhausted(done.stderr)[0] == "memory"


@needs_jail
def test_a_10_gb_file_cannot_be_written(workdir: Path) -> None:
    code = """
        chunk = b"x" * (1 << 20)
        with open("big", "wb") as f:
            try:
                f.seek(10 << 30)
                f.write(b"x")
                f.flush()
            except OSError as exc:
                print("sparse", exc.errno)
            f.seek(0)
            for _ in range(10 << 10):
                f.write(chunk)
    """
    done = run(code, workdir)
    assert done.stdout == "sparse 27\n"  # EFBIG
    assert jail.exhausted(done.stderr)[0] == "file size"
    assert (workdir / "big").stat().st_size <= jail.LIMITS.fsize


@needs_jail
def test_torch_runs_inside(workdir: Path) -> None:
    done = run("import torch; print((torch.ones(2) @ torch.ones(2)).item())", workdir, timeout=120)
    assert done.stdout == "2.0\n", done.stderr


def test_exhausted_names_the_limit() -> None:
    oom = ("RuntimeError: [enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
           "memory: you tried to allocate 107374182400 bytes.")
    assert jail.exhausted(oom)[0] == "memory"
    assert jail.exhausted("terminate called after throwing an instance of 'std::bad_alloc'")[0] == "memory"
    assert jail.exhausted("OSError: [Errno 27] File too large")[0] == "file size"
    assert jail.exhausted("BlockingIOError: [Errno 11] Resource temporarily unavailable") == \
        ("processes", f"started too many processes or threads (the sandbox allows {jail.LIMITS.nproc})")
    assert jail.exhausted("ZeroDivisionError: division by zero") is None and jail.exhausted(None) is None


def test_wrap_never_mounts_the_repository_or_home(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LD_LIBRARY_PATH", f"{Path.home()}:/usr/local/lib:{paths.PACKAGE.parent}")
    argv = jail.wrap(["python"], workdir)
    assert "/usr/local/lib" in argv and argv[argv.index("LD_LIBRARY_PATH") + 1] == os.environ["LD_LIBRARY_PATH"]
    sources = {argv[i + 1] for i, a in enumerate(argv) if a in ("--ro-bind", "--bind", "--dev-bind")}
    for hidden in (paths.PACKAGE.parent, paths.root(), Path.home()):
        assert str(hidden.resolve()) not in sources
    assert str(paths.PACKAGE) in sources and ["--bind", str(workdir.resolve()), "/tmp"] == \
        argv[argv.index(str(workdir.resolve())) - 1: argv.index(str(workdir.resolve())) + 2]
    assert "--unshare-net" in argv and "--die-with-parent" in argv and "--clearenv" in argv


SYSTEM_PYTHON = Path("/usr/bin/python3")


@needs_jail
@pytest.mark.skipif(os.geteuid() != 0 or not SYSTEM_PYTHON.exists(),
                    reason="needs root (to become a normal user) and Debian's /usr/bin/python3")
@pytest.mark.skipif(any(not os.stat(p).st_mode & 0o001 for p in paths.PACKAGE.parents),
                    reason="the checkout lies in a folder other users cannot enter (a root-only temp clone)")
def test_a_normal_user_gets_the_same_sandbox(tmp_path: Path) -> None:
    """As uid 1000, bwrap makes the user namespace itself; the limits and the mount view hold the same."""
    os.chown(tmp_path, 1000, 1000)
    reference = sorted((paths.root() / "solutions").glob("*/reference.py"))[0]
    probe = textwrap.dedent(f"""
        import os, time
        try:
            open({str(reference)!r})
        except OSError:
            print("bank unreadable", os.getuid(), flush=True)
        start, refused = time.time(), 0
        while time.time() - start < 1:
            try:
                os.fork()
            except OSError:
                refused += 1
                time.sleep(0.01)
        if refused:
            print("forks refused")
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if b"s3cret" in open(f"/proc/{{pid}}/environ", "rb").read():
                    print("leaked", pid)
            except OSError:
                pass
    """)
    code = f"""
        import subprocess, sys, tempfile
        from pathlib import Path
        from grader import jail
        work = Path(tempfile.mkdtemp())
        done = subprocess.run(jail.wrap([sys.executable, "-c", {probe!r}], work), capture_output=True, text=True)
        print(jail.available(), done.stdout.count("bank unreadable 1000"), "forks refused" in done.stdout,
              "leaked" in done.stdout)
    """
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path),
           "PYTHONPATH": str(paths.PACKAGE.parent), "ATTNBANK_SECRET": "s3cret"}
    done = subprocess.run(["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "nice", "-n", "10",
                           str(SYSTEM_PYTHON), "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    if "cannot create namespaces" in done.stderr or done.stdout.startswith("False"):
        pytest.skip("unprivileged user namespaces are not allowed here")
    assert done.stdout == "True 1 True False\n", done.stderr  # the grader's environment stays outside


@needs_jail
def test_an_installed_wheels_bank_is_hidden(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wheel carries the bank in grader/data: the sandbox shows grader/ with data/ empty and read-only."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as site:  # not under /tmp, which the workdir covers
        package = Path(site) / "grader"
        (package / "data" / "solutions" / "sdpa").mkdir(parents=True)
        (package / "data" / "questions").mkdir()
        (package / "__init__.py").write_text("")
        (package / "data" / "questions" / "topics.yaml").write_text("secret")
        (package / "data" / "solutions" / "sdpa" / "reference.py").write_text("secret")
        for p in [Path(site), *Path(site).rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        monkeypatch.setattr(paths, "PACKAGE", package)
        code = """
            import os, grader
            data = os.path.join(os.path.dirname(grader.__file__), "data")
            try:
                open(os.path.join(data, "x"), "w")
            except OSError:
                print(grader.__file__, os.listdir(data))
        """
        done = run(code, workdir)
        assert done.stdout == f"{package / '__init__.py'} []\n", done.stderr


def test_grade_says_in_one_line_when_it_runs_without_the_sandbox(tmp_path: Path) -> None:
    """No bwrap on PATH: `grade` still grades, and says so once, in the language asked for."""
    starter = tmp_path / "s.py"
    starter.write_text("def scaled_dot_product_attention(q, k, v, mask=None, scale=None):\n    return q\n")
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(paths.PACKAGE.parent)}
    done = subprocess.run([sys.executable, "-m", "grader", "grade", "sdpa", str(starter), "--dtype", "float64",
                           "--no-record", "--lang", "zh"], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=300)
    assert done.returncode == 1 and "FAILED" in done.stdout
    assert done.stderr.count(TEXT["jail_off"][1]) == 1
    if jail.available():
        assert jail.notice() is None and jail.notice("zh") is None
