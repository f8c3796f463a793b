"""Nucleotide sequence helpers shared by every stage: complement, reverse complement, base codes.

What belongs here: the one complement table (A<->T, C<->G, N and case kept, any other symbol such as an
alignment gap passed through) in the forms the callers need: `str` (everywhere), `bytes` (MAF extraction,
where decoding every block would cost), integer code arrays (the simulator's ACGTN- alphabet), and the
ACGT base codes 0-3 that per-base probability arrays are indexed by. Not here: anything about
coordinates, strands of a particular table, tokenisers or file formats.
"""

from __future__ import annotations

import numpy as np

_PAIRS = ("ACGTNacgtn", "TGCANtgcan")
COMPLEMENT_TABLE = str.maketrans(*_PAIRS)  # for str.translate and pandas' Series.str.translate
_COMPLEMENT_BYTES = bytes.maketrans(_PAIRS[0].encode(), _PAIRS[1].encode())

# The integer alphabet of code arrays: A C G T N and the alignment gap, in this order.
CODE_LETTERS = b"ACGTN-"
_CODE_COMPLEMENT = np.array([3, 2, 1, 0, 4, 5], dtype=np.uint8)

_BASE_CODE = np.full(256, -1, dtype=np.int64)
for _i, _b in enumerate(b"ACGT"):
    _BASE_CODE[_b] = _i
    _BASE_CODE[ord(chr(_b).lower())] = _i


def complement(sequence: str) -> str:
    """The complementary bases, same order (a minus-strand allele in RNA orientation)."""
    return sequence.translate(COMPLEMENT_TABLE)


def reverse_complement(sequence: str) -> str:
    """The other strand read 5'->3'; N, case and unknown symbols are kept."""
    return sequence.translate(COMPLEMENT_TABLE)[::-1]


def reverse_complement_bytes(sequence: bytes) -> bytes:
    """`reverse_complement` on ASCII bytes, for the MAF extraction's hot loop."""
    return sequence.translate(_COMPLEMENT_BYTES)[::-1]


def reverse_complement_codes(codes: np.ndarray) -> np.ndarray:
    """`reverse_complement` on an array of CODE_LETTERS codes (0-5), as the simulator stores sequences."""
    return _CODE_COMPLEMENT[codes[::-1]]


def base_codes(sequence: str) -> np.ndarray:
    """0-3 for A, C, G, T (either case) per position, -1 for anything else (N, gaps)."""
    return _BASE_CODE[np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)]
