"""The species vocabulary of species-aware models: species name (verbatim) -> integer index.

What belongs here: building, saving (species.json beside the tokenizer) and applying the vocabulary.
Invariant (docs/protocol.md §3): a species outside the vocabulary is an error, or - only when the vocabulary was
built with ``unknown=True`` - the explicit unknown index ``len(species)``; never another species' index.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SPECIES_FILE = "species.json"


class UnknownSpeciesError(KeyError):
    """A species name that the vocabulary does not contain (and it has no unknown index)."""


@dataclass(frozen=True)
class SpeciesVocabulary:
    species: tuple[str, ...]  # sorted, unique, verbatim names; index = position
    unknown: bool = False  # if True, index len(species) stands for any other species

    @classmethod
    def from_names(cls, names: Iterable[str], *, unknown: bool = False) -> SpeciesVocabulary:
        unique = sorted(set(names))
        if any(not isinstance(n, str) or not n for n in unique):
            raise ValueError("species names must be non-empty strings")
        return cls(tuple(unique), unknown)

    @property
    def size(self) -> int:
        """Rows an embedding table needs (the unknown index included)."""
        return len(self.species) + int(self.unknown)

    @property
    def unknown_index(self) -> int | None:
        return len(self.species) if self.unknown else None

    def index(self, name: str) -> int:
        try:
            return self.species.index(name)
        except ValueError:
            if self.unknown:
                return len(self.species)
            raise UnknownSpeciesError(name) from None

    def indices(self, names: Iterable[str]) -> np.ndarray:
        """Vectorised `index` (int32); raises UnknownSpeciesError naming the missing species."""
        names = list(names)
        codes = pd.Categorical(pd.Series(names, dtype=object), categories=list(self.species)).codes
        codes = np.asarray(codes, dtype=np.int32)
        missing = codes < 0
        if missing.any():
            if not self.unknown:
                bad = sorted({n for n, m in zip(names, missing, strict=True) if m})
                raise UnknownSpeciesError(f"species not in the vocabulary: {bad[:10]}")
            codes[missing] = len(self.species)
        return codes

    def save(self, directory: str | os.PathLike[str]) -> Path:
        path = Path(directory) / SPECIES_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"species": list(self.species), "unknown": self.unknown}, indent=1))
        return path

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> SpeciesVocabulary:
        data = json.loads((Path(directory) / SPECIES_FILE).read_text())
        return cls(tuple(data["species"]), bool(data["unknown"]))
