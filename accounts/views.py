from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.middleware import LANGUAGE_CODES

from . import access, services
from .decorators import member_required
from .forms import AddressForm, CompanySettingsForm, CopiesForm, InvitationForm, ProfileForm, RejectForm
from .models import Address, Invitation, Membership, MembershipRole, MembershipState
from .signals import INVITATION_SESSION_KEY


def get_address_for_user(request, pk):
    company = access.active_company(request.user)
    if company is None:
        raise Http404
    return get_object_or_404(Address, pk=pk, company=company)


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
    membership = access.membership_of(request.user)
    company = access.active_company(request.user)
    copies_form = CopiesForm(initial={"copies": membership.copies_of_colleagues_claims if membership else True})
    if request.method == "POST" and "copies_form" in request.POST:
        copies_form = CopiesForm(request.POST)
        if membership is not None and copies_form.is_valid():
            services.membership_set_copies(membership=membership, enabled=copies_form.cleaned_data["copies"])
            messages.success(request, _("Your e-mail preferences have been saved."))
        return redirect("profile")
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        set_language_cookie(response, user.language)
        return response
    addresses = company.addresses.all() if company else []
    context = {
        "form": form,
        "addresses": addresses,
        "company": company,
        "membership": membership,
        "copies_form": copies_form,
    }
    return render(request, "accounts/profile.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def address_edit(request, pk=None):
    company = access.active_company(request.user)
    address = get_address_for_user(request, pk) if pk else Address(company=company)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.address_save(company=company, address=form.save(commit=False))
        messages.success(request, _("The return address has been saved."))
        return redirect(request.POST.get("next") if _safe_next(request) else "profile")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@member_required
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


# --- the company page ---------------------------------------------------------------------------


def _company_context(request, **forms):
    membership = access.active_membership(request.user)
    company = membership.company
    members = list(
        Membership.objects.filter(company=company)
        .exclude(state=MembershipState.PENDING)
        .select_related("user", "decided_by")
        .order_by("-role", "user__last_name", "user__first_name", "id")
    )
    pending = list(
        Membership.objects.filter(company=company, state=MembershipState.PENDING)
        .select_related("user")
        .order_by("requested_at", "id")
    )
    invitations = list(
        Invitation.objects.filter(company=company, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")[:50]
    )
    return {
        "company": company,
        "membership": membership,
        "is_admin": membership.role == MembershipRole.ADMIN,
        "members": members,
        "pending": pending,
        "invitations": invitations,
        "invitation_form": forms.get("invitation_form") or InvitationForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "reject_for": forms.get("reject_for"),
        "settings_form": forms.get("settings_form")
        or CompanySettingsForm(initial={"notification_email": company.notification_email}),
        "now": timezone.now(),
    }


@member_required
@require_GET
def company(request):
    return render(request, "accounts/company.html", _company_context(request))


def _admin_membership(request, pk):
    """A membership of the requester's company that its administrator acts on; else a 404."""
    membership = access.active_membership(request.user)
    if membership is None or membership.role != MembershipRole.ADMIN:
        raise Http404
    return get_object_or_404(Membership.objects.select_related("user", "company"), pk=pk, company=membership.company)


def _run(request, action, success):
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


@member_required
@require_POST
def membership_approve(request, pk):
    target = _admin_membership(request, pk)
    _run(
        request,
        lambda: services.membership_approve(membership=target, by=request.user),
        _("%(name)s is now a member of the company.") % {"name": target.user.get_full_name()},
    )
    return redirect("company")


@member_required
@require_POST
def membership_reject(request, pk):
    target = _admin_membership(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        context = _company_context(request, reject_form=form, reject_for=target.pk)
        return render(request, "accounts/company.html", context, status=400)
    _run(
        request,
        lambda: services.membership_reject(membership=target, by=request.user, reason=form.cleaned_data["reason"]),
        _("The request of %(name)s has been rejected.") % {"name": target.user.get_full_name()},
    )
    return redirect("company")


@member_required
@require_POST
def membership_remove(request, pk):
    target = _admin_membership(request, pk)
    _run(
        request,
        lambda: services.membership_remove(membership=target, by=request.user),
        _("%(name)s no longer has access to the company's claims.") % {"name": target.user.get_full_name()},
    )
    return redirect("company")


@member_required
@require_POST
def membership_role(request, pk):
    target = _admin_membership(request, pk)
    role = request.POST.get("role", "")
    if role == "hand_over":
        mine = access.active_membership(request.user)
        _run(
            request,
            lambda: services.membership_hand_over(from_membership=mine, to_membership=target, by=request.user),
            _("%(name)s is now the administrator of the company.") % {"name": target.user.get_full_name()},
        )
    else:
        _run(
            request,
            lambda: services.membership_set_role(membership=target, role=role, by=request.user),
            _("The role of %(name)s has been changed.") % {"name": target.user.get_full_name()},
        )
    return redirect("company")


@member_required
@require_POST
def invitation_create(request):
    membership = access.active_membership(request.user)
    if membership.role != MembershipRole.ADMIN:
        raise Http404
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(company=membership.company, email=form.cleaned_data["email"], by=request.user)
        except DomainError as error:
            form.add_error(error.field or None, error.message)
        else:
            messages.success(
                request, _("The invitation has been sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("company")
    return render(request, "accounts/company.html", _company_context(request, invitation_form=form), status=400)


@member_required
@require_POST
def invitation_withdraw(request, pk):
    membership = access.active_membership(request.user)
    if membership.role != MembershipRole.ADMIN:
        raise Http404
    invitation = get_object_or_404(Invitation, pk=pk, company=membership.company)
    _run(
        request,
        lambda: services.invitation_withdraw(invitation=invitation, by=request.user),
        _("The invitation has been withdrawn."),
    )
    return redirect("company")


@member_required
@require_POST
def company_settings(request):
    membership = access.active_membership(request.user)
    if membership.role != MembershipRole.ADMIN:
        raise Http404
    form = CompanySettingsForm(request.POST)
    if form.is_valid():
        services.company_update(
            company=membership.company, by=request.user, notification_email=form.cleaned_data["notification_email"]
        )
        messages.success(request, _("The company's settings have been saved."))
        return redirect("company")
    return render(request, "accounts/company.html", _company_context(request, settings_form=form), status=400)


@require_GET
def invitation_accept(request, token):
    """The link in an invitation: sign-up with the company set and the e-mail confirmed by the link itself."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        return render(request, "accounts/invitation_invalid.html", {"signed_in": True}, status=409)
    request.session[INVITATION_SESSION_KEY] = token
    from allauth.account.adapter import get_adapter

    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect(f"{reverse('account_signup')}?{urlencode({'email': invitation.email})}")
