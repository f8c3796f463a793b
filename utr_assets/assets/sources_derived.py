"""The derived assets of the `sources` group: files made from downloaded ones rather than downloaded as
catalogued. The files an ENCODE metadata.tsv lists, the eQTL Catalogue's SuSiE credible sets (one table),
the 3'UTR records of per-chromosome VCFs, and the per-chromosome MAF of the 3'UTR intervals exported from
the Zoonomia HAL with hal2maf.

What belongs here: one builder per `derive` kind of the catalogue, each a thin asset over
`utr_assets.sources.prepare` / `hal`. Not here: plain downloads and the choice of builder per entry
(`sources.py`), the steps every source asset shares (`sources_common.py`).
"""

from pathlib import Path

import pandas as pd
from dagster import AllPartitionMapping, AssetDep, AssetExecutionContext, AssetsDefinition

from utr_assets.assets.sources_common import (
    derived_result,
    downloader,
    fetch_each,
    report,
    source_asset,
    source_key,
    staging_dir,
)
from utr_assets.platform.artifacts import ArtifactStoreResource
from utr_assets.platform.partitions import chromosome_partitions
from utr_assets.settings import SourcesSettings
from utr_assets.sources import Catalogue, SourceEntry
from utr_assets.sources.download import STORE_PREFIX
from utr_assets.sources.feeds import apply_sources, in_graph, parent_entry, stored_file


def listed_files_asset(
    entry: SourceEntry, catalogue: Catalogue, sources_settings: SourcesSettings
) -> AssetsDefinition:
    """Every file an ENCODE metadata.tsv lists, verified against its md5 column, stored beside the metadata."""
    from utr_assets.sources.prepare import encode_listed_files

    key, parent = source_key(entry.name), parent_entry(entry, catalogue)
    description = (
        f"{entry.title}: every file listed in {parent.name} (md5 from its md5sum column), stored "
        f"beside it. Feeds {entry.feeds}."
    )

    @source_asset(key, description, deps=[source_key(parent.name)])
    def _listed(context: AssetExecutionContext, artifact_store: ArtifactStoreResource):
        store = artifact_store.get_store()
        metadata = store.path(STORE_PREFIX, parent.folder, stored_file(parent, catalogue))
        files = []
        for item in encode_listed_files(metadata.path, entry.name):
            listed = SourceEntry(
                name=entry.name,
                title=item.accession,
                url=item.url,
                md5=item.md5,
                filename=item.filename,
                beside=parent.folder,
                notes="",
            )
            one = apply_sources(listed, sources_settings)
            files.append((one.model_copy(update={"url": one.url, "filename": item.filename}), item.filename))
        results = yield from fetch_each(key, downloader(artifact_store), files)
        context.log.info(f"{entry.name}: {len(results)} files beside {metadata}")
        yield from report(
            key, results, "pinned" if all(r.verification == "pinned" for r in results) else "unverified"
        )

    return _listed


def eqtl_asset(
    entry: SourceEntry, catalogue: Catalogue, sources_settings: SourcesSettings
) -> AssetsDefinition:
    """The SuSiE credible sets of every gene-expression dataset the eQTL Catalogue lists, p <= 1e-25, one table."""
    from utr_assets.sources.prepare import concat_credible_sets, eqtl_credible_set_files

    key, parent = source_key(entry.name), parent_entry(entry, catalogue)
    description = (
        f"{entry.title}: each dataset's credible_sets.tsv.gz listed in {parent.name}, downloaded, "
        f"rows with p <= 1e-25 concatenated. Feeds {entry.feeds}."
    )

    @source_asset(key, description, deps=[source_key(parent.name)])
    def _credible_sets(context: AssetExecutionContext, artifact_store: ArtifactStoreResource):
        store = artifact_store.get_store()
        table = store.path(STORE_PREFIX, parent.folder, stored_file(parent, catalogue))
        files = [
            (
                apply_sources(
                    SourceEntry(
                        name=entry.name, title=item.accession, url=item.url, filename=item.filename, notes=""
                    ),
                    sources_settings,
                ),
                item.filename,
            )
            for item in eqtl_credible_set_files(table.path, entry.name)
        ]
        results = yield from fetch_each(key, downloader(artifact_store), files)
        local = staging_dir(artifact_store, entry.name) / stored_file(entry, catalogue)
        rows = concat_credible_sets(
            [store.path(STORE_PREFIX, entry.folder, r.uri.rsplit("/", 1)[-1]).path for r in results], local
        )
        handle = store.put_file(local, store.path(STORE_PREFIX, entry.folder, local.name))
        local.unlink(missing_ok=True)
        context.log.info(f"{entry.name}: {rows} rows with p <= 1e-25 from {len(results)} datasets")
        result = derived_result(entry, f"derived:{parent.name}", handle, rows=rows, datasets=len(results))
        yield from report(key, [result, *results], "unverified")

    return _credible_sets


def vcf_3utr_asset(
    entry: SourceEntry, catalogue: Catalogue, chromosomes: tuple[str, ...]
) -> AssetsDefinition:
    """The 3'UTR records of a per-chromosome indexed VCF download, as one bgzipped VCF."""
    key, parent = source_key(entry.name), parent_entry(entry, catalogue)
    indexes = [e.name for e in catalogue if e.beside == parent.name and in_graph(e, chromosomes)]
    deps = [AssetDep(source_key(n), partition_mapping=AllPartitionMapping()) for n in (parent.name, *indexes)]
    description = (
        f"{entry.title}: records of {parent.name} inside the 3'UTRs (tabix fetch per merged "
        f"interval). Feeds {entry.feeds}."
    )

    @source_asset(key, description, deps=deps)
    def _subset(
        context: AssetExecutionContext, artifact_store: ArtifactStoreResource, utr3_regions: pd.DataFrame
    ):
        from utr_assets.sources.prepare import merged_intervals, vcf_3utr_subset

        store = artifact_store.get_store()
        vcfs = [
            store.path(STORE_PREFIX, parent.folder, f.filename).path
            for f in catalogue.files(parent, chromosomes)
        ]
        local = staging_dir(artifact_store, entry.name) / f"{entry.name}.vcf.gz"
        count = vcf_3utr_subset(vcfs, merged_intervals(utr3_regions), local)
        handle = store.put_file(local, store.path(STORE_PREFIX, entry.folder, local.name))
        store.put_file(f"{local}.tbi", store.path(STORE_PREFIX, entry.folder, local.name + ".tbi"))
        for leftover in (local, Path(f"{local}.tbi")):
            leftover.unlink(missing_ok=True)
        context.log.info(f"{entry.name}: {count} records in the 3'UTRs from {len(vcfs)} files")
        yield from report(
            key, [derived_result(entry, f"derived:{parent.name}", handle, records=count)], "derived"
        )

    return _subset


def hal2maf_asset(
    entry: SourceEntry, chromosomes: tuple[str, ...], reference_species: str
) -> AssetsDefinition:
    """One chromosome's 3'UTR intervals exported from the Zoonomia HAL as a MAF (hal2maf --refTargets)."""
    key = source_key(entry.name)
    hal_key = source_key(entry.derived_from or "zoonomia_hal")
    description = (
        f"{entry.title}: the 3'UTR intervals of one chromosome exported from the HAL with hal2maf "
        f"--refTargets (needs hal2maf on PATH and a local store). Feeds {entry.feeds}."
    )

    @source_asset(
        key, description, partitions_def=chromosome_partitions(chromosomes), deps=[hal_key], code_version="2"
    )
    def _export(
        context: AssetExecutionContext, artifact_store: ArtifactStoreResource, utr3_regions: pd.DataFrame
    ):
        from utr_assets.sources.hal import export_maf
        from utr_assets.sources.prepare import merged_intervals, write_bed

        store = artifact_store.get_store()
        hal = store.path(STORE_PREFIX, hal_key.path[-1], "241-mammalian-2020v2.hal")
        chrom = context.partition_key
        staging = staging_dir(artifact_store, entry.name)
        bed = write_bed(merged_intervals(utr3_regions, chrom), staging / f"{chrom}.utr3.bed")
        local = export_maf(hal.path, chrom, staging / f"{chrom}.maf.gz", reference_species, targets=bed)
        handle = store.put_file(local, store.path(STORE_PREFIX, entry.name, f"{chrom}.maf.gz"))
        Path(local).unlink(missing_ok=True)
        yield from report(key, [derived_result(entry, f"hal2maf:{hal}", handle, chrom=chrom)], "derived")

    return _export
