"""MAF block grammar: one block's ``a``/``s``/``i``/``e``/``q`` lines into a `MafBlock`, validated.

What belongs here: `parse_block`, its bulk fast path for the common all-``s`` block, the checks that name
file and line (fields, integers, strands, nucleotide codes, sizes, column counts, the reference row) and
the row-name cache. Not here: splitting a stream into blocks (`reader.py`), the block model
(`maf_block.py`), compression (`mafio.py`).
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.maf_block import MafBlock, split_name

_STRANDS = {b"+": "+", b"-": "-"}
# what an 's' row may hold: nucleotides, IUPAC ambiguity codes (read as N downstream), gaps, TBA's '.'
_SEQ_CHARS = b"ACGTNRYKMSWBDHVacgtnrykmswbdhv-."
_NAME_CACHE: dict[bytes, tuple[str, str, str]] = {}  # row name -> (name, species, contig)


def _int(tok: bytes, what: str, path: str, line: int) -> int:
    try:
        value = int(tok)
    except ValueError:
        raise MafFormatError(
            path, f"{what} is not an integer: {tok.decode(errors='replace')!r}", line
        ) from None
    if value < 0:
        raise MafFormatError(path, f"{what} is negative: {value}", line)
    return value


def _row_name(name_b: bytes) -> tuple[str, str, str]:
    """(name, species, contig) of an ``s`` row's name, cached: the same names recur block after block."""
    hit = _NAME_CACHE.get(name_b)
    if hit is None:
        if len(_NAME_CACHE) > 100_000:
            _NAME_CACHE.clear()
        name_s = name_b.decode()
        hit = _NAME_CACHE[name_b] = (name_s, *split_name(name_s))
    return hit


def parse_block(text: bytes, path: str, line: int, offset: int, reference_species: str | None) -> MafBlock:
    """Parse one block (from its ``a`` line to before the next); ``line`` is the ``a`` line's number."""
    lines = text.split(b"\n")
    head = lines[0].split()
    if not head or head[0] != b"a":
        raise MafFormatError(path, "expected an 'a' line to open the block", line)
    score = None
    for tok in head[1:]:
        if tok.startswith(b"score="):
            try:
                score = float(tok[6:])
            except ValueError:
                raise MafFormatError(path, f"bad score {tok.decode(errors='replace')!r}", line) from None
    block = MafBlock(path, line, offset, score, [], [], [], [], [], [], [], [])
    if _fast_rows(block, lines, path, line):
        return _set_reference(block, path, reference_species)
    names: dict[str, int] = {}
    for i in range(1, len(lines)):
        raw = lines[i]
        kind = raw[:1]
        ln = line + i
        if kind == b"s":
            f = raw.split()
            if len(f) != 7:
                raise MafFormatError(path, f"'s' line has {len(f)} fields, expected 7", ln)
            try:
                start, size, src_size = int(f[2]), int(f[3]), int(f[5])
            except ValueError:
                start, size, src_size = (
                    _int(f[k], w, path, ln) for k, w in ((2, "start"), (3, "size"), (5, "srcSize"))
                )
            if start < 0 or size < 0:
                raise MafFormatError(path, "start and size must not be negative", ln)
            name, species, contig = _row_name(f[1])
            strand = _STRANDS.get(f[4], f[4].decode(errors="replace"))
            seq = f[6]
            if strand not in ("+", "-"):
                raise MafFormatError(path, f"strand must be '+' or '-', got {strand!r}", ln)
            bad = seq.translate(None, _SEQ_CHARS)
            if bad:
                raise MafFormatError(
                    path,
                    f"sequence of {name} has {bad[:1].decode(errors='replace')!r} at column "
                    f"{seq.index(bad[:1]) + 1}, which is not a nucleotide code",
                    ln,
                )
            if start + size > src_size:
                raise MafFormatError(
                    path, f"start {start} + size {size} lies beyond srcSize {src_size} of {name}", ln
                )
            bases = len(seq) - seq.count(b"-")
            if bases != size and b"." in seq and bases - seq.count(b".") == size:
                # TBA/humor dialect: '.' marks an unaligned position when the size field says so
                seq, bases = seq.replace(b".", b"-"), size
            if bases != size:
                raise MafFormatError(
                    path, f"size field {size} disagrees with the sequence, which has {bases} bases", ln
                )
            if block.texts and len(seq) != len(block.texts[0]):
                raise MafFormatError(
                    path, f"row has {len(seq)} columns, the block's first row has {len(block.texts[0])}", ln
                )
            names[name] = len(block.texts)
            block.species.append(species)
            block.contigs.append(contig)
            block.starts.append(start)
            block.sizes.append(size)
            block.strands.append(strand)
            block.src_sizes.append(src_size)
            block.texts.append(seq)
            block.row_lines.append(ln)
        elif kind in (b"", b"#") or not raw.strip():
            continue
        elif kind == b"i":
            f = raw.split()
            if len(f) != 6 or f[1].decode() not in names:
                raise MafFormatError(path, "'i' line must have 6 fields and follow its 's' line", ln)
            block.status[names[f[1].decode()]] = (
                f[2].decode(),
                _int(f[3], "leftCount", path, ln),
                f[4].decode(),
                _int(f[5], "rightCount", path, ln),
            )
        elif kind == b"e":
            f = raw.split()
            if len(f) != 7:
                raise MafFormatError(path, f"'e' line has {len(f)} fields, expected 7", ln)
            species, contig = split_name(f[1].decode())
            block.empty.append(
                (
                    species,
                    contig,
                    _int(f[2], "start", path, ln),
                    _int(f[3], "size", path, ln),
                    f[4].decode(),
                    _int(f[5], "srcSize", path, ln),
                    f[6].decode(),
                )
            )
        elif kind == b"q":
            f = raw.split()
            row = names.get(f[1].decode()) if len(f) == 3 else None
            if row is None or len(f[2]) != len(block.texts[row]):
                raise MafFormatError(path, "'q' line must name a preceding 's' row and match its length", ln)
            block.quality[row] = f[2]
        else:
            raise MafFormatError(path, f"unknown line type {raw[:20].decode(errors='replace')!r}", ln)
    return _set_reference(block, path, reference_species)


def _fast_rows(block: MafBlock, lines: list[bytes], path: str, line: int) -> bool:
    """Bulk parse of the common block (only well-formed ``s`` lines, blank lines at the end).

    Returns False, leaving ``block`` untouched, whenever anything is unusual: the line-by-line parser then
    handles the block and reports the exact problem.
    """
    rows = lines[1:]
    while rows and not rows[-1].strip():
        rows.pop()
    body = b"\n".join(rows)
    if not rows or not body.startswith(b"s ") or body.count(b"\ns ") != len(rows) - 1:
        return False
    tok = body.split()
    if len(tok) != 7 * len(rows):
        return False
    try:
        starts = list(map(int, tok[2::7]))
        sizes = list(map(int, tok[3::7]))
        src_sizes = list(map(int, tok[5::7]))
    except ValueError:
        return False
    seqs = tok[6::7]
    if b"".join(seqs).translate(None, _SEQ_CHARS):
        return False
    lens = np.fromiter(map(len, seqs), np.int64, len(seqs))
    gaps = np.fromiter(map(bytes.count, seqs, repeat(b"-")), np.int64, len(seqs))
    st, sz, src = np.array(starts), np.array(sizes), np.array(src_sizes)
    if (
        (lens != lens[0]).any()
        or (lens - gaps != sz).any()
        or (st < 0).any()
        or (sz < 0).any()
        or (st + sz > src).any()
    ):
        return False
    strands = [strand for x in tok[4::7] if (strand := _STRANDS.get(x)) is not None]
    if len(strands) != len(rows):  # a strand other than + or -
        return False
    for name_b in tok[1::7]:
        hit = _row_name(name_b)
        block.species.append(hit[1])
        block.contigs.append(hit[2])
    block.starts, block.sizes, block.src_sizes, block.strands, block.texts = (
        starts,
        sizes,
        src_sizes,
        strands,
        seqs,
    )
    block.row_lines = list(range(line + 1, line + 1 + len(rows)))
    return True


def _set_reference(block: MafBlock, path: str, reference_species: str | None) -> MafBlock:
    if reference_species is not None:
        try:
            block.ref = block.species.index(reference_species)
        except ValueError:
            raise MafFormatError(
                path, f"block has no row of the reference species {reference_species!r}", block.line
            ) from None
        if block.strands[block.ref] != "+":
            raise MafFormatError(path, "the reference row is on the '-' strand", block.row_lines[block.ref])
    return block
