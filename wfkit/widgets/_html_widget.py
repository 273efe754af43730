"""`SafeHTML`: the `ipywidgets.HTML` every wfkit widget uses. ipywidgets puts an HTML widget's value into
the page with `innerHTML` as it is; this one cleans the value with `safe_html` whenever it is set, so no
code path can hand the browser unsanitised run data."""

from __future__ import annotations

import ipywidgets
import traitlets

from wfkit.widgets._sanitize import safe_html


class SafeHTML(ipywidgets.HTML):
    """An HTML widget whose `value` is always sanitised (see `wfkit.widgets._sanitize`)."""

    def __init__(self, value: str = "", **kwargs):
        super().__init__(value=value, **kwargs)

    @traitlets.validate("value")
    def _sanitised(self, proposal):
        return safe_html(proposal["value"])
