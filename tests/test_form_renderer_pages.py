"""Whole pages, partner and admin, drawn with Django's widget templates and with core.renderers: the same HTML."""

import re

import pytest
from django.forms.renderers import get_default_renderer

from claims.tests.factories import ClaimFactory, ClaimLineFactory
from conftest import english_client_for

# What differs between two renders of a page: the CSRF token and the claim form's one-time token.
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|value="\d+\.)[^"]+"')


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub(r"\1…", response.content.decode())


PARTNER_PAGES = ["/", "/claims/", "/claims/?q=x&status=received", "/claims/new/", "/claims/import/", "/profile/"]
PARTNER_PAGES += ["/company/", "/company/api-keys/", "/company/webhooks/", "/profile/addresses/new/"]
ADMIN_PAGES = [
    "/admin/claims/claimtype/add/",
    "/admin/claims/claim/?q=x",
    "/admin/warranty/product/add/",
    "/admin/accounts/user/add/",
]


@pytest.mark.django_db
def test_every_form_page_is_the_same_with_both_renderers(owner, owner_client, settings, django_user_model):
    """Whole pages, partner and admin, with Django's renderer and with ours: the same HTML."""
    claim = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=claim)
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    admin_client = english_client_for(admin)
    pages = [(owner_client, url) for url in [*PARTNER_PAGES, claim.get_absolute_url()]]
    pages += [(admin_client, url) for url in [*ADMIN_PAGES, f"/admin/claims/claim/{claim.pk}/change/"]]
    drawn = {}
    for renderer in ("django.forms.renderers.DjangoTemplates", "core.renderers.FastWidgetRenderer"):
        settings.FORM_RENDERER = renderer
        get_default_renderer.cache_clear()
        drawn[renderer] = [_page(client, url) for client, url in pages]
    get_default_renderer.cache_clear()
    for (_client, url), django_html, fast_html in zip(pages, *drawn.values(), strict=True):
        assert fast_html == django_html, url
