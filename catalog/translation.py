from modeltranslation.translator import TranslationOptions, register

from .models import Category, OptionType, OptionValue, Product, ProductImage


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description", "seo_title", "seo_description")


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description", "seo_title", "seo_description")


@register(OptionType)
class OptionTypeTranslation(TranslationOptions):
    fields = ("name",)


@register(OptionValue)
class OptionValueTranslation(TranslationOptions):
    fields = ("name",)


@register(ProductImage)
class ProductImageTranslation(TranslationOptions):
    fields = ("alt",)
