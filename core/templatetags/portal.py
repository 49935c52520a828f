"""Form rendering as the GOV.UK Design System does it.

``{% error_summary form other_form %}`` puts a summary at the top of an
invalid page that links to each faulty field; ``{% field form.name %}``
renders a visible label, the hint, the error next to the field, and wires
them to the input with ``aria-describedby`` and ``aria-invalid``.
"""

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

CHECK_WIDGETS = (forms.CheckboxInput,)
CHOICE_LIST_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def _css_class(widget, invalid):
    if isinstance(widget, CHECK_WIDGETS):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    elif isinstance(widget, CHOICE_LIST_WIDGETS):
        css = ""
    else:
        css = "form-control"
    if invalid and css:
        css += " is-invalid"
    return css


def first_input_id(bound_field):
    """The id the summary links to: for a split widget, its first input."""
    widget = bound_field.field.widget
    base = bound_field.auto_id
    if isinstance(widget, forms.MultiWidget):
        return f"{base}_0"
    if isinstance(widget, CHOICE_LIST_WIDGETS):
        return f"{base}_0"
    return base


def _errors_html(bound_field, error_id):
    """The field's errors, each announced as an error to screen readers, next to the field."""
    if not bound_field.errors:
        return ""
    prefix = format_html('<span class="visually-hidden">{} </span>', gettext("Error:"))
    messages = format_html_join(mark_safe("<br>"), "{}{}", ((prefix, error) for error in bound_field.errors))
    return format_html('<p class="invalid-feedback d-block" id="{}">{}</p>', error_id, messages)


def _label_text(bound_field):
    required = mark_safe(' <span class="required" aria-hidden="true">*</span>') if bound_field.field.required else ""
    return format_html("{}{}", bound_field.label, required)


@register.simple_tag
def field(bound_field, **options):
    """A form field as the GOV.UK Design System draws it: a visible label, the hint, the error next to
    the field, each wired to the input. Drawn in Python (no include per field): list and detail pages
    draw many fields per request."""
    invalid = bool(bound_field.errors)
    describedby = []
    auto_id = bound_field.auto_id
    hint_id = f"{auto_id}_hint"
    error_id = f"{auto_id}_error"
    help_text = bound_field.help_text
    if help_text:
        describedby.append(hint_id)
    if invalid:
        describedby.append(error_id)
    widget = bound_field.field.widget
    attrs = {}
    css = _css_class(widget, invalid)
    extra = options.get("css")
    if css or extra:
        attrs["class"] = " ".join(c for c in (css, extra) if c)
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if invalid:
        attrs["aria-invalid"] = "true"
    for key, value in options.items():
        if key.startswith("attr_"):
            attrs[key[5:].replace("_", "-")] = value
    if isinstance(widget, forms.MultiWidget):
        for sub in widget.widgets:
            sub.attrs["class"] = _css_class(sub, invalid)
            if describedby:
                sub.attrs["aria-describedby"] = " ".join(describedby)
            if invalid:
                sub.attrs["aria-invalid"] = "true"
    widget_html = bound_field.as_widget(attrs=attrs)
    errors = _errors_html(bound_field, error_id)
    label_for = first_input_id(bound_field)
    hide = " visually-hidden" if options.get("hide_label", False) else ""
    group_class = "mb-3 field" + (" field--error" if invalid else "")
    if isinstance(widget, CHECK_WIDGETS):
        hint = format_html('<div class="form-text" id="{}">{}</div>', hint_id, help_text) if help_text else ""
        return format_html(
            '<div class="{} form-check" id="{}_group">\n{}\n{}\n<label class="form-check-label" for="{}">{}</label>\n{}\n</div>',
            group_class,
            auto_id,
            errors,
            widget_html,
            label_for,
            _label_text(bound_field),
            hint,
        )
    hint = format_html('<div class="form-text mt-0 mb-1" id="{}">{}</div>', hint_id, help_text) if help_text else ""
    if isinstance(widget, (forms.MultiWidget, *CHOICE_LIST_WIDGETS)):
        return format_html(
            '<div class="{}" id="{}_group">\n<fieldset class="field-group" aria-describedby="{}">\n'
            '<legend class="form-label fs-6{}"><label for="{}" class="m-0">{}</label></legend>\n{}\n{}\n'
            '<div class="split-widget">{}</div>\n</fieldset>\n</div>',
            group_class,
            auto_id,
            " ".join(describedby),
            hide,
            label_for,
            _label_text(bound_field),
            hint,
            errors,
            widget_html,
        )
    return format_html(
        '<div class="{}" id="{}_group">\n<label class="form-label{}" for="{}">{}</label>\n{}\n{}\n{}\n</div>',
        group_class,
        auto_id,
        hide,
        label_for,
        _label_text(bound_field),
        hint,
        errors,
        widget_html,
    )


def _iter_forms(items):
    for item in items:
        if item is None:
            continue
        if isinstance(item, forms.BaseFormSet):
            yield from _iter_forms([item.management_form])
            yield from _iter_forms(item.forms)
            if item.non_form_errors():
                yield ("non_form", item)
        else:
            yield item


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*items):
    errors = []
    for form in _iter_forms(items):
        if isinstance(form, tuple):
            for message in form[1].non_form_errors():
                errors.append({"href": "", "message": message})
            continue
        if not form.is_bound:
            continue
        for message in form.non_field_errors():
            errors.append({"href": "", "message": message})
        # In the order of the fields on the page, whether an error came from a field or from clean().
        for name in form.fields:
            field_errors = form.errors.get(name)
            if not field_errors:
                continue
            bound = form[name]
            for message in field_errors:
                errors.append({"href": "#" + first_input_id(bound), "message": message, "label": bound.label})
    return {"errors": errors}
