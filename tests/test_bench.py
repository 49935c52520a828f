"""The benchmark command's guards: PostgreSQL only, and its yardstick pages only when asked for."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection


@pytest.mark.django_db
def test_bench_refuses_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("runs on SQLite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench", "--small")


@pytest.mark.django_db
def test_benchmark_views_are_not_routed_by_default(client):
    assert client.get("/_bench/ok").status_code == 404
    assert client.get("/_bench/template").status_code == 404
    assert client.get("/_bench/api").status_code == 404


def test_the_bare_api_view_asks_for_a_key(rf):
    from api.bench_views import BareApiView

    response = BareApiView.as_view()(rf.get("/_bench/api"))
    assert response.status_code == 401


def test_benchmark_views_answer(rf):
    from core import bench_views

    assert bench_views.bare(rf.get("/")).content == b"ok"
