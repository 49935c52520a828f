"""The benchmark's yardsticks (``manage.py bench``), routed only when RMA_BENCHMARK_VIEWS is on."""

from django.http import HttpResponse
from django.shortcuts import render


def bare(request):
    return HttpResponse("ok")


def bare_template(request):
    """The base layout with nothing in it: what every page pays before its own content."""
    return render(request, "core/bench.html")
