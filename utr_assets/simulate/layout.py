"""Where each aligned region sits in every other species' assembly: contig names (chromosome,
RefSeq NW_ accessions with a dot, scaffolds), contig strand relative to human (synteny blocks
that are inverted give `-` rows), slot coordinates and contig sizes, plus paralog contigs.

Invariant: coordinates are on the row's strand and grow along the human chromosome inside a
synteny segment; a slot is large enough for any evolved sequence of its region plus unaligned
jumps between blocks, so rows of one contig never overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CHROMOSOME_STYLE = {
    "Pan_troglodytes",
    "Gorilla_gorilla",
    "Pongo_abelii",
    "Macaca_mulatta",
    "Chlorocebus_sabaeus",
    "Callithrix_jacchus",
    "Mus_musculus",
    "Rattus_norvegicus",
    "Canis_lupus_familiaris",
    "Felis_catus",
    "Bos_taurus",
    "Sus_scrofa",
    "Equus_caballus",
    "Ovis_aries",
    "Pan_paniscus",
}
LOW_COVERAGE = {
    "Choloepus_hoffmanni",
    "Ochotona_princeps",
    "Sorex_araneus",
    "Tupaia_chinensis",
    "Dasypus_novemcinctus",
    "Erinaceus_europaeus",
}


@dataclass
class SpeciesLayout:
    species: str
    contig_names: list[str] = field(default_factory=list)
    contig_sizes: list[int] = field(default_factory=list)
    region_contig: dict[int, int] = field(default_factory=dict)  # region index -> contig index
    region_strand: dict[int, str] = field(default_factory=dict)
    region_slot: dict[int, int] = field(default_factory=dict)
    paralog_contig: int = -1
    paralog_cursor: int = 0

    def new_contig(self, name: str) -> int:
        self.contig_names.append(name)
        self.contig_sizes.append(0)
        return len(self.contig_names) - 1

    def take_paralog(self, size: int) -> tuple[int, int]:
        """Coordinates for a paralogous or split-contig fragment on the species' spare contig."""
        start = self.paralog_cursor + 137
        self.paralog_cursor = start + size
        return self.paralog_contig, start


def _namer(rng: np.random.Generator, species: str, index: int):
    style = "chr" if species in CHROMOSOME_STYLE else ("NW", "scaffold", "JH")[index % 3]
    first = np.arange(1, 39) if style == "chr" else np.arange(1, 200)
    numbers = iter(np.concatenate([rng.permutation(first), rng.permutation(np.arange(200, 5_000))]).tolist())

    def name() -> str:
        k = next(numbers)
        if style == "chr":
            return f"chr{k}" if k <= 38 else f"chrUn_NW_{18_734_000 + k * 11}v1"
        if style == "NW":
            return f"NW_0{20_834_000 + k * 13:08d}.1"
        if style == "scaffold":
            return f"scaffold_{k}"
        return f"JH{725_000 + k * 7}.1"

    return name


def build_layouts(
    rng: np.random.Generator, species: list[str], region_lengths: list[int], region_chroms: list[str]
) -> dict[str, SpeciesLayout]:
    """Layouts for every species except the first (the reference)."""
    layouts: dict[str, SpeciesLayout] = {}
    for index, name in enumerate(species[1:], start=1):
        layout = SpeciesLayout(name)
        namer = _namer(rng, name, index)
        p_break = 0.02 if name in CHROMOSOME_STYLE else 0.08
        p_plus = 0.8 if name in CHROMOSOME_STYLE else 0.5
        contig, strand, cursor, previous_chrom = -1, "+", 0, None
        for r, (length, chrom) in enumerate(zip(region_lengths, region_chroms, strict=True)):
            if chrom != previous_chrom or rng.random() < p_break:
                if contig >= 0:
                    layout.contig_sizes[contig] = cursor + int(rng.integers(1_000, 20_000))
                contig = layout.new_contig(namer())
                strand = "+" if rng.random() < p_plus else "-"
                cursor = int(rng.integers(1_000, 50_000))
            previous_chrom = chrom
            layout.region_contig[r], layout.region_strand[r], layout.region_slot[r] = contig, strand, cursor
            cursor += int(length * 1.3) + 200 + int(rng.integers(500, 5_000))
        if contig >= 0:
            layout.contig_sizes[contig] = cursor + int(rng.integers(1_000, 20_000))
        layout.paralog_contig = layout.new_contig(namer())
        layouts[name] = layout
    return layouts
