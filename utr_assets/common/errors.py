"""The error type of a bad input file (annotation, FASTA, task sources, YAML): it names the file, the line
and the problem, and survives a trip between processes. Domains subclass it for their own formats
(alignments/errors.py: `MafFormatError`); errors that are not about a file's content do not belong here."""

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
