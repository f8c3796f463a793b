"""CLI sub-commands that inspect a profile without running anything: `settings` and `plan`.

What belongs here: loading the named profile and printing it or its plan. Not here: the plan's
arithmetic (planning.py) or the settings model (settings.py). Nothing here imports Dagster.
"""

from __future__ import annotations

import argparse
import json

from utr_assets.settings import load_settings


def cmd_plan(args: argparse.Namespace) -> int:
    """What the profile would download and compute (sizes, partitions, GPU-hours), doing neither."""
    from utr_assets.planning import build_plan, format_plan

    plan = build_plan(load_settings(args.profile), probe=args.probe)
    print(json.dumps(plan, indent=2, default=str) if args.json else format_plan(plan))
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    settings = load_settings(args.profile)
    print(settings.model_dump_json(indent=2))
    return 0
