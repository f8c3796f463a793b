"""The error type of the alignments domain: a malformed MAF, named by file, 1-based line and problem."""

from __future__ import annotations

from pathlib import Path


class MafFormatError(ValueError):
    """A malformed MAF. ``line`` is 1-based; ``None`` when the problem is the file as a whole."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")

    def __reduce__(self):  # rebuilt from its fields in another process (worker -> parent), message intact
        return (type(self), (self.path, self.problem, self.line))
