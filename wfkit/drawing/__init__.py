"""Drawing wfkit graphs: a neutral graph model, its DOT and mermaid text, and local rendering to SVG/PNG.

The engine builds a `DrawableGraph` in `get_graph()`; this package never imports the engine, and the
engine imports nothing from here but the three model classes. Rendering runs a local Graphviz program
(`graphviz-pure` from `pip install "wfkit[draw]"`, or a system `dot`), never a web service.
"""

from wfkit.drawing.graph import END_ID, START_ID, DrawableGraph, DrawEdge, DrawNode
from wfkit.drawing.render import RendererNotFoundError, RenderError, find_program

__all__ = ["DrawNode", "DrawEdge", "DrawableGraph", "START_ID", "END_ID", "find_program",
           "RendererNotFoundError", "RenderError"]
