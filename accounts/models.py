from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
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
        return self.get_full_name() or self.username

    @property
    def vat_id(self):
        """The full VAT id as on an invoice (RO18547290), or '' without one."""
        if self.vat_country and self.vat_number:
            return f"{self.vat_country}{self.vat_number}"
        return ""


class Address(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
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
                fields=["user"], condition=models.Q(is_default=True), name="address_one_default_per_user"
            )
        ]
        indexes = [models.Index(fields=["user", "-is_default", "name"], name="address_user_idx")]

    def __str__(self):
        return f"{self.name}, {self.street}, {self.postal_code} {self.city}"
