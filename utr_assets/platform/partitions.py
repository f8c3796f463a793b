"""Partitions: `model` (dynamic, keyed by validated slugs) and `chromosome` (from settings)."""

from __future__ import annotations

import re

from dagster import DynamicPartitionsDefinition, StaticPartitionsDefinition

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")

model_partitions = DynamicPartitionsDefinition(name="model")


def validate_slug(slug: str) -> str:
    """A model key is a slug (no '/', '.', spaces or upper case), never a hub id or a path."""
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
        raise ValueError(
            f"invalid model slug {slug!r}: use 1-63 characters from a-z, 0-9, '_' and '-', "
            "starting with a letter or digit (map hub ids such as 'org/model' to a slug in data/models.yaml)"
        )
    return slug


def chromosome_partitions(chromosomes: tuple[str, ...] | list[str]) -> StaticPartitionsDefinition:
    return StaticPartitionsDefinition(list(chromosomes))
