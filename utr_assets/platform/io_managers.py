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
from dagster import ConfigurableIOManagerFactory, InputContext, MetadataValue, OutputContext, UPathIOManager
from pydantic import Field
from upath import UPath

from utr_assets.platform.artifacts import ArtifactStore
from utr_assets.platform.provenance import digest, note_input, output_provenance


def _note(context: InputContext, path: UPath, data: bytes) -> None:
    step = context.step_context
    name = context.asset_key.to_user_string() + (f"[{path.stem}]" if context.has_asset_partitions else "")
    note_input(step.run_id, step.step.key, name, str(path), digest(data))


class _Provenance:
    def __init__(self, store: ArtifactStore, profile: str, override: str | None):
        self._store, self._profile, self._override = store, profile, override

    def _provenance(self, context: OutputContext) -> dict[str, MetadataValue]:
        facts = output_provenance(context.run_id, context.step_key, self._profile, self._override)
        return {"provenance": MetadataValue.json(facts)}


class ParquetIOManager(_Provenance, UPathIOManager):
    extension = ".parquet"

    def __init__(self, store: ArtifactStore, profile: str = "sample", override: str | None = None):
        UPathIOManager.__init__(self, base_path=store.root / "tables")
        _Provenance.__init__(self, store, profile, override)

    def dump_to_path(self, context: OutputContext, obj: Any, path: UPath) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(
                f"{context.asset_key.to_user_string()}: parquet IO manager expects a DataFrame, "
                f"got {type(obj).__name__}"
            )
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(obj, preserve_index=False), buffer, compression="zstd")
        with self._store.open_atomic(path) as out:
            out.write(buffer.getvalue())
        metadata: dict[str, int | str | MetadataValue] = {
            "rows": len(obj),
            "columns": len(obj.columns),
            "sha256": out.digest.hexdigest(),
            "bytes": out.size,
            **self._provenance(context),
        }
        context.add_output_metadata(metadata)

    def load_from_path(self, context: InputContext, path: UPath) -> pd.DataFrame:
        data = path.read_bytes()
        _note(context, path, data)
        return pq.read_table(io.BytesIO(data)).to_pandas()


class JsonHandleIOManager(_Provenance, UPathIOManager):
    """For small JSON-serialisable values (artifact handles, summaries)."""

    extension = ".json"

    def __init__(self, store: ArtifactStore, profile: str = "sample", override: str | None = None):
        UPathIOManager.__init__(self, base_path=store.root / "handles")
        _Provenance.__init__(self, store, profile, override)

    def dump_to_path(self, context: OutputContext, obj: Any, path: UPath) -> None:
        payload = obj.to_dict() if hasattr(obj, "to_dict") else obj
        with self._store.open_atomic(path) as out:
            out.write(json.dumps(payload, indent=2, sort_keys=True).encode())
        context.add_output_metadata({"sha256": out.digest.hexdigest(), **self._provenance(context)})

    def load_from_path(self, context: InputContext, path: UPath) -> Any:
        data = path.read_bytes()
        _note(context, path, data)
        return json.loads(data)


class _StoreBackedFactory(ConfigurableIOManagerFactory):
    root: str = Field(description="Same root as the artifact store (local folder or s3://...).")
    storage_options: dict[str, Any] = Field(default_factory=dict)
    profile: str = Field("sample", description="Recorded in every output's provenance.")
    override: str | None = Field(None, description="The settings override file, recorded in provenance.")

    def _args(self) -> tuple[ArtifactStore, str, str | None]:
        return ArtifactStore(self.root, self.storage_options), self.profile, self.override


class ParquetIOManagerFactory(_StoreBackedFactory):
    def create_io_manager(self, context) -> ParquetIOManager:
        return ParquetIOManager(*self._args())


class JsonHandleIOManagerFactory(_StoreBackedFactory):
    def create_io_manager(self, context) -> JsonHandleIOManager:
        return JsonHandleIOManager(*self._args())
