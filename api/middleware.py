"""Answers made before the API's views (a refused NUL character, an unknown URL) in problem+json too."""

import json

from django.http import HttpResponse

PREFIX = "/api/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApiProblemMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path_info.startswith(PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(("application/problem+json", "application/json"))
        ):
            body = getattr(response, "content", b"").decode(errors="replace").strip()
            title = body if body and len(body) < 200 and "<" not in body else response.reason_phrase
            problem = {"type": "about:blank", "title": title, "status": response.status_code}
            converted = HttpResponse(
                json.dumps(problem), status=response.status_code, content_type=PROBLEM_CONTENT_TYPE
            )
            for header in ("Retry-After", "WWW-Authenticate", "Allow", "Content-Language", "Vary"):
                if header in response:
                    converted[header] = response[header]
            return converted
        return response
