"""CLI sub-commands that run the graph or read what it stored: `demo`, `materialise`, `report`.

What belongs here: the Dagster home default, building the `Definitions` of the chosen profile and handing
them to the runners (platform/whole_graph.py, platform/materialise.py), and printing the stored
leaderboard. Dagster and the definitions are imported inside each command, never at module level, so
the commands that do not run assets stay free of it. Not here: how runs are planned or executed
(platform/), how the report page is built (evaluation/report.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from utr_assets.settings import PROJECT_ROOT, Settings, load_settings


def _dagster_home() -> None:
    """DAGSTER_HOME, default `.dagster_home/` here; that default gets the Makefile's dagster.yaml (telemetry
    off, and no "No dagster instance configuration file" warning) when it has none. A user's own
    DAGSTER_HOME is left as it is."""
    if "DAGSTER_HOME" not in os.environ:
        os.environ["DAGSTER_HOME"] = str(PROJECT_ROOT / ".dagster_home")
        config = Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml"
        if not config.exists():
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text("telemetry:\n  enabled: false\n")
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)


def cmd_demo(args: argparse.Namespace) -> int:
    """Materialise the whole graph on the selected profile (default: the bundled sample)."""
    settings = load_settings(args.profile)
    _dagster_home()
    from utr_assets.definitions import build_definitions
    from utr_assets.platform.whole_graph import materialise_everything

    started = time.monotonic()
    timings: list[tuple[str, str, float]] = []
    print(
        "materialising every asset; one line per step as it finishes (seconds), progress of long steps between"
    )
    failures = materialise_everything(
        build_definitions(settings), log=lambda line: print(line, flush=True), timings=timings
    )
    _print_leaderboard(settings)
    print("\nslowest steps:")
    for step, partition, seconds in sorted(timings, key=lambda t: -t[2])[:8]:
        print(f"  {seconds:7.1f} s  {step}" + (f" [{partition}]" if partition else ""))
    minutes = (time.monotonic() - started) / 60
    if failures:
        print(
            f"demo finished in {minutes:.1f} min with {len(failures)} failed run(s): {', '.join(failures)}",
            file=sys.stderr,
        )
        return 1
    print(
        f"demo finished in {minutes:.1f} min: every asset materialised; open the UI with `make ui` to inspect it"
    )
    return 0


def cmd_materialise(args: argparse.Namespace) -> int:
    """One asset (one partition) and whatever of its upstream the store lacks, without the UI."""
    settings = load_settings(args.profile)
    _dagster_home()
    from utr_assets.definitions import build_definitions
    from utr_assets.platform.materialise import materialise_asset

    started = time.monotonic()
    ok = materialise_asset(
        args.asset, args.partition, build_definitions(settings), log=lambda line: print(line, flush=True)
    )
    print(
        f"{args.asset}{f' [{args.partition}]' if args.partition else ''} "
        f"{'materialised' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s"
    )
    return 0 if ok else 1


def cmd_report(args: argparse.Namespace) -> int:
    """The stored leaderboard as one self-contained HTML page (evaluation/report.py)."""
    import io

    import pandas as pd

    from utr_assets.assets.leaderboard import CURVE_TASKS, read_curves
    from utr_assets.evaluation.report import build_report, write_report
    from utr_assets.model_registry import load_registry
    from utr_assets.platform.artifacts import ArtifactStore
    from utr_assets.platform.provenance import package_versions

    settings = load_settings(args.profile)
    store = ArtifactStore(settings.storage.root, settings.storage.options)
    path = store.path("tables", "leaderboard.parquet")
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no leaderboard yet; run `utr-assets demo` or `utr-assets materialise leaderboard` first"
        )
    table = pd.read_parquet(io.BytesIO(path.read_bytes()))
    registry = load_registry(settings.registry)
    curves = {task: read_curves(store, task, sorted(set(table["model"]))) for task in CURVE_TASKS}
    names = {slug: e.display_name or slug for slug, e in registry.items()}
    page = build_report(
        table,
        curves,
        names=names,
        settings=settings.model_dump(mode="json"),
        versions=package_versions(),
        source=str(path),
    )
    local_default = store.path("leaderboard").path if store.is_local else "leaderboard-report"  # s3: here
    out = write_report(page, args.out or local_default)
    print(f"report written: {out} ({len(page) / 1e6:.1f} MB, self-contained; open it in any browser)")
    return 0


def _print_leaderboard(settings: Settings) -> None:
    """The headline of the leaderboard asset: best value per model and task/split (see leaderboard.headline)."""
    import io

    import pandas as pd

    from utr_assets.evaluation.leaderboard import headline_pivot
    from utr_assets.platform.artifacts import ArtifactStore

    path = ArtifactStore(settings.storage.root, settings.storage.options).path(
        "tables", "leaderboard.parquet"
    )
    if not path.exists():
        print("no leaderboard was written", file=sys.stderr)
        return
    table = pd.read_parquet(io.BytesIO(path.read_bytes()))
    pivot = headline_pivot(table)
    with pd.option_context("display.width", 250, "display.max_columns", None, "display.max_rows", None):
        print(
            f"\nleaderboard ({path}): best value per model; AUC for rbp_motifs/variant_effects, Pearson r "
            "for mpra/half_life\n"
        )
        print(pivot.T.to_string(na_rep="-"))
        na = table[table.status != "ok"][["model", "task", "split", "reason"]]
        if len(na):
            print("\nnot applicable:\n" + na.to_string(index=False))
    report = path.parent.parent / "leaderboard" / "leaderboard.html"
    if report.exists():
        print(f"\nthe whole leaderboard as one page to share (tables, charts, ROC curves): {report}")
