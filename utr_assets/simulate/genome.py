"""The human-like reference: chromosomes built gene by gene (5'UTR, CDS exons with GT-AG introns,
stop codon, designed 3'UTR with planted motifs), alternative transcripts, lncRNA genes, a
non-primary contig, soft-masked repeats, and per-site evolutionary rates of the aligned regions.

Conventions: genome intervals are 0-based half-open on the + strand; a gene is built in
transcript orientation ("local" coordinates) and reverse-complemented onto the genome for the
- strand. CDS excludes the stop codon (GENCODE). The aligned region of a coding gene spans
60 bp of CDS before the stop codon to 100 bp after the 3'UTR end, in genome orientation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from utr_assets.common.sequences import reverse_complement_codes
from utr_assets.simulate import biology
from utr_assets.simulate.fileio import encode
from utr_assets.simulate.scales import Scale

Interval = tuple[int, int]
CDS_FLANK, DOWN_FLANK = 60, 100
FUNCTIONAL_RATE, STOP_RATE, POLYA_RATE = 0.06, 0.02, 0.15
RANDOM_CONTIG = "chr1_KI270706v1_random"


@dataclass
class TranscriptModel:
    transcript_id: str
    transcript_type: str
    tags: tuple[str, ...]
    exons: list[Interval]
    cds: list[Interval] = field(default_factory=list)
    start_codon: list[Interval] = field(default_factory=list)
    stop_codon: list[Interval] = field(default_factory=list)


@dataclass(frozen=True)
class PlantedInstance:
    rbp: str
    kmer: str
    functional: bool
    chrom: str
    start: int  # genome, 0-based, lowest coordinate of the 5 bp
    strand: str
    gene_id: str
    utr_offset: int  # RNA orientation offset in the 3'UTR


@dataclass
class Gene:
    gene_id: str
    gene_name: str
    gene_type: str
    chrom: str
    strand: str
    start: int
    end: int
    transcripts: list[TranscriptModel]
    utr_blocks: list[Interval] = field(default_factory=list)
    cds_length: int = 0
    instances: list[PlantedInstance] = field(default_factory=list)
    polya: int | None = None
    region: Interval | None = None
    region_rates: np.ndarray | None = None
    region_protect: np.ndarray | None = None

    @property
    def utr_length(self) -> int:
        return sum(e - s for s, e in self.utr_blocks)


@dataclass
class Chromosome:
    name: str
    codes: np.ndarray
    lower: np.ndarray
    genes: list[Gene]
    neutral_regions: list[tuple[Interval, np.ndarray]]  # aligned intergenic stretches and their rates


class _Ids:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng, self.gene, self.tx, self.exon = rng, 0, 0, 0

    def version(self) -> int:
        return int(self.rng.integers(1, 16))

    def next_gene(self) -> tuple[str, str]:
        self.gene += 1
        return f"ENSG{100_000 + self.gene * 7:011d}.{self.version()}", f"MZG{self.gene}"

    def next_tx(self) -> str:
        self.tx += 1
        return f"ENST{300_000 + self.tx * 5:011d}.{self.version()}"


def _to_genome(local: list[Interval], origin: int, span: int, strand: str) -> list[Interval]:
    if strand == "+":
        return sorted((origin + s, origin + e) for s, e in local)
    return sorted((origin + span - e, origin + span - s) for s, e in local)


def _intron(rng: np.random.Generator, length: int) -> np.ndarray:
    seq = biology.background(rng, length, biology.CODE_WEIGHTS["genome"])
    seq[:2], seq[-2:] = encode("GT"), encode("AG")
    return seq


def build_coding_gene(
    rng: np.random.Generator,
    scale: Scale,
    ids: _Ids,
    chrom: str,
    origin: int,
    cluster_rng: np.random.Generator | None = None,
) -> tuple[Gene, np.ndarray, np.ndarray]:
    """A protein-coding gene at ``origin``; returns the gene, its genome-orientation codes and the
    per-base local kind (for rates), both covering the gene span."""
    strand = "+" if rng.random() < 0.5 else "-"
    utr5 = biology.background(rng, int(rng.integers(40, 200)), biology.CODE_WEIGHTS["utr5"])
    cds = np.concatenate([encode("ATG"), biology.random_codons(rng, int(rng.integers(*scale.codons)))])
    stop = encode(biology.STOP_CODONS[int(rng.integers(3))])
    utr_len = int(
        np.clip(rng.lognormal(np.log(scale.utr_median), scale.utr_sigma), scale.utr_min, scale.utr_max)
    )
    utr, instances, polya = biology.design_utr(rng, utr_len, scale.motif_density, 0.55, 0.7, cluster_rng)
    n_parts = int(rng.integers(1, 5))
    step = len(cds) / n_parts
    cuts = [int(round((i * step + rng.uniform(-step / 4, step / 4)) / 3)) * 3 for i in range(1, n_parts)]
    cds_parts = np.split(cds, cuts)
    utr_cut = int(rng.integers(30, utr_len - 30)) if utr_len >= 150 and rng.random() < 0.15 else None
    # local layout in transcript orientation: kinds 0 intron, 1 CDS, 2 stop, 3 UTR, 4 5'UTR
    pieces: list[tuple[np.ndarray, int]] = [(utr5, 4)]
    for i, part in enumerate(cds_parts):
        if i:
            pieces.append((_intron(rng, int(rng.integers(*scale.intron))), 0))
        pieces.append((part, 1))
    pieces.append((stop, 2))
    pieces += (
        [(utr[:utr_cut], 3), (_intron(rng, int(rng.integers(*scale.intron))), 0), (utr[utr_cut:], 3)]
        if utr_cut
        else [(utr, 3)]
    )
    kinds = np.concatenate([np.full(len(p), k, dtype=np.uint8) for p, k in pieces])
    local = np.concatenate([p for p, _ in pieces])
    span = len(local)
    bounds = np.cumsum([0] + [len(p) for p, _ in pieces])
    exons_local: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None  # the exon being extended (pieces start and end with one)
    for (s, e), (_, k) in zip(zip(bounds[:-1], bounds[1:], strict=True), pieces, strict=True):
        if k == 0:
            assert current is not None  # an intron always follows an exon piece
            exons_local.append(current)
            current = None
        else:
            current = (current[0], int(e)) if current else (int(s), int(e))
    assert current is not None
    exons_local.append(current)
    cds_local = [
        (int(s), int(e))
        for (s, e), (_, k) in zip(zip(bounds[:-1], bounds[1:], strict=True), pieces, strict=True)
        if k == 1
    ]
    stop_start = int(np.flatnonzero(kinds == 2)[0])
    stop_local = (stop_start, stop_start + 3)
    utr_positions = np.flatnonzero(kinds == 3)  # local position of each UTR base, in order
    gene_id, name = ids.next_gene()
    g = lambda iv: _to_genome(iv, origin, span, strand)  # noqa: E731
    start_local = (cds_local[0][0], cds_local[0][0] + 3)
    canonical = TranscriptModel(
        ids.next_tx(),
        "protein_coding",
        ("basic", "Ensembl_canonical", "MANE_Select", "CCDS", "appris_principal_1"),
        g(exons_local),
        g(cds_local),
        g([start_local]),
        g([stop_local]),
    )
    transcripts = [canonical]
    if utr_cut is None and utr_len >= 150 and rng.random() < 0.5:  # alternative polyadenylation
        short_end = int(utr_positions[int(utr_len * rng.uniform(0.3, 0.7))])
        transcripts.append(
            TranscriptModel(
                ids.next_tx(),
                "protein_coding",
                ("basic",),
                g(exons_local[:-1] + [(exons_local[-1][0], short_end)]),
                canonical.cds,
                canonical.start_codon,
                canonical.stop_codon,
            )
        )
    if len(exons_local) >= 2 and rng.random() < 0.4:  # retained intron, non-coding
        i = int(rng.integers(len(exons_local) - 1))
        merged = exons_local[:i] + [(exons_local[i][0], exons_local[i + 1][1])] + exons_local[i + 2 :]
        transcripts.append(TranscriptModel(ids.next_tx(), "retained_intron", (), g(merged)))
    if rng.random() < 0.3:  # shorter 5'UTR
        cut = int(rng.integers(5, len(utr5) - 5))
        exons = [(exons_local[0][0] + cut, exons_local[0][1])] + exons_local[1:]
        transcripts.append(
            TranscriptModel(
                ids.next_tx(),
                "protein_coding",
                ("basic",),
                g(exons),
                canonical.cds,
                canonical.start_codon,
                canonical.stop_codon,
            )
        )
    utr_local = [(max(s, stop_local[1]), e) for s, e in exons_local if e > stop_local[1]]
    gene = Gene(
        gene_id,
        name,
        "protein_coding",
        chrom,
        strand,
        origin,
        origin + span,
        transcripts,
        utr_blocks=g(utr_local),
        cds_length=len(cds),
    )
    for inst in instances:
        lp = utr_positions[inst.offset : inst.offset + 5]
        if len(lp) < 5 or lp[-1] - lp[0] != 4:
            continue  # straddles the UTR intron
        kinds[lp] = 5 if inst.functional else 3
        start = origin + int(lp[0]) if strand == "+" else origin + span - int(lp[-1]) - 1
        gene.instances.append(
            PlantedInstance(inst.rbp, inst.kmer, inst.functional, chrom, start, strand, gene_id, inst.offset)
        )
    if polya is not None:
        lp = utr_positions[polya : polya + 6]
        kinds[lp] = 6
        gene.polya = origin + int(lp[0]) if strand == "+" else origin + span - int(lp[-1]) - 1
    codes = local if strand == "+" else reverse_complement_codes(local)
    codon_phase = np.zeros(span, dtype=np.uint8)
    codon_phase[kinds == 1] = np.arange(int((kinds == 1).sum())) % 3
    genome_kinds = kinds if strand == "+" else kinds[::-1]
    genome_phase = codon_phase if strand == "+" else codon_phase[::-1]
    return gene, codes, np.stack([genome_kinds, genome_phase])


def region_rates(
    rng: np.random.Generator, kinds: np.ndarray, phase: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-site rate multipliers (neutral mean 1) and the indel-protected mask for a region."""
    rates = rng.gamma(2.0, 0.5, size=len(kinds))
    cds = kinds == 1
    rates[cds] *= np.where(phase[cds] == 2, 0.7, 0.15)
    rates[kinds == 2] = STOP_RATE
    rates[kinds == 5] = FUNCTIONAL_RATE
    rates[kinds == 6] = POLYA_RATE
    protect = np.isin(kinds, (1, 2, 5, 6))
    return rates.astype(np.float32), protect


def build_noncoding_gene(
    rng: np.random.Generator, ids: _Ids, chrom: str, origin: int
) -> tuple[Gene, np.ndarray]:
    """A two-exon lncRNA gene (Ensembl_canonical-tagged, no CDS)."""
    strand = "+" if rng.random() < 0.5 else "-"
    e1, intron, e2 = int(rng.integers(150, 400)), int(rng.integers(300, 900)), int(rng.integers(200, 700))
    local = np.concatenate([biology.background(rng, e1), _intron(rng, intron), biology.background(rng, e2)])
    span = len(local)
    gene_id, name = ids.next_gene()
    exons = _to_genome([(0, e1), (e1 + intron, span)], origin, span, strand)
    tx = TranscriptModel(ids.next_tx(), "lncRNA", ("basic", "Ensembl_canonical"), exons)
    gene = Gene(gene_id, f"LINC{name[3:]}", "lncRNA", chrom, strand, origin, origin + span, [tx])
    return gene, local if strand == "+" else reverse_complement_codes(local)
