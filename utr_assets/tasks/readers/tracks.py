"""Per-base genome tracks: PhyloP wiggle (fixedStep/variableStep) or bigWig.

Wiggle (UCSC): `fixedStep chrom=C start=S step=T [span=W]` then one value a line, S 1-based;
`variableStep chrom=C [span=W]` then "POS VALUE" lines, POS 1-based. Stored here 0-based.
Genome-wide PhyloP is distributed as bigWig (magic 0x888FFC26, intervals 0-based half-open):
`read_wiggle` recognises it by its first bytes and reads only the requested `regions` through its
index (pyBigWig), so a 9 GB genome-wide file costs only the 3'UTR spans.
Inputs are hg38; no liftover. The CADD score table is `cadd.py` (re-exported here).
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np
import pyBigWig

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import iter_lines
from utr_assets.tasks.readers.cadd import CADD_COLUMNS, cadd_position_max, read_cadd_scores
from utr_assets.tasks.utr_coords import Regions, UtrIndex, normalise_chrom

__all__ = [
    "CADD_COLUMNS",
    "ConservationTrack",
    "Regions",
    "cadd_position_max",
    "is_bigwig",
    "read_bigwig",
    "read_cadd_scores",
    "read_wiggle",
]


class ConservationTrack:
    """Sorted 0-based positions and values per chromosome; NaN where the track has no value."""

    def __init__(self, data: dict[str, tuple[np.ndarray, np.ndarray]]):
        self.data = data

    def values(self, chrom: str, positions0: np.ndarray) -> np.ndarray:
        chrom = normalise_chrom(chrom, self.data)
        out = np.full(len(positions0), np.nan)
        if chrom not in self.data:
            return out
        pos, val = self.data[chrom]
        k = np.clip(np.searchsorted(pos, positions0), 0, max(len(pos) - 1, 0))
        hit = pos[k] == positions0 if len(pos) else np.zeros(len(positions0), bool)
        out[hit] = val[k[hit]]
        return out

    def utr_values(self, index: UtrIndex, utr_id: str) -> np.ndarray:
        """Track values over a 3'UTR in RNA orientation (offset 0 first)."""
        return self.values(str(index.regions.at[utr_id, "chrom"]), index.genome_positions(utr_id))


def _header_fields(line: str, path: Path, number: int) -> dict[str, str]:
    fields = dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)
    if "chrom" not in fields:
        raise InputFormatError(path, "declaration line without chrom=", number)
    return fields


BIGWIG_MAGIC = (b"\x26\xfc\x8f\x88", b"\x88\x8f\xfc\x26")  # 0x888FFC26 little-, big-endian
BIGWIG_SUFFIXES = (".bw", ".bigwig")


def is_bigwig(path: str | Path) -> bool:
    """By the magic number; a file named .bw/.bigWig that does not start with it is an error."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head in BIGWIG_MAGIC:
        return True
    if path.suffix.lower() in BIGWIG_SUFFIXES:
        raise InputFormatError(
            path,
            f"named like a bigWig but starts with {head.hex() or 'nothing'}, not the bigWig magic 0x888FFC26",
        )
    return False


def _merged(regions: Regions) -> dict[str, list[tuple[int, int]]]:
    by_chrom: dict[str, list[tuple[int, int]]] = {}
    for c, s, e in regions:
        by_chrom.setdefault(c, []).append((int(s), int(e)))
    out: dict[str, list[tuple[int, int]]] = {}
    for c, spans in by_chrom.items():
        for s, e in sorted(spans):
            if out.get(c) and s <= out[c][-1][1]:
                out[c][-1] = (out[c][-1][0], max(out[c][-1][1], e))
            elif e > s:
                out.setdefault(c, []).append((s, e))
    return out


def _check_layout(path: Path) -> None:
    """Refuse a bigWig whose header points past its end (a truncated copy): libBigWig can crash on those.

    Header (64 bytes, little-endian): magic, version, zoomLevels, chromTreeOffset, fullDataOffset,
    fullIndexOffset, ...; then zoomLevels headers of 24 bytes (level, reserved, dataOffset, indexOffset).
    """
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(64)
        if head[:4] == BIGWIG_MAGIC[1]:
            raise InputFormatError(path, "big-endian bigWig; pyBigWig reads little-endian files only")
        if len(head) < 64:
            raise InputFormatError(path, f"truncated bigWig: {size} bytes, the header alone is 64")
        zoom_levels, chrom_tree, full_data, full_index = struct.unpack("<2xHQQQ", head[4:32])
        zooms = handle.read(24 * zoom_levels)
    ends = {
        "chromosome tree": chrom_tree + 32,
        "data": full_data + 8,
        "index": full_index + 48,
        "zoom headers": 64 + 24 * zoom_levels,
    }
    for level in range(len(zooms) // 24):
        data, index = struct.unpack("<QQ", zooms[24 * level + 8 : 24 * level + 24])
        ends[f"zoom {level} data"], ends[f"zoom {level} index"] = data + 4, index + 48
    for part, end in ends.items():
        if end > size:
            raise InputFormatError(
                path,
                f"truncated or damaged bigWig: its {part} ends at byte {end}, past the file's {size} bytes",
            )


def read_bigwig(path: str | Path, regions: Regions | None = None) -> ConservationTrack:
    """A bigWig file -> ConservationTrack; with `regions`, only those spans are read (through the index)."""
    path = Path(path)
    _check_layout(path)
    try:
        bw = pyBigWig.open(str(path))
    except RuntimeError as exc:
        raise InputFormatError(path, f"not a readable bigWig ({str(exc).splitlines()[0]})") from exc
    if bw is None or not bw.isBigWig():
        raise InputFormatError(path, "not a readable bigWig")
    chroms: dict[str, int] = bw.chroms()
    wanted = (
        {c: [(0, n)] for c, n in chroms.items()}
        if regions is None
        else _merged((normalise_chrom(c, chroms), s, e) for c, s, e in regions)
    )
    data = {}
    try:
        for chrom, spans in wanted.items():
            if chrom not in chroms:
                continue
            parts = []
            for s, e in spans:
                s, e = max(s, 0), min(e, chroms[chrom])
                if e <= s:
                    continue
                try:
                    found = bw.intervals(chrom, s, e)
                except RuntimeError as exc:
                    raise InputFormatError(path, f"{chrom}:{s}-{e} unreadable ({exc})") from exc
                if found:
                    iv = np.asarray(found, dtype=np.float64)
                    starts = np.maximum(iv[:, 0], s).astype(np.int64)
                    lens = np.minimum(iv[:, 1], e).astype(np.int64) - starts
                    offsets = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
                    parts.append(
                        (np.repeat(starts, lens) + offsets, np.repeat(iv[:, 2], lens).astype(np.float32))
                    )
            if parts:
                p = np.concatenate([x for x, _ in parts])
                v = np.concatenate([y for _, y in parts])
                if not np.isfinite(v).all():
                    bad = int(p[np.flatnonzero(~np.isfinite(v))[0]])
                    raise InputFormatError(path, f"{chrom}:{bad + 1} (1-based) value is not finite")
                data[chrom] = (p, v)
    finally:
        bw.close()
    return ConservationTrack(data)


def read_wiggle(path: str | Path, regions: Regions | None = None) -> ConservationTrack:
    """A wiggle (or bigWig, see `read_bigwig`) file -> ConservationTrack; with `regions`, only positions
    inside them are kept."""
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(path, "file not found")
    if is_bigwig(path):
        return read_bigwig(path, regions)
    keep: dict[str, list[tuple[int, int]]] | None = None
    if regions is not None:
        keep = {}
        for c, s, e in regions:
            keep.setdefault(c, []).append((int(s), int(e)))
    chunks: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    mode, chrom, start0, step, span = "", "", 0, 1, 1
    values: list[float] = []
    positions: list[int] = []

    def flush() -> None:
        if not values:
            return
        v = np.asarray(values, dtype=np.float32)
        p = (start0 + np.arange(v.size, dtype=np.int64) * step) if mode == "fixed" else np.asarray(positions)
        if span > 1:
            p = (p[:, None] + np.arange(span)[None, :]).ravel()
            v = np.repeat(v, span)
        if keep is not None:
            mask = np.zeros(p.size, bool)
            for s, e in keep.get(normalise_chrom(chrom, keep), []):
                mask |= (p >= s) & (p < e)
            p, v = p[mask], v[mask]
        chunks.setdefault(chrom, []).append((p, v))
        values.clear()
        positions.clear()

    for number, line in iter_lines(path):
        if not line or line.startswith(("#", "track", "browser")):
            continue
        if line.startswith(("fixedStep", "variableStep")):
            flush()
            f = _header_fields(line, path, number)
            mode, chrom = ("fixed" if line.startswith("fixedStep") else "variable"), f["chrom"]
            try:
                span = int(f.get("span", 1))
                step = int(f.get("step", 1))
                start0 = int(f["start"]) - 1 if mode == "fixed" else 0
            except (KeyError, ValueError) as exc:
                raise InputFormatError(
                    path, f"bad declaration ({exc}): start/step/span must be integers", number
                ) from exc
            if mode == "fixed" and (start0 < 0 or step < 1 or span < 1):
                raise InputFormatError(path, "fixedStep start must be >= 1 (1-based), step/span >= 1", number)
            continue
        if not mode:
            raise InputFormatError(path, "data line before any fixedStep/variableStep declaration", number)
        try:
            if mode == "fixed":
                values.append(float(line))
            else:
                p, v = line.split()
                if not p.isascii() or not p.isdigit() or int(p) < 1:
                    raise ValueError(f"position {p!r} is not a whole number >= 1 (wiggle is 1-based)")
                positions.append(int(p) - 1)
                values.append(float(v))
            if not math.isfinite(values[-1]):
                raise ValueError(f"value {values[-1]} is not finite")
        except ValueError as exc:
            raise InputFormatError(path, f"bad {mode}Step data line {line[:40]!r} ({exc})", number) from exc
    flush()
    data = {}
    for c, parts in chunks.items():
        starts = np.concatenate([x for x, _ in parts])
        scores = np.concatenate([y for _, y in parts])
        order = np.argsort(starts, kind="stable")
        starts, scores = starts[order], scores[order]
        if starts.size > 1 and (np.diff(starts) == 0).any():
            dup = int(starts[np.flatnonzero(np.diff(starts) == 0)[0]])
            raise InputFormatError(path, f"{c}:{dup + 1} (1-based) has more than one value")
        data[c] = (starts, scores)
    return ConservationTrack(data)
