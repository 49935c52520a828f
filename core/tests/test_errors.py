"""The one hierarchy of domain errors and how forms show them."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.errors import (
    DomainError,
    NotAllowed,
    RuleViolation,
    RuleViolations,
    TransitionNotAllowed,
    add_to_form,
)
from core.text import grouped_number, lazy_format, or_list


def test_a_domain_error_carries_message_field_and_code():
    error = RuleViolation("Choose the fault type of this product.", field="fault_type", code="fault_type_required")
    assert (error.message, error.field, error.code) == (
        "Choose the fault type of this product.",
        "fault_type",
        "fault_type_required",
    )
    assert str(error) == "Choose the fault type of this product."
    assert list(error) == [error]


def test_each_kind_has_its_default_code_and_all_are_domain_errors():
    assert RuleViolation("x").code == "rule"
    assert TransitionNotAllowed("x").code == "transition"
    assert NotAllowed("x").code == "not_allowed"
    assert all(issubclass(kind, DomainError) for kind in (RuleViolation, TransitionNotAllowed, NotAllowed))


def test_not_allowed_is_answered_as_django_answers_permission_denied():
    with pytest.raises(PermissionDenied):
        raise NotAllowed("You may not see the claims.")


def test_a_lazy_message_is_translated_when_shown():
    error = RuleViolation(gettext_lazy("Choose the fault type of this product."))
    with translation.override("ro"):
        assert str(error) == "Alegeți tipul de defect al acestui produs."
    assert str(error) == "Choose the fault type of this product."


def test_violations_group_flattens_and_keeps_each_field():
    serial = RuleViolation("Serial needed.", field="serial")
    date = RuleViolation("Date in the future.", field="document_date")
    other = RuleViolation("Fault type.", field="fault_type")
    group = RuleViolations([serial, RuleViolations([date, other])])
    assert [e.field for e in group] == ["serial", "document_date", "fault_type"]
    assert isinstance(group, RuleViolation) and group.code == "rules"
    assert "Serial needed." in group.message and "Fault type." in group.message


def test_raise_if_any_raises_nothing_one_error_or_a_group():
    RuleViolations.raise_if_any([])
    single = RuleViolation("One.", field="serial")
    with pytest.raises(RuleViolation) as raised:
        RuleViolations.raise_if_any([single])
    assert raised.value is single
    with pytest.raises(RuleViolations) as raised:
        RuleViolations.raise_if_any([single, RuleViolation("Two.")])
    assert [e.message for e in raised.value] == ["One.", "Two."]


def test_with_field_names_another_input():
    error = TransitionNotAllowed("Describe what the quote covers.", field="quote_text", code="quote_text_missing")
    moved = error.with_field("new_quote_text")
    assert isinstance(moved, TransitionNotAllowed)
    assert (moved.message, moved.field, moved.code) == (error.message, "new_quote_text", "quote_text_missing")


class LineForm(forms.Form):
    serial = forms.CharField(required=False)
    sale_date = forms.CharField(required=False)


def bound_form(**data):
    form = LineForm(data)
    assert form.is_valid()
    return form


def test_add_to_form_puts_each_message_on_its_field_with_its_code():
    form = bound_form()
    add_to_form(
        form,
        RuleViolations(
            [
                RuleViolation("Serial needed.", field="serial", code="serial_required"),
                RuleViolation("Date in the future.", field="document_date", code="document_date_future"),
            ]
        ),
        fields={"document_date": "sale_date"},
    )
    assert form.errors == {"serial": ["Serial needed."], "sale_date": ["Date in the future."]}
    assert form.errors.as_data()["serial"][0].code == "serial_required"


def test_add_to_form_uses_the_default_for_an_unknown_or_missing_field():
    form = bound_form()
    add_to_form(form, RuleViolation("Somewhere else.", field="no_such_field"), default="serial")
    add_to_form(form, TransitionNotAllowed("The whole form."))
    assert form.errors["serial"] == ["Somewhere else."]
    assert form.non_field_errors() == ["The whole form."]


def test_add_to_form_does_not_add_a_second_error_to_a_field():
    form = bound_form()
    form.add_error("serial", "Already wrong.")
    add_to_form(form, RuleViolation("Serial needed.", field="serial"))
    assert form.errors["serial"] == ["Already wrong."]


def test_texts_from_limits_are_built_in_the_readers_language():
    text = lazy_format(gettext_lazy("At most %(n)d files per claim."), n=10)
    assert str(text) == "At most 10 files per claim."
    assert str(or_list(["PDF", "JPEG", "PNG", "WebP"])) == "PDF, JPEG, PNG or WebP"
    assert str(grouped_number(5000)) == "5,000"
    with translation.override("ro"):
        assert str(text) == "Cel mult 10 fișiere per cerere."
        assert str(grouped_number(5000)) == "5.000"
