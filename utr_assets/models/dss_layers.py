"""Torch building blocks of the state-space (DSS) family: the bidirectional diagonal state-space
kernel with FFT convolution, the DSS residual layer (GLU output), and the residual conv block.

What belongs here: plain nn.Modules with no Hugging Face dependency. Not here: the config, the
masked-LM head and registration (dss.py).

Tensors are channels-last (batch, length, d_model) between blocks. The kernel follows DSS/S4D with a
zero-order-hold discretisation: K[c, l] = 2 Re(sum_n C[c, n] exp(dt_c Lambda[c, n] l)), with
Lambda = -exp(log_neg_re) + i im (stable by construction) and C = W (exp(dt Lambda) - 1) / Lambda.
Channels [0, d) run forward in the sequence, [d, 2d) backward; the FFT always runs in float32.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class BidirectionalDSSKernel(nn.Module):
    def __init__(self, d_model: int, n_states: int, dt_min: float = 1e-3, dt_max: float = 1e-1) -> None:
        super().__init__()
        self.d_model, self.n_states, self.dt_min, self.dt_max = d_model, n_states, dt_min, dt_max
        channels = 2 * d_model
        self.log_dt = nn.Parameter(torch.empty(channels))
        self.log_neg_re = nn.Parameter(torch.empty(channels, n_states))
        self.im = nn.Parameter(torch.empty(channels, n_states))
        self.w = nn.Parameter(torch.empty(channels, n_states, 2))  # complex as (real, imag)
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self) -> None:
        u = torch.rand(self.log_dt.shape)
        self.log_dt.copy_(math.log(self.dt_min) + u * (math.log(self.dt_max) - math.log(self.dt_min)))
        self.log_neg_re.fill_(math.log(0.5))  # S4D-Lin: Lambda_n = -1/2 + i pi n
        self.im.copy_(math.pi * torch.arange(self.n_states, dtype=torch.float32).expand_as(self.im))
        self.w.normal_(0.0, math.sqrt(0.5))

    def forward(self, length: int) -> torch.Tensor:
        """Kernel of shape (2 * d_model, length), float32."""
        dt = self.log_dt.float().exp()[:, None]
        lam = torch.complex(-self.log_neg_re.float().exp(), self.im.float())
        dt_lam = lam * dt
        c = torch.view_as_complex(self.w.float().contiguous()) * (dt_lam.exp() - 1.0) / lam
        steps = torch.arange(length, device=lam.device, dtype=torch.float32)
        vandermonde = torch.exp(dt_lam[:, :, None] * steps)  # (channels, n_states, length)
        return 2.0 * torch.einsum("cn,cnl->cl", c, vandermonde).real


def bidirectional_fft_conv(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """x: (batch, d, length); kernel: (2d, length) -> (batch, d, length). Forward lags 0..L-1 from the
    first half, backward lags -1..-(L-1) from the second half (lag 0 counted once)."""
    d, length = x.shape[1], x.shape[2]
    k_fwd, k_bwd = kernel[:d], kernel[d:]
    two_sided = F.pad(k_fwd, (0, length)) + F.pad(k_bwd.flip(-1), (length, 0))
    n = 2 * length
    y = torch.fft.irfft(torch.fft.rfft(x.float(), n=n) * torch.fft.rfft(two_sided, n=n), n=n)
    return y[..., :length]


class DSSLayer(nn.Module):
    """Pre-norm residual: x + GLU(Linear(GELU(DSS(LN(x)) + D * LN(x))))."""

    def __init__(self, d_model: int, n_states: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.kernel = BidirectionalDSSKernel(d_model, n_states)
        self.skip = nn.Parameter(torch.randn(d_model))
        self.out = nn.Linear(d_model, 2 * d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.norm(x)
        with torch.autocast(device_type=x.device.type, enabled=False):
            k = self.kernel(x.shape[1])
            y = bidirectional_fft_conv(z.float().transpose(1, 2), k).transpose(1, 2)
            y = y + self.skip.float() * z.float()
        y = self.dropout(F.gelu(y)).to(x.dtype)
        return x + self.dropout(F.glu(self.out(y), dim=-1))


class ResidualConvBlock(nn.Module):
    """Pre-norm residual: x + Conv(GELU(Conv(LN(x)))), 'same' padding."""

    def __init__(self, d_model: int, kernel_size: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(d_model)
        self.conv1 = nn.Conv1d(d_model, d_model, kernel_size, padding=kernel_size // 2)
        self.conv2 = nn.Conv1d(d_model, d_model, kernel_size, padding=kernel_size // 2)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.norm(x).transpose(1, 2)
        z = self.conv2(self.dropout(F.gelu(self.conv1(z))))
        return x + self.dropout(z.transpose(1, 2))
