"""Words of Django, allauth and Wagtail that the project's catalogue overrides.

The project's locale/ comes before every app's, so an msgid listed here (the very msgid
the library uses) takes the Chinese that government CMSs and forms use, or gets one the
library's catalogue lacks. Listed so that ``makemessages`` keeps them; nothing calls them.
Our own pages say "Pages" (pagination), "Documents" (vetting) and "Account" (ledger) with a
context (pgettext), so that the plain words stay Wagtail's.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

OVERRIDES = (
    # Django 6.1's empty choice of a select; its zh_Hans catalogue has no entry yet.
    gettext_noop("- Select an option -"),
    # allauth: "passkey" left in English.
    gettext_noop("Sign in with a passkey"),
    # Wagtail admin: 页面, 文档, 账户 (not our pagination's 分页, vetting's 证明材料, the ledger's 科目).
    gettext_noop("Pages"),
    gettext_noop("Page"),
    gettext_noop("Documents"),
    gettext_noop("Document"),
    gettext_noop("Account"),
    gettext_noop("Search all pages…"),
    # The admin home's site summary ("12 Pages", "3 Documents", "5 Images").
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
)
