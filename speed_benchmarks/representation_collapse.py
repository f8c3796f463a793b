"""Representation collapse check (issue 21): effective rank of a model's MPRA oligo embeddings and its grouped
Ridge r on HEK293FT, read from materialised stores, one row per (store, model partition).

Effective rank (Roy & Vetterli 2007): exp(entropy of the normalised singular values of the centred
embedding matrix); 1 = every oligo on one line, the hidden width = isotropic. Ridge r: the mpra_metrics
row of the Griesemer HEK293FT log2FC split (leave-one-gene-group-out, speed_benchmarks/evaluate.py).

Usage (after `utr-assets materialise mpra_metrics --partition SLUG` with UTR_ASSETS_HOME=HOME):
    .venv/bin/python -m speed_benchmarks.representation_collapse HOME:SLUG [HOME:SLUG ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from utr_assets.scoring.storage import read_embeddings


def effective_rank(matrix: np.ndarray) -> float:
    centred = matrix - matrix.mean(axis=0, keepdims=True)
    s = np.linalg.svd(centred.astype(np.float64), compute_uv=False)
    p = s / s.sum()
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))


def _metrics(home: Path, slug: str) -> pd.DataFrame | None:
    for path in (
        home / "tables" / "mpra_metrics" / f"{slug}.parquet",
        home / "tables" / f"mpra_metrics-{slug}.parquet",
    ):
        if path.exists():
            return pd.read_parquet(path)
    found = sorted(home.rglob(f"*mpra_metrics*{slug}*.parquet"))
    return pd.read_parquet(found[0]) if found else None


def row(home: Path, slug: str) -> dict:
    ids, matrix = read_embeddings(str(home / "mpra_embeddings" / slug / "embeddings.parquet"))
    out = {
        "store": str(home),
        "model": slug,
        "oligos": len(ids),
        "width": matrix.shape[1],
        "effective_rank": round(effective_rank(matrix), 2),
    }
    table = _metrics(home, slug)
    if table is not None:
        hek = table[
            table.split.astype(str).str.contains("HEK293FT") & table.score.astype(str).str.contains("ridge")
        ]
        out["ridge_r_HEK293FT"] = ", ".join(f"{v:.3f}" for v in hek.value) if len(hek) else "n/a"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="HOME:SLUG (artifact store root and model partition)")
    args = parser.parse_args()
    rows = [row(Path(r.rsplit(":", 1)[0]), r.rsplit(":", 1)[1]) for r in args.runs]
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
