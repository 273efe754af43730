"""The distributions that `pip install -e ".[test]"` brings in, with the versions installed in this Python.

`python .ci/pins.py` prints them as a pip constraints file (what `.ci/lock` writes to `.ci/constraints.txt`);
`tests/test_constraints.py` imports `needed()` to check that file against the venv. The walk starts at
pyproject.toml's `test` extra and follows each installed distribution's own requirements, with markers
evaluated for this Python and the extras asked for, so the file holds exactly what this venv needs.
"""

from __future__ import annotations

import importlib.metadata
import pathlib
import platform
import sys
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXTRA = "test"


def needed(extra: str = EXTRA) -> dict[str, str]:
    """{canonical name: installed version} of every distribution wfkit[extra] needs, wfkit left out."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    self_name = canonicalize_name(project["name"])
    optional = project.get("optional-dependencies", {})
    found: dict[str, str] = {}
    expanded: set[tuple[str, str]] = set()
    todo = [(Requirement(line), "") for line in project["dependencies"]]
    todo += [(Requirement(f"{project['name']}[{extra}]"), "")]
    while todo:
        req, asked = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": asked}):
            continue
        name = canonicalize_name(req.name)
        if name == self_name:  # wfkit's extras name each other ("wfkit[lab]"): read them from pyproject
            for part in req.extras - {e for n, e in expanded if n == name}:
                expanded.add((name, part))
                todo += [(Requirement(line), "") for line in optional[part]]
            continue
        for part in {""} | req.extras:
            if (name, part) in expanded:
                continue
            expanded.add((name, part))
            dist = _installed(name, req)
            found[name] = dist.version
            todo += [(Requirement(line), part) for line in dist.requires or ()]
    return dict(sorted(found.items()))


def _installed(name: str, req: Requirement) -> importlib.metadata.Distribution:
    try:
        return importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit(f"`{req}` is needed by wfkit[{EXTRA}] but not installed in {sys.prefix}: "
                         f'run `{sys.executable} -m pip install -e ".[{EXTRA}]"` first') from None


def python_line() -> str:
    return f"# python {platform.python_version_tuple()[0]}.{platform.python_version_tuple()[1]}"


def main() -> None:
    print("# Every distribution that wfkit[test] needs, pinned to the versions its tests passed with.")
    print("# Written by `bash .ci/lock` (do not edit by hand); `bash .ci/dev` installs against it.")
    print(python_line())
    for name, version in needed().items():
        print(f"{name}=={version}")


if __name__ == "__main__":
    main()
