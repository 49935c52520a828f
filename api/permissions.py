from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .models import CompanyAPIKey


class KeyScopePermission(permissions.BasePermission):
    """A company key is needed; a read key reads, a read-and-write key also writes."""

    message = _("This API key may only read.")

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, CompanyAPIKey):
            return False
        return request.method in permissions.SAFE_METHODS or key.can_write
