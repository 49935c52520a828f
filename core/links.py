"""Absolute links for what leaves the portal: e-mails, and documents printed from a task."""

from django.conf import settings
from django.urls import reverse


def portal_url(viewname: str, *args: object, **kwargs: object) -> str:
    """The public address of a named URL: ``PORTAL_URL`` (never the request's Host header) plus ``reverse()``."""
    return settings.PORTAL_URL + reverse(viewname, args=args or None, kwargs=kwargs or None)
