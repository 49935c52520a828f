"""The partner API, v1: thin views over the claims and warranty selectors and services.

A request authenticated by a company key acts as the key's creating
administrator (api.authentication), so every read and write passes through
the portal's one ownership path: another company's claim is a 404.
"""

from __future__ import annotations

import contextlib
import datetime
import json

from django.db import connection, transaction
from django.db.models import Q, TextField
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from claims import csv_import, selectors, services
from claims.labels import render_claim_label
from claims.models import Claim, ClaimType
from claims.statuses import Status
from core.compiled import PrecompiledQuery
from core.errors import RuleViolation
from warranty import selectors as warranty_selectors

from . import claim_input
from . import serializers as s
from .idempotency import HEADER, idempotent
from .renderers import JSONFragments

PROBLEM = OpenApiResponse(
    response=inline_serializer(
        "Problem",
        {
            "type": drf_serializers.CharField(),
            "title": drf_serializers.CharField(),
            "status": drf_serializers.IntegerField(),
            "detail": drf_serializers.CharField(required=False),
            "code": drf_serializers.CharField(required=False),
            "errors": drf_serializers.DictField(
                child=drf_serializers.ListField(child=drf_serializers.CharField()), required=False
            ),
        },
    ),
    description="application/problem+json (RFC 9457)",
)
ERRORS = {(code, "application/problem+json"): PROBLEM for code in (400, 401, 403, 404, 409, 422, 429)}
IDEMPOTENCY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID): a retry with the same key and body returns the first answer.",
)
RMA = OpenApiParameter(
    "rma", OpenApiTypes.STR, OpenApiParameter.PATH, description="The RMA number, with dashes: RMA-12-SR-2026."
)


class ApiView(APIView):
    """Errors in the key's language, else in the request's Accept-Language."""

    def initial(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request._request)
        translation.activate(language)
        super().initial(request, *args, **kwargs)
        key = request.auth
        if key is not None and key.language:
            translation.activate(key.language)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        return response


def claim_for(request, rma: str):
    """The claim with this RMA number, if the key's company owns it; else 404."""
    number = selectors.parse_rma_number(rma)
    if number is None:
        raise Http404
    return get_object_or_404(selectors.visible_claims(request.user), rma_year=number[0], rma_seq=number[1])


@contextlib.contextmanager
def not_found_on_rule():
    """A lookup whose code gives nothing (malformed or unknown) is a 404, with the portal's message."""
    try:
        yield
    except RuleViolation as error:
        raise NotFound(error.message) from None


def _position(value: str) -> tuple[datetime.datetime, int]:
    """A cursor's position, "<created_at ISO>|<id>"; a forged cursor is a 404 (not a server error)."""
    moment, _bar, pk = value.rpartition("|")
    parsed = parse_datetime(moment) if moment else None
    if parsed is None or timezone.is_naive(parsed) or not (pk.isdigit() and len(pk) < 19):
        raise NotFound(ClaimCursor.invalid_cursor_message)
    return parsed, int(pk)


def _beyond(lookup: str, moment: datetime.datetime, pk: int) -> Q:
    """The claims after a position in the list's order, ``(created_at, id) < (moment, pk)`` (``__lt``) or
    ``>`` (``__gt``, a previous page): a range on claim_company_created_idx, then the tie broken by id."""
    if lookup.endswith("__lt"):
        return Q(created_at__lte=moment) & (Q(created_at__lt=moment) | Q(id__lt=pk))
    return Q(created_at__gte=moment) & (Q(created_at__gt=moment) | Q(id__gt=pk))


class ClaimCursor(CursorPagination):
    """Newest first, as the portal lists them. DRF's cursor keeps the first ordering field as its
    position, and the claims of one CSV import share their moment of creation: a page boundary inside
    such a tie skipped claims. The position here is the pair (created_at, id), unique, and the page
    after it is filtered on the pair (``_beyond``)."""

    ordering = ("-created_at", "-id")
    # The portal's page (25); a system that reads more asks for up to 200.
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            _position(cursor.position)
        return cursor

    def _get_position_from_instance(self, instance, ordering):
        if "position" in instance:  # written by PostgreSQL (_summaries)
            return instance["position"]
        return f"{instance['created_at'].isoformat()}|{instance['id']}"

    def paginate_queryset(self, queryset, request, view=None):
        if not isinstance(queryset, PrecompiledClaimPage):
            queryset = _PositionedQuerySet(queryset)
        return super().paginate_queryset(queryset, request, view=view)

    def get_page_size(self, request):
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        if len(raw) > 1 or not raw[0].isdigit() or not 1 <= int(raw[0]) <= self.max_page_size:
            message = _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": 200}
            raise ValidationError({self.page_size_query_param: [message]})
        return int(raw[0])


class _PositionedQuerySet:
    """A queryset as CursorPagination uses it, whose position filter reads ClaimCursor's pair."""

    def __init__(self, queryset):
        self.queryset = queryset

    def order_by(self, *fields):
        return _PositionedQuerySet(self.queryset.order_by(*fields))

    def filter(self, **kwargs):
        ((lookup, value),) = kwargs.items()
        return _PositionedQuerySet(self.queryset.filter(_beyond(lookup, *_position(value))))

    def __getitem__(self, window):
        return self.queryset[window]


def _claim_page(shape, zone, company_id, *params):
    """The claims of a page of the list, as rows of their position and summary (``_summaries``): ``shape``
    is (ordering, by status, position lookup, window), ``params`` the status and the position (moment, id)
    where the shape has them."""
    ordering, by_status, lookup, (start, stop) = shape
    claims = selectors.company_claims(company_id)
    params = list(params)
    if by_status:
        claims = claims.filter(status=params.pop(0))
    if lookup:
        claims = claims.filter(_beyond(lookup, params.pop(0), params.pop(0)))
    return _summaries(claims.order_by(*ordering), zone)[start:stop]


# A claim's cursor position ("<created_at ISO in UTC>|<id>", as ClaimCursor writes it from a row) as text:
# reading the moment as a datetime only to write it again cost more than the rest of the row.
_POSITION = RawSQL(
    s.iso_local("claims_claim.created_at AT TIME ZONE 'UTC'") + " || '+00:00|' || claims_claim.id",
    [],
    output_field=TextField(),
)


def _summaries(claims, zone: str):
    """Claims as DRF's cursor reads them (their position) with their summary, both written by PostgreSQL."""
    return claims.annotate(position=_POSITION, summary=s.summary_sql(zone)).values("position", "summary")


# Shapes of pages compiled so far (core.compiled): the first pages of each order, with or without a status.
_PAGE_QUERIES: dict[tuple, PrecompiledQuery] = {}
_MAX_PAGE_SHAPES = 256


class PrecompiledClaimPage:
    """The claim list's queryset as DRF's CursorPagination uses it (order_by, a position filter, a
    slice, iteration), read through SQL compiled once per page shape: compiling the page's query cost
    as much as running it. The list without a search only (a search's SQL depends on its words)."""

    def __init__(self, company_id: int, status: str | None, zone: str):
        self.company_id, self.status, self.zone = company_id, status, zone
        self.ordering: tuple[str, ...] = ClaimCursor.ordering
        self.position: tuple[str, datetime.datetime, int] | None = None
        self.window = (0, None)

    def order_by(self, *fields):
        self.ordering = fields
        return self

    def filter(self, **kwargs):
        ((lookup, value),) = kwargs.items()
        self.position = (lookup, *_position(value))
        return self

    def __getitem__(self, window: slice):
        self.window = (window.start or 0, window.stop)
        return self

    def __iter__(self):
        shape = (self.ordering, self.status is not None, self.position[0] if self.position else None, self.window)
        params: list = [self.zone, self.company_id]
        if self.status is not None:
            params.append(self.status)
        if self.position:
            params += [self.position[1], self.position[2]]
        query = _PAGE_QUERIES.get(shape)
        if query is None:
            if len(_PAGE_QUERIES) >= _MAX_PAGE_SHAPES:
                return iter(_claim_page(shape, *params))
            query = _PAGE_QUERIES[shape] = PrecompiledQuery(
                Claim, lambda *sentinels, shape=shape: _claim_page(shape, *sentinels)
            )
        return iter(query.all(*params))


class ClaimListView(ApiView):
    @extend_schema(
        operation_id="claims_list",
        description=("The company's claims, newest first, a page at a time: follow `next`."),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="RMA number, a line's serial or the own claim number."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter(
                "page_size", {"type": "integer", "minimum": 1, "maximum": 200}, description="Claims a page (25)."
            ),
        ],
        responses={200: s.ClaimPageSerializer, **ERRORS},
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()[:100]
        state = request.query_params.get("status") or None
        if state is not None and state not in Status.values:
            raise ValidationError(
                {"status": [_("Select a valid choice. That choice is not one of the available choices.")]}
            )
        company = access.active_company(request.user)
        zone = s.summary_zone() if connection.vendor == "postgresql" else None
        if zone is not None and company is not None and not query:
            claims = PrecompiledClaimPage(company.pk, state, zone)
        else:
            claims = selectors.visible_claims(request.user)
            if query:
                claims = claims.filter(
                    selectors.claim_search_condition(query, company_id=company.pk if company else None)
                )
            if state:
                claims = claims.filter(status=state)
            # Rows, not model instances: the summaries read their columns (serializers.claim_summaries).
            claims = _summaries(claims, zone) if zone is not None else claims.values(*s.SUMMARY_VALUES)
        paginator = ClaimCursor()
        page = paginator.paginate_queryset(claims, request, view=self)
        if zone is None:
            return paginator.get_paginated_response(s.claim_summaries(page))
        # On PostgreSQL each summary comes written as JSON (serializers.summary_sql): the renderer joins them.
        return paginator.get_paginated_response(JSONFragments(row["summary"] for row in page))

    @extend_schema(
        operation_id="claims_create",
        parameters=[IDEMPOTENCY],
        request={
            "application/json": s.ClaimCreateSerializer,
            "multipart/form-data": s.ClaimCreateMultipartSerializer,
        },
        responses={201: s.ClaimDetailSerializer, **ERRORS},
        description=(
            "Opens a claim with the same rules as the web form. Without a sales document the claim waits for it "
            "(status awaiting_documents) until one is added (POST .../attachments/). As multipart, the claim goes "
            "as JSON in the field `data`, with files in `sales_documents` and `photos`."
        ),
    )
    @idempotent
    def post(self, request):
        if request.content_type.startswith("multipart/"):
            try:
                payload = json.loads(request.data.get("data") or "{}")
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                raise RuleViolation(_("Give the claim as a JSON object."), field="data", code="invalid")
            files = {
                "sales_documents": request.FILES.getlist("sales_documents"),
                "photos": request.FILES.getlist("photos"),
            }
        else:
            payload, files = request.data, {}
        data = claim_input.claim_data(user=request.user, payload=payload, files=files)
        claim = services.claim_create(user=request.user, data=data)
        return Response(detail_data(request, claim), status=status.HTTP_201_CREATED)


def detail_data(request, claim):
    claim, lines, attachments, timeline, messages = selectors.claim_detail(request.user, claim.pk)
    context = {"lines": lines, "attachments": attachments, "timeline": timeline, "messages": messages}
    return s.ClaimDetailSerializer(claim, context=context).data


class ClaimDetailView(ApiView):
    @extend_schema(operation_id="claims_retrieve", parameters=[RMA], responses={200: s.ClaimDetailSerializer, **ERRORS})
    def get(self, request, rma):
        return Response(detail_data(request, claim_for(request, rma)))


class ClaimAttachmentsView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="claims_attachments_create",
        parameters=[RMA, IDEMPOTENCY],
        request={"multipart/form-data": s.AttachmentInputSerializer},
        responses={201: s.AttachmentSerializer(many=True), **ERRORS},
    )
    @idempotent
    def post(self, request, rma):
        claim = claim_for(request, rma)
        kind = request.data.get("kind", "")
        form = s.AttachmentInputSerializer(data={"kind": kind, "files": request.FILES.getlist("files")})
        form.is_valid(raise_exception=True)
        uploads = claim_input.checked_files(form.validated_data["files"], field="files")
        claim_input.check_file_count(len(uploads), existing=claim.attachments.count())
        added = [
            services.attachment_add(
                claim=claim,
                upload=services.UploadData.from_checked(upload, form.validated_data["kind"]),
                by=request.user,
            )
            for upload in uploads
        ]
        return Response(s.AttachmentSerializer(added, many=True).data, status=status.HTTP_201_CREATED)


class ClaimCancelView(ApiView):
    @extend_schema(
        operation_id="claims_cancel",
        parameters=[RMA, IDEMPOTENCY],
        request=s.CancelSerializer,
        responses={200: s.ClaimDetailSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, rma):
        claim = claim_for(request, rma)
        form = s.CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim = services.claim_cancel(claim=claim, by=request.user, note=form.validated_data["note"])
        return Response(detail_data(request, claim))


class ClaimMessageView(ApiView):
    @extend_schema(
        operation_id="claims_messages_create",
        parameters=[RMA, IDEMPOTENCY],
        request=s.MessageInputSerializer,
        responses={201: s.MessageSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, rma):
        claim = claim_for(request, rma)
        form = s.MessageInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if not form.validated_data["body"].strip():
            raise RuleViolation(_("This field is required."), field="body", code="required")
        message = services.message_post(claim=claim, author=request.user, body=form.validated_data["body"])
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ClaimQuoteView(ApiView):
    @extend_schema(
        operation_id="claims_quote_decide",
        parameters=[RMA, IDEMPOTENCY],
        request=s.QuoteDecisionSerializer,
        responses={200: s.ClaimDetailSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, rma):
        claim = claim_for(request, rma)
        form = s.QuoteDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim = services.quote_decide(claim=claim, by=request.user, accept=form.validated_data["decision"] == "accept")
        return Response(detail_data(request, claim))


class ClaimLabelView(ApiView):
    @extend_schema(
        operation_id="claims_label",
        parameters=[RMA],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS},
    )
    def get(self, request, rma):
        claim = claim_for(request, rma)
        lines = list(claim.lines.select_related("product", "fault_type").order_by("position"))
        pdf = render_claim_label(
            claim=claim, lines=lines, claim_url=request.build_absolute_uri(claim.get_absolute_url())
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{claim.rma_number.replace("/", "-")}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class WarrantyView(ApiView):
    @extend_schema(
        operation_id="warranty_by_ean",
        parameters=[OpenApiParameter("ean", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: s.WarrantySerializer, **ERRORS},
    )
    def get(self, request, ean):
        with not_found_on_rule():
            result = warranty_selectors.warranty_for_ean(user=request.user, raw_ean=ean)
        return Response(s.WarrantySerializer(result).data)


class SerialView(ApiView):
    @extend_schema(
        operation_id="serial_check",
        parameters=[OpenApiParameter("serial", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: s.SerialSerializer, **ERRORS},
    )
    def get(self, request, serial):
        with not_found_on_rule():
            result = warranty_selectors.serial_check(user=request.user, raw_serial=serial)
        return Response(s.SerialSerializer(result).data)


class ProductView(ApiView):
    @extend_schema(
        operation_id="product_by_ean",
        parameters=[OpenApiParameter("ean", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: s.ProductWithFaultTypesSerializer, **ERRORS},
    )
    def get(self, request, ean):
        with not_found_on_rule():
            product = claim_input.product_for_ean(ean)
        return Response(s.ProductWithFaultTypesSerializer(product).data)


class ImportView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_create",
        parameters=[IDEMPOTENCY],
        request={"multipart/form-data": s.ImportInputSerializer},
        responses={201: s.ImportBatchSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        form = s.ImportInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        claim_type = claim_input.claim_type_for(form.validated_data["claim_type"])
        address = claim_input.address_for(request.user, form.validated_data["return_address_id"], None)
        result = csv_import.claims_import_csv(
            user=request.user,
            uploaded=form.validated_data["file"],
            claim_type=claim_type,
            return_address=address,
        )
        if not result.ok:
            return claim_input.import_problem(result)
        batch = result.batch
        response = Response(s.ImportBatchSerializer(batch).data, status=status.HTTP_201_CREATED)

        def with_final_numbers():
            response.data = s.ImportBatchSerializer(batch).data

        # The claims get their RMA numbers once the request's transaction commits (claims_create_many):
        # the body is drawn again then, before it is rendered (and stored for a replay, see idempotent).
        transaction.on_commit(with_final_numbers)
        response.redrawn_on_commit = True  # type: ignore[attr-defined]
        return response


class ImportDetailView(ApiView):
    @extend_schema(
        operation_id="imports_retrieve",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: s.ImportBatchSerializer, **ERRORS},
    )
    def get(self, request, id):
        batch = selectors.get_batch_for_user(request.user, id)
        return Response(s.ImportBatchSerializer(batch).data)


class ClaimTypesView(ApiView):
    @extend_schema(
        operation_id="claim_types_list",
        responses={
            200: inline_serializer(
                "ClaimType",
                {"code": drf_serializers.CharField(), "name": drf_serializers.CharField()},
                many=True,
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        return Response([{"code": t.code, "name": t.name} for t in ClaimType.objects.filter(active=True)])


class AddressesView(ApiView):
    @extend_schema(
        operation_id="addresses_list",
        responses={
            200: inline_serializer(
                "Address",
                {
                    "id": drf_serializers.IntegerField(),
                    "name": drf_serializers.CharField(),
                    "city": drf_serializers.CharField(),
                    "is_default": drf_serializers.BooleanField(),
                },
                many=True,
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        return Response(
            [
                {"id": a.pk, "name": a.name, "city": a.city, "is_default": a.is_default}
                for a in access.company_addresses(request.user)
            ]
        )
