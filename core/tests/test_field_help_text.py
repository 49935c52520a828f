"""The field tag escapes help texts; only a text marked safe where it is built (a link) keeps its markup."""

from django import forms
from django.template import Context, Template
from django.utils.html import format_html


class HelpForm(forms.Form):
    plain = forms.CharField(help_text="Use <b>capitals</b> & no spaces")
    linked = forms.BooleanField(help_text=format_html('<a href="{}">{}</a>', "/terms/", "Terms"))


def test_help_text_is_escaped_unless_built_safe():
    html = Template("{% load portal %}{% field form.plain %}{% field form.linked %}").render(
        Context({"form": HelpForm()})
    )
    assert "Use &lt;b&gt;capitals&lt;/b&gt; &amp; no spaces" in html and "<b>" not in html
    assert '<a href="/terms/">Terms</a>' in html
