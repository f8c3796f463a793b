"""The model slug rule: what a `model` partition key may look like.

What belongs here: the one pattern and its validator, used by the model registry, the checkpoint import
and the `model` partitions. It lives here, below every domain and free of Dagster, so that reading the
registry (`utr-assets models list`) does not load the platform. Not here: the partitions themselves
(platform/partitions.py) or registry entries (model_registry.py).
"""

from __future__ import annotations

import re

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def validate_slug(slug: str) -> str:
    """A model key is a slug (no '/', '.', spaces or upper case), never a hub id or a path."""
    if not isinstance(slug, str) or not SLUG_PATTERN.fullmatch(slug):
        raise ValueError(
            f"invalid model slug {slug!r}: use 1-63 characters from a-z, 0-9, '_' and '-', "
            "starting with a letter or digit (map hub ids such as 'org/model' to a slug in data/models.yaml)"
        )
    return slug
