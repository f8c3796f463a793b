"""The block index of a MAF: reference interval -> uncompressed byte range of each ``a`` block.

What belongs here: building the index in one streaming pass that reads only each block's reference
row (and counts rows per species), persisting it atomically beside the MAF (or anywhere: ``save(path)``),
staleness by the MAF's size and mtime, and interval queries. The byte-level scans it runs on are
``block_scan.py``; parsing whole blocks is ``block_parser.py``'s job.

Offsets are uncompressed; for bgzip the BGZF member table turns them into seeks (``mafio.RandomAccess``).
A plain-gzip MAF can be indexed (for block counts and species) but not read at random: stream it.
Invariant the index relies on and checks: within one reference contig, block starts never decrease.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from utr_assets.alignments.block_scan import line_of_offset, plain_blocks, reference_row, relocate
from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.mafio import detect_compression, iter_bgzf_members, iter_chunks
from utr_assets.alignments.reader import iter_block_texts

FORMAT_VERSION = 1
_SPECIES = re.compile(rb"^s[ \t]+([^ \t.\n]+)", re.M)


def default_index_path(maf_path: str | Path) -> Path:
    return Path(str(maf_path) + ".utridx.npz")


@dataclass
class MafIndex:
    """Sorted by (contig, start): ``chrom_codes`` index into ``chroms``; ``bounds[c]`` = rows of contig c."""

    maf_path: str
    reference_species: str
    compression: str
    maf_size: int
    maf_mtime_ns: int
    total_bytes: int  # uncompressed
    chroms: list[str]
    chrom_codes: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    lines: np.ndarray
    members: np.ndarray  # (n, 2) int64 (compressed, uncompressed) offsets of BGZF members; empty otherwise
    species_rows: dict[str, int] = field(default_factory=dict)
    _max_end: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def n_blocks(self) -> int:
        return len(self.starts)

    def is_stale(self, maf_path: str | Path | None = None) -> bool:
        """True when the MAF's size or mtime differ from those recorded at build time."""
        st = os.stat(maf_path or self.maf_path)
        return st.st_size != self.maf_size or st.st_mtime_ns != self.maf_mtime_ns

    def query(self, chrom: str, start: int, end: int) -> np.ndarray:
        """Row numbers (into the sorted arrays) of blocks whose reference span overlaps [start, end)."""
        try:
            c = self.chroms.index(chrom)
        except ValueError:
            return np.empty(0, dtype=np.int64)
        lo, hi = np.searchsorted(self.chrom_codes, [c, c + 1])
        if c not in self._max_end:
            self._max_end[c] = np.maximum.accumulate(self.ends[lo:hi]) if hi > lo else self.ends[lo:hi]
        max_end = self._max_end[c]
        first = int(np.searchsorted(max_end, start, side="right"))
        last = int(np.searchsorted(self.starts[lo:hi], end, side="left"))
        rows = np.arange(lo + first, lo + max(first, last), dtype=np.int64)
        return rows[self.ends[rows] > start]

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically (temporary name, then rename); default path is beside the MAF."""
        path = Path(path) if path is not None else default_index_path(self.maf_path)
        meta = {
            "format_version": FORMAT_VERSION,
            "maf_path": self.maf_path,
            "reference_species": self.reference_species,
            "compression": self.compression,
            "maf_size": self.maf_size,
            "maf_mtime_ns": self.maf_mtime_ns,
            "total_bytes": self.total_bytes,
            "chroms": self.chroms,
            "species_rows": self.species_rows,
        }
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        with open(tmp, "wb") as f:
            np.savez(
                f,
                meta=np.array(json.dumps(meta)),
                chrom_codes=self.chrom_codes,
                starts=self.starts,
                ends=self.ends,
                offsets=self.offsets,
                lengths=self.lengths,
                lines=self.lines,
                members=self.members,
            )
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> MafIndex:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format_version") != FORMAT_VERSION:
                raise ValueError(
                    f"{path}: index format {meta.get('format_version')}, expected {FORMAT_VERSION}"
                )
            arrays = {
                k: z[k] for k in ("chrom_codes", "starts", "ends", "offsets", "lengths", "lines", "members")
            }
        meta.pop("format_version")
        return cls(**meta, **arrays)


def build_maf_index(
    maf_path: str | Path, reference_species: str, count_species: bool = False, threads: int | None = None
) -> MafIndex:
    """One streaming pass reading each block's reference row only. ``count_species`` also counts ``s`` rows
    per species (``species_rows``) with a regex over every block, which makes the pass several times slower.
    ``threads``: for the scan for block starts in a plain file (default: up to 4 cores)."""
    path = Path(maf_path)
    st = os.stat(path)
    compression = detect_compression(path)
    members: list[tuple[int, int]] = []
    if compression == "bgzip":

        def chunks():
            upos = 0
            for coff, data in iter_bgzf_members(path):
                members.append((coff, upos))
                upos += len(data)
                if data:
                    yield data

        source = chunks()
    elif compression == "plain":
        source = None
    else:
        source = iter_chunks(path, compression)
    ref_prefix = reference_species.encode() + b"."
    ref_exact = reference_species.encode()
    chrom_ids: dict[str, int] = {}
    cols: list[tuple[int, int, int, int, int, int]] = []
    species: Counter[bytes] = Counter()
    last_start: dict[int, int] = {}
    total = 0
    blocks = (
        plain_blocks(path, threads)
        if source is None
        else ((o, ln, t, len(t), None) for o, ln, t in iter_block_texts(path, source))
    )
    # fast path: the reference row is the first line after the 'a' line (multiz, hal2maf); anything else
    # (and every malformed row) goes through reference_row, which validates and names the line
    quick = re.compile(
        rb"a[^\n]*\n[ \t]*s[ \t]+"
        + re.escape(ref_prefix)
        + rb"(\S+)[ \t]+(\d+)[ \t]+(\d+)[ \t]+\+[ \t]+(\d+)[ \t]+\S"
    )
    for offset, line, text, length, whole in blocks:
        total = offset + length
        m = quick.match(text)
        if m is not None:
            start, size, src_size = int(m[2]), int(m[3]), int(m[4])
            if start + size <= src_size:
                chrom = m[1].decode()
                code = chrom_ids.setdefault(chrom, len(chrom_ids))
                if start >= last_start.get(code, -1):
                    last_start[code] = start
                    cols.append((code, start, start + size, offset, length, line))
                    if count_species:
                        species.update(_SPECIES.findall(whole() if whole is not None else text))
                    continue
        try:
            try:
                chrom, start, size, ref_line = reference_row(text, ref_prefix, ref_exact, path, line)
            except MafFormatError:
                if whole is None or len(text) == length:
                    raise
                chrom, start, size, ref_line = reference_row(whole(), ref_prefix, ref_exact, path, line)
        except MafFormatError as err:
            raise (relocate(err, path, offset) if line == 0 else err) from None
        code = chrom_ids.setdefault(chrom, len(chrom_ids))
        if start < last_start.get(code, -1):
            ref_line = line_of_offset(path, offset) + ref_line if line == 0 else ref_line
            raise MafFormatError(
                path,
                f"reference coordinates not sorted: {chrom}:{start} follows {chrom}:{last_start[code]} "
                "(the index needs blocks in reference order per contig; sort the MAF, e.g. with maf-sort)",
                ref_line,
            )
        last_start[code] = start
        cols.append((code, start, start + size, offset, length, line))
        if count_species:
            species.update(_SPECIES.findall(whole() if whole is not None else text))
    arr = np.array(cols, dtype=np.int64).reshape(-1, 6)
    order = np.lexsort((arr[:, 1], arr[:, 0]))
    arr = arr[order]
    return MafIndex(
        maf_path=str(path),
        reference_species=reference_species,
        compression=compression,
        maf_size=st.st_size,
        maf_mtime_ns=st.st_mtime_ns,
        total_bytes=total,
        chroms=list(chrom_ids),
        chrom_codes=arr[:, 0].copy(),
        starts=arr[:, 1].copy(),
        ends=arr[:, 2].copy(),
        offsets=arr[:, 3].copy(),
        lengths=arr[:, 4].copy(),
        lines=arr[:, 5].copy(),
        members=np.array(members, dtype=np.int64).reshape(-1, 2),
        species_rows={k.decode(): v for k, v in sorted(species.items())},
    )


def load_or_build_index(
    maf_path: str | Path, reference_species: str, index_path: str | Path | None = None
) -> tuple[MafIndex, bool]:
    """The persisted index when fresh (same MAF size, mtime and reference), else a rebuilt and saved one.

    Returns (index, rebuilt).
    """
    index_path = Path(index_path) if index_path is not None else default_index_path(maf_path)
    if index_path.exists():
        try:
            idx = MafIndex.load(index_path)
            if idx.reference_species == reference_species and not idx.is_stale(maf_path):
                return idx, False
        except (ValueError, KeyError, OSError, EOFError, TypeError, zipfile.BadZipFile):
            pass  # unreadable, damaged (truncated zip) or old format: rebuild
    idx = build_maf_index(maf_path, reference_species)
    idx.save(index_path)
    return idx, True
