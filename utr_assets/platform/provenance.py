"""Provenance recorded on every stored output: the inputs it was computed from (URI + sha256), the
settings profile and override, and the versions of the packages that shape results.

The IO managers call `note_input` while loading a step's inputs and `output_provenance` when they
store its output; the registry is keyed by (run id, step key), so steps of concurrent runs in one
process never mix.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from importlib import metadata
from typing import Any

PACKAGES = (
    "utr-assets",
    "dagster",
    "torch",
    "transformers",
    "tokenizers",
    "pandas",
    "numpy",
    "scikit-learn",
    "pysam",
    "great_expectations",
)
_lock = threading.Lock()
_inputs: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def note_input(run_id: str, step_key: str, name: str, uri: str, sha256: str) -> None:
    with _lock:
        _inputs.setdefault((run_id, step_key), {})[name] = {"uri": uri, "sha256": sha256}


def step_inputs(run_id: str, step_key: str) -> dict[str, dict[str, Any]]:
    with _lock:
        return dict(_inputs.get((run_id, step_key), {}))


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def output_provenance(run_id: str, step_key: str, profile: str, override: str | None) -> dict[str, Any]:
    return {
        "inputs": step_inputs(run_id, step_key),
        "profile": profile,
        "override": override,
        "packages": package_versions(),
    }
