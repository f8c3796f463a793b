"""The error type of the alignments domain: a malformed MAF, named by file, 1-based line and problem.

It is an `InputFormatError` (common/errors.py: fields, message and pickling come from there) with its own
name, so callers can catch MAF problems alone or every bad input file at once.
"""

from __future__ import annotations

from utr_assets.common.errors import InputFormatError


class MafFormatError(InputFormatError):
    """A malformed MAF. ``line`` is 1-based; ``None`` when the problem is the file as a whole."""
