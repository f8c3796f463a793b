"""Materialise the reference group through Dagster on the real phast chr22 slice."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from dagster import AssetSelection, DagsterInstance, materialize

from utr_assets.definitions import build_definitions
from utr_assets.settings import load_settings
from utr_assets_tests.conftest import PHAST_OFFSET


def _override(tmp_path: Path, phast: dict[str, Path], **reference: object) -> Path:
    lines = [
        f"storage:\n  root: {tmp_path / 'home'}\n",
        "reference:\n",
        f"  genome: {phast['genome']}\n",
        f"  annotation: {phast['annotation']}\n",
        f"  coordinate_offset: {PHAST_OFFSET}\n",
        "  transcript_selection: all\n",
    ]
    lines += [f"  {k}: {str(v).lower() if isinstance(v, bool) else v}\n" for k, v in reference.items()]
    lines += [
        "alignments:\n",
        f"  maf: {phast['maf']}\n",
        "  reference_species: hg17\n",
        "  chromosomes: [chr22]\n",
    ]
    path = tmp_path / "override.yaml"
    path.write_text("".join(lines))
    return path


def _materialise_reference(override: Path):
    defs = build_definitions(load_settings("sample", override))
    return materialize(
        list(defs.assets),
        selection=AssetSelection.groups("reference"),
        resources=defs.resources,
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_reference_group_on_phast_slice(tmp_path: Path, phast_slice: dict[str, Path]) -> None:
    result = _materialise_reference(_override(tmp_path, phast_slice, spliced_utrs=True))
    assert result.success
    checks = {
        (e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()
    }
    assert checks[("utr3_regions", "valid_stop_codons")] and checks[("utr3_regions", "alphabet")]
    assert all(checks.values()), checks
    table = pd.read_parquet(tmp_path / "home" / "tables" / "utr3_regions.parquet")
    row = table.set_index("utr_id").loc["uc002zlh.1"]
    assert row.end - row.start == 1854 and row.length == 347
    (mat,) = [m for m in result.asset_materializations_for_node("utr3_regions")]
    assert mat.metadata["exclusion_reasons"].value["not_protein_coding"] == 26
    provenance = mat.metadata["provenance"].value
    assert set(provenance["inputs"]) == {"genome", "gene_annotation"}
    stored = tmp_path / "home" / "tables" / "gene_annotation.parquet"
    import hashlib

    assert provenance["inputs"]["gene_annotation"] == {
        "uri": str(stored),
        "sha256": hashlib.sha256(stored.read_bytes()).hexdigest(),
    }
    assert provenance["packages"]["dagster"] == "1.13.27" and provenance["profile"] == "sample"
    assert provenance["override"] == str(tmp_path / "override.yaml")


def test_missing_contig_fails_the_run_with_the_file_named(
    tmp_path: Path, phast_slice: dict[str, Path]
) -> None:
    other = tmp_path / "other.fa"
    other.write_text(">chr21\n" + "ACGT" * 1000 + "\n")
    phast = dict(phast_slice, genome=other)
    result = _materialise_reference(_override(tmp_path, phast))
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = str(failure.event_specific_data.error)
    assert "other.fa: contig 'chr22'" in message and "is not in the FASTA" in message
    assert not (tmp_path / "home" / "tables" / "utr3_regions.parquet").exists()
