"""The one gate between text and the browser: every piece of HTML the widgets show passes `safe_html`.

Run data is untrusted (a model, a tool result, an interrupt payload or a checkpoint row can hold any text).
`_format` escapes it as it builds HTML, and on top of that every HTML string a widget sends to the front end
is cleaned here with nh3 (the Rust `ammonia` sanitiser, made for untrusted input): an allow-list of tags and
attributes, links only to http, https and mailto, no event handlers, no `<script>`, `<style>`, `<iframe>` or
`<object>`, and inline styles cut down to a list of layout and colour properties. Markdown is rendered by
markdown-it-py with raw HTML off (tags stay text) and its own link validation, then cleaned the same way.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from wfkit._secrets import REDACTED, secrets

try:
    import nh3
    from markdown_it import MarkdownIt
except ImportError as exc:  # both are part of the widgets extra
    raise ImportError('wfkit.widgets needs nh3 and markdown-it-py: pip install "wfkit[widgets]"') from exc

URL_SCHEMES = frozenset({"http", "https", "mailto"})

_HTML_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
# What wfkit's own pictures use (Graphviz output and the text cards); no <a>, <use>, <image> or
# <foreignObject> inside SVG, so an SVG can neither link nor pull in anything.
_SVG_TAGS = frozenset({"svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse", "circle", "rect",
                       "line", "text", "tspan"})
_SVG_ATTRIBUTES = frozenset({
    "viewBox", "width", "height", "transform", "fill", "fill-opacity", "stroke", "stroke-width",
    "stroke-dasharray", "stroke-opacity", "points", "d", "cx", "cy", "rx", "ry", "r", "x", "y", "x1", "y1",
    "x2", "y2", "dx", "dy", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "xmlns", "opacity",
})
_ATTRIBUTES = {
    "*": {"class", "title", "style", "id", "data-key", "data-node", "data-step", "data-checkpoint"},
    "a": {"href"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign"},
    "details": {"open"},
    **{tag: set(_SVG_ATTRIBUTES) for tag in _SVG_TAGS},
}
# Inline styles: layout, colour and type only. No `background` shorthand or `background-image` (they take
# url(...)), no `position`/`z-index` (an overlay could cover the page), no `behavior`/`-moz-binding`.
STYLE_PROPERTIES = frozenset({
    "color", "background-color", "border", "border-bottom", "border-top", "border-left", "border-right",
    "border-radius", "border-collapse", "padding", "padding-left", "padding-right", "padding-top",
    "padding-bottom", "margin", "margin-left", "margin-right", "margin-top", "margin-bottom", "display",
    "flex-wrap", "gap", "align-items", "width", "height", "min-width", "max-width", "max-height", "overflow",
    "white-space", "vertical-align", "text-align", "text-decoration", "font-family", "font-size",
    "font-weight", "font-style", "line-height", "opacity", "cursor", "list-style", "table-layout",
})


_STYLE_VALUE = re.compile(r"^[#\w\s.,%+-]*$")  # colours, lengths, keywords, font lists: no ( \\ / : or quotes


def _safe_style(style: str) -> str:
    kept = []
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if colon and name in STYLE_PROPERTIES and _STYLE_VALUE.match(value):
            kept.append(f"{name}:{value}")
    return ";".join(kept)


def _attribute(tag: str, name: str, value: str) -> str | None:
    # nh3 keeps a style's allowed properties but not their values: url(...), expression(...) and escapes
    # could still load or run something, so a value must be plain words, numbers, colours and lengths.
    if name == "style":
        return _safe_style(value) or None
    return value


def safe_html(markup: str) -> str:
    """`markup` with everything that could run script, load a resource or leave the page removed, and every
    secret in play (`wfkit._secrets`) redacted."""
    if not markup:
        return ""
    markup = str(markup)
    for secret in secrets():  # the last gate for keys: as typed, and as escaped into HTML
        for form in (secret, html.escape(secret, quote=True)):
            markup = markup.replace(form, REDACTED)
    return _clean(markup)


@lru_cache(maxsize=512)  # the same picture or table is cleaned once per distinct string
def _clean(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=set(_HTML_TAGS | _SVG_TAGS),
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        filter_style_properties=set(STYLE_PROPERTIES),
        attribute_filter=_attribute,
    )


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def markdown_html(text: str) -> str:
    """`text` rendered as markdown (CommonMark plus tables) with raw HTML shown as text, then cleaned:
    a link whose target is not http, https or mailto keeps its text and loses its target."""
    return safe_html(_MARKDOWN.render(str(text))).strip()
