"""A practice session in a real terminal (tmux) at 80x24 and 120x40: what is on screen, key by key.

Covers what only a terminal shows: quiz feedback stays until a key, undo, a failed card returning in the
same session, a drill graded from inside the session, single keys after Ctrl-Z and `fg`.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_practice import ROOT, T0, _reference, bank_root, env, logged  # noqa: F401 (fixtures)


class Terminal:
    """An interactive bash in a private tmux server, `width` x `height` cells."""

    def __init__(self, tmp_path: Path, width: int, height: int):
        if shutil.which("tmux") is None:
            if os.environ.get("CI"):
                pytest.fail("tmux is required in CI (.ci/run installs it)")
            pytest.skip("tmux is not installed (and CI is unset): cannot drive a real terminal")
        self.tmux = ["tmux", "-S", str(tmp_path / "tmux.sock")]
        self.name = "practice"
        subprocess.run([*self.tmux, "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        "env PS1='$ ' bash --norc --noprofile -i"], check=True)

    def screen(self) -> str:
        """The visible pane only (not the scrollback): what the user can read now."""
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True,
                              text=True).stdout

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """The screen once `text` is on it, where the app may have wrapped it over lines (a long temp path
        before it moves the break)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if " ".join(text.split()) in " ".join(shown.split()):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared:\n{self.screen()}")

    def keys(self, *k: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *k], check=True)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


@pytest.mark.parametrize("width, height", [(80, 24), (120, 40)])
def test_session_in_a_real_terminal(tmp_path, env, width, height):  # noqa: F811
    term = Terminal(tmp_path, width, height)
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k not in ("COLUMNS", "NO_COLOR"))
    try:
        # in a subshell, so that after Ctrl-Z and fg the echo still runs
        term.keys(f"(cd {ROOT} && env {exports} {sys.executable} -m grader practice --now {T0.isoformat()}; "
                  "echo EXIT=$?)", "Enter")
        # a wrong numeric answer: the verdict, your answer and the key stay on screen until a key
        term.wait_for("Your answer (a number")
        term.keys("512", "Enter")
        shown = term.wait_for("Any key: next card")
        time.sleep(1.5)
        shown = term.screen()
        assert "✘ Wrong" in shown and "you: 512 MiB" in shown and "answer: 4 MiB" in shown, shown
        assert "Any key: next card" in shown
        # undo: the rating is taken back and the card asked again
        term.keys("u")
        term.wait_for("Undone: Size of the score matrix (Again)")
        term.keys("4", "Enter")
        term.wait_for("✔ Right")
        term.keys("Space")
        # the coding drill, graded from inside the session
        term.wait_for("[g] grade now")
        term.keys("g")
        term.wait_for("still the starter")
        (Path(env["ATTNBANK_WORKSPACE"]) / "sdpa.py").write_text(_reference())
        term.keys("g")
        shown = term.wait_for("Any key: next card", timeout=300)
        assert "✔ sdpa: every check passed" in shown and "rated Good → due in 2d" in shown, shown
        term.keys("Space")
        # a concept card; Ctrl-Z and fg at the rating prompt, then one key (no Enter) rates it Again
        term.wait_for("Enter to reveal")
        term.keys("Enter")
        term.wait_for("Rate: [1] Again 1m")
        term.keys("C-z")
        term.wait_for("Stopped")
        term.keys("fg", "Enter")
        time.sleep(1)
        term.keys("1")  # taken at once: the next card comes without an Enter
        # the choice quiz, then the failed concept card comes back in the same session
        term.wait_for("Your answer (letters")
        term.keys("b c", "Enter")
        term.wait_for("✔ Right")
        term.keys("Space")
        shown = term.wait_for("Enter to reveal")
        assert "why-scale · Concept · attention-basics · learning" in shown, shown
        term.keys("q", "Enter")
        shown = term.wait_for("EXIT=")
    finally:
        term.close()
    assert "EXIT=0" in shown
    assert logged(Path(env["ATTNBANK_DB"]).parent) == [("score-memory", 3), ("sdpa", 3), ("why-scale", 1),
                                                       ("mask-polarity", 3)]


def test_chinese_session_at_80_columns(tmp_path, env):  # noqa: F811
    term = Terminal(tmp_path, 80, 24)
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k not in ("COLUMNS", "NO_COLOR"))
    try:
        term.keys(f"(cd {ROOT} && env {exports} {sys.executable} -m grader practice --lang zh --kind quiz "
                  f"--now {T0.isoformat()}; echo EXIT=$?)", "Enter")
        term.wait_for("你的答案（填数值")
        term.keys("512", "Enter")
        term.wait_for("按任意键继续")
        time.sleep(1)
        shown = term.screen()
        assert "✘ 答错了" in shown and "你的答案：512 MiB" in shown and "正确答案：4 MiB" in shown, shown
        term.keys("u")
        term.wait_for("已撤销：打分矩阵的大小（重来）")
        term.keys("q", "Enter")
        shown = term.wait_for("EXIT=")
    finally:
        term.close()
    assert "EXIT=0" in shown and "本次复习结束：共 0 张" in shown
    assert logged(Path(env["ATTNBANK_DB"]).parent) == []
