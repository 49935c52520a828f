"""The action log: every write service records who did what to which object, with its data.

As pretix's ``LoggedModel.log_action``: one call near the end of each write
service, inside its transaction, so a write that rolls back leaves no entry.
Imports write one entry per run, never one per row, to stay fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ActionLogEntry

# What each action means, for staff reading the log; also the list the admin filters on.
ACTION_TYPES: dict[str, Promise] = {
    "claim.created": _("Claim opened"),
    "claim.status_changed": _("Claim status changed"),
    "claim.cancelled": _("Claim cancelled by the partner"),
    "claim.message_posted": _("Message posted on a claim"),
    "claim.attachment_added": _("File attached to a claim"),
    "claim.quote_decided": _("Quote accepted or declined"),
    "claims.imported": _("Claims imported from CSV"),
    "address.saved": _("Address saved"),
    "address.deleted": _("Address deleted"),
    "membership.requested": _("Membership requested"),
    "membership.approved": _("Membership approved"),
    "membership.rejected": _("Membership rejected"),
    "membership.removed": _("Member removed from the company"),
    "membership.role_changed": _("Member's role changed"),
    "invitation.created": _("Colleague invited"),
    "invitation.accepted": _("Invitation accepted"),
    "invitation.withdrawn": _("Invitation withdrawn"),
    "company.updated": _("Company settings changed"),
    "catalogue.imported": _("Products, sales or serial numbers imported"),
    "user.logged_in": _("Signed in"),
    "user.login_failed": _("Failed sign-in"),
    "user.password_changed": _("Password changed"),
    "user.email_confirmed": _("E-mail address confirmed"),
}


def describe(action_type: str) -> str:
    """The translated description of ``action_type``; the code itself for one this list lacks."""
    return str(ACTION_TYPES.get(action_type, action_type))


def _entry(
    obj: models.Model | None,
    action_type: str,
    *,
    actor: AbstractBaseUser | None = None,
    data: Mapping[str, Any] | None = None,
    company_id: int | None = None,
) -> ActionLogEntry:
    if action_type not in ACTION_TYPES:
        raise ValueError(f"Unknown action type {action_type!r}: add it to core.actionlog.ACTION_TYPES.")
    if obj is not None and obj.pk is None:
        raise ValueError("Log actions on saved objects only.")
    return ActionLogEntry(
        actor_id=actor.pk if actor is not None else None,
        action_type=action_type,
        # get_for_model is cached per process: no query after the first of each model.
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        company_id=company_id,
        data=dict(data or {}),
    )


def log_action(
    obj: models.Model | None,
    action_type: str,
    *,
    actor: AbstractBaseUser | None = None,
    data: Mapping[str, Any] | None = None,
    company_id: int | None = None,
) -> ActionLogEntry:
    """Record that ``actor`` (a user; None for the system) did ``action_type`` to ``obj``.

    Call it inside the write's transaction. ``data`` must be JSON-serialisable
    (dates and decimals are fine); ``company_id`` lets staff filter by company.
    """
    entry = _entry(obj, action_type, actor=actor, data=data, company_id=company_id)
    entry.save()
    return entry


def log_actions(
    entries: Iterable[tuple[models.Model | None, str, Mapping[str, Any] | None]],
    *,
    actor: AbstractBaseUser | None = None,
    company_id: int | None = None,
) -> list[ActionLogEntry]:
    """Several entries by the same actor in one INSERT: (object, action type, data) each.

    For a batch of writes that each deserve a line; an import still logs once per run.
    """
    rows = [_entry(obj, kind, actor=actor, data=data, company_id=company_id) for obj, kind, data in entries]
    return ActionLogEntry.objects.bulk_create(rows)
