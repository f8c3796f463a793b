"""Dagster assets of the `sources` group (paper profile only): one asset per catalogue entry in the graph
(data/sources.yaml with the `sources` settings applied, see feeds.py) that downloads the real file(s) into
the artifact store, verified, at ``sources/{folder}/{file}``; and the derived sources: the per-chromosome
MAF of the 3'UTR intervals exported from the Zoonomia HAL with hal2maf, the files an ENCODE metadata.tsv
lists, the 3'UTR records of per-chromosome VCFs. The sample profile's inputs are bundled: no asset here.

A file that fails verification reports a failed `download_verified` check and fails the step, so nothing
downstream of it runs.
"""

from pathlib import Path

import pandas as pd
from dagster import (
    AllPartitionMapping,
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MetadataValue,
    Output,
    asset,
)

from utr_assets.platform.artifacts import ArtifactHandle, ArtifactStoreResource
from utr_assets.platform.partitions import chromosome_partitions
from utr_assets.platform.quality import named_check_specs, plain_check
from utr_assets.settings import Settings
from utr_assets.sources import Catalogue, Downloader, SourceEntry, SourceError
from utr_assets.sources.catalogue import SourceFile
from utr_assets.sources.download import STORE_PREFIX, DownloadResult, default_staging
from utr_assets.sources.feeds import PROFILES_WITH_SOURCES, apply_sources, in_graph, source_catalogue

GROUP = "sources"
CHECKS = {
    "download_verified": "Size and checksum match the catalogue / the provider's checksum file (blocking).",
    "checksum_published": "A checksum is pinned or published for this file (warning when unverified).",
}


def source_key(name: str) -> AssetKey:
    return AssetKey([GROUP, name])


def _handle(result: DownloadResult) -> ArtifactHandle:
    return ArtifactHandle(
        result.uri,
        result.sha256,
        result.size,
        extra={
            "source": result.source,
            "url": result.url,
            "verification": result.verification,
            "md5": result.md5,
            "chrom": result.chrom,
        },
    )


def _fetch_checked(key: AssetKey, downloader: Downloader, file: SourceFile):
    """Download one file; on a verification or transfer error, a failed blocking check, then the failure."""
    try:
        return downloader.fetch(file)
    except SourceError as exc:
        yield plain_check(key, "download_verified", False, {"error": str(exc), "url": file.url})
        raise Failure(description=str(exc), metadata={"url": file.url}) from exc


def _report(key: AssetKey, results: list[DownloadResult], verification: str):
    first = results[0]
    metadata = {
        "url": MetadataValue.url(first.url),
        "uri": first.uri,
        "files": len(results),
        "bytes": sum(r.size for r in results),
        "sha256": first.sha256,
        "verification": verification,
        "attempts": sum(r.attempts for r in results),
        "resumed_from": first.resumed_from,
        "already_present": all(r.skipped for r in results),
    }
    value = _handle(first).to_dict() | {"files": [_handle(r).to_dict() for r in results]}
    yield Output(value, metadata=metadata)
    yield plain_check(key, "download_verified", True, {"sha256": first.sha256, "bytes": metadata["bytes"]})
    yield plain_check(
        key,
        "checksum_published",
        verification not in ("unverified", "derived"),
        {"verification": verification},
        blocking=False,
    )


def _downloader(artifact_store: ArtifactStoreResource) -> Downloader:
    return Downloader(artifact_store.get_store(), default_staging(artifact_store.root))


def _download_asset(entry: SourceEntry, catalogue: Catalogue, chromosomes: tuple[str, ...]):
    key = source_key(entry.name)
    partitions = chromosome_partitions(chromosomes) if entry.per_chromosome else None

    @asset(
        key=key,
        group_name=GROUP,
        partitions_def=partitions,
        io_manager_key="handle_io_manager",
        code_version="1",
        check_specs=named_check_specs(key, CHECKS),
        description=f"{entry.title}. Downloaded from {entry.url} ({entry.verification}); feeds "
        f"{entry.feeds or 'nothing directly'}. {entry.notes}".strip(),
        metadata={"licence": entry.licence, "verification": entry.verification},
    )
    def _download(context: AssetExecutionContext, artifact_store: ArtifactStoreResource):
        files = catalogue.files(entry, chromosomes)
        if context.has_partition_key:
            files = [f for f in files if f.chrom == context.partition_key]
        context.log.info(f"{entry.name}: downloading {files[0].url}")
        result = yield from _fetch_checked(key, _downloader(artifact_store), files[0])
        yield from _report(key, [result], entry.verification)

    return _download


def _listed_files_asset(entry: SourceEntry, catalogue: Catalogue, sources_settings):
    """Every file an ENCODE metadata.tsv lists, verified against its md5 column, stored beside the metadata."""
    from utr_assets.sources.feeds import stored_name
    from utr_assets.sources.prepare import encode_listed_files

    key, parent = source_key(entry.name), catalogue[entry.derived_from]

    @asset(
        key=key,
        group_name=GROUP,
        deps=[source_key(parent.name)],
        io_manager_key="handle_io_manager",
        code_version="1",
        check_specs=named_check_specs(key, CHECKS),
        description=f"{entry.title}: every file listed in {parent.name} (md5 from its md5sum column), stored "
        f"beside it. Feeds {entry.feeds}.",
    )
    def _listed(context: AssetExecutionContext, artifact_store: ArtifactStoreResource):
        store = artifact_store.get_store()
        metadata = store.path(STORE_PREFIX, parent.folder, stored_name(parent, catalogue))
        downloader, results = _downloader(artifact_store), []
        for item in encode_listed_files(metadata.path, entry.name):
            one = apply_sources(
                SourceEntry(
                    name=entry.name,
                    title=item.accession,
                    url=item.url,
                    md5=item.md5,
                    filename=item.filename,
                    beside=parent.folder,
                    notes="",
                ),
                sources_settings,
            )
            one = one.model_copy(update={"url": one.url, "filename": item.filename})
            results.append(
                (yield from _fetch_checked(key, downloader, SourceFile(one, one.url, item.filename)))
            )
        context.log.info(f"{entry.name}: {len(results)} files beside {metadata}")
        yield from _report(
            key, results, "pinned" if all(r.verification == "pinned" for r in results) else "unverified"
        )

    return _listed


def _eqtl_asset(entry: SourceEntry, catalogue: Catalogue, sources_settings):
    """The SuSiE credible sets of every gene-expression dataset the eQTL Catalogue lists, p <= 1e-25, one table."""
    from utr_assets.sources.feeds import stored_name
    from utr_assets.sources.prepare import concat_credible_sets, eqtl_credible_set_files

    key, parent = source_key(entry.name), catalogue[entry.derived_from]

    @asset(
        key=key,
        group_name=GROUP,
        deps=[source_key(parent.name)],
        io_manager_key="handle_io_manager",
        code_version="1",
        check_specs=named_check_specs(key, CHECKS),
        description=f"{entry.title}: each dataset's credible_sets.tsv.gz listed in {parent.name}, downloaded, "
        f"rows with p <= 1e-25 concatenated. Feeds {entry.feeds}.",
    )
    def _credible_sets(context: AssetExecutionContext, artifact_store: ArtifactStoreResource):
        store = artifact_store.get_store()
        table = store.path(STORE_PREFIX, parent.folder, stored_name(parent, catalogue))
        downloader, results = _downloader(artifact_store), []
        for item in eqtl_credible_set_files(table.path, entry.name):
            one = apply_sources(
                SourceEntry(
                    name=entry.name, title=item.accession, url=item.url, filename=item.filename, notes=""
                ),
                sources_settings,
            )
            results.append(
                (yield from _fetch_checked(key, downloader, SourceFile(one, one.url, item.filename)))
            )
        staging = default_staging(artifact_store.root) / entry.name
        staging.mkdir(parents=True, exist_ok=True)
        local = staging / stored_name(entry, catalogue)
        rows = concat_credible_sets(
            [store.path(STORE_PREFIX, entry.folder, r.uri.rsplit("/", 1)[-1]).path for r in results], local
        )
        handle = store.put_file(local, store.path(STORE_PREFIX, entry.folder, local.name))
        local.unlink(missing_ok=True)
        context.log.info(f"{entry.name}: {rows} rows with p <= 1e-25 from {len(results)} datasets")
        result = DownloadResult(
            entry.name,
            f"derived:{parent.name}",
            handle.uri,
            handle.bytes,
            handle.sha256,
            "",
            "derived",
            extra={"rows": rows, "datasets": len(results)},
        )
        yield from _report(key, [result, *results], "unverified")

    return _credible_sets


def _vcf_3utr_asset(entry: SourceEntry, catalogue: Catalogue, chromosomes: tuple[str, ...]):
    """The 3'UTR records of a per-chromosome indexed VCF download, as one bgzipped VCF."""
    key, parent = source_key(entry.name), catalogue[entry.derived_from]
    indexes = [e.name for e in catalogue if e.beside == parent.name and in_graph(e, chromosomes)]
    deps = [AssetDep(source_key(n), partition_mapping=AllPartitionMapping()) for n in (parent.name, *indexes)]

    @asset(
        key=key,
        group_name=GROUP,
        deps=deps,
        io_manager_key="handle_io_manager",
        code_version="1",
        check_specs=named_check_specs(key, CHECKS),
        description=f"{entry.title}: records of {parent.name} inside the 3'UTRs (tabix fetch per merged "
        f"interval). Feeds {entry.feeds}.",
    )
    def _subset(
        context: AssetExecutionContext, artifact_store: ArtifactStoreResource, utr3_regions: pd.DataFrame
    ):
        from utr_assets.sources.prepare import merged_intervals, vcf_3utr_subset

        store = artifact_store.get_store()
        vcfs = [
            store.path(STORE_PREFIX, parent.folder, f.filename).path
            for f in catalogue.files(parent, chromosomes)
        ]
        staging = default_staging(artifact_store.root) / entry.name
        staging.mkdir(parents=True, exist_ok=True)
        local = staging / f"{entry.name}.vcf.gz"
        count = vcf_3utr_subset(vcfs, merged_intervals(utr3_regions), local)
        handle = store.put_file(local, store.path(STORE_PREFIX, entry.folder, local.name))
        store.put_file(f"{local}.tbi", store.path(STORE_PREFIX, entry.folder, local.name + ".tbi"))
        for leftover in (local, Path(f"{local}.tbi")):
            leftover.unlink(missing_ok=True)
        context.log.info(f"{entry.name}: {count} records in the 3'UTRs from {len(vcfs)} files")
        result = DownloadResult(
            entry.name,
            f"derived:{parent.name}",
            handle.uri,
            handle.bytes,
            handle.sha256,
            "",
            "derived",
            extra={"records": count},
        )
        yield from _report(key, [result], "derived")

    return _subset


def _hal2maf_asset(entry: SourceEntry, chromosomes: tuple[str, ...], reference_species: str):
    key = source_key(entry.name)
    hal_key = source_key(entry.derived_from or "zoonomia_hal")

    @asset(
        key=key,
        group_name=GROUP,
        partitions_def=chromosome_partitions(chromosomes),
        deps=[hal_key],
        io_manager_key="handle_io_manager",
        code_version="2",
        check_specs=named_check_specs(key, CHECKS),
        description=f"{entry.title}: the 3'UTR intervals of one chromosome exported from the HAL with hal2maf "
        f"--refTargets (needs hal2maf on PATH and a local store). Feeds {entry.feeds}.",
    )
    def _export(
        context: AssetExecutionContext, artifact_store: ArtifactStoreResource, utr3_regions: pd.DataFrame
    ):
        from utr_assets.sources.hal import export_maf
        from utr_assets.sources.prepare import merged_intervals, write_bed

        store = artifact_store.get_store()
        hal = store.path(STORE_PREFIX, hal_key.path[-1], "241-mammalian-2020v2.hal")
        chrom = context.partition_key
        staging = default_staging(artifact_store.root) / entry.name
        staging.mkdir(parents=True, exist_ok=True)
        bed = write_bed(merged_intervals(utr3_regions, chrom), staging / f"{chrom}.utr3.bed")
        local = export_maf(hal.path, chrom, staging / f"{chrom}.maf.gz", reference_species, targets=bed)
        handle = store.put_file(local, store.path(STORE_PREFIX, entry.name, f"{chrom}.maf.gz"))
        Path(local).unlink(missing_ok=True)
        result = DownloadResult(
            entry.name, f"hal2maf:{hal}", handle.uri, handle.bytes, handle.sha256, "", "derived", chrom=chrom
        )
        yield from _report(key, [result], "derived")

    return _export


def build_assets(settings: Settings, catalogue: Catalogue | str | Path | None = None) -> list:
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
            assets.append(_hal2maf_asset(entry, chromosomes, species))
        elif entry.derive == "encode_files":
            assets.append(_listed_files_asset(entry, catalogue, settings.sources))
        elif entry.derive == "eqtl_susie":
            assets.append(_eqtl_asset(entry, catalogue, settings.sources))
        elif entry.derive == "vcf_3utr" and chromosomes:
            assets.append(_vcf_3utr_asset(entry, catalogue, chromosomes))
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
