"""A form renderer that draws Django's common widgets in Python.

Django renders each widget through templates: a ``<select>`` of twelve choices
is thirteen template renders with an include per option and per attribute
list. On a page with a filter form that was a quarter of its time. This
renderer produces the same bytes for the widgets whose templates it knows
(inputs, checkbox, textarea, select and its options) and hands every other
template to Django's own renderer. ``core/tests/test_renderers.py`` compares
both renderers' output on every form of the portal.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(
    WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "email.html",
        "number.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "search.html",
        "tel.html",
        "url.html",
        "color.html",
        "checkbox.html",
        "file.html",
    )
)


def _attrs(attrs):
    """django/forms/widgets/attrs.html: False is left out, True is a bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(parts)


def _text(value):
    """What ``{{ value }}`` prints: localized, then escaped unless already safe."""
    return conditional_escape(localize(value))


def _input(widget):
    value = widget["value"]
    shown = f' value="{conditional_escape(value)}"' if value is not None else ""
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _option(option):
    return (
        f'<option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>"
    )


def _select(widget):
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != WIDGETS + "select_option.html":
                return None
            parts.append("\n  " + _option(option) + "\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget):
    value = widget["value"]
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{_text(value) if value else ""}</textarea>'


def _clearable_file(widget):
    """django/forms/widgets/clearable_file_input.html without a current file (a new upload): a bare input."""
    if widget.get("is_initial"):
        return None
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>'


FAST = {
    WIDGETS + "select.html": _select,
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "clearable_file_input.html": _clearable_file,
}
FAST.update(dict.fromkeys(INPUT_TEMPLATES, _input))


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        draw = FAST.get(template_name)
        if draw is not None and "widget" in context:
            html = draw(context["widget"])
            if html is not None:
                return mark_safe(html.strip())
        return super().render(template_name, context, request=request)
