"""bigWig PhyloP tracks: read through `read_wiggle` over requested intervals, equal to the same data as wiggle."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pyBigWig
import pytest

from utr_assets.common.errors import InputFormatError
from utr_assets.tasks.readers import tracks as st

# by hand, 0-based half-open intervals: chr1 has single bases 10-14, a gap, then one 3-base run 20-23;
# chr2 has bases 100-103. Nothing anywhere else.
CHR1 = [(10, 11, 0.5), (11, 12, -1.25), (12, 13, 2.0), (13, 14, 3.5), (14, 15, -0.75), (20, 23, 1.5)]
CHR2 = [(100, 101, 4.0), (101, 102, -2.5), (102, 103, 0.25)]


def _write_bigwig(path: Path) -> Path:
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader([("chr1", 1000), ("chr2", 500)])
    for chrom, rows in (("chr1", CHR1), ("chr2", CHR2)):
        bw.addEntries(
            [chrom] * len(rows),
            [s for s, _, _ in rows],
            ends=[e for _, e, _ in rows],
            values=[v for _, _, v in rows],
        )
    bw.close()
    return path


def _write_wiggle(path: Path) -> Path:
    # the same values: variableStep 1-based, the 3-base run as span=3
    path.write_text(
        "track type=wiggle_0\nvariableStep chrom=chr1\n11 0.5\n12 -1.25\n13 2.0\n14 3.5\n15 -0.75\n"
        "variableStep chrom=chr1 span=3\n21 1.5\n"
        "fixedStep chrom=chr2 start=101 step=1\n4.0\n-2.5\n0.25\n"
    )
    return path


REGIONS = [
    ("chr1", 12, 22),
    ("chr1", 0, 11),
    ("chr1", 13, 14),  # overlapping
    ("chr2", 101, 400),
    ("chr3", 0, 10),
    ("chr2", 600, 700),
]  # unknown chromosome, past the end


def test_bigwig_reads_requested_intervals_like_wiggle(tmp_path) -> None:
    bw = _write_bigwig(tmp_path / "phylop.bw")
    track = st.read_wiggle(bw, REGIONS)
    assert sorted(track.data) == ["chr1", "chr2"]
    pos, val = track.data["chr1"]
    assert pos.tolist() == [10, 12, 13, 14, 20, 21]  # 11 and 15-19 not requested / gap; 22 outside
    assert val.tolist() == [0.5, 2.0, 3.5, -0.75, 1.5, 1.5]
    pos, val = track.data["chr2"]
    assert pos.tolist() == [101, 102] and val.tolist() == [-2.5, 0.25]
    got = track.values("1", np.array([10, 16, 20, 999]))  # the gap and beyond the data are NaN
    assert got[0] == 0.5 and np.isnan(got[1]) and got[2] == 1.5 and np.isnan(got[3])

    wig = _write_wiggle(tmp_path / "phylop.wig")
    for regions in (REGIONS, None):
        a, b = st.read_wiggle(bw, regions), st.read_wiggle(wig, regions)
        assert sorted(a.data) == sorted(b.data)
        for chrom in a.data:
            np.testing.assert_array_equal(a.data[chrom][0], b.data[chrom][0])
            np.testing.assert_array_equal(a.data[chrom][1], b.data[chrom][1])
    whole = st.read_wiggle(bw).data["chr1"][0].tolist()
    assert whole == [10, 11, 12, 13, 14, 20, 21, 22]
    ncbi = st.read_wiggle(bw, [("2", 0, 101), ("MT", 0, 5)])  # NCBI names -> the file's UCSC names
    assert ncbi.data["chr2"][0].tolist() == [100]


def test_bigwig_is_recognised_by_magic_not_name(tmp_path) -> None:
    bw = _write_bigwig(tmp_path / "phylop.bw")
    assert bw.read_bytes()[:4] == struct.pack("<I", 0x888FFC26)
    renamed = tmp_path / "phylop.data"
    renamed.write_bytes(bw.read_bytes())
    assert st.read_wiggle(renamed, [("chr2", 0, 500)]).data["chr2"][0].tolist() == [100, 101, 102]


def test_corrupt_bigwig_is_refused_naming_the_file(tmp_path) -> None:
    bw = pyBigWig.open(str(tmp_path / "big.bw"), "w")
    bw.addHeader([("chr1", 100_000)])
    bw.addEntries("chr1", 0, values=[float(i % 7) for i in range(50_000)], span=1, step=1)
    bw.close()
    data = (tmp_path / "big.bw").read_bytes()
    truncated = tmp_path / "truncated.bw"
    for size in (10, 64, 100, 300, len(data) // 2):  # libBigWig itself crashes on 64-150 bytes
        truncated.write_bytes(data[:size])
        with pytest.raises(InputFormatError, match=r"truncated\.bw: truncated"):
            st.read_wiggle(truncated, [("chr1", 0, 10)])
    full_data_offset = struct.unpack("<Q", data[16:24])[0]  # bigWig header: data section offset
    flipped = bytearray(data)
    flipped[full_data_offset + 20] ^= 0xFF  # inside the first compressed block
    damaged = tmp_path / "damaged.bw"
    damaged.write_bytes(bytes(flipped))
    with pytest.raises(InputFormatError, match=r"damaged\.bw: chr1:0-100 unreadable"):
        st.read_wiggle(damaged, [("chr1", 0, 100)])
    text = tmp_path / "named.bw"
    text.write_text("fixedStep chrom=chr1 start=1 step=1\n0.5\n")
    with pytest.raises(InputFormatError, match=r"named\.bw: named like a bigWig but starts with 66697865"):
        st.read_wiggle(text)
