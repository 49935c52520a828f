"""Issue 10.7: parallel "add default address" requests keep one default, without an error."""

import threading
import time

import pytest
from django.db import connection, transaction

from accounts.models import Address
from accounts.services import address_save


def new_address(user, name):
    return Address(
        name=name,
        street="Bd. Unirii nr. 10",
        postal_code="030823",
        city="Bucuresti",
        country="RO",
        phone="+40721000001",
        is_default=True,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_default_addresses_keep_exactly_one_default(owner):
    start = threading.Barrier(2)
    errors = []

    def add(name):
        try:
            start.wait()
            with transaction.atomic():  # the request's transaction (ATOMIC_REQUESTS)
                address_save(company=owner.membership.company, address=new_address(owner, name))
                time.sleep(0.3)  # the rest of the request: messages, redirect
        except Exception as error:  # noqa: BLE001 - the test reports whatever a request hit
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(f"Depozit {n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Address.objects.filter(company=owner.membership.company).count() == 2
    assert Address.objects.filter(company=owner.membership.company, is_default=True).count() == 1
