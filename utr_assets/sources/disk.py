"""The sources part of `utr-assets plan`: every catalogue entry with its size (pinned, or the catalogue's
estimate), verification, the settings key it feeds, the total disk and download hours, and the hal2maf
export of the 3'UTR intervals. Nothing is downloaded (``probe`` only asks servers for sizes).

Estimates, stated so they can be checked:
- Download time assumes a sustained DOWNLOAD_MB_S; the catalogue's `approx_size` values are estimates
  (each says whence in `size_note`); pinned sizes are exact.
- hal2maf: the 3'UTR intervals are HUMAN_UTRS x HUMAN_MEAN_NT of the 3.1 Gbp genome (docs/protocol.md §1);
  HAL2MAF_MBP_PER_HOUR (reference Mbp exported per CPU-hour at 241 genomes) is an assumption, not a
  measurement: replace it with the rate the first exported chromosome shows.
"""

from __future__ import annotations

from typing import Any

from utr_assets.settings import Settings
from utr_assets.sources.catalogue import Catalogue
from utr_assets.sources.feeds import PROFILES_WITH_SOURCES, in_graph

DOWNLOAD_MB_S = 50.0  # assumption: sustained download bandwidth
GENOME_BP = 3.1e9  # hg38 primary assembly, approximately
HUMAN_UTRS, HUMAN_MEAN_NT = 18_134, 1_792  # docs/protocol.md §1
HAL2MAF_MBP_PER_HOUR = 4.0  # assumption (see docstring)


def source_rows(catalogue: Catalogue, settings: Settings) -> list[dict[str, Any]]:
    chromosomes = tuple(settings.alignments.chromosomes) if settings.alignments else ()
    maf_downloaded = any(e.derive == "hal2maf" and e.url for e in catalogue)
    rows = []
    for entry in catalogue:
        files = catalogue.files(entry, chromosomes)
        n_files = (
            len(files)
            if entry.url
            else (len(chromosomes) if entry.derive == "hal2maf" else int(bool(entry.derive)))
        )
        graph = in_graph(entry, chromosomes) and not (maf_downloaded and entry.name == "zoonomia_hal")
        rows.append(
            {
                "name": entry.name,
                "kind": entry.kind,
                "files": n_files,
                "size_bytes": entry.expected_size,
                "size_exact": entry.size is not None,
                "size_note": entry.size_note,
                "verification": "derived" if entry.kind == "derived" else entry.verification,
                "feeds": entry.feeds,
                "url": entry.url,
                "optional": entry.optional,
                "in_graph": graph,
                "partitions": "chromosome" if entry.per_chromosome or entry.derive == "hal2maf" else None,
                "store_path": f"{settings.storage.root}/sources/{entry.folder}/",
                "licence": entry.licence,
                "notes": entry.notes,
            }
        )
    return rows


def disk_summary(rows: list[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Total disk of the sources in the graph, download hours, and the hal2maf export estimate."""
    graph = [r for r in rows if r["in_graph"] and settings.profile in PROFILES_WITH_SOURCES]
    downloaded = sum(r["size_bytes"] or 0 for r in graph if r["kind"] == "download")
    derived = sum(r["size_bytes"] or 0 for r in graph if r["kind"] == "derived")
    utr_bp = HUMAN_UTRS * HUMAN_MEAN_NT
    maf = next((r for r in rows if r["name"] == "zoonomia_maf"), None)
    return {
        "download_bytes": downloaded,
        "derived_bytes": derived,
        "disk_bytes": downloaded + derived,
        "download_hours": downloaded / (DOWNLOAD_MB_S * 1e6) / 3600,
        "download_mb_s": DOWNLOAD_MB_S,
        "unknown_size": [r["name"] for r in rows if r["size_bytes"] is None],
        "manual": {r["name"]: r["notes"] for r in rows if r["kind"] == "manual"},
        "alignment_export": {
            "utr_bp": utr_bp,
            "genome_fraction": utr_bp / GENOME_BP,
            "maf_bytes": maf["size_bytes"] if maf else None,
            "via": "download" if maf and maf["kind"] == "download" else "hal2maf --refTargets",
            "cpu_hours": utr_bp / 1e6 / HAL2MAF_MBP_PER_HOUR,
            "hours_parallel": utr_bp
            / 1e6
            / HAL2MAF_MBP_PER_HOUR
            / max(1, len(settings.alignments.chromosomes) if settings.alignments else 1),
        },
    }


def size_text(n: int | None, exact: bool = True) -> str:
    if n is None:
        return "unknown"
    size: float = n
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            text = f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
            return text if exact else f"~{text}"
        size /= 1000
    return str(size)


def format_sources(rows: list[dict[str, Any]], summary: dict[str, Any], catalogue_path: str) -> list[str]:
    out = [
        f"Sources ({catalogue_path}; ~ = the catalogue's estimate):",
        f"  {'source':<24}{'kind':<10}{'files':>6}  {'size':>10}  {'verification':<12} feeds",
    ]
    for r in rows:
        part = " x chrom" if r["partitions"] else ""
        size = "by hand" if r["kind"] == "manual" else size_text(r["size_bytes"], r["size_exact"])
        flags = (" (optional)" if r["optional"] else "") + (
            "" if r["in_graph"] or r["kind"] == "manual" else " (not in the graph)"
        )
        out.append(
            f"  {r['name']:<24}{r['kind']:<10}{r['files']:>6}  {size:>10}  {r['verification']:<12} "
            f"{r['feeds'] or '-'}{part}{flags}"
        )
    a = summary["alignment_export"]
    out += [
        f"  disk: {size_text(summary['disk_bytes'], False)} in all ({size_text(summary['download_bytes'], False)}"
        f" downloaded + {size_text(summary['derived_bytes'], False)} derived); about "
        f"{summary['download_hours']:.0f} h of downloads at {summary['download_mb_s']:.0f} MB/s (assumed)",
        f"  alignment: {a['via']} of the 3'UTR intervals ({a['utr_bp'] / 1e6:.1f} Mbp, "
        f"{100 * a['genome_fraction']:.1f}% of the genome) -> {size_text(a['maf_bytes'], False)} of MAF; "
        f"hal2maf about {a['cpu_hours']:.0f} CPU-h, {a['hours_parallel']:.1f} h with one process per "
        "chromosome (assumed rate, see utr_assets/sources/disk.py)",
    ]
    if summary["unknown_size"]:
        out.append(f"  unknown size: {', '.join(summary['unknown_size'])}")
    for name, notes in summary["manual"].items():
        out.append(f"  manual {name}: {notes.removeprefix('Manual - ')[:160]}...")
    return out
