"""All models, importable from one place (and registered on the metadata for migrations)."""

from advocacy.models.alerts import (
    AlertDelivery,
    AlertRun,
    AlertSettings,
    Follow,
    WebhookDelivery,
    WebhookEndpoint,
)
from advocacy.models.api import ApiToken
from advocacy.models.base import Base, utcnow
from advocacy.models.bills import (
    BILL_TYPES,
    Bill,
    BillAction,
    BillCommittee,
    BillTitle,
    Cosponsorship,
    RelatedBill,
)
from advocacy.models.campaigns import (
    ACTIVE_STATUSES,
    ENDORSEMENT_STATUSES,
    Campaign,
    CampaignBill,
    Endorsement,
)
from advocacy.models.cities import City, CityDistrict
from advocacy.models.contacts import Interaction, LetterEmail, OfficeContact
from advocacy.models.districts import ZipDistrict
from advocacy.models.endorsements import EndorsementToken, Invitation
from advocacy.models.events import Event
from advocacy.models.letters import Letter, LetterBatch, LetterDelivery, LetterTemplate, LetterTemplateVersion
from advocacy.models.mail import MailAttachment, MailMessage
from advocacy.models.members import Committee, CommitteeMembership, Member
from advocacy.models.scheduler import ScheduledJob, ScheduledRun, SchedulerLease
from advocacy.models.texts import BillTextCheck, BillTextVersion
from advocacy.models.users import ROLES, User, UserSession

__all__ = [
    "AlertDelivery",
    "AlertRun",
    "AlertSettings",
    "ApiToken",
    "Follow",
    "WebhookDelivery",
    "WebhookEndpoint",
    "ACTIVE_STATUSES",
    "BILL_TYPES",
    "ENDORSEMENT_STATUSES",
    "ROLES",
    "Base",
    "Bill",
    "BillAction",
    "BillCommittee",
    "BillTextCheck",
    "BillTextVersion",
    "BillTitle",
    "Campaign",
    "CampaignBill",
    "City",
    "CityDistrict",
    "Committee",
    "CommitteeMembership",
    "Cosponsorship",
    "Endorsement",
    "EndorsementToken",
    "Event",
    "Interaction",
    "Invitation",
    "Letter",
    "LetterBatch",
    "LetterEmail",
    "LetterDelivery",
    "LetterTemplate",
    "LetterTemplateVersion",
    "MailAttachment",
    "MailMessage",
    "Member",
    "OfficeContact",
    "RelatedBill",
    "ScheduledJob",
    "ScheduledRun",
    "SchedulerLease",
    "User",
    "UserSession",
    "ZipDistrict",
    "utcnow",
]
