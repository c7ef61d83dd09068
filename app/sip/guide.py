"""Before, during and after a SIP meeting, for the patient: seed 003's "Det goda mötet" (Bilaga
1) turned round, from what it asks of the one who leads the meeting to what the patient can
expect and do. Short sentences, for the simple view too."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

GUIDE = (
    (
        _l("Före mötet"),
        (
            _l("Tänk på vad som är viktigt för dig och vad du vill ha hjälp med."),
            _l("Skriv gärna ner dina frågor. Du kan skriva dem här, så ser vården dem innan."),
            _l("Säg om du vill ha med någon närstående. Du bestämmer vem."),
            _l("Säg om du behöver tolk, eller om tiden eller platsen inte passar."),
        ),
    ),
    (
        _l("På mötet"),
        (
            _l("Alla säger vem de är och vad de gör för dig."),
            _l("Den som har kallat berättar varför ni möts och hur mötet går till."),
            _l("Du berättar först, med egna ord, om hur du har det och vad du vill."),
            _l("Ni bestämmer tillsammans dina mål, vem som gör vad och när ni följer upp."),
            _l("Innan mötet slutar frågar vi om du är nöjd och känner dig trygg med planen."),
        ),
    ),
    (
        _l("Efter mötet"),
        (
            _l("Var och en skriver in sin del i planen inom %(days)d dagar."),
            _l("Du får planen i Samplan och svarar om den stämmer."),
            _l("Du vet vem som samordnar och vem du kan fråga."),
        ),
    ),
)


def guide(documented_days: int) -> list[tuple[str, list[str]]]:
    """The guide in the page's language, with the region's days for documenting."""
    return [
        (
            str(heading),
            [
                str(item) % {"days": documented_days} if "%(days)d" in str(item) else str(item)
                for item in items
            ],
        )
        for heading, items in GUIDE
    ]
