"""Cross-validation folds for the probes: outer fold labels, inner splits, and the checks that they are
usable (no group on both sides of a split, both classes in every part), else `FoldError`.

What belongs here: turning groups and labels into fold labels or (train, test) index pairs. Not here: the
fits on those folds (`probes` for Ridge/SVR, `mlp_probe` for the MLP classifier).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, StratifiedKFold


class FoldError(ValueError):
    """A cross-validation split that cannot be used (one class only, a group on both sides, ...)."""


def check_grouping(folds: np.ndarray, groups: np.ndarray) -> None:
    """Raise `FoldError` if any group has samples in more than one outer fold."""
    folds, groups = np.asarray(folds), np.asarray(groups)
    pairs = {(g, f) for g, f in zip(groups.tolist(), folds.tolist(), strict=True)}
    seen: dict[Any, Any] = {}
    for g, f in sorted(pairs, key=repr):
        if g in seen and seen[g] != f:
            raise FoldError(f"group {g!r} is in outer folds {seen[g]!r} and {f!r}: grouped CV would leak")
        seen[g] = f


def group_folds(groups: Sequence[Any], n_splits: int | None = None, seed: int = 0) -> np.ndarray:
    """Fold label per sample: leave-one-group-out (n_splits None) or n_splits shuffled grouped folds."""
    labels = np.asarray(groups)
    uniq, inverse = np.unique(labels, return_inverse=True)
    if n_splits is None or n_splits >= uniq.size:
        return inverse.astype(int)
    if n_splits < 2:
        raise FoldError(f"need >= 2 folds, got {n_splits}")
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = np.empty(labels.size, dtype=int)
    for k, (_, test) in enumerate(splitter.split(np.zeros(labels.size), groups=labels)):
        folds[test] = k
    return folds


def inner_group_splits(groups: np.ndarray, n_inner: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    n_groups = np.unique(groups).size
    if n_groups < 2:
        raise FoldError(f"inner CV needs >= 2 groups in the training part, got {n_groups}")
    # unshuffled, as the study's GroupKFold(n_splits=5) (`seed` kept for the callers' signature)
    splitter = GroupKFold(n_splits=min(n_inner, n_groups))
    return list(splitter.split(np.zeros(groups.size), groups=groups))


def check_both_classes(y: np.ndarray, splits: list[tuple[np.ndarray, np.ndarray]], where: str) -> None:
    for k, (train, test) in enumerate(splits):
        for part, idx in (("train", train), ("test", test)):
            counts = np.bincount(y[idx], minlength=2)
            if (counts == 0).any():
                raise FoldError(
                    f"{where} fold {k}: {part} part has {counts[1]} positives and {counts[0]} "
                    "negatives; every fold needs both classes (fewer folds or more data)"
                )


def class_splits(
    y: np.ndarray, groups: np.ndarray | None, n_splits: int, seed: int, where: str
) -> list[tuple[np.ndarray, np.ndarray]]:
    if groups is None:
        splitter: Any = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = list(splitter.split(np.zeros(y.size), y))
    else:
        n_groups = np.unique(groups).size
        if n_groups < n_splits:
            raise FoldError(f"{where}: {n_groups} groups cannot make {n_splits} grouped folds")
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = list(splitter.split(np.zeros(y.size), y, groups))
    check_both_classes(y, splits, where)
    return splits
