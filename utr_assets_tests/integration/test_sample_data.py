"""The committed sample (data/sample/): byte-for-byte reproducible from its seed, readable with the
standard readers, and carrying the planted biology measurably (thresholds asserted here)."""

from __future__ import annotations

import gzip
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pysam
import pytest

from utr_assets.simulate import generate_sample
from utr_assets.simulate.biology import motif_score

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
CHROMS = ("chr1", "chr2", "chr3")


def _table(path: Path) -> list[dict[str, str]]:
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((SAMPLE / "manifest.json").read_text())


@pytest.fixture(scope="module")
def instances() -> list[dict[str, str]]:
    return [row for row in _table(SAMPLE / "truth" / "motif_instances.tsv") if row["aligned"] == "1"]


@pytest.fixture(scope="module")
def sites(instances) -> dict[str, set[tuple[str, int]]]:
    """Human positions (chrom, 0-based) inside planted functional / neutral instances."""
    out: dict[str, set[tuple[str, int]]] = {"functional": set(), "neutral": set()}
    for row in instances:
        kind = "functional" if row["functional"] == "1" else "neutral"
        out[kind].update((row["chrom"], p) for p in range(int(row["start"]), int(row["end"])))
    return out


def test_generator_reproduces_the_committed_sample_quickly(tmp_path: Path, manifest: dict) -> None:
    started = time.perf_counter()
    path = generate_sample(tmp_path / "sample", seed=0, scale="sample")
    elapsed = time.perf_counter() - started
    assert elapsed < 60, f"sample generation took {elapsed:.1f} s"
    fresh = json.loads(path.read_text())
    assert {f["path"]: f["sha256"] for f in fresh["files"]} == {
        f["path"]: f["sha256"] for f in manifest["files"]
    }
    assert path.read_bytes() == (SAMPLE / "manifest.json").read_bytes()
    for entry in manifest["files"]:
        assert (SAMPLE / entry["path"]).stat().st_size == entry["bytes"] < 5_000_000, entry["path"]
    assert sum(f["bytes"] for f in manifest["files"]) < 6_000_000


def test_another_seed_gives_another_world(tmp_path: Path, manifest: dict) -> None:
    other = json.loads(generate_sample(tmp_path / "s1", seed=1).read_text())
    ours = {f["path"]: f["sha256"] for f in manifest["files"]}
    assert all(ours[f["path"]] != f["sha256"] for f in other["files"] if f["path"].endswith(".maf.gz"))


def test_manifest_lists_every_file_with_format(manifest: dict) -> None:
    listed = {f["path"] for f in manifest["files"]}
    from utr_assets.simulate.manifest import _kind

    # files the generator does not know (e.g. MAF index sidecars written by other tools) are ignored
    on_disk = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.is_file()} - {"manifest.json"}
    assert listed == {path for path in on_disk if _kind(path)[0] != "unknown"}
    assert all(f["format"] != "unknown" and len(f["sha256"]) == 64 for f in manifest["files"])
    assert manifest["chromosomes"] == list(CHROMS) and manifest["species"][0] == "Homo_sapiens"
    assert len(manifest["species"]) >= 30 and "Canis_lupus_familiaris" in manifest["species"]
    assert len(manifest["planted"]["rbps"]) == 10


def test_fasta_opens_with_pysam() -> None:
    with pysam.FastaFile(str(SAMPLE / "genome" / "genome.fa.gz")) as fasta:
        assert set(CHROMS) < set(fasta.references) and "chr1_KI270706v1_random" in fasta.references
        assert set(fasta.fetch("chr1", 5_000, 6_000).upper()) <= set("ACGT")
        assert fasta.fetch("chr1", 0, 10) == "N" * 10


def test_annotation_reads_with_the_project_reader_and_selects_utrs() -> None:
    from utr_assets.reference.annotation import read_annotation
    from utr_assets.reference.fasta import Genome
    from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions

    path = SAMPLE / "annotation" / "genes.gtf.gz"
    transcripts = read_annotation(path)
    coding_genes = {t.gene_id for t in transcripts if t.is_coding}
    mane = defaultdict(int)
    for t in transcripts:
        if "MANE_Select" in t.tags:
            mane[t.gene_id] += 1
            assert "Ensembl_canonical" in t.tags
    assert set(mane) == coding_genes and set(mane.values()) == {1}
    assert {t.transcript_type for t in transcripts} >= {"protein_coding", "retained_intron", "lncRNA"}
    assert {t.strand for t in transcripts} == {"+", "-"}
    genome = Genome(SAMPLE / "genome" / "genome.fa.gz")
    table, excluded = select_utr3_regions(transcripts, genome, Utr3Selection(), path)
    assert len(table) > 120 and set(table["stop_codon"]) <= {"TAA", "TAG", "TGA"}
    reasons = set(excluded["reason"])
    assert {"non_primary_contig", "spliced_3utr", "not_canonical", "not_protein_coding"} <= reasons
    assert not any(r.startswith("invalid_stop_codon") for r in reasons)
    spliced, _ = select_utr3_regions(transcripts, genome, Utr3Selection(spliced_utrs=True), path)
    assert len(spliced) > len(table)
    lengths = table["length"]
    assert lengths.mean() > lengths.median() and lengths.max() > 4 * lengths.median()  # right-skewed
    assert table["gene_id"].str.match(r"^ENSG\d{11}\.\d+$").all()
    assert table["transcript_id"].str.match(r"^ENST\d{11}\.\d+$").all()


def test_gtf_is_gencode_shaped() -> None:
    features = defaultdict(int)
    with gzip.open(SAMPLE / "annotation" / "genes.gtf.gz", "rt") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            assert len(fields) == 9 and int(fields[3]) <= int(fields[4])
            features[fields[2]] += 1
    assert set(features) == {"gene", "transcript", "exon", "CDS", "start_codon", "stop_codon", "UTR"}


def test_vcfs_and_tabix_tables_open_with_pysam() -> None:
    variants = SAMPLE / "tasks" / "variants"
    with pysam.VariantFile(str(variants / "clinvar.vcf.gz")) as vcf:
        records = list(vcf.fetch("1"))
        assert records and all("CLNSIG" in r.info and "CLNREVSTAT" in r.info for r in records)
    with pysam.VariantFile(str(variants / "gnomad.vcf.gz")) as vcf:
        record = next(iter(vcf.fetch("chr2")))
        assert record.info["AC"][0] >= 1 and 0 < record.info["AF"][0] < 1
    for name in ("humanDerived_SNVs.vcf.gz", "simulation_SNVs.vcf.gz"):
        with pysam.VariantFile(str(variants / "cadd_training" / name)) as vcf:
            assert sum(1 for _ in vcf.fetch("3")) > 10
    with pysam.TabixFile(str(variants / "cadd_scores.tsv.gz")) as tabix:
        rows = [r.split("\t") for r in tabix.fetch("1", 0, 100_000)]
        assert rows and all(len(r) == 6 for r in rows)
    with (
        pysam.FastaFile(str(SAMPLE / "genome" / "genome.fa.gz")) as fasta,
        pysam.VariantFile(str(variants / "gnomad.vcf.gz")) as vcf,
    ):
        for record in vcf:
            assert fasta.fetch(record.chrom, record.pos - 1, record.pos).upper() == record.ref


def _bx_blocks(chrom: str):
    from bx.align import maf

    with gzip.open(SAMPLE / "alignments" / f"{chrom}.maf.gz", "rt") as handle:
        yield from maf.Reader(handle)


def test_maf_reads_with_bx_python_and_matches_the_genome() -> None:
    strands, names, multi = set(), set(), 0
    with pysam.FastaFile(str(SAMPLE / "genome" / "genome.fa.gz")) as fasta:
        for chrom in CHROMS:
            previous_end = 0
            for block in _bx_blocks(chrom):
                human = block.components[0]
                assert human.src == f"Homo_sapiens.{chrom}" and human.strand == "+"
                assert human.start >= previous_end
                previous_end = human.end
                assert human.text.replace("-", "") == fasta.fetch(chrom, human.start, human.end)
                species = [c.src.split(".", 1)[0] for c in block.components]
                multi += len(species) != len(set(species))
                names.update(species)
                strands.update(c.strand for c in block.components)
    assert strands == {"+", "-"} and "Canis_lupus_familiaris" in names and multi > 0


def test_maf_reads_with_biopython_and_has_artefacts() -> None:
    from Bio import AlignIO

    with gzip.open(SAMPLE / "alignments" / "chr2.maf.gz", "rt") as handle:
        alignments = list(AlignIO.parse(handle, "maf"))
    assert alignments and all(a[0].id == "Homo_sapiens.chr2" for a in alignments)
    with gzip.open(SAMPLE / "alignments" / "chr2.maf.gz", "rt") as handle:
        text = handle.read()
    for kind in ("\ni ", "\ne ", "\nq ", " - "):
        assert kind in text, f"no {kind.strip()!r} lines"
    assert any(line.split()[1].count(".") > 1 for line in text.splitlines() if line.startswith("s "))


def _mismatch_rates(sites) -> dict[str, float]:
    counts = {k: [0, 0] for k in sites}
    for chrom in CHROMS:
        for block in _bx_blocks(chrom):
            human = block.components[0]
            cols = np.frombuffer(human.text.upper().encode(), dtype=np.uint8)
            is_base = cols != ord("-")
            positions = human.start + np.cumsum(is_base) - 1
            for kind, wanted in sites.items():
                mask = is_base & np.array([(chrom, int(p)) in wanted for p in positions])
                if not mask.any():
                    continue
                for c in block.components[1:]:
                    row = np.frombuffer(c.text.upper().encode(), dtype=np.uint8)
                    valid = mask & np.isin(row, list(b"ACGT"))
                    counts[kind][0] += int((valid & (row != cols)).sum())
                    counts[kind][1] += int(valid.sum())
    return {k: d / n for k, (d, n) in counts.items()}


def test_functional_sites_evolve_slower_in_the_maf(sites) -> None:
    rates = _mismatch_rates(sites)
    assert rates["neutral"] > 0.1
    assert rates["functional"] < 0.3 * rates["neutral"], rates


def test_phylop_is_higher_at_functional_sites(sites) -> None:
    scores: dict[tuple[str, int], float] = {}
    chrom, position = "", 0
    with gzip.open(SAMPLE / "tasks" / "conservation" / "phylop.wig.gz", "rt") as handle:
        for line in handle:
            if line.startswith("fixedStep"):
                fields = dict(item.split("=") for item in line.split()[1:])
                chrom, position = fields["chrom"], int(fields["start"]) - 1
                continue
            scores[(chrom, position)] = float(line)
            position += 1
    functional = np.mean([scores[s] for s in sites["functional"]])
    neutral = np.mean([scores[s] for s in sites["neutral"]])
    assert functional > neutral + 1.5, (functional, neutral)


def test_pathogenic_variants_are_enriched_at_functional_sites(sites) -> None:
    functional = {(c.removeprefix("chr"), p) for c, p in sites["functional"]}
    share: dict[str, list[bool]] = defaultdict(list)
    with pysam.VariantFile(str(SAMPLE / "tasks" / "variants" / "clinvar.vcf.gz")) as vcf:
        for r in vcf:
            sig, review = r.info["CLNSIG"][0], ",".join(r.info["CLNREVSTAT"])
            if "onflicting" in sig or "no_assertion" in review:
                continue
            label = "pathogenic" if "athogenic" in sig else "benign" if "enign" in sig else "other"
            share[label].append((r.chrom, r.pos - 1) in functional)
    assert np.mean(share["pathogenic"]) > 0.6 and np.mean(share["benign"]) < 0.1, share


def test_common_gnomad_variants_avoid_functional_sites(sites) -> None:
    hits: dict[str, list[bool]] = defaultdict(list)
    with pysam.VariantFile(str(SAMPLE / "tasks" / "variants" / "gnomad.vcf.gz")) as vcf:
        for r in vcf:
            kind = "common" if r.info["AF"][0] > 0.05 else "singleton" if r.info["AC"][0] == 1 else "rare"
            hits[kind].append((r.chrom, r.pos - 1) in sites["functional"])
    assert np.mean(hits["common"]) < 0.25 * np.mean(hits["singleton"])


def test_eclip_peaks_mark_functional_instances(instances) -> None:
    peaks: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for path in (SAMPLE / "tasks" / "rbp" / "eclip").glob("*.narrowPeak.gz"):
        rbp = path.name.split("_")[0]
        with gzip.open(path, "rt") as handle:
            peaks[rbp] += [(f[0], int(f[1]), int(f[2])) for f in (line.split("\t") for line in handle)]
    covered: dict[str, list[bool]] = defaultdict(list)
    for row in instances:
        s, e = int(row["start"]), int(row["end"])
        inside = any(c == row["chrom"] and ps <= s and e <= pe for c, ps, pe in peaks[row["rbp"]])
        covered[row["functional"]].append(inside)
    assert np.mean(covered["1"]) > 0.7 and np.mean(covered["0"]) < 0.15


def test_mpra_activity_follows_motifs() -> None:
    info = {r["oligo_id"]: r for r in _table(SAMPLE / "tasks" / "mpra" / "griesemer_oligo_info.tsv")}
    for path in (SAMPLE / "tasks" / "mpra").glob("griesemer_*_log2fc.tsv"):
        rows = _table(path)
        score = [motif_score(info[r["oligo_id"]]["ref_sequence"]) for r in rows]
        r = np.corrcoef(score, [float(r["log2FoldChange_ref"]) for r in rows])[0, 1]
        assert 0.4 < r < 0.95, (path.name, r)
    siegel = [
        r
        for r in _table(SAMPLE / "tasks" / "mpra" / "siegel_3utr_oligos.tsv")
        if r["stability_Beas2B"] != "NA"
    ]
    r = np.corrcoef(
        [motif_score(x["sequence"]) for x in siegel], [float(x["stability_Beas2B"]) for x in siegel]
    )[0, 1]
    assert 0.4 < r < 0.95 and len({x["chrom"] for x in siegel}) == 3


def test_half_life_follows_planted_motifs(instances) -> None:
    from utr_assets.simulate.biology import NEUTRAL_EFFECT_FRACTION, RBPS

    signal: dict[str, float] = defaultdict(float)
    for row in instances:
        weight = 1.0 if row["functional"] == "1" else NEUTRAL_EFFECT_FRACTION
        signal[row["gene_id"].split(".")[0]] += RBPS[row["rbp"]][1] * weight
    rows = _table(SAMPLE / "tasks" / "half_life" / "agarwal_half_life.tsv")
    assert {r["fold"] for r in rows} == {str(k) for k in range(10)}
    r = np.corrcoef([signal[x["gene_id"]] for x in rows], [float(x["half_life_pc1"]) for x in rows])[0, 1]
    assert 0.4 < r < 0.95, r
