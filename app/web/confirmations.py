"""What a person is told after an action succeeded.

A view that redirects after a change adds a short code to the address (`?klart=lage`); the page it
lands on shows the sentence at the top of its content, announced to screen readers
(`role="status"`) and focused by static/js/page.js after an in-app swap. Only the codes below are
shown, so an address cannot make Samplan say anything else.
"""

from __future__ import annotations

from flask import request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

PARAMETER = "klart"

CONFIRMATIONS: dict[str, LazyString] = {
    "lage": _l("Tack! Det du skrev om hur det går är sparat. Ditt vårdteam ser det."),
    "mal-forslag": _l("Ditt förslag till mål är skickat. Vårdteamet svarar här i planen."),
    "mal-beslut": _l("Beslutet om målet är sparat. Patienten ser det i planen."),
    "svar": _l("Tack! Ditt svar på planen är sparat. Vårdteamet ser det."),
    "tid-ja": _l("Tack! Du har tackat ja till tiden."),
    "annan-tid": _l("Din önskan om en annan tid är skickad. Vården hör av sig."),
    "avbokad": _l("Tiden är avbokad. Vården har fått veta det."),
    "tid-erbjuden": _l("Tiden är erbjuden. Patienten har fått besked och ombetts svara."),
    "tid-andrad": _l("Ändringen är sparad. Patienten har fått besked."),
    "tid-avbokad-av-varden": _l("Tiden är avbokad. Patienten har fått besked."),
    "tid-hanterad": _l(
        "Klart. Svaret är borta från arbetslistan, och patienten ser att ni har det."
    ),
    "sip-kallad": _l("Mötet är kallat. Patienten och aktörerna har fått besked."),
    "sip-svar": _l("Tack! Ditt svar är skickat till den som kallade till mötet."),
    "sip-hallet": _l("Mötet är markerat som hållet. Varje aktör dokumenterar nu sin del."),
    "sip-dokumenterat": _l("Din del är markerad som dokumenterad."),
    "sip-installt": _l("Mötet är inställt. Patienten och aktörerna har fått besked."),
    "behorighet": _l("Ändringen är sparad. Den gäller från nu."),
    "behorighet-borttagen": _l("Behörigheten är borttagen. Personen kan inte längre se något."),
    "invandning": _l("Din invändning är skickad till din vårdkontakt."),
    "inbjudan-avbruten": _l("Inbjudan är avbruten. Koden går inte att använda längre."),
    "ombud": _l("Klart! Nu kan du hjälpa personen som bjöd in dig."),
    "foretradare-registrerad": _l(
        "Registreringen är sparad, och patienten har fått besked. Den gäller när en kollega "
        "har bekräftat den."
    ),
    "foretradare-bekraftad": _l(
        "Registreringen är bekräftad och gäller nu. Patienten har fått besked."
    ),
    "foretradare-avslutad": _l(
        "Registreringen är avslutad. Företrädaren kan inte längre se något, och patienten har "
        "fått besked."
    ),
    "vardnadshavare": _l("Beslutet om vårdnadshavarens tillgång är sparat."),
    "onskemal-skickat": _l("Ditt önskemål är skickat. Mottagningen svarar dig här."),
    "onskemal-tillbaka": _l("Du har tagit tillbaka ditt önskemål."),
    "onskemal-besvarat": _l("Svaret är skickat. Patienten får besked."),
    "utkast-borttaget": _l("Utkastet är borttaget. Patienten har inte sett det."),
    "andringar-borttagna": _l("Ändringarna är borttagna. Patienten ser planen som förut."),
    "overlamning-erbjuden": _l(
        "Överlämningen är skickad. Den gäller när mottagaren har bekräftat att hen tar över."
    ),
    "overlamning-bekraftad": _l("Du har tagit över. Rollen är din från nu."),
    "overlamning-tillbaka": _l("Överlämningen är tillbakatagen. Inget har bytt ägare."),
    "plan-avslutad": _l("Planen är avslutad. Patienten kan fortfarande läsa den."),
    "dodsfall": _l("Dödsfallet är registrerat."),
    "dagbok-andrad": _l("Sparat. Patienten ser det i sin dagbok."),
    "paminnelse": _l("Klart. Du får en påminnelse de dagar du ska skriva in."),
    "paminnelse-av": _l("Klart. Du får inga påminnelser."),
    "traff-hanterad": _l("Klart. Det är borta från arbetslistan."),
}


def confirmation() -> str | None:
    """The sentence for this request's code, or None."""
    text = CONFIRMATIONS.get(request.args.get(PARAMETER, ""))
    return str(text) if text is not None else None
