from modeltranslation.translator import TranslationOptions, register

from .models import FaultType


@register(FaultType)
class FaultTypeTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("ro", "en")
