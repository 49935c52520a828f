"""The phone-prefix country names follow the request's language, not the language at import time."""

from django.utils import translation

from accounts.forms import AddressForm


def label_of(form, region):
    return dict(form.fields["phone"].fields[0].choices)[region]


def test_country_names_follow_the_active_language(db):
    with translation.override("en"):
        english = AddressForm()
    with translation.override("ro"):
        romanian = AddressForm()
    assert label_of(english, "DE").startswith("Germany")
    assert label_of(romanian, "DE").startswith("Germania")
    rendered = str(english["phone"])
    assert "Germany +49" in rendered and "Germania" not in rendered
