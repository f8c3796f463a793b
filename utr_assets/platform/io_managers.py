"""IO managers: parquet tables and small JSON handles on universal_pathlib paths.

Tables land at ``{root}/tables/{asset}/{partition}.parquet``, handles at
``{root}/handles/{asset}/{partition}.json``. Both are written through the artifact store's atomic
writer, so a killed step never leaves a truncated table that a later run would read.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from dagster import ConfigurableIOManagerFactory, InputContext, OutputContext, UPathIOManager
from pydantic import Field
from upath import UPath

from utr_assets.platform.artifacts import ArtifactStore


class ParquetIOManager(UPathIOManager):
    extension = ".parquet"

    def __init__(self, store: ArtifactStore):
        super().__init__(base_path=store.root / "tables")
        self._store = store

    def dump_to_path(self, context: OutputContext, obj: Any, path: UPath) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(f"{context.asset_key.to_user_string()}: parquet IO manager expects a DataFrame, "
                            f"got {type(obj).__name__}")
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(obj, preserve_index=False), buffer, compression="zstd")
        with self._store.open_atomic(path) as out:
            out.write(buffer.getvalue())
        context.add_output_metadata(
            {"rows": len(obj), "columns": len(obj.columns),
             "sha256": out.digest.hexdigest(), "bytes": out.size}
        )

    def load_from_path(self, context: InputContext, path: UPath) -> pd.DataFrame:
        with path.open("rb") as src:
            return pq.read_table(src).to_pandas()


class JsonHandleIOManager(UPathIOManager):
    """For small JSON-serialisable values (artifact handles, summaries)."""

    extension = ".json"

    def __init__(self, store: ArtifactStore):
        super().__init__(base_path=store.root / "handles")
        self._store = store

    def dump_to_path(self, context: OutputContext, obj: Any, path: UPath) -> None:
        payload = obj.to_dict() if hasattr(obj, "to_dict") else obj
        with self._store.open_atomic(path) as out:
            out.write(json.dumps(payload, indent=2, sort_keys=True).encode())

    def load_from_path(self, context: InputContext, path: UPath) -> Any:
        with path.open("rb") as src:
            return json.loads(src.read())


class _StoreBackedFactory(ConfigurableIOManagerFactory):
    root: str = Field(description="Same root as the artifact store (local folder or s3://...).")
    storage_options: dict[str, Any] = Field(default_factory=dict)

    def _store(self) -> ArtifactStore:
        return ArtifactStore(self.root, self.storage_options)


class ParquetIOManagerFactory(_StoreBackedFactory):
    def create_io_manager(self, context) -> ParquetIOManager:
        return ParquetIOManager(self._store())


class JsonHandleIOManagerFactory(_StoreBackedFactory):
    def create_io_manager(self, context) -> JsonHandleIOManager:
        return JsonHandleIOManager(self._store())
