from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarrantyConfig(AppConfig):
    name = "warranty"
    verbose_name = _("Catalogue and warranty")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Brand
        from .selectors import forget_tracked_brands

        # The cached list of tracked brands goes stale only when a brand changes.
        post_save.connect(forget_tracked_brands, sender=Brand, dispatch_uid="tracked_brands_save")
        post_delete.connect(forget_tracked_brands, sender=Brand, dispatch_uid="tracked_brands_delete")
