"""The `utr-assets` command: sample data, the demo run on the bundled sample, settings inspection.

Plain argparse; Dagster is imported only by the sub-commands that run assets.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from utr_assets.settings import PROJECT_ROOT, SettingsError, load_settings


def _cmd_sample_data(args: argparse.Namespace) -> int:
    from utr_assets.simulate import generate_sample

    manifest = generate_sample(Path(args.out), seed=args.seed, scale=args.scale)
    print(f"sample written; manifest: {manifest}")
    return 0


def _cmd_extract_utrs(args: argparse.Namespace) -> int:
    """Annotation + genome -> 3'UTRs (docs/protocol.md §1); MAF -> their alignments and orthologs (docs/protocol.md §2)."""
    from utr_assets.alignments.command import extract_utrs_to_dir
    from utr_assets.common.outputs import OutputSet
    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

    transcripts = read_annotation(args.annotation, args.annotation_format, args.coordinate_offset)
    selection = Utr3Selection(
        transcript_selection=args.selection,
        spliced_utrs=args.spliced,
        max_invalid_stop_fraction=args.max_invalid_stop_fraction,
    )
    with Genome(args.genome) as genome:
        regions, excluded = select_utr3_regions(transcripts, genome, selection, args.annotation)
    if args.chrom:
        present = sorted(set(regions.chrom))
        regions = regions[regions.chrom == args.chrom]
        if regions.empty:
            alt = args.chrom[3:] if args.chrom.startswith("chr") else f"chr{args.chrom}"
            raise ValueError(
                f"--chrom {args.chrom}: no 3'UTR on that contig; the annotation's contigs with 3'UTRs "
                f"are {', '.join(present[:12]) or 'none'}"
                + (f" (did you mean {alt}?)" if alt in present else "")
            )
    # every output is staged and the folder swapped in whole, manifest last: a killed run leaves the old set
    with OutputSet(args.out, "utr-assets extract-utrs") as outputs:
        regions.to_parquet(outputs.path("utr3_regions.parquet"), index=False)
        summary = extract_utrs_to_dir(
            args.maf, regions, outputs.staging, args.reference_species, workers=args.workers
        )
        outputs.publish()
    print(
        f"{len(regions)} 3'UTRs ({len(excluded)} transcripts excluded); {summary['n_utrs']} extracted at "
        f"{summary['mb_per_s']} MB/s; outputs in {args.out}"
    )
    return 0


def _cmd_models_list(args: argparse.Namespace) -> int:
    from utr_assets.model_registry import load_registry

    registry = load_registry(args.registry or load_settings(args.profile).registry)
    print(f"{'slug':<24}{'kind':<12}{'family':<12}{'preset':<10}{'orientation':<13}source")
    profile = load_settings(args.profile).profile
    for entry in registry.values():
        source = f"{entry.source}@{entry.revision[:10]}" if entry.revision else (entry.source or "")
        print(
            f"{entry.slug:<24}{entry.kind:<12}{entry.family:<12}{entry.preset(profile) or '-':<10}"
            f"{entry.orientation + (' +species' if entry.species_aware else ''):<13}{source}"
        )
    return 0


def _cmd_models_add(args: argparse.Namespace) -> int:
    from utr_assets.model_registry import ModelEntry, add_model

    bad = [item for item in args.preset if item.count("=") != 1 or not all(item.split("="))]
    if bad:
        raise ValueError(f"--preset {bad[0]!r}: expected PROFILE=PRESET, e.g. --preset sample=tiny")
    presets = dict(item.split("=", 1) for item in args.preset)
    entry = ModelEntry(
        slug=args.slug,
        kind=args.kind,
        family=args.family,
        display_name=args.display_name,
        presets=presets,
        source=args.source,
        revision=args.revision,
        orientation=args.orientation,
        species_aware=args.species_aware,
        human_only=args.human_only,
        trust_remote_code=args.trust_remote_code,
    )
    path = args.registry or load_settings(args.profile).registry
    add_model(entry, path)
    print(f"added {entry.slug} to {path}; the registry sensor adds its partition and benchmarks it")
    return 0


def _cmd_models_import(args: argparse.Namespace) -> int:
    """A published checkpoint -> our native class, as a safetensors directory (models/importing.py)."""
    from utr_assets.model_registry import ModelEntry, add_model, load_registry
    from utr_assets.models.importing import import_checkpoint

    out = Path(args.out) if args.out else PROJECT_ROOT / "data" / "imported" / args.slug
    result = import_checkpoint(
        args.source, args.family, args.slug, out, revision=args.revision, overwrite=args.force
    )
    print(
        f"imported {args.source}{'@' + args.revision if args.revision else ''} as {args.family} "
        f"({result.parameters:,} parameters) -> {result.out_dir}"
    )
    if result.dropped:
        print(f"dropped on purpose by the {args.family} mapping: {', '.join(result.dropped)}")
    source = str(result.out_dir.resolve())
    entry = ModelEntry(
        slug=args.slug, kind="pretrained", family=args.family, source=source, display_name=args.display_name
    )
    if args.register:
        path = args.registry or load_settings(args.profile).registry
        existing = load_registry(path).get(args.slug)
        if existing is None:
            add_model(entry, path)
            print(f"added {args.slug} to {path}")
        elif existing.source and Path(existing.source).expanduser().resolve() == result.out_dir.resolve():
            print(f"{path}: {args.slug} already points at {result.out_dir}")
        else:
            raise SettingsError(
                f"{path}: {args.slug} is registered with source {existing.source!r}; "
                f"edit it to {source} (no trust_remote_code)"
            )
    else:
        print("registry entry (or rerun with --register):\n" + result.registry_line())
    return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    """What the profile would download and compute (sizes, partitions, GPU-hours), doing neither."""
    import json

    from utr_assets.planning import build_plan, format_plan

    plan = build_plan(load_settings(args.profile), probe=args.probe)
    print(json.dumps(plan, indent=2, default=str) if args.json else format_plan(plan))
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    settings = load_settings(args.profile)
    print(settings.model_dump_json(indent=2))
    return 0


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


def _cmd_demo(args: argparse.Namespace) -> int:
    """Materialise the whole graph on the selected profile (default: the bundled sample)."""
    if args.profile:
        os.environ["UTR_ASSETS_PROFILE"] = args.profile
    _dagster_home()
    from utr_assets.platform.whole_graph import materialise_everything

    started = time.monotonic()
    timings: list[tuple[str, str, float]] = []
    print(
        "materialising every asset; one line per step as it finishes (seconds), progress of long steps between"
    )
    failures = materialise_everything(log=lambda line: print(line, flush=True), timings=timings)
    _print_leaderboard(load_settings(args.profile))
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


def _cmd_materialise(args: argparse.Namespace) -> int:
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


def _cmd_report(args: argparse.Namespace) -> int:
    """The stored leaderboard as one self-contained HTML page (speed_benchmarks/report.py)."""
    import io

    import pandas as pd

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
    curves = {}
    for task in ("rbp_motifs", "variant_effects"):
        files = [store.path("roc_curves", task, f"{slug}.parquet") for slug in sorted(set(table["model"]))]
        frames = [pd.read_parquet(io.BytesIO(f.read_bytes())) for f in files if f.exists()]
        frames = [f for f in frames if len(f)]
        if frames:
            curves[task] = pd.concat(frames, ignore_index=True)
    names = {slug: e.display_name or slug for slug, e in registry.items()}
    page = build_report(
        table,
        curves,
        names=names,
        settings=settings.model_dump(mode="json"),
        versions=package_versions(),
        source=str(path),
    )
    local_default = store.path("leaderboard").path if store._is_local else "leaderboard-report"  # s3: here
    out = write_report(page, args.out or local_default)
    print(f"report written: {out} ({len(page) / 1e6:.1f} MB, self-contained; open it in any browser)")
    return 0


def _print_leaderboard(settings) -> None:
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

    one = sub.add_parser("materialise", help="materialise one asset, with its upstream where missing")
    one.add_argument("asset", help="asset name, e.g. mpra_metrics")
    one.add_argument("--partition", default=None, help="partition key: a model slug or a chromosome")
    one.add_argument("--profile", default=None, help="settings profile (default: sample)")
    one.set_defaults(func=_cmd_materialise)

    report = sub.add_parser("report", help="the leaderboard as one self-contained HTML page")
    report.add_argument(
        "--out",
        default=None,
        help="output folder (default: {storage.root}/leaderboard, or "
        "./leaderboard-report for a remote store)",
    )
    report.add_argument("--profile", default=None, help="settings profile (default: sample)")
    report.set_defaults(func=_cmd_report)

    extract = sub.add_parser(
        "extract-utrs", help="3'UTR alignments and orthologs from a MAF, outside Dagster"
    )
    extract.add_argument("--maf", required=True, help="human-referenced MAF (plain, gzip or bgzip)")
    extract.add_argument("--annotation", required=True, help="GTF, GFF3 or genePred")
    extract.add_argument("--genome", required=True, help="reference FASTA (plain or bgzip)")
    extract.add_argument(
        "--out", required=True, help="output folder (parquet tables + extraction_stats.json)"
    )
    extract.add_argument(
        "--reference-species", default="Homo_sapiens", help="MAF name of the reference (hg38, ...)"
    )
    extract.add_argument("--annotation-format", default="auto", choices=["auto", "gtf", "gff3", "genepred"])
    extract.add_argument("--selection", default="canonical", choices=["canonical", "longest_cds", "all"])
    extract.add_argument("--spliced", action="store_true", help="keep 3'UTRs spanning several exons")
    extract.add_argument("--coordinate-offset", type=int, default=0, help="added to annotation coordinates")
    extract.add_argument("--chrom", default=None, help="only this chromosome (the MAF's)")
    extract.add_argument(
        "--max-invalid-stop-fraction",
        type=float,
        default=0.8,
        help="fail when more transcripts lack their stop codon in the FASTA (another assembly)",
    )
    extract.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the extraction (default: the CPU count; 1 = this process only)",
    )
    extract.set_defaults(func=_cmd_extract_utrs)

    models = sub.add_parser("models", help="the model registry (data/models.yaml)")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    listing = models_sub.add_parser("list", help="print the registered models")
    add = models_sub.add_parser("add", help="register a model (validated; the sensor benchmarks it)")
    for sub_parser in (listing, add):
        sub_parser.add_argument("--registry", default=None, help="registry file (default: the profile's)")
        sub_parser.add_argument("--profile", default=None)
    listing.set_defaults(func=_cmd_models_list)
    add.add_argument("slug", help="partition key: a-z 0-9 _ -, at most 63 characters")
    add.add_argument("--kind", required=True, choices=["trained", "pretrained", "baseline"])
    add.add_argument("--family", required=True)
    add.add_argument(
        "--preset",
        action="append",
        default=[],
        metavar="PROFILE=PRESET",
        help="size preset per profile, e.g. sample=tiny (repeatable)",
    )
    add.add_argument("--display-name", default=None)
    add.add_argument("--source", default=None, help="pretrained: local directory or hub id")
    add.add_argument("--revision", default=None, help="pretrained hub id: 40-hex commit")
    add.add_argument("--orientation", default="rna", choices=["rna", "dna"])
    add.add_argument("--species-aware", action="store_true")
    add.add_argument("--human-only", action="store_true")
    add.add_argument("--trust-remote-code", action="store_true")
    add.set_defaults(func=_cmd_models_add)
    imp = models_sub.add_parser(
        "import", help="a published checkpoint as our native class (safetensors, no remote code)"
    )
    imp.add_argument("source", help="local directory in the hub layout, or a hub id (with --revision)")
    imp.add_argument("--family", required=True, help="nt, dnabert, dnabert2 (families defining IMPORT)")
    imp.add_argument("--slug", required=True, help="registry slug of the imported model")
    imp.add_argument("--revision", default=None, help="hub id: the 40-hex commit")
    imp.add_argument("--out", default=None, help="output directory (default: data/imported/SLUG)")
    imp.add_argument("--force", action="store_true", help="replace an existing output directory")
    imp.add_argument("--display-name", default=None)
    imp.add_argument("--register", action="store_true", help="add the entry to the registry")
    imp.add_argument("--registry", default=None, help="registry file (default: the profile's)")
    imp.add_argument("--profile", default=None)
    imp.set_defaults(func=_cmd_models_import)

    plan = sub.add_parser("plan", help="what a profile would download and compute, without doing it")
    plan.add_argument("--profile", default=None, help="settings profile (e.g. paper)")
    plan.add_argument("--json", action="store_true", help="the plan as JSON")
    plan.add_argument("--probe", action="store_true", help="ask the servers for current sizes (network)")
    plan.set_defaults(func=_cmd_plan)

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
    except KeyboardInterrupt as exc:  # Ctrl-C during a run: the run is marked failed in the UI; stop here
        print(f"utr-assets: {exc or 'interrupted'}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
