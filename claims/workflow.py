"""The claim status workflow: the one table of allowed transitions and their conditions.

Every status change (admin form, bulk action, partner cancel, document upload)
goes through ``claims.services.claim_change_status``, which checks this
module; the admin form asks the same functions before it saves, the claim's
properties (``can_cancel``, ``is_open``...) and the pages ask them too.
Nothing else compares statuses to decide what may happen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import TransitionNotAllowed

from .statuses import LineOutcome, QuoteDecision, Resolution, Status

TRANSITIONS: dict[str, set[str]] = {
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
PARTNER_TRANSITIONS: dict[str, set[str]] = {
    Status.AWAITING_DOCUMENTS: {Status.CANCELLED},
    Status.REGISTERED: {Status.CANCELLED},
}

# A claim is open while the workflow still has a step for it.
OPEN_STATUSES: list[Status] = [status for status in Status if TRANSITIONS[status]]


def status_for_new_claim(*, has_sales_document: bool) -> Status:
    """A claim starts registered with its sales document, else waits for it."""
    return Status.REGISTERED if has_sales_document else Status.AWAITING_DOCUMENTS


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())


def allowed_targets(from_status: str) -> list[Status]:
    order = list(Status)
    return sorted((Status(s) for s in TRANSITIONS.get(from_status, set())), key=order.index)


def check_transition(
    from_status: str,
    to_status: str,
    *,
    resolution: str | None = None,
    return_tracking: str = "",
    quote_amount: Decimal | int | None = None,
    quote_text: str = "",
    note: str = "",
    lines_without_outcome: Sequence[str] = (),
) -> None:
    """Raise TransitionNotAllowed, about the input at fault, unless the step may be taken with these values.

    ``lines_without_outcome`` names the products of the claim that have no outcome yet: a claim is resolved
    only once every product has one; ``resolution``, when given, is the one their outcomes make. "Waiting for you" needs something to wait for: a quote, or a question
    in ``note``.
    """
    if not can_transition(from_status, to_status):
        raise TransitionNotAllowed(
            _("A claim cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Status(from_status).label, "to": Status(to_status).label},
            field="status",
            code="not_in_table",
        )
    if to_status == Status.RESOLVED and lines_without_outcome:
        raise TransitionNotAllowed(
            _("Set the outcome of every product to resolve the claim; missing: %(lines)s.")
            % {"lines": ", ".join(lines_without_outcome)},
            field="outcome",
            code="outcome_missing",
        )
    if to_status == Status.RESOLVED and resolution == "":
        raise TransitionNotAllowed(
            _("A claim is resolved by the outcomes of its products; this one has none."),
            field="outcome",
            code="resolution_missing",
        )
    if to_status == Status.SHIPPED_BACK and not return_tracking:
        raise TransitionNotAllowed(
            _("Give the return tracking number to ship the claim back."),
            field="return_tracking",
            code="return_tracking_missing",
        )
    if to_status == Status.WAITING_CUSTOMER and quote_amount is not None and not quote_text:
        raise TransitionNotAllowed(_("Describe what the quote covers."), field="quote_text", code="quote_text_missing")
    if to_status == Status.WAITING_CUSTOMER and quote_amount is None and not note.strip():
        raise TransitionNotAllowed(
            _("Waiting for the partner needs something to answer: give a quote or ask a question in the note."),
            field="note",
            code="nothing_to_wait_for",
        )


def partner_may(from_status: str, to_status: str) -> bool:
    return to_status in PARTNER_TRANSITIONS.get(from_status, set())


def check_partner_transition(from_status: str, to_status: str) -> None:
    if not partner_may(from_status, to_status):
        raise TransitionNotAllowed(
            _("This claim can no longer be cancelled: the parcel has already been received."), code="partner_too_late"
        )


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def awaits_documents(status: str) -> bool:
    """Waiting for the sales document; attaching one registers the claim."""
    return status == Status.AWAITING_DOCUMENTS


# The statuses in which the partner has to act: send the sales document, or answer a quote or question.
PARTNER_ACTION_STATUSES: list[Status] = [Status.AWAITING_DOCUMENTS, Status.WAITING_CUSTOMER]


def needs_partner_action() -> list[Status]:
    """The statuses of claims that wait for the partner ("needs your action" on the list and the dashboard)."""
    return list(PARTNER_ACTION_STATUSES)


def quote_awaits_decision(status: str, decision: str) -> bool:
    return status == Status.WAITING_CUSTOMER and decision == QuoteDecision.PENDING


def check_quote_decision(status: str, decision: str) -> None:
    if not quote_awaits_decision(status, decision):
        raise TransitionNotAllowed(_("There is no quote waiting for your decision on this claim."), code="no_quote")


# What a status-change e-mail tells besides the status itself.
def tells_resolution(status: str) -> bool:
    return status == Status.RESOLVED


def label_stamp(status: str) -> str:
    """What a label printed now says across it: a cancelled or closed claim's label must not travel."""
    if status == Status.CANCELLED:
        return str(_("CANCELLED"))
    if status == Status.CLOSED:
        return str(_("CLOSED"))
    return ""


def tells_outcomes(status: str) -> bool:
    return status in (Status.RESOLVED, Status.SHIPPED_BACK, Status.CLOSED)


def tells_return_tracking(status: str) -> bool:
    return status == Status.SHIPPED_BACK


def offers_quote(status: str, quote_amount: Decimal | None) -> bool:
    return status == Status.WAITING_CUSTOMER and bool(quote_amount)


# The path a claim normally takes, as the partner sees it on the claim page.
PROGRESS: list[Status] = [
    Status.REGISTERED,
    Status.RECEIVED,
    Status.DIAGNOSIS,
    Status.REPAIR,
    Status.RESOLVED,
    Status.SHIPPED_BACK,
    Status.CLOSED,
]
_PROGRESS_POSITION: dict[str, int] = {
    Status.AWAITING_DOCUMENTS: 0,
    Status.WAITING_CUSTOMER: PROGRESS.index(Status.DIAGNOSIS),
    **{status: index for index, status in enumerate(PROGRESS)},
}


def progress_steps(status: str) -> list[tuple[str, str]] | None:
    """[(label, state)] with state done / current / todo; None for a cancelled claim."""
    if status == Status.CANCELLED:
        return None
    current = _PROGRESS_POSITION[status]
    steps = []
    for index, step in enumerate(PROGRESS):
        state = "done" if index < current else "current" if index == current else "todo"
        label = str(step.label)
        if index == current and status in (Status.AWAITING_DOCUMENTS, Status.WAITING_CUSTOMER):
            label = str(Status(status).label)
        if state == "done" and step == Status.CLOSED:
            state = "current"
        steps.append((label, state))
    return steps


# What the outcomes of a claim's lines make of its resolution.
_RESOLUTION_OF_OUTCOME = {
    LineOutcome.REPAIRED: Resolution.REPAIRED,
    LineOutcome.REPLACED: Resolution.REPLACED,
    LineOutcome.CREDIT_NOTE: Resolution.CREDIT_NOTE,
    LineOutcome.RETURNED_UNREPAIRED: Resolution.RETURNED_UNREPAIRED,
    LineOutcome.NO_FAULT_FOUND: Resolution.NO_FAULT_FOUND,
}


def resolution_for_outcomes(outcomes: Iterable[str]) -> str:
    """The claim's resolution: the lines' one outcome when they share it, else "mixed"; '' without outcomes."""
    found = {o for o in outcomes if o}
    if not found:
        return ""
    if len(found) == 1:
        return _RESOLUTION_OF_OUTCOME[LineOutcome(found.pop())]
    return Resolution.MIXED


def outcome_summary(outcomes: Iterable[str]) -> str:
    """ "2 × Repaired, 1 × Replaced", in the order of the outcome choices."""
    counts = Counter(o for o in outcomes if o)
    return ", ".join(
        gettext("%(n)d × %(outcome)s") % {"n": counts[o], "outcome": o.label} for o in LineOutcome if counts[o]
    )
