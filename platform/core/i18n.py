"""Paths in another language. A leaf: the dashboard's language switch, notification
links and alert e-mails all ask it, and it reads only the settings."""

from __future__ import annotations

from django.conf import settings

# Paths outside i18n_patterns: the same in every language.
UNTRANSLATED_PREFIXES = ("/cms/", "/admin/", "/documents/", "/healthz", "/i18n/", "/static/", "/media/")


def path_in_language(path: str, language: str) -> str:
    """The same page in another language: Chinese unprefixed, others under /<code>/.

    Django's translate_url cannot do this here: an unprefixed request always runs in
    the default language, so it cannot resolve an /en/ path to translate it.
    """
    if path.startswith(UNTRANSLATED_PREFIXES):
        return path
    stripped = path
    for code, _name in settings.LANGUAGES:
        if path == f"/{code}" or path.startswith((f"/{code}/", f"/{code}?")):
            stripped = path[len(code) + 1 :] or "/"
            break
    if not stripped.startswith("/"):
        stripped = "/" + stripped
    return stripped if language == settings.LANGUAGE_CODE else f"/{language}{stripped}"
