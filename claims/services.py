"""Every write to claims: creation with the RMA number, attachments, status changes, messages."""

import datetime
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from sequences import get_next_value, get_next_values

from accounts import access
from core.errors import NotAllowed

from . import emails
from .models import (
    Attachment,
    AttachmentKind,
    Claim,
    ClaimLine,
    HeldUpload,
    Message,
    QuoteDecision,
    Status,
    StatusChange,
)
from .workflow import PARTNER_TRANSITIONS, TransitionError, check_transition


def format_rma_number(seq, year):
    return f"RMA/{seq}/{settings.RMA_SITE_CODE}/{year}"


def allocate_rma_number(now=None):
    """Take the next RMA number of the year, inside the caller's transaction.

    django-sequences keeps one counter row per year and locks it until the
    transaction ends: parallel creations wait for each other, and a
    transaction that rolls back gives its number back, so there are no gaps.
    """
    year = timezone.localtime(now or timezone.now()).year
    seq = get_next_value(f"rma-{year}")
    return year, seq, format_rma_number(seq, year)


def allocate_rma_numbers(count, now=None):
    """``count`` consecutive RMA numbers in one step (CSV import), under the same lock."""
    year = timezone.localtime(now or timezone.now()).year
    return [(year, seq, format_rma_number(seq, year)) for seq in get_next_values(count, f"rma-{year}")]


@dataclass
class LineData:
    product: object
    document_date: object
    description: str
    serial: str = ""
    quantity: int = 1
    fault_type: object = None
    expectations: str = ""


@dataclass
class ReturnAddress:
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    phone: object = ""

    @classmethod
    def from_address(cls, address):
        return cls(
            name=address.name,
            street=address.street,
            postal_code=address.postal_code,
            city=address.city,
            country=address.country,
            phone=address.phone,
        )


@dataclass
class UploadData:
    file: object
    kind: str
    content_type: str
    original_name: str = ""  # when ``file`` is a stored file, whose name is ours


@dataclass
class ClaimData:
    claim_type: object
    lines: list
    return_address: ReturnAddress
    own_number: str = ""
    ars_data: str = ""
    waybill: str = ""
    package_contents: str = ""
    uploads: list = field(default_factory=list)


def _company_of(user):
    company = access.active_company(user)
    if company is None:
        raise NotAllowed(_("Only an approved member of a company can open claims."))
    return company


def _build_claim(*, user, company, data, status, now, rma=None):
    year, seq, number = rma or allocate_rma_number(now)
    address = data.return_address
    return Claim(
        rma_year=year,
        rma_seq=seq,
        rma_number=number,
        company=company,
        owner=user,
        status=status,
        claim_type=data.claim_type,
        own_number=data.own_number.strip(),
        ars_data=data.ars_data.strip(),
        waybill=data.waybill.strip(),
        package_contents=data.package_contents.strip(),
        return_name=address.name,
        return_street=address.street,
        return_postal_code=address.postal_code,
        return_city=address.city,
        return_country=address.country,
        return_phone=address.phone or "",
        created_at=now,
        status_changed_at=now,
    )


def _lines_for(claim, lines):
    return [
        ClaimLine(
            claim=claim,
            position=position,
            product=line.product,
            serial=line.serial,
            quantity=line.quantity or 1,
            fault_type=line.fault_type,
            document_date=line.document_date,
            description=line.description.strip(),
            expectations=line.expectations.strip(),
        )
        for position, line in enumerate(lines, start=1)
    ]


@transaction.atomic
def claim_create(*, user, data, now=None, notify=True):
    """Create a claim with its lines and attachments and take its RMA number, all or nothing."""
    now = now or timezone.now()
    has_sales_document = any(u.kind == AttachmentKind.SALES_DOCUMENT for u in data.uploads)
    status = Status.REGISTERED if has_sales_document else Status.AWAITING_DOCUMENTS
    company = _company_of(user)
    claim = _build_claim(user=user, company=company, data=data, status=status, now=now)
    claim.save()
    ClaimLine.objects.bulk_create(_lines_for(claim, data.lines))
    for upload in data.uploads:
        attachment_add(claim=claim, upload=upload, by=user, change_status=False)
    StatusChange.objects.create(claim=claim, from_status="", to_status=status, by=user, created_at=now)
    if notify:
        emails.claim_registered(claim)
    return claim


@transaction.atomic
def claims_create_many(*, user, claim_type, return_address, rows, batch=None, now=None):
    """Create one claim per row (CSV import), all or nothing, with consecutive RMA numbers.

    The claims, lines and timeline entries are written first under placeholder numbers; the real
    numbers are taken last, in one step, and set in one UPDATE just before the commit. A claim filed on
    the web meanwhile waits for the year's counter only for that moment, not for the whole import.
    """
    now = now or timezone.now()
    company = _company_of(user)
    base = PLACEHOLDER_BASE + secrets.randbelow(PLACEHOLDER_BASE)
    claims = []
    for index, row in enumerate(rows):
        data = ClaimData(
            claim_type=claim_type, lines=[row["line"]], return_address=return_address, own_number=row["own_number"]
        )
        placeholder = (0, base + index, f"IMPORT/{base + index}")
        claim = _build_claim(
            user=user, company=company, data=data, status=Status.AWAITING_DOCUMENTS, now=now, rma=placeholder
        )
        claim.import_batch = batch
        claims.append(claim)
    Claim.objects.bulk_create(claims, batch_size=1000)
    if not claims[0].pk:
        # Databases without RETURNING ids on bulk insert: read them back by RMA number.
        ids = dict(Claim.objects.filter(rma_number__in=[c.rma_number for c in claims]).values_list("rma_number", "pk"))
        for claim in claims:
            claim.pk = claim.id = ids[claim.rma_number]
    lines, changes = [], []
    for claim, row in zip(claims, rows, strict=True):
        lines.extend(_lines_for(claim, [row["line"]]))
        changes.append(
            StatusChange(claim=claim, from_status="", to_status=Status.AWAITING_DOCUMENTS, by=user, created_at=now)
        )
    ClaimLine.objects.bulk_create(lines, batch_size=2000)
    StatusChange.objects.bulk_create(changes, batch_size=2000)
    # Last: the numbers, under the counter's lock until the commit.
    for claim, (year, seq, number) in zip(claims, allocate_rma_numbers(len(claims), now), strict=True):
        claim.rma_year, claim.rma_seq, claim.rma_number = year, seq, number
    _set_rma_numbers(claims)
    # Rendering the summary of thousands of claims takes longer than the numbers: after the commit.
    transaction.on_commit(lambda: emails.claims_imported(user, claims))
    return claims


# Placeholder RMA sequence numbers of an import in progress (year 0): a random block far above any real
# number, so that two imports at once do not wait for each other on the unique index.
PLACEHOLDER_BASE = 1_000_000_000


def _set_rma_numbers(claims):
    if connection.vendor != "postgresql":
        Claim.objects.bulk_update(claims, ["rma_year", "rma_seq", "rma_number"], batch_size=1000)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(Claim._meta.db_table)} AS c "  # noqa: S608
            "SET rma_year = n.year, rma_seq = n.seq, rma_number = n.number "
            "FROM unnest(%s::bigint[], %s::smallint[], %s::integer[], %s::varchar[]) AS n(id, year, seq, number) "
            "WHERE c.id = n.id",
            [
                [c.pk for c in claims],
                [c.rma_year for c in claims],
                [c.rma_seq for c in claims],
                [c.rma_number for c in claims],
            ],
        )


def attachment_add(*, claim, upload, by, change_status=True):
    attachment = Attachment(
        claim=claim,
        kind=upload.kind,
        original_name=(upload.original_name or getattr(upload.file, "name", "") or "file")[:200],
        content_type=upload.content_type,
        size=upload.file.size,
        uploaded_by=by,
    )
    attachment.file.save(upload.file.name, upload.file, save=False)
    attachment.save()
    if change_status and upload.kind == AttachmentKind.SALES_DOCUMENT:
        _register_if_awaiting(claim, by)
    return attachment


def _register_if_awaiting(claim, by):
    """A sales document arrived: "awaiting documents" becomes "registered", once, whatever the caller holds."""
    current = Claim.objects.select_for_update().get(pk=claim.pk)
    if current.status == Status.AWAITING_DOCUMENTS:
        current = claim_change_status(claim=current, to=Status.REGISTERED, by=by, note="", notify=True)
    claim.status, claim.status_changed_at = current.status, current.status_changed_at


@transaction.atomic
def claim_change_status(
    *,
    claim,
    to,
    by,
    note="",
    internal_note="",
    resolution="",
    return_tracking="",
    quote=None,
    notify=True,
    partner=False,
):
    """Move ``claim`` to status ``to`` if the workflow allows it; record it and tell the partner.

    ``quote`` is (amount, currency, text) for a paid repair offered with "waiting for the customer".
    """
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if partner and to not in PARTNER_TRANSITIONS.get(claim.status, set()):
        raise TransitionError(_cannot_message())
    check_transition(
        claim.status,
        to,
        resolution=resolution or claim.resolution,
        return_tracking=return_tracking or claim.return_tracking,
    )
    now = timezone.now()
    change = StatusChange.objects.create(
        claim=claim,
        from_status=claim.status,
        to_status=to,
        by=by,
        note=note,
        internal_note=internal_note,
        created_at=now,
    )
    claim.status = to
    claim.status_changed_at = now
    if resolution:
        claim.resolution = resolution
    if return_tracking:
        claim.return_tracking = return_tracking
    if quote and to == Status.WAITING_CUSTOMER:
        claim.quote_amount, claim.quote_currency, claim.quote_text = quote
        claim.quote_decision = QuoteDecision.PENDING
    claim.save(
        update_fields=[
            "status",
            "status_changed_at",
            "resolution",
            "return_tracking",
            "quote_amount",
            "quote_currency",
            "quote_text",
            "quote_decision",
        ]
    )
    if notify:
        emails.status_changed(change)
    return claim


def _cannot_message():
    from django.utils.translation import gettext

    return gettext("This claim can no longer be cancelled: the parcel has already been received.")


def claim_cancel(*, claim, by, note=""):
    return claim_change_status(claim=claim, to=Status.CANCELLED, by=by, note=note, partner=True)


@transaction.atomic
def message_post(*, claim, author, body, from_service=False, internal=False):
    message = Message.objects.create(
        claim=claim, author=author, body=body.strip(), from_service=from_service, internal=internal
    )
    if not internal:
        if from_service:
            emails.service_replied(message)
        else:
            emails.partner_wrote(message)
    return message


@transaction.atomic
def quote_decide(*, claim, by, accept):
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if by.pk != claim.owner_id and not access.is_company_admin(by, claim.company):
        raise TransitionError(
            _("A quote is decided by the colleague who opened the claim or by a company administrator.")
        )
    if claim.status != Status.WAITING_CUSTOMER or claim.quote_decision != QuoteDecision.PENDING:
        raise TransitionError(_no_quote_message())
    claim.quote_decision = QuoteDecision.ACCEPTED if accept else QuoteDecision.DECLINED
    claim.save(update_fields=["quote_decision"])
    # The decision is an event on the timeline, without a change of status.
    StatusChange.objects.create(
        claim=claim,
        from_status=claim.status,
        to_status=claim.status,
        by=by,
        quote_decision=claim.quote_decision,
    )
    emails.quote_decided(claim)
    return claim


def _no_quote_message():
    from django.utils.translation import gettext

    return gettext("There is no quote waiting for your decision on this claim.")


@transaction.atomic
def sales_document_attach_many(*, assignments, by):
    """Attach sales documents to imported claims; one file shared by several claims is stored once."""
    stored = {}
    for claim, uploaded in assignments:
        key = id(uploaded)
        if key in stored:
            first = stored[key]
            Attachment.objects.create(
                claim=claim,
                kind=AttachmentKind.SALES_DOCUMENT,
                file=first.file.name,
                original_name=first.original_name,
                content_type=first.content_type,
                size=first.size,
                uploaded_by=by,
            )
            _register_if_awaiting(claim, by)
        else:
            stored[key] = attachment_add(
                claim=claim,
                upload=UploadData(
                    file=uploaded, kind=AttachmentKind.SALES_DOCUMENT, content_type=uploaded.detected_content_type
                ),
                by=by,
            )
    return len(assignments)


def claims_change_status_bulk(*, claims, to, by, note=""):
    """Change every claim that may change; return (changed, refused) with the refusal messages."""
    changed, refused = [], []
    for claim in claims:
        try:
            with transaction.atomic():
                claim_change_status(claim=claim, to=to, by=by, note=note)
        except TransitionError as error:
            refused.append((claim, error.message))
        else:
            changed.append(claim)
    return changed, refused


def held_uploads_release(held):
    """Kept files that became attachments (copied under new names) go, with the owner's stale ones."""
    if not held:
        return
    owner = held[0].owner_id
    stale = timezone.now() - datetime.timedelta(hours=HeldUpload.HOLD_HOURS)
    doomed = list(HeldUpload.objects.filter(Q(pk__in=[h.pk for h in held]) | Q(owner=owner, created_at__lt=stale)))
    names = [h.file.name for h in doomed]
    HeldUpload.objects.filter(pk__in=[h.pk for h in doomed]).delete()
    storage = HeldUpload._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
