from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.middleware import LANGUAGE_CODES

from . import services
from .forms import AddressForm, ProfileForm
from .models import Address


def get_address_for_user(request, pk):
    return get_object_or_404(Address, pk=pk, user=request.user)


def set_language_cookie(response, language):
    """The visitor's language choice; Secure in production, like the session cookie."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


@require_GET
def terms(request):
    return render(request, "accounts/terms.html")


@require_POST
def set_language(request):
    language = request.POST.get("language")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in LANGUAGE_CODES:
        set_language_cookie(response, language)
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        set_language_cookie(response, user.language)
        return response
    addresses = request.user.addresses.all()
    return render(request, "accounts/profile.html", {"form": form, "addresses": addresses})


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request, pk=None):
    address = get_address_for_user(request, pk) if pk else Address(user=request.user)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.address_save(user=request.user, address=form.save(commit=False))
        messages.success(request, _("The return address has been saved."))
        return redirect(request.POST.get("next") if _safe_next(request) else "profile")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
@require_http_methods(["GET", "POST"])
def address_delete(request, pk):
    address = get_address_for_user(request, pk)
    if request.method == "POST":
        services.address_delete(address=address)
        messages.success(request, _("The return address has been deleted."))
        return redirect("profile")
    return render(request, "accounts/address_confirm_delete.html", {"address": address})


def _safe_next(request):
    next_url = request.POST.get("next")
    return bool(next_url) and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
