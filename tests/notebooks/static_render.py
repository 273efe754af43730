"""What a reader with no kernel sees: each saved notebook exported by nbconvert (as nbviewer does), and the
wfkit widget outputs found in that page. Shared by the nbconvert test and the browser test."""

from __future__ import annotations

import html
import pathlib
import re

import nbformat

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def export_html(notebook: pathlib.Path) -> str:
    """`notebook` as nbconvert's HTML page (the lab template, no execution, no network)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nbformat.read(notebook, as_version=4))
    return body


def widget_outputs(notebook: pathlib.Path) -> list[tuple[str, str]]:
    """(kind, first line of the text summary) of each saved Debugger / ReviewPanel / GraphView output."""
    found = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/plain", "")
            for kind, prefix in (("debugger", "Debugger of"), ("review", "ReviewPanel:"), ("graph", "GraphView of")):
                if text.startswith(prefix):
                    found.append((kind, text.splitlines()[0]))
    return found


def visible_text(fragment: str) -> str:
    """The text a browser shows for an HTML fragment (tags dropped, entities decoded, spaces collapsed)."""
    fragment = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def snapshots(page: str, kind: str) -> list[str]:
    """The static snapshots of `kind` in an exported page, each as its HTML (to its closing div)."""
    out, opener = [], f'<div class="wf-static wf-{kind}-static"'
    start = page.find(opener)
    while start != -1:
        depth, pos = 0, start
        for match in re.compile(r"<(/?)div\b[^>]*>").finditer(page, start):
            depth += -1 if match.group(1) else 1
            if depth == 0:
                pos = match.end()
                break
        out.append(page[start:pos])
        start = page.find(opener, pos)
    return out
