"""Safe Markdown for lessons: raw HTML is escaped (html=False) and markdown-it refuses
javascript:/vbscript:/file:/data: links, so a lesson can never inject script."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    return Markup(_md.render(text or ""))


def render_inline(text: str) -> Markup:
    """One line of Markdown (a hint): `code`, emphasis and links, without a wrapping <p>."""
    return Markup(_md.renderInline(text or ""))


def without_title(lesson_md: str, title: str) -> str:
    """The lesson minus a first `# Title` line that repeats the page's own heading."""
    head, _, rest = (lesson_md or "").lstrip().partition("\n")
    if head.startswith("# ") and head[2:].strip().casefold() == title.strip().casefold():
        return rest
    return lesson_md
