"""FASTA checks run before its .fai index is (re)built, and the stamp that says which FASTA an index is for.

What belongs here: one streaming scan that refuses a contig name used twice (pysam would keep the first
and drop the second silently) and letters that are not nucleotide codes (named by file, line, column),
and the ``<fasta>.fai.stamp`` file recording the FASTA's size, mtime and a checksum of its first and last
MiB, so an index is rebuilt whenever the FASTA was replaced, even by an older file. Not here: opening the
FASTA and fetching sequence (`fasta.py`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import secrets
from pathlib import Path

import pysam

from utr_assets.common.errors import InputFormatError
from utr_assets.common.textio import is_gzip

# nucleotides and IUPAC ambiguity codes (both cases; read as N downstream), and line ends
_SEQUENCE = b"ACGTNRYKMSWBDHVUacgtnrykmswbdhvu\r\n"
_FLAG = bytes(0 if c in _SEQUENCE else 1 for c in range(256))  # 1 marks a byte that is not allowed
_CHUNK = 8 << 20
_EDGE = 1 << 20


def scan_fasta(path: Path) -> None:
    """Refuse a contig name used twice and non-nucleotide letters in sequence lines, naming file and line."""
    seen: dict[bytes, int] = {}
    opener = gzip.open if is_gzip(path) else open
    line = 1  # line number of buf[0]
    buf = b""
    with opener(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            data = buf + chunk
            cut = data.rfind(b"\n") + 1 if chunk else len(data)  # whole lines only, until the end
            block, buf = data[:cut], data[cut:]
            if block:
                _scan_block(path, block, line, seen)
                line += block.count(b"\n")
            if not chunk:
                break


def _scan_block(path: Path, block: bytes, line: int, seen: dict[bytes, int]) -> None:
    """Whole lines of the file starting at ``line``: header lines by bytes.find, sequence by translate."""
    pos = _next_header(block, 0)
    if pos:
        _check_sequence(path, block, 0, pos, line)
    counted, number = 0, line  # lines counted incrementally (many-contig files stay linear)
    while pos < len(block):
        eol = block.find(b"\n", pos)
        eol = len(block) if eol < 0 else eol
        number += block.count(b"\n", counted, pos)
        counted = pos
        words = block[pos + 1 : eol].split()
        if not words:
            raise InputFormatError(path, "header line without a contig name", number)
        if words[0] in seen:
            raise InputFormatError(
                path,
                f"contig {words[0].decode(errors='replace')!r} is defined twice (first at "
                f"line {seen[words[0]]}); contig names must be unique",
                number,
            )
        seen[words[0]] = number
        nxt = _next_header(block, eol)
        _check_sequence(path, block, eol, nxt, line)
        pos = nxt


def _next_header(block: bytes, pos: int) -> int:
    """Offset of the next line starting with '>' at or after ``pos`` (len(block) when none); '>' never
    occurs in sequence lines, so a one-byte search (memchr) finds the candidates."""
    while True:
        at = block.find(b">", pos)
        if at < 0:
            return len(block)
        if at == 0 or block[at - 1] == 10:
            return at
        pos = at + 1


def _check_sequence(path: Path, block: bytes, start: int, end: int, line: int) -> None:
    bad = block[start:end].translate(_FLAG).find(b"\x01")  # table translate + memchr: C speed
    if bad < 0:
        return
    first = start + bad
    line_start = block.rfind(b"\n", 0, first) + 1
    raise InputFormatError(
        path,
        f"{block[first : first + 1].decode(errors='replace')!r} at column "
        f"{first - line_start + 1} is not a nucleotide code (ACGTN or IUPAC)",
        line + block.count(b"\n", 0, first),
    )


def _fingerprint(path: Path) -> dict:
    st = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read(_EDGE))
        if st.st_size > 2 * _EDGE:
            handle.seek(st.st_size - _EDGE)
        digest.update(handle.read(_EDGE))
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "edges_sha256": digest.hexdigest()}


def _stamp_path(index: Path) -> Path:
    return Path(f"{index}.stamp")


def stamp_matches(path: Path, index: Path) -> bool:
    """True when ``index`` was built for this very FASTA. Without a stamp (an index made elsewhere) the index
    is trusted only if its folder is read-only (it cannot be rebuilt there) and it is newer than the FASTA."""
    stamp = _stamp_path(index)
    if not stamp.exists():
        return not os.access(index.parent, os.W_OK) and index.stat().st_mtime >= path.stat().st_mtime
    try:
        return json.loads(stamp.read_text(encoding="utf-8")) == _fingerprint(path)
    except (OSError, ValueError):
        return False


def write_stamp(path: Path, index: Path) -> None:
    stamp = _stamp_path(index)
    tmp = stamp.with_name(f"{stamp.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(_fingerprint(path)), encoding="utf-8")
    os.replace(tmp, stamp)


def build_index(path: Path, index: Path) -> None:
    """samtools faidx into temporary names, renamed into place (.gzi first for bgzip), then the stamp."""
    token = f"tmp{os.getpid()}{secrets.token_hex(3)}"
    tmp_fai, gzi = Path(f"{index}.{token}"), Path(f"{path}.gzi")
    tmp_gzi = Path(f"{gzi}.{token}")
    try:
        try:
            pysam.faidx(str(path), "--fai-idx", str(tmp_fai), "--gzi-idx", str(tmp_gzi))
        except pysam.utils.SamtoolsError:
            _layout_problem(path)  # htslib names the line on the terminal only: find it to raise it
            raise
        if tmp_gzi.exists():
            os.replace(tmp_gzi, gzi)
        os.replace(tmp_fai, index)
    finally:
        tmp_fai.unlink(missing_ok=True)
        tmp_gzi.unlink(missing_ok=True)
    write_stamp(path, index)


def _layout_problem(path: Path) -> None:
    """Raise for the first line breaking faidx's layout rule: within a contig every sequence line but the
    last has the same length, and the last is not longer (only run after samtools refused the file)."""
    opener = gzip.open if is_gzip(path) else open
    width, short_at, contig = None, None, ""
    with opener(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip(b"\r\n")
            if line.startswith(b">"):
                width, short_at, contig = (
                    None,
                    None,
                    line[1:].split()[0].decode(errors="replace") if line[1:].split() else "",
                )
                continue
            if short_at is not None and line:
                raise InputFormatError(
                    path,
                    f"contig {contig!r}: line {short_at} is shorter than the lines before it "
                    "but is not the last of the contig (faidx needs equal line lengths)",
                    number,
                )
            if width is None:
                width = len(line)
            elif len(line) > width:
                raise InputFormatError(
                    path,
                    f"contig {contig!r}: line is longer ({len(line)}) than the contig's "
                    f"first line ({width}); faidx needs equal line lengths",
                    number,
                )
            elif len(line) < width:
                short_at = number
