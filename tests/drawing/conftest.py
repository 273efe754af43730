"""Shared fixtures for the drawing tests: one small graph with every kind of node and edge."""

import pytest

from wfkit.drawing import DrawableGraph, DrawEdge, DrawNode


@pytest.fixture
def small_graph() -> DrawableGraph:
    """__start__ -> plan; plan -.-> write (labelled) or -.-> __end__; write -> __end__."""
    return DrawableGraph(
        nodes=[DrawNode("__start__", kind="start"), DrawNode("plan"), DrawNode("write", label="Write it"),
               DrawNode("__end__", kind="end")],
        edges=[DrawEdge("__start__", "plan"), DrawEdge("plan", "write", label="draft", conditional=True),
               DrawEdge("plan", "__end__", conditional=True), DrawEdge("write", "__end__")],
        name="essay",
    )
