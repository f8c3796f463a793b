"""Task 3/4 source readers: Griesemer 2021 MPRA, Siegel 2022 sequence-level MPRA, Agarwal & Kelley
2022 half-lives. Sequences are in RNA orientation (DNA letters); genome coordinates in these tables
are 1-based inclusive (hg38; the published Griesemer tables are hg19 - lift them first, no liftover
here).

Layouts read:
- Griesemer: an oligo table (oligo_id or mpra_variant_id, variant_id, chrom, strand, gene, ref/alt
  alleles, `ref_sequence`/`alt_sequence`) plus per-cell-line values, either one file per cell line
  (oligo_id, log2FoldChange_ref, log2FoldChange_alt; the sample) or Table S1's "Variant MPRAu
  Results" sheet as TSV (mpra_variant_id, log2FoldChange_Ref_{CELL}, log2FoldChange_Alt_{CELL}).
  Table S1 has no sequences: supply them in the oligo table (from the library design).
- Siegel: the Saluki export (no header: sequence TAB activity; one cell line/measure per file) or a
  headered table (oligo_id, sequence, [gene_id, chrom, ...], {stability,steady_state}_{CELL}).
- Agarwal: `ensembl_gene_id, external_gene_name, human_PC1` + `BIN, GENEID, HALFLIFE` folds, or one
  table (gene_id, gene_name, fold, half_life_pc1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import iter_lines
from utr_assets.tasks.readers.tsv import integer, numeric, read_tsv, require_columns

MPRA_COLUMNS = [
    "oligo_id",
    "sequence",
    "cell_line",
    "target",
    "value",
    "gene_id",
    "chrom",
    "start",
    "end",
    "variant_id",
    "allele",
    "strand",
]
SEQ_RE = re.compile(r"^[ACGTN]+$")


def _check_sequences(seqs: pd.Series, lines: pd.Series, path: str | Path) -> pd.Series:
    seqs = seqs.astype(str).str.upper().str.replace("U", "T")
    bad = ~seqs.str.match(SEQ_RE)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputFormatError(path, f"sequence {seqs.iloc[i][:30]!r} is not ACGTN", int(lines.iloc[i]))
    return seqs


def _strands(table: pd.DataFrame, path: str | Path) -> pd.Series | None:
    """The `strand` column (+ or -), or None when the table has none."""
    if "strand" not in table.columns:
        return None
    strands = table["strand"].astype(str)
    bad = ~strands.isin(["+", "-"])
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputFormatError(
            path, f"strand must be + or -, got {strands.iloc[i]!r}", int(table["_line"].iloc[i])
        )
    return strands


def _first_line(path: str | Path) -> str:
    for _, line in iter_lines(path):
        if line.strip():
            return line
    raise InputFormatError(path, "no data")


def read_siegel(path: str | Path, cell_line: str = "Beas2B", target: str = "activity") -> pd.DataFrame:
    """Siegel 2022 oligos -> long MPRA_COLUMNS table (one row per oligo, cell line and measure).

    Headerless two-column files take `cell_line`/`target` from the arguments; headered tables
    yield every `{target}_{cell}` column (stability/steady_state x Beas2B/Jurkat). NA values dropped.
    """
    first = _first_line(path).split("\t")
    headerless = len(first) == 2 and re.fullmatch(r"-?[0-9.eE+-]+|NA|nan", first[1] or "") is not None
    if headerless:
        table = read_tsv(path, header=False, n_columns=2)
        seqs = _check_sequences(table["c0"], table["_line"], path)
        out = pd.DataFrame(
            {
                "oligo_id": [f"siegel_{i:06d}" for i in range(len(table))],
                "sequence": seqs,
                "cell_line": cell_line,
                "target": target,
                "value": numeric(table, "c1", path),
                "gene_id": None,
                "chrom": None,
                "start": pd.NA,
                "end": pd.NA,
                "variant_id": None,
                "allele": None,
                "strand": None,
            }
        )
        return out.dropna(subset=["value"]).reset_index(drop=True)
    table = read_tsv(path)
    require_columns(table, ["oligo_id", "sequence"], path)
    seqs = _check_sequences(table["sequence"], table["_line"], path)
    measures = [
        (c, m) for c in table.columns if (m := re.fullmatch(r"(stability|steady_state|activity)_(\w+)", c))
    ]
    if not measures:
        raise InputFormatError(path, "no {stability,steady_state,activity}_{CELL} value columns", 1)
    frames = []
    for col, match in measures:
        kind, cell = match.groups()
        frames.append(
            pd.DataFrame(
                {
                    "oligo_id": table["oligo_id"],
                    "sequence": seqs,
                    "cell_line": cell,
                    "target": kind,
                    "value": numeric(table, col, path),
                    "gene_id": table.get("gene_id"),
                    "chrom": table.get("chrom"),
                    "start": numeric(table, "start", path) if "start" in table else pd.NA,
                    "end": numeric(table, "end", path) if "end" in table else pd.NA,
                    "variant_id": None,
                    "allele": None,
                    "strand": _strands(table, path),
                }
            )
        )
    return pd.concat(frames, ignore_index=True).dropna(subset=["value"]).reset_index(drop=True)


def read_griesemer(oligo_info: str | Path, values: Mapping[str, str | Path] | str | Path) -> pd.DataFrame:
    """Griesemer 2021 -> long MPRA_COLUMNS table: each oligo allele (ref and alt) in each cell line is
    one sample with target "log2fc"; `oligo_id` is "{oligo}:{allele}". NA values dropped."""
    info = read_tsv(oligo_info)
    key = "oligo_id" if "oligo_id" in info.columns else "mpra_variant_id"
    require_columns(info, [key, "ref_sequence", "alt_sequence"], oligo_info)
    if info[key].duplicated().any():
        i = int(info[key].duplicated().to_numpy().nonzero()[0][0])
        raise InputFormatError(
            oligo_info, f"duplicate {key} {info[key].iloc[i]!r}", int(info["_line"].iloc[i])
        )
    seqs = {a: _check_sequences(info[f"{a}_sequence"], info["_line"], oligo_info) for a in ("ref", "alt")}
    start_col = next((c for c in ("oligo_start", "oligo_starts") if c in info.columns), None)
    end_col = next((c for c in ("oligo_end", "oligo_ends") if c in info.columns), None)
    base = pd.DataFrame(
        {
            "key": info[key].astype(str),
            "gene_id": info.get("gene_id", info.get("gene_symbols")),
            "chrom": info.get("chrom"),
            "variant_id": info.get("variant_id"),
            "strand": _strands(info, oligo_info),
            "start": (
                pd.to_numeric(info[start_col].astype(str).str.split(",").str[0], errors="coerce")
                if start_col
                else pd.NA
            ),
            "end": pd.to_numeric(info[end_col].astype(str).str.split(",").str[0], errors="coerce")
            if end_col
            else pd.NA,
        }
    )
    per_cell: dict[str, pd.DataFrame] = {}
    if isinstance(values, Mapping):
        for cell, path in values.items():
            table = read_tsv(path)
            require_columns(table, ["oligo_id", "log2FoldChange_ref", "log2FoldChange_alt"], path)
            per_cell[cell] = pd.DataFrame(
                {
                    "key": table["oligo_id"].astype(str),
                    "ref": numeric(table, "log2FoldChange_ref", path),
                    "alt": numeric(table, "log2FoldChange_alt", path),
                }
            )
    else:
        table = read_tsv(values)
        require_columns(table, ["mpra_variant_id"], values)
        cells = sorted(
            {m.group(1) for c in table.columns if (m := re.fullmatch(r"log2FoldChange_Ref_(\w+)", c))}
        )
        if not cells:
            raise InputFormatError(values, "no log2FoldChange_Ref_{CELL} columns", 1)
        for cell in cells:
            require_columns(table, [f"log2FoldChange_Alt_{cell}"], values)
            per_cell[cell] = pd.DataFrame(
                {
                    "key": table["mpra_variant_id"].astype(str),
                    "ref": numeric(table, f"log2FoldChange_Ref_{cell}", values),
                    "alt": numeric(table, f"log2FoldChange_Alt_{cell}", values),
                }
            )
    frames = []
    known = set(base["key"])
    for cell, vals in per_cell.items():
        unknown = sorted(set(vals["key"]) - known)
        if unknown:
            raise InputFormatError(
                oligo_info, f"{cell} values name oligos absent from the oligo table: {unknown[:3]}"
            )
        merged = base.merge(vals, on="key", how="inner")
        seq_by_key = {a: dict(zip(info[key].astype(str), seqs[a], strict=True)) for a in ("ref", "alt")}
        for allele in ("ref", "alt"):
            frames.append(
                pd.DataFrame(
                    {
                        "oligo_id": merged["key"] + f":{allele}",
                        "sequence": merged["key"].map(seq_by_key[allele]),
                        "cell_line": cell,
                        "target": "log2fc",
                        "value": merged[allele],
                        "gene_id": merged["gene_id"],
                        "chrom": merged["chrom"],
                        "start": merged["start"],
                        "end": merged["end"],
                        "variant_id": merged["variant_id"],
                        "allele": allele,
                        "strand": merged["strand"],
                    }
                )
            )
    out = pd.concat(frames, ignore_index=True)
    return out.dropna(subset=["value"]).reset_index(drop=True)[MPRA_COLUMNS]


def _strip_version(ids: pd.Series) -> pd.Series:
    return ids.astype(str).str.replace(r"\.\d+$", "", regex=True)


def read_half_life(path: str | Path, folds_path: str | Path | None = None) -> pd.DataFrame:
    """Agarwal & Kelley 2022 -> (gene_id unversioned, gene_name, value, fold 0..9-style int).

    Genes without a fold are dropped (their count is in `attrs["dropped_without_fold"]`).
    """
    table = read_tsv(path)
    if {"gene_id", "fold"} <= set(table.columns):
        value_col = next((c for c in ("half_life_pc1", "human_PC1", "value") if c in table.columns), None)
        if value_col is None:
            raise InputFormatError(path, "no half_life_pc1/human_PC1/value column", 1)
        out = pd.DataFrame(
            {
                "gene_id": _strip_version(table["gene_id"]),
                "gene_name": table.get("gene_name", ""),
                "value": numeric(table, value_col, path),
                "fold": integer(table, "fold", path, minimum=0),
            }
        )
        dropped = int(out["fold"].isna().sum())
    else:
        require_columns(table, ["ensembl_gene_id", "human_PC1"], path)
        if folds_path is None:
            raise InputFormatError(path, "this layout has no folds: pass the binned-genes file (BIN, GENEID)")
        folds = read_tsv(folds_path)
        require_columns(folds, ["BIN", "GENEID"], folds_path)
        fold_of = dict(
            zip(_strip_version(folds["GENEID"]), integer(folds, "BIN", folds_path, minimum=0), strict=True)
        )
        genes = _strip_version(table["ensembl_gene_id"])
        out = pd.DataFrame(
            {
                "gene_id": genes,
                "gene_name": table.get("external_gene_name", ""),
                "value": numeric(table, "human_PC1", path),
                "fold": genes.map(fold_of),
            }
        )
        dropped = int(out["fold"].isna().sum())
    if out["gene_id"].duplicated().any():
        i = int(out["gene_id"].duplicated().to_numpy().nonzero()[0][0])
        raise InputFormatError(path, f"duplicate gene {out['gene_id'].iloc[i]}", int(table["_line"].iloc[i]))
    out = out.dropna(subset=["fold", "value"]).astype({"fold": "int64"}).reset_index(drop=True)
    out.attrs["dropped_without_fold"] = dropped
    return out
