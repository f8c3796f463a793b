"""The `utr-assets` command: sample data, the demo run on the bundled sample, settings inspection.

What belongs here: `main` (parse, dispatch, turn user errors into exit status 2). The argument parser is
`parser.py`; each sub-command's body lives in a module by what it touches: `data.py` (sample data,
3'UTR extraction), `registry.py` (the model registry), `profile.py` (settings and the plan), `runs.py`
(the Dagster runs and the stored leaderboard). Not here: any domain logic, which the commands call.

Plain argparse; Dagster is imported only inside the sub-commands that run assets (`runs.py`), so
`utr-assets models list` and `utr-assets plan` never load it. Every command reads its profile from
`--profile` and passes it to `load_settings`; none changes the process environment.
"""

from __future__ import annotations

import sys

from utr_assets.cli.parser import build_parser
from utr_assets.settings import SettingsError

__all__ = ["build_parser", "main"]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (SettingsError, ValueError, FileNotFoundError) as exc:
        print(f"utr-assets: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C during a run: the run is marked failed in the UI; stop here
        print(f"utr-assets: {exc or 'interrupted'}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
