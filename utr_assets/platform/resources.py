"""The resources every code location gets, built from `Settings`."""

from __future__ import annotations

from typing import Any

from dagster import ConfigurableResource, Definitions
from pydantic import Field

from utr_assets.platform.artifacts import ArtifactStoreResource
from utr_assets.platform.device import TorchDevice
from utr_assets.platform.io_managers import JsonHandleIOManagerFactory, ParquetIOManagerFactory
from utr_assets.settings import Settings, load_settings


class SettingsResource(ConfigurableResource):
    """The validated settings as a resource, so the UI shows which profile and override a run used."""

    profile: str = Field("sample", description="Bundled profile: sample or paper.")
    override: str | None = Field(None, description="Path of a user YAML merged over the profile.")

    def get(self) -> Settings:
        """The settings; under the paper profile each key a download feeds points at its verified copy."""
        from utr_assets.sources.feeds import fed_settings

        return fed_settings(load_settings(self.profile, self.override or ""))


def defs_settings(defs: Definitions) -> Settings:
    """The settings a code location was built with (its `settings` resource; `defs.resources` is typed
    optional, but `build_resources` always supplies it)."""
    resources = defs.resources or {}
    return resources["settings"].get()


def build_resources(settings: Settings) -> dict[str, Any]:
    root, options = settings.storage.root, dict(settings.storage.options)
    profile, override = settings.profile, settings.override_path
    return {
        "settings": SettingsResource(profile=profile, override=override),
        "io_manager": ParquetIOManagerFactory(
            root=root, storage_options=options, profile=profile, override=override
        ),
        "handle_io_manager": JsonHandleIOManagerFactory(
            root=root, storage_options=options, profile=profile, override=override
        ),
        "artifact_store": ArtifactStoreResource(root=root, storage_options=options),
        "torch_device": TorchDevice(device=settings.compute.device),
    }
