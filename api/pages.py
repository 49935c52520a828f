"""The company administrator's page of API keys (and later webhooks), in the portal."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.decorators import member_required

from . import services
from .forms import APIKeyForm
from .models import CompanyAPIKey


def _admin_company(request):
    company = access.active_company(request.user)
    if company is None or not access.is_company_admin(request.user, company):
        raise Http404
    return company


@member_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    company = _admin_company(request)
    form = APIKeyForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        key, secret = services.api_key_create(
            by=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
            language=form.cleaned_data["language"],
        )
        form = APIKeyForm()
    response = render(
        request,
        "api/api_keys.html",
        {"company": company, "keys": services.api_keys_of(company), "form": form, "secret": secret},
    )
    # The key is shown once: nothing may keep this page.
    response["Cache-Control"] = "no-store"
    return response


@member_required
@require_POST
def api_key_revoke(request, pk):
    company = _admin_company(request)
    key = get_object_or_404(CompanyAPIKey, pk=pk, company=company)
    services.api_key_revoke(key=key, by=request.user)
    messages.success(request, _("The key “%(name)s” has been revoked.") % {"name": key.name})
    return redirect("api_keys")
