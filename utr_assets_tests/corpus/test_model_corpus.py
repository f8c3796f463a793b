"""One model's corpus (corpus/model_corpus.py): the preset a profile trains at (no silent fallback), the
model's rows and orientation, and the tokenised splits with their checks."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from utr_assets.corpus import parquet_bytes
from utr_assets.corpus.model_corpus import model_corpus, model_preset, tokenise_for_model, tokenised_checks


def test_a_model_without_a_preset_for_the_profile_is_an_error() -> None:
    assert model_preset("stsp", {"sample": "tiny", "paper": "paper"}, "paper") == "paper"
    with pytest.raises(ValueError, match=r"model 'stsp' has no preset for profile 'sample'.*add `sample: "):
        model_preset("stsp", {"paper": "paper"}, "sample")


def _corpus() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "utr_id": ["u1", "u1", "u2"],
            "gene_id": ["g1", "g1", "g2"],
            "species": ["Homo_sapiens", "Mus_musculus", "Homo_sapiens"],
            "chrom": ["chr1", "chr1", "chr2"],
            "strand": ["-", "-", "+"],
            "sequence": ["AACGT" * 8, "AACGA" * 8, "GGGCA" * 8],
        }
    )


def test_model_corpus_subsets_and_orients() -> None:
    frame = _corpus()
    human = model_corpus(frame, "rna", True, "Homo_sapiens")
    assert human.species.tolist() == ["Homo_sapiens", "Homo_sapiens"]
    dna = model_corpus(frame, "dna", False, "Homo_sapiens")
    assert dna.sequence.iloc[0] == ("ACGTT" * 8) and dna.sequence.iloc[2] == frame.sequence.iloc[2]


def test_tokenise_for_model_uses_the_family_and_preset(tmp_path) -> None:
    frame = _corpus()
    paths = {}
    for split, rows in (("train", frame.iloc[:2]), ("validation", frame.iloc[2:])):
        path = tmp_path / f"{split}.parquet"
        path.write_bytes(parquet_bytes(pa.Table.from_pandas(rows, preserve_index=False)))
        paths[split] = [str(path)]
    result = tokenise_for_model(paths, "dss", "tiny", species_aware=True)
    assert result.tokeniser.family == "dss" and (result.spec.context, result.spec.overlap) == (300, 50)
    assert result.tokeniser.species is not None and result.tokeniser.species.size >= 2
    assert {name: check.passed for name, check in tokenised_checks(result)} == {
        "token_ids_in_vocabulary": True,
        "no_empty_chunks": True,
        "validation_genes_absent_from_train": True,
        "round_trip_decode": True,
    }
