"""Issue 10.2: a claim form is sent once (one-time token); the duplicate-serial check and the creation
happen under one lock (the company's row)."""

import threading

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from claims.models import Claim
from claims.services import submit_token_issue
from claims.tests.conftest import catalogue, claim_post, owner_address  # noqa: F401 - fixtures
from claims.tests.factories import pdf_bytes
from tests.html import text

ALREADY = "This claim form was already sent"


def send(browser, data):
    invoice = SimpleUploadedFile("factura.pdf", pdf_bytes(), content_type="application/pdf")
    return browser.post(reverse("claim_new"), {**data, "sales_documents": [invoice]})


def english(user):
    browser = Client()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    browser.force_login(user)
    return browser


def test_the_form_carries_a_token(owner_client, catalogue, owner_address):  # noqa: F811
    html = owner_client.get(reverse("claim_new")).content.decode()
    assert 'name="submit_token"' in html


def test_the_same_form_sent_twice_makes_one_claim_and_links_to_it(owner_client, claim_post):  # noqa: F811
    data = claim_post()
    first = send(owner_client, data)
    assert first.status_code == 302
    claim = Claim.objects.get()

    again = send(owner_client, data)

    assert Claim.objects.count() == 1
    assert again.status_code == 302 and again.url == claim.get_absolute_url()
    page = owner_client.get(again.url).content.decode()
    assert ALREADY in text(page) and claim.rma_number in text(page)


def test_a_form_without_a_valid_token_makes_no_claim_and_keeps_the_input(owner_client, claim_post):  # noqa: F811
    for token in (None, "", "forged:token", submit_token_issue(type("U", (), {"pk": 999999})())):
        response = send(owner_client, claim_post(submit_token=token))
        assert response.status_code == 200
        html = response.content.decode()
        assert "This form is too old or was not opened by you" in text(html)
        assert 'value="PR-77"' in html  # the input is kept
        # ...and a fresh token comes with it, so sending the page again works.
        fresh = response.context["bundle"].form.data["submit_token"]
        assert fresh and fresh != token
    assert not Claim.objects.exists()


def test_the_service_checks_duplicate_serials_itself(owner, catalogue):  # noqa: F811
    import datetime

    from claims.services import ClaimData, LineData, ReturnAddress, claim_create
    from core.errors import RuleViolation

    def data(**extra):
        line = LineData(
            product=catalogue["drone"], serial="1SDJK7R0A10043", document_date=datetime.date.today(), description="x"
        )
        address = ReturnAddress("Firma", "Str. 1", "010101", "Bucuresti", "RO")
        return ClaimData(claim_type=catalogue["warranty_type"], lines=[line], return_address=address, **extra)

    claim_create(user=owner, data=data())
    with pytest.raises(RuleViolation) as refused:
        claim_create(user=owner, data=data())
    assert refused.value.code == "duplicate_serial" and refused.value.field == "confirm_duplicate"
    claim_create(user=owner, data=data(duplicate_serials_confirmed=True))
    assert Claim.objects.count() == 2


def run_parallel(work, count=2):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def target(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_posts_of_one_form_make_one_claim(owner, claim_post):  # noqa: F811
    data = claim_post()
    browsers = [english(owner), english(owner)]

    responses, errors = run_parallel(lambda i: send(browsers[i], data))

    assert errors == []
    assert Claim.objects.count() == 1
    claim = Claim.objects.get()
    assert sorted(r.url for r in responses) == sorted(
        [reverse("claim_registered", args=[claim.pk]), claim.get_absolute_url()]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_forms_for_one_serial_make_one_claim(owner, claim_post):  # noqa: F811
    forms = [claim_post(), claim_post()]  # two tabs: two tokens, the same serial number
    browsers = [english(owner), english(owner)]

    responses, errors = run_parallel(lambda i: send(browsers[i], forms[i]))

    assert errors == []
    assert Claim.objects.count() == 1
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert "already has an open claim" in text(refused.content.decode())
