"""Form rendering as the GOV.UK Design System does it.

``{% error_summary form other_form %}`` puts a summary at the top of an
invalid page that links to each faulty field; ``{% field form.name %}``
renders a visible label, the hint, the error next to the field, and wires
them to the input with ``aria-describedby`` and ``aria-invalid``.
"""

from django import forms, template

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


@register.inclusion_tag("includes/field.html")
def field(bound_field, **options):
    invalid = bool(bound_field.errors)
    describedby = []
    hint_id = f"{bound_field.auto_id}_hint"
    error_id = f"{bound_field.auto_id}_error"
    if bound_field.help_text:
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
    return {
        "field": bound_field,
        "widget_html": bound_field.as_widget(attrs=attrs),
        "hint_id": hint_id,
        "error_id": error_id,
        "is_checkbox": isinstance(widget, CHECK_WIDGETS),
        "is_group": isinstance(widget, (forms.MultiWidget, *CHOICE_LIST_WIDGETS)),
        "label_for": first_input_id(bound_field),
        "hide_label": options.get("hide_label", False),
    }


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
