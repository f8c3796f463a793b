"""Shared test fixtures: the real public data beside the project, offline settings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REAL_FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures" / "real"


@pytest.fixture(scope="session")
def real() -> Path:
    """../shared/fixtures/real, or skip: the folder only exists beside the project, not in a user's clone."""
    if not REAL_FIXTURES.is_dir():
        pytest.skip(f"real fixtures not found at {REAL_FIXTURES} (they live in ../shared beside the project)")
    return REAL_FIXTURES


@pytest.fixture()
def phast_slice(real: Path, tmp_path: Path) -> dict[str, Path]:
    """The phast chr22 slice copied to tmp_path (../shared is read-only; pysam writes the .fai beside)."""
    folder = tmp_path / "phast"
    folder.mkdir()
    for name in ("chr22.14500000-15500000.fa", "chr22.14500000-15500000.gp", "chr22.14500000-15500000.maf"):
        shutil.copy(real / "phast_chr22" / name, folder / name)
    return {
        "genome": folder / "chr22.14500000-15500000.fa",
        "annotation": folder / "chr22.14500000-15500000.gp",
        "maf": folder / "chr22.14500000-15500000.maf",
    }


PHAST_OFFSET = -14_499_999  # slice position 0 is chr22:14,499,999 (0-based); the .gp is absolute


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API (moto in server mode) on 127.0.0.1; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture()
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A fresh bucket; credentials only through the environment, as in production."""
    import uuid

    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"utr-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=name)
    return {
        "root": f"s3://{name}/prefix",
        "storage_options": {"endpoint_url": s3_server},
        "bucket": name,
        "endpoint": s3_server,
    }
