import functools

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import SplitPhoneNumberField, localized_choices
from phonenumber_field.widgets import PhoneNumberPrefixWidget

from .models import Address, ClientType, Invitation, User
from .selectors import email_is_claimed
from .vat import VAT_PREFIXES, is_valid_vat, normalise_vat_number


class PhoneWidget(PhoneNumberPrefixWidget):
    """Region select + number, each with an accessible name of its own."""

    def __init__(self, widgets, attrs=None):
        super().__init__(widgets, attrs)
        self.widgets[0].attrs.update({"aria-label": _("Country prefix"), "autocomplete": "tel-country-code"})
        self.widgets[1].attrs.update({"aria-label": _("Phone number"), "autocomplete": "tel-national"})

    def decompress(self, value):
        # An empty number (a new address) still starts on the default country prefix, not on "---------".
        region, number = super().decompress(value)
        return [region or settings.PHONENUMBER_DEFAULT_REGION, number]


@functools.lru_cache(maxsize=8)
def _prefix_choices(language: str) -> tuple[tuple[str, str], ...]:
    choices = localized_choices(language)
    choices.sort(key=lambda item: item[1])
    return tuple(choices)


class PhoneField(SplitPhoneNumberField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget = PhoneWidget((self.fields[0].widget, self.fields[1].widget))

    def __deepcopy__(self, memo):
        # Declared once at import, copied for every form: the country names follow the request's language.
        result = super().__deepcopy__(memo)
        choices = list(_prefix_choices(translation.get_language() or settings.LANGUAGE_CODE))
        result.fields[0].choices = choices
        result.widget.widgets[0].choices = result.fields[0].choices
        return result


def clean_vat_fields(form, prefix_field="vat_country", number_field="vat_number", required=False):
    """Validate a VAT prefix + number pair on ``form``; store the number normalised."""
    prefix = form.cleaned_data.get(prefix_field, "")
    raw_number = form.cleaned_data.get(number_field, "")
    number = normalise_vat_number(prefix, raw_number)
    if required and not prefix:
        form.add_error(prefix_field, _("A B2B partner must choose the VAT country prefix."))
    if required and not number:
        form.add_error(number_field, _("A B2B partner must give the company tax identification number."))
    if number and not prefix and not form.has_error(prefix_field):
        form.add_error(prefix_field, _("Choose the country prefix of this tax identification number."))
    if prefix and number and not is_valid_vat(prefix, number):
        form.add_error(
            number_field,
            _("%(vat)s is not a valid VAT number for this country; check the digits.") % {"vat": f"{prefix}{number}"},
        )
    form.cleaned_data[number_field] = number


class SignupForm(AllauthSignupForm):
    client_type = forms.ChoiceField(label=_("Client type"), choices=ClientType.choices, initial=ClientType.B2B_PARTNER)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    vat_country = forms.ChoiceField(
        label=_("VAT country prefix"),
        choices=[("", _("— none —"))] + VAT_PREFIXES,
        required=False,
        help_text=_("Leave empty if your company has no VAT number."),
    )
    vat_number = forms.CharField(
        label=_("Company tax identification number"),
        max_length=30,
        required=False,
        help_text=_("Without the country prefix, for example 18547290."),
    )
    phone = PhoneField(label=_("Phone number"), help_text=_("Choose the country prefix, then type the number."))
    terms = forms.BooleanField(label=_("I accept the terms and the privacy policy"), required=True)

    field_order = [
        "client_type",
        "first_name",
        "last_name",
        "vat_country",
        "vat_number",
        "email",
        "phone",
        "username",
        "password1",
        "password2",
        "terms",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].help_text = _(
            "Every message about your claims goes to this address; you can also log in with it."
        )
        self.fields["username"].label = _("Login (username)")
        self.fields["terms"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse_lazy("terms"),
            _("Read the terms and the privacy policy (opens in a new tab)"),
        )
        self.fields["terms"].error_messages["required"] = _(
            "You must accept the terms and the privacy policy to open an account."
        )
        for name in ("email", "username", "password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        self.fields["vat_country"].initial = "RO"
        invitation = self._invitation()
        if invitation is not None and invitation.company.vat_id:
            # Signing up from an invitation: the company is set by it.
            self.initial.update(
                client_type=ClientType.B2B_PARTNER,
                vat_country=invitation.company.vat_id[:2],
                vat_number=invitation.company.vat_id[2:],
            )

    def _invitation(self):
        email = self.initial.get("email")
        if not email:
            return None
        return (
            Invitation.objects.select_related("company")
            .filter(
                email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
            )
            .order_by("-created_at")
            .first()
        )

    def clean(self):
        cleaned = super().clean()
        clean_vat_fields(self, required=cleaned.get("client_type") == ClientType.B2B_PARTNER)
        return self.cleaned_data

    def validate_unique_email(self, value):
        # An address nobody confirmed does not block its owner: the adapter
        # releases it when this sign-up is saved.
        if not email_is_claimed(value):
            self.account_already_exists = False
            return value
        return super().validate_unique_email(value)

    def custom_signup(self, request, user):
        data = self.cleaned_data
        user.client_type = data["client_type"]
        user.first_name = data["first_name"]
        user.last_name = data["last_name"]
        user.vat_country = data.get("vat_country", "")
        user.vat_number = data.get("vat_number", "")
        user.phone = data["phone"]
        user.language = getattr(request, "LANGUAGE_CODE", None) or user.language
        user.terms_accepted_at = timezone.now()
        user.save()


class ProfileForm(forms.ModelForm):
    phone = PhoneField(label=_("Phone number"))

    class Meta:
        model = User
        fields = ["first_name", "last_name", "phone", "language"]
        labels = {"language": _("Language of the portal and of e-mails")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True


class AddressForm(forms.ModelForm):
    phone = PhoneField(label=_("Phone number"))

    class Meta:
        model = Address
        fields = ["name", "street", "postal_code", "city", "country", "phone", "is_default"]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail address"),
        help_text=_("The invitation works once, for 7 days, and only for this address."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason given to the person"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The person reads this in the e-mail that tells them the request was rejected."),
    )


class CompanySettingsForm(forms.Form):
    notification_email = forms.EmailField(
        label=_("Notification e-mail"),
        required=False,
        help_text=_(
            "If set, a copy of every e-mail about the company's claims goes here, for example service@company.ro."
        ),
    )


class CopiesForm(forms.Form):
    copies = forms.BooleanField(
        label=_("Send me e-mails about claims opened by my colleagues too"),
        required=False,
    )
