"""Partitions: `model` (dynamic, keyed by validated slugs) and `chromosome` (from settings).

The slug rule itself is common/slugs.py (re-exported here), so Dagster-free code can validate slugs.
"""

from __future__ import annotations

from dagster import DynamicPartitionsDefinition, StaticPartitionsDefinition

from utr_assets.common.slugs import SLUG_PATTERN, validate_slug

__all__ = ["MODEL_PARTITIONS", "SLUG_PATTERN", "chromosome_partitions", "model_partitions", "validate_slug"]

MODEL_PARTITIONS = "model"  # the name (a str, where `model_partitions.name` is typed `str | None`)
model_partitions = DynamicPartitionsDefinition(name=MODEL_PARTITIONS)


def chromosome_partitions(chromosomes: tuple[str, ...] | list[str]) -> StaticPartitionsDefinition:
    return StaticPartitionsDefinition(list(chromosomes))
