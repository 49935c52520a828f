from rest_framework.throttling import SimpleRateThrottle

from .models import CompanyAPIKey


class KeyRateThrottle(SimpleRateThrottle):
    """Requests per key, counted in the shared cache (Redis when several processes serve)."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        key = request.auth
        if not isinstance(key, CompanyAPIKey):
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": key.pk}
