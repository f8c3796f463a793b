"""Unit tests of the simulator's parts: species tree, sequence design, evolution, GTF text."""

from __future__ import annotations

import numpy as np

from utr_assets.common.sequences import reverse_complement_codes
from utr_assets.simulate import biology
from utr_assets.simulate.evolve import Evolver
from utr_assets.simulate.fileio import GAP, decode, encode
from utr_assets.simulate.species import (
    REFERENCE_SPECIES,
    build_tree,
    parse_newick,
    to_newick,
    walk_from_reference,
)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def test_tree_keeps_zoonomia_names_verbatim_and_round_trips() -> None:
    root = build_tree(35)
    names = [leaf.name for leaf in root.leaves()]
    assert len(names) == 35 and len(set(names)) == 35
    assert "Canis_lupus_familiaris" in names and "Ceratotherium_simum_cottoni" in names
    again = parse_newick(to_newick(root))
    assert [leaf.name for leaf in again.leaves()] == names
    big = [leaf.name for leaf in build_tree(97).leaves()]
    assert len(set(big)) == 97 and "Ceratotherium_simum" in big  # a name that prefixes another


def test_walk_starts_at_human_with_plausible_distances() -> None:
    walk = walk_from_reference(build_tree(35))
    assert walk.species[0] == REFERENCE_SPECIES
    distance = dict(zip(walk.species, walk.distance_to_human, strict=True))
    assert distance["Pan_troglodytes"] < 0.02 < distance["Macaca_mulatta"] < distance["Mus_musculus"] < 0.6
    assert len(walk.edges) == 2 * 35 - 2


def test_designed_utr_carries_its_instances() -> None:
    seq, instances, polya = biology.design_utr(_rng(), 500, 1 / 30, 0.5, 1.0)
    text = decode(seq)
    assert instances and polya is not None and text[polya : polya + 6] == biology.POLYA_SIGNAL
    for inst in instances:
        assert text[inst.offset : inst.offset + 5] == inst.kmer
        assert inst.kmer in biology.RBPS[inst.rbp][0]
    assert {i.functional for i in instances} == {True, False}


def test_functional_sites_grow_clusters_in_a_motif_like_flank_and_neutral_ones_do_not() -> None:
    plain, plain_instances, _ = biology.design_utr(_rng(), 20_000, 1 / 45, 0.55, 1.0)
    seq, instances, polya = biology.design_utr(_rng(), 20_000, 1 / 45, 0.55, 1.0, cluster_rng=_rng(1))
    text = decode(seq)
    assert set(plain_instances) <= set(instances)  # the main stream's draws did not move
    taken = np.zeros(len(seq), int)
    for inst in instances:
        assert text[inst.offset : inst.offset + 5] == inst.kmer
        taken[inst.offset : inst.offset + 5] += 1
    assert taken.max() == 1 and text[polya : polya + 6] == biology.POLYA_SIGNAL  # copies overlap nothing

    def has_twin(inst) -> bool:
        return any(
            o is not inst and o.kmer == inst.kmer and abs(o.offset - inst.offset) <= 5 + 2 for o in instances
        )

    functional = [i for i in instances if i.functional]
    neutral = [i for i in instances if not i.functional]
    assert len(functional) > 1.8 * sum(i.functional for i in plain_instances)
    assert np.mean([has_twin(i) for i in functional]) > 0.6 > 0.05 > np.mean([has_twin(i) for i in neutral])

    def motif_letters_in_flank(inst) -> float:
        flank = text[max(0, inst.offset - 12) : inst.offset] + text[inst.offset + 5 : inst.offset + 17]
        return np.mean([c in inst.kmer for c in flank])

    assert (
        np.mean([motif_letters_in_flank(i) for i in functional])
        > np.mean([motif_letters_in_flank(i) for i in neutral]) + 0.05
    )


def test_motif_score_counts_overlapping_matches() -> None:
    assert biology.kmer_counts("TTTTTT")["TTTTT"] == 2
    assert biology.motif_score("TGTAA") == biology.RBPS["PUM2"][1]
    assert biology.motif_score("GGGGGGGG") == 0.0


def test_codes_round_trip_and_reverse_complement() -> None:
    assert decode(encode("ACGTN-")) == "ACGTN-"
    assert decode(reverse_complement_codes(encode("AACGT"))) == "ACGTT"
    assert decode(encode("ac"), np.array([True, False])) == "aC"


def test_random_codons_have_no_stop() -> None:
    codons = decode(biology.random_codons(_rng(), 2_000))
    triplets = {codons[i : i + 3] for i in range(0, len(codons), 3)}
    assert not triplets & set(biology.STOP_CODONS)


def test_evolution_keeps_human_and_slows_functional_sites() -> None:
    walk = walk_from_reference(build_tree(35))
    rng = _rng(3)
    length = 400
    human = rng.integers(0, 4, length).astype(np.uint8)
    rates = np.ones(length)
    rates[:100] = 0.05
    protect = np.zeros(length, dtype=bool)
    protect[:100] = True
    evolver = Evolver(walk, rng)
    slow, fast = [], []
    for _ in range(10):
        aln = evolver.evolve(human, rates, protect)
        assert (aln.rows[0, aln.core_cols] == human).all()
        assert (np.delete(aln.rows[0], aln.core_cols) == GAP).all()  # inserted columns: human gap
        species = aln.rows[1:, aln.core_cols]
        valid = species < 4
        differs = (species != human) & valid
        slow.append(differs[:, :100].sum() / valid[:, :100].sum())
        fast.append(differs[:, 100:].sum() / valid[:, 100:].sum())
        assert (species[:, :100] != GAP).all()  # protected: no deletions
    assert np.mean(slow) < 0.2 * np.mean(fast)


def test_scales_are_named_and_bench_is_big() -> None:
    import pytest

    from utr_assets.simulate.scales import SCALES, get_scale

    assert set(SCALES) >= {"sample", "bench"}
    bench = get_scale("bench")
    assert bench.n_species >= 50 and not bench.write_tasks and sum(bench.genes_per_chrom) >= 2_000
    with pytest.raises(ValueError, match="unknown scale"):
        get_scale("galactic")


def test_gzip_writer_is_reproducible(tmp_path) -> None:
    from utr_assets.simulate.fileio import sha256, write_gzip_text

    write_gzip_text(tmp_path / "a.gz", "hello\n")
    write_gzip_text(tmp_path / "b.gz", "hello\n")
    assert sha256(tmp_path / "a.gz") == sha256(tmp_path / "b.gz")
