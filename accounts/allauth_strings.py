"""allauth messages that partners read, listed here so that our own catalogue translates them.

Django looks in LOCALE_PATHS before the apps' catalogues, so our Romanian
wins over allauth's, which writes several of these without diacritics.
Nothing imports this module; makemessages reads it.
"""

from django.utils.translation import gettext_noop

STRINGS = [
    gettext_noop("The username and/or password you specified are not correct."),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Password"),
    gettext_noop("Password (again)"),
    gettext_noop("Remember Me"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Please type your current password."),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("This account is inactive."),
    gettext_noop("Email address"),
    gettext_noop("Username or email"),
    gettext_noop("Username"),
    gettext_noop("Email"),
    gettext_noop("Email (again)"),
    gettext_noop("You must type the same email each time."),
    gettext_noop("Incorrect password."),
]
