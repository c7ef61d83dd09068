"""The SIP meeting's deadlines, from seed 003 (Norrbotten's guidelines), in one place.

- "Kallelse – När": the call is sent "snarast, dock senast inom tre arbetsdagar från det att
  behovet blivit känt" (Swedish working days, app/messages/workdays.py).
- The same section: "Själva mötet bör äga rum inom 3-21 dagar" (calendar days from the need).
- "Samordnad individuell plan – När": the plan "ska vara dokumenterad av deltagande aktörer inom
  tre dagar efter det att mötet ägt rum" (calendar days).

The seed is one region's guideline; a region that decides otherwise sets its own numbers with
SAMPLAN_SIP_CALL_WORKING_DAYS, SAMPLAN_SIP_MEETING_WITHIN_DAYS and SAMPLAN_SIP_DOCUMENTED_DAYS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.messages.workdays import add_working_days

CALL_WORKING_DAYS = 3
MEETING_WITHIN_DAYS = 21
DOCUMENTED_DAYS = 3


@dataclass(frozen=True)
class Rules:
    call_working_days: int = CALL_WORKING_DAYS
    meeting_within_days: int = MEETING_WITHIN_DAYS
    documented_days: int = DOCUMENTED_DAYS

    def call_due(self, need_known_on: date) -> date:
        """The last day to send the call."""
        return add_working_days(need_known_on, self.call_working_days)

    def meet_by(self, need_known_on: date) -> date:
        """The last day the meeting should be held."""
        return need_known_on + timedelta(days=self.meeting_within_days)

    def documented_by(self, held_on: date) -> date:
        """The last day each actor documents their part after the meeting."""
        return held_on + timedelta(days=self.documented_days)


def rules(config: dict[str, object]) -> Rules:
    """The deployment's rules (the seed's unless it set its own)."""
    return Rules(
        call_working_days=int(str(config.get("SIP_CALL_WORKING_DAYS", CALL_WORKING_DAYS))),
        meeting_within_days=int(str(config.get("SIP_MEETING_WITHIN_DAYS", MEETING_WITHIN_DAYS))),
        documented_days=int(str(config.get("SIP_DOCUMENTED_DAYS", DOCUMENTED_DAYS))),
    )
