"""The building blocks of our DNABERT-2 (MosaicBERT) encoder: embeddings, ALiBi attention over unpadded
tokens, the gated feed-forward, one layer, the encoder with its attention bias.

What belongs here: the `nn.Module`s below the model, with the publisher's parameter names (their semantics
are described in `dnabert2_modeling.py`). Not here: the config (`dnabert2_config.py`), the models, the MLM
head and the Auto registration (`dnabert2_modeling.py`).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from utr_assets.models.dnabert2_config import Dnabert2Config

PAD_BIAS = -10000.0  # the publisher's additive mask value at padded keys


def alibi_slopes(n_heads: int) -> list[float]:
    """Per-head ALiBi slopes (the publisher's ``_get_alibi_head_slopes``)."""

    def power_of_2(n: int) -> list[float]:
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start**i for i in range(n)]

    if math.log2(n_heads).is_integer():
        return power_of_2(n_heads)
    closest = 2 ** math.floor(math.log2(n_heads))
    return power_of_2(closest) + alibi_slopes(2 * closest)[0::2][: n_heads - closest]


class Dnabert2Embeddings(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(
            config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id
        )
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        return self.dropout(self.LayerNorm(x))


class Dnabert2SelfAttention(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.n_heads = config.num_attention_heads
        self.head_size = config.hidden_size // config.num_attention_heads
        self.p_dropout = config.attention_probs_dropout_prob
        self.Wqkv = nn.Linear(config.hidden_size, 3 * config.hidden_size)

    def forward(self, x: torch.Tensor, layout: TokenLayout, bias: torch.Tensor) -> torch.Tensor:
        qkv = layout.pad(self.Wqkv(x))  # (b, s, 3 * hidden)
        b, s, _ = qkv.shape
        q, k, v = qkv.view(b, s, 3, self.n_heads, self.head_size).permute(2, 0, 3, 1, 4).unbind(0)
        out = F.scaled_dot_product_attention(
            q, k, v, attn_mask=bias.to(q.dtype), dropout_p=self.p_dropout if self.training else 0.0
        )
        return layout.unpad(out.transpose(1, 2).reshape(b, s, -1))


class Dnabert2SelfOutput(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Dnabert2Attention(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.self = Dnabert2SelfAttention(config)
        self.output = Dnabert2SelfOutput(config)

    def forward(self, x: torch.Tensor, layout: TokenLayout, bias: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, layout, bias), x)


class Dnabert2GatedMLP(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.intermediate_size = config.intermediate_size
        self.gated_layers = nn.Linear(config.hidden_size, 2 * config.intermediate_size, bias=False)
        self.act = nn.GELU(approximate="none")
        self.wo = nn.Linear(config.intermediate_size, config.hidden_size)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.layernorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gated, non_gated = self.gated_layers(x).split(self.intermediate_size, dim=-1)
        return self.layernorm(self.wo(self.dropout(self.act(gated) * non_gated)) + x)


class Dnabert2Layer(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.attention = Dnabert2Attention(config)
        self.mlp = Dnabert2GatedMLP(config)

    def forward(self, x: torch.Tensor, layout: TokenLayout, bias: torch.Tensor) -> torch.Tensor:
        return self.mlp(self.attention(x, layout, bias))


class TokenLayout:
    """Where the real tokens of a (batch, seq) block are: ``indices`` into the flattened block, or None
    when every position is real (then unpadding is a reshape)."""

    def __init__(self, mask: torch.Tensor) -> None:
        self.batch, self.seq = mask.shape
        flat = mask.reshape(-1).bool()
        self.indices = None if bool(flat.all()) else flat.nonzero().squeeze(1)

    def unpad(self, x: torch.Tensor) -> torch.Tensor:
        """(b, s, d) -> (real tokens, d)."""
        x = x.reshape(self.batch * self.seq, -1)
        return x if self.indices is None else x.index_select(0, self.indices)

    def pad(self, x: torch.Tensor) -> torch.Tensor:
        """(real tokens, d) -> (b, s, d) with zeros at padded positions."""
        if self.indices is not None:
            x = x.new_zeros(self.batch * self.seq, x.shape[-1]).index_copy(0, self.indices, x)
        return x.view(self.batch, self.seq, -1)


class Dnabert2Encoder(nn.Module):
    def __init__(self, config: Dnabert2Config) -> None:
        super().__init__()
        self.layer = nn.ModuleList(Dnabert2Layer(config) for _ in range(config.num_hidden_layers))
        # a plain attribute, not a buffer: from_pretrained leaves non-persistent buffers uninitialised
        self.slopes = tuple(alibi_slopes(config.num_attention_heads))

    def attention_bias(self, mask: torch.Tensor) -> torch.Tensor:
        """(b or 1, heads, s, s) additive bias: ALiBi plus PAD_BIAS at padded keys (float32)."""
        s = mask.shape[1]
        pos = torch.arange(s, device=mask.device)
        distance = (pos[None, :] - pos[:, None]).abs()
        slopes = torch.tensor(self.slopes, dtype=torch.float32, device=mask.device)
        alibi = slopes[:, None, None] * -distance  # (heads, s, s)
        if bool(mask.all()):
            return alibi[None]
        return (1.0 - mask[:, None, None, :].float()) * PAD_BIAS + alibi[None]
