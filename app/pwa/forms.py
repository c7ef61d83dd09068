"""This phone's choices."""

from __future__ import annotations

from app.web.forms import Form, TextField


class OfflineForm(Form):
    """Offline reading on ("1") or off ("0") for this device."""

    on = TextField(filters=[lambda text: (text or "")[:10]])

    def choice(self) -> bool | None:
        return {"1": True, "0": False}.get(self.on.data or "")
