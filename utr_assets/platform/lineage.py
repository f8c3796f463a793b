"""Adding non-argument dependencies to an existing asset (a download upstream of the asset that reads it).

Dagster's ``map_asset_specs`` re-declares every dependency as a ``Nothing`` input when one is added
(dagster 1.13 ``replace_specs_on_asset`` iterates all deps, not the added ones), which breaks assets with
data inputs; ``with_extra_deps`` adds only the new keys as ``Nothing`` inputs and keeps the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from dagster import AssetDep, AssetKey, AssetsDefinition, In, Nothing, PartitionMapping


def with_extra_deps(
    assets_def: AssetsDefinition,
    keys: Sequence[AssetKey],
    mapping: Mapping[AssetKey, PartitionMapping] | None = None,
) -> AssetsDefinition:
    """``assets_def`` with ``keys`` as extra upstream dependencies of each of its assets (no data passed)."""
    from dagster._core.definitions.assets.definition.assets_definition import (
        stringify_asset_key_to_input_name,
    )

    mapping = mapping or {}
    known = {dep.asset_key for spec in assets_def.specs for dep in spec.deps}
    added = [k for k in dict.fromkeys(keys) if k not in known]
    if not added:
        return assets_def
    new_deps = [AssetDep(k, partition_mapping=mapping.get(k)) for k in added]
    specs = [spec.replace_attributes(deps=[*spec.deps, *new_deps]) for spec in assets_def.specs]
    names = {stringify_asset_key_to_input_name(k): k for k in added}
    # The op's own InputDefinitions pass through unchanged: OpDefinition accepts them beside In (its
    # __init__ keeps `inp if isinstance(inp, InputDefinition)`), though `ins` is annotated Mapping[str, In];
    # In.from_definition would lose which inputs take their type from the function's annotations.
    ins = cast(
        Mapping[str, In],
        {**assets_def.node_def.input_dict, **{name: In(dagster_type=Nothing) for name in names}},
    )
    return assets_def.__class__.dagster_internal_init(
        **{
            **assets_def.get_attributes_dict(),
            "keys_by_input_name": {**assets_def.keys_by_input_name, **names},  # so the plan wires the step
            "node_def": assets_def.op.with_replaced_properties(name=assets_def.op.name, ins=ins),
            "specs": specs,
        }
    )
