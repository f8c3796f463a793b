"""The catalogue of real inputs (`data/sources.yaml`): what to download, from where, and how to verify it.

What belongs here: the schema of a catalogue entry, loading and validating the YAML, and expanding an
entry into concrete files (one per chromosome when its URL has ``{chrom}``). Not here: transfers
(`transfer.py`), the download loop (`download.py`), Dagster assets (`assets.py`).

Honesty rule: ``size``, ``sha256`` and ``md5`` are only set where the provider publishes them or where
they were measured on an identical copy (``checksum_source`` says which); otherwise they are null and
the file is reported "unverified". ``checksum_url`` names a checksum file the provider publishes
(md5sum.txt, MD5SUMS, a ``.md5`` sidecar) that is fetched and checked at download time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from utr_assets.settings import PROJECT_ROOT
from utr_assets.sources.errors import CatalogueError

DEFAULT_CATALOGUE = PROJECT_ROOT / "data" / "sources.yaml"
SCHEMES = ("http", "https", "ftp", "s3", "file", "gs")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,62}$")
_SECRET_KEYS = {"key", "secret", "token", "password", "aws_access_key_id", "aws_secret_access_key"}


class SourceEntry(BaseModel):
    """One real input named in SPEC: a URL (or a derivation) plus what is known to verify it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    url: str | None = Field(
        None, description="http/https/ftp/s3/file URL; {chrom} makes one file per chromosome"
    )
    filename: str | None = Field(None, description="name in the store (default: the URL's basename)")
    size: int | None = Field(None, ge=0, description="bytes, as published or measured on an identical copy")
    sha256: str | None = None
    md5: str | None = None
    checksum_url: str | None = Field(None, description="provider's checksum file (md5sum.txt, .md5 sidecar)")
    checksum_algorithm: Literal["md5", "sha256"] = "md5"
    checksum_source: str | None = Field(None, description="where the pinned size/checksum come from")
    feeds: str | None = Field(None, description="the settings key this file (or its derivative) feeds")
    approx_size: int | None = Field(
        None,
        ge=0,
        description="expected bytes in all (an estimate, for the plan's "
        "disk total) where no exact size is published; `size_note` says whence",
    )
    size_note: str | None = None
    post: Literal["none", "gunzip"] = Field(
        "none", description="after verification: gunzip (plain gzip FASTA)"
    )
    derive: Literal["hal2maf", "encode_files", "vcf_3utr", "eqtl_susie"] | None = Field(
        None,
        description="made from another source: hal2maf (per-chromosome MAF of the 3'UTR intervals), "
        "encode_files (every file an ENCODE metadata.tsv lists, md5-verified, stored beside it), vcf_3utr "
        "(the 3'UTR records of per-chromosome indexed VCFs, one bgzipped VCF), eqtl_susie (the SuSiE credible "
        "sets of the eQTL Catalogue's gene-expression datasets, p <= 1e-25, one table)",
    )
    derived_from: str | None = None
    beside: str | None = Field(None, description="store in that source's folder (an index beside its table)")
    optional: bool = False
    licence: str = ""
    notes: str = ""
    storage_options: dict[str, str | bool | int] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(f"invalid source name {value!r}: use a-z, 0-9 and '_'")
        return value

    @field_validator("sha256", "md5")
    @classmethod
    def _hex(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        length = 64 if info.field_name == "sha256" else 32
        if not re.fullmatch(rf"[0-9a-f]{{{length}}}", value):
            raise ValueError(f"{info.field_name} must be {length} lower-case hex characters")
        return value

    @field_validator("url", "checksum_url")
    @classmethod
    def _scheme(cls, value: str | None) -> str | None:
        if value is not None and urlparse(value).scheme not in SCHEMES:
            raise ValueError(f"unsupported URL scheme in {value!r}; use one of {', '.join(SCHEMES)}")
        return value

    @field_validator("storage_options")
    @classmethod
    def _no_secrets(cls, value: dict) -> dict:
        leaked = sorted(_SECRET_KEYS & {k.lower() for k in value})
        if leaked:
            raise ValueError(f"credentials come from the environment, not the catalogue: {leaked}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SourceEntry:
        if self.url is None and self.derive is None and not self.notes:
            raise ValueError("an entry without a URL or a derivation needs `notes` saying how to obtain it")
        if self.derive and not self.derived_from:
            raise ValueError("`derive` needs `derived_from` (the source it is made from)")
        if self.per_chromosome and (self.size is not None or self.sha256 or self.md5):
            raise ValueError(
                "a per-chromosome URL cannot pin one size/checksum; use checksum_url with {chrom}"
            )
        placeholders = set(re.findall(r"{(\w*)}", (self.url or "") + (self.checksum_url or "")))
        if placeholders - {"chrom"}:
            raise ValueError(f"only the {{chrom}} placeholder is supported, not {sorted(placeholders)}")
        return self

    @property
    def per_chromosome(self) -> bool:
        return bool(self.url and "{chrom}" in self.url)

    @property
    def verification(self) -> str:
        """'pinned' (checksum in the catalogue), 'published' (provider checksum file) or 'unverified'."""
        if self.sha256 or self.md5:
            return "pinned"
        if self.checksum_url:
            return "published"
        return "unverified"

    @property
    def folder(self) -> str:
        """Its folder in the store, under sources/."""
        return self.beside or self.name

    @property
    def expected_size(self) -> int | None:
        """Exact size where pinned, else the estimate."""
        return self.size if self.size is not None else self.approx_size

    @property
    def kind(self) -> str:
        return "download" if self.url else ("derived" if self.derive else "manual")


@dataclass(frozen=True)
class SourceFile:
    """One concrete file to fetch: an entry, maybe one chromosome of it."""

    entry: SourceEntry
    url: str
    filename: str
    chrom: str | None = None
    checksum_url: str | None = None

    @property
    def label(self) -> str:
        return f"{self.entry.name}[{self.chrom}]" if self.chrom else self.entry.name


class Catalogue:
    """The validated entries of a catalogue file, by name, in file order."""

    def __init__(self, entries: list[SourceEntry], path: Path | None = None):
        self.path = path
        self.entries: dict[str, SourceEntry] = {}
        for entry in entries:
            if entry.name in self.entries:
                raise CatalogueError(f"{path}: source {entry.name!r} is listed twice")
            self.entries[entry.name] = entry
        for entry in entries:
            if entry.derived_from and entry.derived_from not in self.entries:
                raise CatalogueError(
                    f"{path}: source {entry.name!r} derives from unknown {entry.derived_from!r}"
                )
            if entry.beside and entry.beside not in self.entries:
                raise CatalogueError(
                    f"{path}: source {entry.name!r} is stored beside unknown {entry.beside!r}"
                )

    def __getitem__(self, name: str) -> SourceEntry:
        try:
            return self.entries[name]
        except KeyError:
            raise CatalogueError(
                f"no source {name!r} in {self.path}; known: {', '.join(self.entries)}"
            ) from None

    def __iter__(self) -> Iterator[SourceEntry]:
        return iter(self.entries.values())

    def files(
        self, entry: SourceEntry | str, chromosomes: tuple[str, ...] | list[str] = ()
    ) -> list[SourceFile]:
        """The concrete files of a downloadable entry (one per chromosome for a {chrom} URL)."""
        entry = self[entry] if isinstance(entry, str) else entry
        if entry.url is None:
            return []
        if not entry.per_chromosome:
            return [
                SourceFile(entry, entry.url, entry.filename or _basename(entry.url), None, entry.checksum_url)
            ]
        out = []
        for chrom in chromosomes:
            url = entry.url.format(chrom=chrom)
            name = entry.filename.format(chrom=chrom) if entry.filename else _basename(url)
            checksum_url = entry.checksum_url.format(chrom=chrom) if entry.checksum_url else None
            out.append(SourceFile(entry, url, name, chrom, checksum_url))
        return out


def _basename(url: str) -> str:
    name = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]
    if not name:
        raise CatalogueError(f"cannot derive a file name from {url!r}; set `filename`")
    return name


def load_catalogue(path: str | Path = DEFAULT_CATALOGUE) -> Catalogue:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the sources catalogue ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: invalid YAML ({exc})") from exc
    items = raw.get("sources") if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise CatalogueError(f"{path}: expected a top-level `sources:` list")
    entries = []
    for position, item in enumerate(items, start=1):
        label = item.get("name", f"#{position}") if isinstance(item, dict) else f"#{position}"
        try:
            entries.append(SourceEntry.model_validate(item))
        except ValidationError as exc:
            text = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors())
            raise CatalogueError(f"{path}: source {label!r}: {text}") from exc
    return Catalogue(entries, path)
