"""What each scope is called, for the person granting it and the people shown it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SCOPE_NAMES = {
    "read_plans": _l("Se mina planer"),
    "read_messages": _l("Läsa mina meddelanden"),
    "write_messages": _l("Skriva meddelanden åt mig"),
    "answer_for": _l("Svara på vad som är viktigt och godkänna planer åt mig"),
    "appointments": _l("Hantera mina tider"),
}

# Who decided on a god man or förvaltare (DecisionAuthority's values).
AUTHORITY_NAMES = {
    "tingsratt": _l("Tingsrätten"),
    "overformyndare": _l("Överförmyndaren"),
}
