"""Golden ids and nucleotide spans per tokeniser family; the numpy fast paths equal the HF tokenizers.

Expected ids are written out by hand from the published layouts (see corpus/vocab.py):
DNABERT id = 5 + base-4 index of the 6-mer with digits A0 T1 C2 G3; NT-v2 id = 6 + that index, single
letters A T C G N = 4102..4106 (as the published nt_v2/vocab.txt); single-nucleotide A C G T N = 0..4.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from utr_assets.corpus import ChunkSpec, build_tokeniser, kmer_text

ACGTAC, CGTACG, GTACGT, TACGTA, GGCGAT = 722, 2891, 3373, 1204, 4017  # base-4 indices (A0 T1 C2 G3)


def _spans(batch, i=0):
    _, starts, ends = batch.sequence(i)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


@pytest.fixture(scope="module")
def dnabert():
    return build_tokeniser("dnabert")


@pytest.fixture(scope="module")
def nt():
    return build_tokeniser("nt")


@pytest.fixture(scope="module")
def dss():
    return build_tokeniser("dss")


def test_dnabert_vocabulary_matches_the_published_layout(dnabert):
    assert dnabert.vocab_size == 4101
    assert dnabert.hf.convert_ids_to_tokens(list(range(10))) == [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        "AAAAAA",
        "AAAAAT",
        "AAAAAC",
        "AAAAAG",
        "AAAATA",
    ]
    assert dnabert.hf.convert_ids_to_tokens([12, 4100]) == ["AAAATG", "GGGGGG"]


def test_dnabert_golden_ids_spans_n_and_short(dnabert):
    batch = dnabert.encode_batch(["ACGTACGN", "ACGTA", "ACGTACGTAC"])
    assert batch.sequence(0)[0].tolist() == [5 + ACGTAC, 5 + CGTACG, 1]  # GTACGN -> [UNK]
    assert _spans(batch, 0) == [(0, 6), (1, 7), (2, 8)]
    assert batch.sequence(1)[0].tolist() == []  # shorter than k: no k-mer
    assert dnabert.hf(kmer_text("ACGTACGN"))["input_ids"] == [2, 5 + ACGTAC, 5 + CGTACG, 1, 3]
    chunks = dnabert.chunk(["ACGTACGTAC", "ACGTA"], ChunkSpec(context=5, overlap=1))
    assert len(chunks) == 2  # the short sequence yields no chunk
    ids, starts, ends = chunks.chunk(1)
    assert ids.tolist() == [2, 5 + GTACGT, 5 + TACGTA, 5 + ACGTAC, 3]
    assert starts.tolist() == [-1, 2, 3, 4, -1] and ends.tolist() == [-1, 8, 9, 10, -1]
    assert chunks.token_start.tolist() == [0, 2]
    assert dnabert.decode(batch.sequence(2)[0]) == "ACGTACGTAC"


def test_nt_vocabulary_matches_the_published_layout(nt):
    assert nt.vocab_size == 4107
    tokens = nt.hf.convert_ids_to_tokens(list(range(nt.vocab_size)))
    assert tokens[:8] == ["<unk>", "<pad>", "<mask>", "<cls>", "<eos>", "<bos>", "AAAAAA", "AAAAAT"]
    assert tokens[4101:] == ["GGGGGG", "A", "T", "C", "G", "N"]


def test_nt_golden_ids_spans_n_and_short(nt):
    seqs = ["ACGTACGTANGGCGATGCACC", "ACG", "NNACGTAC", ""]
    batch = nt.encode_batch(seqs)
    assert batch.sequence(0)[0].tolist() == [
        6 + ACGTAC,
        4105,
        4103,
        4102,
        4106,
        6 + GGCGAT,
        4105,
        4104,
        4102,
        4104,
        4104,
    ]
    assert _spans(batch, 0) == [
        (0, 6),
        (6, 7),
        (7, 8),
        (8, 9),
        (9, 10),
        (10, 16),
        (16, 17),
        (17, 18),
        (18, 19),
        (19, 20),
        (20, 21),
    ]
    assert batch.sequence(1)[0].tolist() == [4102, 4104, 4105] and _spans(batch, 1) == [
        (0, 1),
        (1, 2),
        (2, 3),
    ]
    assert batch.sequence(2)[0].tolist() == [4106, 4106, 6 + ACGTAC]  # N restarts the 6-mer frame
    assert _spans(batch, 2) == [(0, 1), (1, 2), (2, 8)]
    assert batch.sequence(3)[0].tolist() == []
    enc = nt.hf(seqs[0], return_offsets_mapping=True)
    assert enc["input_ids"][0] == 3 and enc["input_ids"][1:] == batch.sequence(0)[0].tolist()
    chunks = nt.chunk(["ACG"], ChunkSpec(context=8, overlap=2))
    assert chunks.chunk(0)[0].tolist() == [3, 4102, 4104, 4105]
    assert all(nt.decode(batch.sequence(i)[0]) == s for i, s in enumerate(seqs))


def test_single_nucleotide_golden(dss):
    batch = dss.encode_batch(["ACGTN", "a"])
    assert batch.sequence(0)[0].tolist() == [0, 1, 2, 3, 4] and _spans(batch, 0)[-1] == (4, 5)
    assert dss.hf.convert_ids_to_tokens([5, 6, 7]) == ["[PAD]", "[MASK]", "[UNK]"]
    assert batch.sequence(1)[0].tolist() == [7]
    assert dss.hf("ACGTN")["input_ids"] == [0, 1, 2, 3, 4]  # no special tokens
    chunks = dss.chunk(["ACGTNACGTN"], ChunkSpec(context=4, overlap=1))
    assert chunks.token_start.tolist() == [0, 3, 6] and chunks.chunk(2)[1].tolist() == [6, 7, 8, 9]


def test_bpe_golden_toy_corpus():
    bpe = build_tokeniser("dnabert2", sequences=["ACACACACAC"] * 20, vocab_size=11)
    assert bpe.hf.convert_ids_to_tokens([0, 1, 2, 3, 4]) == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    assert bpe.vocab_size == 11  # 5 specials + A C G N T + the one merge AC
    batch = bpe.encode_batch(["ACACN", "G"])
    assert bpe.hf.convert_ids_to_tokens(batch.sequence(0)[0].tolist()) == ["AC", "AC", "N"]
    assert _spans(batch, 0) == [(0, 2), (2, 4), (4, 5)]
    assert bpe.hf("ACACN")["input_ids"] == [2, *batch.sequence(0)[0].tolist(), 3]
    assert bpe.decode(batch.sequence(0)[0]) == "ACACN"


def _random_sequences(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    seqs = ["".join(rng.choice("ACGT" * 8 + "N") for _ in range(rng.randint(0, 400))) for _ in range(n)]
    return seqs + ["", "N", "NNNNNNN", "ACGTA", "ACGTAC", "AAAAAAAAAAAAN", "NACGTACGTACGT"]


@pytest.mark.parametrize("family", ["dnabert", "nt", "dss", "dnabert2"])
def test_fast_path_equals_hf_tokenizer(family):
    seqs = _random_sequences(150, seed=11)
    tok = (
        build_tokeniser(family, sequences=seqs, vocab_size=300)
        if family == "dnabert2"
        else build_tokeniser(family)
    )
    batch = tok.encode_batch(seqs)
    for i, seq in enumerate(seqs):
        ids, starts, ends = batch.sequence(i)
        assert ids.tolist() == tok.hf_encode(seq), (family, seq)
        if family != "dnabert":  # HF offsets of DNABERT are in k-mer text coordinates
            offsets = tok.hf(seq, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
            assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == [tuple(o) for o in offsets]
        else:
            assert starts.tolist() == list(range(len(ids))) and (ends - starts == 6).all()
        if tok.lossless:
            assert tok.decode(ids) == seq
    assert batch.ids.dtype == np.int32 and int(batch.ids.max()) < tok.vocab_size
