"""The planted biology: RNA-binding proteins with RBNS-like 5-mer motifs, their effects on mRNA
stability/expression, the 3'UTR background model, and the design of a 3'UTR sequence with
planted motif instances (functional ones are later put under purifying selection).

Everything here is in RNA orientation (5'->3' of the transcript, DNA alphabet). Effects are in
log2 units per bound (functional) instance; neutral instances act at a fraction of that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from utr_assets.simulate.fileio import A, C, G, T, encode

# RBP -> (5-mers, stability effect per functional instance in log2 units).
RBPS: dict[str, tuple[tuple[str, ...], float]] = {
    "ZFP36": (("TATTT", "ATTTA"), -0.55),  # AU-rich element, destabilising
    "ELAVL1": (("TTTAT", "ATTTT"), 0.30),  # HuR, AU-rich, stabilising
    "PUM2": (("TGTAA", "TGTAT"), -0.50),  # Pumilio response element UGUAHAUA
    "HNRNPC": (("TTTTT",), 0.10),
    "RBFOX2": (("TGCAT", "GCATG"), 0.35),
    "QKI": (("ACTAA", "CTAAC"), -0.40),
    "PCBP2": (("CCCCT", "CCTCC"), 0.40),  # C-rich, stabilising
    "TARDBP": (("GTGTG", "TGTGT"), -0.30),
    "CELF1": (("TGTTT", "TTGTT"), -0.35),  # GU-rich element
    "HNRNPA1": (("TAGGG", "TTAGG"), -0.20),
}
POLYA_SIGNAL = "AATAAA"
NEUTRAL_EFFECT_FRACTION = 0.15
# Homotypic clusters: a functional instance gets, with this probability, 1-2 more copies of its 5-mer at
# 0-2 nt from it (multivalent binding, as in clustered AU-rich elements or PUM/RBFOX site clusters). This
# is the sequence signature of functional sites that a language model can learn from the sequences alone;
# neutral instances stay isolated.
CLUSTER_PROBABILITY = 0.7
CLUSTER_EXTRA_COPIES = (1, 2)
CLUSTER_SPACER = (0, 2)
# Bound context: the free bases within FLANK_NT of a functional site (or cluster) are redrawn from a mix
# of the motif's own base composition and the background (RBPs prefer motifs in a context of similar
# composition: AREs in AU-rich stretches, C-rich sites among Cs).
FLANK_NT = 12
FLANK_MOTIF_WEIGHT = 0.6
UTR_BACKGROUND = np.array([0.29, 0.20, 0.21, 0.30])  # A C G T, AT-rich like human 3'UTRs


@dataclass(frozen=True)
class Instance:
    """A planted motif instance at ``offset`` (RNA orientation, 0-based) in its 3'UTR."""

    rbp: str
    kmer: str
    offset: int
    functional: bool


def motif_table() -> list[tuple[str, str]]:
    return [(rbp, kmer) for rbp, (kmers, _) in RBPS.items() for kmer in kmers]


def background(rng: np.random.Generator, length: int, probs: np.ndarray = UTR_BACKGROUND) -> np.ndarray:
    """Order-0 background with occasional homopolymer U/A runs (as in real 3'UTRs)."""
    seq = rng.choice(4, size=length, p=probs).astype(np.uint8)
    for _ in range(rng.poisson(length / 400)):
        run = int(rng.integers(6, 14))
        start = int(rng.integers(0, max(1, length - run)))
        seq[start : start + run] = T if rng.random() < 0.6 else A
    return seq


def design_utr(
    rng: np.random.Generator,
    length: int,
    density: float,
    functional_fraction: float,
    polya_probability: float,
    cluster_rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, list[Instance], int | None]:
    """A 3'UTR sequence with planted instances; returns (codes, instances, polyA signal offset).

    ``cluster_rng`` (its own stream, so the draws from ``rng`` do not move) grows homotypic clusters
    around functional instances (``CLUSTER_*``); every copy is a functional instance of its own.
    """
    seq = background(rng, length)
    motifs = motif_table()
    occupied = np.zeros(length, dtype=bool)
    polya = None
    if length >= 60 and rng.random() < polya_probability:
        polya = length - int(rng.integers(15, 30)) - len(POLYA_SIGNAL)
        seq[polya : polya + 6] = encode(POLYA_SIGNAL)
        occupied[max(0, polya - 2) : polya + 8] = True
    instances: list[Instance] = []
    for _ in range(rng.poisson(length * density)):
        rbp, kmer = motifs[int(rng.integers(len(motifs)))]
        offset = int(rng.integers(0, length - 5))
        if occupied[max(0, offset - 2) : offset + 7].any():
            continue
        seq[offset : offset + 5] = encode(kmer)
        occupied[offset : offset + 5] = True
        instances.append(Instance(rbp, kmer, offset, bool(rng.random() < functional_fraction)))
    if cluster_rng is not None:
        instances += _grow_clusters(cluster_rng, seq, occupied, [i for i in instances if i.functional])
    instances.sort(key=lambda inst: inst.offset)
    return seq, instances, polya


def _grow_clusters(
    rng: np.random.Generator, seq: np.ndarray, occupied: np.ndarray, functional: list[Instance]
) -> list[Instance]:
    """Extra copies of functional instances' 5-mers next to them (to the 3' side, else the 5' side), on
    free sequence only: a copy keeps 2 nt from any other instance and the polyA signal; then the free
    bases around every functional site are redrawn towards its motif's composition (``FLANK_*``)."""
    length = len(seq)
    added: list[Instance] = []
    for inst in functional:
        if rng.random() >= CLUSTER_PROBABILITY:
            continue
        lo, hi = inst.offset, inst.offset + 5  # the cluster so far
        for _ in range(int(rng.integers(CLUSTER_EXTRA_COPIES[0], CLUSTER_EXTRA_COPIES[1] + 1))):
            spacer = int(rng.integers(CLUSTER_SPACER[0], CLUSTER_SPACER[1] + 1))
            right, left = hi + spacer, lo - spacer - 5
            if right + 5 <= length and not occupied[hi : min(length, right + 7)].any():
                offset, hi = right, right + 5
            elif left >= 0 and not occupied[max(0, left - 2) : lo].any():
                offset, lo = left, left
            else:
                break
            seq[offset : offset + 5] = encode(inst.kmer)
            occupied[offset : offset + 5] = True
            added.append(Instance(inst.rbp, inst.kmer, offset, True))
    for inst in functional + added:
        flank = np.r_[
            max(0, inst.offset - FLANK_NT) : inst.offset,
            inst.offset + 5 : min(length, inst.offset + 5 + FLANK_NT),
        ]
        flank = flank[~occupied[flank]]
        composition = np.bincount(encode(inst.kmer), minlength=4)[:4] / 5
        probs = FLANK_MOTIF_WEIGHT * composition + (1 - FLANK_MOTIF_WEIGHT) * UTR_BACKGROUND
        seq[flank] = rng.choice(4, size=len(flank), p=probs / probs.sum())
    return added


def random_codons(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` sense codons (no stop codons), flattened."""
    codons = rng.integers(0, 4, size=(n * 2, 3)).astype(np.uint8)
    is_stop = (codons[:, 0] == T) & (
        ((codons[:, 1] == A) & ((codons[:, 2] == A) | (codons[:, 2] == G)))
        | ((codons[:, 1] == G) & (codons[:, 2] == A))
    )
    return codons[~is_stop][:n].reshape(-1)


STOP_CODONS = ("TAA", "TAG", "TGA")
CODE_WEIGHTS = {"genome": np.array([0.295, 0.205, 0.205, 0.295]), "utr5": np.array([0.2, 0.3, 0.3, 0.2])}


def kmer_counts(sequence: str) -> dict[str, int]:
    """Overlapping counts of every planted 5-mer in a sequence (RNA orientation)."""
    counts: dict[str, int] = {}
    wanted = {kmer for _, kmer in motif_table()}
    for i in range(len(sequence) - 4):
        kmer = sequence[i : i + 5]
        if kmer in wanted:
            counts[kmer] = counts.get(kmer, 0) + 1
    return counts


def motif_score(sequence: str, weights: dict[str, float] | None = None) -> float:
    """Sum over RBPs of effect x number of its 5-mer matches (the signal MPRA activity follows)."""
    counts = kmer_counts(sequence)
    total = 0.0
    for rbp, (kmers, effect) in RBPS.items():
        scale = weights.get(rbp, 1.0) if weights else 1.0
        total += effect * scale * sum(counts.get(k, 0) for k in kmers)
    return total


def gc_fraction(codes: np.ndarray) -> float:
    return float(np.isin(codes, (C, G)).mean()) if len(codes) else 0.0
