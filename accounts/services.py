import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from .models import Address, User
from .selectors import unconfirmed_signups


def _lock_address_book(user):
    """Serialise changes to one user's addresses: two parallel saves could both make a default."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()


@transaction.atomic
def address_save(*, user, address):
    """Save ``address`` for ``user``; the first address, or one marked default, becomes the default."""
    _lock_address_book(user)
    address.user = user
    has_default = Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).exists()
    if not has_default:
        address.is_default = True
    if address.is_default:
        Address.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
    address.save()
    return address


@transaction.atomic
def address_delete(*, address):
    _lock_address_book(address.user)
    # Read again under the lock: a parallel request may have changed the default.
    current = Address.objects.filter(pk=address.pk).first()
    if current is None:
        return
    user, was_default = address.user, current.is_default
    current.delete()
    if was_default:
        successor = Address.objects.filter(user=user).order_by("name", "id").first()
        if successor:
            successor.is_default = True
            successor.save(update_fields=["is_default"])


def user_set_language(*, user, language):
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def email_release_unconfirmed(*, email):
    """Free ``email`` for the sign-up of its real owner.

    An unconfirmed sign-up with that address is replaced (deleted: it never
    logged in and owns nothing), and the address is taken off any account
    that added it without confirming it.
    """
    User.objects.filter(
        pk__in=list(unconfirmed_signups().filter(email__iexact=email).values_list("pk", flat=True))
    ).delete()
    EmailAddress.objects.filter(email__iexact=email, verified=False).delete()


UNCONFIRMED_SIGNUP_DAYS = 7


@transaction.atomic
def unconfirmed_signups_purge(*, now=None):
    """Delete sign-ups whose e-mail address was not confirmed within a week; returns how many went.

    Run by Celery beat; running it again finds nothing more to do.
    """
    joined_before = (now or timezone.now()) - datetime.timedelta(days=UNCONFIRMED_SIGNUP_DAYS)
    doomed = unconfirmed_signups().filter(date_joined__lt=joined_before)
    count = doomed.count()
    if count:
        # delete() cannot run on a distinct() queryset.
        User.objects.filter(pk__in=list(doomed.values_list("pk", flat=True))).delete()
    return count
