"""The states of a claim, its resolutions and quote decisions: the vocabulary the workflow speaks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    AWAITING_DOCUMENTS = "awaiting_documents", _("Awaiting documents")
    REGISTERED = "registered", _("Registered, waiting for the parcel")
    RECEIVED = "received", _("Received")
    DIAGNOSIS = "diagnosis", _("In diagnosis")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for you")
    REPAIR = "repair", _("In repair")
    RESOLVED = "resolved", _("Resolved")
    SHIPPED_BACK = "shipped_back", _("Shipped back")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Resolution(models.TextChoices):
    REPAIRED = "repaired", _("Repaired")
    REPLACED = "replaced", _("Replaced")
    CREDIT_NOTE = "credit_note", _("Credit note")
    REJECTED = "rejected", _("Rejected")  # before outcomes per line; now "returned unrepaired"
    NO_FAULT_FOUND = "no_fault_found", _("No fault found")
    RETURNED_UNREPAIRED = "returned_unrepaired", _("Returned unrepaired")
    MIXED = "mixed", _("Mixed: see each product")


class LineOutcome(models.TextChoices):
    """What the service did with one product of a claim."""

    REPAIRED = "repaired", _("Repaired")
    REPLACED = "replaced", _("Replaced")
    CREDIT_NOTE = "credit_note", _("Credit note")
    RETURNED_UNREPAIRED = "returned_unrepaired", _("Returned unrepaired")
    NO_FAULT_FOUND = "no_fault_found", _("No fault found")


class LineVerdict(models.TextChoices):
    """The warranty of a line as the company's purchases told it when the claim was filed."""

    IN_WARRANTY = "in_warranty", _("In warranty")
    EXPIRED = "expired", _("Warranty ended")
    NOT_BOUGHT = "not_bought", _("Not found in your company's purchases")


class QuoteDecision(models.TextChoices):
    PENDING = "pending", _("Waiting for your decision")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
