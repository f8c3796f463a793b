"""The one registry of model families: name -> `Family` (utr_assets/families/base.py).

What belongs here: the registry (`FAMILIES`, `register`, `family`, lookups by model type and by role)
and the registration lines. Not here: any family's facts (one module per family beside this one).

Adding a family = one module defining ``FAMILY = Family(...)`` + one ``register(...)`` line below.
This package imports only the standard library (see base.py), so settings and the model registry read
it without loading torch or dagster.
"""

from __future__ import annotations

from utr_assets.families.base import ChunkRule, CostModel, Family, resolve

FAMILIES: dict[str, Family] = {}


class UnknownFamilyError(KeyError, ValueError):
    """A family name (or model type) that no registered family has; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def register(fam: Family) -> Family:
    """Add ``fam`` to the registry (a name registered twice is an error unless it is the same object)."""
    if FAMILIES.get(fam.name, fam) is not fam:
        raise ValueError(f"model family {fam.name!r} is registered twice")
    FAMILIES[fam.name] = fam
    return fam


def family(name: str) -> Family:
    """The family called ``name`` (as in data/models.yaml)."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownFamilyError(
            f"unknown model family {name!r}; known: {', '.join(sorted(FAMILIES))}"
        ) from None


def trainable_family(name: str) -> Family:
    """The language-model family called ``name``; a baseline or unknown name is an UnknownFamilyError."""
    fam = FAMILIES.get(name)
    if fam is None or not fam.trainable:
        raise UnknownFamilyError(
            f"no trainable model family {name!r}; known: {', '.join(trainable_names())} "
            "(baselines such as zoo_al or phylop are not trained)"
        )
    return fam


def trainable_names() -> list[str]:
    """Names of the language-model families, sorted."""
    return sorted(name for name, fam in FAMILIES.items() if fam.trainable)


def importable_names() -> list[str]:
    """Names of the families whose published checkpoints `utr-assets models import` reads, sorted."""
    return sorted(name for name, fam in FAMILIES.items() if fam.import_spec is not None)


def for_model_type(model_type: str | None) -> Family:
    """The family whose models have ``config.model_type == model_type``."""
    for fam in FAMILIES.values():
        if fam.model_type is not None and fam.model_type == model_type:
            return fam
    raise UnknownFamilyError(f"no family builds models of type {model_type!r}")


from utr_assets.families import baselines, dnabert, dnabert2, dss, nt  # noqa: E402  (the registrations)

register(dnabert.FAMILY)
register(dnabert2.FAMILY)
register(nt.FAMILY)
register(dss.FAMILY)
register(baselines.ZOO_AL)
register(baselines.PHYLOP)
register(baselines.CADD)
register(baselines.KMER)
register(baselines.GRIESEMER)

__all__ = [
    "FAMILIES",
    "ChunkRule",
    "CostModel",
    "Family",
    "UnknownFamilyError",
    "family",
    "for_model_type",
    "importable_names",
    "register",
    "resolve",
    "trainable_family",
    "trainable_names",
]
