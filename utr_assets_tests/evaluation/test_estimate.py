"""The evaluation-stage estimate reproduces its measured figures at the measured shapes and scales them
as its docstring says (hand arithmetic on the constants)."""

from __future__ import annotations

import pytest

from utr_assets.evaluation import estimate as ev


def test_ridge_law_passes_through_every_measured_fold():
    for rows, features, ours, sklearn in ev.RIDGE_FOLD_S.values():
        assert ev.fold_seconds("ridge", rows, features, "ours") == pytest.approx(ours, rel=1e-9)
        assert ev.fold_seconds("ridge", rows, features, "sklearn") == pytest.approx(sklearn, rel=1e-9)


def test_svr_and_mlp_scale_from_their_reference_shapes():
    s = ev.SVR_FOLD_S
    e = max(s["exponent_ours"], 2.0)
    assert ev.fold_seconds("svr", 2 * s["rows"], s["features"]) == pytest.approx(s["ours"] * 2**e)
    m = ev.MLP_FOLD_S
    assert ev.fold_seconds("mlp", m["rows"] // 2, m["features"], "sklearn") == pytest.approx(m["sklearn"] / 2)
    with pytest.raises(ValueError, match="unknown probe"):
        ev.fold_seconds("lasso", 10, 10)


def test_stage_is_the_sum_over_tasks_times_models():
    est = ev.evaluation_estimate(7)
    half_life_ridge = next(r for r in est["per_task"] if r["task"] == "half_life" and r["probe"] == "ridge")
    assert half_life_ridge["ours_s"] == pytest.approx(10 * ev.RIDGE_FOLD_S["half_life"][2], rel=1e-9)
    total = sum(r["ours_s"] for r in est["per_task"])
    assert est["stage_hours"]["ours"] == pytest.approx(7 * total / 3600)
    assert est["stage_hours"]["ours"] < est["stage_hours"]["sklearn"]
    text = "\n".join(ev.format_evaluation(est))
    assert "measured" in text and all(task in text for task, *_ in ev.PAPER_TASKS)


def test_plan_prints_the_evaluation_stage_for_every_registry_model():
    from utr_assets.planning import build_plan, format_plan
    from utr_assets.settings import load_settings

    plan = build_plan(load_settings("paper", ""))
    assert plan["evaluation"]["n_models"] == len(plan["models"])
    text = format_plan(plan)
    assert "Evaluation stage" in text and "measured" in text and "siegel_jurkat" in text
