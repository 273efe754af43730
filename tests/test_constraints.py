"""`.ci/constraints.txt` pins exactly what `pip install -e ".[test]"` brings in, at the versions installed here,
and pyproject.toml's lower bounds are releases the tests ran with (the pinned versions' minor releases)."""

import importlib.util
import os
import pathlib
import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / ".ci" / "constraints.txt"
NEWEST = os.environ.get("WFKIT_DEPS") == "newest"  # .ci/dev's newest-releases venv: it differs on purpose


def _pins_module():
    spec = importlib.util.spec_from_file_location("wfkit_ci_pins", ROOT / ".ci" / "pins.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pinned() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


@pytest.mark.skipif(NEWEST, reason="WFKIT_DEPS=newest may bring in other distributions on purpose")
def test_every_distribution_the_test_extra_needs_is_pinned_and_nothing_else():
    needed, pinned = _pins_module().needed(), _pinned()
    missing = sorted(set(needed) - set(pinned))
    stale = sorted(set(pinned) - set(needed))
    assert (missing, stale) == ([], []), (
        f"{CONSTRAINTS} is out of date (not pinned: {missing}; pinned but no longer needed: {stale}): "
        "run `bash .ci/lock` in a venv whose tests passed")


@pytest.mark.skipif(NEWEST, reason="WFKIT_DEPS=newest installs newer releases than the pins on purpose")
def test_the_installed_versions_are_the_pinned_ones():
    needed, pinned = _pins_module().needed(), _pinned()
    differ = {name: (pinned.get(name), version) for name, version in needed.items() if pinned.get(name) != version}
    assert differ == {}, f"installed versions differ from {CONSTRAINTS} (pinned, installed): {differ}"


def test_the_constraints_name_the_python_they_were_locked_on():
    assert re.search(r"^# python 3\.\d+$", CONSTRAINTS.read_text(), flags=re.M)


def test_lower_bounds_are_the_minor_releases_of_the_pinned_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [line for group in project["optional-dependencies"].values() for line in group]
    pinned, wrong = _pinned(), []
    for req in map(Requirement, lines):
        name = canonicalize_name(req.name)
        if name == "wfkit":
            continue
        bounds = [Version(s.version) for s in req.specifier if s.operator == ">="]
        tested = Version(pinned[name])
        minor = Version(f"{tested.major}.{tested.minor}")
        if len(bounds) != 1 or not minor <= bounds[0] <= tested:
            wrong.append(f"{req} (tested with {tested}: use >={minor})")
    assert wrong == [], f"pyproject.toml has lower bounds that were not tested: {wrong}"
