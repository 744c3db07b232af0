"""The benchmark scripts still run (tiny sizes; their figures are not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("script", "args", "expected"),
    [
        (
            "rush.py",
            ["--users", "4", "--seconds", "1", "--repeat", "1", "--no-nudges"],
            "plans completed and submitted",
        ),
        ("broadcast.py", ["--chats", "5"], "5/5 reminders"),
        ("report.py", ["--agencies", "5"], "tonghop"),
        ("follow.py", ["--agencies", "5"], "proposals.xlsx"),
    ],
)
def test_benchmark_script_runs(script: str, args: list[str], expected: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert expected in done.stdout
