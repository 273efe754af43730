"""`SavedView`: the mixin that lets a saved notebook keep a widget's last view (see `saved_views.py`).

Once a widget is displayed as a cell's output, its `_wf_saved_view` trait holds its static snapshot and is
kept current as the widget changes; JupyterLab saves it with the widget state and the server's pre-save hook
moves it into the output's `text/html`. Widgets that are only parts of another one (the Debugger's graph)
are never displayed themselves, so they never compute or send a snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from wfkit.widgets.saved_views import SAVED_VIEW


class SavedView(traitlets.HasTraits):
    """Mixin of the wfkit widgets that keeps `_wf_saved_view` equal to the widget's snapshot."""

    _wf_saved_view = traitlets.Unicode("", help="the static snapshot a saved notebook shows").tag(sync=True)

    def _keep_saved_view(self, snapshot: Callable[[Any], str], *sources: Any) -> None:
        """From now on, whenever the `value` of one of `sources` (views the widget redraws last) changes,
        store `snapshot(self)` in `_wf_saved_view`; store it now as well."""
        if not getattr(self, "_saved_view_kept", False):
            self._saved_view_kept = True
            for source in sources:
                source.observe(lambda _change: self._save_view(snapshot), "value")
        self._save_view(snapshot)

    def _save_view(self, snapshot: Callable[[Any], str]) -> None:
        setattr(self, SAVED_VIEW, snapshot(self))
