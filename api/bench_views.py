"""The API's yardstick for ``manage.py bench``, routed only when RMA_BENCHMARK_VIEWS is on: what every
API request pays before its own work (the base of every API view: the key's check, the rate limit, the
language of its messages, the JSON renderer)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from .views import ApiView


@extend_schema(exclude=True)
class BareApiView(ApiView):
    def get(self, request):
        return Response({"ok": True})
