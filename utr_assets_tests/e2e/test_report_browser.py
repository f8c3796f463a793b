"""The shareable leaderboard report in a real browser (headless Chromium through Playwright).

Built from a small hand-made leaderboard (no graph is materialised): the page renders, every image
loads, the browser logs no error, and it asks for nothing over the network. The screenshot goes to
`tmp_path` (or the file named by UTR_ASSETS_REPORT_SCREENSHOT), never into the repository.
Skips with a reason without Debian's chromium or the playwright client, as the UI test does.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from utr_assets.evaluation.leaderboard import build_leaderboard
from utr_assets.evaluation.metrics import auc_rows, pearson_rows
from utr_assets.evaluation.plots import roc_curve_table
from utr_assets.evaluation.report import build_report, write_report
from utr_assets_tests.e2e.test_ui_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (see .ci/run)")
NAMES = {"nt-3utr": "NT-3UTR", "dnabert-3utr": "DNABERT-3UTR", "cadd": "CADD", "kmer-counts": "k-mer counts"}


def _leaderboard():
    rng = np.random.default_rng(1)
    labels = np.r_[np.ones(80), np.zeros(80)]
    rows, curves = [], []
    for model, noise in (("cadd", 0.4), ("nt-3utr", 1.2), ("dnabert-3utr", 2.0)):
        scores = -labels + rng.normal(0, noise, labels.size)  # zero-shot scores: flipped AUC
        rows += auc_rows(
            model, "variant_effects", "clinvar", "pratio", labels, scores, zero_shot=True, n_boot=30
        )
        curves.append(roc_curve_table(model, "variant_effects", "clinvar", "pratio", labels, -scores))
    y = rng.normal(size=60)
    for model, noise in (("dnabert-3utr", 0.8), ("kmer-counts", 1.5)):
        rows += pearson_rows(model, "mpra", "HMEC/log2fc", "ridge", y, y + rng.normal(0, noise, y.size))
    table = build_leaderboard([rows], not_applicable={("nt-3utr", "mpra"): "hand-made: no oligo embeddings"})
    import pandas as pd

    return table, {"variant_effects": pd.concat(curves, ignore_index=True)}


def test_report_renders_in_chromium_with_every_image(tmp_path: Path) -> None:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python client is not installed"
    )
    table, curves = _leaderboard()
    page_html = build_report(
        table,
        curves,
        names=NAMES,
        settings={"profile": "sample", "benchmarks": {"n_boot": 30}},
        versions={"utr-assets": "test", "dagster": "x"},
        source="hand-made table",
    )
    assert "<script" not in page_html and "http://" not in page_html and "https://" not in page_html
    assert "DNABERT-3UTR" in page_html and "hand-made: no oligo embeddings" in page_html
    assert "0.976" in page_html  # the study's CADD ClinVar value beside ours
    path = write_report(page_html, tmp_path)
    shot = Path(os.environ.get("UTR_ASSETS_REPORT_SCREENSHOT", tmp_path / "report.png"))
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        page.get_by_text("Task 2 - variant effects").wait_for()
        page.get_by_text("Not applicable", exact=True).wait_for()
        images = page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.alt, i.complete, i.naturalWidth])"
        )
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    # a bar chart per task with ok rows (variant_effects, mpra) and the ClinVar ROC plot
    assert sorted(alt for alt, _, _ in images) == [
        "mpra bar chart",
        "roc_variant_effects_clinvar",
        "variant_effects bar chart",
    ]
    assert all(complete and width > 0 for _, complete, width in images), images
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert shot.stat().st_size > 10_000
