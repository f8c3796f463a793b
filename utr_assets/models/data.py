"""Training data plumbing: chunks of token ids (+ species index) and the deterministic batch plan.

What belongs here: coercing the corpus' chunk output into ``TokenChunks`` and deciding which chunk
indices form micro-batch m of optimiser step s on rank r. Not here: chunking (utr_assets.corpus) or masking.

Invariant: the batch plan is a pure function of (seed, step, world size), so a run resumed at step s
sees exactly the batches an uninterrupted run sees from step s on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class TokenChunks:
    """``ids``: a 2-D int array (n, length) or a sequence of 1-D arrays; ``species``: (n,) ints or None."""

    ids: np.ndarray | Sequence[np.ndarray]
    species: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.species is not None and len(self.species) != len(self.ids):
            raise ValueError(f"{len(self.species)} species indices for {len(self.ids)} chunks")

    @classmethod
    def of(cls, data: Any) -> TokenChunks:
        """Accept TokenChunks; the corpus' tokenised table (pandas or Arrow, columns ``input_ids`` and
        ``species_index``, -1 meaning none); a ``ChunkBatch`` (flat ``ids`` + ``offsets``); a dict or
        object with ``input_ids``/``ids`` (and ``species``); an (ids, species) tuple; or a bare 2-D
        array / list of id arrays."""
        if isinstance(data, TokenChunks):
            return data
        if isinstance(data, pa.Table):
            data = data.select([c for c in ("input_ids", "species_index") if c in data.column_names])
            ids_col = data.column("input_ids").combine_chunks()
            offsets = ids_col.offsets.to_numpy()
            flat = ids_col.values.to_numpy(zero_copy_only=False)
            ids = np.split(flat, offsets[1:-1] - offsets[0]) if len(offsets) > 1 else []
            sp = data.column("species_index").to_numpy() if "species_index" in data.column_names else None
            return cls(ids, _species(sp))
        if isinstance(data, pd.DataFrame):
            sp = data["species_index"].to_numpy() if "species_index" in data else data.get("species")
            return cls([np.asarray(x) for x in data["input_ids"]], _species(sp))
        if hasattr(data, "offsets") and hasattr(data, "ids"):  # corpus ChunkBatch (ragged, flattened)
            return cls(
                np.split(np.asarray(data.ids), np.asarray(data.offsets)[1:-1]),
                _species(getattr(data, "species", None)),
            )
        if isinstance(data, dict):
            listed = data.get("input_ids", data.get("ids"))
            if listed is None:  # no chunks to read (a TokenChunks of None would fail at its first use)
                raise ValueError("a dict of chunks needs `input_ids` or `ids`")
            return cls(listed, _species(data.get("species", data.get("species_index"))))
        for attr in ("input_ids", "ids"):
            if hasattr(data, attr):
                return cls(getattr(data, attr), _species(getattr(data, "species", None)))
        if isinstance(data, tuple) and len(data) == 2:
            return cls(data[0], _species(data[1]))
        return cls(data)

    def __len__(self) -> int:
        return len(self.ids)

    def example(self, i: int) -> dict[str, Any]:
        ex: dict[str, Any] = {"input_ids": np.asarray(self.ids[i])}
        if self.species is not None:
            ex["species"] = int(self.species[i])
        return ex


def _species(values: Any) -> np.ndarray | None:
    """Species indices as int64, or None when absent or all -1 (the corpus' "no species" marker)."""
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.int64)
    if len(arr) and (arr < 0).all():
        return None
    if (arr < 0).any():
        raise ValueError("some chunks have a species index and others none (-1)")
    return arr


@dataclass(frozen=True)
class BatchPlan:
    """Global batch = micro_batch_size x grad_accum_steps x world_size chunks; incomplete tail dropped."""

    n_chunks: int
    micro_batch_size: int
    grad_accum_steps: int
    world_size: int
    seed: int

    @property
    def global_batch(self) -> int:
        return self.micro_batch_size * self.grad_accum_steps * self.world_size

    @property
    def steps_per_epoch(self) -> int:
        steps = self.n_chunks // self.global_batch
        if steps == 0:
            raise ValueError(
                f"{self.n_chunks} training chunks are fewer than one global batch "
                f"({self.global_batch}); lower micro_batch_size or grad_accum_steps"
            )
        return steps

    def epoch_order(self, epoch: int) -> np.ndarray:
        return np.random.default_rng([self.seed, epoch]).permutation(self.n_chunks)

    def micro_batch(self, step: int, micro: int, rank: int, order: np.ndarray | None = None) -> np.ndarray:
        epoch, within = divmod(step, self.steps_per_epoch)
        order = self.epoch_order(epoch) if order is None else order
        start = within * self.global_batch + (micro * self.world_size + rank) * self.micro_batch_size
        return order[start : start + self.micro_batch_size]


def eval_batches(n_chunks: int, batch_size: int, rank: int = 0, world_size: int = 1) -> list[np.ndarray]:
    """Validation batches of this rank: chunk indices in order, batches dealt round-robin over ranks."""
    batches = [np.arange(i, min(i + batch_size, n_chunks)) for i in range(0, n_chunks, batch_size)]
    return batches[rank::world_size]
