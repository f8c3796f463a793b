"""CLI sub-commands on the model registry: `models list`, `models add`, `models import`.

What belongs here: turning arguments into registry entries and printing them. Not here: validation of
entries (model_registry.py) or the checkpoint conversion (models/importing.py). Nothing here imports
Dagster.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from utr_assets.settings import PROJECT_ROOT, SettingsError, load_settings


def cmd_models_list(args: argparse.Namespace) -> int:
    from utr_assets.model_registry import load_registry

    settings = load_settings(args.profile)
    registry = load_registry(args.registry or settings.registry)
    print(f"{'slug':<24}{'kind':<12}{'family':<12}{'preset':<10}{'orientation':<13}source")
    profile = settings.profile
    for entry in registry.values():
        source = f"{entry.source}@{entry.revision[:10]}" if entry.revision else (entry.source or "")
        print(
            f"{entry.slug:<24}{entry.kind:<12}{entry.family:<12}{entry.preset(profile) or '-':<10}"
            f"{entry.orientation + (' +species' if entry.species_aware else ''):<13}{source}"
        )
    return 0


def cmd_models_add(args: argparse.Namespace) -> int:
    from utr_assets.model_registry import ModelEntry, add_model

    bad = [item for item in args.preset if item.count("=") != 1 or not all(item.split("="))]
    if bad:
        raise ValueError(f"--preset {bad[0]!r}: expected PROFILE=PRESET, e.g. --preset sample=tiny")
    presets = dict(item.split("=", 1) for item in args.preset)
    entry = ModelEntry(
        slug=args.slug,
        kind=args.kind,
        family=args.family,
        display_name=args.display_name,
        presets=presets,
        source=args.source,
        revision=args.revision,
        orientation=args.orientation,
        species_aware=args.species_aware,
        human_only=args.human_only,
        trust_remote_code=args.trust_remote_code,
    )
    path = args.registry or load_settings(args.profile).registry
    add_model(entry, path)
    print(f"added {entry.slug} to {path}; the registry sensor adds its partition and benchmarks it")
    return 0


def cmd_models_import(args: argparse.Namespace) -> int:
    """A published checkpoint -> our native class, as a safetensors directory (models/importing.py)."""
    from utr_assets.model_registry import ModelEntry, add_model, load_registry
    from utr_assets.models.importing import import_checkpoint

    out = Path(args.out) if args.out else PROJECT_ROOT / "data" / "imported" / args.slug
    result = import_checkpoint(
        args.source, args.family, args.slug, out, revision=args.revision, overwrite=args.force
    )
    print(
        f"imported {args.source}{'@' + args.revision if args.revision else ''} as {args.family} "
        f"({result.parameters:,} parameters) -> {result.out_dir}"
    )
    if result.dropped:
        print(f"dropped on purpose by the {args.family} mapping: {', '.join(result.dropped)}")
    source = str(result.out_dir.resolve())
    entry = ModelEntry(
        slug=args.slug, kind="pretrained", family=args.family, source=source, display_name=args.display_name
    )
    if args.register:
        path = args.registry or load_settings(args.profile).registry
        existing = load_registry(path).get(args.slug)
        if existing is None:
            add_model(entry, path)
            print(f"added {args.slug} to {path}")
        elif existing.source and Path(existing.source).expanduser().resolve() == result.out_dir.resolve():
            print(f"{path}: {args.slug} already points at {result.out_dir}")
        else:
            raise SettingsError(
                f"{path}: {args.slug} is registered with source {existing.source!r}; "
                f"edit it to {source} (no trust_remote_code)"
            )
    else:
        print("registry entry (or rerun with --register):\n" + result.registry_line())
    return 0
