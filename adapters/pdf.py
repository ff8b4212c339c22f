"""One-page PDFs in Chinese with reportlab: the CJK font, a page with a frame, label–value rows, a QR code.

The font is a TrueType CJK font from a Debian package, embedded as a subset of the glyphs a page uses:
fonts-wqy-zenhei (`/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc`, `make fonts` installs it), or the file
`REGISTRY_PDF_FONT` names (a .ttf, or a .ttc with `REGISTRY_PDF_FONT_INDEX`). Debian's fonts-noto-cjk ships CFF
(PostScript) outlines, which reportlab cannot embed, so it will not do. Nothing is fetched at run time.

What a document says about itself for machines (its kind and number, read back by `POST /verify/document`) goes
into the document information's `/Keywords` as `carbon-registry:<kind>:<number>`: the signature covers it.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import segno
from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

DEFAULT_FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "RegistryCJK"
KEYWORD_PREFIX = "carbon-registry"
PAGE = landscape(A4)
INK = HexColor("#1f3b2d")
ACCENT = HexColor("#2e7d4f")
MUTED = HexColor("#5f6b66")
QR_MASK = 0


class FontMissing(RuntimeError):
    """The CJK font file is not there (install fonts-wqy-zenhei or set REGISTRY_PDF_FONT)."""


@functools.cache
def font(path: str | None = None, index: int | None = None) -> str:
    """Register the CJK font once per process (parsing the .ttc takes ~100 ms); the name to draw with."""
    file = path or os.environ.get("REGISTRY_PDF_FONT") or DEFAULT_FONT_FILE
    subfont = int(os.environ.get("REGISTRY_PDF_FONT_INDEX", "0")) if index is None else index
    if not os.path.exists(file):
        raise FontMissing(
            f"The CJK font {file} is missing: install Debian's fonts-wqy-zenhei (make fonts) "
            "or point REGISTRY_PDF_FONT at a TrueType CJK font."
        )
    pdfmetrics.registerFont(TTFont(FONT_NAME, file, subfontIndex=subfont))
    return FONT_NAME


def keywords(kind: str, number: str) -> str:
    """The document's machine-readable identity, as written into /Keywords."""
    return f"{KEYWORD_PREFIX}:{kind}:{number}"


def read_keywords(text: str | None) -> tuple[str, str] | None:
    """(kind, number) from a /Keywords value written by `keywords`; None for anything else."""
    prefix, _, rest = (text or "").partition(":")
    kind, _, number = rest.partition(":")
    if prefix != KEYWORD_PREFIX or not kind or not number:
        return None
    return kind, number


@dataclass(frozen=True)
class Row:
    """One line of a certificate: a label and its value."""

    label: str
    value: str


class Page:
    """A landscape A4 page with a double frame, a title, rows of facts and a QR code in the corner."""

    def __init__(self, *, title: str, subject: str, kind: str, number: str, author: str) -> None:
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=PAGE, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setSubject(subject)
        self.canvas.setAuthor(author)
        self.canvas.setCreator(author)
        self.canvas.setKeywords(keywords(kind, number))
        self.font = font()
        self.width, self.height = PAGE

    def frame(self) -> None:
        """The double border of a certificate."""
        c = self.canvas
        c.setStrokeColor(ACCENT)
        c.setLineWidth(3)
        c.rect(24, 24, self.width - 48, self.height - 48)
        c.setLineWidth(0.8)
        c.rect(32, 32, self.width - 64, self.height - 64)

    def text(
        self, x: float, y: float, text: str, size: float, color: Color = INK, centred: bool = False
    ) -> None:
        """Draw one line of text."""
        c = self.canvas
        c.setFillColor(color)
        c.setFont(self.font, size)
        if centred:
            c.drawCentredString(x, y, text)
        else:
            c.drawString(x, y, text)

    def rows(self, rows: Sequence[Row], x: float, y: float, size: float = 14, leading: float = 27) -> float:
        """Label–value rows from (x, y) downwards; the y below the last row."""
        label_width = max(pdfmetrics.stringWidth(row.label, self.font, size) for row in rows) + 18
        for row in rows:
            self.text(x, y, row.label, size, MUTED)
            self.text(x + label_width, y, row.value, size, INK)
            y -= leading
        return y

    def qr(self, target: str, x: float, y: float, size: float, caption: str) -> None:
        """A QR code of `target` with its lower left corner at (x, y), `size` points wide, a caption below."""
        # A fixed mask: choosing the best of eight costs segno ~20 ms a code, and readers read every mask.
        matrix = segno.make(target, error="m", mask=QR_MASK).matrix
        border = 2
        step = size / (len(matrix) + 2 * border)
        path = self.canvas.beginPath()
        for r, line in enumerate(matrix):
            top = y + size - (r + border + 1) * step
            col = 0
            while col < len(line):  # one rectangle per run of dark modules, not one per module
                if not line[col]:
                    col += 1
                    continue
                start = col
                while col < len(line) and line[col]:
                    col += 1
                path.rect(x + (start + border) * step, top, (col - start) * step, step)
        self.canvas.setFillColor(black)
        self.canvas.drawPath(path, stroke=0, fill=1)
        self.text(x + size / 2, y - 14, caption, 9, MUTED, centred=True)

    def finish(self) -> bytes:
        """The page as PDF bytes."""
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def generated_at() -> str:
    """Now, as the footer of a document states it (UTC)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
