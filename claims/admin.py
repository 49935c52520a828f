from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from accounts.models import Membership, MembershipState
from accounts.vat import split_vat_id
from core.admin import render_entries
from core.errors import DomainError, NotAllowed, add_to_form
from core.models import ActionLogEntry
from core.pagination import EstimatedCountPaginator
from warranty.codes import normalise_serial
from warranty.models import Brand

from . import rules, services, workflow
from .models import (
    Attachment,
    Claim,
    ClaimLine,
    ClaimType,
    ImportBatch,
    LineVerdict,
    Message,
    Status,
    StatusChange,
)
from .selectors import claim_search_condition
from .uploads import safe_download_name


@admin.register(ClaimType)
class ClaimTypeAdmin(TranslationAdmin):
    # The form edits the Romanian and the English name side by side.
    list_display = ["name", "code", "brand", "covered_by_warranty", "doa_days", "active", "position"]
    list_editable = ["active", "position"]
    list_filter = ["active", "brand", "covered_by_warranty"]
    search_fields = ["name_ro", "name_en", "code"]


class BrandFilter(admin.SimpleListFilter):
    title = _("brand")
    parameter_name = "brand"

    def lookups(self, request, model_admin):
        return [(str(b.pk), b.name) for b in Brand.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(lines__product__brand_id=self.value()).distinct()
        return queryset


class OutOfWarrantyFilter(admin.SimpleListFilter):
    title = _("warranty when filed")
    parameter_name = "filed_warranty"

    def lookups(self, request, model_admin):
        return [
            ("out", _("out of warranty when filed")),
            (LineVerdict.EXPIRED.value, LineVerdict.EXPIRED.label),
            (LineVerdict.NOT_BOUGHT.value, LineVerdict.NOT_BOUGHT.label),
            ("in", _("every product in warranty when filed")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "out":
            verdicts = [LineVerdict.EXPIRED, LineVerdict.NOT_BOUGHT]
        elif value in (LineVerdict.EXPIRED, LineVerdict.NOT_BOUGHT):
            verdicts = [value]
        elif value == "in":
            out = ClaimLine.objects.filter(verdict__in=[LineVerdict.EXPIRED, LineVerdict.NOT_BOUGHT])
            return queryset.exclude(pk__in=out.values("claim_id"))
        else:
            return queryset
        return queryset.filter(pk__in=ClaimLine.objects.filter(verdict__in=verdicts).values("claim_id"))


class ClaimLineAdminForm(forms.ModelForm):
    def clean_serial(self):
        # Stored as the partner's form and the search box expect it: capitals, no spaces.
        return normalise_serial(self.cleaned_data.get("serial"))

    def clean(self):
        cleaned = super().clean()
        try:
            rules.check_line_outcome(
                cleaned.get("outcome") or "",
                replacement_serial=cleaned.get("replacement_serial") or "",
                reason=cleaned.get("outcome_reason") or "",
            )
        except DomainError as error:
            add_to_form(self, error)
        return cleaned


class ClaimLineInline(admin.StackedInline):
    model = ClaimLine
    form = ClaimLineAdminForm
    extra = 0
    fields = [
        "position",
        "product",
        "warranty_when_filed",
        "serial",
        "quantity",
        "fault_type",
        "document_date",
        "description",
        "outcome",
        "replacement_serial",
        "outcome_reason",
    ]
    readonly_fields = ["position", "product", "document_date", "warranty_when_filed"]
    raw_id_fields = ["product"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "fault_type")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "outcome_reason" and field is not None:
            field.widget.attrs["rows"] = 2
        return field

    @admin.display(description=_("warranty when filed"))
    def warranty_when_filed(self, obj):
        if not obj or not obj.verdict:
            return "—"
        if obj.verdict == LineVerdict.NOT_BOUGHT:
            return obj.get_verdict_display()
        return format_html(
            "{} · {} {} · {} {}",
            obj.get_verdict_display(),
            gettext("bought on"),
            date_format(obj.purchase_date, "SHORT_DATE_FORMAT") if obj.purchase_date else "—",
            gettext("warranty until"),
            date_format(obj.warranty_until, "SHORT_DATE_FORMAT") if obj.warranty_until else "—",
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "fault_type" and field is not None:
            field.widget.can_add_related = field.widget.can_change_related = field.widget.can_delete_related = False
            field.widget.can_view_related = False
            # One query for the choices of every line, not one per line.
            if not hasattr(request, "_fault_type_choices"):
                request._fault_type_choices = list(field.choices)
            field.choices = request._fault_type_choices
        return field


class MessageInline(admin.StackedInline):
    model = Message
    template = "admin/claims/message_inline.html"
    extra = 1
    fields = ["created_at", "author", "from_service", "internal", "body"]
    readonly_fields = ["created_at", "author", "from_service"]
    can_delete = False
    verbose_name = _("message")
    verbose_name_plural = _("messages with the partner (a new message is e-mailed unless internal)")

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class ClaimAdminForm(forms.ModelForm):
    new_status = forms.ChoiceField(label=_("Change the status to"), required=False)
    note = forms.CharField(
        label=_("Note for the partner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the timeline and sent by e-mail."),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen only by the service staff."),
    )
    new_return_tracking = forms.CharField(
        label=_("Return tracking number"), required=False, max_length=60, help_text=_("Required to ship back.")
    )
    new_quote_amount = forms.DecimalField(
        label=_("Quote amount"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text=_("For a paid repair: with “Waiting for you”, the partner accepts or declines it."),
    )
    new_quote_currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        choices=[("RON", "RON"), ("EUR", "EUR"), ("PLN", "PLN"), ("HUF", "HUF"), ("CZK", "CZK")],
    )
    new_quote_text = forms.CharField(label=_("Quote details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    new_quote_valid_until = forms.DateField(
        label=_("Quote valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    new_quote_vat_included = forms.BooleanField(label=_("VAT included in the quote"), required=False)
    # What the claim looked like when the form was loaded: a save refuses to overwrite anything newer.
    seen_version = forms.CharField(widget=forms.HiddenInput, required=False)

    CHANGED_MEANWHILE = _(
        "This claim changed while you were editing it (its status or the partner's decision moved on). "
        "Nothing was saved: look at the claim as it is now and make your change again."
    )

    class Meta:
        model = Claim
        fields = ["claim_type", "own_number", "waybill", "package_contents"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        status = self.instance.status if self.instance.pk else Status.REGISTERED
        self.fields["new_status"].choices = [("", _("— keep “%(s)s” —") % {"s": Status(status).label})] + [
            (s.value, s.label) for s in workflow.allowed_targets(status)
        ]
        if self.instance.pk:
            self.fields["seen_version"].initial = self.version_of(self.instance)

    @staticmethod
    def version_of(claim):
        """What a partner or another staff member may change under an open admin form."""
        changed = claim.status_changed_at.isoformat() if claim.status_changed_at else ""
        return f"{claim.status}|{changed}|{claim.quote_decision}"

    def _lock_current(self):
        """The claim as it is now, its row locked until the admin's transaction ends (save included).

        The admin validates and saves in one transaction: whatever a partner
        does after this waits for the save, and whatever they did before is
        seen here.
        """
        claims = Claim.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            claims = claims.select_for_update()
        return claims.first()

    # The workflow's inputs -> this form's fields.
    WORKFLOW_FIELDS = {
        "status": "new_status",
        "outcome": "new_status",
        "note": "note",
        "return_tracking": "new_return_tracking",
        "quote_text": "new_quote_text",
    }

    def lines_without_outcome(self) -> list[str]:
        """The products still without an outcome, counting the outcomes posted in the line inline."""
        posted = {}
        try:
            total = min(int(self.data.get("lines-TOTAL_FORMS", 0)), 1000)
        except (TypeError, ValueError):
            total = 0
        for index in range(total):
            if pk := self.data.get(f"lines-{index}-id"):
                posted[str(pk)] = self.data.get(f"lines-{index}-outcome", "")
        return [
            str(line) for line in self.instance.lines.order_by("position") if not posted.get(str(line.pk), line.outcome)
        ]

    def clean(self):
        """Ask the workflow before saving, so a refused change comes back on its field with the input kept.

        Without a change of status a note is saved on the timeline; a quote is refused, as it is sent
        only with "Waiting for you".
        """
        cleaned = super().clean()
        current = self.instance
        if self.instance.pk:
            current = self._lock_current()
            if current is None or cleaned.get("seen_version") != self.version_of(current):
                raise forms.ValidationError(self.CHANGED_MEANWHILE, code="changed_meanwhile")
        to = cleaned.get("new_status")
        if not to:
            quote_fields = ["new_quote_amount", "new_quote_text", "new_quote_valid_until"]
            if any(cleaned.get(name) not in (None, "") for name in quote_fields):
                self.add_error(
                    "new_quote_amount",
                    _("A quote is sent with the status “%(status)s”: choose it in “Change the status to”.")
                    % {"status": Status.WAITING_CUSTOMER.label},
                )
            if cleaned.get("new_return_tracking"):
                self.add_error(
                    "new_return_tracking",
                    _("The return tracking number is given with the status “%(status)s”.")
                    % {"status": Status.SHIPPED_BACK.label},
                )
            return cleaned
        try:
            workflow.check_transition(
                current.status,
                to,
                return_tracking=cleaned.get("new_return_tracking") or current.return_tracking,
                quote_amount=cleaned.get("new_quote_amount"),
                quote_text=cleaned.get("new_quote_text") or "",
                note=cleaned.get("note") or "",
                lines_without_outcome=self.lines_without_outcome(),
            )
        except DomainError as error:
            add_to_form(self, error, fields=self.WORKFLOW_FIELDS, default="new_status")
        return cleaned


def _bulk_action(target, label):
    def action(modeladmin, request, queryset):
        changed, refused = services.claims_change_status_bulk(claims=list(queryset), to=target, by=request.user)
        if changed:
            modeladmin.message_user(
                request,
                gettext("%(n)d claims moved to “%(status)s”.") % {"n": len(changed), "status": Status(target).label},
                messages.SUCCESS,
            )
        for claim, error in refused:
            modeladmin.message_user(request, f"{claim.rma_number}: {error.message}", messages.WARNING)

    action.__name__ = f"mark_{target}"
    return admin.action(description=label)(action)


class CompanyFilter(admin.SimpleListFilter):
    """Claims of one company, chosen by VAT id in the URL (?company=RO18547290): no list of thousands."""

    title = _("company VAT id")
    parameter_name = "company"

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, value)] if value else []

    def has_output(self):
        return True

    def queryset(self, request, queryset):
        value = (self.value() or "").replace(" ", "").upper()
        return queryset.filter(company__vat_id=value) if value else queryset


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    form = ClaimAdminForm
    # Seven facts in six narrow columns, so the list fits 1280 px beside its filters (the age tells the date,
    # the date hierarchy above the list filters by it).
    list_display = ["rma_number", "company_name", "status", "claim_type", "brand", "age"]
    list_filter = [
        "status",
        "claim_type",
        BrandFilter,
        OutOfWarrantyFilter,
        ("created_at", admin.DateFieldListFilter),
        CompanyFilter,
    ]
    search_fields = [
        "rma_number",
        "lines__serial",
        "own_number",
        "owner__email",
        "company__vat_id",
        "company__legal_name",
        "waybill",
        "return_tracking",
    ]
    list_select_related = ["owner", "company", "claim_type"]
    list_per_page = 50
    # No full COUNT per load: the unfiltered total is PostgreSQL's estimate, and the date filter above
    # replaces date_hierarchy (whose MIN/MAX and DISTINCT dates scan the whole table on every load).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [ClaimLineInline, MessageInline]
    readonly_fields = [
        "timeline",
        "history",
        "attachment_list",
        "rma_number",
        "owner_details",
        "status",
        "resolution",
        "return_tracking",
        "quote_summary",
        "return_address",
        "ars_data",
        "created_at",
        "status_changed_at",
        "import_batch",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "rma_number",
                    "owner_details",
                    "status",
                    "resolution",
                    "return_tracking",
                    "quote_summary",
                    "seen_version",
                ]
            },
        ),
        (
            _("Change the status"),
            {
                "fields": [
                    "new_status",
                    "note",
                    "internal_note",
                    "new_return_tracking",
                    ("new_quote_amount", "new_quote_currency"),
                    "new_quote_text",
                    ("new_quote_valid_until", "new_quote_vat_included"),
                ]
            },
        ),
        (
            _("Claim"),
            {"fields": ["claim_type", "own_number", "ars_data", "waybill", "package_contents", "return_address"]},
        ),
        (_("Timeline and attachments"), {"fields": ["timeline", "attachment_list"]}),
        (_("Dates"), {"fields": ["created_at", "status_changed_at", "import_batch"], "classes": ["collapse"]}),
        (_("Action log"), {"fields": ["history"], "classes": ["collapse"]}),
    ]
    actions = [
        _bulk_action(Status.RECEIVED, _("Mark the selected claims as received")),
        _bulk_action(Status.DIAGNOSIS, _("Put the selected claims in diagnosis")),
        _bulk_action(Status.REPAIR, _("Put the selected claims in repair")),
        _bulk_action(Status.CLOSED, _("Close the selected claims")),
    ]

    def get_queryset(self, request):
        first_brand = (
            ClaimLine.objects.filter(claim=OuterRef("pk")).order_by("position").values("product__brand__name")[:1]
        )
        return super().get_queryset(request).annotate(first_brand=Subquery(first_brand))

    def get_search_results(self, request, queryset, search_term):
        """The partner list's search (claims.selectors.claim_search_condition: start of the RMA number, part of
        a serial, own claim number, waybill or product name) over every company, and for staff also the
        partner's e-mail, the company's VAT id (with its prefix) or part of its name, the return tracking."""
        term = search_term.strip()
        if not term:
            return queryset, False
        emails = get_user_model().objects.annotate(email_lower=Lower("email")).filter(email_lower=term.lower())
        condition = (
            claim_search_condition(term)
            | Q(return_tracking=term)
            | Q(owner__in=emails.values("pk"))
            | Q(company__legal_name__icontains=term)
        )
        prefix, number = split_vat_id(term)
        if prefix and number:
            condition |= Q(company__vat_id=f"{prefix}{number}")
        return queryset.filter(condition), False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("company"), ordering="company__legal_name")
    def company_name(self, obj):
        name = obj.company.legal_name
        short = name if len(name) <= 28 else name[:27] + "…"
        return format_html('<span title="{}">{}</span><br><small>{}</small>', name, short, obj.company.vat_id or "—")

    @admin.display(description=_("brand"), ordering="first_brand")
    def brand(self, obj):
        return obj.first_brand

    @admin.display(description=_("days"), ordering="created_at")
    def age(self, obj):
        return (timezone.now() - obj.created_at).days

    @admin.display(description=_("partner"))
    def owner_details(self, obj):
        owner, company = obj.owner, obj.company
        return format_html(
            "{} ({}) · {} · {} · {}",
            company.legal_name,
            company.vat_id or "—",
            owner.get_full_name(),
            owner.email,
            owner.phone or "—",
        )

    @admin.display(description=_("timeline"))
    def timeline(self, obj):
        changes = StatusChange.objects.filter(claim=obj).select_related("by").order_by("created_at", "id")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(c.created_at), "SHORT_DATETIME_FORMAT"),
                    c.get_from_status_display() or "—",
                    c.title(),
                    c.by.get_full_name() if c.by else "—",
                    c.note or "—",
                    c.internal_note or "—",
                )
                for c in changes
            ),
        )
        header = format_html(
            "<tr><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th><th scope='col'>{}</th></tr>",
            _("when"),
            _("from"),
            _("to"),
            _("by"),
            _("note for the partner"),
            _("internal note"),
        )
        return format_html("<table><thead>{}</thead><tbody>{}</tbody></table>", header, rows)

    @admin.display(description=_("history"))
    def history(self, obj):
        """Every action log entry of the claim and of the import that created it, in one query."""
        about = Q(content_type=ContentType.objects.get_for_model(Claim), object_id=obj.pk)
        if obj.import_batch_id:
            about |= Q(content_type=ContentType.objects.get_for_model(ImportBatch), object_id=obj.import_batch_id)
        entries = ActionLogEntry.objects.filter(about).select_related("actor").order_by("when", "id")
        return render_entries(entries)

    @admin.display(description=_("attachments"))
    def attachment_list(self, obj):
        attachments = Attachment.objects.filter(claim=obj).order_by("created_at", "id")
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> · {} · {} KB</li>',
            (
                (
                    reverse("admin:claims_claim_attachment", args=[obj.pk, a.pk]),
                    a.original_name,
                    a.get_kind_display(),
                    max(1, a.size // 1024),
                )
                for a in attachments
            ),
        )
        return format_html("<ul>{}</ul>", items) if attachments else "—"

    @admin.display(description=_("return address"))
    def return_address(self, obj):
        return ", ".join(str(line) for line in obj.return_address_lines)

    @admin.display(description=_("quote"))
    def quote_summary(self, obj):
        if obj.quote_amount is None:
            return "—"
        parts = [f"{obj.quote_amount} {obj.quote_currency}"]
        parts.append(gettext("VAT included") if obj.quote_vat_included else gettext("VAT not included"))
        if obj.quote_valid_until:
            parts.append(gettext("valid until %(date)s") % {"date": date_format(obj.quote_valid_until)})
        parts.append(str(obj.get_quote_decision_display()))
        return " · ".join(parts)

    def save_model(self, request, obj, form, change):
        # Only what this form edits: the rest of ``obj`` was read before the row was locked
        # (status, quote decision) and must never be written back.
        if not change:
            return super().save_model(request, obj, form, change)
        edited = [name for name in ClaimAdminForm.Meta.fields if name in form.changed_data]
        if edited:
            obj.save(update_fields=edited)

    def save_related(self, request, form, formsets, change):
        # The lines' outcomes are saved with the inline first: resolving counts them.
        super().save_related(request, form, formsets, change)
        self._change_status(request, form.instance, form)

    def _change_status(self, request, obj, form):
        data = form.cleaned_data
        to = data.get("new_status")
        try:
            if not to:
                if data.get("note") or data.get("internal_note"):
                    services.claim_add_note(
                        claim=obj,
                        by=request.user,
                        note=data.get("note", ""),
                        internal_note=data.get("internal_note", ""),
                    )
                return
            amount = data.get("new_quote_amount")
            quote = (amount, data.get("new_quote_currency"), data.get("new_quote_text")) if amount is not None else None
            services.claim_change_status(
                claim=obj,
                to=to,
                by=request.user,
                note=data.get("note", ""),
                internal_note=data.get("internal_note", ""),
                return_tracking=data.get("new_return_tracking", ""),
                quote=quote,
                quote_valid_until=data.get("new_quote_valid_until"),
                quote_vat_included=bool(data.get("new_quote_vat_included")),
            )
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Message:
            return super().save_formset(request, form, formset, change)
        for message_form in formset.forms:
            if message_form.has_changed() and not message_form.instance.pk and message_form.cleaned_data.get("body"):
                services.message_post(
                    claim=form.instance,
                    author=request.user,
                    body=message_form.cleaned_data["body"],
                    from_service=True,
                    internal=message_form.cleaned_data.get("internal", False),
                )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_urls(self):
        return [
            path(
                "<int:claim_pk>/attachment/<int:pk>/",
                self.admin_site.admin_view(self.attachment_view),
                name="claims_claim_attachment",
            ),
            path("overview/", self.admin_site.admin_view(self.overview_view), name="claims_claim_overview"),
        ] + super().get_urls()

    def attachment_view(self, request, claim_pk, pk):
        if not self.has_view_permission(request):
            raise NotAllowed(_("You may not see the claims."))
        attachment = get_object_or_404(Attachment, pk=pk, claim_id=claim_pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=safe_download_name(attachment.original_name, content_type=attachment.content_type),
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def overview_view(self, request):
        if not self.has_view_permission(request):
            raise NotAllowed(_("You may not see the claims."))
        counts = dict(Claim.objects.values_list("status").annotate(n=Count("id")).order_by())
        rows = [(s.value, s.label, counts.get(s.value, 0)) for s in Status]
        peak = max([n for _v, _l, n in rows] + [1])
        oldest = list(
            Claim.objects.filter(status__in=workflow.OPEN_STATUSES)
            .select_related("owner", "company", "claim_type")
            .order_by("created_at")[:15]
        )
        waiting = Membership.objects.filter(state=MembershipState.PENDING)
        now = timezone.now()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Service overview"),
            "rows": [(v, label, n, round(100 * n / peak)) for v, label, n in rows],
            "oldest": [(c, (now - c.created_at).days) for c in oldest],
            "open_total": sum(counts.get(s, 0) for s in workflow.OPEN_STATUSES),
            "pending_memberships": waiting.count(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/claims/overview.html", context)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "owner", "file_name", "claim_count"]
    list_select_related = ["owner"]
    search_fields = ["file_name", "owner__email"]
    readonly_fields = ["owner", "file_name", "claim_count", "handover_pdf", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
