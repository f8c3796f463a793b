"""Derived sources: what turns a downloaded file into the file a reader opens.

What belongs here (plain Python): the 3'UTR intervals as a per-chromosome BED (hal2maf's ``--refTargets``
and the VCF subset), the file list of an ENCODE ``metadata.tsv`` (each row's download URL and md5), the
SuSiE credible-set files of the eQTL Catalogue's dataset table and their filtered concatenation, and
the 3'UTR records of per-chromosome indexed VCFs written as one bgzipped, indexed VCF. Outputs go to a
staging path; the caller publishes them atomically.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pysam

from utr_assets.sources.errors import SourceError

ENCODE_COLUMNS = ("File accession", "File download URL", "md5sum")


def merged_intervals(regions: pd.DataFrame, chrom: str | None = None) -> list[tuple[str, int, int]]:
    """The (chrom, start, end) 0-based half-open 3'UTR intervals, overlaps merged, sorted."""
    table = regions if chrom is None else regions[regions["chrom"] == chrom]
    out: list[tuple[str, int, int]] = []
    for name, group in table.sort_values(["chrom", "start"]).groupby("chrom", sort=True):
        current: tuple[int, int] | None = None  # the (start, end) being merged
        for s, e in zip(group["start"].astype(int), group["end"].astype(int), strict=True):
            if current is not None and s <= current[1]:
                current = (current[0], max(current[1], e))
                continue
            if current is not None:
                out.append((str(name), *current))
            current = (s, e)
        if current is not None:
            out.append((str(name), *current))
    return out


def write_bed(intervals: list[tuple[str, int, int]], path: str | Path) -> Path:
    path = Path(path)
    path.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in intervals))
    return path


@dataclass(frozen=True)
class ListedFile:
    accession: str
    url: str
    md5: str | None
    filename: str


def encode_listed_files(metadata: str | Path, source: str) -> list[ListedFile]:
    """Rows of an ENCODE portal metadata.tsv: accession, download URL, md5 (one file per row)."""
    with open(metadata, newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        missing = [c for c in ENCODE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(source, str(metadata), f"ENCODE metadata.tsv lacks columns {missing} (line 1)")
        files = []
        for line, row in enumerate(reader, start=2):
            url = (row["File download URL"] or "").strip()
            if not url:
                raise SourceError(source, str(metadata), f"line {line}: no File download URL")
            md5 = (row["md5sum"] or "").strip().lower() or None
            files.append(
                ListedFile(row["File accession"].strip(), url, md5, url.rstrip("/").rsplit("/", 1)[-1])
            )
    return files


# eQTL-Catalogue-resources (tabix_ftp_paths): ftp://ftp.ebi.ac.uk/pub/databases/spot/eQTL/susie/{study_id}/
# {dataset_id}/{dataset_id}.credible_sets.tsv.gz; EBI serves the same tree over https
EQTL_SUSIE_URL = (
    "https://ftp.ebi.ac.uk/pub/databases/spot/eQTL/susie/{study}/{dataset}/{dataset}.credible_sets.tsv.gz"
)
EQTL_COLUMNS = ("study_id", "dataset_id", "quant_method")


def eqtl_credible_set_files(
    metadata: str | Path, source: str, quant_methods: tuple[str, ...] = ("ge",)
) -> list[ListedFile]:
    """The SuSiE credible-set file of every dataset of the Catalogue's dataset table with a wanted quant_method
    (gene expression by default); no checksum is published for them."""
    with open(metadata, newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        missing = [c for c in EQTL_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(
                source, str(metadata), f"eQTL Catalogue dataset table lacks columns {missing} (line 1)"
            )
        files = []
        for row in reader:
            if row["quant_method"].strip() in quant_methods:
                study, dataset = row["study_id"].strip(), row["dataset_id"].strip()
                url = EQTL_SUSIE_URL.format(study=study, dataset=dataset)
                files.append(ListedFile(dataset, url, None, f"{dataset}.credible_sets.tsv.gz"))
    return files


def concat_credible_sets(paths: list[str | Path], out: str | Path, max_pvalue: float = 1e-25) -> int:
    """Rows with pvalue <= ``max_pvalue`` (docs/protocol.md §5) of every credible-set file, one gzipped TSV; returns the count."""
    frames = []
    for path in paths:
        table = pd.read_csv(path, sep="\t", dtype={"pvalue": float}, low_memory=False)
        if "pvalue" not in table.columns:
            raise SourceError("eqtl_susie", str(path), "credible-set file has no pvalue column (line 1)")
        frames.append(table[table["pvalue"] <= max_pvalue])
    merged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    merged.to_csv(out, sep="\t", index=False, compression={"method": "gzip", "mtime": 0})
    return len(merged)


def vcf_3utr_subset(
    vcfs: Sequence[str | Path], intervals: list[tuple[str, int, int]], out: str | Path
) -> int:
    """Records of the indexed ``vcfs`` inside ``intervals`` -> bgzipped VCF ``out`` (+ .tbi); returns the count.

    Intervals are merged, so a record is written once; contigs absent from a file are skipped. The header
    is the first file's.
    """
    out = Path(out)
    count = 0
    with pysam.VariantFile(str(vcfs[0])) as first:
        header = first.header
    with pysam.VariantFile(str(out), "wz", header=header) as dst:
        for vcf in vcfs:
            with pysam.VariantFile(str(vcf)) as src:
                contigs = set(src.index.keys()) if src.index is not None else set()
                if src.index is None:
                    raise SourceError("vcf_3utr", str(vcf), "no tabix index beside the VCF (.tbi)")
                for chrom, start, end in intervals:
                    if chrom not in contigs:
                        continue
                    for record in src.fetch(chrom, start, end):
                        if start <= record.start < end:  # fetch also returns records overlapping the start
                            dst.write(record)
                            count += 1
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return count
