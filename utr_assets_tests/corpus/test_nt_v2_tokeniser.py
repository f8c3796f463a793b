"""Our NT tokeniser against the published NT-v2 tokenizer files (../shared/fixtures/real/study_models/nt_v2, loaded
with the stock EsmTokenizer through AutoTokenizer, no remote code): the same vocabulary layout, and the same
ids on every 3'UTR of the bundled sample and on the real 3'UTRs of the fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from transformers import AutoTokenizer

from utr_assets.corpus import build_tokeniser
from utr_assets.corpus.vocab import nt_tokens
from utr_assets.models.nt_import import config_from, tokeniser_from
from utr_assets.reference.annotation import read_annotation
from utr_assets.reference.fasta import Genome
from utr_assets.reference.utr3 import Utr3Selection, select_utr3_regions
from utr_assets.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def published(real: Path):
    return AutoTokenizer.from_pretrained(str(real / "study_models" / "nt_v2"))


@pytest.fixture(scope="module")
def sample_utrs() -> list[str]:
    txs = read_annotation(SAMPLE / "annotation" / "genes.gtf.gz")
    table, _ = select_utr3_regions(
        txs, Genome(SAMPLE / "genome" / "genome.fa.gz"), Utr3Selection("all", spliced_utrs=True), "sample"
    )
    return table.sequence.tolist()


def _ours(tok, sequences: list[str]) -> list[list[int]]:
    batch = tok.encode_batch(sequences)
    return [[*tok.prefix_ids, *batch.sequence(i)[0].tolist()] for i in range(len(sequences))]


def test_vocabulary_is_the_published_vocab_txt(real: Path) -> None:
    lines = (real / "study_models" / "nt_v2" / "vocab.txt").read_text().splitlines()
    vocab_size = json.loads((real / "study_models" / "nt_v2" / "config_v2-100m.json").read_text())[
        "vocab_size"
    ]
    assert nt_tokens() == lines[:vocab_size] and vocab_size == 4107
    assert lines[vocab_size:] == ["NNNNNN"]  # listed, but no embedding row: see corpus/vocab.py


def test_ids_equal_the_published_tokenizer_on_every_sample_utr(published, sample_utrs, real: Path) -> None:
    il17ra = (real / "kipoiseq" / "chr22_ENST00000319363_3UTR.ref_seq.txt").read_text().strip().upper()
    sequences = [*sample_utrs, il17ra]
    assert len(sample_utrs) > 200
    expected = published(sequences)["input_ids"]
    assert _ours(build_tokeniser("nt"), sequences) == expected
    imported = tokeniser_from(
        real / "study_models" / "nt_v2",
        config_from(json.loads((real / "study_models" / "nt_v2" / "config_v2-100m.json").read_text()), real),
    )
    assert _ours(imported, sequences) == expected


def test_ids_with_n_and_uneven_tails_equal_the_published_tokenizer(published) -> None:
    rng = np.random.default_rng(3)
    sequences = ["".join(rng.choice(list("ACGTACGTN"), n)) for n in rng.integers(1, 90, 300)]
    sequences = [s.replace("NNNNNN", "NNNNNA") for s in sequences]  # six N: see the next test
    assert _ours(build_tokeniser("nt"), sequences) == published(sequences)["input_ids"]


def test_six_n_are_six_letters_not_the_unembedded_nnnnnn_token(published) -> None:
    seq = "ACGTACNNNNNNNA"
    theirs = published(seq)["input_ids"]
    assert published.convert_ids_to_tokens(theirs)[2] == "NNNNNN" and theirs[2] == 4107  # >= vocab_size 4107
    n = build_tokeniser("nt").hf.convert_tokens_to_ids("N")
    assert _ours(build_tokeniser("nt"), [seq])[0] == [theirs[0], theirs[1], *[n] * 7, theirs[-1]]


def test_a_checkpoint_with_another_layout_tokenises_with_its_own_ids(tmp_path: Path, real: Path) -> None:
    """The readout of a checkpoint comes from its vocabulary: a permuted vocab.txt gives permuted ids."""
    from utr_assets.scoring.readout_tables import kmer_marginal_table

    lines = (real / "study_models" / "nt_v2" / "vocab.txt").read_text().splitlines()[:4107]
    permuted = lines[:6] + lines[6:4102][::-1] + lines[4102:]
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        (tmp_path / name).write_text((real / "study_models" / "nt_v2" / name).read_text())
    (tmp_path / "vocab.txt").write_text("\n".join(permuted) + "\n")
    config = config_from(
        {
            "vocab_size": 4107,
            "hidden_size": 8,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "intermediate_size": 8,
        },
        tmp_path,
    )
    tok = tokeniser_from(tmp_path, config)
    seq = "AAAAAAGGGGGGTTA"
    assert _ours(tok, [seq])[0] == AutoTokenizer.from_pretrained(str(tmp_path))(seq)["input_ids"]
    assert _ours(tok, [seq])[0][1:3] == [4101, 6]  # AAAAAA and GGGGGG swapped ends
    table = kmer_marginal_table(4107, tok.layout.kmer_ids, 6)
    assert table[4101, :, 0].tolist() == [1.0] * 6  # id 4101 is AAAAAA: A at every offset
