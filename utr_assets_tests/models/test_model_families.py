"""Model families' architectures: registry lookup of the trainable ones, paper-preset parameter counts (the
study's numbers live here, not in the package), the DSS model (kernel maths, bidirectionality, species
embedding, HF Auto save/load)."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoConfig, AutoModelForMaskedLM

from utr_assets.families import FAMILIES, UnknownFamilyError, trainable_family, trainable_names
from utr_assets.model_registry import load_registry
from utr_assets.models import parameter_count
from utr_assets.models.checks import pickle_files, preset_parameters, reload_max_difference, within
from utr_assets.models.dss_layers import BidirectionalDSSKernel, bidirectional_fft_conv


def test_family_lookup_and_unknown():
    assert trainable_names() == ["dnabert", "dnabert2", "dss", "nt"]
    assert trainable_family("nt").name == "nt"
    with pytest.raises(UnknownFamilyError, match="known: dnabert, dnabert2, dss, nt"):
        trainable_family("zoo_al")


def test_registry_trained_models_have_a_family_and_presets():
    for entry in load_registry().values():
        if entry.kind == "trained":
            fam = trainable_family(entry.family)
            assert {entry.preset("sample"), entry.preset("paper")} <= set(fam.presets)


# The study's model sizes (were PAPER_PARAMETERS in the family modules): DNABERT-6 ~89M; DNABERT-2-117M
# 117,074,176 (built from its config with the publisher's code); NT-v2-100M 97,889,132 (the publisher's
# code, scripts/golden/make_golden_nt_v2.py); the state-space STSP ~1.0M with or without species.
@pytest.mark.parametrize(
    ("family", "study", "overrides"),
    [
        ("dnabert", 89e6, {}),
        ("dnabert2", 117_074_176, {}),
        ("nt", 97_889_132, {}),
        ("dss", 1.0e6, {}),
        ("dss", 1.0e6, {"n_species": 241}),
    ],
)
def test_paper_presets_match_the_study(family, study, overrides):
    n = preset_parameters(family, "paper", **overrides)
    assert within(n, study, 0.05), f"{family}: {n:,} vs {study:,.0f}"


def test_meta_count_equals_a_real_instantiation():
    fam = trainable_family("dnabert")
    model = fam.build_model(fam.build_config("paper"))
    assert parameter_count(model) == preset_parameters("dnabert", "paper") == 89_195_781


def test_context_lengths():
    assert [trainable_family(f).context_length("paper") for f in ("dnabert", "dnabert2", "nt", "dss")] == [
        512,
        1024,
        1024,
        5000,
    ]


def test_fft_conv_equals_direct_two_sided_convolution():
    torch.manual_seed(0)
    kernel_mod = BidirectionalDSSKernel(d_model=3, n_states=4)
    length = 11
    k = kernel_mod(length)
    x = torch.randn(2, 3, length)
    y = bidirectional_fft_conv(x, k)
    direct = torch.zeros_like(x)
    for i in range(length):
        for j in range(length):
            lag = i - j
            w = k[:3, lag] if lag >= 0 else k[3:, -lag - 1]
            direct[:, :, i] += w * x[:, :, j]
    assert torch.allclose(y, direct, atol=1e-5)


def _dss(**overrides):
    fam = trainable_family("dss")
    torch.manual_seed(0)
    return fam.build_model(fam.build_config("tiny", **overrides)).eval()


def test_dss_is_bidirectional_and_masks_are_zero_inputs():
    model = _dss()
    ids = torch.randint(0, 4, (1, 120))
    base = model(ids).logits
    later, earlier = ids.clone(), ids.clone()
    later[0, 100] = (later[0, 100] + 1) % 4
    earlier[0, 10] = (earlier[0, 10] + 1) % 4
    assert not torch.allclose(model(later).logits[0, 50], base[0, 50])
    assert not torch.allclose(model(earlier).logits[0, 50], base[0, 50])
    masked, unk = ids.clone(), ids.clone()
    masked[0, 60], unk[0, 60] = 6, 7  # [MASK] and [UNK] are both the all-zero input
    assert torch.equal(model(masked).logits, model(unk).logits)


def test_dss_species_embedding_required_and_used():
    model = _dss(n_species=3)
    ids = torch.randint(0, 4, (2, 80))
    with pytest.raises(ValueError, match="species-aware"):
        model(ids)
    a = model(ids, species_ids=torch.tensor([0, 0])).logits
    b = model(ids, species_ids=torch.tensor([0, 2])).logits
    assert torch.equal(a[0], b[0]) and not torch.allclose(a[1], b[1])
    with pytest.raises(ValueError, match="species-agnostic"):
        _dss()(ids, species_ids=torch.tensor([0, 0]))


@pytest.mark.parametrize("n_species", [0, 3])
def test_dss_saves_and_loads_through_auto_classes(tmp_path, n_species):
    model = _dss(n_species=n_species)
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").exists() and not pickle_files(tmp_path)
    assert AutoConfig.from_pretrained(tmp_path).model_type == "utr_dss"
    reloaded = AutoModelForMaskedLM.from_pretrained(tmp_path)
    assert type(reloaded).__name__ == "DssForMaskedLM" and reloaded.config.n_species == n_species
    batch = {"input_ids": torch.randint(0, 5, (2, 90)), "attention_mask": torch.ones(2, 90, dtype=torch.long)}
    if n_species:
        batch["species_ids"] = torch.tensor([1, 2])
    assert reload_max_difference(model, tmp_path, batch) == 0.0


@pytest.mark.parametrize("name", ["nt", "dnabert", "dnabert2"])
def test_best_weights_load_back_into_the_trained_model(tmp_path, name):
    """The checkpoint asset puts the best weights back into the in-memory model before comparing it with
    the published checkpoint; ESM LayerNorms are written as gamma/beta by transformers and must not be
    skipped (they were, silently, until the reload check caught a 1.9 logit difference)."""
    from safetensors.torch import load_file, save_file

    from utr_assets.models.checkpoints import load_published_weights

    family = FAMILIES[name]
    torch.manual_seed(0)
    best = family.build_model(family.build_config("tiny"))
    best.save_pretrained(tmp_path)
    last = family.build_model(family.build_config("tiny"))  # other weights: "the last step"
    assert load_published_weights(last, tmp_path)
    batch = {
        "input_ids": torch.randint(5, 60, (2, 40)),
        "attention_mask": torch.ones(2, 40, dtype=torch.long),
    }
    assert reload_max_difference(last, tmp_path, batch) < 1e-5
    state = load_file(str(tmp_path / "model.safetensors"))
    dropped = next(k for k in state if "norm" in k.lower())
    save_file(
        {k: v for k, v in state.items() if k != dropped},
        str(tmp_path / "model.safetensors"),
        metadata={"format": "pt"},
    )
    assert not load_published_weights(
        last, tmp_path
    )  # an incomplete file is reported, not half-loaded silently
