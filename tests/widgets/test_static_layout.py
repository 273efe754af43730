"""The static snapshots read like the live widgets inside other pages' styles (issue 32, item 2): JupyterLab's
and nbconvert's rendered HTML align table cells right, centre tables with a fixed layout and stripe rows, so
every table, row and cell of a snapshot carries its own layout inline (and align/valign for renderers that
drop inline styles). Checked on the HTML nbconvert writes with its lab and classic templates."""

from html.parser import HTMLParser

import nbformat
import pytest

from wfkit.widgets import Debugger, ReviewPanel
from wfkit.widgets._static import explicit_layout

CELL = "text-align:left;vertical-align:top;padding:1px 4px;border:none;white-space:normal;line-height:normal"
TABLE = "margin:0;width:auto;table-layout:auto;border:none;border-collapse:collapse;font-size:inherit"
ROW = "background-color:transparent;border:none"


def test_each_table_row_and_cell_says_its_layout_before_its_own_style():
    fragment = ('<table class="wf-value-table"><tr data-key="a"><th style="padding:2px 8px">a</th>'
                '<td>1</td></tr></table><table style="width:100%"><tr style="background-color:#fff4d6">'
                '<td style="text-align:right" title="x>y">2</td></tr></table><thead></thead>')
    assert explicit_layout(fragment) == (
        f'<table class="wf-value-table" style="{TABLE}"><tr data-key="a" style="{ROW}">'
        f'<th align="left" valign="top" style="{CELL};padding:2px 8px">a</th>'
        f'<td align="left" valign="top" style="{CELL}">1</td></tr></table>'
        f'<table style="{TABLE};width:100%"><tr style="{ROW};background-color:#fff4d6">'
        f'<td title="x>y" align="left" valign="top" style="{CELL};text-align:right">2</td></tr></table>'
        '<thead></thead>')


class _Cells(HTMLParser):
    """(tag, attributes) of every table, tr, td and th inside a wfkit snapshot (`div.wf-static`)."""

    def __init__(self):
        super().__init__()
        self.depth, self.found = 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and (self.depth or "wf-static" in (attrs.get("class") or "").split()):
            self.depth += 1
        if self.depth and tag in ("table", "tr", "td", "th"):
            self.found.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


@pytest.mark.parametrize("template", ["lab", "classic"])
def test_nbconvert_pages_carry_each_cells_layout(template, agent, question, review_app):
    from nbconvert import HTMLExporter

    debugger = Debugger(agent, question)
    debugger.step()
    debugger.step()
    run = review_app.start({"topic": "cats", "notes": []})
    run.run()
    nb = nbformat.v4.new_notebook()
    for widget in (debugger, ReviewPanel(run)):
        bundle = widget._repr_mimebundle_(include=["text/html", "text/plain"])
        nb.cells.append(nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", data=bundle)]))
    page, _ = HTMLExporter(template_name=template).from_notebook_node(nb)

    parser = _Cells()
    parser.feed(page)
    kinds = [tag for tag, _ in parser.found]
    assert {"table", "tr", "td", "th"} <= set(kinds), kinds  # the state table, the picture | timeline row
    for tag, attrs in parser.found:
        look = {"table": TABLE, "tr": ROW}.get(tag, CELL)
        assert attrs["style"].startswith(look), (tag, attrs)
        if tag in ("td", "th"):
            assert (attrs["align"], attrs["valign"]) == ("left", "top")
