"""HTML to PDF with WeasyPrint, using the print stylesheet (system fonts with åäö)."""

from __future__ import annotations

from app.config import ROOT

PRINT_CSS = ROOT / "static" / "css" / "print.css"


def to_pdf(html: str) -> bytes:
    """Render the document; WeasyPrint is imported here so the app starts without Pango."""
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=str(ROOT)).write_pdf(stylesheets=[CSS(filename=PRINT_CSS)])
