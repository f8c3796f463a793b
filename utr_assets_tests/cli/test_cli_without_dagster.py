"""The CLI commands that only read settings and the registry run without loading Dagster (issue 18)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = (
    "import os, sys\n"
    "from utr_assets.cli import main\n"
    "before = dict(os.environ)\n"
    "rc = main(sys.argv[1:])\n"
    "assert rc == 0, rc\n"
    "assert dict(os.environ) == before, 'the command changed the environment'\n"
    "print('DAGSTER:', sorted(m for m in sys.modules if m.split('.')[0].startswith('dagster')))\n"
)


@pytest.mark.parametrize("argv", [["models", "list"], ["plan"], ["plan", "--profile", "paper"], ["settings"]])
def test_command_loads_no_dagster(argv: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "DAGSTER: []"
