"""The code location: merges each domain's definitions with the platform resources; nothing else."""

from dagster import Definitions, load_asset_checks_from_modules, load_assets_from_modules

from utr_assets.platform.resources import build_resources
from utr_assets.reference import assets as reference_assets
from utr_assets.settings import Settings, current_settings

DOMAINS = [reference_assets]


def build_definitions(settings: Settings) -> Definitions:
    return Definitions(
        assets=load_assets_from_modules(DOMAINS),
        asset_checks=load_asset_checks_from_modules(DOMAINS),
        resources=build_resources(settings),
    )


defs = build_definitions(current_settings())
