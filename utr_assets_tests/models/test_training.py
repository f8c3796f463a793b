"""Training loop: every family's tiny preset learns a synthetic motif corpus (validation loss below the
uniform baseline), checkpoints reload exactly, a killed run resumes to the uninterrupted result, DDP on
two CPU processes equals one process with gradient accumulation, and the plateau rule stops training."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForMaskedLM, AutoTokenizer

from utr_assets import families
from utr_assets.corpus import ChunkSpec, build_tokeniser
from utr_assets.models import seed_everything, train, train_config_for
from utr_assets.models.checks import pickle_files, reload_max_difference
from utr_assets.models.data import TokenChunks
from utr_assets.models.lr_schedule import lr_lambda, plateau_epoch
from utr_assets.models.report import loss_curve_png, summary

PROJECT = Path(__file__).resolve().parents[2]
CONTEXT = {"dnabert": 64, "dnabert2": 64, "nt": 64, "dss": 200}


def motif_corpus(n: int, length: int = 240, seed: int = 0) -> list[str]:
    """Sequences concatenated from 6 random 10-mers with 2% point mutations: learnable from context."""
    rng = np.random.default_rng(seed)
    motifs = ["".join(rng.choice(list("ACGT"), size=10)) for _ in range(6)]
    out = []
    for _ in range(n):
        s = np.array(list("".join(rng.choice(motifs, size=length // 10))))
        hit = rng.random(length) < 0.02
        s[hit] = rng.choice(list("ACGT"), size=int(hit.sum()))
        out.append("".join(s))
    return out


def setup(family: str, n: int = 48, **overrides):
    seqs = motif_corpus(n)
    tok = build_tokeniser(family, sequences=seqs if family == "dnabert2" else None, vocab_size=128)
    spec = ChunkSpec(CONTEXT[family], 10)
    train_chunks, val_chunks = tok.chunk(seqs[8:], spec), tok.chunk(seqs[:8], spec)
    fam = families.family(family)
    seed_everything(0)
    vocab = {} if family == "dss" else {"vocab_size": tok.vocab_size}
    model = fam.build_model(fam.build_config("tiny", **vocab, **overrides))
    return tok, model, train_chunks, val_chunks


def final_weights(run: Path) -> dict[str, torch.Tensor]:
    return load_file(str(run / "best" / "model.safetensors"))


EPOCHS = {"dnabert": 2, "dnabert2": 12, "nt": 6, "dss": 4}


@pytest.mark.slow
@pytest.mark.parametrize("family", ["dnabert", "dnabert2", "nt", "dss"])
def test_tiny_preset_learns_and_checkpoint_reloads(family, tmp_path):
    tok, model, tr, va = setup(family)
    cfg = train_config_for(family, "tiny", max_epochs=EPOCHS[family], micro_batch_size=8)
    t0 = time.perf_counter()
    result = train(model, tok, tr, va, cfg, tmp_path / "run")
    elapsed = time.perf_counter() - t0
    print(
        f"{family}: {elapsed:.1f}s {result.steps} steps, val {result.best_val_loss:.3f} "
        f"vs uniform {result.uniform_baseline:.3f}, acc {result.best_val_accuracy:.3f}, "
        f"{result.tokens_per_second:.0f} tok/s"
    )
    assert result.best_val_loss < result.uniform_baseline
    assert summary(result)["losses_finite"] and summary(result)["beats_uniform_baseline"]
    best = result.best_checkpoint
    assert best is not None and (best / "model.safetensors").exists() and (best / "config.json").exists()
    assert not pickle_files(tmp_path / "run")
    assert AutoTokenizer.from_pretrained(best).mask_token_id == tok.hf.mask_token_id
    reloaded = AutoModelForMaskedLM.from_pretrained(best)
    assert sum(p.numel() for p in reloaded.parameters()) == result.parameters
    collate = families.family(family).collator(tok)
    batch = collate([va.chunk(i)[0] for i in range(2)])
    # the returned model holds the last step's weights; the best directory the best checkpoint's
    if result.best_step == result.steps:
        assert reload_max_difference(model, best, batch) == 0.0
    assert loss_curve_png(result).startswith(b"\x89PNG")


@pytest.mark.slow
@pytest.mark.parametrize("family", ["dss", "nt"])
def test_interrupted_run_resumes_to_the_same_result(family, tmp_path):
    cfg = train_config_for(family, "tiny", max_epochs=3, micro_batch_size=8, checkpoint_every=4)
    tok, model, tr, va = setup(family)
    full = train(model, tok, tr, va, cfg, tmp_path / "full")
    tok, model, tr, va = setup(family)
    killed = train(
        model, tok, tr, va, cfg.__class__(**{**cfg.__dict__, "stop_after_steps": 7}), tmp_path / "cut"
    )
    assert killed.stopped_by == "interrupted" and killed.steps == 7
    tok, model, tr, va = setup(family)  # a fresh process: new model object, state from disk (step 4)
    resumed = train(model, tok, tr, va, cfg, tmp_path / "cut")
    assert resumed.steps == full.steps
    assert resumed.train_loss == pytest.approx(full.train_loss, rel=1e-5)
    assert resumed.val_loss == pytest.approx(full.val_loss, rel=1e-5)
    a, b = final_weights(tmp_path / "full"), final_weights(tmp_path / "cut")
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)


@pytest.mark.slow
def test_resume_refuses_a_different_config(tmp_path):
    tok, model, tr, va = setup("dss")
    cfg = train_config_for("dss", "tiny", max_epochs=1, micro_batch_size=8)
    train(model, tok, tr, va, cfg, tmp_path)
    with pytest.raises(ValueError, match="different TrainConfig"):
        train(model, tok, tr, va, train_config_for("dss", "tiny", max_epochs=1, micro_batch_size=4), tmp_path)


def run_dss(out: str | Path, accum: int = 1):
    """The run the subprocess tests compare: tiny DSS, 2 epochs, a state every 2 steps."""
    tok, model, tr, va = setup("dss", n=96)
    cfg = train_config_for(
        "dss", "tiny", max_epochs=2, micro_batch_size=4, grad_accum_steps=accum, checkpoint_every=2
    )
    return train(model, tok, tr, va, cfg, out)


SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {project!r})
    from utr_assets_tests.models.test_training import run_dss
    run_dss(sys.argv[1], accum=int(sys.argv[2]))
""")
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "train_dss.py"
    path.write_text(SCRIPT.format(project=str(PROJECT)))
    return path


def _same_weights(a: Path, b: Path, atol: float) -> bool:
    wa, wb = final_weights(a), final_weights(b)
    return wa.keys() == wb.keys() and all(torch.allclose(wa[k], wb[k], atol=atol) for k in wa)


@pytest.mark.slow
def test_sigkill_mid_training_then_resume(tmp_path):
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, str(_script(tmp_path)), str(run), "1"], env=ENV, start_new_session=True
    )
    deadline = time.time() + 120
    while time.time() < deadline and not (run / "LATEST").exists() and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (run / "LATEST").exists(), "no checkpoint appeared before the kill"
    killed_at = (run / "LATEST").read_text()
    torch.set_num_threads(1)
    try:
        resumed = run_dss(run)  # a fresh model object; the state comes from disk
        full = run_dss(tmp_path / "full")
    finally:
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1)))
    assert resumed.val_loss == pytest.approx(full.val_loss, rel=1e-5)
    assert _same_weights(run, tmp_path / "full", atol=1e-5), f"killed after {killed_at}"


@pytest.mark.slow
def test_ddp_two_cpu_processes_equal_one_process_with_accumulation(tmp_path):
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    subprocess.run(
        [*torchrun, str(_script(tmp_path)), str(tmp_path / "ddp"), "1"],
        env=ENV,
        check=True,
        capture_output=True,
    )
    torch.set_num_threads(1)
    try:
        single = run_dss(tmp_path / "single", accum=2)
    finally:
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1)))
    assert (tmp_path / "ddp" / "best").exists() and single.steps > 0
    assert _same_weights(tmp_path / "ddp", tmp_path / "single", atol=1e-5)


@pytest.mark.slow
def test_species_aware_dss_trains_with_species_indices(tmp_path):
    tok, model, tr, va = setup("dss", n_species=3)
    species = lambda batch: batch.sequence % 3  # noqa: E731
    cfg = train_config_for("dss", "tiny", max_epochs=1, micro_batch_size=8)
    result = train(model, tok, _with_species(tr, species(tr)), _with_species(va, species(va)), cfg, tmp_path)
    assert np.isfinite(result.best_val_loss)
    with pytest.raises(ValueError, match="species indices"):
        train(model, tok, tr, va, cfg, tmp_path / "other")


def _with_species(chunks, species) -> TokenChunks:
    base = TokenChunks.of(chunks)
    return TokenChunks(base.ids, np.asarray(species))


def test_token_chunks_from_corpus_tables():
    ids = [np.array([2, 7, 8, 3]), np.array([2, 9, 3])]
    table = pa.table({"input_ids": pa.array(ids, type=pa.list_(pa.int32())), "species_index": [-1, -1]})
    from_arrow = TokenChunks.of(table)
    assert from_arrow.species is None and [list(x) for x in from_arrow.ids] == [[2, 7, 8, 3], [2, 9, 3]]
    frame = pd.DataFrame({"input_ids": ids, "species_index": [0, 4]})
    assert TokenChunks.of(frame).species.tolist() == [0, 4]
    with pytest.raises(ValueError, match="-1"):
        TokenChunks.of(pd.DataFrame({"input_ids": ids, "species_index": [0, -1]}))


def test_plateau_rule_and_schedules():
    assert plateau_epoch([5.0, 4.0, 3.0, 2.9, 2.5]) is None
    assert plateau_epoch([5.0, 4.0, 3.0, 2.99, 2.98, 2.975]) == 5  # |2.975 - 2.99| < 1% of 2.99
    assert plateau_epoch([3.0, 3.0, 3.0, 3.0]) == 3
    f = lr_lambda("inverse_sqrt", warmup_steps=100, total_steps=1000)
    assert f(49) == pytest.approx(0.5) and f(99) == 1.0 and f(399) == pytest.approx(0.5)
    tri = lr_lambda("triangular", warmup_steps=2, total_steps=20, cycle_steps=6)
    assert [round(tri(s), 2) for s in range(7)] == [0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.5]


@pytest.mark.slow
def test_plateau_stops_training(tmp_path):
    tok, model, tr, va = setup("dss")
    cfg = train_config_for("dss", "tiny", max_epochs=50, micro_batch_size=8, plateau_tolerance=0.5)
    result = train(model, tok, tr, va, cfg, tmp_path)
    assert result.stopped_by == "plateau" and result.epochs < 50
    assert (
        plateau_epoch(result.epoch_train_loss, 3, 0.5) == result.epochs - 1
    )  # stopped at the first such epoch
    assert result.best_step in [s for s, _ in result.val_loss]
