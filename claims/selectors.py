"""Reads of claims, always scoped to the company of the person asking (accounts.access)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation

from accounts import access
from accounts.models import shown_name
from core.compiled import IdsQuery, PrecompiledQuery
from warranty.codes import normalise_serial
from warranty.models import Product
from warranty.selectors import Verdict, serial_check, warranty_for_ean

from .models import (
    Attachment,
    Claim,
    ClaimLine,
    ClaimStatusTally,
    HeldUpload,
    ImportBatch,
    LineVerdict,
    Message,
    StatusChange,
)
from .rules import LineWarranty
from .statuses import Status
from .workflow import OPEN_STATUSES, needs_partner_action

if TYPE_CHECKING:
    from accounts.models import User


def company_claims(company_id: int) -> QuerySet[Claim]:
    """The claims of a company that its members may see (visible_claims, and the precompiled reads below):
    not those of an import still waiting for their RMA numbers (placeholders, year 0)."""
    return Claim.objects.filter(company_id=company_id, rma_year__gt=0)


def visible_claims(user: User) -> QuerySet[Claim]:
    """The claims ``user`` may see: those of the company they are an active member of, else none.

    Not the claims of an import still waiting for their RMA numbers (placeholders, year 0): a partner
    never sees a claim without its number (``services.claims_create_many``).
    """
    company = access.active_company(user)
    if company is None:
        return Claim.objects.none()
    return company_claims(company.pk)


# A claim page's reads, compiled once per process (core.compiled): their compiling cost more than
# PostgreSQL took to answer them. The people are shown by name: their phone numbers (parsed on load)
# are left in the database.
_CLAIM = PrecompiledQuery(
    Claim,
    lambda company_id, pk: (
        company_claims(company_id).filter(pk=pk).select_related("claim_type", "owner").defer("owner__phone")
    ),
)
_LINES = PrecompiledQuery(
    ClaimLine,
    lambda claim_id: (
        ClaimLine.objects.filter(claim_id=claim_id).select_related("product__brand", "fault_type").order_by("position")
    ),
)
_ATTACHMENTS = PrecompiledQuery(
    Attachment, lambda claim_id: Attachment.objects.filter(claim_id=claim_id).order_by("created_at", "id")
)
_TIMELINE = PrecompiledQuery(
    StatusChange,
    lambda claim_id: (
        StatusChange.objects.filter(claim_id=claim_id)
        .select_related("by")
        .defer("by__phone")
        .order_by("created_at", "id")
    ),
)
_MESSAGES = PrecompiledQuery(
    Message,
    lambda claim_id: (
        Message.objects.filter(claim_id=claim_id, internal=False)
        .select_related("author")
        .defer("author__phone")
        .order_by("created_at", "id")
    ),
)


def get_claim_for_user(user: User, pk: int) -> Claim:
    """The one ownership check every claim view uses: another company's claim is a 404."""
    company = access.active_company(user)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    # An id past the column's range (a typed URL) finds nothing, as the ORM's lookup would say.
    found = _CLAIM.all(company.pk, pk) if company is not None and 0 < pk < 2**63 else []
    if not found:
        raise Http404
    return found[0]


def parse_rma_number(query: str) -> tuple[int, int] | None:
    """'rma / 12 / sr / 2026', 'RMA12SR2026' or 'RMA/12/SR/2026' -> (2026, 12); None if not an RMA number."""
    compact = re.sub(r"[\s/\-]+", "", query.upper())
    match = re.match(r"^(?:RMA)?(\d{1,9})([A-Z]{1,10})(\d{4})$", compact)
    if not match:
        return None
    return int(match.group(3)), int(match.group(1))


def claims_for_user(user: User, *, status: str | None = None, mine: bool = False) -> QuerySet[Claim]:
    claims = visible_claims(user)
    if mine:
        claims = claims.filter(owner=user)
    claims = (
        # No aggregate here: it would run over every claim of the company before the LIMIT, and the
        # paginator's COUNT would become a grouped subquery. The page's lines come from the prefetch.
        claims.select_related("claim_type", "owner")
        # The owner's name is shown, never the phone, whose parsing costs more than the rest of the row.
        .defer("owner__phone")
        # As a list on each claim (``claim.listed_lines``): ``claim.lines.all()`` would build a queryset per row.
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ClaimLine.objects.select_related("product").order_by("position"),
                to_attr="listed_lines",
            )
        )
        .order_by("-created_at", "-id")
    )
    if status:
        claims = claims.filter(status=status)
    return claims


def _claim_type_choices_key(language: str) -> str:
    return f"claims:claim-type-choices:{language}"


def claim_type_choices() -> list[tuple[int, str]]:
    """(id, name in the active language) of every claim type, in their order, for the list's filter.
    Cached per language until a claim type changes (claims.apps)."""
    key = _claim_type_choices_key(translation.get_language() or settings.LANGUAGE_CODE)
    choices = cache.get(key)
    if choices is None:
        from .models import ClaimType

        choices = [(claim_type.pk, str(claim_type)) for claim_type in ClaimType.objects.all()]
        cache.set(key, choices, timeout=None)
    return choices


def forget_claim_type_choices(**_kwargs: object) -> None:
    keys = [_claim_type_choices_key(code) for code, _name in settings.LANGUAGES]
    cache.delete_many(keys)
    # Again after commit: another process may have cached the old list in between.
    transaction.on_commit(lambda: cache.delete_many(keys))


def rma_prefix(query: str) -> str | None:
    """The start of an RMA number the query can be: "5" -> "RMA/5", "rma 4" -> "RMA/4"; None otherwise."""
    compact = query.strip().upper()
    if re.fullmatch(r"[0-9]{1,9}", compact):
        return f"RMA/{compact}"
    match = re.fullmatch(r"RMA[\s/\-]*([0-9A-Z\s/\-]{0,30})", compact)
    if not match:
        return None
    rest = re.sub(r"[\s/\-]+", "/", match.group(1))
    return f"RMA/{rest}"


MAX_PRODUCT_MATCHES = 200
MAX_EXACT_MATCHES = 1000


def _exact_matches(company_id: int, serial: str, term: str, *rma: int) -> QuerySet:
    """The ids of a company's claims that carry ``serial``, ``term`` (own number, waybill) or the RMA
    number (year, sequence) exactly: claim_search_condition's first step, as one union."""
    claims, lines = Claim.objects.filter(company_id=company_id), ClaimLine.objects.filter(claim__company_id=company_id)
    exact = [
        lines.filter(serial=serial).values("claim_id"),
        claims.filter(own_number__iexact=term).values("pk"),
        claims.filter(waybill=term).values("pk"),
    ]
    if rma:
        exact.append(claims.filter(rma_year=rma[0], rma_seq=rma[1]).values("pk"))
    first, *others = (match.order_by() for match in exact)
    return first.union(*others).values_list("pk", flat=True)[:MAX_EXACT_MATCHES]


# Compiled once for each kind of term (with or without an RMA number's year and sequence). Not prepared
# (core.compiled.fetch_all): own numbers and waybills are mostly blank, so a plan made without the term
# reads the company's every claim; planned for the term, it reads the one index entry.
_EXACT_MATCHES = PrecompiledQuery(Claim, _exact_matches, prepare=False)


def claim_search_condition(query: str, *, company_id: int | None = None) -> Q:
    """The one claim search, of the partner's list and of the admin (which adds no company scope).

    A whole serial, own claim number, waybill or RMA number finds the claims that carry it exactly;
    otherwise partial matches: the start of the RMA number, any part of a line's serial, of the own claim
    number, of the waybill or of a product's name. Each "contains" runs on PostgreSQL on a trigram
    index (claims 0011, warranty 0005); SQLite does a LIKE scan. With ``company_id`` each part looks at
    that company's claims only, which keeps the sets small; the caller still scopes the result.
    """
    term = query.strip()
    serial = normalise_serial(term) or term
    # A union of id sets, each found on its own index, rather than one OR: PostgreSQL cannot combine
    # a subquery and several columns in an OR on indexes and would scan every claim.
    claims, lines = Claim.objects.all(), ClaimLine.objects.all()
    if company_id is not None:
        claims, lines = claims.filter(company_id=company_id), lines.filter(claim__company_id=company_id)
    # A whole serial, own claim number, waybill or RMA number finds its claims alone, on a b-tree index:
    # serials of one maker differ in their last digits, and a part of one ("contains", on the trigram
    # index) would recheck thousands of lines that share its first digits.
    exact = [
        lines.filter(serial=serial).values("claim_id"),
        claims.filter(own_number__iexact=term).values("pk"),
        claims.filter(waybill=term).values("pk"),
    ]
    rma = parse_rma_number(term)
    if company_id is not None and connection.vendor == "postgresql":
        # The partner's search: the same union, its SQL compiled once per process (core.compiled).
        found = _EXACT_MATCHES.all(company_id, serial, term, *(rma or ()))
    else:
        if rma:
            exact.append(claims.filter(rma_year=rma[0], rma_seq=rma[1]).values("pk"))
        first_exact, *other_exact = (match.order_by() for match in exact)
        found = list(first_exact.union(*other_exact).values_list("pk", flat=True)[:MAX_EXACT_MATCHES])
    if found:
        return Q(pk__in=found)
    matches = [
        claims.filter(own_number__icontains=term).values("pk"),
        claims.filter(waybill__icontains=term).values("pk"),
        lines.filter(serial__icontains=serial).values("claim_id"),
    ]
    # The catalogue is small: its matches are read first, so the planner knows how few lines they are.
    products = list(Product.objects.filter(name__icontains=term).values_list("pk", flat=True)[:MAX_PRODUCT_MATCHES])
    if products:
        matches.append(lines.filter(product__in=products).values("claim_id"))
    prefix = rma_prefix(term)
    if prefix:
        matches.append(claims.filter(rma_number__istartswith=prefix).values("pk"))
    first, *others = (match.order_by() for match in matches)
    return Q(pk__in=first.union(*others))


def claims_search(user: User, query: str, *, mine: bool = False) -> QuerySet[Claim]:
    """Claims of ``user`` that match ``query`` (claim_search_condition)."""
    query = (query or "").strip()
    if not query:
        return Claim.objects.none()
    company = access.active_company(user)
    return claims_for_user(user, mine=mine).filter(
        claim_search_condition(query, company_id=company.pk if company else None)
    )


_STATUS_ORDER = Case(
    *(When(status=status, then=Value(index)) for index, status in enumerate(Status)), output_field=IntegerField()
)

# The orders the list offers, each with its key (a "-" in front reverses it). "age" is the time in the current status.
SORTS: dict[str, tuple[str, ...]] = {
    "rma": ("rma_year", "rma_seq"),
    "date": ("created_at", "id"),
    "status": ("status_order", "-created_at", "-id"),
    "age": ("-status_changed_at", "-id"),
}
DEFAULT_SORT = "-date"


def sort_choices() -> list[str]:
    return [key for name in SORTS for key in (name, f"-{name}")]


@dataclass(frozen=True)
class ClaimFilter:
    """What the partner asks the claim list for; every field is optional."""

    query: str = ""
    status: str = ""
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None
    brand_id: int | None = None
    claim_type_id: int | None = None
    mine: bool = False
    creator_id: int | None = None
    needs_action: bool = False
    sort: str = DEFAULT_SORT

    def by_status_only(self) -> bool:
        """Nothing narrows the list but statuses (one status, "needs your action"): the tally counts it."""
        return not (
            self.query.strip()
            or self.opened_from
            or self.opened_to
            or self.brand_id
            or self.claim_type_id
            or self.mine
            or self.creator_id
        )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_claims(claims: QuerySet[Claim], wanted: ClaimFilter, *, company_id: int | None = None) -> QuerySet[Claim]:
    """``claims`` (of ``company_id`` if given) narrowed and ordered as ``wanted`` says; an unknown sort
    falls back to the newest first."""
    if wanted.query.strip():
        claims = claims.filter(claim_search_condition(wanted.query, company_id=company_id))
    if wanted.status:
        claims = claims.filter(status=wanted.status)
    if wanted.needs_action:
        claims = claims.filter(status__in=needs_partner_action())
    if wanted.opened_from:
        claims = claims.filter(created_at__gte=_start_of(wanted.opened_from))
    if wanted.opened_to:
        claims = claims.filter(created_at__lt=_start_of(wanted.opened_to + datetime.timedelta(days=1)))
    if wanted.brand_id:
        claims = claims.filter(pk__in=ClaimLine.objects.filter(product__brand_id=wanted.brand_id).values("claim_id"))
    if wanted.claim_type_id:
        claims = claims.filter(claim_type_id=wanted.claim_type_id)
    if wanted.creator_id:
        claims = claims.filter(owner_id=wanted.creator_id)
    sort = wanted.sort if wanted.sort in sort_choices() else DEFAULT_SORT
    name, descending = sort.lstrip("-"), sort.startswith("-")
    order = [(key[1:] if key.startswith("-") else f"-{key}") if descending else key for key in SORTS[name]]
    if name == "status":
        claims = claims.annotate(status_order=_STATUS_ORDER)
    return claims.order_by(*order)


def claims_filtered(user: User, wanted: ClaimFilter) -> QuerySet[Claim]:
    """The company's claims as the list and its exports show them."""
    company = access.active_company(user)
    return filter_claims(claims_for_user(user, mine=wanted.mine), wanted, company_id=company.pk if company else None)


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One claim as a table of claims shows it (the list, the dashboard): read as columns, without the
    model instances (claim, type, owner, lines, products) a page of 25 would otherwise build."""

    pk: int
    rma_number: str
    own_number: str
    status: str
    claim_type_id: int | None
    created_at: datetime.datetime
    status_changed_at: datetime.datetime | None
    owner_name: str
    lines: tuple[tuple[str, str], ...]  # (product name, serial), in line order

    def get_status_display(self) -> str:
        return str(Status(self.status).label)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("claim_detail", args=[self.pk])


ROW_COLUMNS = (
    "pk",
    "rma_number",
    "own_number",
    "status",
    "claim_type_id",
    "created_at",
    "status_changed_at",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def _list_page(shape: tuple, company_id: int, *status: str) -> QuerySet:
    """A page of the claim list in its default order, as row_values() tuples (``shape``: (start, stop))."""
    start, stop = shape
    claims = company_claims(company_id)
    if status:
        claims = claims.filter(status=status[0])
    return claims.order_by("-created_at", "-id").values_list(*ROW_COLUMNS)[start:stop]


_LIST_PAGES: dict[tuple, PrecompiledQuery] = {}


class PrecompiledListRows:
    """The claim list's rows in its default order (all claims, or one status), for a paginator that
    knows the total already (``tally_count``): a slice reads the page through SQL compiled once per
    page window (core.compiled), as row_values() would have read it."""

    def __init__(self, company_id: int, status: str = ""):
        self.company_id, self.status = company_id, status

    def __getitem__(self, window: slice) -> list[tuple]:
        shape = (window.start or 0, window.stop)
        query = _LIST_PAGES.get(shape)
        if query is None:
            if len(_LIST_PAGES) >= 256:
                return list(_list_page(shape, self.company_id, *([self.status] if self.status else [])))
            query = _LIST_PAGES[shape] = PrecompiledQuery(
                Claim, lambda company_id, *status, shape=shape: _list_page(shape, company_id, *status)
            )
        return query.all(self.company_id, *([self.status] if self.status else []))


def precompiled_list_rows(user: User, wanted: ClaimFilter) -> PrecompiledListRows | None:
    """The rows of the list for ``wanted`` through precompiled SQL, when it has no filter but a status and
    the default order (PostgreSQL); else None (row_values() of claims_filtered())."""
    company = access.active_company(user)
    plain = wanted.by_status_only() and not wanted.needs_action
    if company is None or not plain or wanted.sort != DEFAULT_SORT or connection.vendor != "postgresql":
        return None
    return PrecompiledListRows(company.pk, wanted.status)


def row_values(claims: QuerySet[Claim]) -> QuerySet:
    """``claims`` (filtered and ordered) as the tuples claim_rows() reads; paginate these."""
    return claims.select_related(None).prefetch_related(None).values_list(*ROW_COLUMNS)


# The lines of a page of ClaimRows: one query, compiled once per process (core.compiled).
ROW_LINES = IdsQuery(
    ClaimLine,
    "claim_id",
    lambda lookup, ids: (
        ClaimLine.objects.filter(**{lookup: ids})
        .order_by("claim_id", "position")
        .values_list("claim_id", "product__name", "serial")
    ),
)


def claim_rows(values: Iterable[tuple]) -> list[ClaimRow]:
    """Rows of row_values() as ClaimRows, with their lines read in one query."""
    values = list(values)
    lines: dict[int, list[tuple[str, str]]] = {value[0]: [] for value in values}
    for claim_id, name, serial in ROW_LINES.rows(lines):
        lines[claim_id].append((name, serial))
    return [
        ClaimRow(
            pk=pk,
            rma_number=rma_number,
            own_number=own_number,
            status=status,
            claim_type_id=claim_type_id,
            created_at=created_at,
            status_changed_at=status_changed_at,
            owner_name=shown_name(first, last, username),
            lines=tuple(lines[pk]),
        )
        for pk, rma_number, own_number, status, claim_type_id, created_at, status_changed_at, first, last, username in (
            values
        )
    ]


def status_counts(user: User) -> dict[str, int]:
    """The number of claims per status of the company ``user`` may see (none: {}); statuses without claims are left out.

    Read off the tally the triggers on claims_claim keep (claims.models.ClaimStatusTally): a few delta
    rows per status, however many claims the company has.
    """
    company = access.active_company(user)
    if company is None:
        return {}
    rows = (
        ClaimStatusTally.objects.filter(company=company)
        .values("status")
        .annotate(n=Sum("delta"))
        .exclude(n=0)
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def tally_count(user: User, wanted: ClaimFilter) -> int | None:
    """How many claims the list shows for ``wanted``, read off the tally when only statuses narrow it
    (all claims, one status, "needs your action"); None when another filter needs a count of its own."""
    if not wanted.by_status_only():
        return None
    counts = status_counts(user)
    statuses = set(counts)
    if wanted.status:
        statuses &= {wanted.status}
    if wanted.needs_action:
        statuses &= set(needs_partner_action())
    return sum(counts[status] for status in statuses)


def claim_detail(
    user: User, pk: int
) -> tuple[Claim, list[ClaimLine], list[Attachment], list[StatusChange], list[Message]]:
    claim = get_claim_for_user(user, pk)
    lines, attachments, timeline, messages = (
        query.all(claim.pk) for query in (_LINES, _ATTACHMENTS, _TIMELINE, _MESSAGES)
    )
    # Each child knows its claim, as claim.lines.all() would have told it.
    for child in (*lines, *attachments, *timeline, *messages):
        child.claim = claim
    return claim, lines, attachments, timeline, messages


def get_attachment_for_user(user: User, claim_pk: int, pk: int) -> Attachment:
    company = access.active_company(user)
    if company is None:
        raise Http404
    return get_object_or_404(Attachment, pk=pk, claim_id=claim_pk, claim__company=company)


def get_batch_for_user(user: User, pk: int) -> ImportBatch:
    company = access.active_company(user)
    if company is None:
        raise Http404
    return get_object_or_404(ImportBatch, pk=pk, company=company)


def open_claim_lines_with_serials(user: User, serials: Iterable[str]) -> list[ClaimLine]:
    """Lines of the company's open claims that carry one of ``serials``: a new claim for one is a duplicate."""
    serials = [s for s in serials if s]
    company = access.active_company(user)
    if not serials or company is None:
        return []
    return list(
        ClaimLine.objects.filter(claim__company=company, serial__in=serials, claim__status__in=OPEN_STATUSES)
        .select_related("claim", "product")
        .order_by("claim__created_at")
    )


def held_uploads_for_user(user: User, *, now: datetime.datetime | None = None) -> list[HeldUpload]:
    """The files kept from the user's failed claim forms that are still kept (younger than HOLD_HOURS)."""
    since = (now or timezone.now()) - datetime.timedelta(hours=HeldUpload.HOLD_HOURS)
    return list(HeldUpload.objects.filter(owner=user, created_at__gte=since).order_by("created_at", "id"))


def line_warranty(
    *, user: User, product: Product, serial: str = "", today: datetime.date | None = None
) -> LineWarranty:
    """The warranty of one claim line for the user's company, by the dashboard's own lookups.

    By the serial where the brand's serials are tracked and one is given, else
    by the EAN (the company's latest purchase of the product). The verdict is ''
    when the company's purchases cannot be asked (no proven VAT id).
    """
    if not access.purchases_vat_id(user):
        return LineWarranty()
    if product.brand.serials_tracked and serial:
        found = serial_check(user=user, raw_serial=serial, today=today, tracked=[])
        if not found.found or found.sold_serial is None:
            return LineWarranty(verdict=LineVerdict.NOT_BOUGHT)
        return LineWarranty(
            verdict=LineVerdict.IN_WARRANTY if found.in_warranty else LineVerdict.EXPIRED,
            purchase_date=found.sold_serial.invoice_date,
            warranty_until=found.warranty_end,
        )
    result = warranty_for_ean(user=user, raw_ean=product.ean, today=today)
    if result.verdict == Verdict.NOT_BOUGHT:
        return LineWarranty(verdict=LineVerdict.NOT_BOUGHT)
    if result.verdict in (Verdict.IN_WARRANTY, Verdict.EXPIRED):
        return LineWarranty(
            verdict=LineVerdict.IN_WARRANTY if result.verdict == Verdict.IN_WARRANTY else LineVerdict.EXPIRED,
            purchase_date=result.last_purchase,
            warranty_until=result.warranty_end,
        )
    return LineWarranty()
