from modeltranslation.translator import TranslationOptions, register

from .models import Shop


@register(Shop)
class ShopTranslation(TranslationOptions):
    fields = ("headline", "intro", "legal_mentions")
