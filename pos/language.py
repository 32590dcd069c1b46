"""Which language the register speaks: the FR/EN/IT switch (the language cookie) wins, else the
cashier's preferred language. The app shell and the printouts follow it; the app then sends its
page's language as ``Accept-Language`` on every API call, so product names in the offline catalog and
error messages match the screen (and the search finds what the screen shows)."""

from django.conf import settings
from django.utils import translation


def activate_user_language(request) -> None:
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return
    preferred = getattr(request.user, "preferred_language", "")
    if preferred in dict(settings.LANGUAGES):
        translation.activate(preferred)
        request.LANGUAGE_CODE = preferred
