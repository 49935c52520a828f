"""Reads of claims, always scoped to the company of the person asking (accounts.access)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Upper
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import access
from warranty.codes import normalise_serial
from warranty.models import Product
from warranty.selectors import Verdict, serial_check, warranty_for_ean

from .models import Attachment, Claim, ClaimLine, HeldUpload, ImportBatch, LineVerdict, Message, StatusChange
from .rules import LineWarranty
from .workflow import OPEN_STATUSES

if TYPE_CHECKING:
    from accounts.models import User


def visible_claims(user: User) -> QuerySet[Claim]:
    """The claims ``user`` may see: those of the company they are an active member of, else none."""
    company = access.active_company(user)
    if company is None:
        return Claim.objects.none()
    return Claim.objects.filter(company=company)


def get_claim_for_user(user: User, pk: int) -> Claim:
    """The one ownership check every claim view uses: another company's claim is a 404."""
    return get_object_or_404(visible_claims(user).select_related("claim_type", "owner"), pk=pk)


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
        claims.select_related("claim_type", "owner")
        .annotate(line_count=Count("lines"))
        .prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.select_related("product").order_by("position")))
        .order_by("-created_at", "-id")
    )
    if status:
        claims = claims.filter(status=status)
    return claims


def claims_search(user: User, query: str, *, mine: bool = False) -> QuerySet[Claim]:
    """Claims of ``user`` whose RMA number, a line's serial or the own claim number matches."""
    query = (query or "").strip()
    if not query:
        return Claim.objects.none()
    condition = Q(lines__serial=normalise_serial(query)) | Q(own_number_upper=query.upper())
    rma = parse_rma_number(query)
    if rma:
        condition |= Q(rma_year=rma[0], rma_seq=rma[1])
    matching = visible_claims(user).annotate(own_number_upper=Upper("own_number")).filter(condition).values("pk")
    return claims_for_user(user, mine=mine).filter(pk__in=matching)


def status_counts(user: User) -> dict[str, int]:
    rows = visible_claims(user).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def claim_detail(
    user: User, pk: int
) -> tuple[Claim, list[ClaimLine], list[Attachment], list[StatusChange], list[Message]]:
    claim = get_claim_for_user(user, pk)
    lines = list(claim.lines.select_related("product__brand", "fault_type").order_by("position"))
    attachments = list(claim.attachments.order_by("created_at", "id"))
    timeline = list(StatusChange.objects.filter(claim=claim).select_related("by").order_by("created_at", "id"))
    messages = list(
        Message.objects.filter(claim=claim, internal=False).select_related("author").order_by("created_at", "id")
    )
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
