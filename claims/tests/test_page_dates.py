"""Pages write dates in the format of the page's language (rma_portal/formats/)."""

import datetime

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from claims.tests.factories import ClaimFactory, ClaimLineFactory


def page(language, user, url):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client.get(url).content.decode()


def test_claim_dates_follow_the_language(owner):
    claim = ClaimFactory(owner=owner)
    ClaimLineFactory(claim=claim, position=1, document_date=datetime.date(2026, 3, 4))
    opened = timezone.make_aware(datetime.datetime(2026, 3, 14, 9, 30))
    Claim.objects.filter(pk=claim.pk).update(created_at=opened)

    romanian = page("ro", owner, reverse("claim_detail", args=[claim.pk]))
    assert "<dd>14.03.2026 09:30</dd>" in romanian and ">04.03.2026</td>" in romanian
    english = page("en", owner, reverse("claim_detail", args=[claim.pk]))
    assert "<dd>14 Mar 2026 09:30</dd>" in english and ">4 Mar 2026</td>" in english

    assert "14.03.2026<br>" in page("ro", owner, reverse("claim_list"))
    assert "14 Mar 2026<br>" in page("en", owner, reverse("claim_list"))
