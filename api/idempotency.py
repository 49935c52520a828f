"""``Idempotency-Key`` on POST: the first answer is kept; a retry with the same body gets it again.

The record is written in the transaction of the write itself, so a request
that fails keeps nothing and may be sent again; two parallel requests with
the same key meet at the unique constraint on (company, key): the second
waits for the first to commit and then returns its answer.
"""

from __future__ import annotations

import datetime
import functools
import hashlib

from django.db import transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import IdempotencyRecord
from .problems import problem

HEADER = "Idempotency-Key"
# A key is remembered this long (the usual window, as Stripe's); housekeeping deletes older records,
# so a retry later than this is a new request.
KEY_RETENTION = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


def request_fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.path.encode())
    digest.update(b"\0")
    digest.update(request.META.get("CONTENT_TYPE", "").split(";")[0].encode())
    digest.update(b"\0")
    django_request = request._request
    try:
        # The raw body, read before DRF parses it (request.body keeps a copy for the parser).
        digest.update(django_request.body)
    except RawPostDataException:
        # A multipart body was parsed already (a middleware read POST): its fields and files' contents.
        for name in sorted(django_request.POST):
            for value in django_request.POST.getlist(name):
                digest.update(f"{name}={value}\0".encode())
        for name in sorted(django_request.FILES):
            for uploaded in django_request.FILES.getlist(name):
                digest.update(f"{name}:{uploaded.name}:{uploaded.size}\0".encode())
                for chunk in uploaded.chunks():
                    digest.update(chunk)
                uploaded.seek(0)
    return digest.hexdigest()


def idempotent(handler):
    """Decorate a POST handler of an APIView."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return problem(
                400,
                _("The request is not valid."),
                detail=_("An Idempotency-Key has at most %(n)d characters.") % {"n": MAX_KEY_LENGTH},
                code="idempotency_key_too_long",
            )
        fingerprint = request_fingerprint(request)
        company = request.auth.company
        try:
            with transaction.atomic():
                record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
                    company=company,
                    key=key,
                    defaults={"request_hash": fingerprint, "method": request.method, "path": request.path[:500]},
                )
                if not created:
                    return replay(record, fingerprint)
                response = handler(view, request, *args, **kwargs)
                if response.status_code >= 400:
                    raise _Rollback(response)
                body = (
                    JSONRenderer().render(response.data) if isinstance(response, Response) else bytes(response.content)
                )
                record.status = response.status_code
                record.content_type = "application/json"
                record.body = body
                record.save(update_fields=["status", "content_type", "body"])
                if getattr(response, "redrawn_on_commit", False):
                    # The handler draws its body again once the transaction commits (after its own
                    # callbacks, registered before this one): a replay returns that body.
                    pk = record.pk
                    transaction.on_commit(
                        lambda: IdempotencyRecord.objects.filter(pk=pk).update(
                            body=JSONRenderer().render(response.data)
                        )
                    )
                return response
        except _Rollback as rollback:
            return rollback.response

    return wrapper


def replay(record: IdempotencyRecord, fingerprint: str):
    if record.request_hash != fingerprint:
        return problem(
            422,
            _("This Idempotency-Key was used for another request."),
            detail=_("Send a new Idempotency-Key for a new request; a retry must repeat the first request exactly."),
            code="idempotency_key_reused",
        )
    if record.status is None:
        return problem(409, _("Conflict."), detail=_("The first request with this key is still running."), code="busy")
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
    response["Idempotent-Replayed"] = "true"
    return response
