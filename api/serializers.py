"""What the API shows and takes. Input is checked by the portal's own forms and rules, in their words."""

from __future__ import annotations

import datetime

from django.db.models import TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import COUNTRIES
from claims import rules
from claims.models import AttachmentKind, Claim, ClaimLine, LineOutcome, LineVerdict, Message, StatusChange
from claims.statuses import QuoteDecision, Resolution, Status
from core.compiled import IdsQuery


def rma_slug(claim: Claim) -> str:
    """The RMA number as it goes into a URL: RMA/12/SR/2026 -> RMA-12-SR-2026."""
    return claim.rma_number.replace("/", "-")


class ProductSerializer(serializers.Serializer):
    ean = serializers.CharField()
    name = serializers.CharField()
    brand = serializers.CharField(source="brand.name")
    warranty_months = serializers.IntegerField()
    quantity_allowed = serializers.BooleanField()
    requires_serial = serializers.BooleanField(source="brand.requires_serial")


class ProductWithFaultTypesSerializer(ProductSerializer):
    fault_types = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField(child=serializers.CharField())))
    def get_fault_types(self, product) -> list[dict[str, str]]:
        return [{"code": f.code, "name": f.name} for f in product.fault_types.all()]


class LineSerializer(serializers.ModelSerializer):
    product = ProductSerializer()
    fault_type = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    verdict = serializers.ChoiceField(
        choices=LineVerdict.choices,
        allow_blank=True,
        read_only=True,
        help_text="The warranty when the claim was filed; empty for lines filed before verdicts existed.",
    )
    outcome = serializers.ChoiceField(
        choices=LineOutcome.choices, allow_blank=True, read_only=True, help_text="Empty until the service decides."
    )

    class Meta:
        model = ClaimLine
        fields = [
            "position",
            "product",
            "serial",
            "quantity",
            "fault_type",
            "document_date",
            "description",
            "verdict",
            "purchase_date",
            "warranty_until",
            "outcome",
            "replacement_serial",
            "outcome_reason",
        ]
        read_only_fields = [
            "verdict",
            "purchase_date",
            "warranty_until",
            "outcome",
            "replacement_serial",
            "outcome_reason",
        ]


class ClaimSummarySerializer(serializers.ModelSerializer):
    id = serializers.SerializerMethodField(help_text="The RMA number as used in URLs.")
    status = serializers.ChoiceField(choices=Status.choices)
    claim_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = ["id", "rma_number", "status", "claim_type", "own_number", "created_at", "status_changed_at", "lines"]

    def get_id(self, claim) -> str:
        return rma_slug(claim)

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, claim):
        return LineSerializer(claim.lines.all(), many=True).data


# What a summary reads: columns, not model instances (see claim_summaries).
SUMMARY_VALUES = ("id", "rma_number", "status", "claim_type__code", "own_number", "created_at", "status_changed_at")
SUMMARY_LINE_VALUES = (
    "claim_id",
    "position",
    "serial",
    "quantity",
    "fault_type__code",
    "document_date",
    "description",
    "verdict",
    "purchase_date",
    "warranty_until",
    "outcome",
    "replacement_serial",
    "outcome_reason",
    "product__ean",
    "product__name",
    "product__warranty_months",
    "product__quantity_allowed",
    "product__brand__name",
    "product__brand__requires_serial",
)


# The lines of a page of claims: one query, compiled once per process (core.compiled).
SUMMARY_LINES = IdsQuery(
    ClaimLine,
    "claim_id",
    lambda lookup, ids: (
        ClaimLine.objects.filter(**{lookup: ids}).order_by("claim_id", "position").values_list(*SUMMARY_LINE_VALUES)
    ),
)


def claim_summaries(claims) -> list[dict]:
    """``ClaimSummarySerializer(claims, many=True).data`` for rows of ``claims.values(*SUMMARY_VALUES)``.

    The claim list is the API's busiest read. Through the nested serializers it built some 260 model
    instances per page of 50 and called a field object per value; here the claims and their lines are
    read as plain rows (one query for the lines) and dates are written as DRF's fields write them, so
    the output is the same: ``api/tests/test_claim_summaries.py`` holds the two equal.
    """
    zone = timezone.get_current_timezone()

    def when(value):
        # DRF's DateTimeField: in the current time zone, ISO 8601, UTC written as Z.
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def date(value):
        return value.isoformat() if value is not None else None

    lines: dict[int, list[dict]] = {row["id"]: [] for row in claims}
    for line in SUMMARY_LINES.rows(lines):
        (claim_id, position, serial, quantity, fault_type, document_date, description, verdict, purchase_date) = line[
            :9
        ]
        (warranty_until, outcome, replacement_serial, outcome_reason, ean, name, months, quantity_allowed) = line[9:17]
        brand, requires_serial = line[17:]
        lines[claim_id].append(
            {
                "position": position,
                "product": {
                    "ean": ean,
                    "name": name,
                    "brand": brand,
                    "warranty_months": months,
                    "quantity_allowed": quantity_allowed,
                    "requires_serial": requires_serial,
                },
                "serial": serial,
                "quantity": quantity,
                "fault_type": fault_type,
                "document_date": date(document_date),
                "description": description,
                "verdict": verdict,
                "purchase_date": date(purchase_date),
                "warranty_until": date(warranty_until),
                "outcome": outcome,
                "replacement_serial": replacement_serial,
                "outcome_reason": outcome_reason,
            }
        )
    return [
        {
            "id": row["rma_number"].replace("/", "-"),
            "rma_number": row["rma_number"],
            "status": row["status"],
            "claim_type": row["claim_type__code"],
            "own_number": row["own_number"],
            "created_at": when(row["created_at"]),
            "status_changed_at": when(row["status_changed_at"]),
            "lines": lines[row["id"]],
        }
        for row in claims
    ]


# The same summaries written by PostgreSQL, as JSON text (summary_sql). Each value goes through to_json(),
# which escapes as Python's json module does; a NULL is written null.
def _json(expression: str) -> str:
    return f"COALESCE(to_json({expression})::text, 'null')"


def _object(pairs: list[tuple[str, str]]) -> str:
    """SQL for a compact JSON object, keys in this order, as DRF's JSONRenderer writes one."""
    members = " || ',' || ".join(f"'\"{key}\":' || {value}" for key, value in pairs)
    return f"('{{' || {members} || '}}')"


def iso_local(timestamp: str) -> str:
    """SQL for a timestamp without zone as Python's ``isoformat()`` writes its date and time: the
    microseconds only when there are any."""
    return f"replace(to_char({timestamp}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"


def _moment(column: str) -> str:
    """A timestamp as DRF's DateTimeField writes it: in the zone given as the parameter, ISO 8601, the
    microseconds only when there are any, UTC written Z."""
    return (
        f"(SELECT CASE WHEN t.v IS NULL THEN 'null' ELSE '\"' || {iso_local('t.l')}"
        " || CASE WHEN t.o = interval '0' THEN 'Z' WHEN t.o > interval '0' THEN '+' || to_char(t.o, 'HH24:MI')"
        " ELSE '-' || to_char(-t.o, 'HH24:MI') END || '\"' END"
        " FROM (SELECT s.v, s.v AT TIME ZONE s.z AS l, (s.v AT TIME ZONE s.z) - (s.v AT TIME ZONE 'UTC') AS o"
        f" FROM (SELECT {column} AS v, %s::text AS z) s) t)"
    )


_LINE_JSON = _object(
    [
        ("position", _json("l.position")),
        (
            "product",
            _object(
                [
                    ("ean", _json("p.ean")),
                    ("name", _json("p.name")),
                    ("brand", _json("b.name")),
                    ("warranty_months", _json("p.warranty_months")),
                    ("quantity_allowed", _json("p.quantity_allowed")),
                    ("requires_serial", _json("b.requires_serial")),
                ]
            ),
        ),
        ("serial", _json("l.serial")),
        ("quantity", _json("l.quantity")),
        ("fault_type", _json("f.code")),
        ("document_date", _json("l.document_date")),
        ("description", _json("l.description")),
        ("verdict", _json("l.verdict")),
        ("purchase_date", _json("l.purchase_date")),
        ("warranty_until", _json("l.warranty_until")),
        ("outcome", _json("l.outcome")),
        ("replacement_serial", _json("l.replacement_serial")),
        ("outcome_reason", _json("l.outcome_reason")),
    ]
)
_SUMMARY_SQL = _object(
    [
        ("id", _json("replace(claims_claim.rma_number, '/', '-')")),
        ("rma_number", _json("claims_claim.rma_number")),
        ("status", _json("claims_claim.status")),
        ("claim_type", _json("(SELECT t.code FROM claims_claimtype t WHERE t.id = claims_claim.claim_type_id)")),
        ("own_number", _json("claims_claim.own_number")),
        ("created_at", _moment("claims_claim.created_at")),
        ("status_changed_at", _moment("claims_claim.status_changed_at")),
        (
            "lines",
            "COALESCE((SELECT '[' || string_agg("
            + _LINE_JSON
            + ", ',' ORDER BY l.position, l.id) || ']' FROM claims_claimline l"
            " JOIN warranty_product p ON p.id = l.product_id JOIN warranty_brand b ON b.id = p.brand_id"
            " LEFT JOIN warranty_faulttype f ON f.id = l.fault_type_id WHERE l.claim_id = claims_claim.id), '[]')",
        ),
    ]
)


def summary_zone() -> str | None:
    """The current time zone's name for PostgreSQL, or None where it has none (summary_sql cannot be used)."""
    zone = timezone.get_current_timezone()
    return getattr(zone, "key", None) or ("UTC" if zone is datetime.UTC else None)


def summary_sql(zone: str) -> RawSQL:
    """A claim's summary as ``claim_summaries`` gives it, written as JSON text by PostgreSQL in one column
    of the claims' own query: no query for the lines, no rows to build in Python, nothing to encode. An
    annotation on a queryset of ``Claim`` (the table unaliased), PostgreSQL only; ``zone`` from
    ``summary_zone()``. ``api/tests/test_claim_summaries.py`` holds it byte-equal to the renderer's output
    of ``claim_summaries``."""
    return RawSQL(_SUMMARY_SQL, [zone, zone], output_field=TextField())


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class TimelineSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField()
    to_status = serializers.ChoiceField(choices=Status.choices)
    quote_decision = serializers.CharField()

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "note", "quote_decision", "created_at"]


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "from_service", "body", "created_at"]


class ClaimDetailSerializer(ClaimSummarySerializer):
    resolution = serializers.CharField(help_text=f"One of {', '.join(Resolution.values)}, or empty.")
    quote_amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    quote_decision = serializers.CharField(help_text=f"One of {', '.join(QuoteDecision.values)}, or empty.")
    attachments = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    return_address = serializers.SerializerMethodField()

    class Meta(ClaimSummarySerializer.Meta):
        fields = [
            *ClaimSummarySerializer.Meta.fields,
            "resolution",
            "return_tracking",
            "waybill",
            "ars_data",
            "package_contents",
            "quote_amount",
            "quote_currency",
            "quote_text",
            "quote_decision",
            "return_address",
            "attachments",
            "timeline",
            "messages",
        ]

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, claim):
        return LineSerializer(self.context["lines"], many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, claim):
        return AttachmentSerializer(self.context["attachments"], many=True).data

    @extend_schema_field(TimelineSerializer(many=True))
    def get_timeline(self, claim):
        return TimelineSerializer(self.context["timeline"], many=True).data

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, claim):
        return MessageSerializer(self.context["messages"], many=True).data

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_return_address(self, claim) -> dict[str, str]:
        return {
            "name": claim.return_name,
            "street": claim.return_street,
            "postal_code": claim.return_postal_code,
            "city": claim.return_city,
            "country": claim.return_country,
            "phone": str(claim.return_phone or ""),
        }


# Input


class InputText(serializers.CharField):
    """Text as sent: a blank value reaches the form or rule that judges it, as on the portal (422)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class LineInputSerializer(serializers.Serializer):
    """One product of a new claim; checked by the web form's line form (claims.forms.LineForm)."""

    ean = InputText(max_length=40)
    serial = InputText(max_length=rules.MAX_SERIAL, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=999, required=False, allow_null=True, default=None)
    fault_type = InputText(
        required=False, allow_blank=True, default="", help_text="The fault type's code (see the product lookup)."
    )
    document_date = serializers.DateField()
    description = InputText(max_length=rules.MAX_TEXT)


class AddressInputSerializer(serializers.Serializer):
    name = InputText(max_length=200)
    street = InputText(max_length=200)
    postal_code = InputText(max_length=20)
    city = InputText(max_length=100)
    country = serializers.ChoiceField(choices=COUNTRIES)
    phone = InputText(max_length=40)


class ClaimCreateSerializer(serializers.Serializer):
    claim_type = InputText(max_length=40, help_text="The claim type's code.")
    lines = serializers.ListField(child=LineInputSerializer(), min_length=1, max_length=rules.MAX_LINES_PER_CLAIM)
    own_number = InputText(max_length=rules.MAX_OWN_NUMBER, required=False, allow_blank=True, default="")
    ars_data = InputText(max_length=200, required=False, allow_blank=True, default="")
    waybill = InputText(max_length=60, required=False, allow_blank=True, default="")
    package_contents = InputText(max_length=2000, required=False, allow_blank=True, default="")
    return_address_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="An address of the company's address book."
    )
    return_address = AddressInputSerializer(
        required=False, allow_null=True, default=None, help_text="A new address (when no return_address_id)."
    )
    confirm_duplicate_serial = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Open the claim although a serial number already has an open claim.",
    )
    confirm_warranty = serializers.BooleanField(
        required=False,
        default=False,
        help_text="File a warranty or DOA claim although a product is out of warranty or not bought by the company.",
    )


class ClaimCreateMultipartSerializer(serializers.Serializer):
    data = InputText(help_text="The claim as JSON (ClaimCreate).")
    sales_documents = serializers.ListField(child=serializers.FileField(), required=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class AttachmentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    files = serializers.ListField(child=serializers.FileField(), min_length=1)


class CancelSerializer(serializers.Serializer):
    note = InputText(max_length=1000, required=False, allow_blank=True, default="")


class MessageInputSerializer(serializers.Serializer):
    body = InputText(max_length=5000)


class QuoteDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", _("accept")), ("decline", _("decline"))])


class WarrantySerializer(serializers.Serializer):
    query = serializers.CharField()
    product = ProductSerializer(allow_null=True)
    verdict = serializers.CharField()
    last_purchase = serializers.DateField(allow_null=True)
    warranty_end = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)


class SerialSerializer(serializers.Serializer):
    query = serializers.CharField()
    found = serializers.BooleanField()
    product = ProductSerializer(source="sold_serial.product", allow_null=True, default=None)
    invoice_date = serializers.DateField(source="sold_serial.invoice_date", allow_null=True, default=None)
    warranty_end = serializers.DateField(allow_null=True)
    in_warranty = serializers.BooleanField()
    tracked_brands = serializers.ListField(child=serializers.CharField())


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="The CSV file, as for the portal's import.")
    claim_type = InputText(max_length=40, help_text="The claim type's code.")
    return_address_id = serializers.IntegerField(
        required=False, default=None, help_text="An address of the company's address book; else the default one."
    )


class ImportBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    claim_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    claims = serializers.SerializerMethodField()

    def get_claims(self, batch) -> list[str]:
        # Not the placeholders of claims still waiting for their numbers (claims_create_many).
        return [c.rma_number for c in batch.claims.filter(rma_year__gt=0).order_by("rma_seq")]


class ClaimPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ClaimSummarySerializer(many=True)
