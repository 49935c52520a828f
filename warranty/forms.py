from django import forms
from django.utils.translation import gettext_lazy as _


class WarrantyLookupForm(forms.Form):
    ean = forms.CharField(
        label=_("Check the warranty: type the EAN/GTIN-13 code"),
        max_length=40,
        help_text=_("The 13 digits under the barcode on the box. The warranty counts from your last purchase."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "enterkeyhint": "search"}),
    )


class SerialCheckForm(forms.Form):
    serial = forms.CharField(
        label=_("Check a serial number"),
        max_length=100,
        help_text=_("Is the device's serial number in the INNPRO database?"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "search", "autocapitalize": "characters"}),
    )
