"""Dagster assets of the `sources` group (paper profile only): one asset per catalogue entry in the graph
(data/sources.yaml with the `sources` settings applied, see feeds.py) that downloads the real file(s) into
the artifact store, verified, at ``sources/{folder}/{file}``; and the derived sources (`sources_derived.py`):
the per-chromosome MAF of the 3'UTR intervals exported from the Zoonomia HAL with hal2maf, the files an
ENCODE metadata.tsv lists, the 3'UTR records of per-chromosome VCFs, the eQTL credible sets. The sample
profile's inputs are bundled: no asset here.

What belongs here: which asset each catalogue entry becomes (`build_assets`), the plain download asset,
and wiring the readers of the other groups to the sources that feed them (`wire_sources`). The shared
steps and the one asset builder are `sources_common.py`.

A file that fails verification reports a failed `download_verified` check and fails the step, so nothing
downstream of it runs.
"""

from pathlib import Path

from dagster import AllPartitionMapping, AssetExecutionContext, AssetsDefinition

from utr_assets.assets.sources_common import downloader, fetch_checked, report, source_asset, source_key
from utr_assets.assets.sources_derived import eqtl_asset, hal2maf_asset, listed_files_asset, vcf_3utr_asset
from utr_assets.platform.artifacts import ArtifactStoreResource
from utr_assets.platform.partitions import chromosome_partitions
from utr_assets.settings import Settings
from utr_assets.sources import Catalogue, SourceEntry
from utr_assets.sources.feeds import PROFILES_WITH_SOURCES, in_graph, source_catalogue

__all__ = ["build_assets", "source_key", "wire_sources"]


def _download_asset(
    entry: SourceEntry, catalogue: Catalogue, chromosomes: tuple[str, ...]
) -> AssetsDefinition:
    key = source_key(entry.name)
    description = (
        f"{entry.title}. Downloaded from {entry.url} ({entry.verification}); feeds "
        f"{entry.feeds or 'nothing directly'}. {entry.notes}".strip()
    )

    @source_asset(
        key,
        description,
        partitions_def=chromosome_partitions(chromosomes) if entry.per_chromosome else None,
        metadata={"licence": entry.licence, "verification": entry.verification},
    )
    def _download(context: AssetExecutionContext, artifact_store: ArtifactStoreResource):
        files = catalogue.files(entry, chromosomes)
        if context.has_partition_key:
            files = [f for f in files if f.chrom == context.partition_key]
        context.log.info(f"{entry.name}: downloading {files[0].url}")
        result = yield from fetch_checked(key, downloader(artifact_store), files[0])
        yield from report(key, [result], entry.verification)

    return _download


def build_assets(
    settings: Settings, catalogue: Catalogue | str | Path | None = None
) -> list[AssetsDefinition]:
    """The source assets of a profile with sources (none for the sample profile); ``catalogue`` defaults to
    the settings' (a path is loaded and gets the `sources` settings applied too)."""
    if settings.profile not in PROFILES_WITH_SOURCES:
        return []
    if catalogue is None or not isinstance(catalogue, Catalogue):
        sources = (
            settings.sources
            if catalogue is None
            else settings.sources.model_copy(update={"catalogue": str(catalogue)})
        )
        catalogue = source_catalogue(settings.model_copy(update={"sources": sources}))
    chromosomes = tuple(settings.alignments.chromosomes) if settings.alignments else ()
    species = settings.alignments.reference_species if settings.alignments else "Homo_sapiens"
    maf_downloaded = any(e.derive == "hal2maf" and e.url for e in catalogue)
    assets = []
    for entry in catalogue:
        if not in_graph(entry, chromosomes) or (maf_downloaded and entry.name == "zoonomia_hal"):
            continue
        if entry.url:
            assets.append(_download_asset(entry, catalogue, chromosomes))
        elif entry.derive == "hal2maf" and chromosomes:
            assets.append(hal2maf_asset(entry, chromosomes, species))
        elif entry.derive == "encode_files":
            assets.append(listed_files_asset(entry, catalogue, settings.sources))
        elif entry.derive == "eqtl_susie":
            assets.append(eqtl_asset(entry, catalogue, settings.sources))
        elif entry.derive == "vcf_3utr" and chromosomes:
            assets.append(vcf_3utr_asset(entry, catalogue, chromosomes))
    return assets


def wire_sources(settings: Settings, assets: list, sources: list) -> list:
    """``assets`` with each reader depending on the source assets feeding its settings, plus ``sources``."""
    if not sources:
        return assets
    from utr_assets.platform.lineage import with_extra_deps
    from utr_assets.sources.feeds import reader_deps

    catalogue = source_catalogue(settings)
    readers = reader_deps(settings, catalogue)
    partitions = {key: a.partitions_def for a in sources for key in a.keys}
    wired = []
    for assets_def in assets:
        names = [name for key in assets_def.keys for name in readers.get(key.to_user_string(), [])]
        keys = [source_key(name) for name in names]
        mapping = {
            k: AllPartitionMapping()
            for k in keys
            if partitions.get(k) is not None and partitions[k] != assets_def.partitions_def
        }
        wired.append(with_extra_deps(assets_def, keys, mapping) if keys else assets_def)
    return [*sources, *wired]
