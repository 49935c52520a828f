from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .vat import VAT_PREFIXES

COUNTRIES = [
    ("RO", _("Romania")),
    ("PL", _("Poland")),
    ("HU", _("Hungary")),
    ("CZ", _("Czechia")),
    ("SK", _("Slovakia")),
    ("BG", _("Bulgaria")),
    ("DE", _("Germany")),
    ("AT", _("Austria")),
    ("MD", _("Moldova")),
    ("OTHER", _("Other country")),
]


class ClientType(models.TextChoices):
    B2B_PARTNER = "b2b", _("INNPRO B2B partner")
    END_CUSTOMER = "customer", _("End customer")


class PortalUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are matched without regard to case, like e-mail addresses.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


def shown_name(first_name: str, last_name: str, username: str) -> str:
    """How a person is named on pages: the full name, else the username. From columns too, where a list
    reads names without building User objects."""
    return f"{first_name} {last_name}".strip() or username


class User(AbstractUser):
    client_type = models.CharField(
        _("client type"), max_length=10, choices=ClientType.choices, default=ClientType.B2B_PARTNER
    )
    email = models.EmailField(_("e-mail address"))
    vat_country = models.CharField(_("VAT country prefix"), max_length=2, choices=VAT_PREFIXES, blank=True)
    vat_number = models.CharField(
        _("tax identification number"),
        max_length=20,
        blank=True,
        help_text=_("Stored without spaces and without the country prefix."),
    )
    phone = PhoneNumberField(_("phone number"), blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(client_type__in=ClientType.values), name="user_client_type_valid"
            ),
        ]
        indexes = [models.Index(fields=["vat_country", "vat_number"], name="user_vat_idx")]

    def __str__(self):
        return shown_name(self.first_name, self.last_name, self.username)

    @property
    def vat_id(self):
        """The full VAT id as on an invoice (RO18547290), or '' without one."""
        if self.vat_country and self.vat_number:
            return f"{self.vat_country}{self.vat_number}"
        return ""


class Company(models.Model):
    """A customer of the distributor: it owns claims, import batches and return addresses.

    An end customer, who has no VAT id, is the holder of a company of one
    (``is_personal``): it can never match the distributor's sales records.
    """

    vat_id = models.CharField(
        _("VAT id"), max_length=22, blank=True, help_text=_("Country prefix and number, as on an invoice.")
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    registered_address = models.TextField(_("registered address"), blank=True)
    notification_email = models.EmailField(
        _("notification e-mail"),
        blank=True,
        help_text=_("If set, a copy of every e-mail about the company's claims goes here."),
    )
    is_personal = models.BooleanField(_("end customer"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vat_id"], condition=~models.Q(vat_id=""), name="company_vat_id_unique"),
        ]
        indexes = [models.Index(Lower("legal_name"), name="company_name_idx")]

    def __str__(self):
        return f"{self.legal_name} ({self.vat_id})" if self.vat_id else self.legal_name


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("administrator")
    MEMBER = "member", _("member")


class MembershipState(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    ACTIVE = "active", _("active")
    REJECTED = "rejected", _("rejected")
    REMOVED = "removed", _("removed")


class Membership(models.Model):
    """A person's place in a company. A person belongs to one company."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    state = models.CharField(
        _("state"), max_length=10, choices=MembershipState.choices, default=MembershipState.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.TextField(_("reason given to the person"), blank=True)
    copies_of_colleagues_claims = models.BooleanField(
        _("e-mails about colleagues' claims"),
        default=True,
        help_text=_("Receive status e-mails about claims opened by your colleagues too."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"),
            models.CheckConstraint(condition=models.Q(state__in=MembershipState.values), name="membership_state_valid"),
        ]
        indexes = [
            models.Index(fields=["company", "state", "role"], name="membership_company_idx"),
            models.Index(fields=["state", "requested_at"], name="membership_queue_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.company} · {self.get_role_display()} · {self.get_state_display()}"

    @property
    def is_active(self):
        return self.state == MembershipState.ACTIVE

    @property
    def is_admin(self):
        return self.is_active and self.role == MembershipRole.ADMIN


class Customer(models.Model):
    """The distributor's customer master: who a VAT id is, and which e-mails may speak for it."""

    vat_id = models.CharField(_("VAT id"), max_length=22, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200)
    registered_address = models.TextField(_("registered address"), blank=True)
    authorised_emails = models.TextField(
        _("authorised e-mail addresses"), blank=True, help_text=_("One per line, in lower case.")
    )
    authorised_domains = models.TextField(
        _("authorised e-mail domains"), blank=True, help_text=_("One per line, without @, in lower case.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("distributor customer")
        verbose_name_plural = _("customer master")
        ordering = ["vat_id"]

    def __str__(self):
        return f"{self.vat_id} · {self.legal_name}"

    def authorises(self, email):
        email = (email or "").strip().lower()
        if not email or "@" not in email:
            return False
        domain = email.rsplit("@", 1)[1]
        return email in self.authorised_emails.split() or domain in self.authorised_domains.split()


class Invitation(models.Model):
    """A single-use invitation to join a company; only a hash of its token is stored."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["company", "-created_at"], name="invitation_company_idx"),
            models.Index(fields=["expires_at"], name="invitation_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.email} → {self.company}"

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Address(models.Model):
    company = models.ForeignKey("Company", on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(_("name or company"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=5, choices=COUNTRIES, default="RO")
    phone = PhoneNumberField(_("phone number"))
    is_default = models.BooleanField(_("default return address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return address")
        verbose_name_plural = _("return addresses")
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(is_default=True), name="address_one_default_per_company"
            )
        ]
        indexes = [models.Index(fields=["company", "-is_default", "name"], name="address_company_idx")]

    def __str__(self):
        return f"{self.name}, {self.street}, {self.postal_code} {self.city}"
