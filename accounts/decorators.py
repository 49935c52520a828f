from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from . import access


def member_required(view):
    """A page of a company's data: signed in, with an active membership; others go to their status page."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if access.active_company(request.user) is None:
            return redirect("dashboard")
        return view(request, *args, **kwargs)

    return wrapped
