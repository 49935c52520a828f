"""The Python widget renderer draws exactly what Django's templates draw."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from core.renderers import FastWidgetRenderer


class Several(forms.ClearableFileInput):
    allow_multiple_selected = True


class Stored:
    """A file already uploaded, as a FileField's initial value (clearable_file_input.html shows its link)."""

    url = "/media/a&b.pdf"

    def __str__(self):
        return "a&b.pdf"


class Everything(forms.Form):
    text = forms.CharField(help_text="a hint", max_length=20)
    email = forms.EmailField(required=False)
    number = forms.IntegerField(initial=1500)
    decimal = forms.DecimalField(initial=12.5, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date(2026, 1, 2))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial='p"w<>&')
    hidden = forms.CharField(widget=forms.HiddenInput, initial="<b>")
    agree = forms.BooleanField(required=False, initial=True)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), initial="line 1\n<line 2> & 'q'")
    empty_body = forms.CharField(widget=forms.Textarea, required=False)
    choice = forms.ChoiceField(choices=[("", "---"), ("a", "A & B"), (1, "<one>"), ("x", mark_safe("<i>x</i>"))])
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("veg", 'Veg "v"')], initial="pear"
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], initial=["b"], required=False)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("r", "R"), ("s", "S")], required=False)
    file = forms.FileField(required=False, widget=forms.FileInput(attrs={"accept": ".pdf,image/*"}))
    plain_file = forms.FileField(required=False)
    several = forms.FileField(required=False, widget=Several(attrs={"accept": "image/*"}))
    kept_file = forms.FileField(required=False, initial=Stored())
    disabled = forms.CharField(disabled=True, initial="fixed")


def both(form_factory):
    """Every field's widget drawn by Django's renderer and by ours."""
    drawn = []
    for renderer in (DjangoTemplates(), FastWidgetRenderer()):
        form = form_factory(renderer)
        drawn.append([str(form[name]) for name in form.fields])
    return drawn


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": 'x" onmouseover="1', "number": "abc", "choice": "a", "grouped": "apple", "many": ["a", "b"]},
        {"text": "", "day": "not a date", "choice": "1", "agree": "on", "body": "", "radio": "s"},
    ],
)
def test_the_fast_renderer_draws_what_the_templates_draw(data):
    django_html, fast_html = both(lambda renderer: Everything(data, renderer=renderer))
    assert fast_html == django_html
    assert any("<select" in html for html in fast_html)
    assert any("<textarea" in html for html in fast_html)


def test_the_portal_renders_forms_with_the_fast_renderer():
    assert isinstance(get_default_renderer(), FastWidgetRenderer)
