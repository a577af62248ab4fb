"""The transparency figures on /open-data/: this app serves the files (transparency.views),
the open-data page describes them, with the time of the snapshot they come from."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from opendata.downloads import Download, Field, Group, register_download

FIGURE_FIELDS = (
    Field("table", _("figures (by month, region or category) or agency_timeliness.")),
    Field("metric", _("What is counted or summed, e.g. needs_published, money_paid, days_to_pay_median.")),
    Field("dimension", _("How the figure is broken down: total, month, region, category or agency.")),
    Field("key", _("The month (YYYY-MM), the region's code, the category's code or the agency's identifier.")),
    Field("level", _("For regions: province, city or county.")),
    Field("parent", _("For regions, the code of the region above; for agencies, where the agency is.")),
    Field("label", _("The month, region, category or agency by name.")),
    Field("value", _('The figure; "fewer than 5" where a count of needs or people is below 5.')),
    Field("unit", _("count, yuan, days or share.")),
    Field("suppressed", _("true where the value is withheld to protect the people helped.")),
    Field("snapshot_generated_at", _("When the snapshot the figures come from was computed.")),
)


def _generated_at() -> datetime | None:
    from transparency.selectors import snapshot_current

    snapshot = snapshot_current()
    return snapshot.generated_at if snapshot is not None else None


def register_figure_downloads() -> None:
    description = _(
        "Every figure on the transparency page and the agencies' days to accept and to pay, from the "
        "latest daily snapshot. Counts below 5 are withheld."
    )
    for key, fmt, media_type, url_name in (
        ("figures-csv", _("CSV (UTF-8)"), "text/csv", "transparency:figures_csv"),
        ("figures-json", _("JSON"), "application/json", "transparency:figures_json"),
    ):
        register_download(
            Download(
                key=key,
                group=Group.FIGURES,
                title=_("Transparency figures"),
                description=description,
                format=fmt,
                media_type=media_type,
                url_name=url_name,
                fields=FIGURE_FIELDS,
                generated_at=_generated_at,
            )
        )
