"""Saved tokenisers load with AutoTokenizer.from_pretrained(path) in a fresh, offline process and give
identical ids; `load_tokeniser` restores family, fast path and species vocabulary."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from utr_assets.corpus import SpeciesVocabulary, UnknownSpeciesError, build_tokeniser, load_tokeniser

SEQUENCES = ["ACGTACGTANGGCGATGCACC", "ACG", "NNNNACGTTTGCAAATTTTTTGGGCA", "TTTTTTTTTTTTTCAGGG" * 20]
CHILD = """
import json, sys
from transformers import AutoTokenizer
out = {}
for family, path in json.loads(sys.argv[1]).items():
    tok = AutoTokenizer.from_pretrained(path)
    texts = json.loads(sys.argv[2])[family]
    out[family] = {"class": type(tok).__name__, "ids": [tok(t)["input_ids"] for t in texts]}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("tokenisers")
    species = SpeciesVocabulary.from_names(["Homo_sapiens", "Canis_lupus_familiaris"])
    toks = {
        "dnabert": build_tokeniser("dnabert"),
        "nt": build_tokeniser("nt"),
        "dss": build_tokeniser("dss", species=species),
        "dnabert2": build_tokeniser("dnabert2", sequences=SEQUENCES * 5, vocab_size=64),
    }
    paths = {family: str(tok.save(root / family)) for family, tok in toks.items()}
    return toks, paths


@pytest.mark.slow
def test_fresh_process_autotokenizer_gives_identical_ids(saved):
    toks, paths = saved
    texts = {family: [tok.hf_text(s) for s in SEQUENCES] for family, tok in toks.items()}
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(paths), json.dumps(texts)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    child = json.loads(done.stdout.strip().splitlines()[-1])
    for family, tok in toks.items():
        batch = tok.encode_batch(SEQUENCES)
        expected = [
            [*tok.prefix_ids, *batch.sequence(i)[0].tolist(), *tok.suffix_ids] for i in range(len(SEQUENCES))
        ]
        assert child[family]["ids"] == expected, family
        assert child[family]["class"] in ("TokenizersBackend", "PreTrainedTokenizerFast")


def test_load_tokeniser_restores_family_and_species(saved):
    toks, paths = saved
    for family, path in paths.items():
        loaded = load_tokeniser(path)
        assert loaded.family == family and loaded.vocab_size == toks[family].vocab_size
        assert (
            loaded.encode_batch(SEQUENCES).ids.tolist() == toks[family].encode_batch(SEQUENCES).ids.tolist()
        )
    species = load_tokeniser(paths["dss"]).species
    assert species.species == ("Canis_lupus_familiaris", "Homo_sapiens")
    assert species.indices(["Homo_sapiens", "Canis_lupus_familiaris"]).tolist() == [1, 0]
    with pytest.raises(UnknownSpeciesError):
        species.indices(["Homo_sapiens", "Canis_lupus"])  # a truncated name is not silently another species
    with_unknown = SpeciesVocabulary.from_names(species.species, unknown=True)
    assert with_unknown.indices(["Canis_lupus", "Homo_sapiens"]).tolist() == [2, 1] and with_unknown.size == 3
