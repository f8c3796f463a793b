"""Model FLOP counts and accelerator peaks shared by the GPU benchmarks.

Counted: 2 x (weights of every Linear/Conv1d layer) per token for a forward pass, plus attention
4 L^2 H per layer and sequence (QK^T and AV); a training step is 3 forward passes (forward + a
backward of twice its FLOPs), the usual model-FLOPs-utilisation convention. FFT convolutions (DSS)
are not counted. Peaks: dense bf16, H100 SXM / H200 989 TFLOP/s, H100 PCIe 756.
"""

from __future__ import annotations

import numpy as np
import torch


def matmul_weights(model: torch.nn.Module) -> int:
    return sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear | torch.nn.Conv1d))


def forward_flops(model: torch.nn.Module, lengths: np.ndarray) -> float:
    """FLOPs of one forward pass over sequences of the given token lengths."""
    cfg = model.config
    layers = getattr(cfg, "num_hidden_layers", 0)
    attention = 4 * (np.asarray(lengths, dtype=float) ** 2).sum() * getattr(cfg, "hidden_size", 0) * layers
    return 2.0 * matmul_weights(model) * float(np.sum(lengths)) + attention


def peak_flops(device: torch.device) -> float | None:
    if device.type != "cuda":
        return None
    return 756e12 if "PCIe" in torch.cuda.get_device_name(device) else 989e12
