"""Password login that costs the same whether the login names an account or not.

allauth's backend tries the login as an e-mail address, then as a username,
then the e-mail credential again, checking the password of every match; with
Django's ModelBackend beside it (which hashes a dummy password for every
login it cannot find) an existing e-mail cost three hashes and an unknown one
two, so the time of a failed login told whether an address is registered.
This backend is the only one: every account is checked at most once, and a
login that matched no account hashes once, so every attempt costs one hash.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend


class AuthenticationBackend(AllauthBackend):
    def authenticate(self, request, **credentials):
        self._checked_user_ids = set()
        return super().authenticate(request, **credentials)

    def _check_password(self, user, password):
        if user is None or user.pk in self._checked_user_ids:
            return None
        self._checked_user_ids.add(user.pk)
        return super()._check_password(user, password)
