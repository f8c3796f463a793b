"""How the paper profile's downloads reach the assets that read them.

What belongs here (plain Python, no dagster): applying the `sources` settings to the catalogue (a mirror
base URL replacing each http/https/ftp URL's scheme and host, an S3 endpoint, per-source URLs); which
catalogue entries are in the graph; the store path of each entry's verified copy, written into the
settings key it `feeds` (so `reference.genome` is the downloaded hg38 under the paper profile); and which
assets read which settings key (the dependencies that put a download upstream of its reader).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from utr_assets.settings import Settings, SourcesSettings
from utr_assets.sources.catalogue import Catalogue, SourceEntry, _basename, load_catalogue
from utr_assets.sources.errors import CatalogueError

PROFILES_WITH_SOURCES = ("paper",)

# settings key -> the assets whose bodies read it (asset names, see reference/, alignments/, benchmarks/,
# scoring/ assets.py)
READERS: dict[str, tuple[str, ...]] = {
    "reference.genome": ("genome",),
    "reference.annotation": ("gene_annotation",),
    "alignments.maf": ("maf_index",),
    "tasks.eclip_experiments": ("rbp_motif_instances",),
    "tasks.rbns_enriched": ("rbp_motif_instances",),
    "tasks.phylop": ("rbp_motif_instances", "utr3_base_probabilities", "variant_scores"),
    "tasks.clinvar": ("variant_sets",),
    "tasks.gnomad": ("variant_sets",),
    "tasks.eqtl_susie": ("variant_sets",),
    "tasks.cadd_simulated": ("variant_sets",),
    "tasks.cadd_human_derived": ("variant_sets",),
    "tasks.cadd_scores": ("utr3_base_probabilities", "variant_scores"),
    "tasks.griesemer_oligo_info": ("mpra_datasets",),
    "tasks.griesemer_values": ("mpra_datasets",),
    "tasks.siegel": ("mpra_datasets",),
    "tasks.half_life": ("half_life_dataset",),
    "tasks.half_life_folds": ("half_life_dataset",),
}


def mirror_url(url: str, sources: SourcesSettings) -> str:
    """``https://host/path?q`` -> ``{mirror}/host/path?q`` when a mirror is set (s3/file URLs unchanged)."""
    parsed = urlparse(url)
    if not sources.mirror or parsed.scheme not in ("http", "https", "ftp"):
        return url
    return f"{sources.mirror.rstrip('/')}/{parsed.netloc}{parsed.path}" + (
        f"?{parsed.query}" if parsed.query else ""
    )


def apply_sources(entry: SourceEntry, sources: SourcesSettings) -> SourceEntry:
    """The entry with the settings' URL override, mirror and S3 endpoint applied (file names unchanged)."""
    url = sources.urls.get(entry.name, entry.url)
    if url is None:
        return entry
    update: dict[str, Any] = {"url": mirror_url(url, sources), "filename": entry.filename or _basename(url)}
    if entry.checksum_url:
        update["checksum_url"] = mirror_url(entry.checksum_url, sources)
    if sources.s3_endpoint and urlparse(url).scheme == "s3":
        update["storage_options"] = {**entry.storage_options, "endpoint_url": sources.s3_endpoint}
    return entry.model_copy(update=update)


def source_catalogue(settings: Settings) -> Catalogue:
    """The catalogue of ``settings.sources.catalogue`` with the settings applied to every entry."""
    base = load_catalogue(settings.sources.catalogue)
    return Catalogue([apply_sources(e, settings.sources) for e in base], base.path)


def in_graph(entry: SourceEntry, chromosomes: tuple[str, ...]) -> bool:
    """A download (per-chromosome ones need chromosomes) or a derivation; not a manual entry. The HAL is
    left out when the MAFs it would be exported into are downloaded instead."""
    if entry.per_chromosome and not chromosomes:
        return False
    return entry.url is not None or entry.derive is not None


def parent_entry(entry: SourceEntry, catalogue: Catalogue) -> SourceEntry:
    """The entry a derived entry is made from (the catalogue schema requires it for every `derive`)."""
    if entry.derived_from is None:
        raise CatalogueError(f"source {entry.name!r} is derived ({entry.derive}) but names no `derived_from`")
    return catalogue[entry.derived_from]


def stored_name(entry: SourceEntry, catalogue: Catalogue) -> str | None:
    """The file name of the entry's verified copy in its store folder ({chrom} kept for per-chromosome)."""
    if entry.derive == "encode_files":  # the metadata is what the reader opens; the files lie beside it
        return stored_name(parent_entry(entry, catalogue), catalogue)
    if entry.derive == "hal2maf" and entry.url is None:
        return "{chrom}.maf.gz"
    if entry.derive == "vcf_3utr":
        return f"{entry.name}.vcf.gz"
    if entry.derive == "eqtl_susie":
        return f"{entry.name}.tsv.gz"
    if entry.url is None:
        return None
    name = entry.filename or _basename(entry.url)
    return name[:-3] if entry.post == "gunzip" and name.endswith(".gz") else name


def stored_file(entry: SourceEntry, catalogue: Catalogue) -> str:
    """`stored_name` of an entry that has a file of its own (a URL or a derivation), else a CatalogueError."""
    name = stored_name(entry, catalogue)
    if name is None:
        raise CatalogueError(f"source {entry.name!r} has neither a URL nor a derivation: no stored file")
    return name


def stored_path(settings: Settings, entry: SourceEntry, catalogue: Catalogue) -> str | None:
    name = stored_name(entry, catalogue)
    if name is None:
        return None
    folder = parent_entry(entry, catalogue).folder if entry.derive == "encode_files" else entry.folder
    return f"{settings.storage.root.rstrip('/')}/sources/{folder}/{name}"


def feeding_entries(settings: Settings, catalogue: Catalogue) -> list[SourceEntry]:
    """Entries in the graph that feed a settings key (the readers then depend on them)."""
    chromosomes = tuple(settings.alignments.chromosomes) if settings.alignments else ()
    return [e for e in catalogue if e.feeds and in_graph(e, chromosomes)]


def fed_settings(settings: Settings, catalogue: Catalogue | None = None) -> Settings:
    """Under a profile with sources, each fed settings key points at its verified copy in the store."""
    if settings.profile not in PROFILES_WITH_SOURCES:
        return settings
    catalogue = catalogue or source_catalogue(settings)
    raw = settings.model_dump()
    for entry in feeding_entries(settings, catalogue):
        assert entry.feeds is not None  # feeding_entries keeps only entries that feed a key
        section, key = entry.feeds.split(".", 1)
        path = stored_path(settings, entry, catalogue)
        if path is not None and isinstance(raw.get(section), dict):
            raw[section][key] = path
    return Settings.model_validate(raw)


def reader_deps(settings: Settings, catalogue: Catalogue) -> dict[str, list[str]]:
    """asset name -> the source entries (names) it reads through its settings."""
    out: dict[str, list[str]] = {}
    for entry in feeding_entries(settings, catalogue):
        if entry.feeds not in READERS:
            raise ValueError(
                f"source {entry.name!r} feeds {entry.feeds!r}, which no asset reads; known: "
                f"{', '.join(READERS)}"
            )
        for reader in READERS[entry.feeds]:
            out.setdefault(reader, []).append(entry.name)
    return out
