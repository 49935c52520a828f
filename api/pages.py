"""The company administrator's pages of API keys and webhooks, in the portal."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.decorators import member_required
from core.errors import DomainError, add_to_form

from . import services, webhooks
from .forms import APIKeyForm, WebhookEndpointForm
from .models import CompanyAPIKey, WebhookDelivery, WebhookEndpoint


def _admin_company(request):
    company = access.active_company(request.user)
    if company is None or not access.is_company_admin(request.user, company):
        raise Http404
    return company


NEW_SECRET = "api_new_key"


@member_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    company = _admin_company(request)
    form = APIKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _key, secret = services.api_key_create(
            by=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
            language=form.cleaned_data["language"],
        )
        # Shown once, on the page the redirect leads to (a reload creates no second key), then gone.
        request.session[NEW_SECRET] = secret
        return redirect("api_keys")
    secret = request.session.pop(NEW_SECRET, None) if request.method == "GET" else None
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


@member_required
@require_http_methods(["GET", "POST"])
def webhooks_page(request):
    company = _admin_company(request)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.endpoint_create(
                company=company, by=request.user, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("The webhook has been registered."))
            return redirect("api_webhook", endpoint.pk)
    endpoints = WebhookEndpoint.objects.filter(company=company).order_by("-created_at")
    return render(request, "api/webhooks.html", {"company": company, "form": form, "endpoints": endpoints})


def _endpoint(request, pk):
    return get_object_or_404(WebhookEndpoint, pk=pk, company=_admin_company(request))


@member_required
@require_http_methods(["GET"])
def webhook_detail(request, pk):
    endpoint = _endpoint(request, pk)
    deliveries = list(endpoint.deliveries.prefetch_related("attempts").order_by("-created_at", "-id")[:50])
    response = render(request, "api/webhook_detail.html", {"endpoint": endpoint, "deliveries": deliveries})
    response["Cache-Control"] = "no-store"
    return response


@member_required
@require_POST
def webhook_toggle(request, pk):
    endpoint = _endpoint(request, pk)
    if endpoint.active:
        endpoint.active = False
        endpoint.disabled_reason = _("Switched off by an administrator.")
        endpoint.save(update_fields=["active", "disabled_reason"])
        messages.success(request, _("The webhook has been switched off."))
    else:
        try:
            webhooks.endpoint_enable(endpoint)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The webhook has been switched on."))
    return redirect("api_webhook", endpoint.pk)


@member_required
@require_POST
def webhook_delete(request, pk):
    _endpoint(request, pk).delete()
    messages.success(request, _("The webhook has been deleted."))
    return redirect("api_webhooks")


@member_required
@require_POST
def webhook_resend(request, pk, delivery_pk):
    endpoint = _endpoint(request, pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, endpoint=endpoint)
    webhooks.delivery_resend(delivery)
    messages.success(request, _("The delivery is being sent again."))
    return redirect("api_webhook", endpoint.pk)
