"""The access log's page number and filter (read from the query string)."""

from __future__ import annotations

from app.web.converters import number
from app.web.forms import Form, TextField


class PageForm(Form):
    sida = TextField(default="1")
    vem = TextField(default="alla")

    def who(self) -> str | None:
        """The filter asked for; None for one that does not exist (a 404)."""
        from app.audit.queries import FILTERS

        chosen = self.vem.data or "alla"
        return chosen if chosen in FILTERS else None

    def page(self) -> int | None:
        """The page asked for, 1 or more; None for anything else (a 404)."""
        page = number(self.sida.data or "1")
        return page if page is not None and page >= 1 else None
