"""Public entry points: MAF + ``utr3_regions`` -> aligned projections, orthologs and the species table.

What belongs here: the table shapes and RNA orientation of the outputs. One pass over the MAF serves
both tables (``extract_utrs``); the single-table functions are conveniences over it.

Tables (one row per (utr_id, species) present; species absent from the whole UTR get no row):
- alignments: ``utr_id, species, aligned, n_bases, hamming, n_rows, contig, strand``. ``aligned`` is in
  RNA orientation, exactly the human 3'UTR length, ``-`` where the species has no aligned base; columns
  where human has a gap are dropped. For the reference species, ``aligned`` is the MAF's reference bases
  (the table's sequence where no block covers), ``n_bases`` the covered positions and ``hamming`` the
  positions where the MAF disagrees with ``utr3_regions.sequence``. For others, ``hamming`` is the chosen
  row's distance to human (gaps count), ``n_rows`` how many chained rows were merged into it.
- orthologs: see ``orthologs.ORTHOLOG_COLUMNS``.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from utr_assets.alignments.engine import ExtractionStats, run_pass
from utr_assets.alignments.index import MafIndex
from utr_assets.alignments.maf_block import GAP
from utr_assets.alignments.orthologs import ORTHOLOG_COLUMNS, SequenceLookup, ortholog_records
from utr_assets.alignments.projection import chain_rows, choose_row
from utr_assets.alignments.queries import UtrQuery, genome_order, utr_queries
from utr_assets.common import progress
from utr_assets.common.sequences import reverse_complement_bytes

ALIGNMENT_COLUMNS = ["utr_id", "species", "aligned", "n_bases", "hamming", "n_rows", "contig", "strand"]


def _rna(arr: np.ndarray, strand: str) -> str:
    b = arr.tobytes()
    return (reverse_complement_bytes(b) if strand == "-" else b).decode()


def utr_records(
    q: UtrQuery, reference_species: str, genomes: Mapping[str, SequenceLookup] | None = None
) -> tuple[list[dict], list[dict]]:
    """(alignment records, ortholog records) of one finished UTR."""
    covered = int(q.human_covered.sum())
    mismatch = int(np.count_nonzero(q.human[q.human_covered] != q.sequence_dna[q.human_covered]))
    human_rna = _rna(q.sequence_dna, q.strand)
    aln = [
        dict(
            utr_id=q.utr_id,
            species=reference_species,
            aligned=_rna(q.human, q.strand),
            n_bases=covered,
            hamming=mismatch,
            n_rows=1,
            contig=q.chrom,
            strand=q.strand,
        )
    ]
    for species, rows in sorted(chain_rows(q.fragments, q.length).items()):
        c = choose_row(rows, q.human)
        aln.append(
            dict(
                utr_id=q.utr_id,
                species=species,
                aligned=_rna(c.aligned, q.strand),
                n_bases=int(np.count_nonzero(c.aligned != GAP)),
                hamming=c.hamming,
                n_rows=len(c.rows_used),
                contig=c.rows_used[0].contig,
                strand=c.rows_used[0].strand,
            )
        )
    return aln, ortholog_records(q, reference_species, human_rna, genomes) if q.stop is not None else []


def iter_utr_records(
    maf_path: str | Path,
    utr_regions: pd.DataFrame,
    reference_species: str,
    index: MafIndex | None = None,
    genomes: Mapping[str, SequenceLookup] | None = None,
    orthologs: bool = True,
) -> tuple[Iterator[tuple[list[dict], list[dict]]], ExtractionStats]:
    """Streaming form: per finished UTR its (alignment, ortholog) records; bounded by the active UTRs.
    ``orthologs=False`` skips the stop-codon anchoring (ortholog records are then empty)."""
    finished, stats = run_pass(maf_path, utr_queries(utr_regions, orthologs), reference_species, index)
    return (utr_records(q, reference_species, genomes) for q in finished), stats


def extract_utrs(
    maf_path: str | Path,
    utr_regions: pd.DataFrame,
    reference_species: str,
    index: MafIndex | None = None,
    genomes: Mapping[str, SequenceLookup] | None = None,
    orthologs: bool = True,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, ExtractionStats]:
    """One pass over the MAF -> (alignments, orthologs, stats). ``index``: read by seeks (plain/bgzip);
    ``None``: one streaming pass that fully parses only the blocks overlapping a UTR. Rows are in genome
    order of the UTRs (contig, span; ``engine.genome_order``), the reference species first within a UTR.

    ``workers`` > 1 splits the UTRs into that many runs of neighbouring UTRs, each extracted by seeks in a
    forked process; the tables are identical to one process's. It applies with an index over a plain or
    bgzip MAF, no ``genomes`` (open FASTA handles must not be shared across processes) and where the
    platform can fork; otherwise the extraction runs in this process.
    """
    if (
        workers > 1
        and index is not None
        and index.compression != "gzip"
        and not genomes
        and len(utr_regions) >= 2 * workers
        and "fork" in mp.get_all_start_methods()
    ):
        return _extract_in_processes(maf_path, utr_regions, reference_species, index, orthologs, workers)
    queries = utr_queries(utr_regions, orthologs)
    rank = {id(q): k for k, q in enumerate(sorted(queries, key=genome_order))}
    finished, stats = run_pass(maf_path, queries, reference_species, index)
    # with workers, this process's own run reports (the runs are balanced by span, so it tells the whole's pace)
    finished = progress.track(finished, "MAF extraction", len(queries), "UTR")
    # records are built while each UTR is finished (its fragments are released right after)
    done = sorted(
        ((rank[id(q)], utr_records(q, reference_species, genomes)) for q in finished), key=lambda x: x[0]
    )
    aln = [r for _, (a, _) in done for r in a]
    orth = [r for _, (_, o) in done for r in o]
    return _frame(aln, ALIGNMENT_COLUMNS), _frame(orth, ORTHOLOG_COLUMNS), stats


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    """Records -> DataFrame column by column (cheaper than pandas' record path for long strings)."""
    return pd.DataFrame({c: [r[c] for r in records] for c in columns}, columns=columns)


def _extract_in_processes(
    maf_path: str | Path,
    utr_regions: pd.DataFrame,
    reference_species: str,
    index: MafIndex,
    orthologs: bool,
    workers: int,
) -> tuple[pd.DataFrame, pd.DataFrame, ExtractionStats]:
    t0 = time.perf_counter()
    queries = utr_queries(utr_regions, orthologs)
    order = sorted(range(len(queries)), key=lambda k: genome_order(queries[k]))
    # contiguous runs in genome order (few blocks are shared between runs) of about equal span
    weight = np.cumsum([queries[k].span[1] - queries[k].span[0] for k in order], dtype=np.float64)
    cuts = np.searchsorted(weight, weight[-1] * np.arange(1, workers) / workers, side="left") + 1
    runs = [r for r in np.split(np.array(order), np.minimum(cuts, len(order))) if len(r)]
    jobs = [(str(maf_path), utr_regions.iloc[r], reference_species, index, orthologs) for r in runs]
    with ProcessPoolExecutor(len(jobs) - 1, mp_context=mp.get_context("fork")) as pool:
        forked = [pool.submit(_extract_run, job) for job in jobs[:-1]]
        try:
            last, last_error = _extract_run(jobs[-1]), None  # this process takes one run itself
        except Exception as err:  # noqa: BLE001 - re-raised below, after the earlier runs' errors
            last, last_error = None, err
        # the first error in genome order wins, as in one process; errors pickle intact (errors.py)
        parts = [f.result() for f in forked]
        if last_error is not None:
            raise last_error
        assert last is not None  # no error: the run returned its result
        parts.append(last)
    stats = ExtractionStats(
        mode="index", blocks_total=index.n_blocks, bytes_total=index.total_bytes, n_utrs=len(queries)
    )
    for _, _, st in parts:
        stats.blocks_read += st.blocks_read
        stats.bytes_read += st.bytes_read
        stats.coverage.update(st.coverage)
    stats.seconds = time.perf_counter() - t0
    return (
        pd.concat([a for a, _, _ in parts], ignore_index=True),
        pd.concat([o for _, o, _ in parts], ignore_index=True),
        stats,
    )


def _extract_run(job: tuple) -> tuple[pd.DataFrame, pd.DataFrame, ExtractionStats]:
    maf_path, regions, reference_species, index, orthologs = job
    return extract_utrs(maf_path, regions, reference_species, index, orthologs=orthologs)


def extract_utr_alignments(
    maf_path: str | Path, utr_regions: pd.DataFrame, reference_species: str, index: MafIndex | None = None
) -> tuple[pd.DataFrame, ExtractionStats]:
    aln, _, stats = extract_utrs(maf_path, utr_regions, reference_species, index, orthologs=False)
    return aln, stats


def extract_utr_orthologs(
    maf_path: str | Path,
    utr_regions: pd.DataFrame,
    reference_species: str,
    index: MafIndex | None = None,
    genomes: Mapping[str, SequenceLookup] | None = None,
) -> tuple[pd.DataFrame, ExtractionStats]:
    _, orth, stats = extract_utrs(maf_path, utr_regions, reference_species, index, genomes)
    return orth, stats


def species_table(
    alignments: pd.DataFrame, orthologs: pd.DataFrame, index: MafIndex | None = None
) -> pd.DataFrame:
    """``species, maf_rows, utrs_aligned, aligned_bases, orthologs, ortholog_bases``; every species seen
    in the MAF (when an index with species counts is given) or in either table, names verbatim."""
    maf_rows = Counter(index.species_rows) if index is not None else Counter()
    a = alignments.groupby("species").agg(
        utrs_aligned=("utr_id", "nunique"), aligned_bases=("n_bases", "sum")
    )
    o = orthologs.groupby("species").agg(orthologs=("utr_id", "size"), ortholog_bases=("length", "sum"))
    names = sorted(set(maf_rows) | set(a.index) | set(o.index))
    out = pd.DataFrame({"species": names, "maf_rows": [maf_rows.get(s, 0) for s in names]})
    out = out.join(a, on="species").join(o, on="species").fillna(0)
    for col in ("utrs_aligned", "aligned_bases", "orthologs", "ortholog_bases"):
        out[col] = out[col].astype("int64")
    return out


def coverage_histogram(stats: ExtractionStats, bins: int = 10) -> dict[str, int]:
    """UTR counts by number of aligned species (metadata for the assets)."""
    values = np.array(list(stats.coverage.values()), dtype=np.int64)
    if not len(values):
        return {}
    counts, edges = np.histogram(values, bins=min(bins, int(values.max()) + 1))
    return {f"{int(np.ceil(edges[i]))}-{int(np.floor(edges[i + 1]))}": int(c) for i, c in enumerate(counts)}
