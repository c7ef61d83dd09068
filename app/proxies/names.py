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

# The same, as care reads them about a patient (not in the patient's own voice).
SCOPE_NAMES_FOR_CARE = {
    "read_plans": _l("Se patientens planer"),
    "read_messages": _l("Läsa patientens meddelanden"),
    "write_messages": _l("Skriva meddelanden åt patienten"),
    "answer_for": _l("Svara på vad som är viktigt och godkänna planer åt patienten"),
    "appointments": _l("Hantera patientens tider"),
}

# Who decided on a god man or förvaltare (DecisionAuthority's values).
AUTHORITY_NAMES = {
    "tingsratt": _l("Tingsrätten"),
    "overformyndare": _l("Överförmyndaren"),
}
