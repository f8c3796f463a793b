"""The architecture of the `dss` family (docs/protocol.md §3, the study's STSP models): single nucleotides
one-hot encoded, a conv encoder, an optional species embedding, residual conv blocks, bidirectional DSS layers and a conv decoder.

What belongs here: DssConfig / DssForMaskedLM (Hugging Face classes registered with AutoConfig and
AutoModelForMaskedLM under model_type ``utr_dss``, so ``AutoModelForMaskedLM.from_pretrained(path)``
works once ``utr_assets.models`` is imported, without trust_remote_code), builders, collator.
Not here: the layers themselves (dss_layers.py); presets and the family's other facts
(utr_assets/families/dss.py).

Input ids follow the single-nucleotide vocabulary (utr_assets.corpus.vocab): A C G T N = 0..4 are the
one-hot channels; every other id ([PAD] [MASK] [UNK]) is an all-zero input. Logits cover ids 0..4
(N is never a target). ``species_ids`` (batch,) is required iff the model is species-aware.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from transformers import AutoConfig, AutoModelForMaskedLM, PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import MaskedLMOutput

from utr_assets.models.collators import IGNORE_INDEX, NucleotideMaskingCollator, SpecialIds
from utr_assets.models.dss_layers import DSSLayer, ResidualConvBlock

MODEL_TYPE = "utr_dss"
N_CHANNELS = 5  # A C G T N
VOCAB_SIZE = N_CHANNELS


class DssConfig(PretrainedConfig):
    model_type = MODEL_TYPE

    def __init__(
        self,
        d_model: int = 128,
        n_states: int = 64,
        n_dss_layers: int = 4,
        n_res_blocks: int = 3,
        encoder_kernel: int = 15,
        res_kernel: int = 5,
        decoder_kernel: int = 5,
        dropout: float = 0.0,
        n_species: int = 0,
        chunk_length: int = 5000,
        vocab_size: int = VOCAB_SIZE,
        **kwargs: Any,
    ) -> None:
        for name, k in (
            ("encoder_kernel", encoder_kernel),
            ("res_kernel", res_kernel),
            ("decoder_kernel", decoder_kernel),
        ):
            if k % 2 != 1:
                raise ValueError(f"{name} must be odd ('same' padding), got {k}")
        self.d_model, self.n_states, self.n_dss_layers = d_model, n_states, n_dss_layers
        self.n_res_blocks, self.encoder_kernel, self.res_kernel = n_res_blocks, encoder_kernel, res_kernel
        self.decoder_kernel, self.dropout, self.n_species = decoder_kernel, dropout, n_species
        self.chunk_length, self.vocab_size = chunk_length, vocab_size
        kwargs.setdefault("tie_word_embeddings", False)
        super().__init__(**kwargs)

    @property
    def species_aware(self) -> bool:
        return self.n_species > 0

    @property
    def hidden_size(self) -> int:
        return self.d_model


class DssForMaskedLM(PreTrainedModel):
    config_class = DssConfig
    base_model_prefix = "dss"
    main_input_name = "input_ids"

    def __init__(self, config: DssConfig) -> None:
        super().__init__(config)
        d = config.d_model
        self.encoder = nn.Conv1d(N_CHANNELS, d, config.encoder_kernel, padding=config.encoder_kernel // 2)
        self.species = nn.Embedding(config.n_species, d) if config.species_aware else None
        self.res_blocks = nn.ModuleList(
            ResidualConvBlock(d, config.res_kernel, config.dropout) for _ in range(config.n_res_blocks)
        )
        self.dss_layers = nn.ModuleList(
            DSSLayer(d, config.n_states, config.dropout) for _ in range(config.n_dss_layers)
        )
        self.final_norm = nn.LayerNorm(d)
        self.decoder = nn.Conv1d(d, d, config.decoder_kernel, padding=config.decoder_kernel // 2)
        self.head = nn.Conv1d(d, config.vocab_size, 1)
        self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        # PyTorch's default initialisation for every layer (the DSS kernel has its own reset_parameters).
        reset = getattr(module, "reset_parameters", None)
        if callable(reset) and module is not self:
            reset()

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        species_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        **_: Any,
    ) -> MaskedLMOutput:
        valid = (input_ids >= 0) & (input_ids < N_CHANNELS)
        one_hot = F.one_hot(torch.where(valid, input_ids, 0), N_CHANNELS).float() * valid[..., None]
        keep = (attention_mask if attention_mask is not None else torch.ones_like(input_ids))[
            ..., None
        ].float()
        x = self.encoder((one_hot * keep).transpose(1, 2)).transpose(1, 2)
        if self.species is not None:
            if species_ids is None:
                raise ValueError("this DSS model is species-aware: pass species_ids (batch,)")
            x = x + self.species(species_ids)[:, None, :]
        elif species_ids is not None:
            raise ValueError("this DSS model is species-agnostic but species_ids were given")
        hidden = [x]
        for block in [*self.res_blocks, *self.dss_layers]:
            x = block(x * keep)
            hidden.append(x)
        x = self.final_norm(x) * keep
        h = F.gelu(self.decoder(x.transpose(1, 2)))
        logits = self.head(h).transpose(1, 2)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(
                logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE_INDEX
            )
        return MaskedLMOutput(
            loss=loss, logits=logits, hidden_states=tuple(hidden) if output_hidden_states else None
        )


AutoConfig.register(MODEL_TYPE, DssConfig, exist_ok=True)
AutoModelForMaskedLM.register(DssConfig, DssForMaskedLM, exist_ok=True)


def build_config(
    preset: Mapping[str, Any], vocab_size: int = VOCAB_SIZE, n_species: int = 0, **overrides: Any
) -> DssConfig:
    """``vocab_size`` is the number of output classes (5: A C G T N); ``n_species`` > 0 makes it species-aware."""
    if vocab_size != VOCAB_SIZE:
        raise ValueError(
            f"dss predicts the {VOCAB_SIZE} nucleotide ids (A C G T N), got vocab_size={vocab_size}"
        )
    return DssConfig(**{**preset, "n_species": n_species, **overrides})


def build_model(config: DssConfig) -> PreTrainedModel:
    return DssForMaskedLM(config)


def collator(tokenizer: Any, *, mask_rate: float, edge: int = 30, seed: int = 0) -> NucleotideMaskingCollator:
    """``mask_rate`` of the A/C/G/T positions at least ``edge`` nt from both chunk ends."""
    return NucleotideMaskingCollator(SpecialIds.of(tokenizer), mask_rate=mask_rate, edge=edge, seed=seed)
