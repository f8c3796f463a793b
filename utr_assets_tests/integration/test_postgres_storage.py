"""Dagster instance storage on PostgreSQL: a real server started here, concurrent runs recorded.

initdb into a temporary folder (as the `postgres` user when the test runs as root: the server
refuses root), password authentication, a free 127.0.0.1 port and a Unix socket in that folder.
DAGSTER_HOME gets the documented deploy/dagster-postgres.yaml verbatim (connection values from
the environment); four processes each materialise one partition of a tiny graph at the same moment.
Skips only when the PostgreSQL server binaries are not installed.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

from utr_assets_tests.integration import scale_graph
from utr_assets_tests.servers import free_port, start, stop, wait_for

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _postgres_bin() -> Path | None:
    """The folder with initdb and postgres: on PATH, else Debian's /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("postgres"):
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


PG_BIN = _postgres_bin()
pytestmark = pytest.mark.skipif(
    PG_BIN is None,
    reason="PostgreSQL server binaries (initdb, postgres) are not installed "
    "(Debian: apt-get install postgresql; .ci/run does this)",
)


@pytest.fixture()
def postgres(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A throwaway PostgreSQL server; yields the DAGSTER_PG_* environment of its `utr_dagster` database."""
    import psycopg2

    assert PG_BIN is not None
    user = group = None
    base = Path(tempfile.mkdtemp(prefix="utr-pg-"))  # pytest's tmp_path is root-only: not for the server
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root needs a `postgres` user (Debian's postgresql package creates it)")
        user, group = owner.pw_uid, owner.pw_gid
        os.chown(base, user, group)
    password = secrets.token_hex(16)
    (base / "pwfile").write_text(password + "\n")
    if user is not None:
        os.chown(base / "pwfile", user, group)
    log, port = tmp_path / "postgres.log", free_port()
    init = subprocess.run(
        [
            str(PG_BIN / "initdb"),
            "-D",
            str(base / "data"),
            "-U",
            "dagster",
            "-E",
            "UTF8",
            "--locale=C",
            "--auth=scram-sha-256",
            f"--pwfile={base / 'pwfile'}",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
        user=user,
        group=group,
        extra_groups=[] if user is not None else None,
        cwd=base,
        timeout=120,
    )
    assert init.returncode == 0, f"initdb failed:\n{init.stdout}\n{init.stderr}"
    server = start(
        [
            str(PG_BIN / "postgres"),
            "-D",
            str(base / "data"),
            "-p",
            str(port),
            "-k",
            str(base),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=60",
        ],
        log,
        cwd=base,
        user=user,
        group=group,
    )
    connect = {"host": "127.0.0.1", "port": port, "user": "dagster", "password": password}

    def accepts() -> bool:
        try:
            psycopg2.connect(dbname="postgres", connect_timeout=1, **connect).close()
            return True
        except psycopg2.OperationalError:
            return False

    try:
        wait_for(accepts, 30, "postgres", [server], [log])
        admin = psycopg2.connect(dbname="postgres", **connect)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE utr_dagster")
        admin.close()
        yield {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(port),
            "DAGSTER_PG_DB": "utr_dagster",
            "DAGSTER_PG_USER": "dagster",
            "DAGSTER_PG_PASSWORD": password,
        }
    finally:
        stop(server, sig=2)  # SIGINT: PostgreSQL's fast shutdown
        shutil.rmtree(base, ignore_errors=True)


def test_concurrent_runs_recorded_in_postgres(
    postgres: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg2
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage

    home, barrier = tmp_path / "dagster_home", tmp_path / "barrier"
    home.mkdir()
    barrier.mkdir()
    documented = (PROJECT_ROOT / "deploy" / "dagster-postgres.yaml").read_text()
    (home / "dagster.yaml").write_text(documented + "telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for key, value in postgres.items():
        monkeypatch.setenv(key, value)

    with DagsterInstance.get() as instance:  # creates the schema once, before the runs race
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)

    partitions = scale_graph.MODELS
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    runs = {
        p: subprocess.Popen(
            [sys.executable, "-m", "utr_assets_tests.integration.scale_graph", p, str(barrier)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )
        for p in partitions
    }
    try:
        wait_for(
            lambda: all((barrier / f"{p}.ready").exists() for p in partitions),
            60,
            "run processes",
            list(runs.values()),
        )
        (barrier / "go").touch()
        outputs = {p: proc.communicate(timeout=60) for p, proc in runs.items()}
    finally:
        for proc in runs.values():
            stop(proc)
    codes = {p: proc.returncode for p, proc in runs.items()}
    assert set(codes.values()) == {0}, {p: (codes[p], outputs[p][1][-2000:]) for p in partitions}
    run_ids = {p: json.loads(outputs[p][0].strip().splitlines()[-1])["run_id"] for p in partitions}

    with DagsterInstance.get() as instance:
        records = instance.get_run_records(RunsFilter(tags={"utr_assets/test": "concurrent"}))
        assert {r.dagster_run.run_id for r in records} == set(run_ids.values())
        assert {r.dagster_run.status for r in records} == {DagsterRunStatus.SUCCESS}
        spans = sorted((r.start_time, r.end_time) for r in records)
        assert any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)), (
            f"no two runs overlapped in time: {spans}"
        )
        for partition, run_id in run_ids.items():
            types = [e.dagster_event.event_type for e in instance.all_logs(run_id) if e.dagster_event]
            assert types.count(DagsterEventType.STEP_SUCCESS) == 3, (partition, types)
            assert types.count(DagsterEventType.ASSET_MATERIALIZATION) == 3, (partition, types)
            assert DagsterEventType.RUN_SUCCESS in types
        for key in (a.key for a in scale_graph.ASSETS):
            materialised = instance.fetch_materializations(key, limit=100).records
            assert sorted(r.partition_key for r in materialised) == sorted(partitions)

    # the rows are really in PostgreSQL, not in a SQLite file under DAGSTER_HOME
    with (
        psycopg2.connect(
            host=postgres["DAGSTER_PG_HOST"],
            port=int(postgres["DAGSTER_PG_PORT"]),
            dbname=postgres["DAGSTER_PG_DB"],
            user=postgres["DAGSTER_PG_USER"],
            password=postgres["DAGSTER_PG_PASSWORD"],
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT count(*) FROM runs")
        assert cursor.fetchone()[0] == len(partitions)
        cursor.execute("SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'")
        assert cursor.fetchone()[0] == 3 * len(partitions)
    assert not list(home.rglob("*.db")), "SQLite files appeared under DAGSTER_HOME"
