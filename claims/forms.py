from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.forms import AddressForm
from accounts.models import Membership, MembershipState, shown_name
from core.compiled import PrecompiledQuery
from core.errors import RuleViolation, add_to_form
from core.text import grouped_number, lazy_format
from warranty.codes import normalise_serial
from warranty.models import Brand, FaultType, Product
from warranty.selectors import brand_choices

from . import csv_import, rules, selectors, services
from .models import AttachmentKind, ClaimType, Status
from .services import ClaimData, LineData, ReturnAddress, UploadData
from .uploads import (
    FILES_HELP,
    MAX_FILES_PER_CLAIM,
    MAX_HELD_FILES_PER_USER,
    MAX_HELD_MB,
    MAX_IMAGE_MEGAPIXELS,
    ONE_FILE_HELP,
    CheckedUpload,
    MultipleFileField,
)


class ClaimSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a claim"),
        max_length=100,
        help_text=_("RMA number (RMA/number/SR/year), product serial number or your own claim number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )


# Every order of selectors.SORTS, for the select a phone shows instead of the column headings.
SORT_LABELS = {
    "-date": _("Newest first"),
    "date": _("Oldest first"),
    "rma": _("RMA number, ascending"),
    "-rma": _("RMA number, descending"),
    "status": _("Status, in the order of the workflow"),
    "-status": _("Status, from the end of the workflow"),
    "-age": _("Longest in the current status"),
    "age": _("Shortest in the current status"),
}


# The other active members of a company (the "opened by" filter), compiled once per process (core.compiled).
_COLLEAGUES = PrecompiledQuery(
    Membership,
    lambda company_id, user_id: (
        Membership.objects.filter(company_id=company_id, state=MembershipState.ACTIVE)
        .exclude(user_id=user_id)
        .values_list("user_id", "user__first_name", "user__last_name", "user__username")
    ),
)


class ClaimFilterForm(forms.Form):
    """The claim list's filters (GET). A bad value is shown on its field and the other filters still apply."""

    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        help_text=_("Start of the RMA number, or part of a serial, own claim number, waybill or product name."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "enterkeyhint": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    opened_from = forms.DateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    opened_to = forms.DateField(
        label=_("Opened until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # Choices from the cache (brands and claim types change a few times a year), not a query per page.
    brand = forms.TypedChoiceField(label=_("Brand"), coerce=int, empty_value=None, required=False)
    claim_type = forms.TypedChoiceField(label=_("Claim type"), coerce=int, empty_value=None, required=False)
    who = forms.ChoiceField(label=_("Opened by"), required=False)
    action = forms.BooleanField(label=_("Needs your action"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].choices = [("", _("All brands")), *brand_choices()]
        self.fields["claim_type"].choices = [("", _("All types")), *selectors.claim_type_choices()]
        self.fields["status"].choices = [("", _("All statuses")), *Status.choices]
        company = access.active_company(user)
        members = []
        if company is not None:
            # Names only: no User objects (whose phone numbers would be parsed) for a filter's options.
            members = [
                (str(user_id), shown_name(first, last, username))
                for user_id, first, last, username in _COLLEAGUES.all(company.pk, user.pk)
            ]
        self.fields["who"].choices = [("", _("Everyone")), ("mine", _("Me")), *sorted(members, key=lambda c: c[1])]
        self.fields["sort"].choices = list(SORT_LABELS.items())

    def clean(self):
        data = super().clean()
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and end < start:
            self.add_error("opened_to", _("The end of the period comes before its start."))
        return data

    def to_filter(self) -> selectors.ClaimFilter:
        """The valid fields as a filter; call after is_valid()."""
        data = getattr(self, "cleaned_data", {})
        who = data.get("who") or ""
        return selectors.ClaimFilter(
            query=data.get("q") or "",
            status=data.get("status") or "",
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
            brand_id=data.get("brand"),
            claim_type_id=data.get("claim_type"),
            mine=who == "mine",
            creator_id=int(who) if who.isdigit() else None,
            needs_action=bool(data.get("action")),
            sort=data.get("sort") or selectors.DEFAULT_SORT,
        )

    def query_items(self) -> list[tuple[str, str]]:
        """The valid, non-empty filters as (name, value) pairs for links (the sort apart)."""
        data = getattr(self, "cleaned_data", {})
        items = []
        for name in ("q", "status", "opened_from", "opened_to", "brand", "claim_type", "who", "action"):
            value = data.get(name)
            if value in (None, "", False):
                continue
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            elif value is True:
                value = "1"
            items.append((name, str(value)))
        return items


class ClaimTypeSelect(forms.Select):
    """Options reserved to a brand carry data-brand, so the page can hide them for other products."""

    def __init__(self, *args, brands=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.brands = brands or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        brand = self.brands.get(str(getattr(value, "value", value)))
        if brand:
            option["attrs"]["data-brand"] = brand
        return option


def serial_required_brands() -> list[str]:
    return list(Brand.objects.filter(requires_serial=True).order_by("name").values_list("name", flat=True))


def _product_for_ean(raw_ean: str) -> Product:
    """The line's product with what its rules ask: brand and fault types."""
    return rules.product_for_ean(
        raw_ean, queryset=Product.objects.select_related("brand").prefetch_related("fault_types")
    )


class LineForm(forms.Form):
    ean = forms.CharField(
        label=_("EAN/GTIN-13 code"),
        max_length=40,
        help_text=_("13 digits, on the product's box."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    serial = forms.CharField(label=_("Serial number"), max_length=rules.MAX_SERIAL, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999, required=False, initial=1)
    fault_type = forms.ModelChoiceField(
        label=_("Fault type"), queryset=FaultType.objects.all(), required=False, empty_label=_("Choose a fault type")
    )
    document_date = forms.DateField(
        label=_("Document date"),
        help_text=_("The date on the sales document you attach."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    description = forms.CharField(
        label=_("Description of the defect"),
        max_length=rules.MAX_TEXT,
        help_text=_(
            "The defect, the problem, what you expect from the service and any visible mechanical damage. "
            "The more detail, the shorter the repair."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, serial_brands: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get(self.add_prefix("quantity")):
            # A product that takes a quantity starts at one piece, also in the live preview.
            data = self.data.copy()
            data[self.add_prefix("quantity")] = "1"
            self.data = data
        if serial_brands is None:
            serial_brands = serial_required_brands()
        if serial_brands:
            self.fields["serial"].help_text = _("Required for %(brands)s products.") % {
                "brands": ", ".join(serial_brands)
            }
        self.product: Product | None = None
        self.warranty: rules.LineWarranty | None = None  # what the company's purchases say, once looked up
        self.ean_message = ""  # why the typed EAN gives no product (for the live product preview)
        if self.is_bound:
            try:
                self.product = _product_for_ean(self.data.get(self.add_prefix("ean"), ""))
            except RuleViolation as error:
                self.ean_message = error.message
        if self.product is not None:
            self.fields["fault_type"].queryset = self.product.fault_types.all()
            if self.product.brand.requires_serial:
                # The required mark; the message is the rule's (rules.check_serial).
                serial = self.fields["serial"]
                serial.required = True
                serial.error_messages["required"] = _(
                    "%(brand)s products need the serial number: it is on the device or its box."
                ) % {"brand": self.product.brand.name}

    def clean_ean(self):
        try:
            self.product = _product_for_ean(self.cleaned_data["ean"])
        except RuleViolation as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return self.product.ean

    def clean_serial(self):
        return normalise_serial(self.cleaned_data.get("serial"))

    def clean(self):
        cleaned = super().clean()
        if self.product is None or "ean" not in cleaned:
            return cleaned
        try:
            rules.check_line(
                self.product,
                serial=cleaned.get("serial", ""),
                fault_type=cleaned.get("fault_type"),
                document_date=cleaned.get("document_date"),
            )
        except RuleViolation as error:
            add_to_form(self, error)
        return cleaned

    def to_line(self):
        data = self.cleaned_data
        return LineData(
            product=self.product,
            serial=data.get("serial", ""),
            quantity=rules.line_quantity(self.product, data.get("quantity")),
            fault_type=data.get("fault_type"),
            document_date=data["document_date"],
            description=data["description"],
        )


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove this product")

    def clean(self):
        if any(self.errors):
            return
        lines = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if not lines:
            raise forms.ValidationError(_("Add at least one product."))


LineFormSet = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    min_num=1,
    max_num=rules.MAX_LINES_PER_CLAIM,
    validate_max=True,
    absolute_max=rules.MAX_LINES_PER_CLAIM,
    can_delete=True,
)


class ClaimForm(forms.Form):
    claim_type = forms.ModelChoiceField(
        label=_("Claim type"),
        queryset=ClaimType.objects.none(),
        empty_label=_("Choose the claim type"),
        help_text=_("DJI types are reserved for DJI products."),
    )
    own_number = forms.CharField(
        label=_("Own claim number"),
        max_length=rules.MAX_OWN_NUMBER,
        required=False,
        help_text=_("Optional: your own reference, to find the claim later."),
    )
    ars_data = forms.CharField(label=_("ARS data"), max_length=200, required=False, help_text=_("Optional."))
    waybill = forms.CharField(
        label=_("Own waybill / tracking number"),
        max_length=60,
        required=False,
        help_text=_("Optional: the tracking number of the parcel you send."),
    )
    package_contents = forms.CharField(
        label=_("Package contents"),
        max_length=2000,
        required=False,
        help_text=_("List every item you send with the device: charger, cables, case, remote control…"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    return_address = forms.ChoiceField(
        label=_("Send the device back to"), help_text=_("An address of your address book, or a new one.")
    )
    save_address = forms.BooleanField(label=_("Save the new address in my address book"), required=False, initial=True)
    sales_documents = MultipleFileField(
        label=_("Copy of the sales document"),
        max_files=MAX_FILES_PER_CLAIM,
        help_text=lazy_format(_("Required. %(files)s"), files=FILES_HELP),
    )
    photos = MultipleFileField(
        label=_("Photos and other files"),
        max_files=MAX_FILES_PER_CLAIM,
        required=False,
        help_text=lazy_format(
            _("Optional. Images up to %(mp)d megapixels; at most %(n)d files per claim in all."),
            mp=MAX_IMAGE_MEGAPIXELS,
            n=MAX_FILES_PER_CLAIM,
        ),
    )
    confirm_duplicate = forms.BooleanField(label=_("I know, open another claim for this serial number"), required=False)
    confirm_warranty = forms.BooleanField(
        label=_("I know, file the claim with this type anyway"),
        required=False,
        help_text=_("The service checks the warranty again when the parcel arrives."),
    )
    held = forms.MultipleChoiceField(
        label=_("Files kept from your last try"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They passed the checks. Untick a file to leave it out."),
    )
    # Issued when the form renders, spent by the claim it creates: the form is sent once.
    submit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    NEW_ADDRESS = "new"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        types = list(ClaimType.objects.filter(active=True).select_related("brand"))
        field = self.fields["claim_type"]
        field.queryset = ClaimType.objects.filter(active=True).select_related("brand")
        field.widget = ClaimTypeSelect(brands={str(t.pk): t.brand.name for t in types if t.brand})
        field.widget.choices = field.choices
        field.widget.is_required = True
        self.addresses = list(access.company_addresses(user))
        choices = [(str(a.pk), str(a)) for a in self.addresses]
        choices.append((self.NEW_ADDRESS, _("A new address (fill in below)")))
        self.fields["return_address"].choices = choices
        default = next((a for a in self.addresses if a.is_default), None)
        self.fields["return_address"].initial = str(default.pk) if default else self.NEW_ADDRESS
        if not self.is_bound and not self.initial.get("submit_token"):
            self.initial["submit_token"] = services.submit_token_issue(user)
        self._offer_held()

    def clean(self):
        cleaned = super().clean()
        try:
            services.submit_token_check(self.user, cleaned.get("submit_token", ""))
        except RuleViolation as error:
            self.add_error(None, forms.ValidationError(error.message, code=error.code))
            self.renew_submit_token()
        return cleaned

    def renew_submit_token(self):
        """The page that comes back carries a token that can be spent."""
        data = self.data.copy()
        data["submit_token"] = services.submit_token_issue(self.user)
        self.data = data

    def _offer_held(self):
        """The partner's own kept files, and whether a kept sales document makes a new one unnecessary."""
        self.held_uploads = {str(h.pk): h for h in selectors.held_uploads_for_user(self.user)}
        self.fields["held"].choices = [
            (pk, f"{h.original_name} · {h.get_kind_display()}") for pk, h in self.held_uploads.items()
        ]
        chosen = self.data.getlist("held") if self.is_bound and hasattr(self.data, "getlist") else []
        self.fields["sales_documents"].required = not any(
            self.held_uploads[pk].kind == AttachmentKind.SALES_DOCUMENT for pk in chosen if pk in self.held_uploads
        )

    def chosen_held(self):
        return [self.held_uploads[pk] for pk in self.cleaned_data.get("held") or [] if pk in self.held_uploads]

    def files_to_hold(self) -> list[tuple[CheckedUpload, str]]:
        """After a try that failed on other fields, the checked files worth keeping, with their kind.

        When a file itself is refused, nothing is kept: the partner sees which one and chooses again.
        """
        refused = [e for e in self.errors.as_data().get("sales_documents", []) if e.code != "required"]
        if refused or "photos" in self.errors:
            return []
        uploads = [(u, str(AttachmentKind.SALES_DOCUMENT)) for u in self.cleaned_data.get("sales_documents") or []]
        uploads += [(u, str(rules.extra_file_kind(u))) for u in self.cleaned_data.get("photos") or []]
        return uploads

    def offer_held(self, result: services.HeldResult) -> None:
        """Offer files just kept (``services.held_uploads_keep``), ticked, on the page that comes back."""
        if getattr(result, "over_quota", 0):
            self.add_error(
                None,
                forms.ValidationError(
                    _(
                        "%(n)d of your files could not be kept for your next try: you may keep at most "
                        "%(files)d files and %(mb)d MB at a time. Choose them again when you send the form."
                    )
                    % {"n": result.over_quota, "files": MAX_HELD_FILES_PER_USER, "mb": MAX_HELD_MB},
                    code="held_over_quota",
                ),
            )
        held = list(result)
        if not held:
            return
        data = self.data.copy()
        data.setlist("held", [*data.getlist("held"), *(str(h.pk) for h in held)])
        self.data = data
        self._offer_held()
        only_required = [e.code for e in self.errors.as_data().get("sales_documents", [])] == ["required"]
        if only_required and not self.fields["sales_documents"].required:
            del self.errors["sales_documents"]  # a kept sales document answers "required" now

    def chosen_address(self):
        value = self.cleaned_data.get("return_address")
        return next((a for a in self.addresses if str(a.pk) == value), None)


class ClaimBundle:
    """The new-claim page: the claim form, its product lines and a new return address, validated together."""

    max_lines = rules.MAX_LINES_PER_CLAIM  # the page's "add a product" stops here too

    def __init__(self, *, user, data=None, files=None):
        self.user = user
        self.form = ClaimForm(data, files, user=user)
        self.lines = LineFormSet(data, prefix="lines", form_kwargs={"serial_brands": serial_required_brands()})
        if data is not None and data.get("return_address") == ClaimForm.NEW_ADDRESS:
            self.address_form = AddressForm(data, prefix="addr")
        else:
            # Not in use: unbound, so its empty fields show no errors.
            self.address_form = AddressForm(prefix="addr")
        self.duplicates = []
        self.warranty_warnings: list[tuple[int, LineForm, str]] = []  # (number, line, why the type does not fit)

    @property
    def wants_new_address(self):
        if self.form.is_bound:
            value = self.form.data.get("return_address")
        else:
            value = self.form.initial.get("return_address", self.form.fields["return_address"].initial)
        return value == ClaimForm.NEW_ADDRESS

    def is_valid(self):
        valid = self.form.is_valid()
        valid = self.lines.is_valid() and valid
        if self.wants_new_address:
            valid = self.address_form.is_valid() and valid
        if not valid:
            return False
        return self._cross_check()

    def line_forms(self):
        return [f for f in self.lines.forms if f.has_changed() and not self.lines._should_delete_form(f)]

    def _cross_check(self):
        form = self.form
        try:
            rules.check_claim_type(form.cleaned_data["claim_type"], [f.product for f in self.line_forms()])
        except RuleViolation as error:
            add_to_form(form, error)
        try:
            rules.check_file_count(
                len(form.cleaned_data.get("sales_documents") or [])
                + len(form.cleaned_data.get("photos") or [])
                + len(form.chosen_held())
            )
        except RuleViolation as error:
            add_to_form(form, error, fields={"files": "photos"})
        self._check_warranty()
        if not form.cleaned_data.get("confirm_duplicate"):
            serials = [f.cleaned_data.get("serial", "") for f in self.line_forms()]
            self.duplicates = selectors.open_claim_lines_with_serials(self.user, serials)
            if self.duplicates:
                form.add_error(
                    "confirm_duplicate",
                    _("A serial number of this claim already has an open claim. Confirm to open another one."),
                )
        return not form.errors

    def _check_warranty(self):
        """A warranty or DOA type on a line out of warranty, or not bought, needs the partner's confirmation."""
        form = self.form
        claim_type = form.cleaned_data.get("claim_type")
        if claim_type is None:  # refused already: its error says why
            return
        for number, line in enumerate(self.line_forms(), start=1):
            line.warranty = selectors.line_warranty(
                user=self.user, product=line.product, serial=line.cleaned_data.get("serial", "")
            )
            if why := rules.check_warranty_claim(claim_type, line.warranty):
                self.warranty_warnings.append((number, line, why))
        if self.warranty_warnings and not form.cleaned_data.get("confirm_warranty"):
            form.add_error(
                "confirm_warranty",
                _("“%(type)s” does not fit every product of the claim. Confirm to file it anyway.")
                % {"type": claim_type},
            )

    def to_data(self):
        form = self.form.cleaned_data
        address = self.form.chosen_address()
        if address is None:
            address = self.address_form.save(commit=False)
        uploads = (
            [UploadData.from_checked(u, AttachmentKind.SALES_DOCUMENT) for u in form["sales_documents"]]
            + [UploadData.from_checked(u, rules.extra_file_kind(u)) for u in form.get("photos") or []]
            + [UploadData.from_held(h) for h in self.form.chosen_held()]
        )
        return ClaimData(
            claim_type=form["claim_type"],
            lines=[f.to_line() for f in self.line_forms()],
            return_address=ReturnAddress.from_address(address),
            own_number=form["own_number"],
            ars_data=form["ars_data"],
            waybill=form["waybill"],
            package_contents=form["package_contents"],
            uploads=uploads,
            duplicate_serials_confirmed=bool(form.get("confirm_duplicate")),
        )

    def refuse(self, error):
        """The service said no (under its lock): show it like the form's own checks, duplicates listed."""
        add_to_form(self.form, error)
        if error.code == "duplicate_serial" or any(e.code == "duplicate_serial" for e in error):
            serials = [f.cleaned_data.get("serial", "") for f in self.line_forms()]
            self.duplicates = selectors.open_claim_lines_with_serials(self.user, serials)

    def new_address_to_save(self):
        if self.wants_new_address and self.form.cleaned_data.get("save_address"):
            return self.address_form.save(commit=False)
        return None


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=AttachmentKind.choices)
    files = MultipleFileField(label=_("Files"), max_files=MAX_FILES_PER_CLAIM, help_text=FILES_HELP)

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files") or []
        if self.claim is not None and files:
            try:
                rules.check_file_count(len(files), existing=self.claim.attachments.count())
            except RuleViolation as error:
                add_to_form(self, error)
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to the service"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Why do you cancel the claim? (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=lazy_format(
            _(
                "Columns: own claim number; EAN; serial number; sale date (yyyy-mm-dd); problem description; "
                "service expectations. Up to %(rows)s claims, %(mb)d MB."
            ),
            rows=grouped_number(csv_import.MAX_ROWS),
            mb=csv_import.MAX_FILE_SIZE // (1024 * 1024),
        ),
    )
    claim_type = forms.ModelChoiceField(
        label=_("Claim type for every claim of the file"),
        queryset=ClaimType.objects.none(),
        empty_label=_("Choose the claim type"),
    )
    return_address = forms.ModelChoiceField(
        label=_("Return address for every claim of the file"), queryset=None, empty_label=None
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim_type"].queryset = ClaimType.objects.filter(active=True).select_related("brand")
        self.fields["return_address"].queryset = access.company_addresses(user)
        default = next((a for a in self.fields["return_address"].queryset if a.is_default), None)
        if default:
            self.fields["return_address"].initial = default.pk


class BatchDocumentForm(forms.Form):
    """One sales document for several imported claims, or one per claim."""

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.claims = claims
        waiting = [c for c in claims if c.awaits_documents]
        self.fields["claims"] = forms.MultipleChoiceField(
            label=_("Claims this document is for"),
            choices=[(str(c.pk), c.rma_number) for c in waiting],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            initial=[str(c.pk) for c in waiting],
        )
        self.fields["document"] = MultipleFileField(
            label=_("One sales document for the ticked claims"),
            max_files=1,
            required=False,
            help_text=ONE_FILE_HELP,
        )
        for claim in waiting:
            self.fields[f"doc_{claim.pk}"] = MultipleFileField(
                label=_("Sales document for %(rma)s") % {"rma": claim.rma_number}, max_files=1, required=False
            )

    def rows(self):
        """One row a claim: the claim, its checkbox id for the shared document, its own file field."""
        ticks = {str(w.data["value"]): w.id_for_label for w in self["claims"].subwidgets}
        for claim in self.claims:
            name = f"doc_{claim.pk}"
            yield {
                "claim": claim,
                "tick_id": ticks.get(str(claim.pk)),
                "doc": self[name] if name in self.fields else None,
            }

    def clean(self):
        cleaned = super().clean()
        shared = cleaned.get("document") or []
        ticked = cleaned.get("claims") or []
        own = {name: files for name, files in cleaned.items() if name.startswith("doc_") and files}
        if shared and not ticked:
            self.add_error("claims", _("Tick the claims this document is for."))
        if not shared and not own and not self.errors:
            self.add_error("document", _("Choose a sales document to attach."))
        return cleaned

    def assignments(self):
        """[(claim, file)] for every claim that gets a document."""
        by_pk = {str(c.pk): c for c in self.claims}
        result = []
        shared = self.cleaned_data.get("document") or []
        if shared:
            ticked = dict.fromkeys(self.cleaned_data.get("claims") or [])  # a claim ticked twice counts once
            result += [(by_pk[pk], shared[0]) for pk in ticked if pk in by_pk]
        for name, files in self.cleaned_data.items():
            if name.startswith("doc_") and files and name[4:] in by_pk:
                result.append((by_pk[name[4:]], files[0]))
        return result
