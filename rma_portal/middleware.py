"""Requests carrying NUL characters are refused before any view sees them.

Nobody types a NUL; it only arrives from scripts and fuzzers. Django's form
fields refuse it already, but a raw GET value (a lookup, a search, the admin's
search box) would reach PostgreSQL, which cannot store or compare it and raises.
"""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


def _has_nul(query_dict):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class RejectNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            return HttpResponseBadRequest(_("The request contains characters that are not allowed."))
        return self.get_response(request)
