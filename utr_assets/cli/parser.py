"""The argument parser of the `utr-assets` command: every sub-command, its options and its handler.

What belongs here: argparse definitions only (names, defaults, help texts) and which `cmd_*` function
each sub-command calls. Not here: what the commands do (`data.py`, `registry.py`, `profile.py`,
`runs.py`) or the error handling around them (`utr_assets.cli.main`).
"""

from __future__ import annotations

import argparse
import os

from utr_assets.cli import data, profile, registry, runs
from utr_assets.families import importable_names

DESCRIPTION = (
    "The `utr-assets` command: sample data, the demo run on the bundled sample, settings inspection."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="utr-assets", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)

    sample = sub.add_parser("sample-data", help="generate the seeded mini-zoo sample")
    sample.add_argument("--out", required=True, help="output folder")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--scale", default="sample", help="sample (default, committed) or a larger world")
    sample.set_defaults(func=data.cmd_sample_data)

    demo = sub.add_parser("demo", help="materialise every asset on the bundled sample")
    demo.add_argument("--profile", default=None, help="settings profile (default: sample)")
    demo.set_defaults(func=runs.cmd_demo)

    one = sub.add_parser("materialise", help="materialise one asset, with its upstream where missing")
    one.add_argument("asset", help="asset name, e.g. mpra_metrics")
    one.add_argument("--partition", default=None, help="partition key: a model slug or a chromosome")
    one.add_argument("--profile", default=None, help="settings profile (default: sample)")
    one.set_defaults(func=runs.cmd_materialise)

    report = sub.add_parser("report", help="the leaderboard as one self-contained HTML page")
    report.add_argument(
        "--out",
        default=None,
        help="output folder (default: {storage.root}/leaderboard, or "
        "./leaderboard-report for a remote store)",
    )
    report.add_argument("--profile", default=None, help="settings profile (default: sample)")
    report.set_defaults(func=runs.cmd_report)

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
    extract.set_defaults(func=data.cmd_extract_utrs)

    models = sub.add_parser("models", help="the model registry (data/models.yaml)")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    listing = models_sub.add_parser("list", help="print the registered models")
    add = models_sub.add_parser("add", help="register a model (validated; the sensor benchmarks it)")
    for sub_parser in (listing, add):
        sub_parser.add_argument("--registry", default=None, help="registry file (default: the profile's)")
        sub_parser.add_argument("--profile", default=None)
    listing.set_defaults(func=registry.cmd_models_list)
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
    add.set_defaults(func=registry.cmd_models_add)
    imp = models_sub.add_parser(
        "import", help="a published checkpoint as our native class (safetensors, no remote code)"
    )
    imp.add_argument("source", help="local directory in the hub layout, or a hub id (with --revision)")
    imp.add_argument(
        "--family",
        required=True,
        choices=importable_names(),
        help="the family whose native class receives the weights",
    )
    imp.add_argument("--slug", required=True, help="registry slug of the imported model")
    imp.add_argument("--revision", default=None, help="hub id: the 40-hex commit")
    imp.add_argument("--out", default=None, help="output directory (default: data/imported/SLUG)")
    imp.add_argument("--force", action="store_true", help="replace an existing output directory")
    imp.add_argument("--display-name", default=None)
    imp.add_argument("--register", action="store_true", help="add the entry to the registry")
    imp.add_argument("--registry", default=None, help="registry file (default: the profile's)")
    imp.add_argument("--profile", default=None)
    imp.set_defaults(func=registry.cmd_models_import)

    plan = sub.add_parser("plan", help="what a profile would download and compute, without doing it")
    plan.add_argument("--profile", default=None, help="settings profile (e.g. paper)")
    plan.add_argument("--json", action="store_true", help="the plan as JSON")
    plan.add_argument("--probe", action="store_true", help="ask the servers for current sizes (network)")
    plan.set_defaults(func=profile.cmd_plan)

    show = sub.add_parser("settings", help="print the validated settings of a profile (+ UTR_ASSETS_CONFIG)")
    show.add_argument("--profile", default=None)
    show.set_defaults(func=profile.cmd_settings)
    return parser
