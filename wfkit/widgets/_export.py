"""`export_html(run, path)`: one standalone HTML file that replays a run step by step, for sharing a review
or a lesson.

The file holds, for each entry of the run's branch (the input, each superstep, each edit): the marked
picture as inline SVG, the timeline row, why each task ran, and the state with what changed. A little
inline script steps through them (buttons, a clickable timeline, the arrow keys). Nothing is loaded from
anywhere: no kernel, no network, no CDN. Every fragment of run data passes `safe_html` (and so the secret
redaction) before it is embedded, and the whole file is redacted once more on the way out.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

from wfkit._secrets import redact
from wfkit.drawing.render import render_svg
from wfkit.stepping import ArgumentTypeError
from wfkit.widgets._format import esc, state_table_html
from wfkit.widgets._picture import marked_dot
from wfkit.widgets._replay import branch_timeline, entry_marks, entry_text
from wfkit.widgets._sanitize import safe_html
from wfkit.widgets._why import as_html, why_task
from wfkit.widgets.styles import legend_html

_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')  # an SVG inside HTML needs no namespace URL

_SCRIPT = """
(function () {
  var steps = JSON.parse(document.getElementById("wf-steps").textContent);
  var at = steps.length - 1;
  var rows = document.querySelectorAll("#wf-timeline li");
  function show(n) {
    at = Math.max(0, Math.min(steps.length - 1, n));
    var s = steps[at];
    document.getElementById("wf-picture").innerHTML = s.picture;
    document.getElementById("wf-why").innerHTML = s.why;
    document.getElementById("wf-state").innerHTML = s.state;
    document.getElementById("wf-position").textContent = s.title + " (" + (at + 1) + " of " + steps.length + ")";
    for (var i = 0; i < rows.length; i++) { rows[i].className = i === at ? "wf-selected" : ""; }
    document.getElementById("wf-first").disabled = document.getElementById("wf-prev").disabled = at === 0;
    document.getElementById("wf-last").disabled = document.getElementById("wf-next").disabled = at === steps.length - 1;
  }
  document.getElementById("wf-first").onclick = function () { show(0); };
  document.getElementById("wf-prev").onclick = function () { show(at - 1); };
  document.getElementById("wf-next").onclick = function () { show(at + 1); };
  document.getElementById("wf-last").onclick = function () { show(steps.length - 1); };
  for (var i = 0; i < rows.length; i++) {
    rows[i].onclick = (function (n) { return function () { show(n); }; })(i);
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") { show(at - 1); } else if (e.key === "ArrowRight") { show(at + 1); }
  });
  show(at);
})();
"""

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; font-size: 13px; color: #1f1b3a; margin: 16px; }
.wf-bar button { margin-right: 4px; }
#wf-position { margin-left: 8px; font-weight: bold; }
.wf-main { display: flex; gap: 16px; align-items: flex-start; margin-top: 8px; }
#wf-picture { border: 1px solid #e0e0e0; border-radius: 4px; overflow: auto; max-width: 60%; }
#wf-timeline { list-style: none; padding-left: 0; margin: 0; }
#wf-timeline li { cursor: pointer; padding: 1px 4px; }
#wf-timeline li.wf-selected { font-weight: bold; background-color: #fff4d6; }
table, th, td { text-align: left; vertical-align: top; }
"""


def export_steps(run: Any, graph: Any = None) -> list[dict[str, str]]:
    """For each entry of the run's branch: its `title`, `picture` (SVG), `why` and `state` (HTML), all
    sanitised. `graph`: the picture to mark (default: the run's graph)."""
    graph = graph if graph is not None else run.app.get_graph()
    timeline = branch_timeline(run)
    out = []
    for index, entry in enumerate(timeline.entries):
        svg = render_svg(marked_dot(graph, entry_marks(timeline, index, graph)))
        picture = _XMLNS.sub("", svg[svg.index("<svg"):])
        tasks = entry.record.tasks if entry.record is not None else ()
        why = "".join(f"<li>{as_html(why_task(task))}</li>" for task in tasks)
        before = timeline.before(index)
        state = state_table_html(timeline.ordered(entry.values), before, entry.updated if before is not None else ())
        out.append({"title": f"step {entry.step} · {entry_text(entry)}", "picture": safe_html(picture),
                    "why": safe_html(f"<ul>{why}</ul>" if why else "<i>no node ran: this is the run's input or "
                                     "an edit of the state</i>"),
                    "state": safe_html(state)})
    return out


def export_html(run: Any, path: str | pathlib.Path, *, title: str | None = None) -> pathlib.Path:
    """Write the run (a stepping `Run`, or a `Debugger`: its run) as one standalone HTML file at `path`
    that replays it step by step; returns the path."""
    given = run
    if not hasattr(run, "lineage"):
        run = getattr(run, "run", None)  # a Debugger: its run
    if not hasattr(run, "lineage"):
        raise ArgumentTypeError(f"export_html(run, path): `run` must be a Run (app.start(...)) or a Debugger, got "
                                f"{type(given).__name__}")
    steps = export_steps(run)
    title = title or f"Run of `{run.app.get_graph().name}` · thread {run.thread_id}"
    rows = "".join(f"<li>{esc(step['title'])}</li>" for step in steps)
    # `<`, `>` and `&` as JSON escapes: the data cannot close its <script> element, whatever it holds
    data = json.dumps(steps, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{esc(title)}</title><style>{_STYLE}</style></head>
<body>
<h2>{esc(title)}</h2>
<div class="wf-bar"><button id="wf-first">« First</button><button id="wf-prev">◀ Back</button><button id="wf-next">Step ▶</button><button id="wf-last">Last »</button><span id="wf-position"></span></div>
<div class="wf-main"><div id="wf-picture"></div>
<div><b>Timeline</b><ol id="wf-timeline">{rows}</ol><b>Why these tasks ran</b><div id="wf-why"></div></div></div>
{safe_html(legend_html())}
<h3>State</h3><div id="wf-state"></div>
<script type="application/json" id="wf-steps">{data}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
    path = pathlib.Path(path)
    path.write_text(redact(document), encoding="utf-8")
    return path
