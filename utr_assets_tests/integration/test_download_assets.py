"""The `sources` assets materialise a catalogue entry from a local HTTP server into the store, with checks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from dagster import AssetKey, materialize

from utr_assets.assets.sources import build_assets
from utr_assets.platform.artifacts import ArtifactStoreResource
from utr_assets.platform.io_managers import JsonHandleIOManagerFactory
from utr_assets.settings import load_settings
from utr_assets_tests.integration.test_download import PAYLOAD, SHA, server  # noqa: F401  (fixture)


def _catalogue(tmp_path: Path, sources: list[dict]) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": sources}))
    return path


def test_sample_profile_has_no_source_assets():
    assert build_assets(load_settings("sample", "")) == []


def test_source_asset_downloads_verifies_and_reports(server, tmp_path):  # noqa: F811
    server.files["/f/half_life.txt"] = PAYLOAD
    server.files["/maf/chr21.maf.gz"] = b"maf21"
    catalogue = _catalogue(
        tmp_path,
        [
            {
                "name": "half_life",
                "title": "t",
                "url": f"{server.url}/f/half_life.txt",
                "sha256": SHA,
                "feeds": "tasks.half_life",
            },
            {"name": "maf", "title": "m", "url": f"{server.url}/maf/{{chrom}}.maf.gz"},
            {"name": "manual_one", "title": "x", "notes": "by hand"},
        ],
    )
    assets = build_assets(load_settings("paper", ""), catalogue)
    assert [a.key for a in assets] == [AssetKey(["sources", "half_life"]), AssetKey(["sources", "maf"])]
    root = str(tmp_path / "store")
    resources = {
        "artifact_store": ArtifactStoreResource(root=root),
        "handle_io_manager": JsonHandleIOManagerFactory(root=root),
    }
    result = materialize([assets[0]], resources=resources)
    assert result.success
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"download_verified": True, "checksum_published": True}
    assert (tmp_path / "store" / "sources" / "half_life" / "half_life.txt").read_bytes() == PAYLOAD
    result = materialize([assets[1]], resources=resources, partition_key="chr21")
    assert result.success
    assert {c.check_name: c.passed for c in result.get_asset_check_evaluations()}[
        "checksum_published"
    ] is False
    assert hashlib.sha256((tmp_path / "store/sources/maf/chr21.maf.gz").read_bytes()).hexdigest()


def test_source_asset_fails_clearly_on_404(server, tmp_path):  # noqa: F811
    catalogue = _catalogue(tmp_path, [{"name": "gone", "title": "t", "url": f"{server.url}/gone.vcf.gz"}])
    (asset,) = build_assets(load_settings("paper", ""), catalogue)
    root = str(tmp_path / "store")
    with pytest.raises(
        Exception, match=r"source 'gone' \(http://127\.0\.0\.1:\d+/gone\.vcf\.gz\): not found"
    ):
        materialize(
            [asset],
            resources={
                "artifact_store": ArtifactStoreResource(root=root),
                "handle_io_manager": JsonHandleIOManagerFactory(root=root),
            },
        )
    assert not (tmp_path / "store" / "sources" / "gone").exists()
