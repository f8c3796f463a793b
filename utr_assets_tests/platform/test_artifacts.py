"""Artifact store and IO managers: round trips and interrupted writes, locally and on a real S3 API."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance, asset, materialize
from upath import UPath

from utr_assets.platform.artifacts import ArtifactHandle, ArtifactStore
from utr_assets.platform.io_managers import JsonHandleIOManagerFactory, ParquetIOManagerFactory


def _stores(tmp_path, request):
    if request.param == "local":
        return {"root": str(tmp_path / "store"), "storage_options": {}}
    return request.getfixturevalue("s3_bucket")


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    return _stores(tmp_path, request)


def _visible_files(store: ArtifactStore) -> list[str]:
    root = store.root
    if not root.exists():
        return []
    return sorted(p.name for p in root.rglob("*") if p.is_file() and "_tmp" not in p.parts)


def test_atomic_write_round_trip_and_handle(storage) -> None:
    store = ArtifactStore(storage["root"], storage["storage_options"])
    target = store.path("utr3_embeddings", "dnabert-3utr", "emb.bin")
    handle = store.write_bytes(target, b"x" * 5000, shape=[10, 500])
    assert handle.bytes == 5000 and len(handle.sha256) == 64
    assert target.read_bytes() == b"x" * 5000
    assert handle.sha256 == hashlib.sha256(b"x" * 5000).hexdigest()
    assert UPath(handle.uri, **storage["storage_options"]).read_bytes() == b"x" * 5000
    again = ArtifactHandle.from_dict(handle.to_dict())
    assert again == handle


def test_interrupted_write_leaves_no_visible_artifact(storage) -> None:
    store = ArtifactStore(storage["root"], storage["storage_options"])
    target = store.path("model_checkpoint", "m1", "model.safetensors")
    with pytest.raises(RuntimeError, match="killed"), store.open_atomic(target) as out:
        out.write(b"a" * (6 << 20))
        raise RuntimeError("killed mid-way")
    assert not target.exists()
    assert "model.safetensors" not in _visible_files(store)
    # a previous complete artifact stays intact when a rewrite is interrupted
    store.write_bytes(target, b"complete")
    with pytest.raises(RuntimeError), store.open_atomic(target) as out:
        out.write(b"partial")
        raise RuntimeError("killed again")
    assert target.read_bytes() == b"complete"
    assert _visible_files(store) == ["model.safetensors"]


def test_path_components_cannot_escape_the_root(tmp_path) -> None:
    store = ArtifactStore(str(tmp_path))
    for bad in ("..", "a/b", "", "."):
        with pytest.raises(ValueError, match="invalid artifact path component"):
            store.path("asset", bad)


def test_io_managers_round_trip_through_dagster(storage) -> None:
    @asset
    def table() -> pd.DataFrame:
        return pd.DataFrame({"utr_id": ["a", "b"], "length": [10, 20], "seq": ["ACGT", "NN"]})

    @asset(io_manager_key="handle_io_manager")
    def handle(table: pd.DataFrame) -> dict:
        return {"rows": len(table), "total": int(table.length.sum())}

    @asset
    def downstream(table: pd.DataFrame, handle: dict) -> pd.DataFrame:
        assert handle == {"rows": 2, "total": 30}
        return table.assign(double=table.length * 2)

    resources = {
        "io_manager": ParquetIOManagerFactory(
            root=storage["root"], storage_options=storage["storage_options"]
        ),
        "handle_io_manager": JsonHandleIOManagerFactory(
            root=storage["root"], storage_options=storage["storage_options"]
        ),
    }
    result = materialize(
        [table, handle, downstream], resources=resources, instance=DagsterInstance.ephemeral()
    )
    assert result.success
    out = result.asset_materializations_for_node("downstream")[0]
    assert out.asset_key == AssetKey("downstream") and out.metadata["rows"].value == 2
    stored = UPath(storage["root"], **storage["storage_options"]) / "tables" / "downstream.parquet"
    with stored.open("rb") as src:
        assert pd.read_parquet(src).double.tolist() == [20, 40]


def test_parquet_io_manager_rejects_non_tables(tmp_path) -> None:
    @asset
    def not_a_table() -> list:
        return [1, 2]

    result = materialize(
        [not_a_table],
        resources={"io_manager": ParquetIOManagerFactory(root=str(tmp_path))},
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    assert not list(tmp_path.rglob("*.parquet"))


def test_directories_publish_with_a_manifest_and_fetch_verified(storage, tmp_path) -> None:
    store = ArtifactStore(storage["root"], storage["storage_options"])
    local = tmp_path / "ckpt"
    (local / "sub").mkdir(parents=True)
    (local / "model.safetensors").write_bytes(b"w" * 1000)
    (local / "sub" / "config.json").write_text("{}")
    target = store.path("model_checkpoint", "nt-3utr", "final")
    handle = store.put_directory(local, target)
    assert handle.extra["files"] == 2 and handle.bytes == 1002
    fetched = store.fetch_directory(handle, tmp_path / "cache")
    assert (fetched / "model.safetensors").read_bytes() == b"w" * 1000
    assert (fetched / "sub" / "config.json").read_text() == "{}"
    (local / "model.safetensors").write_bytes(b"v" * 10)  # republish replaces the old directory whole
    second = store.put_directory(local, target)
    assert second.sha256 != handle.sha256
    with pytest.raises(ValueError, match="changed since its handle"):
        store.fetch_directory(handle, tmp_path / "cache2")
    assert (
        store.fetch_directory(second, tmp_path / "cache3") / "model.safetensors"
    ).read_bytes() == b"v" * 10
