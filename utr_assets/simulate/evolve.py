"""Evolution of one aligned region along the species tree: per-site substitution rates
(functional sites slow), insertions and deletions (never inside protected sites), assembled into
an alignment matrix with the human sequence as reference.

The walk starts at the human leaf (see species.py). Substitutions follow a symmetric kernel
(transitions 3x as likely as each transversion) with P(change) = 3/4 (1 - exp(-4/3 r t)).
Inserted bases are columns where human has a gap; each insertion event owns its columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from utr_assets.simulate.fileio import GAP, N
from utr_assets.simulate.species import Walk

INDEL_RATE = 0.02  # insertion (and deletion) events per site per substitution unit
MAX_INDEL = 30
_SHIFT_P = np.array([0.2, 0.6, 0.2])  # +1, +2 (transition A<->G, C<->T), +3


@dataclass
class _State:
    core: np.ndarray
    ins_pos: np.ndarray
    ins_key: np.ndarray  # event id * 64 + offset in the event
    ins_base: np.ndarray


@dataclass
class RegionAlignment:
    rows: np.ndarray  # [species, columns] codes, GAP = 5; row 0 is human
    core_cols: np.ndarray  # column of each human base
    ancestor: np.ndarray  # codes of human's parent node over the human bases (GAP where deleted)


def _substitute(
    rng: np.random.Generator, codes: np.ndarray, rates: np.ndarray | float, t: float
) -> np.ndarray:
    p = 0.75 * (1.0 - np.exp(-4.0 / 3.0 * rates * t))
    hit = (rng.random(len(codes)) < p) & (codes < N)
    if hit.any():
        codes = codes.copy()
        codes[hit] = (codes[hit] + rng.choice((1, 2, 3), size=int(hit.sum()), p=_SHIFT_P)) % 4
    return codes


class Evolver:
    def __init__(self, walk: Walk, rng: np.random.Generator) -> None:
        self.walk, self.rng = walk, rng
        self.next_event = 0

    def _branch(self, parent: _State, t: float, rates: np.ndarray, protect: np.ndarray) -> _State:
        rng, length = self.rng, len(parent.core)
        core = _substitute(rng, parent.core, rates, t)
        ins_base = _substitute(rng, parent.ins_base, 1.0, t)
        ins_pos, ins_key = parent.ins_pos, parent.ins_key
        for _ in range(rng.poisson(INDEL_RATE * t * length)):
            start = int(rng.integers(length))
            end = min(length, start + min(MAX_INDEL, int(rng.geometric(0.35))))
            if protect[start:end].any():
                continue
            core = core.copy() if core is parent.core else core
            core[start:end] = GAP
            ins_base = np.where((ins_pos >= start) & (ins_pos < end), GAP, ins_base).astype(np.uint8)
        budget = int(0.2 * length) + 20 - len(ins_pos)
        for _ in range(rng.poisson(INDEL_RATE * t * length)):
            pos = int(rng.integers(length))
            size = min(MAX_INDEL, int(rng.geometric(0.35)))
            if protect[pos : pos + 2].any() or size > budget:
                continue
            budget -= size
            self.next_event += 1
            ins_pos = np.concatenate([ins_pos, np.full(size, pos, dtype=np.int64)])
            ins_key = np.concatenate([ins_key, self.next_event * 64 + np.arange(size, dtype=np.int64)])
            ins_base = np.concatenate(
                [ins_base, rng.choice(4, size=size, p=(0.3, 0.2, 0.2, 0.3)).astype(np.uint8)]
            )
        return _State(core, ins_pos, ins_key, ins_base)

    def evolve(self, human: np.ndarray, rates: np.ndarray, protect: np.ndarray) -> RegionAlignment:
        empty_i, empty_b = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8)
        states: dict[int, _State] = {self.walk.leaves[0]: _State(human, empty_i, empty_i, empty_b)}
        for parent, child, t in self.walk.edges:
            states[child] = self._branch(states[parent], t, rates, protect)
        leaves = [states[i] for i in self.walk.leaves]
        all_pos = np.concatenate([s.ins_pos for s in leaves])
        all_key = np.concatenate([s.ins_key for s in leaves])
        composite = np.unique((all_pos << 32) | all_key)  # sorted by (position, event, offset)
        length = len(human)
        ins_positions = composite >> 32
        core_cols = np.arange(length) + np.searchsorted(ins_positions, np.arange(length), side="left")
        rows = np.full((len(leaves), length + len(composite)), GAP, dtype=np.uint8)
        rows[:, core_cols] = np.stack([s.core for s in leaves])
        for i, s in enumerate(leaves):
            if len(s.ins_key):
                j = np.searchsorted(composite, (s.ins_pos << 32) | s.ins_key)
                rows[i, ins_positions[j] + 1 + j] = s.ins_base
        human_parent = self.walk.edges[0][1]
        return RegionAlignment(rows, core_cols, states[human_parent].core)
