"""Remote code never runs unasked: a checkpoint whose tokenizer/model config carries an ``auto_map`` to a
planted module is loaded (or refused) without importing it, offline, with "y" waiting on a non-tty stdin.

The control case proves the planted checkpoint is live: a bare ``AutoTokenizer.from_pretrained(path)``
(what scoring/loading.py and corpus/tokenisers.py did before) answers the prompt from stdin and imports it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from utr_assets.models.checkpoints import export_hf
from utr_assets_tests.scoring.test_scoring_marginals import tiny_scorer

EVIL = """
from pathlib import Path
Path({marker!r}).write_text("remote code ran")
from transformers import PreTrainedTokenizerFast as EvilTokenizer  # noqa: E402
"""

LOADERS = {
    "bare": "from transformers import AutoTokenizer; AutoTokenizer.from_pretrained(path)",
    "pretrained": (
        "load_scorer(ModelEntry(slug='x', kind='pretrained', family='nt', source=path), None, 'cpu')"
    ),
    "trained": "load_scorer(ModelEntry(slug='x', kind='trained', family='nt', presets={'sample': 'tiny'}), Path(path))",
    "tokeniser": "load_tokeniser(path)",
    "tokeniser_for": "load_tokeniser_for(path, 'nt')",
}
CHILD = """
import json, sys
from pathlib import Path
from utr_assets.corpus import load_tokeniser
from utr_assets.model_registry import ModelEntry
from utr_assets.scoring.loading import load_scorer, load_tokeniser_for
results = {}
for loader, path in json.loads(sys.argv[1]).items():
    try:
        exec(sys.argv[2 + list(json.loads(sys.argv[1])).index(loader)])
        results[loader] = "LOADED"
    except Exception as exc:
        results[loader] = f"{type(exc).__name__}: {exc}"
print(json.dumps(results))
"""
CASES = {
    "tokeniser": (True, False),
    "tokeniser_for": (False, False),
    "pretrained": (False, True),
    "trained": (True, True),
}  # loader -> (keep utr_tokeniser.json, keep the model)


def _plant(directory: Path, marker: Path) -> None:
    """Point the tokenizer (and the model config) at evil.py, which writes ``marker`` when imported."""
    (directory / "evil.py").write_text(EVIL.format(marker=str(marker)))
    config_path = directory / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config.pop("tokenizer_class", None)  # no local class to fall back on: transformers must ask
    config["auto_map"] = {"AutoTokenizer": [None, "evil.EvilTokenizer"]}
    config_path.write_text(json.dumps(config))
    if (directory / "config.json").exists():
        model_config = json.loads((directory / "config.json").read_text())
        model_config["auto_map"] = {"AutoModelForMaskedLM": "evil.EvilModel"}
        (directory / "config.json").write_text(json.dumps(model_config))


def _run(code: str, paths: dict[str, Path], tmp: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_MODULES_CACHE": str(tmp / "modules"),
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            json.dumps({k: str(v) for k, v in paths.items()}),
            *(LOADERS[k] for k in paths),
        ],
        input="y\ny\ny\ny\ny\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    """A tiny NT checkpoint as export_hf writes it (safetensors + HF tokenizer + utr_tokeniser.json)."""
    root = tmp_path_factory.mktemp("remote")
    scorer = tiny_scorer("nt", context=32)
    export_hf(scorer.model, scorer.tokeniser, root / "ckpt")
    return root / "ckpt"


def _copy(checkpoint: Path, directory: Path, *, ours: bool, model: bool) -> tuple[Path, Path]:
    """``ours``: keep utr_tokeniser.json; ``model``: keep config.json + weights (without them the tokenizer
    has no model_type to fall back on, so a bare AutoTokenizer must resolve the auto_map)."""
    import shutil

    shutil.copytree(checkpoint, directory)
    if not ours:
        (directory / "utr_tokeniser.json").unlink()
    if not model:
        (directory / "config.json").unlink()
    marker = directory.parent / f"{directory.name}.REMOTE_CODE_RAN"
    _plant(directory, marker)
    return directory, marker


@pytest.mark.slow
def test_control_bare_autotokenizer_runs_the_planted_code(checkpoint, tmp_path):
    directory, marker = _copy(checkpoint, tmp_path / "bare", ours=True, model=False)
    done = _run(
        "import json, sys\npath = json.loads(sys.argv[1])['bare']\nexec(sys.argv[2])",
        {"bare": directory},
        tmp_path,
    )
    assert marker.exists(), done.stderr[-2000:]  # the fixture is dangerous: the prompt read "y" from stdin


@pytest.mark.slow
def test_our_loaders_never_run_a_tokenizer_auto_map(checkpoint, tmp_path):
    planted = {
        loader: _copy(checkpoint, tmp_path / loader, ours=ours, model=model)
        for loader, (ours, model) in CASES.items()
    }
    done = _run(CHILD, {loader: directory for loader, (directory, _) in planted.items()}, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for loader, (directory, marker) in planted.items():
        assert not marker.exists(), f"{loader}: remote code ran ({results[loader]})"
        outcome = results[loader]
        if outcome != "LOADED":  # refused: our error, naming the checkpoint and the custom code not run
            assert str(directory) in outcome and "custom code" in outcome and "not run" in outcome, (
                loader,
                outcome,
            )
