from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from accounts.services import email_release_unconfirmed
from core.http import client_ip
from core.links import portal_url
from core.mail import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The address allauth's per-IP rate limits count: the portal's one answer, behind a proxy or not."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def save_user(self, request, user, form, commit=True):
        """A sign-up takes its address back from any claim on it that was never confirmed."""
        email_release_unconfirmed(email=form.cleaned_data["email"])
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        """Render allauth's e-mail here, send it from Celery after commit."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        queue_email(to=email, subject=message.subject, text=message.body, html=html)

    def get_email_confirmation_url(self, request, emailconfirmation):
        return portal_url("account_confirm_email", emailconfirmation.key)

    def get_reset_password_from_key_url(self, key):
        # allauth's key is "<uidb36>-<token>"; its URL pattern takes the two parts.
        uidb36, _, token = key.partition("-")
        return portal_url("account_reset_password_from_key", uidb36=uidb36, key=token)
