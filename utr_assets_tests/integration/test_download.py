"""The downloader against a local HTTP server (Range, dropped connection, wrong bytes, 404) and moto S3."""

from __future__ import annotations

import gzip
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from utr_assets.platform.artifacts import ArtifactStore
from utr_assets.sources import (
    Catalogue,
    Downloader,
    RetryPolicy,
    SourceChanged,
    SourceEntry,
    SourceMissing,
    SourceTruncated,
    SourceUnavailable,
)

PAYLOAD = bytes(range(256)) * 4096 + b"tail"  # ~1 MiB, not a multiple of the chunk size
SHA = hashlib.sha256(PAYLOAD).hexdigest()
MD5 = hashlib.md5(PAYLOAD).hexdigest()


class FixtureServer:
    """Files by path; per-path failure modes; records every request's Range header."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.drop_once: set[str] = set()  # send half the body, then close the connection (first GET only)
        self.no_range: set[str] = set()  # ignore Range, always send the whole file with 200
        self.announce_no_range = True  # ... and say so with `Accept-Ranges: none` (else silently)
        self.always_503: set[str] = set()
        self.requests: list[tuple[str, str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self, head: bool) -> None:
                rng = self.headers.get("Range")
                server.requests.append((self.command, self.path, rng))
                if self.path in server.always_503:
                    self._plain(503, b"busy", head)
                    return
                body = server.files.get(self.path)
                if body is None:
                    self._plain(404, b"not found", head)
                    return
                start, status = 0, 200
                if rng and self.path not in server.no_range and not head:
                    start = int(rng.split("=")[1].split("-")[0])
                    end = rng.split("-")[1]
                    stop = int(end) + 1 if end else len(body)
                    status, part = 206, body[start:stop]
                else:
                    part = body
                self.send_response(status)
                self.send_header("Content-Length", str(len(part)))
                no_range = self.path in server.no_range and server.announce_no_range
                self.send_header("Accept-Ranges", "none" if no_range else "bytes")
                self.send_header("ETag", f'"{hashlib.md5(body).hexdigest()}"')
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{start + len(part) - 1}/{len(body)}")
                self.end_headers()
                if head:
                    return
                if self.path in server.drop_once and not rng:
                    server.drop_once.discard(self.path)
                    self.wfile.write(part[: len(part) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.wfile.write(part)

            def _plain(self, status: int, text: bytes, head: bool) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                if not head:
                    self.wfile.write(text)

            def do_GET(self) -> None:  # noqa: N802
                self._serve(head=False)

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(head=True)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def ranges(self, path: str) -> list[str | None]:
        return [r for m, p, r in self.requests if p == path and m == "GET"]


@pytest.fixture()
def server():
    srv = FixtureServer()
    srv.thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture()
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore(str(tmp_path / "store"))


def entry(url: str, **kw) -> SourceEntry:
    return SourceEntry(name=kw.pop("name", "demo"), title="demo file", url=url, **kw)


def downloader(store: ArtifactStore, tmp_path: Path, attempts: int = 4) -> tuple[Downloader, list[float]]:
    sleeps: list[float] = []
    retry = RetryPolicy(attempts=attempts, initial_delay_s=0.01, max_delay_s=0.05, deadline_s=30)
    return Downloader(store, tmp_path / "staging", retry, chunk_size=64 << 10, sleep=sleeps.append), sleeps


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def fetch_one(dl: Downloader, source: SourceEntry):
    return dl.fetch(Catalogue([source]).files(source)[0])


def test_verified_download_is_published_with_a_record(server, store, tmp_path):
    server.files["/data/a.bin"] = PAYLOAD
    dl, _ = downloader(store, tmp_path)
    result = fetch_one(dl, entry(f"{server.url}/data/a.bin", size=len(PAYLOAD), sha256=SHA))
    final = Path(result.uri)
    assert final.read_bytes() == PAYLOAD and result.sha256 == SHA and result.md5 == MD5
    assert result.verification == "pinned" and not result.skipped
    assert files_under(tmp_path / "store") == ["sources/demo/a.bin", "sources/demo/a.bin.source.json"]
    assert files_under(tmp_path / "staging") == []
    again = fetch_one(dl, entry(f"{server.url}/data/a.bin", size=len(PAYLOAD), sha256=SHA))
    assert again.skipped and len(server.ranges("/data/a.bin")) == 1


def test_dropped_connection_resumes_with_a_range_request(server, store, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    server.drop_once.add("/a.bin")
    dl, sleeps = downloader(store, tmp_path)
    result = fetch_one(dl, entry(f"{server.url}/a.bin", sha256=SHA))
    assert Path(result.uri).read_bytes() == PAYLOAD
    assert result.attempts == 2 and 0 < result.resumed_from < len(PAYLOAD) and len(sleeps) == 1
    ranges = server.ranges("/a.bin")
    assert ranges[0] is None and ranges[1].startswith(f"bytes={result.resumed_from}-")


def test_failed_run_leaves_only_a_staged_part_and_a_later_run_resumes(server, store, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    server.drop_once.add("/a.bin")
    dl, _ = downloader(store, tmp_path, attempts=1)
    with pytest.raises(SourceUnavailable, match=r"'demo'.*a\.bin.*gave up after 1 attempt"):
        fetch_one(dl, entry(f"{server.url}/a.bin", sha256=SHA))
    assert files_under(tmp_path / "store") == []
    staged = files_under(tmp_path / "staging")
    assert staged == ["demo/a.bin.part", "demo/a.bin.part.json"]
    kept = (tmp_path / "staging" / "demo" / "a.bin.part").stat().st_size
    assert 0 < kept < len(PAYLOAD)
    result = fetch_one(dl, entry(f"{server.url}/a.bin", sha256=SHA))
    assert result.resumed_from == kept and Path(result.uri).read_bytes() == PAYLOAD
    ranged = [r for r in server.ranges("/a.bin") if r]
    assert ranged[0].startswith(f"bytes={kept}-") and len(server.ranges("/a.bin")) == len(ranged) + 1
    assert files_under(tmp_path / "staging") == []


@pytest.mark.parametrize("announced", [True, False], ids=["accept-ranges-none", "silently-ignored"])
def test_server_ignoring_range_restarts_from_zero(server, store, tmp_path, announced):
    server.files["/a.bin"] = PAYLOAD
    server.announce_no_range = announced
    dl, _ = downloader(store, tmp_path)
    part = tmp_path / "staging" / "demo" / "a.bin.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(PAYLOAD[:1000])
    # a stale part from the same version: resume is attempted, the server answers 200 with everything
    server.no_range.add("/a.bin")
    import json

    from utr_assets.sources.transfer import open_fs, remote_info

    fs, path = open_fs(f"{server.url}/a.bin")
    info = remote_info(fs, path)
    (part.parent / "a.bin.part.json").write_text(
        json.dumps({"url": f"{server.url}/a.bin", "size": info.size, "version": info.version})
    )
    result = fetch_one(dl, entry(f"{server.url}/a.bin", sha256=SHA))
    assert result.resumed_from == 0 and Path(result.uri).read_bytes() == PAYLOAD


def test_wrong_bytes_are_reported_as_changed_upstream_and_nothing_is_kept(server, store, tmp_path):
    server.files["/a.bin"] = PAYLOAD[::-1]
    dl, _ = downloader(store, tmp_path)
    with pytest.raises(
        SourceChanged, match=r"source 'demo' \(http://127\.0\.0\.1:\d+/a\.bin\): sha256 .* changed upstream"
    ):
        fetch_one(dl, entry(f"{server.url}/a.bin", sha256=SHA))
    assert files_under(tmp_path / "store") == [] and files_under(tmp_path / "staging") == []


def test_404_names_the_source_and_url(server, store, tmp_path):
    dl, sleeps = downloader(store, tmp_path)
    with pytest.raises(
        SourceMissing, match=r"source 'demo' \(http://127\.0\.0\.1:\d+/missing\.vcf\.gz\): not found"
    ):
        fetch_one(dl, entry(f"{server.url}/missing.vcf.gz"))
    assert sleeps == [] and files_under(tmp_path / "store") == [] and files_under(tmp_path / "staging") == []


def test_size_differing_from_the_catalogue_is_truncation(server, store, tmp_path):
    server.files["/a.bin"] = PAYLOAD[:5000]
    dl, _ = downloader(store, tmp_path)
    with pytest.raises(SourceTruncated, match="server reports 5000 bytes, catalogue expects"):
        fetch_one(dl, entry(f"{server.url}/a.bin", size=len(PAYLOAD)))
    assert files_under(tmp_path / "store") == [] and files_under(tmp_path / "staging") == []


def test_retries_are_bounded(server, store, tmp_path):
    server.files["/a.bin"] = PAYLOAD
    server.always_503.add("/a.bin")
    dl, sleeps = downloader(store, tmp_path, attempts=3)
    with pytest.raises(SourceUnavailable, match="gave up after 3 attempt"):
        fetch_one(dl, entry(f"{server.url}/a.bin"))
    assert sleeps == [0.01, 0.02]
    assert files_under(tmp_path / "store") == []


def test_published_md5_listing_verifies_and_catches_a_change(server, store, tmp_path):
    server.files["/rel/a.bin"] = PAYLOAD
    server.files["/rel/md5sum.txt"] = f"0123  other.bin\n{MD5}  a.bin\n".encode()
    dl, _ = downloader(store, tmp_path)
    src = entry(f"{server.url}/rel/a.bin", checksum_url=f"{server.url}/rel/md5sum.txt")
    assert src.verification == "published"
    assert fetch_one(dl, src).md5 == MD5
    server.files["/rel/b.bin"] = PAYLOAD + b"x"
    server.files["/rel/md5sum.txt"] += f"{MD5}  b.bin\n".encode()
    with pytest.raises(SourceChanged, match="md5 .* changed upstream"):
        fetch_one(
            dl, entry(f"{server.url}/rel/b.bin", name="other", checksum_url=f"{server.url}/rel/md5sum.txt")
        )
    assert not (tmp_path / "store" / "sources" / "other").exists()


def test_gunzip_post_step_publishes_the_plain_file(server, store, tmp_path):
    server.files["/g/genome.fa.gz"] = gzip.compress(b">chr1\nACGT\n")
    dl, _ = downloader(store, tmp_path)
    result = fetch_one(dl, entry(f"{server.url}/g/genome.fa.gz", post="gunzip"))
    assert result.uri.endswith("genome.fa") and Path(result.uri).read_bytes() == b">chr1\nACGT\n"
    assert files_under(tmp_path / "staging") == []


def test_per_chromosome_sources_expand_and_download(server, store, tmp_path):
    for chrom in ("chr1", "chr2"):
        server.files[f"/maf/{chrom}.maf.gz"] = chrom.encode() * 100
    dl, _ = downloader(store, tmp_path)
    src = entry(f"{server.url}/maf/{{chrom}}.maf.gz")
    results = [dl.fetch(f) for f in Catalogue([src]).files(src, ["chr1", "chr2"])]
    assert [r.chrom for r in results] == ["chr1", "chr2"]
    assert Path(results[1].uri).read_bytes() == b"chr2" * 100


def test_s3_source_into_an_s3_store(s3_bucket, tmp_path):
    import boto3

    s3 = boto3.client("s3", endpoint_url=s3_bucket["endpoint"])
    s3.put_object(Bucket=s3_bucket["bucket"], Key="upstream/clinvar.vcf.gz", Body=PAYLOAD)
    store = ArtifactStore(s3_bucket["root"], s3_bucket["storage_options"])
    dl, _ = downloader(store, tmp_path)
    opts = {"endpoint_url": s3_bucket["endpoint"]}
    src = entry(f"s3://{s3_bucket['bucket']}/upstream/clinvar.vcf.gz", sha256=SHA, storage_options=opts)
    result = fetch_one(dl, src)
    assert result.uri.startswith("s3://") and result.sha256 == SHA
    body = s3.get_object(Bucket=s3_bucket["bucket"], Key="prefix/sources/demo/clinvar.vcf.gz")["Body"].read()
    assert body == PAYLOAD
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket["bucket"])["Contents"]]
    assert not any("/_tmp/" in k for k in keys)
    with pytest.raises(SourceMissing, match="not found"):
        fetch_one(dl, entry(f"s3://{s3_bucket['bucket']}/upstream/nope.vcf.gz", storage_options=opts))
