"""The paper profile's real path, end to end, against a local mirror of every source.

A local HTTP server (and a moto S3 server for gnomAD, as on AWS Open Data) serves a miniature of every
catalogue source at its real URL's path (utr_assets_tests/paper_mirror.py); `sources.mirror` and
`sources.s3_endpoint` point the catalogue there. The paper graph is materialised at tiny presets (one tiny
trained model, the CADD baseline) from the downloads through verification, reference, alignments, corpus,
training, scoring and tasks to the leaderboard. One corrupted byte on the server fails that source's
verification check and nothing downstream of it runs.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from dagster import AssetKey, AssetSelection, DagsterInstance, materialize

from utr_assets.definitions import build_definitions
from utr_assets.platform.whole_graph import materialise_everything
from utr_assets.settings import load_settings
from utr_assets_tests import paper_mirror
from utr_assets_tests.integration.test_download import FixtureServer

CHROMS = ("chr1", "chr2", "chr3")
SAMPLE = paper_mirror.SAMPLE
REGISTRY = """models:
  - {slug: stsp-3utr, kind: trained, family: dss, display_name: STSP-3UTR, presets: {paper: tiny}}
  - {slug: cadd, kind: baseline, family: cadd, display_name: CADD}
"""


@pytest.fixture(scope="module")
def mirror(real: Path, s3_server: str, tmp_path_factory: pytest.TempPathFactory):
    import boto3

    folder = tmp_path_factory.mktemp("mirror")
    built = paper_mirror.build(real, folder, CHROMS)
    server = FixtureServer()
    server.files.update(built["files"])
    server.thread.start()
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=built["bucket"])
    for key, data in built["s3"].items():
        client.put_object(Bucket=built["bucket"], Key=key, Body=data, ACL="public-read")  # AWS Open Data
    yield {**built, "server": server, "s3_endpoint": s3_server}
    server.httpd.shutdown()
    server.httpd.server_close()


def _override(mirror: dict, home: Path) -> Path:
    sample_tasks = SAMPLE / "tasks"
    settings = {
        "registry": str(home / "models.yaml"),
        "storage": {"root": str(home / "store")},
        "compute": {"device": "cpu"},
        "reference": {"canonical_tags": ["Ensembl_canonical", "MANE_Select"]},
        "alignments": {
            "species_list": str(SAMPLE / "species" / "species.txt"),
            "chromosomes": list(CHROMS),
            "min_species_coverage": 0.3,
        },
        "corpus": {"validation_fraction": 0.15, "rows_per_shard": 2000, "bpe_vocab_size": 256},
        "tasks": {
            "rbns_enriched": str(sample_tasks / "rbp" / "rbns_enriched_5mers.tsv"),  # not downloaded
            "griesemer_oligo_info": str(mirror["griesemer_oligos"]),
            "n_variants_max": 150,
        },
        "training": {
            "max_epochs": 1,
            "max_steps": 8,
            "micro_batch_size": 16,
            "checkpoint_every": 8,
            "max_validation_chunks": 32,
            "max_train_chunks": 256,
        },
        "scoring": {
            "shard_utrs": 64,
            "variant_window": 24,
            "context": 64,  # one pass per chunk, not per base:
            "probability_mode": {"per_base": {"dss": "unmasked"}},
        },  # the plumbing is under test
        "benchmarks": {
            "n_boot": 20,
            "mlp_outer_folds": 3,
            "mlp_inner_folds": 2,
            "mlp_hidden_layers": [[8]],
            "mlp_alphas": [0.001],
            "mpra_outer_folds": 3,
            "mpra_probes": ["ridge"],
            "half_life_probes": ["ridge"],
        },
        "executor": {"kind": "in_process"},
        "sources": {
            "catalogue": str(mirror["catalogue"]),
            "mirror": mirror["server"].url,
            "s3_endpoint": mirror["s3_endpoint"],
            "urls": {"zoonomia_maf": paper_mirror.MAF_URL},
        },
    }
    home.mkdir(parents=True, exist_ok=True)
    (home / "models.yaml").write_text(REGISTRY)
    path = home / "override.yaml"
    path.write_text(yaml.safe_dump(settings))
    return path


@pytest.fixture()
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_paper_graph_runs_from_downloads_to_the_leaderboard(mirror, real, tmp_path, aws_env) -> None:
    settings = load_settings("paper", _override(mirror, tmp_path / "run"))
    defs = build_definitions(settings)
    graph = defs.resolve_asset_graph()
    assert AssetKey(["sources", "hg38_genome"]) in graph.get(AssetKey("genome")).parent_keys
    assert AssetKey(["sources", "gnomad_3utr"]) in graph.get(AssetKey("variant_sets")).parent_keys
    log: list[str] = []
    started = time.perf_counter()
    timings: list[tuple[str, str, float]] = []
    failures = materialise_everything(
        log=log.append, instance=DagsterInstance.ephemeral(), defs=defs, timings=timings
    )
    seconds = time.perf_counter() - started
    slowest = ", ".join(
        f"{step}[{part}] {t:.0f} s" for step, part, t in sorted(timings, key=lambda x: -x[2])[:6]
    )
    print(f"paper graph on the mirror: {seconds:.0f} s; slowest steps: {slowest}")
    assert failures == [], "\n".join(log)
    assert not [line for line in log if "check failed" in line and "(ERROR)" in line], log

    store = tmp_path / "run" / "store"
    # every downloaded file is the served one (verified), in the store where the readers look
    assert (store / "sources" / "hg38_genome" / "hg38.fa").read_bytes().startswith(b">chr1")
    assert (store / "sources" / "agarwal2022_half_life" / "all_HLs_human_PC1.txt").read_bytes() == (
        real / "saluki" / "agarwal2022_human_halflife_PC1.txt"
    ).read_bytes()  # pinned sha256 verified
    # PhyloP-241 is downloaded as bigWig and read from the store through tasks.phylop (conservation splits)
    assert (store / "sources" / "phylop_241way" / "241-mammalian-2020v2.bigWig").read_bytes()[
        :4
    ] == b"\x26\xfc\x8f\x88"
    requested = {path for _, path, _ in mirror["server"].requests}
    assert paper_mirror.mirror_path(paper_mirror.MAF_URL.format(chrom="chr2")) in requested
    regions = pd.read_parquet(store / "tables" / "utr3_regions.parquet")
    assert set(regions.chrom) == set(CHROMS)
    board = pd.read_parquet(store / "tables" / "leaderboard.parquet")
    assert set(board.model) == {"stsp-3utr", "cadd"}
    assert set(board[board.model == "stsp-3utr"].task) == {
        "rbp_motifs",
        "variant_effects",
        "mpra",
        "half_life",
    }
    # the leaderboard row of the trained model names the checkpoint it came from
    assert board[board.model == "stsp-3utr"].checkpoint.str.contains("model_checkpoint/stsp-3utr/").all()
    # every variant split is built from downloads (ClinVar, gnomAD from S3, eQTL credible sets, CADD sets)
    splits = set(board[board.task == "variant_effects"].split)
    assert {"clinvar", "gnomad_singletons", "eqtl", "cadd"} <= {s.split("/")[0] for s in splits}, splits
    assert {"top10_phylop", "bottom10_phylop"} <= set(board[board.task == "rbp_motifs"].split)
    ok = board[(board.model == "cadd") & (board.status == "ok")]
    assert len(ok), "the CADD baseline scores the downloaded variants from the downloaded CADD table"


def test_one_corrupted_byte_fails_verification_and_nothing_downstream_runs(mirror, tmp_path, aws_env) -> None:
    server = mirror["server"]
    path = paper_mirror.mirror_path(
        yaml.safe_load(paper_mirror.DEFAULT_CATALOGUE.read_text())["sources"][1]["url"]
    )
    original = server.files[path]
    server.files[path] = original[:100] + bytes([original[100] ^ 0x01]) + original[101:]
    try:
        defs = build_definitions(load_settings("paper", _override(mirror, tmp_path / "bad")))
        selection = AssetSelection.assets(AssetKey(["sources", "gencode_gtf"]), "gene_annotation")
        result = materialize(
            list(defs.assets),
            selection=selection,
            resources=defs.resources,
            instance=DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    finally:
        server.files[path] = original
    assert not result.success
    checks = {
        (c.asset_key.to_user_string(), c.check_name): c.passed for c in result.get_asset_check_evaluations()
    }
    assert checks == {("sources/gencode_gtf", "download_verified"): False}
    assert result.get_asset_materialization_events() == []
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert started == {"sources__gencode_gtf"}  # gene_annotation, downstream, never starts
    assert not (
        tmp_path / "bad" / "store" / "sources" / "gencode_gtf" / "gencode.v44.annotation.gtf.gz"
    ).exists()
