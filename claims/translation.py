from modeltranslation.translator import TranslationOptions, register

from .models import ClaimType


@register(ClaimType)
class ClaimTypeTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ro", "en")
