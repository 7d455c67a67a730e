"""How wide a line of rich text is, and its plain wording (for tooltips)."""
from __future__ import annotations

import re

from PySide6.QtGui import QFont, QTextDocument


def html_width(html: str, font: QFont) -> float:
    """Return the inked width of `html` (its widest line) set in `font`."""
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    return doc.idealWidth()


def plain(html: str) -> str:
    """Return the words of `html`: tags dropped, line breaks and &nbsp; as spaces."""
    return re.sub(r"<br\s*/?>", " ", re.sub(r"<(?!br)[^>]+>", "", html)).replace("&nbsp;", " ")
