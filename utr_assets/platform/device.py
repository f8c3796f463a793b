"""Torch device resource: picks cuda, mps or cpu (``auto``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from dagster import ConfigurableResource

if TYPE_CHECKING:
    import torch


def resolve_device(requested: str = "auto") -> torch.device:
    """Return the torch device for ``requested``; asking for an absent accelerator is an error."""
    import torch

    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            "device 'cuda' requested but torch.cuda.is_available() is False "
            f"(torch {torch.__version__}); use device: auto or cpu"
        )
    if requested == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise RuntimeError("device 'mps' requested but MPS is not available on this machine")
    if requested not in ("cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {requested!r}; expected auto, cpu, cuda or mps")
    return torch.device(requested)


class TorchDevice(ConfigurableResource):
    """Where training and scoring run; ``auto`` prefers cuda, then mps, then cpu."""

    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"

    def get(self) -> torch.device:
        return resolve_device(self.device)
