"""MAF streams: split a byte stream into alignment blocks and read a MAF block by block.

What belongs here: the file-level grammar (header, ``track`` and ``#`` lines before the first ``a``
block), `iter_block_texts` (offset, line and bytes of each block) and `iter_maf_blocks` (parsed blocks in
bounded memory). The block grammar is `block_parser.py`, the block model `maf_block.py` (both re-exported
here). Not here: compression (``mafio.py``), indexes (``index.py``), UTR projection (``projection.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from utr_assets.alignments.block_parser import parse_block
from utr_assets.alignments.errors import MafFormatError
from utr_assets.alignments.maf_block import GAP, MafBlock, split_name
from utr_assets.alignments.mafio import iter_chunks

__all__ = [
    "GAP",
    "MafBlock",
    "check_header",
    "iter_block_texts",
    "iter_maf_blocks",
    "parse_block",
    "split_name",
]


def iter_block_texts(path: str | Path, chunks: Iterable[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """(uncompressed offset, 1-based line, bytes) of each block, from its ``a`` line up to the next one.

    Lines before the first block are the header: ``##maf``, ``#`` comments, ``track`` lines, blank lines.
    """
    path = str(path)
    buf = b""
    base = 0  # uncompressed offset of buf[0]
    line = 1  # line number of buf[0]
    start = -1  # position in buf of the current block's 'a', -1 while in the header
    for chunk in chunks:
        buf = buf + chunk if buf else chunk
        pos = 0
        if start < 0:
            if buf.startswith(b"a"):
                start = 0
            else:
                idx = buf.find(b"\na")
                if idx < 0:
                    continue  # header not finished (or empty file so far)
                check_header(path, buf[: idx + 1], line)
                line += buf.count(b"\n", 0, idx + 1)
                start = idx + 1
        pos = start
        while True:
            nxt = buf.find(b"\na", pos)
            if nxt < 0:
                break
            text = buf[pos : nxt + 1]
            yield base + pos, line, text
            line += text.count(b"\n")
            pos = nxt + 1
        base += pos
        buf = buf[pos:]
        start = 0
    if start < 0:
        if buf:
            check_header(path, buf, line)
        return
    if buf:
        yield base, line, buf


def check_header(path: str, text: bytes, line: int) -> None:
    for i, raw in enumerate(text.split(b"\n")):
        s = raw.strip()
        if s and not (s.startswith(b"#") or s.startswith(b"track")):
            raise MafFormatError(
                path, f"line outside an alignment block: {s[:30].decode(errors='replace')!r}", line + i
            )


def iter_maf_blocks(
    path: str | Path, reference_species: str | None = None, compression: str | None = None
) -> Iterator[MafBlock]:
    """Stream a plain, gzip or bgzip MAF block by block in bounded memory (one block plus one chunk).

    With ``reference_species`` every block must contain a row of that species (``block.ref``).
    """
    for offset, line, text in iter_block_texts(path, iter_chunks(path, compression)):
        yield parse_block(text, str(path), line, offset, reference_species)
