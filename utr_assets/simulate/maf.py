"""Human-referenced MAF output with the artefacts of real whole-genome alignments: blocks split at
random human positions, `species.contig` row names, `-` strand rows, species missing from blocks
(with `e` lines), gene loss, paralogous and split-contig fragments, `i` and `q` lines, soft-masked
repeats and N runs. Also the PhyloP-style conservation score computed from exactly what is written.

Conventions (MAF spec): starts are 0-based on the row's strand; for a `-` row the forward start is
srcSize - start - size. Human rows are `Homo_sapiens.<chrom>`, always `+`, and equal the genome
FASTA (case included). Blocks are written in human order and never overlap in human.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from utr_assets.simulate.evolve import RegionAlignment
from utr_assets.simulate.fileio import GAP, LOWER, UPPER, N
from utr_assets.simulate.layout import LOW_COVERAGE, SpeciesLayout
from utr_assets.simulate.species import Walk

P_BLOCK_MISSING, P_PARALOG, P_SPLIT, P_JUMP, P_ILINES, P_NRUN = 0.03, 0.012, 0.006, 0.1, 0.3, 0.01


class TextSink(Protocol):
    """Where MAF text goes: a text file, or a wrapper that counts what passes through."""

    def write(self, text: str, /) -> object: ...


@dataclass
class _Row:
    src: str
    strand: str
    src_size: int
    start: int
    cols: np.ndarray  # codes over the block's columns
    kind: str = "s"  # "s" or "e"
    size: int = 0
    status: str = ""  # e-line status
    quality: bool = False
    i_line: str = ""


def _text(codes: np.ndarray, lower: np.ndarray) -> str:
    return np.where(lower & (codes < GAP), LOWER[codes], UPPER[codes]).tobytes().decode("ascii")


class MafWriter:
    def __init__(
        self, rng: np.random.Generator, walk: Walk, layouts: dict[str, SpeciesLayout], paralog_size: int
    ) -> None:
        self.rng, self.walk, self.layouts, self.paralog_size = rng, walk, layouts, paralog_size
        self.expected = 0.75 * (1.0 - np.exp(-4.0 / 3.0 * walk.distance_to_human))
        top = float(walk.distance_to_human.max()) or 1.0
        self.loss = 0.01 + 0.05 * walk.distance_to_human / top

    def _src(self, species: str, contig: int) -> str:
        return f"{species}.{self.layouts[species].contig_names[contig]}"

    def write_region(
        self,
        out: TextSink,
        region: int,
        chrom: str,
        chrom_size: int,
        start: int,
        human_lower: np.ndarray,
        aln: RegionAlignment,
    ) -> np.ndarray:
        """Write the blocks of one region; return the PhyloP-style score per human base."""
        rng, rows = self.rng, aln.rows.copy()
        n_species, n_cols = rows.shape
        length = len(aln.core_cols)
        col_lower = np.zeros(n_cols, dtype=bool)
        col_lower[aln.core_cols] = human_lower
        present = np.ones((n_species, n_cols), dtype=bool)
        lost = rng.random(n_species) < self.loss
        lost[0] = False
        present[lost] = False
        for s in range(1, n_species):
            if rng.random() < P_NRUN:
                bases = np.flatnonzero(rows[s] < GAP)
                if len(bases) > 40:
                    at = int(rng.integers(len(bases) - 30))
                    rows[s, bases[at : at + int(rng.integers(5, 30))]] = N
        n_blocks = min(5, 1 + int(rng.poisson(length / 350)))
        cuts: np.ndarray | list[int] = (
            np.unique(rng.integers(20, max(21, length - 20), size=n_blocks - 1)) if length > 60 else []
        )
        bounds = [0] + [int(aln.core_cols[c]) for c in cuts] + [n_cols]
        blocks = [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
        missing = rng.random((n_species, len(blocks))) < (P_BLOCK_MISSING if len(blocks) > 1 else 0.0)
        missing[0] = False
        for b, (c0, c1) in enumerate(blocks):
            present[missing[:, b], c0:c1] = False
        scores = self._phylop(rows, present, aln.core_cols)
        with_i = rng.random() < P_ILINES
        cursor = {s: self.layouts[sp].region_slot[region] for s, sp in enumerate(self.walk.species) if s}
        human_pos = start
        block_rows: list[list[_Row]] = []
        for b, (c0, c1) in enumerate(blocks):
            human = rows[0, c0:c1]
            human_size = int((human < GAP).sum())
            out_rows = [_Row(f"Homo_sapiens.{chrom}", "+", chrom_size, human_pos, human, size=human_size)]
            human_pos += human_size
            for s in range(1, n_species):
                state = "lost" if lost[s] else ("missing" if missing[s, b] else "s")
                out_rows += self._species_rows(s, region, b, rows[s, c0:c1], state, cursor)
            block_rows.append(out_rows)
        if with_i:
            self._add_i_lines(block_rows)
        for b, (c0, c1) in enumerate(blocks):
            self._write_block(out, block_rows[b], col_lower[c0:c1])
        return scores

    def _species_rows(
        self, s: int, region: int, block: int, cols: np.ndarray, state: str, cursor: dict[int, int]
    ) -> list[_Row]:
        rng, species = self.rng, self.walk.species[s]
        layout = self.layouts[species]
        contig, strand = layout.region_contig[region], layout.region_strand[region]
        size = int((cols < GAP).sum())
        src, src_size = self._src(species, contig), layout.contig_sizes[contig]
        if block and rng.random() < P_JUMP:
            cursor[s] += int(rng.integers(1, 15))
        if state == "lost":
            return []
        if state == "missing":
            row = _Row(
                src, strand, src_size, cursor[s], cols, kind="e", size=size, status="I" if size else "C"
            )
            cursor[s] += size
            return [row]
        if size == 0:
            return []
        rows: list[_Row] = []
        bases = np.flatnonzero(cols < GAP)
        if size > 40 and rng.random() < P_SPLIT:
            cut = int(bases[int(rng.integers(10, size - 10))])
            head, tail = cols.copy(), cols.copy()
            head[cut:], tail[:cut] = GAP, GAP
            rows.append(_Row(src, strand, src_size, cursor[s], head, size=int((head < GAP).sum())))
            cursor[s] += rows[-1].size
            tail_size = int((tail < GAP).sum())
            pc, pstart = layout.take_paralog(tail_size)
            rows.append(_Row(self._src(species, pc), strand, self.paralog_size, pstart, tail, size=tail_size))
        else:
            rows.append(
                _Row(src, strand, src_size, cursor[s], cols, size=size, quality=species in LOW_COVERAGE)
            )
            cursor[s] += size
        if size > 30 and rng.random() < P_PARALOG:
            para = cols.copy()
            hit = (rng.random(len(para)) < 0.15) & (para < N)
            para[hit] = (para[hit] + rng.integers(1, 4, size=int(hit.sum()))) % 4
            a, z = sorted(rng.integers(0, len(para), size=2).tolist())
            para[:a], para[z:] = GAP, GAP
            psize = int((para < GAP).sum())
            if psize >= 10:
                pc, pstart = layout.take_paralog(psize)
                rows.append(
                    _Row(
                        self._src(species, pc),
                        "-" if rng.random() < 0.5 else "+",
                        self.paralog_size,
                        pstart,
                        para,
                        size=psize,
                    )
                )
        return rows

    def _phylop(self, rows: np.ndarray, present: np.ndarray, core_cols: np.ndarray) -> np.ndarray:
        human = rows[0, core_cols]
        species = rows[1:, core_cols]
        valid = present[1:, core_cols] & (species < N) & (human < N)
        mismatch = valid & (species != human)
        e = self.expected[1:, None]
        expected = (valid * e).sum(axis=0)
        variance = (valid * e * (1 - e)).sum(axis=0)
        observed = mismatch.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(variance > 0, (expected - observed) / np.sqrt(variance), 0.0)
        return score.astype(np.float32)

    def _add_i_lines(self, blocks: list[list[_Row]]) -> None:
        def key(row: _Row) -> str:
            return row.src.split(".", 1)[0]

        index = [{key(r): r for r in rows[1:] if r.kind == "s"} for rows in blocks]
        for b, rows in enumerate(blocks):
            for row in rows[1:]:
                if row.kind != "s":
                    continue
                prev = index[b - 1].get(key(row)) if b else None
                nxt = index[b + 1].get(key(row)) if b + 1 < len(blocks) else None
                left = (
                    "N 0"
                    if prev is None or prev.src != row.src
                    else (
                        "C 0"
                        if prev.start + prev.size == row.start
                        else f"I {row.start - prev.start - prev.size}"
                    )
                )
                right = (
                    "n 0"
                    if nxt is None or nxt.src != row.src
                    else (
                        "C 0"
                        if row.start + row.size == nxt.start
                        else f"I {nxt.start - row.start - row.size}"
                    )
                )
                row.i_line = f"{left} {right}"

    def _write_block(self, out: TextSink, rows: list[_Row], col_lower: np.ndarray) -> None:
        srows = [r for r in rows if r.kind == "s"]
        keep = np.any(np.stack([r.cols for r in srows]) < GAP, axis=0)
        human = srows[0].cols[keep]
        matches = sum(int(((r.cols[keep] == human) & (human < N)).sum()) for r in srows[1:])
        out.write(f"a score={matches * 100 - (len(srows) - 1) * int(keep.sum()) * 10:.6f}\n")
        w_src = max(len(r.src) for r in rows)
        w_start = max(len(str(r.start)) for r in rows)
        w_size = max(len(str(r.size)) for r in rows)
        w_total = max(len(str(r.src_size)) for r in rows)
        for r in rows:
            head = (
                f"{r.src:<{w_src}} {r.start:>{w_start}} {r.size:>{w_size}} {r.strand} {r.src_size:>{w_total}}"
            )
            if r.kind == "e":
                out.write(f"e {head} {r.status}\n")
                continue
            out.write(f"s {head} {_text(r.cols[keep], col_lower[keep])}\n")
            if r.quality:
                q = np.where(r.cols[keep] < GAP, np.frombuffer(b"9", np.uint8)[0], ord("-")).astype(np.uint8)
                q[(r.cols[keep] < GAP) & (self.rng.random(int(keep.sum())) < 0.05)] = ord("5")
                out.write(
                    f"q {r.src:<{w_src}} {' ' * (w_start + w_size + w_total + 5)}{q.tobytes().decode()}\n"
                )
            if r.i_line:
                out.write(f"i {r.src:<{w_src}} {r.i_line}\n")
        out.write("\n")
