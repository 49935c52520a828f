from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def status_badge(status, label):
    """A claim's status as a coloured badge. A tag, not an include: list pages draw it on every row."""
    return format_html('<span class="badge badge-status status-{}">{}</span>', status, label)
