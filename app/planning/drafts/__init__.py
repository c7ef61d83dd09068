"""A plan as care edits it: one JSON document, read from the editor form, checked, compared
with what the patient has, and applied to the plan's rows when care publishes it.

The document (`CarePlan.draft`) holds the whole plan: its text, headings, follow-up, next step,
consent, goals, activities, team and external actors. Goals and team rows keep the ids of the rows
they edit, so publishing updates those rows (the patient's progress on a goal stays with it) and
only adds or takes out what care added or took out.

`document` makes the document from a plan, `form` reads and checks the editor's form into one,
`changes` says what differs between two documents, and `rows` writes one to the plan's rows.
"""

from app.planning.drafts.changes import compare, describe_changes
from app.planning.drafts.document import (
    EDITABLE_ACTIVITY_STATUSES,
    EDITABLE_GOAL_STATUSES,
    MAX_LINE,
    MAX_TEXT,
    RESPONSIBLE,
    TEAM_ROLES,
    doc_from_plan,
)
from app.planning.drafts.form import ERRORS, DraftForm, check_dates, has_consent
from app.planning.drafts.rows import apply

__all__ = [
    "EDITABLE_ACTIVITY_STATUSES",
    "EDITABLE_GOAL_STATUSES",
    "ERRORS",
    "MAX_LINE",
    "MAX_TEXT",
    "RESPONSIBLE",
    "TEAM_ROLES",
    "DraftForm",
    "apply",
    "check_dates",
    "compare",
    "describe_changes",
    "doc_from_plan",
    "has_consent",
]
