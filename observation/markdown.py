"""Statement bodies are Markdown written by mission staff; render them safely.

Rendering always sanitises (nh3), whatever the form let through; the form also
refuses active content outright so the author sees that it will not be kept.
"""

import re

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}

_ACTIVE_CONTENT = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style)\b"  # executable or styling elements
    r"|<[^>]*\bon[a-z]+\s*="  # event-handler attributes such as onerror=
    r"|<[^>]*javascript\s*:"  # a javascript: URL inside a tag
    r"|\]\(\s*<?\s*javascript\s*:"  # a javascript: URL as a Markdown link target
    r"|^\s*\[[^\]]+\]:\s*<?\s*javascript\s*:",  # or as a reference-style link
    re.IGNORECASE | re.MULTILINE,
)


def has_active_content(text: str) -> bool:
    return bool(_ACTIVE_CONTENT.search(text or ""))


def render(text: str) -> SafeString:
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"])
    return mark_safe(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
        )
    )
