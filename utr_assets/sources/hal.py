"""Per-chromosome, human-referenced MAF from a Cactus HAL alignment, with `hal2maf` when it is installed.

What belongs here: building and running the hal2maf command for one reference chromosome (docs/protocol.md §2:
the study exported the Zoonomia HAL to human-referenced MAF, one MAF per 3'UTR). With ``targets`` (a BED
of that chromosome's 3'UTR intervals) hal2maf exports only those intervals (``--refTargets``): about 1%
of the genome instead of all of it. The output is gzip-compressed into a
staging file and published atomically by the caller. HAL is HDF5: it must be a local file.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

TOOL = "hal2maf"


class ToolMissing(RuntimeError):
    """The external tool needed for a derivation is not on PATH."""


def hal2maf_command(
    hal: str | Path,
    chrom: str,
    out: str | Path,
    ref_genome: str = "Homo_sapiens",
    targets: str | Path | None = None,
) -> list[str]:
    """hal2maf for one reference sequence (or only the BED ``targets`` on it); ancestors left out; paralog
    rows kept (docs/protocol.md §2 chains them)."""
    where = ["--refTargets", str(targets)] if targets is not None else ["--refSequence", chrom]
    return [TOOL, str(hal), str(out), "--refGenome", ref_genome, *where, "--noAncestors"]


def export_maf(
    hal: str | Path,
    chrom: str,
    out_gz: str | Path,
    ref_genome: str = "Homo_sapiens",
    targets: str | Path | None = None,
) -> Path:
    """Run hal2maf for ``chrom`` (its ``targets`` BED intervals only, when given) and gzip the MAF to
    ``out_gz`` (a staging path); returns ``out_gz``."""
    if shutil.which(TOOL) is None:
        raise ToolMissing(
            f"{TOOL} is not installed (it ships with Cactus / the HAL toolkit); install it or "
            "point alignments.maf at per-chromosome MAF files you already have"
        )
    hal = Path(hal)
    if not hal.is_file():
        raise FileNotFoundError(f"HAL alignment {hal} is not a local file (hal2maf reads HDF5 locally)")
    out_gz = Path(out_gz)
    plain = out_gz.with_name(out_gz.name + ".maf.tmp")
    try:
        subprocess.run(
            hal2maf_command(hal, chrom, plain, ref_genome, targets),
            check=True,
            capture_output=True,
            text=True,
        )
        with open(plain, "rb") as src, gzip.open(out_gz, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 8 << 20)
    except subprocess.CalledProcessError as exc:
        out_gz.unlink(missing_ok=True)
        raise RuntimeError(
            f"{TOOL} failed for {chrom} (exit {exc.returncode}): {exc.stderr.strip()[-2000:]}"
        ) from exc
    finally:
        plain.unlink(missing_ok=True)
    return out_gz
