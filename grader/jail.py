"""The candidate's sandbox: a bubblewrap (bwrap) command line around the process that runs untrusted code.

Why bubblewrap rather than raw namespaces + seccomp: Debian ships it (`bubblewrap`, the sandbox Flatpak
uses), it is a small audited setuid-free binary that builds the whole mount namespace from an empty tmpfs
(so only what we list is visible, and nothing is forgotten by omission), unshares net, pid, ipc and uts, and
kills the sandbox with its parent. Doing the same by hand (unshare + pivot_root + mounts in a preexec, or a
seccomp filter) is a few hundred lines of security-critical code we would own. A seccomp syscall filter adds
little here: the threat is reading the bank, talking to the network and exhausting the machine, which the
mount view, the net namespace and the rlimits stop; torch needs a wide set of syscalls anyway.

What the sandbox sees: the interpreter's prefixes and its sys.path entries (venv, site-packages), /usr/lib,
/lib*, /etc/ld.so.*, $LD_LIBRARY_PATH's directories, a minimal /dev (plus the NVIDIA device nodes where there
are some), a fresh /proc, and the grader package directory read-only (grader/ alone, never the repository
around it; an installed wheel's grader/data, which holds the bank, is hidden under an empty read-only tmpfs).
Never the bank, never $HOME: $HOME, the cwd and /tmp are `workdir`, the only writable place; the rest is
read-only. No network: the sandbox has its own loopback, with nothing on it, and cannot reach the host's.
The environment is cleared to a minimal set, and bwrap itself starts with an empty one (the sandbox can read
its pid 1's, bwrap's, /proc/1/environ when not root). File descriptors the caller passes (pipes to the
trusted process) are inherited.

Limits, set by util-linux `prlimit` inside the sandbox (so bwrap's own setup is not limited): RLIMIT_DATA,
not RLIMIT_AS, because CUDA maps far more address space than memory (torch 2.11 on an H200: VmSize 18 GB,
VmData 0.9 GB after a matmul; a useful RLIMIT_AS would stop CUDA from starting, and the address space CUDA
reserves grows with the driver and the GPUs) while RLIMIT_DATA counts the private writable memory an
allocation uses, so 100 GB fails at once with MemoryError. GPU memory is not limited (rlimits cannot).
RLIMIT_NPROC (processes and threads), RLIMIT_NOFILE, RLIMIT_FSIZE, no core files. RLIMIT_NPROC counts per
real uid and does not apply to root, so the candidate never runs as root: as root, bwrap runs privileged
and `setpriv` drops to `nobody` inside; the candidate then enters a user namespace of its own (`unshare
--user`), where its process count starts at zero, so that two sandboxes never share it. As a normal user,
bwrap makes that user namespace itself (unprivileged user namespaces must be allowed). The limits are per
process: without a cgroup, 16 processes of 4 GiB each could still ask for 64 GiB in all.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .i18n import LANGS, TEXT

NOBODY = 65534
TOOLS = ("prlimit", "setpriv", "unshare")  # util-linux (Essential in Debian)
SYSTEM = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/lib32", "/libx32")
PASS_ENV = ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "LANG")


@dataclass(frozen=True)
class Limits:
    """Per-process limits inside the sandbox. `data`: private writable memory in bytes (RLIMIT_DATA);
    `nproc`: processes and threads of the sandbox; `nofile`: open files; `fsize`: the largest file written."""

    data: int = 4 << 30
    nproc: int = 16  # torch with one OpenMP thread runs 1 thread on CPU, 3 with CUDA
    nofile: int = 256
    fsize: int = 256 << 20


LIMITS = Limits()


def _tool(name: str) -> str | None:
    return shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")


def _hidden() -> list[Path]:
    """What the candidate must never see: the bank roots, the repository holding the grader, and $HOME."""
    roots = {paths.bundled(), paths.root()}
    if (paths.PACKAGE.parent / "questions").is_dir():
        roots.add(paths.PACKAGE.parent)
    return [r.resolve() for r in roots] + [Path.home().resolve()]


def _python_dirs() -> list[Path]:
    """The interpreter's prefixes and sys.path directories, minus any that would expose something hidden:
    one that is or holds the repository, the bank or $HOME, or lies inside them (a prefix, such as a venv in
    the repository, or a site-packages excepted), or lies in the temp dir (the grader is mounted on its own)."""
    hidden = _hidden()
    prefixes = [Path(p).resolve() for p in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix)]
    found: list[Path] = []
    for entry in [*prefixes, *sys.path]:
        if not entry or not Path(entry).is_dir():
            continue
        p = Path(entry).resolve()
        inside = any(p.is_relative_to(h) for h in hidden) and p.name not in ("site-packages", "dist-packages") \
            and not any(p.is_relative_to(x) for x in prefixes)
        if inside or any(h.is_relative_to(p) for h in hidden) or p.is_relative_to(Path(tempfile.gettempdir())):
            continue
        if p not in found and not any(p.is_relative_to(f) for f in found):
            found = [f for f in found if not f.is_relative_to(p)] + [p]
    return found


def _library_dirs() -> list[Path]:
    """The dynamic linker's extra directories, $LD_LIBRARY_PATH: where a container's GPU runtime puts the
    NVIDIA driver (/usr/local/nvidia/lib64 on the H200 host; CUDA finds no driver without it)."""
    hidden = _hidden()
    dirs = [Path(d).resolve() for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d and Path(d).is_dir()]
    return [d for d in dirs if not any(d.is_relative_to(h) or h.is_relative_to(d) for h in hidden)]


def _ro(path: Path | str) -> list[str]:
    p = Path(path)
    if p.is_symlink():
        return ["--symlink", os.readlink(p), str(p)]
    return ["--ro-bind", str(p), str(p)] if p.exists() else []


def _parents(mounts: list[str]) -> list[str]:
    """Directories above the mount points, made world-traversable (bwrap makes them 0700, which would lock
    out the unprivileged uid)."""
    dests = {Path(mounts[i + 2]) for i, a in enumerate(mounts) if a in ("--ro-bind", "--symlink")}
    parents = sorted({p for d in dests for p in d.parents if p != Path("/")}, key=lambda p: len(p.parts))
    return [a for p in parents for a in ("--perms", "0755", "--dir", str(p))]


def _gpu() -> list[str]:
    """The NVIDIA device nodes, when present (CUDA needs no /sys: measured on an H200)."""
    return [a for n in sorted(Path("/dev").glob("nvidia*")) if not n.is_dir() for a in ("--dev-bind", str(n), str(n))]


def _env(extra: dict[str, str]) -> list[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "USER": "candidate",
           "LOGNAME": "candidate", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
           "PYTHONPATH": str(paths.PACKAGE.parent), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           **{k: os.environ[k] for k in PASS_ENV if k in os.environ}, **extra}
    return ["--clearenv"] + [a for k, v in env.items() for a in ("--setenv", k, v)]


def _limits(limits: Limits) -> list[str]:
    return [_tool("prlimit") or "prlimit", f"--data={limits.data}", f"--nproc={limits.nproc}",
            f"--nofile={limits.nofile}", f"--fsize={limits.fsize}", "--core=0", "--"]


def wrap(argv: list[str], workdir: Path, limits: Limits = LIMITS, env: dict[str, str] | None = None,
         readonly: tuple[str, ...] = ()) -> list[str]:
    """The bwrap command line that runs `argv` in the sandbox, with `workdir` mounted as /tmp, its cwd and
    $HOME (the only writable place but for its entries named in `readonly`; inside, name its files relative
    to the cwd or under /tmp, never by the host path), in a cleared environment plus `env` (a question's
    cpu_env: TRITON_INTERPRET=1). As root, `workdir` is handed to the unprivileged uid the candidate runs as."""
    workdir = workdir.resolve()
    root = os.geteuid() == 0
    # bwrap starts with an empty environment: the sandbox can read its pid 1's (bwrap's) /proc/1/environ
    args = [_tool("env") or "env", "-i", shutil.which("bwrap") or "bwrap", "--unshare-net", "--unshare-pid",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if root:
        for p in [workdir, *workdir.rglob("*")]:
            os.lchown(p, NOBODY, NOBODY)
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user"]
    mounts: list[str] = [a for d in SYSTEM for a in _ro(d)]
    mounts += [a for d in _python_dirs() + _library_dirs() for a in ("--ro-bind", str(d), str(d))]
    mounts += [a for t in TOOLS if (tool := _tool(t)) for a in ("--ro-bind", tool, tool)]
    mounts += [a for f in sorted(Path("/etc").glob("ld.so*")) for a in _ro(f)]
    package = ["--ro-bind", str(paths.PACKAGE), str(paths.PACKAGE)]
    if (paths.PACKAGE / "data").is_dir():
        package += ["--tmpfs", str(paths.PACKAGE / "data"), "--remount-ro", str(paths.PACKAGE / "data")]
    args += _parents(mounts + package) + mounts
    # the package after /tmp: a checkout in the temp dir (a CI clone) would otherwise be hidden by the workdir
    args += ["--dev", "/dev", *_gpu(), "--proc", "/proc",
             "--bind", str(workdir), "/tmp",
             *[a for n in readonly for a in ("--ro-bind", str(workdir / n), f"/tmp/{n}")],
             *[a for p in sorted(paths.PACKAGE.parents, key=lambda p: len(p.parts))
               if p.is_relative_to("/tmp") and p != Path("/tmp")
               for a in ("--perms", "0755", "--dir", str(p))], *package,
             "--chdir", "/tmp", "--remount-ro", "/", *_env(env or {})]
    if root:
        args += [_tool("setpriv") or "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
                 _tool("unshare") or "unshare", "--user", "--"]
    return args + _limits(limits) + list(argv)


def candidate_pid(bwrap: int) -> int | None:
    """The host pid of the process that bwrap process `bwrap` runs (its grandchild: bwrap's init, pid 1 of the
    sandbox, starts it), or None while there is none. CPU time is to be read there: bwrap's own is nil."""
    pid = bwrap
    for _ in range(2):
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return None
        if not children:
            return None
        pid = int(children[0])
    return pid


@functools.cache
def available() -> bool:
    """Whether the sandbox works here: bwrap and the util-linux tools are installed and a trial run of this
    interpreter inside it succeeds (tried once per process)."""
    if not shutil.which("bwrap") or not all(_tool(t) for t in TOOLS):
        return False
    tmp = Path(tempfile.mkdtemp(prefix="attnbank-jail-"))
    try:
        done = subprocess.run(wrap([sys.executable, "-S", "-c", "import grader"], tmp),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    finally:
        remove(tmp)
    return done.returncode == 0


def remove(workdir: Path) -> None:
    """Remove a sandbox's folder. As root it was handed to the unprivileged uid, whose files a root without
    DAC override cannot delete: each entry is taken back (chown needs no read access) before it is read."""
    def reclaim(path: str) -> None:
        with contextlib.suppress(OSError):
            os.lchown(path, os.geteuid(), os.getegid())
        if os.path.isdir(path) and not os.path.islink(path):
            with contextlib.suppress(OSError):
                for entry in os.scandir(path):
                    reclaim(entry.path)

    if os.geteuid() == 0:
        reclaim(str(workdir))
    shutil.rmtree(workdir, ignore_errors=True)


def notice(lang: str | None = None) -> str | None:
    """The one line saying that grading runs without the sandbox here (in `lang`, else in both languages),
    or None where the sandbox works."""
    if available():
        return None
    pair = TEXT["jail_off"]
    return pair[LANGS.index(lang)] if lang in LANGS else " / ".join(pair)


MEMORY_SIGNS = ("MemoryError", "can't allocate memory", "not enough memory", "std::bad_alloc", "out of memory")
PROCESS_SIGNS = ("BlockingIOError: [Errno 11]", "can't start new thread", "Thread creation failed")
FILE_SIGNS = ("[Errno 27]", "File too large")


def exhausted(text: str | None, limits: Limits = LIMITS) -> tuple[str, str] | None:
    """(the limit, a one-line message) when `text`, a candidate's traceback or its process's last output,
    shows it ran into one of the sandbox's limits: "memory", "processes" or "file size"; else None."""
    if not text:
        return None
    if any(s in text for s in MEMORY_SIGNS):
        return "memory", f"ran out of memory (the sandbox allows {limits.data / 2**30:g} GiB per process)"
    if any(s in text for s in PROCESS_SIGNS):
        return "processes", f"started too many processes or threads (the sandbox allows {limits.nproc})"
    if any(s in text for s in FILE_SIGNS):
        return "file size", f"wrote too large a file (the sandbox allows {limits.fsize / 2**20:g} MiB)"
    return None
