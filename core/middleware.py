"""Middlewares of the portal: the page language, refusing NUL characters, the security policy headers."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    """Pick the page language: the visitor's choice, else the account's, else Romanian.

    The browser's Accept-Language is deliberately ignored: Romanian is the
    portal's default for everyone who has not picked another language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in LANGUAGE_CODES:
            user = request.user
            language = user.language if user.is_authenticated else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


# Requests carrying NUL characters are refused before any view sees them.
#

# Nobody types a NUL; it only arrives from scripts and fuzzers. Django's form
# fields refuse it already, but a raw GET value (a lookup, a search, the admin's
# search box) would reach PostgreSQL, which cannot store or compare it and raises.


def _has_nul(query_dict):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class RejectNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return HttpResponseBadRequest(_("The request contains characters that are not allowed."))
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Switch off the browser features listed in ``settings.PERMISSIONS_POLICY`` (feature: allowed origins)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's Content-Security-Policy, with ``CONTENT_SECURITY_POLICY_ADMIN_UPDATE`` added in the admin.

    The partner portal has no inline style at all; Django's admin pages (and
    our admin templates) carry ``<style>`` blocks and style attributes, so
    only there are inline styles allowed. Scripts stay strict everywhere.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.update is None and request.path_info.startswith(reverse("admin:index")):
            parts.update = settings.CONTENT_SECURITY_POLICY_ADMIN_UPDATE
        return parts
