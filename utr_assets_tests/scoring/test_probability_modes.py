"""Probability modes (masked | unmasked | reference_aware) and the study's choice per score (issue 15,
points 8-10): hand computations on tiny deterministic fake models, where the study's rule and the old
rule (VIS from masked marginals; DNA models' pref from the window; cosine as 1 - similarity) differ."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from transformers.modeling_outputs import MaskedLMOutput

from utr_assets.corpus import build_tokeniser
from utr_assets.evaluation import evaluate
from utr_assets.evaluation.leaderboard import LEADERBOARD_COLUMNS, build_leaderboard, check_schema
from utr_assets.scoring.base import PROBABILITIES, ScorerBase, ScoringError
from utr_assets.scoring.lm import LanguageModelScorer
from utr_assets.scoring.storage import per_base_bytes, per_base_probability_mode
from utr_assets.scoring.variants import embedding_distances, orient_variants, score_variants
from utr_assets.settings import ProbabilityModeSettings, load_settings
from utr_assets_tests.evaluation.test_task_evaluation import FAST, _variants

E = math.e


class FakeLM(torch.nn.Module):
    """Deterministic logits: ``own`` x one-hot(input id at j) + ``right`` x one-hot(input id at j + 1), over
    ``vocab`` outputs; the mask id contributes to its own (never read) output only."""

    def __init__(self, vocab: int, own: float, right: float, context: int = 32):
        super().__init__()
        self.vocab, self.own, self.right, self.calls = vocab, own, right, 0
        self.config = SimpleNamespace(
            chunk_length=context, max_position_embeddings=context, hidden_size=4, n_species=0
        )
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids, attention_mask=None, output_hidden_states=False, **_):
        self.calls += 1
        hot = torch.nn.functional.one_hot(input_ids, self.vocab).float()
        logits = self.own * hot
        logits[:, :-1] += self.right * hot[:, 1:]
        hidden = (hot[..., :4],) if output_hidden_states else None
        return MaskedLMOutput(logits=logits, hidden_states=hidden)


def _dss(mode: str = "masked") -> LanguageModelScorer:
    tok = build_tokeniser("dss")
    return LanguageModelScorer(
        FakeLM(tok.vocab_size, own=2.0, right=1.0),
        tok,
        name="fake-dss",
        autocast=False,
        probability_mode=mode,
    )


def _one_variant(seq: str, v: int, alt: str) -> pd.DataFrame:
    return pd.DataFrame({"variant_id": ["x"], "utr_id": ["u"], "pos": [v], "ref": [seq[v]], "alt": [alt]})


# ---- point 8: VIS from unmasked passes ------------------------------------------------------------------

SEQ, V, ALT = "TTAGCATTG", 4, "A"  # ref C at 4; its left neighbour G differs from both alleles


def test_vis_from_unmasked_passes_equals_the_hand_computation_and_differs_from_masked():
    # only position v-1 sees v (through its right-neighbour term); VIS = dep[v-1] / (L - 1)
    # unmasked: logits at v-1 = 2 e_G + e_ref, so P(ref) = e/Z (ref window) vs 1/Z (alt), Z = e^2 + e + 2
    unmasked = math.log2(E * (E**2 + E + 1) / (E**2 + 2)) / (len(SEQ) - 1)
    # masked (each position masked alone): logits at v-1 = e_ref only, P(ref) = e/(e+3) vs 1/(e+3)
    masked = math.log2(E * (E + 2) / 3) / (len(SEQ) - 1)
    scorer = _dss("masked")  # the per-base (pref/palt) mode stays masked
    study = load_settings("paper").scoring.probability_mode.mode("vis", "dss")
    assert study == "unmasked"
    out = score_variants(
        scorer, _one_variant(SEQ, V, ALT), {"u": SEQ}, window=len(SEQ), radii=(), vis_mode=study
    )
    assert out.vis[0] == pytest.approx(unmasked, rel=1e-6)
    assert out.vis_probability_mode[0] == "unmasked" and out.allele_probability_mode[0] == "unmasked"
    old = score_variants(scorer, _one_variant(SEQ, V, ALT), {"u": SEQ}, window=len(SEQ), radii=())
    assert old.vis[0] == pytest.approx(masked, rel=1e-6) and old.vis_probability_mode[0] == "masked"
    assert abs(unmasked - masked) > 0.04


def test_stored_per_base_mode_is_recorded_for_pref_and_vis_mode_for_vis():
    stored = {"u": np.full((len(SEQ), 4), 0.25, dtype=np.float32)}
    out = score_variants(
        _dss(),
        _one_variant(SEQ, V, ALT),
        {"u": SEQ},
        window=len(SEQ),
        radii=(),
        base_probabilities=stored,
        base_probability_mode="masked",
        vis_mode="unmasked",
    )
    assert out.pref[0] == pytest.approx(math.log(0.25))
    assert (out.allele_probability_mode[0], out.vis_probability_mode[0]) == ("masked", "unmasked")


def test_nt_three_modes_by_hand():
    """Fake NT model: logit 3 on the input token itself. A 12-nt sequence is two 6-mer tokens."""
    tok = build_tokeniser("nt")
    model = FakeLM(tok.vocab_size, own=3.0, right=0.0)
    scorer = LanguageModelScorer(model, tok, name="fake-nt", autocast=False)
    seq = "ACGTACGGTTCA"
    got = scorer.base_probabilities_modes([seq], ["masked", "unmasked", "reference_aware"])
    own = np.array(["ACGT".index(b) for b in seq])
    hand = {
        "masked": 0.25,  # the masked token carries no information: every base has 4^5 six-mers
        "unmasked": (4**5 - 1 + E**3) / (4**6 - 1 + E**3),  # k-mer sums: the own token adds e^3 - 1
        "reference_aware": E**3 / (E**3 + 3),
    }  # the own token against its 3 one-base substitutions
    for mode, p_own in hand.items():
        p = got[mode][0]
        np.testing.assert_allclose(p[np.arange(len(seq)), own], p_own, rtol=1e-5)
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)


def test_unmasked_and_reference_aware_share_their_forward_passes():
    tok = build_tokeniser("nt")
    model = FakeLM(tok.vocab_size, own=3.0, right=0.5)
    scorer = LanguageModelScorer(model, tok, name="fake-nt", autocast=False)
    seqs = ["ACGTACGGTTCA", "GGCATTACGATCAA"]
    both = scorer.base_probabilities_modes(seqs, ["unmasked", "reference_aware"])
    shared_calls, model.calls = model.calls, 0
    assert shared_calls == 1  # one batch holds both single-chunk sequences
    for mode in ("unmasked", "reference_aware"):
        alone = scorer.base_probabilities(seqs, mode=mode)
        for a, b in zip(alone, both[mode], strict=True):
            np.testing.assert_array_equal(a, b)
    assert model.calls == 2
    masked_calls = model.calls
    scorer.base_probabilities(seqs, mode="masked")
    assert model.calls - masked_calls == 1  # 2 + 4 masked copies (one per token), one batch at this size


def test_mode_setting_defaults_are_the_study_choice_and_reference_aware_is_nt_only():
    modes = ProbabilityModeSettings()
    assert [modes.mode("per_base", f) for f in ("dnabert", "nt", "dss")] == ["masked"] * 3
    assert [modes.mode("vis", f) for f in ("dnabert", "nt", "dss")] == [
        "masked",
        "reference_aware",
        "unmasked",
    ]
    assert modes.mode("vis", "dnabert2") is None and modes.mode("per_base", "zoo_al") is None
    with pytest.raises(ValueError, match="nt only"):
        ProbabilityModeSettings(vis={"dss": "reference_aware"})
    with pytest.raises(ScoringError, match="nt tokenisation only"):
        _dss("reference_aware")


def test_per_base_shards_record_their_mode():
    data = per_base_bytes(["u"], [np.full((3, 4), 0.25)], probability_mode="masked")
    assert per_base_probability_mode(data) == "masked"
    assert per_base_probability_mode(per_base_bytes(["u"], [np.zeros(3)])) == ""


def test_leaderboard_rows_carry_the_mode_of_their_score():
    variants = _variants()
    rng = np.random.default_rng(0)
    y = variants.label.to_numpy()
    scores = pd.DataFrame(
        {
            "variant_id": variants.variant_id,
            "pref": -y + rng.normal(0, 0.3, len(y)),
            "vis": y + rng.normal(0, 0.3, len(y)),
            "vis_r8": y + rng.normal(0, 0.3, len(y)),
            "cosine": rng.normal(size=len(y)),
            "allele_probability_mode": "masked",
            "vis_probability_mode": "reference_aware",
        }
    )
    table, _ = evaluate.variant_effect_metrics("nt", variants, scores, None, FAST)
    board = build_leaderboard([table])
    assert list(board.columns) == LEADERBOARD_COLUMNS and "probability_mode" in LEADERBOARD_COLUMNS
    mode = board.groupby("score").probability_mode.agg(set)
    assert (
        mode["pref"] == {"masked"}
        and mode["vis"] == {"reference_aware"}
        and mode["vis_r8"] == {"reference_aware"}
    )
    assert mode["cosine"] == {""}
    assert check_schema(board) == (True, [])
    ok, problems = check_schema(board.drop(columns=["probability_mode"]))
    assert not ok and "not" in problems[0]
    ok, problems = check_schema(board.assign(probability_mode="reference"))
    assert not ok and problems == ["unknown probability_mode 'reference'"]


# ---- point 9: DNA-orientation models read the stored whole-UTR probabilities --------------------------------


class WindowScorer(ScorerBase):
    """A DNA-orientation model whose window probabilities (uniform) differ from the stored whole-UTR ones."""

    name, capabilities = "dna-model", frozenset({PROBABILITIES})

    def base_probabilities(self, sequences, ids=None):
        return [np.full((len(s), 4), 0.25, dtype=np.float32) for s in sequences]


def test_dna_model_reads_pref_from_the_stored_whole_utr_probabilities_mirrored():
    regions = pd.DataFrame({"utr_id": ["m", "p"], "strand": ["-", "+"], "sequence": ["ACGGA", "TTCAG"]})
    stored = {"m": np.full((5, 4), 0.25, dtype=np.float32), "p": np.full((5, 4), 0.25, dtype=np.float32)}
    stored["m"][1] = [0.1, 0.6, 0.2, 0.1]  # RNA orientation: C at 1 (ref) 0.6, T (alt) 0.1
    stored["p"][2] = [0.05, 0.7, 0.2, 0.05]  # C at 2 (ref) 0.7, A (alt) 0.05
    variants = pd.DataFrame(
        {
            "variant_id": ["vm", "vp"],
            "utr_id": ["m", "p"],
            "pos": [1, 2],
            "ref_rna": ["C", "C"],
            "alt_rna": ["T", "A"],
        }
    )
    oriented, sequences, probs = orient_variants(variants, regions, "dna", stored)
    assert sequences["m"] == "TCCGT" and oriented.pos.tolist() == [3, 2]
    assert oriented.ref_rna.tolist() == ["G", "C"] and oriented.alt_rna.tolist() == ["A", "A"]
    out = score_variants(
        WindowScorer(),
        oriented.rename(columns={"ref_rna": "ref", "alt_rna": "alt"}),
        sequences,
        window=5,
        radii=(),
        base_probabilities=probs,
        base_probability_mode="masked",
    )
    assert out.pref.tolist() == pytest.approx([math.log(0.6), math.log(0.7)], rel=1e-6)
    assert out.palt_inv.tolist() == pytest.approx([-math.log(0.1), -math.log(0.05)], rel=1e-6)
    assert out.allele_probability_mode.tolist() == ["masked", "masked"]
    same, rna_seqs, rna_probs = orient_variants(variants, regions, "rna", stored)
    assert same is variants and rna_seqs["m"] == "ACGGA" and rna_probs["m"] is stored["m"]


# ---- point 10 (cosine): a similarity, as the study ---------------------------------------------------------


def test_cosine_is_the_similarity():
    a = np.array([[1.0, 0.0], [1.0, 2.0], [3.0, 0.0]])
    b = np.array([[1.0, 1.0], [-2.0, -4.0], [0.0, 5.0]])
    cos = embedding_distances(a, b)["cosine"]
    np.testing.assert_allclose(cos, [1 / math.sqrt(2), -1.0, 0.0], atol=1e-12)
