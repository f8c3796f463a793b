"""The `utr-assets` command: sample data, the demo run on the bundled sample, settings inspection.

Plain argparse; Dagster is imported only by the sub-commands that run assets.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from utr_assets.settings import PROJECT_ROOT, SettingsError, load_settings


def _cmd_sample_data(args: argparse.Namespace) -> int:
    from utr_assets.simulate import generate_sample

    manifest = generate_sample(Path(args.out), seed=args.seed, scale=args.scale)
    print(f"sample written; manifest: {manifest}")
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    settings = load_settings(args.profile)
    print(settings.model_dump_json(indent=2))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    """Materialise the whole graph on the selected profile (default: the bundled sample)."""
    if args.profile:
        os.environ["UTR_ASSETS_PROFILE"] = args.profile
    os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    from utr_assets.platform.runner import materialise_everything

    failures = materialise_everything(log=print)
    if failures:
        print(f"demo finished with {len(failures)} failed run(s): {', '.join(failures)}", file=sys.stderr)
        return 1
    print("demo finished: every asset materialised; open the UI with `make ui` to inspect it")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="utr-assets", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    sample = sub.add_parser("sample-data", help="generate the seeded mini-zoo sample")
    sample.add_argument("--out", required=True, help="output folder")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--scale", default="sample", help="sample (default, committed) or a larger world")
    sample.set_defaults(func=_cmd_sample_data)

    demo = sub.add_parser("demo", help="materialise every asset on the bundled sample")
    demo.add_argument("--profile", default=None, help="settings profile (default: sample)")
    demo.set_defaults(func=_cmd_demo)

    show = sub.add_parser("settings", help="print the validated settings of a profile (+ UTR_ASSETS_CONFIG)")
    show.add_argument("--profile", default=None)
    show.set_defaults(func=_cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (SettingsError, ValueError, FileNotFoundError) as exc:
        print(f"utr-assets: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
