"""Markdown to HTML for articles and pages: safe by construction.

markdown-it-py's CommonMark preset with raw HTML off: a ``<script>`` typed in a body comes out as
text, and its link validator refuses ``javascript:``/``vbscript:``/``data:`` (except images) URLs.
Images use the Markdown syntax (``![alt](/media/blog/x.jpg)``) and load lazily.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

_md = (
    MarkdownIt("commonmark", {"html": False, "xhtmlOut": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)


def _lazy_image(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("loading", "lazy")
    return str(self.image(tokens, idx, options, env))


_md.add_render_rule("image", _lazy_image)


def render_markdown(text: str) -> str:
    """HTML for a Markdown text (raw HTML escaped, unsafe links dropped)."""
    return str(_md.render(text or ""))
