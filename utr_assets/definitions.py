"""The code location: merges each domain's definitions with the platform resources; nothing else."""

from dagster import Definitions, load_asset_checks_from_modules, load_assets_from_modules

from utr_assets.assets import alignments as alignment_assets
from utr_assets.assets import corpus as corpus_assets
from utr_assets.assets import evaluation as benchmark_assets
from utr_assets.assets import models as model_assets
from utr_assets.assets import reference as reference_assets
from utr_assets.assets import scoring as scoring_assets
from utr_assets.assets import scoring_embeddings, scoring_variants
from utr_assets.assets import sources as source_assets
from utr_assets.assets.sources import wire_sources
from utr_assets.automation import build_automation
from utr_assets.platform.executors import build_executor
from utr_assets.platform.resources import build_resources
from utr_assets.settings import Settings, current_settings

STATIC_DOMAINS = [
    reference_assets,
    corpus_assets,
    model_assets,
    scoring_assets,
    scoring_embeddings,
    scoring_variants,
    benchmark_assets,
]
SETTINGS_DOMAINS = [alignment_assets]  # their partitions follow the settings (chromosomes)


def build_definitions(settings: Settings) -> Definitions:
    assets = [
        *load_assets_from_modules(STATIC_DOMAINS),
        *(a for domain in SETTINGS_DOMAINS for a in domain.build_assets(settings)),
    ]
    assets = wire_sources(settings, assets, source_assets.build_assets(settings))  # paper: downloads upstream
    return Definitions(
        assets=assets,
        asset_checks=load_asset_checks_from_modules(STATIC_DOMAINS),
        resources=build_resources(settings),
        executor=build_executor(settings),
        **build_automation(settings, assets),
    )


defs = build_definitions(current_settings())
