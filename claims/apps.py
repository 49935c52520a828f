from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Claims")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import ClaimType
        from .selectors import forget_claim_type_choices

        # The claim list's cached type filter goes stale only when a claim type changes.
        post_save.connect(forget_claim_type_choices, sender=ClaimType, dispatch_uid="claim_type_choices_save")
        post_delete.connect(forget_claim_type_choices, sender=ClaimType, dispatch_uid="claim_type_choices_delete")
