"""What a request, its status and its answer are called on the pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.care_requests.models import RequestKind, RequestOutcome, RequestStatus

KIND_NAMES = {
    RequestKind.CARE_PLAN: _l("En plan för min vård"),
    RequestKind.SIP: _l("En SIP, en samordnad plan"),
    RequestKind.NEW_CONTACT: _l("En annan fast vårdkontakt"),
}
# The same, as care reads it on the work list and the request's page.
STAFF_KIND_NAMES = {
    RequestKind.CARE_PLAN: _l("Vill ha en vårdplan"),
    RequestKind.SIP: _l("Vill ha en SIP"),
    RequestKind.NEW_CONTACT: _l("Vill ha en annan fast vårdkontakt"),
}
KIND_HINTS = {
    # Seed 001, Målgrupp: "Personer som har ett eget önskemål om patientkontrakt".
    RequestKind.CARE_PLAN: _l("En plan som vi gör tillsammans: dina mål, vem som gör vad."),
    # Seed 003, Samordnad individuell plan: "när en person själv önskar".
    RequestKind.SIP: _l("När du får hjälp av både regionen och kommunen."),
    # Seed 001, Beskrivning av målområden: "Patienten ska erbjudas en kontaktperson".
    RequestKind.NEW_CONTACT: _l("En person i vården som du kan vända dig till."),
}
STATUS_NAMES = {
    RequestStatus.OPEN: _l("Väntar på svar"),
    RequestStatus.ANSWERED: _l("Besvarat"),
    RequestStatus.WITHDRAWN: _l("Tillbakataget"),
}
OUTCOME_NAMES = {
    RequestOutcome.YES: _l("Ja"),
    RequestOutcome.NO: _l("Nej"),
    RequestOutcome.ELSEWHERE: _l("Någon annan ska ta hand om det"),
}
