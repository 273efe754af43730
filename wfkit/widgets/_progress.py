"""`ProgressBar`: how far a `batch` got, drawn from the `BatchProgress` events it is given.

Pass it as `app.batch(..., on_progress=ProgressBar())`. With ipywidgets it is a bar and a line of counts
(display it before the batch starts to watch it move); without ipywidgets it prints one line per run that
ends. The engine only emits the events; drawing them is this module's job.
"""

from __future__ import annotations

import threading
from typing import Any


class ProgressBar:
    """A progress bar for `batch` / `abatch`: a callable that takes their `BatchProgress` events."""

    def __init__(self, description: str = "runs"):
        self.description = description
        self.total = self.done = 0
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()  # events may come from several threads
        try:
            import ipywidgets
        except ImportError:
            self.bar = self.label = None
        else:
            self.bar = ipywidgets.IntProgress(value=0, min=0, max=1, description=description)
            self.label = ipywidgets.Label(value="")
            self.widget = ipywidgets.HBox([self.bar, self.label])

    def __call__(self, event: Any) -> None:
        with self._lock:
            self.total, self.done = event.total, event.done
            if event.index is not None:
                self.counts[event.status] = self.counts.get(event.status, 0) + 1
            line = self.summary()
            if self.bar is not None:
                self.bar.max, self.bar.value = max(self.total, 1), self.done
                self.bar.bar_style = "danger" if self.counts.get("error") else (
                    "success" if self.done == self.total else "")
                self.label.value = line
            elif event.index is not None:
                print(line, flush=True)

    def summary(self) -> str:
        """`"runs: 12 of 20 ended (10 interrupted, 2 done)"`."""
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        return f"{self.description}: {self.done} of {self.total} ended" + (f" ({parts})" if parts else "")

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        bundle = {"text/plain": self.summary()}
        if self.bar is not None:
            bundle.update(self.widget._repr_mimebundle_(**kwargs))
            bundle["text/plain"] = self.summary()
        return bundle
