"""Dagster assets of the `sources` group: one asset per catalogue entry (data/sources.yaml) that downloads
the real file(s) into the artifact store, verified, at ``sources/{name}/{file}``; plus the per-chromosome
MAF exported from the Zoonomia HAL with hal2maf. Only the paper profile gets them (the sample profile's
inputs are bundled and a demo run must never touch the network).
"""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MetadataValue, Output, asset

from utr_assets.platform.artifacts import ArtifactHandle, ArtifactStoreResource
from utr_assets.platform.partitions import chromosome_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.settings import Settings
from utr_assets.sources import DEFAULT_CATALOGUE, Catalogue, Downloader, SourceEntry, load_catalogue
from utr_assets.sources.download import STORE_PREFIX, DownloadResult, default_staging

GROUP = "sources"
PROFILES_WITH_SOURCES = ("paper",)
CHECKS = {
    "download_verified": "Size and checksum match the catalogue / the provider's checksum file (blocking).",
    "checksum_published": "A checksum is pinned or published for this file (warning when unverified).",
}


def _handle(result: DownloadResult) -> ArtifactHandle:
    return ArtifactHandle(result.uri, result.sha256, result.size,
                          extra={"source": result.source, "url": result.url, "verification": result.verification,
                                 "md5": result.md5, "chrom": result.chrom})


def _report(key: AssetKey, result: DownloadResult):
    metadata = {"url": MetadataValue.url(result.url), "uri": result.uri, "bytes": result.size,
                "sha256": result.sha256, "verification": result.verification, "attempts": result.attempts,
                "resumed_from": result.resumed_from, "already_present": result.skipped}
    yield Output(_handle(result), metadata=metadata)
    yield plain_check(key, "download_verified", True, {"sha256": result.sha256, "bytes": result.size})
    yield plain_check(key, "checksum_published", result.verification != "unverified",
                      {"verification": result.verification}, blocking=False)


def _download_asset(entry: SourceEntry, catalogue: Catalogue, chromosomes: tuple[str, ...]):
    key = AssetKey([GROUP, entry.name])
    partitions = chromosome_partitions(chromosomes) if entry.per_chromosome else None

    @asset(key=key, group_name=GROUP, partitions_def=partitions, io_manager_key="handle_io_manager",
           code_version="1", check_specs=named_check_specs(key, CHECKS),
           description=f"{entry.title}. Downloaded from {entry.url} ({entry.verification}); feeds "
                       f"{entry.feeds or 'nothing directly'}. {entry.notes}".strip(),
           metadata={"licence": entry.licence, "verification": entry.verification})
    def _download(context: AssetExecutionContext, artifact_store: ArtifactStoreResource):
        files = catalogue.files(entry, chromosomes)
        if context.has_partition_key:
            files = [f for f in files if f.chrom == context.partition_key]
        downloader = Downloader(artifact_store.get_store(), default_staging(artifact_store.root))
        context.log.info(f"{entry.name}: downloading {files[0].url}")
        yield from _report(key, downloader.fetch(files[0]))

    return _download


def _hal2maf_asset(entry: SourceEntry, chromosomes: tuple[str, ...], reference_species: str):
    key = AssetKey([GROUP, entry.name])
    hal_key = AssetKey([GROUP, entry.derived_from or "zoonomia_hal"])

    @asset(key=key, group_name=GROUP, partitions_def=chromosome_partitions(chromosomes), deps=[hal_key],
           io_manager_key="handle_io_manager", code_version="1", check_specs=named_check_specs(key, CHECKS),
           description=f"{entry.title}: exported from the HAL with hal2maf (needs hal2maf on PATH and a local "
                       f"store). Feeds {entry.feeds}.")
    def _export(context: AssetExecutionContext, artifact_store: ArtifactStoreResource):
        from utr_assets.sources.hal import export_maf

        store = artifact_store.get_store()
        hal = store.path(STORE_PREFIX, hal_key.path[-1], "241-mammalian-2020v2.hal")
        chrom = context.partition_key
        staging = default_staging(artifact_store.root) / entry.name
        staging.mkdir(parents=True, exist_ok=True)
        local = export_maf(hal.path, chrom, staging / f"{chrom}.maf.gz", reference_species)
        handle = store.put_file(local, store.path(STORE_PREFIX, entry.name, f"{chrom}.maf.gz"))
        Path(local).unlink(missing_ok=True)
        result = DownloadResult(entry.name, f"hal2maf:{hal}", handle.uri, handle.bytes, handle.sha256, "",
                                "derived", chrom=chrom)
        yield Output(_handle(result), metadata={"uri": handle.uri, "bytes": handle.bytes, "sha256": handle.sha256})
        yield plain_check(key, "download_verified", handle.bytes > 0, {"bytes": handle.bytes})
        yield plain_check(key, "checksum_published", False, {"verification": "derived locally"}, blocking=False)

    return _export


def build_assets(settings: Settings, catalogue_path: str | Path = DEFAULT_CATALOGUE) -> list:
    """The source assets for the paper profile (none for the sample profile)."""
    if settings.profile not in PROFILES_WITH_SOURCES:
        return []
    catalogue = load_catalogue(catalogue_path)
    chromosomes = tuple(settings.alignments.chromosomes) if settings.alignments else ()
    species = settings.alignments.reference_species if settings.alignments else "Homo_sapiens"
    assets = []
    for entry in catalogue:
        if entry.url and (chromosomes or not entry.per_chromosome):
            assets.append(_download_asset(entry, catalogue, chromosomes))
        elif entry.derive == "hal2maf" and chromosomes:
            assets.append(_hal2maf_asset(entry, chromosomes, species))
    return assets
