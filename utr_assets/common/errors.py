"""The one error type of the reference domain: it names the file, the line and the problem."""

from __future__ import annotations

from pathlib import Path


class InputFormatError(ValueError):
    """A bad input file. ``line`` is 1-based; ``None`` when the problem is the file as a whole."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")

    def __reduce__(self):  # rebuilt from its fields in another process (worker -> parent), message intact
        return (type(self), (self.path, self.problem, self.line))
