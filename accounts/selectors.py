from allauth.account.models import EmailAddress

from .models import User


def unconfirmed_signups():
    """Accounts opened by sign-up whose e-mail address was never confirmed.

    Never staff, never an account that has logged in, never one created
    without allauth's address rows (the admin, the demo, management commands).
    """
    return (
        User.objects.filter(is_staff=False, is_superuser=False, last_login__isnull=True, emailaddress__isnull=False)
        .exclude(emailaddress__verified=True)
        .distinct()
    )


def email_is_claimed(email):
    """True when ``email`` belongs to someone: a confirmed address, or the login address of a real account.

    An address that was only typed into a sign-up or added to an account and
    never confirmed claims nothing: its real owner may still sign up with it.
    """
    if EmailAddress.objects.filter(email__iexact=email, verified=True).exists():
        return True
    return User.objects.filter(email__iexact=email).exclude(pk__in=unconfirmed_signups().values("pk")).exists()
