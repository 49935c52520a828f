"""The claim status workflow: the one table of allowed transitions.

Every status change (admin form, bulk action, partner cancel, document upload)
goes through ``claims.services.claim_change_status``, which checks this table.
"""

from django.utils.translation import gettext_lazy as _

from .models import Status

TRANSITIONS = {
    Status.AWAITING_DOCUMENTS: {Status.REGISTERED, Status.CANCELLED},
    Status.REGISTERED: {Status.RECEIVED, Status.CANCELLED},
    Status.RECEIVED: {Status.DIAGNOSIS},
    Status.DIAGNOSIS: {Status.WAITING_CUSTOMER, Status.REPAIR, Status.RESOLVED},
    Status.WAITING_CUSTOMER: {Status.DIAGNOSIS, Status.REPAIR, Status.RESOLVED},
    Status.REPAIR: {Status.WAITING_CUSTOMER, Status.RESOLVED},
    Status.RESOLVED: {Status.SHIPPED_BACK, Status.CLOSED},
    Status.SHIPPED_BACK: {Status.CLOSED},
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
}

# What the partner may do himself.
PARTNER_TRANSITIONS = {
    Status.AWAITING_DOCUMENTS: {Status.CANCELLED},
    Status.REGISTERED: {Status.CANCELLED},
}


class TransitionError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def can_transition(from_status, to_status):
    return to_status in TRANSITIONS.get(from_status, set())


def allowed_targets(from_status):
    order = list(Status)
    return sorted(TRANSITIONS.get(from_status, set()), key=order.index)


def check_transition(from_status, to_status, *, resolution="", return_tracking=""):
    if not can_transition(from_status, to_status):
        raise TransitionError(
            _("A claim cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(from_status).label, "to": Status(to_status).label}
        )
    if to_status == Status.RESOLVED and not resolution:
        raise TransitionError(_("Choose a resolution to resolve the claim."))
    if to_status == Status.SHIPPED_BACK and not return_tracking:
        raise TransitionError(_("Give the return tracking number to ship the claim back."))


# The path a claim normally takes, as the partner sees it on the claim page.
PROGRESS = [
    Status.REGISTERED,
    Status.RECEIVED,
    Status.DIAGNOSIS,
    Status.REPAIR,
    Status.RESOLVED,
    Status.SHIPPED_BACK,
    Status.CLOSED,
]
_PROGRESS_POSITION = {
    Status.AWAITING_DOCUMENTS: 0,
    Status.WAITING_CUSTOMER: PROGRESS.index(Status.DIAGNOSIS),
    **{status: index for index, status in enumerate(PROGRESS)},
}


def progress_steps(status):
    """[(label, state)] with state done / current / todo; None for a cancelled claim."""
    if status == Status.CANCELLED:
        return None
    current = _PROGRESS_POSITION[status]
    steps = []
    for index, step in enumerate(PROGRESS):
        state = "done" if index < current else "current" if index == current else "todo"
        label = step.label
        if index == current and status in (Status.AWAITING_DOCUMENTS, Status.WAITING_CUSTOMER):
            label = Status(status).label
        if state == "done" and step == Status.CLOSED:
            state = "current"
        steps.append((label, state))
    return steps
