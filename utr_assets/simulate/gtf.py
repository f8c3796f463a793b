"""GENCODE-style GTF text for the simulated genes: gene/transcript/exon/CDS/start_codon/
stop_codon/UTR lines, Ensembl-style versioned ids, GENCODE attribute order and tags.

Conventions: GTF is 1-based inclusive (start+1, end); features of a transcript are listed in
transcript order (descending coordinates on the - strand), UTR lines last, as GENCODE does.
CDS excludes the stop codon; the CDS frame column is the GTF phase.
"""

from __future__ import annotations

from utr_assets.simulate.genome import Chromosome, Gene, Interval, TranscriptModel

HEADER = (
    "##description: mini-zoo simulated annotation (utr-assets), GENCODE layout\n"
    "##provider: utr-assets simulator\n##contact: none\n##format: gtf\n##date: 2026-01-01\n"
)


def _attributes(gene: Gene, tx: TranscriptModel | None, extra: str = "") -> str:
    parts = [f'gene_id "{gene.gene_id}";']
    if tx is not None:
        parts.append(f'transcript_id "{tx.transcript_id}";')
    parts += [f'gene_type "{gene.gene_type}";', f'gene_name "{gene.gene_name}";']
    if tx is not None:
        number = gene.transcripts.index(tx) + 1
        parts += [
            f'transcript_type "{tx.transcript_type}";',
            f'transcript_name "{gene.gene_name}-{200 + number}";',
        ]
    parts.append("level 2;")
    if extra:
        parts.append(extra)
    if tx is not None:
        parts += [f'tag "{tag}";' for tag in tx.tags]
    return " ".join(parts)


def _line(gene: Gene, feature: str, iv: Interval, attrs: str, frame: str = ".") -> str:
    source = "HAVANA" if feature in ("gene", "transcript", "exon", "UTR") else "ENSEMBL"
    return f"{gene.chrom}\t{source}\t{feature}\t{iv[0] + 1}\t{iv[1]}\t.\t{gene.strand}\t{frame}\t{attrs}\n"


def _subtract(exon: Interval, cuts: list[Interval]) -> list[Interval]:
    pieces = [exon]
    for cs, ce in cuts:
        pieces = [p for s, e in pieces for p in ((s, min(e, cs)), (max(s, ce), e)) if p[1] > p[0]]
    return pieces


def transcript_lines(gene: Gene, tx: TranscriptModel, exon_counter: list[int]) -> list[str]:
    reverse = gene.strand == "-"
    order = lambda ivs: sorted(ivs, reverse=reverse)  # noqa: E731 - transcript order
    span = (min(s for s, _ in tx.exons), max(e for _, e in tx.exons))
    lines = [_line(gene, "transcript", span, _attributes(gene, tx))]
    done = 0
    utrs: list[tuple[int, int, int]] = []  # (start, end, exon number)
    for number, exon in enumerate(order(tx.exons), start=1):
        exon_counter[0] += 1
        extra = f'exon_number {number}; exon_id "ENSE{500_000 + exon_counter[0] * 3:011d}.1";'
        lines.append(_line(gene, "exon", exon, _attributes(gene, tx, extra)))
        for cds in tx.cds:
            if cds[0] >= exon[0] and cds[1] <= exon[1]:
                lines.append(_line(gene, "CDS", cds, _attributes(gene, tx, extra), str((3 - done % 3) % 3)))
                done += cds[1] - cds[0]
        for feature, codons in (("start_codon", tx.start_codon), ("stop_codon", tx.stop_codon)):
            for codon in codons:
                if codon[0] >= exon[0] and codon[1] <= exon[1]:
                    lines.append(_line(gene, feature, codon, _attributes(gene, tx, extra), "0"))
        if tx.cds:
            utrs += [(s, e, number) for s, e in _subtract(exon, tx.cds + tx.stop_codon)]
    for s, e, number in utrs:
        lines.append(_line(gene, "UTR", (s, e), _attributes(gene, tx, f"exon_number {number};")))
    return lines


def gtf_text(chromosomes: list[Chromosome]) -> str:
    out = [HEADER]
    counter = [0]
    for chrom in chromosomes:
        for gene in sorted(chrom.genes, key=lambda g: (g.start, g.gene_id)):
            out.append(_line(gene, "gene", (gene.start, gene.end), _attributes(gene, None)))
            for tx in gene.transcripts:
                out += transcript_lines(gene, tx, counter)
    return "".join(out)
