"""Shared assertions of the malformed-input tests: the error type, the file and line (or record) named in
the message, and nothing written beside the input."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused(
    call: Callable[[], object],
    error: type[BaseException],
    path: Path,
    line: int | None,
    match: str,
    folder: Path | None = None,
) -> str:
    """``call`` raises ``error`` whose message holds ``path``, ``path:line:`` when ``line`` is given, and
    matches ``match``; no file under ``folder`` (default: the input's folder) is created or changed."""
    folder = folder or path.parent
    before = snapshot(folder)
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert str(path) in message, message
    if line is not None:
        assert f"{path}:{line}:" in message, message
    assert re.search(match, message), message
    assert snapshot(folder) == before, "files were written or changed"
    return message
