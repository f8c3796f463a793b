"""requirements.lock and pyproject.toml cannot drift: every pin of pyproject is in the lock, same version.

`make install` installs with `-c requirements.lock`; a pin changed in pyproject.toml but not re-locked
would make that install fail to resolve. The fix is `make lock`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.!]*)$")  # no local label (+cpu)


def _project_requirements(pyproject: str) -> list[Requirement]:
    project = tomllib.loads(pyproject)["project"]
    extras = project.get("optional-dependencies", {})
    return [Requirement(r) for r in [*project["dependencies"], *(r for e in extras.values() for r in e)]]


def lock_pins(lock: str) -> dict[str, str]:
    """The lock's pins by canonical name; any other line than a comment or `name==version` is an error."""
    pins = {}
    for number, line in enumerate(lock.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = PIN.match(line.strip())
        assert match, f"requirements.lock:{number}: not an exact pin: {line!r}"
        pins[canonicalize_name(match[1])] = match[2]
    return pins


def drift(pyproject: str, lock: str) -> list[str]:
    """Requirements of pyproject.toml the lock lacks, and exact pins the lock holds at another version."""
    pins = lock_pins(lock)
    problems = []
    for requirement in _project_requirements(pyproject):
        name = canonicalize_name(requirement.name)
        if name not in pins:
            problems.append(f"{requirement.name}: not in requirements.lock")
            continue
        exact = [s.version for s in requirement.specifier if s.operator in ("==", "===")]
        if exact and exact[0] != pins[name]:
            problems.append(f"{requirement.name}: pyproject {exact[0]}, requirements.lock {pins[name]}")
    return problems


def test_lock_holds_every_pin_of_pyproject() -> None:
    problems = drift(
        (PROJECT_ROOT / "pyproject.toml").read_text(), (PROJECT_ROOT / "requirements.lock").read_text()
    )
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


def test_drift_is_detected() -> None:
    pyproject = '[project]\ndependencies = ["torch==2.13.0", "Foo_Bar>=1"]\n[project.optional-dependencies]\n'
    pyproject += 'test = ["moto[server]==5.2.5", "absent==1.0"]\n'
    lock = "# header\ntorch==2.13.1\nfoo-bar==1.2\nmoto==5.2.5\n"
    assert drift(pyproject, lock) == [
        "torch: pyproject 2.13.0, requirements.lock 2.13.1",
        "absent: not in requirements.lock",
    ]
    assert drift(pyproject, lock.replace("2.13.1", "2.13.0") + "absent==1.0\n") == []


def test_lock_lines_are_exact_pins_without_local_labels() -> None:
    assert lock_pins("a==1.0\nB.c==2.0rc1\n") == {"a": "1.0", "b-c": "2.0rc1"}
    for bad in ("torch==2.13.0+cpu", "numpy>=2", "-e ."):
        try:
            lock_pins(bad)
        except AssertionError:
            continue
        raise AssertionError(f"{bad!r} accepted")
