"""The seven questions' form, and the follow-up figures' choice of month and unit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField

from app.followup.models import Reply
from app.messages.forms import KeyField
from app.web.forms import EnumField, Form

CHOOSE = _l("Välj ett av svaren.")


class SevenQuestionsForm(Form):
    live_and_trust = EnumField(choices=Reply, message=CHOOSE)
    agreement = EnumField(choices=Reply, message=CHOOSE)
    easy_contact = EnumField(choices=Reply, message=CHOOSE)
    care_contact = EnumField(choices=Reply, message=CHOOSE)
    next_step = EnumField(choices=Reply, message=CHOOSE)
    next_time = EnumField(choices=Reply, message=CHOOSE)
    overview = EnumField(choices=Reply, message=CHOOSE)
    share = BooleanField(false_values=("", "0", "false"))
    key = KeyField()


class ShareForm(Form):
    """Let the care team see one's latest answers (share=1), or no longer (share=0)."""

    share = BooleanField(false_values=("", "0", "false"))


class NotNowForm(Form):
    """ "Inte nu" (nothing to fill in)."""


class FiguresForm(Form):
    """Which month and unit (GET parameters; checked in app/followup/views.py)."""

    class Meta:
        csrf = False

    manad = StringField()
    enhet = StringField()
