from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def api_docs(request):
    """Swagger UI from the vendored sidecar files and a static start script: no CDN, no inline script."""
    return render(request, "api/docs.html")
