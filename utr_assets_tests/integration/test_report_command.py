"""`utr-assets report`: the stored leaderboard (+ ROC curve points) -> one self-contained HTML page."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from utr_assets.cli import main
from utr_assets.evaluation.leaderboard import build_leaderboard
from utr_assets.evaluation.metrics import auc_rows
from utr_assets.evaluation.plots import roc_curve_table


def test_report_from_the_stored_leaderboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    store = tmp_path / "store"
    override = tmp_path / "override.yaml"
    override.write_text(f"storage:\n  root: {store}\n")
    monkeypatch.setenv("UTR_ASSETS_CONFIG", str(override))
    assert main(["report", "--out", str(tmp_path / "out")]) == 2
    assert "no leaderboard yet" in capsys.readouterr().err

    rng = np.random.default_rng(3)
    labels = np.r_[np.ones(40), np.zeros(40)]
    scores = labels + rng.normal(0, 1, labels.size)
    table = build_leaderboard(
        [
            auc_rows(
                "phylop",
                "rbp_motifs",
                "top10_phylop",
                "phylop_max",
                labels,
                scores,
                zero_shot=False,
                n_boot=20,
            )
        ]
    )
    (store / "tables").mkdir(parents=True)
    table.to_parquet(store / "tables" / "leaderboard.parquet")
    (store / "roc_curves" / "rbp_motifs").mkdir(parents=True)
    roc_curve_table("phylop", "rbp_motifs", "top10_phylop", "phylop_max", labels, scores).to_parquet(
        store / "roc_curves" / "rbp_motifs" / "phylop.parquet"
    )

    assert main(["report"]) == 0  # default folder: {storage.root}/leaderboard
    page = (store / "leaderboard" / "leaderboard.html").read_text()
    assert "report written" in capsys.readouterr().out
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', page)) == 2  # bars + one ROC plot
    assert "PhyloP" in page and "0.972" in page  # the registry's display name; the study's value
    assert "&quot;profile&quot;: &quot;sample&quot;" in page and "scikit-learn" in page  # settings, versions


def test_headline_markdown_is_one_narrow_row_per_split() -> None:
    import pandas as pd

    from utr_assets.evaluation.report import headline_markdown

    head = pd.DataFrame(
        {
            "task": ["mpra"] * 3,
            "split": ["HMEC/log2fc"] * 3,
            "model": ["a", "b", "c"],
            "value": [0.2, 0.5, 0.4],
            "ci_low": [0.1, 0.4, 0.3],
            "ci_high": [0.3, 0.6, 0.5],
        }
    )
    lines = headline_markdown(head, {"b": "Model B", "c": "Model C"}).splitlines()
    assert len(lines) == 3  # header, rule, one row
    assert [c.strip() for c in lines[2].strip("|").split("|")] == [
        "mpra / HMEC/log2fc",
        "Model B",
        "0.500 [0.400, 0.600]",
        "Model C 0.400",
        "3",
    ]
