import itertools
import smtplib

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.models import LineOutcome, QuoteDecision, Resolution, Status, StatusChange
from claims.services import claim_change_status, claims_change_status_bulk, line_set_outcome, quote_decide
from claims.tests.factories import ClaimFactory, ClaimLineFactory
from claims.workflow import TRANSITIONS
from core.delivery import deliver
from core.errors import TransitionNotAllowed
from core.mail import queue_email
from core.models import OutgoingEmail
from tests.html import text

ALL_PAIRS = list(itertools.product(Status.values, Status.values))
EXTRA = {"return_tracking": "FAN-RET-1", "note": "Do you want it repaired?"}


@pytest.mark.parametrize(("start", "to"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_transition_table(owner, staff, start, to):
    claim = ClaimFactory(owner=owner, status=start, resolution=Resolution.REPAIRED if start == Status.RESOLVED else "")
    ClaimLineFactory(claim=claim, outcome=LineOutcome.REPAIRED)
    if to in TRANSITIONS[start]:
        claim_change_status(claim=claim, to=to, by=staff, **EXTRA)
        claim.refresh_from_db()
        assert claim.status == to
        assert StatusChange.objects.filter(claim=claim, from_status=start, to_status=to, by=staff).exists()
    else:
        with pytest.raises(TransitionNotAllowed) as error:
            claim_change_status(claim=claim, to=to, by=staff, **EXTRA)
        assert error.value.message
        claim.refresh_from_db()
        assert claim.status == start and not claim.status_changes.exists()


def test_resolve_needs_outcomes_and_ship_back_a_tracking_number(owner, staff):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    with pytest.raises(TransitionNotAllowed):
        claim_change_status(claim=claim, to=Status.RESOLVED, by=staff)  # no products, no outcome
    line = ClaimLineFactory(claim=claim)
    with pytest.raises(TransitionNotAllowed):
        claim_change_status(claim=claim, to=Status.RESOLVED, by=staff)
    line_set_outcome(line=line, outcome=LineOutcome.REPLACED, replacement_serial="NEW1", by=staff)
    claim_change_status(claim=claim, to=Status.RESOLVED, by=staff)
    with pytest.raises(TransitionNotAllowed):
        claim_change_status(claim=claim, to=Status.SHIPPED_BACK, by=staff)
    claim_change_status(claim=claim, to=Status.SHIPPED_BACK, by=staff, return_tracking="TRK1")
    claim.refresh_from_db()
    assert (claim.status, claim.resolution, claim.return_tracking) == (Status.SHIPPED_BACK, "replaced", "TRK1")


def test_bulk_changes_those_that_may_and_reports_the_others(owner, staff):
    registered = [ClaimFactory(owner=owner) for _ in range(3)]
    closed = ClaimFactory(owner=owner, status=Status.CLOSED)
    changed, refused = claims_change_status_bulk(claims=[*registered, closed], to=Status.RECEIVED, by=staff)
    assert len(changed) == 3 and [c for c, _m in refused] == [closed]
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(Status.values), st.booleans()), max_size=12))
def test_no_sequence_of_actions_leaves_the_table(owner, staff, steps):
    claim = ClaimFactory(owner=owner)
    history = [claim.status]
    for to, by_partner in steps:
        before = claim.status
        try:
            if by_partner:
                claim = claim_change_status(claim=claim, to=to, by=owner, partner=True)
            else:
                claim = claim_change_status(claim=claim, to=to, by=staff, **EXTRA)
        except TransitionNotAllowed:
            claim.refresh_from_db()
            assert claim.status == before
        else:
            assert to in TRANSITIONS[before]
            if by_partner:
                assert before in (Status.AWAITING_DOCUMENTS, Status.REGISTERED) and to == Status.CANCELLED
        history.append(claim.status)
    recorded = [(c.from_status, c.to_status) for c in claim.status_changes.order_by("created_at", "id")]
    assert all(b in TRANSITIONS[a] for a, b in recorded)
    assert claim.status in Status.values


def test_status_email_in_the_partners_language(owner, staff, django_capture_on_commit_callbacks):
    owner.language = "en"
    owner.save()
    claim = ClaimFactory(owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        claim_change_status(claim=claim, to=Status.RECEIVED, by=staff, note="Your parcel arrived today.")
    message = mail.outbox[-1]
    assert message.to == [owner.email]
    assert claim.rma_number in message.subject and "Received" in message.subject
    assert "Your parcel arrived today." in message.body and claim.rma_number in message.body
    html = message.alternatives[0][0]
    assert "Your parcel arrived today." in html and claim.rma_number in html


def test_quote_accept_is_recorded_and_mailed_to_the_service(
    owner, staff, owner_client, django_capture_on_commit_callbacks
):
    claim = ClaimFactory(owner=owner, status=Status.DIAGNOSIS)
    ClaimLineFactory(claim=claim)
    claim_change_status(claim=claim, to=Status.WAITING_CUSTOMER, by=staff, quote=(250, "RON", "New motor"))
    page = owner_client.get(reverse("claim_detail", args=[claim.pk])).content.decode()
    assert "Quote for a paid repair 250.00 RON · VAT not included New motor" in text(page)
    assert "Accept the quote" in text(page)
    # One click shows the confirmation; nothing is decided yet.
    confirm = owner_client.get(reverse("claim_quote", args=[claim.pk]), {"decision": "accept"})
    assert "Accept the quote for" in text(confirm.content.decode()) and 'value="yes"' in confirm.content.decode()
    owner_client.post(reverse("claim_quote", args=[claim.pk]), {"decision": "accept"})
    claim.refresh_from_db()
    assert claim.quote_decision == QuoteDecision.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("claim_quote", args=[claim.pk]), {"decision": "accept", "confirmed": "yes"})
    claim.refresh_from_db()
    assert claim.quote_decision == QuoteDecision.ACCEPTED
    assert mail.outbox[-1].to == ["service@innpro.ro"]
    # The timeline says it in the reader's language, whatever language the partner used.
    assert "Quote accepted" in owner_client.get(reverse("claim_detail", args=[claim.pk])).content.decode()
    owner_client.cookies["portal_language"] = "ro"
    assert "Ofertă acceptată" in owner_client.get(reverse("claim_detail", args=[claim.pk])).content.decode()
    with pytest.raises(TransitionNotAllowed):
        quote_decide(claim=claim, by=owner, accept=False)


class FlakySMTP:
    """An SMTP connection that refuses twice, then accepts."""

    calls = 0
    sent = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        FlakySMTP.calls += 1
        if FlakySMTP.calls <= 2:
            raise smtplib.SMTPServerDisconnected("try again")
        FlakySMTP.sent.extend(messages)
        return len(messages)

    def open(self):
        return True

    def close(self):
        pass


def test_smtp_refusing_twice_then_accepting_sends_exactly_once(db, settings):
    settings.EMAIL_BACKEND = "claims.tests.test_workflow.FlakySMTP"
    FlakySMTP.calls, FlakySMTP.sent = 0, []
    email = queue_email(to="p@example.com", subject="S", text="T")
    outcomes = []
    for _attempt in range(4):
        try:
            outcomes.append(deliver(email.pk))
        except Exception:  # noqa: BLE001 - the task's retry would catch it
            outcomes.append("retry")
    assert outcomes == ["retry", "retry", True, False]
    assert len(FlakySMTP.sent) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 3


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_task_running_twice_sends_once(db):
    from core.tasks import send_email

    email = queue_email(to="p@example.com", subject="Once", text="T")
    send_email.apply(args=[email.pk])
    send_email.apply(args=[email.pk])
    assert [m.subject for m in mail.outbox] == ["Once"]
    assert OutgoingEmail.objects.get().sent_at is not None
