"""Jupyter display of a DrawableGraph: mimebundle keys, include/exclude, and that only wanted formats render."""

import pytest

from wfkit.drawing import RendererNotFoundError
from wfkit.drawing import render as render_module
from wfkit.drawing.display import mimebundle, wanted


def test_bundle_has_svg_and_text(small_graph):
    bundle = small_graph._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml", "text/plain"]
    assert bundle["image/svg+xml"] == small_graph.draw_svg()
    assert bundle["text/plain"] == small_graph.summary()


def test_include_and_exclude_skip_rendering(small_graph, monkeypatch):
    def must_not_render(dot, fmt="svg"):
        raise AssertionError("rendered although the SVG was not asked for")

    monkeypatch.setattr(render_module, "render", must_not_render)
    assert small_graph._repr_mimebundle_(include=["text/plain"]) == {"text/plain": small_graph.summary()}
    assert small_graph._repr_mimebundle_(exclude=["image/svg+xml"]) == {"text/plain": small_graph.summary()}
    assert small_graph._repr_mimebundle_(include=["text/html"]) == {}


def test_missing_program_is_an_error_not_a_silent_text_fallback(small_graph, monkeypatch, tmp_path):
    monkeypatch.delenv("WFKIT_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render_module.sysconfig, "get_path", lambda name: str(tmp_path))
    with pytest.raises(RendererNotFoundError):
        small_graph._repr_mimebundle_()
    assert small_graph._repr_mimebundle_(include=["text/plain"]) == {"text/plain": small_graph.summary()}


def test_wanted_and_mimebundle_helpers():
    assert wanted("a", None, None) and wanted("a", ["a"], None) and not wanted("a", ["b"], None)
    assert not wanted("a", None, ["a"]) and not wanted("a", ["a"], ["a"])
    assert mimebundle({"x/y": lambda: 1, "text/plain": lambda: "t"}, exclude={"x/y"}) == {"text/plain": "t"}
