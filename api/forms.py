import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import KeyScope, WebhookEvent


class APIKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=50, help_text=_("Which system uses the key, e.g. “ERP” or “web shop”.")
    )
    scope = forms.ChoiceField(label=_("Rights"), choices=KeyScope.choices, initial=KeyScope.READ)
    expires_on = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    language = forms.ChoiceField(
        label=_("Language of the error messages"),
        choices=[("", _("The request's Accept-Language")), *settings.LANGUAGES],
        required=False,
    )

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day after today."))
        return day

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        end = datetime.datetime.combine(day, datetime.time.max)
        return timezone.make_aware(end)


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        help_text=_("An https:// address of your system that accepts POST requests with JSON."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
