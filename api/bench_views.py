"""The API's yardstick for ``manage.py bench``, routed only when RMA_BENCHMARK_VIEWS is on: what every
API request pays before its own work (the key's check and the rate limit, the JSON renderer)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView


@extend_schema(exclude=True)
class BareApiView(APIView):
    def get(self, request):
        return Response({"ok": True})
