"""Every API error as ``application/problem+json`` (RFC 9457), domain errors included.

A ``core.errors.DomainError`` carries a translated message and the field it is
about, in the words of the web form; it becomes a problem with that field's
error under ``errors``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict, DomainError, NotAllowed, TransitionNotAllowed

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://rma.innpro.example/problems/"


def problem(
    status_code: int,
    title: str,
    *,
    detail: str = "",
    code: str = "",
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (code or str(status_code)),
        "title": title,
        "status": status_code,
    }
    if detail:
        body["detail"] = detail
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _flatten(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as {"lines[0].serial": ["..."]}."""
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for name, value in data.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            if name == "non_field_errors":
                key = prefix or "non_field_errors"
            for k, v in _flatten(value, key).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(data, list):
        if all(not isinstance(v, (dict, list)) for v in data):
            out[prefix or "non_field_errors"] = [str(v) for v in data]
        else:
            for index, value in enumerate(data):
                for k, v in _flatten(value, f"{prefix}[{index}]").items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(data)]
    return out


def domain_problem(error: DomainError, *, field_prefix: str = "") -> Response:
    errors: dict[str, list[str]] = {}
    for single in error:
        name = single.field or "non_field_errors"
        errors.setdefault(f"{field_prefix}{name}", []).append(str(single.message))
    if isinstance(error, NotAllowed):
        return problem(status.HTTP_403_FORBIDDEN, _("Not allowed."), detail=str(error), code=error.code)
    if isinstance(error, (Conflict, TransitionNotAllowed)):
        return problem(status.HTTP_409_CONFLICT, _("Conflict."), detail=str(error), code=error.code, errors=errors)
    return problem(
        status.HTTP_422_UNPROCESSABLE_ENTITY,
        _("The request breaks a rule."),
        detail=str(error),
        code=error.code,
        errors=errors,
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return domain_problem(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status.HTTP_400_BAD_REQUEST,
            _("The request is not valid."),
            code="invalid",
            errors=_flatten(exc.detail),
            headers=headers,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else ""
    return problem(
        response.status_code,
        str(detail) or response.reason_phrase,
        detail=str(detail),
        code=code if isinstance(code, str) else "",
        headers=headers,
    )
