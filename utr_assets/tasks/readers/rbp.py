"""Task 1 source readers: ENCODE eCLIP peaks (narrowPeak, BED6+4) and RBNS 5-mer tables.

- narrowPeak: chrom, chromStart (0-based), chromEnd (exclusive), name, score, strand, signalValue,
  pValue, qValue, peak (-1 = none). ENCODE eCLIP IDR files carry no RBP name in the rows, so the
  RBP comes from the experiment list: either our `eclip_experiments.tsv` (rbp, file, ...) or the
  ENCODE portal's `metadata.tsv` ("File accession", "Experiment target" like "RBFOX2-human").
- RBNS (Dominguez et al. 2018): a long table of enriched 5-mers (rbp, kmer, R/enrichment, ...);
  k-mers are returned in the DNA alphabet (U -> T), upper case.
Inputs are hg38 (the study lifted ENCSR456FVU peaks from hg19; liftover is out of scope here).

IDR-reproducible peaks (the positives' source; docs/protocol.md "RBP motifs"): a file is IDR when the
experiment list's output type says so (our `output_type` column, ENCODE's "Output type", e.g.
"conservative IDR thresholded peaks"); without such a column, when its file name contains "IDR"; a peak
of a non-IDR file is still IDR when its name field contains "_IDR" (the study's `grep "_IDR"` on the
pooled ENCSR456FVU beds). Replicate peaks are kept (flag `idr` False): they exclude negatives.
Bad input raises `InputFormatError` naming the file, the line and the problem.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import iter_lines
from utr_assets.tasks.readers.tsv import numeric, read_tsv

NARROWPEAK_COLUMNS = [
    "chrom",
    "start",
    "end",
    "name",
    "score",
    "strand",
    "signal_value",
    "p_value",
    "q_value",
    "peak",
]
PEAK_COLUMNS = ["rbp", *NARROWPEAK_COLUMNS, "idr"]
KMER_RE = re.compile(r"^[ACGT]+$")


def _whole(text: str, what: str) -> int:
    """A narrowPeak integer column, strictly: decimal digits, '-1' allowed (the spec's 'no value' for peak)."""
    if not (text.isascii() and (text.isdigit() or text == "-1")):
        raise ValueError(f"{what} {text!r} is not a whole number")
    return int(text)


def read_narrowpeak(path: str | Path, rbp: str, idr: bool = False) -> pd.DataFrame:
    """One narrowPeak file as a DataFrame with PEAK_COLUMNS (`rbp` filled with `rbp`; `idr` True for an
    IDR file, else only for peaks whose name contains "_IDR")."""
    rows: list[tuple] = []
    for number, line in iter_lines(path):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t")
        if len(f) != 10:
            raise InputFormatError(path, f"narrowPeak needs 10 tab-separated columns, found {len(f)}", number)
        try:
            start, end, peak = _whole(f[1], "start"), _whole(f[2], "end"), _whole(f[9], "peak")
            score = float(f[4]) if f[4] != "." else np.nan
            nums = [float(x) for x in f[6:9]]
            if not all(np.isfinite([*nums, 0.0 if f[4] == "." else score])):
                raise ValueError(
                    f"score/signalValue/pValue/qValue must be finite numbers, got {f[4]!r}, "
                    f"{', '.join(map(repr, f[6:9]))}"
                )
        except ValueError as exc:
            raise InputFormatError(path, f"non-numeric field ({exc})", number) from exc
        if not 0 <= start < end:
            raise InputFormatError(
                path, f"bad interval start={start} end={end} (0-based, end exclusive)", number
            )
        if f[5] not in ("+", "-", "."):
            raise InputFormatError(path, f"strand must be +, - or ., got {f[5]!r}", number)
        rows.append((rbp, f[0], start, end, f[3], score, f[5], *nums, peak, idr or "_IDR" in f[3]))
    return pd.DataFrame(rows, columns=PEAK_COLUMNS).astype(
        {"start": "int64", "end": "int64", "peak": "int64", "idr": bool}
    )


def read_eclip_experiments(path: str | Path) -> pd.DataFrame:
    """The experiment list -> DataFrame (rbp, file as an absolute path, cell_line, accession, idr).

    Accepts our layout (columns rbp, file[, cell_line, accession, output_type]; file relative to the
    list's folder) or ENCODE's metadata.tsv (File accession, Experiment target, Biosample term name,
    File format, Output type); for the latter the peak files are `{File accession}.bed.gz` (or
    .narrowPeak.gz) beside it. `idr`: see the module docstring.
    """
    path = Path(path)
    table = read_tsv(path)
    folder = path.parent
    if {"rbp", "file"} <= set(table.columns):
        out = pd.DataFrame(
            {
                "rbp": table["rbp"],
                "file": [str((folder / f).resolve()) for f in table["file"]],
                "cell_line": table.get("cell_line", ""),
                "accession": table.get("accession", ""),
            }
        )
    elif {"File accession", "Experiment target"} <= set(table.columns):
        files = []
        for acc in table["File accession"]:
            found = [folder / f"{acc}{ext}" for ext in (".bed.gz", ".narrowPeak.gz", ".bed", ".narrowPeak")]
            hit = next((p for p in found if p.is_file()), None)
            if hit is None:
                raise InputFormatError(path, f"no peak file for {acc} beside the metadata ({found[0].name})")
            files.append(str(hit.resolve()))
        out = pd.DataFrame(
            {
                "rbp": table["Experiment target"].str.replace(r"-human$", "", regex=True),
                "file": files,
                "cell_line": table.get("Biosample term name", ""),
                "accession": table["File accession"],
            }
        )
    else:
        raise InputFormatError(
            path,
            "experiment list needs columns (rbp, file) or ENCODE's (File accession, "
            f"Experiment target); found {list(table.columns)}",
            1,
        )
    output_type = next((table[c] for c in ("output_type", "Output type") if c in table.columns), None)
    if output_type is not None:
        out["idr"] = output_type.fillna("").astype(str).str.contains("IDR", case=False).to_numpy()
    else:
        out["idr"] = [("idr" in Path(f).name.lower()) for f in out["file"]]
    missing = [f for f in out["file"] if not Path(f).is_file()]
    if missing:
        raise InputFormatError(path, f"peak file(s) not found: {missing[:3]}")
    return out.reset_index(drop=True)


def read_eclip_peaks(experiments: str | Path) -> pd.DataFrame:
    """All peaks of all experiments in the list, one table (PEAK_COLUMNS): IDR and replicate peaks,
    flagged by `idr` (positives come from IDR peaks only; every peak excludes negatives)."""
    exps = read_eclip_experiments(experiments)
    frames = [read_narrowpeak(row.file, row.rbp, bool(row.idr)) for row in exps.itertuples()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PEAK_COLUMNS)


def _normalise_kmer(kmer: str, path: Path, line: int) -> str:
    k = str(kmer).strip().upper().replace("U", "T")
    if not KMER_RE.match(k):
        raise InputFormatError(path, f"k-mer {kmer!r} is not a nucleotide word", line)
    return k


def read_rbns_enriched(path: str | Path) -> pd.DataFrame:
    """Long table of enriched k-mers -> DataFrame (rbp, kmer, enrichment), one row per (rbp, kmer).

    Column names are matched case-insensitively: rbp/RBP/protein, kmer/k-mer/motif, and the
    enrichment value from R/enrichment/R_value (NaN when absent).
    """
    path = Path(path)
    table = read_tsv(path)
    cols = {c.lower().replace("-", "").replace(" ", "_"): c for c in table.columns}
    rbp_col = next((cols[c] for c in ("rbp", "protein", "rbp_name") if c in cols), None)
    kmer_col = next((cols[c] for c in ("kmer", "motif", "5mer") if c in cols), None)
    if rbp_col is None or kmer_col is None:
        raise InputFormatError(path, f"needs an RBP and a k-mer column; found {list(table.columns)}", 1)
    enr_col = next((cols[c] for c in ("enrichment", "r", "r_value", "rvalue") if c in cols), None)
    kmers = [_normalise_kmer(k, path, n) for k, n in zip(table[kmer_col], table["_line"], strict=True)]
    lengths = {len(k) for k in kmers}
    if len(lengths) > 1:
        raise InputFormatError(path, f"k-mers of mixed lengths {sorted(lengths)}")
    out = pd.DataFrame(
        {
            "rbp": table[rbp_col].astype(str),
            "kmer": kmers,
            "enrichment": numeric(table, enr_col, path) if enr_col else np.nan,
        }
    )
    return out.drop_duplicates(["rbp", "kmer"]).reset_index(drop=True)
