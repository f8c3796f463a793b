"""Checksums of downloaded files and the providers' checksum files (md5sum.txt, MD5SUMS, ``.md5``).

What belongs here: hashing a local file (sha256 and md5 in one pass) and finding a file's entry in a
checksum listing. Listings are ``HASH  NAME`` lines (GNU coreutils; ``*NAME`` for binary mode) or
``MD5 (NAME) = HASH`` (BSD); a listing with a single bare hash applies to the one file it sidecars.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass

_CHUNK = 1 << 20
_GNU = re.compile(r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})\s+\*?(.+?)\s*$")
_BSD = re.compile(r"^(?:MD5|SHA256)\s*\((.+)\)\s*=\s*([0-9a-fA-F]{32}|[0-9a-fA-F]{64})\s*$")
_BARE = re.compile(r"^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})\s*$")


@dataclass(frozen=True)
class Digests:
    sha256: str
    md5: str
    size: int


def file_digests(path: str | os.PathLike[str]) -> Digests:
    """sha256, md5 and size of a local file, read once."""
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with open(path, "rb") as src:
        while chunk := src.read(_CHUNK):
            sha.update(chunk)
            md5.update(chunk)
            size += len(chunk)
    return Digests(sha.hexdigest(), md5.hexdigest(), size)


def find_checksum(listing: str, filename: str) -> str | None:
    """The hash listed for ``filename`` (matched on the basename), or the only bare hash; None if absent."""
    bare: list[str] = []
    for line in listing.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if match := _GNU.match(line):
            digest, name = match.groups()
        elif match := _BSD.match(line):
            name, digest = match.groups()
        elif match := _BARE.match(line):
            bare.append(match.group(1).lower())
            continue
        else:
            continue
        if name.strip().lstrip("./").rsplit("/", 1)[-1] == filename:
            return digest.lower()
    return bare[0] if len(bare) == 1 else None
