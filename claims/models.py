import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import COUNTRIES
from warranty.models import Brand, FaultType, Product

from .statuses import LineOutcome, LineVerdict, QuoteDecision, Resolution, Status  # noqa: F401 - the models speak these
from .uploads import extension_for


class ClaimType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    brand = models.ForeignKey(
        Brand,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claim_types",
        verbose_name=_("reserved to brand"),
        help_text=_("Offered and accepted only when every product of the claim is of this brand."),
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    covered_by_warranty = models.BooleanField(
        _("covered by warranty"),
        default=False,
        help_text=_("The partner is warned when a product of the claim is out of warranty or not bought from us."),
    )
    doa_days = models.PositiveSmallIntegerField(
        _("DOA window (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "For a dead-on-arrival type: the days after the purchase it may be used. Empty for any other type."
        ),
    )

    class Meta:
        verbose_name = _("claim type")
        verbose_name_plural = _("claim types")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(doa_days__isnull=True) | models.Q(doa_days__gte=1),
                name="claimtype_doa_days_positive",
            )
        ]

    def __str__(self):
        # ``name`` is the active language's (claims/translation.py).
        return self.name


class ImportBatch(models.Model):
    """The claims created from one CSV file, with their shared handover document."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("company")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("imported by")
    )
    file_name = models.CharField(_("file name"), max_length=200)
    claim_count = models.PositiveIntegerField(_("claims"), default=0)
    handover_pdf = models.FileField(_("handover document"), upload_to="handover/", blank=True, max_length=200)
    # When its one render was queued (after the import committed); GETs of the handover never queue another.
    handover_requested_at = models.DateTimeField(_("handover document requested"), null=True, blank=True)
    created_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("CSV import")
        verbose_name_plural = _("CSV imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"], name="importbatch_company_idx")]

    def __str__(self):
        return f"{self.file_name} ({self.claim_count})"

    def get_absolute_url(self):
        return reverse("claim_import_result", args=[self.pk])


class Claim(models.Model):
    rma_year = models.PositiveSmallIntegerField(_("RMA year"))
    rma_seq = models.PositiveIntegerField(_("RMA sequence"))
    rma_number = models.CharField(_("RMA number"), max_length=40, unique=True)
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="claims", verbose_name=_("company")
    )
    # The person who opened the claim; the claim belongs to the company and stays with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    claim_type = models.ForeignKey(
        ClaimType, on_delete=models.PROTECT, related_name="claims", verbose_name=_("claim type")
    )
    own_number = models.CharField(_("own claim number"), max_length=60, blank=True)
    ars_data = models.CharField(_("ARS data"), max_length=200, blank=True)
    waybill = models.CharField(_("own waybill / tracking number"), max_length=60, blank=True)
    package_contents = models.TextField(_("package contents"), blank=True)
    return_name = models.CharField(_("return address: name or company"), max_length=200)
    return_street = models.CharField(_("return address: street"), max_length=200)
    return_postal_code = models.CharField(_("return address: postal code"), max_length=20)
    return_city = models.CharField(_("return address: city"), max_length=100)
    return_country = models.CharField(_("return address: country"), max_length=5, choices=COUNTRIES)
    return_phone = PhoneNumberField(_("return address: phone"), blank=True)
    return_tracking = models.CharField(_("return tracking number"), max_length=60, blank=True)
    quote_amount = models.DecimalField(_("quote amount"), max_digits=10, decimal_places=2, null=True, blank=True)
    quote_currency = models.CharField(_("quote currency"), max_length=3, blank=True)
    quote_text = models.TextField(_("quote details"), blank=True)
    quote_decision = models.CharField(_("quote decision"), max_length=10, choices=QuoteDecision.choices, blank=True)
    quote_valid_until = models.DateField(_("quote valid until"), null=True, blank=True)
    quote_vat_included = models.BooleanField(_("VAT included in the quote"), default=False)
    import_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("CSV import"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    # The last rendered parcel label and a hash of everything it shows (claims.stored_labels).
    label_pdf = models.FileField(_("label"), upload_to="labels/", blank=True, max_length=200, editable=False)
    label_hash = models.CharField(_("label hash"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rma_year", "rma_seq"], name="claim_rma_year_seq_unique"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="claim_status_valid"),
            models.CheckConstraint(
                condition=models.Q(resolution__in=[*Resolution.values, ""]), name="claim_resolution_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.RESOLVED) | ~models.Q(resolution=""),
                name="claim_resolved_has_resolution",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-created_at", "-id"], name="claim_company_created_idx"),
            # The year goes along (INCLUDE) so that a partner's counts, which leave out an import's claims
            # still under placeholders (year 0), are read off the index alone (selectors.visible_claims).
            models.Index(fields=["company", "status"], include=["rma_year"], name="claim_company_status_idx"),
            models.Index(
                fields=["company", "owner", "-created_at"], include=["rma_year"], name="claim_company_owner_idx"
            ),
            models.Index(F("company"), Upper("own_number"), name="claim_company_own_number_idx"),
            models.Index(fields=["status", "created_at"], name="claim_status_created_idx"),
            # The admin's claim list, in its ordering: the first page is read off the index.
            models.Index(fields=["-created_at", "-id"], name="claim_created_idx"),
            models.Index(fields=["waybill"], name="claim_waybill_idx"),
            models.Index(fields=["return_tracking"], name="claim_return_tracking_idx"),
            # The admin's search finds an own claim number across all partners.
            models.Index(Upper("own_number"), name="claim_own_number_upper_idx"),
        ]

    def __str__(self):
        return self.rma_number

    def get_absolute_url(self):
        return reverse("claim_detail", args=[self.pk])

    @property
    def return_address_lines(self):
        lines = [
            self.return_name,
            self.return_street,
            f"{self.return_postal_code} {self.return_city}",
            str(self.get_return_country_display()),
        ]
        if self.return_phone:
            lines.append(self.return_phone.as_international)
        return lines

    # What the pages and e-mails ask of a claim; the answers come from the workflow.
    @property
    def can_cancel(self) -> bool:
        from .workflow import partner_may

        return partner_may(self.status, Status.CANCELLED)

    @property
    def is_open(self) -> bool:
        from .workflow import is_open

        return is_open(self.status)

    @property
    def awaits_documents(self) -> bool:
        from .workflow import awaits_documents

        return awaits_documents(self.status)

    @property
    def quote_pending(self) -> bool:
        from .workflow import quote_awaits_decision

        return quote_awaits_decision(self.status, self.quote_decision)

    @property
    def tells_resolution(self) -> bool:
        from .workflow import tells_resolution

        return tells_resolution(self.status)

    @property
    def label_stamp(self) -> str:
        from .workflow import label_stamp

        return label_stamp(self.status)

    @property
    def tells_outcomes(self) -> bool:
        """The claim page shows each product's outcome once the claim is resolved."""
        from .workflow import tells_outcomes

        return tells_outcomes(self.status)

    @property
    def tells_return_tracking(self) -> bool:
        from .workflow import tells_return_tracking

        return tells_return_tracking(self.status)

    @property
    def offers_quote(self) -> bool:
        from .workflow import offers_quote

        return offers_quote(self.status, self.quote_amount)

    @property
    def outcome_summary(self) -> str:
        """What happened to the products: "2 × Repaired, 1 × Replaced"."""
        from .workflow import outcome_summary

        return outcome_summary(line.outcome for line in self.lines.all())

    def progress_steps(self) -> list[tuple[str, str]] | None:
        from .workflow import progress_steps

        return progress_steps(self.status)


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines", verbose_name=_("claim"))
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="claim_lines", verbose_name=_("product")
    )
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    fault_type = models.ForeignKey(
        FaultType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("fault type")
    )
    document_date = models.DateField(_("document date"))
    description = models.TextField(_("description of the defect"))
    expectations = models.TextField(_("service expectations"), blank=True)
    # The warranty as the company's purchases told it when the claim was filed (empty: not looked up).
    verdict = models.CharField(_("warranty when filed"), max_length=20, choices=LineVerdict.choices, blank=True)
    purchase_date = models.DateField(_("bought on"), null=True, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=LineOutcome.choices, blank=True)
    replacement_serial = models.CharField(
        _("serial number of the replacement"), max_length=100, blank=True, help_text=_("Required for “Replaced”.")
    )
    outcome_reason = models.TextField(
        _("reason"), blank=True, help_text=_("Required for “Returned unrepaired”: the partner reads it.")
    )

    class Meta:
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")
        ordering = ["claim", "position"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "position"], name="claimline_claim_position_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="claimline_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(verdict__in=[*LineVerdict.values, ""]), name="claimline_verdict_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=[*LineOutcome.values, ""]), name="claimline_outcome_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["serial"], name="claimline_serial_idx"),
            models.Index(fields=["verdict"], name="claimline_verdict_idx"),
        ]

    def __str__(self):
        return gettext("Product %(position)d") % {"position": self.position}

    @property
    def out_of_warranty_when_filed(self) -> bool:
        return self.verdict in (LineVerdict.EXPIRED, LineVerdict.NOT_BOUGHT)


class AttachmentKind(models.TextChoices):
    SALES_DOCUMENT = "sales_document", _("Sales document")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other document")


def attachment_path(instance, filename):
    # A random name, and the suffix of the type found in the content: nothing of the user's file name reaches the disk.
    suffix = extension_for(instance.content_type)
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


class Attachment(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("claim"))
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["claim", "created_at", "id"]
        indexes = [models.Index(fields=["claim", "kind"], name="attachment_claim_kind_idx")]

    def __str__(self):
        return self.original_name


class StatusChange(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("claim"))
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("note for the partner"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    # A partner's answer to a quote: stored as a code, shown in the reader's language.
    quote_decision = models.CharField(_("quote decision"), max_length=10, choices=QuoteDecision.choices, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["claim", "created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"], name="statuschange_claim_idx")]

    def __str__(self):
        return f"{self.claim_id}: {self.from_status} → {self.to_status}"

    def title(self):
        """What the timeline shows as the heading of this entry."""
        if self.quote_decision == QuoteDecision.ACCEPTED:
            return gettext("Quote accepted")
        if self.quote_decision == QuoteDecision.DECLINED:
            return gettext("Quote declined")
        if self.from_status == self.to_status:
            return gettext("Note")
        return self.get_to_status_display()


class Message(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="messages", verbose_name=_("claim"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    from_service = models.BooleanField(_("from the service"), default=False)
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Seen only by the service staff, never by the partner.")
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["claim", "created_at", "id"]
        indexes = [models.Index(fields=["claim", "created_at"], name="message_claim_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(internal=True, from_service=False), name="message_internal_only_from_service"
            )
        ]

    def __str__(self):
        return f"{self.claim_id}: {self.body[:40]}"


def held_path(instance, filename):
    return f"held/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{extension_for(instance.content_type)}"


class HeldUpload(models.Model):
    """A file that passed the checks on a claim form that came back with other errors.

    It is kept for the partner's next try, so nobody chooses the same invoice
    twice; it becomes an attachment when the claim is created, and is removed
    after HOLD_HOURS otherwise.
    """

    HOLD_HOURS = 24

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=held_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("file kept for a claim form")
        verbose_name_plural = _("files kept for claim forms")
        indexes = [models.Index(fields=["owner", "created_at"], name="heldupload_owner_created_idx")]

    def __str__(self):
        return self.original_name


class ClaimSubmission(models.Model):
    """A claim form's one-time token, spent by the claim it created.

    The token is issued (signed) when the form renders; the claim's
    transaction inserts this row, so a second POST of the same form waits for
    the first and then finds the claim it made, never making another.
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("claim form sent")
        verbose_name_plural = _("claim forms sent")
        indexes = [models.Index(fields=["created_at"], name="claimsubmission_created_idx")]

    def __str__(self):
        return self.token


class ClaimStatusTally(models.Model):
    """A change to a company's claim count of one status, written by database triggers on claims_claim.

    Insert-only: every statement that adds, removes or moves claims adds one row per (company, status)
    it changed, in its own transaction, so a long CSV import never holds a row a web claim needs. The
    count is the sum of the deltas (claims.selectors.status_counts); claims.tallies.compact_tallies
    folds the rows back to one per (company, status). The triggers are in migration 0016.
    """

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", verbose_name=_("company")
    )
    status = models.CharField(_("status"), max_length=20)
    delta = models.IntegerField(_("change"))

    class Meta:
        verbose_name = _("claim count change")
        verbose_name_plural = _("claim count changes")

    def __str__(self):
        return f"{self.company_id} {self.status} {self.delta:+d}"
