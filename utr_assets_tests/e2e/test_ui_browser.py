"""The UI in a real browser: `dagster dev` on 127.0.0.1, headless Chromium through Playwright.

Opens the asset graph, an asset's page with its checks and metadata, launches a materialisation
from the UI and waits for it to succeed. Screenshots go to `test-artifacts/ui/` (kept by CI).
Needs Debian's `chromium` (no browser download) and the `playwright` Python client; `.ci/run`
installs both. Skips with a reason when either is missing on a developer machine.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts" / "ui"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (see .ci/run)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(base: str, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("")
    override = home / "settings.yaml"
    override.write_text(
        f"storage:\n  root: {home / 'store'}\n"
        "automation:\n  registry_sensor: stopped\n  weekly_schedule: stopped\n"
    )
    env = dict(os.environ, DAGSTER_HOME=str(home), UTR_ASSETS_CONFIG=str(override), HF_HUB_OFFLINE="1")
    # create the instance's SQLite schemas once: concurrent first use by dagster dev's processes races
    subprocess.run(
        [sys.executable, "-c", "from dagster import DagsterInstance; DagsterInstance.get().get_runs()"],
        env=env,
        check=True,
        cwd=PROJECT,
    )
    port = _free_port()
    log = open(home / "dagster_dev.log", "w")  # noqa: SIM115 - closed in teardown
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"dagster dev did not come up; log: {(home / 'dagster_dev.log').read_text()[-3000:]}"
                )
            time.sleep(1)
        _graphql(base, "mutation { setNuxSeen }")  # the community pop-up would cover the graph
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def page(dagster_ui: str):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright Python client is not installed"
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def test_asset_graph_shows_every_group(dagster_ui: str, page) -> None:
    page.goto(f"{dagster_ui}/asset-groups")
    for group in (
        "reference",
        "alignments",
        "corpus",
        "models",
        "scoring",
        "tasks",
        "benchmarks",
        "leaderboard",
    ):
        page.get_by_text(group, exact=True).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "asset_graph.png"))


def test_materialise_from_the_ui_then_read_checks_and_metadata(dagster_ui: str, page) -> None:
    page.goto(f"{dagster_ui}/assets/genome")
    page.get_by_text("Indexed reference FASTA").wait_for()
    page.locator("button", has_text="Materialize").first.click()
    deadline = time.monotonic() + 240
    status = None
    while time.monotonic() < deadline:
        runs = _graphql(dagster_ui, "{ runsOrError { ... on Runs { results { runId status } } } }")
        statuses = [r["status"] for r in runs["data"]["runsOrError"]["results"]]
        status = statuses[0] if statuses else None
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(2)
    assert status == "SUCCESS"
    page.goto(f"{dagster_ui}/assets/genome")
    page.get_by_text("total_bp").wait_for()  # the materialisation's metadata
    page.screenshot(path=str(ARTIFACTS / "genome_asset.png"))
    page.goto(f"{dagster_ui}/assets/genome?view=checks")
    page.get_by_text("contigs_valid").first.wait_for()
    page.get_by_text("Passed").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "genome_checks.png"))
