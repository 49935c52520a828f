"""Every write to claims: creation with the RMA number, attachments, held files, status changes, messages.

Services raise ``core.errors.DomainError`` subclasses when a rule says no.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, F, Model, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber
from sequences import get_next_value, get_next_values

from accounts import access
from accounts.models import Company
from core.actionlog import log_action
from core.errors import Conflict, DomainError, NotAllowed, RuleViolation
from warranty.models import FaultType, Product

from . import emails, rules, selectors, signals, workflow
from .models import (
    Attachment,
    AttachmentKind,
    Claim,
    ClaimLine,
    ClaimSubmission,
    ClaimType,
    HeldUpload,
    ImportBatch,
    LineOutcome,
    Message,
    QuoteDecision,
    Status,
    StatusChange,
)
from .uploads import MAX_HELD_BYTES_PER_USER, MAX_HELD_FILES_PER_USER, CheckedUpload, safe_download_name

if TYPE_CHECKING:
    from accounts.models import Address, User

RmaNumber = tuple[int, int, str]  # (year, sequence, "RMA/<n>/SR/<year>")
Quote = tuple[Decimal | int, str, str]  # (amount, currency, what it covers)


def format_rma_number(seq: int, year: int) -> str:
    return f"RMA/{seq}/{settings.RMA_SITE_CODE}/{year}"


def allocate_rma_number(now: datetime.datetime | None = None) -> RmaNumber:
    """Take the next RMA number of the year, inside the caller's transaction.

    django-sequences keeps one counter row per year and locks it until the
    transaction ends: parallel creations wait for each other, and a
    transaction that rolls back gives its number back, so there are no gaps.
    """
    year = timezone.localtime(now or timezone.now()).year
    seq = get_next_value(f"rma-{year}")
    return year, seq, format_rma_number(seq, year)


def allocate_rma_numbers(count: int, now: datetime.datetime | None = None) -> list[RmaNumber]:
    """``count`` consecutive RMA numbers in one step (CSV import), under the same lock."""
    year = timezone.localtime(now or timezone.now()).year
    return [(year, seq, format_rma_number(seq, year)) for seq in get_next_values(count, f"rma-{year}")]


@dataclass
class LineData:
    product: Product
    document_date: datetime.date
    description: str
    serial: str = ""
    quantity: int = 1
    fault_type: FaultType | None = None
    expectations: str = ""
    # The warranty when filed; claim_create looks it up, a caller that has it may give it.
    warranty: rules.LineWarranty | None = None


@dataclass
class ReturnAddress:
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    phone: PhoneNumber | str = ""

    @classmethod
    def from_address(cls, address: Address) -> ReturnAddress:
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
    """A file to attach: a checked upload, or a file we hold already (its ``original_name`` is the partner's)."""

    file: File
    kind: str
    content_type: str
    original_name: str = ""  # when ``file`` is a stored file, whose name is ours

    @classmethod
    def from_checked(cls, upload: CheckedUpload, kind: str) -> UploadData:
        # The name as the partner's system gave it; it is made safe where it is shown or served.
        return cls(file=upload.file, kind=kind, content_type=upload.content_type, original_name=upload.file.name or "")

    @classmethod
    def from_held(cls, held: HeldUpload) -> UploadData:
        return cls(file=held.file, kind=held.kind, content_type=held.content_type, original_name=held.original_name)


@dataclass
class ClaimData:
    claim_type: ClaimType
    lines: list[LineData]
    return_address: ReturnAddress
    own_number: str = ""
    ars_data: str = ""
    waybill: str = ""
    package_contents: str = ""
    uploads: list[UploadData] = field(default_factory=list)
    # The partner ticked "open another claim for this serial number".
    duplicate_serials_confirmed: bool = False


def _delete_stored(field_file: Any, names: Iterable[str]) -> None:
    """Remove files written by a transaction that is rolling back: its rows will not point at them."""
    for name in filter(None, names):
        try:
            field_file.storage.delete(name)
        except OSError:  # pragma: no cover - best effort; housekeeping is the second line
            pass


def _company_of(user: User) -> Company:
    company = access.active_company(user)
    if company is None:
        raise NotAllowed(_("Only an approved member of a company can open claims."))
    return company


def _build_claim(
    *,
    user: User,
    company: Company,
    data: ClaimData,
    status: str,
    now: datetime.datetime,
    rma: RmaNumber | None = None,
) -> Claim:
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


def _lines_for(claim: Claim, lines: Sequence[LineData]) -> list[ClaimLine]:
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
            verdict=line.warranty.verdict if line.warranty else "",
            purchase_date=line.warranty.purchase_date if line.warranty else None,
            warranty_until=line.warranty.warranty_until if line.warranty else None,
        )
        for position, line in enumerate(lines, start=1)
    ]


# A claim form is sent once: a signed token issued with the form, spent by the claim it creates.
SUBMIT_TOKEN_MAX_AGE = 24 * 3600  # seconds; a form older than this is sent again with a fresh token
_SUBMIT_SALT = "claims.submit-token"


def claim_submissions_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete spent form tokens older than SUBMIT_TOKEN_MAX_AGE; returns how many went.

    A row is written after its token was issued, so an older row's token is expired:
    the form it came with is refused before the row would be looked up. Idempotent.
    """
    stale = (now or timezone.now()) - datetime.timedelta(seconds=SUBMIT_TOKEN_MAX_AGE)
    return ClaimSubmission.objects.filter(created_at__lt=stale).delete()[1].get(ClaimSubmission._meta.label, 0)


class ClaimAlreadySubmitted(Conflict):
    """The same claim form came again (double click, a second tab, a replay): here is the claim it made."""

    default_code = "already_submitted"

    def __init__(self, claim: Claim) -> None:
        super().__init__(
            _("This claim form was already sent: it created claim %(rma)s, shown here. No second claim was made.")
            % {"rma": claim.rma_number}
        )
        self.claim = claim


def submit_token_issue(user: User) -> str:
    """A fresh one-time token for a claim form ``user`` is about to see."""
    return signing.TimestampSigner(salt=_SUBMIT_SALT).sign(f"{user.pk}.{secrets.token_urlsafe(18)}")


def submit_token_check(user: User, token: str) -> str:
    """The token's key if it was issued to ``user`` and is not too old, else RuleViolation."""
    try:
        value = signing.TimestampSigner(salt=_SUBMIT_SALT).unsign(token or "", max_age=SUBMIT_TOKEN_MAX_AGE)
    except signing.BadSignature:
        value = ""
    owner, _dot, key = value.partition(".")
    if owner != str(user.pk) or not key:
        raise RuleViolation(
            _("This form is too old or was not opened by you. Check it and send it again."),
            field="submit_token",
            code="form_expired",
        )
    return key


def claim_of_spent_token(user: User, token: str) -> Claim | None:
    """The claim this form (by its token) already made, if it was sent before."""
    try:
        key = submit_token_check(user, token)
    except RuleViolation:
        return None
    spent = ClaimSubmission.objects.select_related("claim").filter(token=key, user=user).first()
    return spent.claim if spent is not None else None


def _spend_submit_token(user: User, token: str) -> ClaimSubmission:
    """Spend the form's token inside the claim's transaction.

    The unique token makes a second POST of the same form wait for the first
    one's transaction: if that committed, the second is told which claim it
    made; if it rolled back, the second goes on.
    """
    key = submit_token_check(user, token)
    try:
        with transaction.atomic():
            return ClaimSubmission.objects.create(token=key, user=user)
    except IntegrityError:
        first = ClaimSubmission.objects.select_related("claim").filter(token=key).first()
        if first is None or first.claim is None:  # pragma: no cover - the first one's transaction made both
            raise Conflict(_("This claim form is being sent already. Look at your claims in a moment.")) from None
        raise ClaimAlreadySubmitted(first.claim) from None


def _check_duplicate_serials(user: User, company: Company, data: ClaimData) -> None:
    """Under the company's lock: the serials of ``data`` have no open claim, unless the partner confirmed."""
    # Claims of one company are created one at a time, so two parallel forms cannot both miss the other.
    # NO KEY UPDATE: inserts that merely reference the company (a CSV import's claims) need not wait.
    Company.objects.select_for_update(no_key=True).filter(pk=company.pk).first()
    if data.duplicate_serials_confirmed:
        return
    if selectors.open_claim_lines_with_serials(user, [line.serial for line in data.lines]):
        raise RuleViolation(
            _("A serial number of this claim already has an open claim. Confirm to open another one."),
            field="confirm_duplicate",
            code="duplicate_serial",
        )


@transaction.atomic
def claim_create(
    *,
    user: User,
    data: ClaimData,
    now: datetime.datetime | None = None,
    notify: bool = True,
    submit_token: str | None = None,
) -> Claim:
    """Create a claim with its lines and attachments and take its RMA number, all or nothing.

    With ``submit_token`` (the claim form's), a form sent twice makes one claim:
    the second time raises ClaimAlreadySubmitted naming it.
    """
    now = now or timezone.now()
    company = _company_of(user)
    submission = _spend_submit_token(user, submit_token) if submit_token is not None else None
    _check_duplicate_serials(user, company, data)
    status = workflow.status_for_new_claim(
        has_sales_document=any(u.kind == AttachmentKind.SALES_DOCUMENT for u in data.uploads)
    )
    claim = _build_claim(user=user, company=company, data=data, status=status, now=now)
    claim.save()
    if submission is not None:
        submission.claim = claim
        submission.save(update_fields=["claim"])
    # Staff see what was true when the claim was filed, whatever the sales records say later.
    today = timezone.localdate(now)
    for line in data.lines:
        line.warranty = selectors.line_warranty(user=user, product=line.product, serial=line.serial, today=today)
    ClaimLine.objects.bulk_create(_lines_for(claim, data.lines))
    written: list[str] = []
    try:
        for upload in data.uploads:
            written.append(attachment_add(claim=claim, upload=upload, by=user, change_status=False).file.name or "")
        StatusChange.objects.create(claim=claim, from_status="", to_status=status, by=user, created_at=now)
        log_action(
            claim,
            "claim.created",
            actor=user,
            data={"rma_number": claim.rma_number, "status": status, "lines": len(data.lines)},
            company_id=claim.company_id,
        )
        if notify:
            emails.claim_registered(claim)
    except BaseException:
        # The claim's transaction rolls back: no file of it may stay on disk without its row.
        _delete_stored(Attachment._meta.get_field("file"), written)
        raise
    signals.claim_created.send(sender=Claim, claim=claim)
    return claim


def claims_create_many(
    *,
    user: User,
    claim_type: ClaimType,
    return_address: ReturnAddress,
    rows: Sequence[dict[str, Any]],
    batch: ImportBatch | None = None,
    now: datetime.datetime | None = None,
) -> list[Claim]:
    """Create one claim per row (CSV import), all or nothing, then give them their RMA numbers in file order.

    The claims, lines and timeline entries are written in one transaction under placeholder numbers
    (year 0), a constant number of queries however many rows (COPY on PostgreSQL). Once it commits, the
    real numbers are given in chunks of ``NUMBERING_CHUNK`` claims, each chunk its own short transaction
    (``_number_chunk``): the year's counter is held for one chunk at a time, and a claim filed on the web
    meanwhile gets its number between two chunks instead of waiting for the whole import.

    The numbers stay gapless and unique across all claims (each chunk takes its numbers and gives them
    under the same lock). Within the import they follow the file's order; they are consecutive unless a
    web claim took a number between two chunks, in which case the import's block has that claim's number
    in it (in order, not necessarily contiguous).

    When the caller is inside a transaction (a request, a test, the import engine), the claims are
    committed only with it: the numbering waits for that commit (``transaction.on_commit``). Whatever
    shows the numbers (the action log entry, the ``claims_created_many`` signal and its webhooks, the
    e-mail) comes after the last chunk, with the final numbers, set on the returned claims in place.
    Placeholder claims are hidden from partners (``selectors.visible_claims``); if the process dies
    before numbering them, the housekeeping job ``claims_number_placeholders`` numbers them.
    """
    now = now or timezone.now()
    company = _company_of(user)
    status = workflow.status_for_new_claim(has_sales_document=False)
    base = PLACEHOLDER_BASE + secrets.randbelow(PLACEHOLDER_BASE)
    claims = []
    for index, row in enumerate(rows):
        data = ClaimData(
            claim_type=claim_type, lines=[row["line"]], return_address=return_address, own_number=row["own_number"]
        )
        placeholder = (0, base + index, f"IMPORT/{base + index}")
        claim = _build_claim(user=user, company=company, data=data, status=status, now=now, rma=placeholder)
        claim.import_batch = batch
        claims.append(claim)
    if not claims:
        return claims
    with transaction.atomic():
        _write_placeholders(claims, rows, user=user, status=status, now=now)

    def number() -> None:
        _number_import(claims, base, now=now, user=user, company=company, batch=batch)

    if connection.in_atomic_block:
        # The claims are not committed yet: they are numbered once the caller's transaction is. Robust:
        # a failure leaves the committed claims to the housekeeping job, not the caller's response.
        transaction.on_commit(number, robust=True)
    else:
        number()
    return claims


def _write_placeholders(
    claims: list[Claim], rows: Sequence[dict[str, Any]], *, user: User, status: str, now: datetime.datetime
) -> None:
    if connection.vendor == "postgresql":
        for claim, pk in zip(claims, _reserve_ids(Claim, len(claims)), strict=True):
            claim.pk = pk
        _copy_insert(Claim, claims)
    else:
        Claim.objects.bulk_create(claims, batch_size=1000)
        if not claims[0].pk:
            # Databases without RETURNING ids on bulk insert: read them back by RMA number.
            ids = dict(
                Claim.objects.filter(rma_number__in=[c.rma_number for c in claims]).values_list("rma_number", "pk")
            )
            for claim in claims:
                claim.pk = claim.id = ids[claim.rma_number]
    lines, changes = [], []
    for claim, row in zip(claims, rows, strict=True):
        lines.extend(_lines_for(claim, [row["line"]]))
        changes.append(StatusChange(claim=claim, from_status="", to_status=status, by=user, created_at=now))
    if connection.vendor == "postgresql":
        _copy_insert(ClaimLine, lines)
        _copy_insert(StatusChange, changes)
    else:
        ClaimLine.objects.bulk_create(lines, batch_size=2000)
        StatusChange.objects.bulk_create(changes, batch_size=2000)


def _number_import(
    claims: list[Claim],
    base: int,
    *,
    now: datetime.datetime,
    user: User,
    company: Company,
    batch: ImportBatch | None,
) -> None:
    """Number an import's committed placeholders ``base`` … in chunks, then announce the claims."""
    given: dict[int, tuple[int, int, RmaNumber]] = {}
    start, end = base, base + len(claims)
    while start < end:
        chunk = _number_chunk(Q(rma_year=0, rma_seq__gte=start, rma_seq__lt=end), now)
        if not chunk:
            break  # the rest is being numbered by the housekeeping job (locked by it)
        given.update(chunk)
        start = max(chunk) + 1
    by_pk: dict[int, RmaNumber] = {pk: number for _placeholder, pk, number in given.values()}
    missing = [claim.pk for claim in claims if claim.pk not in by_pk]
    if missing:  # numbered meanwhile by the housekeeping job: read them back
        by_pk.update(
            (pk, (year, seq, number))
            for pk, year, seq, number in Claim.objects.filter(pk__in=missing).values_list(
                "pk", "rma_year", "rma_seq", "rma_number"
            )
        )
    for claim in claims:
        claim.rma_year, claim.rma_seq, claim.rma_number = by_pk.get(
            claim.pk, (claim.rma_year, claim.rma_seq, claim.rma_number)
        )
    with transaction.atomic():
        # One entry for the whole import, however many claims: the import must stay fast.
        log_action(
            batch,
            "claims.imported",
            actor=user,
            data={"count": len(claims), "first": claims[0].rma_number, "last": claims[-1].rma_number},
            company_id=company.pk,
        )
        signals.claims_created_many.send(sender=Claim, claims=claims)
    # Rendering the summary of thousands of claims takes longer than the numbers: after the commit.
    emails.claims_imported(user, claims)


# Placeholder RMA sequence numbers of an import in progress (year 0): a random block far above any real
# number, so that two imports at once do not wait for each other on the unique index.
PLACEHOLDER_BASE = 1_000_000_000
# Claims numbered per transaction: one chunk holds the year's counter for its UPDATE (a few tens of
# milliseconds for 250 claims on PostgreSQL, 21 indexes), then a web claim may take the next number.
NUMBERING_CHUNK = 250
# A placeholder older than this was left by an import that stopped before numbering it (a crash).
PLACEHOLDER_REPAIR_AFTER = datetime.timedelta(minutes=1)


def _number_chunk(placeholders: Q, now: datetime.datetime) -> dict[int, tuple[int, int, RmaNumber]]:
    """Number the first ``NUMBERING_CHUNK`` placeholders matching ``placeholders``, in their order, and commit.

    The rows are locked first (SKIP LOCKED: rows another transaction is numbering are left to it), then
    the numbers are taken and given: the counter is held only for the UPDATE and the commit.
    Returns {placeholder sequence: (placeholder sequence, pk, number given)}.
    """
    with transaction.atomic():
        rows = list(
            Claim.objects.select_for_update(skip_locked=True)
            .filter(placeholders)
            .order_by("rma_seq")
            .values_list("rma_seq", "pk")[:NUMBERING_CHUNK]
        )
        if not rows:
            return {}
        year, first = _set_rma_numbers([placeholder for placeholder, _pk in rows], now)
    return {
        placeholder: (placeholder, pk, (year, first + offset, format_rma_number(first + offset, year)))
        for offset, (placeholder, pk) in enumerate(rows)
    }


def _set_rma_numbers(placeholders: Sequence[int], now: datetime.datetime) -> tuple[int, int]:
    """Take ``len(placeholders)`` numbers and give them to the placeholder claims (sorted) in order.

    Inside the caller's transaction, which holds the year's counter until it ends. One UPDATE per run of
    consecutive placeholders (an import's chunk is one run), its numbers computed by the database from the
    placeholder's (found by the unique index of year and sequence): nothing built or sent per claim.
    Returns (year, first sequence number).
    """
    (year, seq, _number), *_rest = allocate_rma_numbers(len(placeholders), now)
    marker = "-1"
    prefix, _marker, suffix = format_rma_number(int(marker), year).partition(marker)
    offset = 0
    while offset < len(placeholders):
        run_start = placeholders[offset]
        run = 1
        while offset + run < len(placeholders) and placeholders[offset + run] == run_start + run:
            run += 1
        new_seq = F("rma_seq") - run_start + seq + offset
        updated = Claim.objects.filter(rma_year=0, rma_seq__gte=run_start, rma_seq__lt=run_start + run).update(
            rma_year=year,
            rma_seq=new_seq,
            rma_number=Concat(Value(prefix), Cast(new_seq, CharField()), Value(suffix), output_field=CharField()),
        )
        if updated != run:  # pragma: no cover - the caller locked these placeholders
            raise RuntimeError(f"{updated} of {run} placeholder claims got their RMA numbers")
        offset += run
    return year, seq


def claims_number_placeholders(*, now: datetime.datetime | None = None) -> int:
    """Number the claims an import left under placeholders (it stopped before numbering them); how many.

    Run by Celery beat. Only placeholders older than ``PLACEHOLDER_REPAIR_AFTER`` are taken (a running
    import numbers its own), in chunks like the import's, in the order of their placeholders (so an
    import's claims keep their file order), each row locked with SKIP LOCKED: it is safe to run while an
    import numbers its claims, and running it again finds nothing more to do. Then what the import would
    have sent: the ``claims_created_many`` signal (webhooks) per company and the summary e-mail per owner.
    """
    now = now or timezone.now()
    left = Q(rma_year=0, created_at__lt=now - PLACEHOLDER_REPAIR_AFTER)
    numbered: list[int] = []
    while chunk := _number_chunk(left, now):
        numbered.extend(pk for _placeholder, pk, _number in chunk.values())
    if not numbered:
        return 0
    claims = list(Claim.objects.filter(pk__in=numbered).select_related("owner").order_by("rma_year", "rma_seq"))
    by_company: dict[int, list[Claim]] = {}
    by_owner: dict[int, list[Claim]] = {}
    for claim in claims:
        by_company.setdefault(claim.company_id, []).append(claim)
        by_owner.setdefault(claim.owner_id, []).append(claim)
    with transaction.atomic():
        for company_claims in by_company.values():
            signals.claims_created_many.send(sender=Claim, claims=company_claims)
    for owner_claims in by_owner.values():
        emails.claims_imported(owner_claims[0].owner, owner_claims)
    return len(numbered)


def _reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model`` from its PostgreSQL sequence, in one query."""
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


# Fields whose Python value PostgreSQL's COPY takes as it is; any other field is prepared by Django.
_PLAIN_FIELDS = (
    "BigAutoField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "ForeignKey",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "TextField",
)


def _copy_insert(model: type[Model], objs: Sequence[Model]) -> None:
    """Insert ``objs`` with PostgreSQL's COPY: one statement, no per-row SQL; the pk goes along when set."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or objs[0].pk is not None]
    plain = [type(f).__name__ in _PLAIN_FIELDS for f in fields]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        getattr(obj, f.attname) if is_plain else f.get_db_prep_save(f.pre_save(obj, True), connection)
                        for f, is_plain in zip(fields, plain, strict=True)
                    ]
                )


def attachment_add(*, claim: Claim, upload: UploadData, by: User, change_status: bool = True) -> Attachment:
    attachment = Attachment(
        claim=claim,
        kind=upload.kind,
        original_name=(upload.original_name or getattr(upload.file, "name", "") or "file")[:200],
        content_type=upload.content_type,
        size=upload.file.size,
        uploaded_by=by,
    )
    attachment.file.save(upload.file.name or "file", upload.file, save=False)
    try:
        attachment.save()
    except BaseException:
        _delete_stored(attachment.file, [attachment.file.name or ""])
        raise
    log_action(
        claim,
        "claim.attachment_added",
        actor=by,
        data={"attachment": attachment.pk, "kind": attachment.kind, "name": attachment.original_name},
        company_id=claim.company_id,
    )
    if change_status and upload.kind == AttachmentKind.SALES_DOCUMENT:
        _register_if_awaiting(claim, by)
    return attachment


def _register_if_awaiting(claim: Claim, by: User) -> None:
    """A sales document arrived: "awaiting documents" becomes "registered", once, whatever the caller holds."""
    current = Claim.objects.select_for_update().get(pk=claim.pk)
    if workflow.awaits_documents(current.status):
        current = claim_change_status(claim=current, to=Status.REGISTERED, by=by, note="", notify=True)
    claim.status, claim.status_changed_at = current.status, current.status_changed_at


@transaction.atomic
def claim_change_status(
    *,
    claim: Claim,
    to: str,
    by: User | None,
    note: str = "",
    internal_note: str = "",
    return_tracking: str = "",
    quote: Quote | None = None,
    quote_valid_until: datetime.date | None = None,
    quote_vat_included: bool = False,
    notify: bool = True,
    partner: bool = False,
) -> Claim:
    """Move ``claim`` to status ``to`` if the workflow allows it; record it and tell the partner.

    ``quote`` is (amount, currency, text) for a paid repair offered with "waiting for the customer".
    Resolving sets the claim's resolution from the outcomes of its lines (``line_set_outcome``).
    Raises TransitionNotAllowed, and changes nothing, when the workflow says no.
    """
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if partner:
        workflow.check_partner_transition(claim.status, to)
    outcomes = list(claim.lines.order_by("position").values_list("position", "outcome"))
    resolution = workflow.resolution_for_outcomes(outcome for _position, outcome in outcomes)
    workflow.check_transition(
        claim.status,
        to,
        resolution=resolution,
        return_tracking=return_tracking or claim.return_tracking,
        quote_amount=quote[0] if quote else None,
        quote_text=quote[2] if quote else "",
        note=note,
        lines_without_outcome=[
            gettext("Product %(position)d") % {"position": position} for position, outcome in outcomes if not outcome
        ],
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
    if to == Status.RESOLVED:
        claim.resolution = resolution
    if return_tracking:
        claim.return_tracking = return_tracking
    if quote and to == Status.WAITING_CUSTOMER:
        claim.quote_amount, claim.quote_currency, claim.quote_text = quote
        claim.quote_valid_until, claim.quote_vat_included = quote_valid_until, quote_vat_included
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
            "quote_valid_until",
            "quote_vat_included",
            "quote_decision",
        ]
    )
    log_action(
        claim,
        "claim.cancelled" if partner and to == Status.CANCELLED else "claim.status_changed",
        actor=by,
        data={"from": change.from_status, "to": to, "note": note, "internal_note": internal_note},
        company_id=claim.company_id,
    )
    if notify:
        emails.status_changed(change)
    signals.claim_status_changed.send(sender=Claim, claim=claim, change=change)
    return claim


@transaction.atomic
def claim_add_note(*, claim: Claim, by: User | None, note: str = "", internal_note: str = "") -> StatusChange:
    """A note on the timeline without a change of status; the partner gets an e-mail when it is for them."""
    if not note.strip() and not internal_note.strip():
        raise DomainError(_("Write a note to save."), field="note", code="note_empty")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    change = StatusChange.objects.create(
        claim=claim,
        from_status=claim.status,
        to_status=claim.status,
        by=by,
        note=note.strip(),
        internal_note=internal_note.strip(),
    )
    if change.note:
        emails.status_changed(change)
    return change


@transaction.atomic
def line_set_outcome(
    *, line: ClaimLine, outcome: str, replacement_serial: str = "", reason: str = "", by: User | None = None
) -> ClaimLine:
    """Record what the service did with one product; '' clears it while the claim is still open."""
    rules.check_line_outcome(outcome, replacement_serial=replacement_serial, reason=reason)
    line.outcome = outcome
    line.replacement_serial = replacement_serial.strip() if outcome == LineOutcome.REPLACED else ""
    line.outcome_reason = reason.strip() if outcome == LineOutcome.RETURNED_UNREPAIRED else ""
    line.save(update_fields=["outcome", "replacement_serial", "outcome_reason"])
    return line


def claim_cancel(*, claim: Claim, by: User, note: str = "") -> Claim:
    return claim_change_status(claim=claim, to=Status.CANCELLED, by=by, note=note, partner=True)


@transaction.atomic
def message_post(
    *, claim: Claim, author: User, body: str, from_service: bool = False, internal: bool = False
) -> Message:
    message = Message.objects.create(
        claim=claim, author=author, body=body.strip(), from_service=from_service, internal=internal
    )
    log_action(
        claim,
        "claim.message_posted",
        actor=author,
        data={"message": message.pk, "from_service": from_service, "internal": internal},
        company_id=claim.company_id,
    )
    if not internal:
        if from_service:
            emails.service_replied(message)
            signals.claim_message_from_service.send(sender=Claim, message=message)
        else:
            emails.partner_wrote(message)
    return message


@transaction.atomic
def quote_decide(*, claim: Claim, by: User, accept: bool) -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if by.pk != claim.owner_id and not access.is_company_admin(by, claim.company):
        raise NotAllowed(
            _("A quote is decided by the colleague who opened the claim or by a company administrator."),
            code="quote_not_yours",
        )
    workflow.check_quote_decision(claim.status, claim.quote_decision)
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
    log_action(
        claim,
        "claim.quote_decided",
        actor=by,
        data={"decision": claim.quote_decision, "amount": claim.quote_amount, "currency": claim.quote_currency},
        company_id=claim.company_id,
    )
    emails.quote_decided(claim)
    return claim


@transaction.atomic
def sales_document_attach_many(*, assignments: Sequence[tuple[Claim, CheckedUpload]], by: User) -> int:
    """Attach sales documents to imported claims; one file shared by several claims is stored once."""
    stored: dict[int, Attachment] = {}
    for claim, uploaded in assignments:
        key = id(uploaded)
        if key in stored:
            first = stored[key]
            copy = Attachment.objects.create(
                claim=claim,
                kind=AttachmentKind.SALES_DOCUMENT,
                file=first.file.name,
                original_name=first.original_name,
                content_type=first.content_type,
                size=first.size,
                uploaded_by=by,
            )
            log_action(
                claim,
                "claim.attachment_added",
                actor=by,
                data={"attachment": copy.pk, "kind": copy.kind, "name": copy.original_name, "shared_with": first.pk},
                company_id=claim.company_id,
            )
            _register_if_awaiting(claim, by)
        else:
            stored[key] = attachment_add(
                claim=claim,
                upload=UploadData.from_checked(uploaded, AttachmentKind.SALES_DOCUMENT),
                by=by,
            )
    return len(assignments)


def claims_change_status_bulk(
    *, claims: Iterable[Claim], to: str, by: User, note: str = ""
) -> tuple[list[Claim], list[tuple[Claim, DomainError]]]:
    """Change every claim that may change; return (changed, refused) with the error refusing each."""
    changed: list[Claim] = []
    refused: list[tuple[Claim, DomainError]] = []
    for claim in claims:
        try:
            with transaction.atomic():
                claim_change_status(claim=claim, to=to, by=by, note=note)
        except DomainError as error:
            refused.append((claim, error))
        else:
            changed.append(claim)
    return changed, refused


class HeldResult(list[HeldUpload]):
    """The files kept for the next try; ``over_quota`` counts those that did not fit in the person's quota."""

    over_quota: int = 0


@transaction.atomic
def held_uploads_keep(
    *, owner: User, uploads: Iterable[tuple[CheckedUpload, str]], now: datetime.datetime | None = None
) -> HeldResult:
    """Keep checked files of a claim form that came back with errors, for the partner's next try.

    ``uploads`` are (file, attachment kind). The files are stored under random
    names; ``held_uploads_release`` removes them once used, or once stale.
    A person holds at most MAX_HELD_FILES_PER_USER files and
    MAX_HELD_BYTES_PER_USER bytes at a time: files past that are not kept.
    """
    # One person's parallel forms count their quota one after the other.
    get_user_model().objects.select_for_update(no_key=True).filter(pk=owner.pk).first()
    since = (now or timezone.now()) - datetime.timedelta(hours=HeldUpload.HOLD_HOURS)
    current = HeldUpload.objects.filter(owner=owner, created_at__gte=since)
    count = current.count()
    total = sum(current.values_list("size", flat=True))
    result = HeldResult()
    written: list[str] = []
    try:
        for upload, kind in uploads:
            if count + 1 > MAX_HELD_FILES_PER_USER or total + upload.size > MAX_HELD_BYTES_PER_USER:
                result.over_quota += 1
                continue
            kept = HeldUpload(
                owner=owner,
                kind=kind,
                original_name=safe_download_name(upload.file.name or "file")[:200],
                content_type=upload.content_type,
                size=upload.size,
            )
            kept.file.save(upload.file.name or "file", upload.file, save=False)
            written.append(kept.file.name or "")
            kept.save()
            result.append(kept)
            count, total = count + 1, total + upload.size
    except BaseException:
        _delete_stored(HeldUpload._meta.get_field("file"), written)
        raise
    return result


# A partner (company) may run this many CSV imports an hour; the count lives in the shared cache.
CLAIM_IMPORTS_PER_HOUR = 20
# A render queued this long ago without a document (a lost worker) may be queued again by a GET.
HANDOVER_REQUEUE_AFTER = datetime.timedelta(minutes=15)


def claim_import_quota_take(*, company: Company, now: datetime.datetime | None = None) -> None:
    """Count one CSV import of ``company`` in this hour, or RuleViolation when the hour's imports are used up."""
    from django.core.cache import cache

    hour = int((now or timezone.now()).timestamp() // 3600)
    key = f"claims:imports:{company.pk}:{hour}"
    cache.add(key, 0, timeout=3600 + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600 + 60)
        count = 1
    if count > CLAIM_IMPORTS_PER_HOUR:
        raise RuleViolation(
            _("Your company has run %(n)d imports in the last hour, the most allowed. Try again in an hour.")
            % {"n": CLAIM_IMPORTS_PER_HOUR},
            field="file",
            code="too_many_imports",
        )


def handover_render_claim(*, batch: ImportBatch, now: datetime.datetime | None = None) -> bool:
    """Mark the one render of ``batch``'s handover document as queued; False when one already is (or is done).

    Parallel GETs and the import itself race for one conditional update: only its winner queues
    (``claims.tasks.queue_batch_handover``).
    """
    now = now or timezone.now()
    pending = Q(handover_requested_at__isnull=True) | Q(handover_requested_at__lt=now - HANDOVER_REQUEUE_AFTER)
    won = ImportBatch.objects.filter(pending, pk=batch.pk, handover_pdf="").update(handover_requested_at=now)
    if won:
        batch.handover_requested_at = now
    return bool(won)


def held_uploads_release(held: Sequence[HeldUpload]) -> None:
    """Kept files that became attachments (copied under new names) go, with the owner's stale ones."""
    if not held:
        return
    owner = held[0].owner_id
    stale = timezone.now() - datetime.timedelta(hours=HeldUpload.HOLD_HOURS)
    doomed = list(HeldUpload.objects.filter(Q(pk__in=[h.pk for h in held]) | Q(owner=owner, created_at__lt=stale)))
    _held_uploads_delete(doomed)


def _held_uploads_delete(doomed: Sequence[HeldUpload]) -> None:
    """Delete the rows now and their files once the transaction commits: a rollback keeps both."""
    names = [h.file.name for h in doomed if h.file.name]
    HeldUpload.objects.filter(pk__in=[h.pk for h in doomed]).delete()
    storage = HeldUpload._meta.get_field("file").storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)


@transaction.atomic
def held_uploads_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Remove every kept file older than its hold time, rows and files; returns how many went.

    Run by Celery beat; running it again finds nothing more to do.
    """
    stale = (now or timezone.now()) - datetime.timedelta(hours=HeldUpload.HOLD_HOURS)
    doomed = list(HeldUpload.objects.select_for_update(skip_locked=True).filter(created_at__lt=stale))
    if not doomed:
        return 0
    _held_uploads_delete(doomed)
    return len(doomed)
