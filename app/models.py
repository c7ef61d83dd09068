"""Every mapped class, imported once so the metadata and the mappers are complete."""

from app.accounts.models import CareUnit, Person, Practitioner, Principal, UserSession
from app.agreements.models import Agreement
from app.appointments.models import Appointment
from app.audit.models import AccessLogEntry
from app.care_requests.models import CareRequest
from app.contact.models import ContactConfirmation
from app.db import Base
from app.diary.models import Entry, Measure, Rule, RuleHit
from app.directory.models import DirectoryChange
from app.followup.models import FollowUpView, SevenQuestions
from app.goals.models import Activity, Goal, ProgressReport
from app.messages.models import Message, Thread
from app.notifications.models import OutboxItem
from app.patients.models import CareRelationship
from app.plans.models import CarePlan, CareTeamMember, Handover, PlanVersion
from app.proxies.models import Guardianship, ProxyGrant
from app.pwa.models import PushSubscription
from app.sip.models import SipInvitee, SipMeeting
from app.whatmatters.models import WhatMatters

__all__ = [
    "AccessLogEntry",
    "Activity",
    "Agreement",
    "Appointment",
    "Base",
    "CarePlan",
    "CareRelationship",
    "CareRequest",
    "CareTeamMember",
    "CareUnit",
    "ContactConfirmation",
    "DirectoryChange",
    "Entry",
    "FollowUpView",
    "Goal",
    "Guardianship",
    "Handover",
    "Measure",
    "Message",
    "OutboxItem",
    "Person",
    "PlanVersion",
    "Practitioner",
    "Principal",
    "ProgressReport",
    "ProxyGrant",
    "PushSubscription",
    "Rule",
    "RuleHit",
    "SevenQuestions",
    "SipInvitee",
    "SipMeeting",
    "Thread",
    "UserSession",
    "WhatMatters",
]
