from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import urls as account_urls
from contracts import household
from donations import views as donation_views
from needs import urls as need_urls
from organisations import urls as organisation_urls
from vetting import urls as vetting_urls
from website import urls as website_urls
from website import views as website_views

handler403 = "website.views.permission_denied"
handler404 = "website.views.page_not_found"
handler500 = "website.views.server_error"

urlpatterns = [
    path("healthz", website_views.healthz, name="healthz"),
    path("favicon.ico", website_views.favicon, name="favicon"),
    path("i18n/setlang/", website_views.set_language, name="set_language"),
    # One way in: Django's and Wagtail's own login forms would skip the second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("cms/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Stripe posts here: no language prefix, no CSRF token (the signature is checked).
    path("payments/stripe/webhook/", donation_views.stripe_webhook, name="stripe_webhook"),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("website.urls")),
    path("", include((account_urls.urlpatterns + website_urls.account_patterns, "accounts"))),
    path("agencies/", include("agencies.urls")),
    path(
        "organisations/",
        include((organisation_urls.urlpatterns + vetting_urls.organisation_patterns, "organisations")),
    ),
    path("directory/", include("transparency.directory_urls")),
    path("vetting/", include("vetting.urls")),
    # /open-data/ and /contracts/ocds.json (before the contracts include).
    path("", include("opendata.urls")),
    # Before the needs include, which would otherwise be asked about these paths first.
    path("contracts/", include("contracts.urls")),
    path("c/", include("contracts.confirm_urls")),
    path("needs/import/", include("imports.urls")),
    path("needs/export/", include("imports.export_urls")),
    path("", include("matching.urls")),  # saved searches under needs/saved/, alert unsubscribes
    path(
        "needs/",
        include((website_urls.need_patterns + need_urls.urlpatterns + household.need_patterns, "needs")),
    ),
    path("donations/", include("donations.urls")),
    path("regions/", include("regions.urls")),
    path("report/", include("reports.urls")),
    path("audit/reports/", include("reports.queue_urls")),  # before audit/, which would be asked first
    path("audit/", include("supervision.urls")),
    path("notifications/", include("notifications.urls")),
    path("search/", include("cms.urls")),  # the public site search (before Wagtail's pages)
    # The figures' downloads; the page /transparency/ itself is Wagtail's.
    path("transparency/", include("transparency.urls")),
    # Wagtail serves the CMS pages (the home page first) for every other path.
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
