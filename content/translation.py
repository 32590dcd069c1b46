from modeltranslation.translator import TranslationOptions, register

from .models import Article, Page


@register(Article)
class ArticleTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "cover_alt", "seo_title", "seo_description")


@register(Page)
class PageTranslation(TranslationOptions):
    fields = ("title", "body")
