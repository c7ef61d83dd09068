"""What matters to each patient: the first version of their own answers."""

from __future__ import annotations

from app.demo.seed.world import _World
from app.whatmatters.models import WhatMatters

# Version 1 of each patient's own answers: (patient, written by, plan dated alike, answers).
_WHAT_MATTERS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("patient-maja", "patient-maja", "maja-sip", {
        "what_matters": "Att få bo kvar hemma och vara på stugan i Kallax på sommaren. "
        "Där har jag varit varje sommar i femtio år.",
        "expectations": "Att jag vet vem jag ska ringa och att ni kommer när ni har sagt.",
        "relatives": "Anna får gärna vara med på möten och läsa mina planer.",
        "treatment_wishes": "Så få tabletter som möjligt. Jag vill inte ligga på sjukhus.",
        "visit_wishes": "Förmiddagar. På eftermiddagen vilar jag.",
        "resources_physical": "Jag går med rollator och klarar mig själv i köket.",
        "resources_psychological": "Jag är envis och tar en dag i taget.",
        "resources_existential": "Kyrkokören på torsdagar betyder mycket för mig.",
        "resources_social": "Anna och barnbarnen, och grannen Gun som tittar in.",
    }),
    ("patient-per", "patient-per", "per", {
        "what_matters": "Promenaderna med hunden Sixten och att kunna jobba lite i "
        "snickarboden.",
        "expectations": "Raka besked, även när det är tråkigt.",
        "relatives": "Min fru Eva ska få veta allt. Hon följer gärna med på besöken.",
        "visit_wishes": "Tidiga morgnar passar bäst.",
        "resources_physical": "Jag har alltid rört på mig mycket.",
        "resources_psychological": "Jag är lugn av mig och vill veta hur saker ligger till.",
        "resources_social": "Eva, barnen och grabbarna i skoterklubben.",
    }),
    ("patient-elias", "guardian-sara", "elias", {
        "what_matters": "Fotbollen med laget och att få sova över hos kompisar.",
        "expectations": "Elias vill att ni pratar med honom, inte bara med mamma.",
        "relatives": "Mamma är med på alla besök. Mormor hämtar ibland efter skolan.",
        "visit_wishes": "Efter skolan, helst inte på träningsdagar (tisdag och torsdag).",
        "resources_physical": "Spelar fotboll tre gånger i veckan.",
        "resources_social": "Kompisarna i laget och tränaren Micke vet om diabetesen.",
    }),
    ("patient-ali", "patient-ali", "ali", {
        "what_matters": "Att klara mig själv och komma tillbaka till jobbet.",
        "expectations": "Att ni förklarar med enkla ord, och tolk på mötena.",
        "relatives": "Min fru får vara med på mötena.",
        "visit_wishes": "Tolk på arabiska vid alla besök.",
        "resources_physical": "Jag tränar varje dag. Det går lite bättre hela tiden.",
        "resources_existential": "Min tro ger mig styrka.",
        "resources_social": "Min fru, mina barn och mina arbetskamrater.",
    }),
)  # fmt: skip


def _what_matters(w: _World) -> None:
    for patient, writer, plan_key, answers in _WHAT_MATTERS:
        w.add(
            WhatMatters(
                patient_id=w.persons[patient].id,
                version=1,
                written_by_id=w.persons[writer].id,
                created_at=w.plans[plan_key].created_at,
                **answers,
            )
        )
