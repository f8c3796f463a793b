"""Architecture rules of issue 18, checked on the source so they hold after every change.

- no module under utr_assets/ over 300 lines;
- no Dagster asset or check body over 40 lines (glue only: the work lives in plain modules);
- no `family == ...` switch outside utr_assets/families/ (a model family is described in one place);
- the plain-Python layers import no dagster, even indirectly (`python -X importtime`), and neither do
  `utr-assets models list` and `utr-assets plan --help`;
- the import contract in pyproject.toml covers every layer that must stay free of dagster.

Each source check is a function over a folder, and a test plants a violation in a temporary folder to
prove the check can fail. The import direction itself is checked by `lint-imports` (make check).
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import textwrap
import tokenize
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGE = PROJECT_ROOT / "utr_assets"
MAX_MODULE_LINES = 300
MAX_ASSET_BODY_LINES = 40
ASSET_DECORATORS = {
    "asset",
    "multi_asset",
    "asset_check",
    "multi_asset_check",
    "source_asset",
}  # source_asset: assets/sources_common.py
SWITCH_OPS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)
DAGSTER_FREE = [
    "utr_assets.scoring.lm",
    "utr_assets.model_registry",
    "utr_assets.settings",
    "utr_assets.planning",
    "utr_assets.families",
]
DAGSTER_GLUE = {"cli", "definitions", "automation", "assets", "platform"}  # may import dagster


def _modules(root: Path) -> Iterator[Path]:
    yield from sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _name(root: Path, path: Path) -> str:
    return path.relative_to(root.parent).as_posix()


def long_modules(root: Path, limit: int = MAX_MODULE_LINES) -> list[str]:
    """Modules with more than `limit` lines, as 'path: N lines'."""
    found = []
    for path in _modules(root):
        lines = len(path.read_text().splitlines())
        if lines > limit:
            found.append(f"{_name(root, path)}: {lines} lines")
    return found


def _decorator_name(decorator: ast.expr) -> str | None:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return None


def _header_end(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The line holding the ':' that ends a `def` header (signatures may span lines)."""
    source = "\n".join(lines[node.lineno - 1 : node.end_lineno]) + "\n"
    depth = 0
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        elif token.type == tokenize.OP and token.string == ":" and depth == 0:
            return node.lineno + token.start[0] - 1
    raise ValueError(f"no header end for {node.name} at line {node.lineno}")


def long_asset_bodies(root: Path, limit: int = MAX_ASSET_BODY_LINES) -> list[str]:
    """Functions decorated with @asset/@multi_asset/@asset_check/@multi_asset_check whose body (from the
    line after the signature to the end, docstring included) is over `limit` lines."""
    found = []
    for path in _modules(root):
        text = path.read_text()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not {_decorator_name(d) for d in node.decorator_list} & ASSET_DECORATORS:
                continue
            assert node.end_lineno is not None
            body = node.end_lineno - _header_end(lines, node)
            if body > limit:
                found.append(f"{_name(root, path)}:{node.lineno} {node.name}: {body} lines")
    return found


def _is_family(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "family") or (
        isinstance(node, ast.Attribute) and node.attr == "family"
    )


def family_switches(root: Path, allowed: str = "families") -> list[str]:
    """`family == x`, `x.family in (...)`, `match family:` ... outside `root/allowed/`."""
    found = []
    for path in _modules(root):
        if path.relative_to(root).parts[0] == allowed:
            continue
        switches = []
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(isinstance(op, SWITCH_OPS) for op in node.ops):
                if any(_is_family(side) for side in [node.left, *node.comparators]):
                    switches.append((node.lineno, ast.unparse(node)))
            elif isinstance(node, ast.Match) and _is_family(node.subject):
                switches.append((node.lineno, f"match {ast.unparse(node.subject)}"))
        found.extend(f"{_name(root, path)}:{line} {code}" for line, code in sorted(switches))
    return found


def test_no_module_over_300_lines() -> None:
    found = long_modules(PACKAGE)
    assert not found, "split these modules along what they do (issue 18):\n" + "\n".join(found)


def test_no_asset_body_over_40_lines() -> None:
    found = long_asset_bodies(PACKAGE)
    assert not found, "move the work into a plain function the asset calls:\n" + "\n".join(found)


def test_no_family_switch_outside_the_family_registry() -> None:
    found = family_switches(PACKAGE)
    assert not found, "read the family's description (utr_assets.families) instead:\n" + "\n".join(found)


def _plant(tmp_path: Path, relative: str, source: str) -> Path:
    root = tmp_path / "utr_assets"
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return root


def test_module_length_check_finds_a_long_module(tmp_path: Path) -> None:
    root = _plant(tmp_path, "big.py", "x = 1\n" * 301)
    (root / "small.py").write_text("x = 1\n" * 300)
    assert long_modules(root) == ["utr_assets/big.py: 301 lines"]


def test_asset_body_check_finds_a_long_body(tmp_path: Path) -> None:
    long_body = "".join(f"    x{i} = {i}\n" for i in range(40))  # 40 lines + docstring = 41
    fits = "".join(f"    y{i} = {i}\n" for i in range(40))
    source = (
        "import dagster as dg\nfrom dagster import asset, asset_check\n\n"
        f'@asset(group_name="g")\ndef too_long(\n    context,\n) -> None:\n    """Doc."""\n{long_body}\n'
        f"@dg.multi_asset_check(specs=[])\ndef fits(context):\n{fits}\n"
        f"def not_an_asset():\n{long_body}{long_body}"
    )
    root = _plant(tmp_path, "assets/planted.py", source)
    assert long_asset_bodies(root) == ["utr_assets/assets/planted.py:5 too_long: 41 lines"]


def test_family_switch_check_finds_switches(tmp_path: Path) -> None:
    source = """
        def tokeniser(family, entry):
            if family == "nt":
                return 1
            if entry.family not in ("dss", "stsp"):
                return 2
            match family:
                case "dnabert":
                    return 3
            return family_name == "nt"
    """
    root = _plant(tmp_path, "scoring/planted.py", source)
    _plant(tmp_path, "families/registry.py", source)  # the one place where it is allowed
    assert family_switches(root) == [
        "utr_assets/scoring/planted.py:3 family == 'nt'",
        "utr_assets/scoring/planted.py:5 entry.family not in ('dss', 'stsp')",
        "utr_assets/scoring/planted.py:7 match family",
    ]


def _loaded_modules(module: str) -> list[str]:
    """Every module `import module` loads in a fresh interpreter, from `python -X importtime`."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    names = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line]
    assert module in names, "no import time table: was -X importtime ignored?"
    return names


@pytest.mark.parametrize("module", DAGSTER_FREE)
def test_plain_modules_load_no_dagster(module: str) -> None:
    dagster = sorted({n for n in _loaded_modules(module) if n.split(".")[0].startswith("dagster")})
    assert dagster == [], f"import {module} loads {dagster[:5]}"


def test_importtime_sees_dagster_where_it_is_imported() -> None:
    assert "dagster" in _loaded_modules("utr_assets.platform.executors")


CLI_PROBE = """
import sys
from utr_assets.cli import main
try:
    code = main({argv!r})
except SystemExit as exc:  # argparse's --help
    code = exc.code
print(code, sorted({{m.split(".")[0] for m in sys.modules if m.startswith("dagster")}}))
"""


@pytest.mark.parametrize("argv", [["models", "list"], ["plan", "--help"]])
def test_light_commands_load_no_dagster(argv: list[str], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CLI_PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-1] == "0 []", result.stdout[-2000:]


def test_dagster_contract_covers_every_plain_layer() -> None:
    """The forbidden contract lists every layer of the layers contract but the Dagster glue."""
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {c["id"]: c for c in config["contracts"]}
    layers = {m.strip() for layer in contracts["layers"]["layers"] for m in layer.split("|")}
    assert contracts["layers"]["exhaustive"] is True
    plain = {f"utr_assets.{m}" for m in layers - DAGSTER_GLUE}
    assert set(contracts["dagster-glue-only"]["source_modules"]) == plain
    assert layers >= DAGSTER_GLUE
