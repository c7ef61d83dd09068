"""The vendored htmx is the pinned npm file, unchanged."""

from __future__ import annotations

import hashlib

from tests.conftest import ROOT

HTMX = ROOT / "static" / "js" / "htmx-2.0.11.min.js"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_vendored_htmx_matches_its_recorded_checksum() -> None:
    assert hashlib.sha256(HTMX.read_bytes()).hexdigest() == HTMX_SHA256
    assert HTMX_SHA256 in (ROOT / "static" / "js" / "VENDORED.md").read_text()


def test_templates_have_no_inline_script_or_style() -> None:
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "style=" not in text, template
        assert "<script>" not in text, template
        assert " on" + "click=" not in text, template
