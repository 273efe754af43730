"""Build the notebooks from their sources in `.build/src/` and execute them, so that their outputs are saved.

The sources, this script and the exercises' checks (`wfkit.exercises`) stay out of the learner's folder:
JupyterLab does not list the hidden `.build/`, so `notebooks/` shows the notebooks. Each `src/NN_name.py`
defines `CELLS`: a list of `md("...")` and `code("...")` cells (plain Python data).
This script turns them into `NN_name.ipynb` with nbformat and runs them top to bottom with nbclient, in a
kernel from the Python that runs this script (use the project's venv) and with no ANTHROPIC_API_KEY, so the
saved outputs are the offline model's and the same on every machine.

    .venv/bin/python notebooks/.build/build.py            # build and execute every notebook
    .venv/bin/python notebooks/.build/build.py 03 07      # only the notebooks whose names start with these
    .venv/bin/python notebooks/.build/build.py --no-execute
    .venv/bin/python notebooks/.build/build.py --check    # exit 1 if a notebook's cells differ from its source
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import textwrap
import time

import nbformat

HERE = pathlib.Path(__file__).resolve().parent.parent  # notebooks/, where the .ipynb files are
SOURCES = HERE / ".build" / "src"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
TIMEOUT = 120  # per cell; the whole notebook must stay far below 30 s offline


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(text: str, *, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(textwrap.dedent(text).strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _load(path: pathlib.Path) -> dict:
    namespace = {"md": md, "code": code}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace


def sources() -> dict[str, list]:
    """{notebook stem: cells} for every file in `.build/src/`, in name order."""
    return {path.stem: _load(path)["CELLS"] for path in sorted(SOURCES.glob("[0-9][0-9]_*.py"))}


def solved(stem: str) -> list:
    """The cells of notebook `stem` with each "Your turn" cell (tagged `exercise`) replaced by its solution
    from the source's `SOLUTIONS` list, in order (what tests/notebooks/test_exercises.py runs)."""
    namespace = _load(SOURCES / f"{stem}.py")
    answers = iter(namespace.get("SOLUTIONS", []))
    cells = []
    for cell in namespace["CELLS"]:
        if "exercise" in cell.get("metadata", {}).get("tags", []):
            cell = code(next(answers), tags=("exercise",))
        cells.append(cell)
    left = list(answers)
    if left:
        raise ValueError(f".build/src/{stem}.py has {len(left)} more SOLUTIONS than exercise cells")
    return cells


def notebook(stem: str, cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(cells):
        cell = nbformat.from_dict(dict(cell))
        cell["id"] = f"{stem[:2]}-{index:02d}"  # stable ids keep the diffs small
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def execute(nb: nbformat.NotebookNode) -> float:
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name=KERNELSPEC["name"], record_timing=False,
                            resources={"metadata": {"path": str(HERE)}})
    started = time.perf_counter()
    client.execute()
    return time.perf_counter() - started


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def keep_static(nb: nbformat.NotebookNode) -> list[str]:
    """Drop the live-widget outputs and the saved widget state, keeping each widget's static snapshot.

    A saved widget view needs the widget library from a CDN and a kernel-side model: without them GitHub,
    nbviewer and nbconvert show an empty output (nbconvert prefers the view whenever widget state is saved).
    wfkit's widgets also answer text/html, image/svg+xml and text/plain with what they show, so the saved
    notebook keeps those; running a cell brings the live widget back. Returns the cells whose output was
    only a widget view (a widget that is not wfkit's), so the caller can refuse them."""
    blank = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                if not data:
                    blank.append(cell.get("id", "?"))
    nb.metadata.pop("widgets", None)
    return blank


def same_cells(stem: str, cells: list) -> bool:
    path = HERE / f"{stem}.ipynb"
    if not path.exists():
        return False
    saved = nbformat.read(path, as_version=4).cells
    built = notebook(stem, cells).cells
    return [(c.cell_type, c.source) for c in saved] == [(c.cell_type, c.source) for c in built]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="build only the notebooks whose names start with these")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without outputs")
    parser.add_argument("--check", action="store_true", help="only check that the notebooks match their sources")
    args = parser.parse_args(argv)

    # The saved outputs are the offline model's, whoever builds them.
    os.environ.pop("ANTHROPIC_API_KEY", None)
    os.environ.pop("WFKIT_DOT", None)
    chosen = {stem: cells for stem, cells in sources().items()
              if not args.only or any(stem.startswith(prefix) for prefix in args.only)}
    if args.check:
        stale = [stem for stem, cells in chosen.items() if not same_cells(stem, cells)]
        for stem in stale:
            print(f"{stem}.ipynb differs from .build/src/{stem}.py: run notebooks/.build/build.py {stem[:2]}")
        return 1 if stale else 0
    for stem, cells in chosen.items():
        nb = notebook(stem, cells)
        took = None if args.no_execute else execute(nb)
        blank = keep_static(nb)
        if blank:
            print(f"{stem}: cells {blank} display a widget with no static view; show a wfkit widget instead")
            return 1
        nbformat.write(nb, HERE / f"{stem}.ipynb")
        print(f"{stem}.ipynb: {len(cells)} cells" + (f", executed in {took:.1f} s" if took is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
