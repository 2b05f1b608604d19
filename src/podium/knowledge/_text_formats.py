"""Text out of HTML and PDF files (and the byte decoding every text format shares)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from ._documents import ParseError, one_line

__all__ = ["decode_text", "html_to_text", "pdf_text"]


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional) or UTF-16 with a BOM, newlines normalised; ParseError otherwise."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        raise ParseError(
            f"not valid {encoding.removesuffix('-sig').upper()} text (byte {e.start})"
        ) from e
    return text.replace("\r\n", "\n").replace("\r", "\n")


_SKIPPED_TAGS = frozenset({"script", "style", "head", "template", "noscript", "svg"})
_PARAGRAPH_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "details", "dl", "fieldset", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav",
        "ol", "p", "pre", "section", "summary", "table", "ul",
    }
)  # fmt: skip
_LINE_TAGS = frozenset(
    {"br", "caption", "dd", "div", "dt", "figcaption", "li", "option", "tr", "title"}
)
_CELL_TAGS = frozenset({"td", "th"})
# Block boundaries are marked with a private-use character (removed from the page text first)
# and resolved to newlines after all text is collected.
_MARK = "\ue000"
_PARA = _MARK + "P"
_LINE = _MARK + "L"
_MARKER_RUN = re.compile("[ \t]*(?:" + _MARK + "[PL][ \t]*)+")
_VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "area", "col"})


class _VisibleText(HTMLParser):
    """Collects visible text, turning block elements into line and paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            # Sloppy pages omit </head>; the body is visible whatever came before.
            self.skip_depth = 0
        if tag in _SKIPPED_TAGS:
            self.skip_depth += 1
            return
        if tag == "pre":
            self.pre_depth += 1
        self._block(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED_TAGS:
            self._block(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if tag not in _VOID_TAGS:
            self._block(tag, end=True)

    def _block(self, tag: str, *, end: bool = False) -> None:
        if self.skip_depth:
            return
        if tag in _PARAGRAPH_TAGS:
            self.parts.append(_PARA)
        elif tag in _LINE_TAGS:
            self.parts.append(_LINE)
        elif tag in _CELL_TAGS and end:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        data = data.replace(_MARK, "")
        if self.pre_depth:
            self.parts.append(data)
        else:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        # Markers become newlines only now, so whitespace around them collapses cleanly.
        raw = _MARKER_RUN.sub(_marker_run, "".join(self.parts))
        lines = [line.rstrip() for line in raw.split("\n")]
        text = "\n".join(lines)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip("\n").strip()


def _marker_run(match: re.Match[str]) -> str:
    return "\n\n" if _PARA in match.group(0) else "\n"


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, block elements as line breaks, entities decoded."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.text()


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF; ParseError when encrypted, corrupt or image-only."""
    from pypdf import PdfReader  # lazy: pypdf is only needed for PDFs

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = reader.decrypt("")
            except Exception as e:  # pypdf raises assorted errors for unsupported crypto
                raise ParseError(f"encrypted PDF: {one_line(str(e)) or type(e).__name__}") from e
            if not unlocked:
                raise ParseError("encrypted PDF: a password is required")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except ParseError:
        raise
    except Exception as e:  # corrupt input surfaces as many exception types inside pypdf
        raise ParseError(f"corrupt PDF: {one_line(str(e)) or type(e).__name__}") from e
    text = "\n\n".join(page for page in pages if page)
    if not text:
        raise ParseError("PDF has no extractable text (scanned images?)")
    return text.replace("\r\n", "\n").replace("\r", "\n")
