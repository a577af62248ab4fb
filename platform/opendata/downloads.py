"""What /open-data/ offers: one descriptor per download, the page is drawn from them.

A download is either a file this app publishes (``filename`` set: written by
``opendata.publish`` daily and on demand, served from storage with the time it was
generated) or a file another app serves (``filename`` empty: its ``url_name`` and a
``generated_at`` callable say where it is and how fresh).

**Extension point.** Another app adds its downloads with ``register_download`` from
its ``AppConfig.ready`` (or the list below gets a line), for example the transparency
figures::

    register_download(Download(
        key="figures-csv", group=Group.FIGURES, title=_("Transparency figures"), ...,
        url_name="<its url name>", media_type="text/csv", generated_at=<latest snapshot time>,
    ))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_TITLE = _("Creative Commons Attribution 4.0 International")


class Group(StrEnum):
    REGISTER = "register"
    DIRECTORY = "directory"
    FIGURES = "figures"


GROUP_TITLES = {
    Group.REGISTER: _("The contract register"),
    Group.DIRECTORY: _("The directory of vetted organisations"),
    Group.FIGURES: _("Transparency figures"),
}


@dataclass(frozen=True)
class Field:
    name: str
    description: Promise | str


@dataclass(frozen=True)
class Download:
    key: str
    group: Group
    title: Promise | str
    description: Promise | str
    format: Promise | str
    media_type: str
    url_name: str
    fields: tuple[Field, ...] = ()
    # The file opendata.publish writes under OPEN_DATA_DIR; empty when another app serves it.
    filename: str = ""
    # The standard the file follows, if any: (name, URL).
    standard: tuple[str, str] | None = None
    # For a download another app serves: when its data was last generated.
    generated_at: Callable[[], datetime | None] | None = field(default=None, compare=False)


REGISTER_FIELDS = (
    Field("contract_number", _("The contract number: GM, the year drafted, the agency and a sequence.")),
    Field("title", _("The title of the need the contract serves (never the person helped).")),
    Field("buyer_agency", _("The government agency that bought the service.")),
    Field("buyer_agency_id", _("The agency's identifier on this platform.")),
    Field("organisation", _("The organisation contracted to deliver it.")),
    Field("organisation_uscc", _("The organisation's unified social credit code.")),
    Field("category_code", _("The service category's code.")),
    Field("category", _("The service category's name.")),
    Field("county", _("The county the service is delivered in (never anything finer).")),
    Field("county_code", _("The county's GB/T 2260 code.")),
    Field("amount_cny", _("The contract's price in force, in yuan.")),
    Field("term_start", _("The first day of the term (YYYY-MM-DD).")),
    Field("term_end", _("The last day of the term (YYYY-MM-DD).")),
    Field("status", _("active, completed (delivered, awaiting evaluation), closed or terminated.")),
    Field("signed_date", _("The day both parties had signed (YYYY-MM-DD).")),
    Field("milestones_total", _("Milestones of the work scheduled and not cancelled.")),
    Field("milestones_met", _("Of those, the milestones the agency has accepted.")),
    Field("paid_cny", _("What has been paid to the organisation, in yuan.")),
    Field("evaluation_score", _("The agency's evaluation, 1 to 5; empty until evaluated.")),
    Field("url", _("The contract's page in the register.")),
)

OCDS_FIELDS = (
    Field("ocid", _("The contracting process: the publisher's prefix and the contract number.")),
    Field("parties", _("The buyer agency (role buyer) and the organisation (role supplier).")),
    Field("tender", _("The need: its title, category, budget and how the organisation was chosen.")),
    Field("awards", _("The award to the organisation, with the value and period.")),
    Field("contracts", _("The contract: value, period, date signed, status, milestones and amendments.")),
    Field(
        "contracts.implementation.transactions",
        _("Each authorised payment to the organisation: date, amount, payer and payee."),
    ),
)

HSDS_FIELDS = (
    Field("organization", _("Each vetted organisation: name, description, type, year registered.")),
    Field("organization_identifier", _("Its unified social credit code.")),
    Field("service", _("One service per organisation and service category.")),
    Field("service_area", _("The regions each service covers, with their GB/T 2260 codes.")),
    Field("attribute", _("The service category of each service.")),
    Field("taxonomy_term", _("The service categories, with their codes and English names.")),
)

DOWNLOADS: list[Download] = [
    Download(
        key="register-csv",
        group=Group.REGISTER,
        title=_("The register as CSV"),
        description=_("Every signed contract, one row each. Opens in any spreadsheet program."),
        format=_("CSV, UTF-8 with a byte-order mark, comma-separated, one header row"),
        media_type="text/csv; charset=utf-8",
        url_name="opendata:register_csv",
        fields=REGISTER_FIELDS,
        filename="contracts.csv",
    ),
    Download(
        key="register-json",
        group=Group.REGISTER,
        title=_("The register as JSON"),
        description=_("The same rows as the CSV, as JSON objects with numbers as numbers."),
        format=_("JSON: an object with the generation time, the licence and a list “contracts”"),
        media_type="application/json",
        url_name="opendata:register_json",
        fields=REGISTER_FIELDS,
        filename="contracts.json",
    ),
    Download(
        key="register-ocds",
        group=Group.REGISTER,
        title=_("The register in the Open Contracting Data Standard"),
        description=_(
            "One release per signed contract, with its tender, award, contract, milestones and payments, "
            "validated against OCDS 1.1 with the official tooling."
        ),
        format=_("JSON: an OCDS 1.1 release package"),
        media_type="application/json",
        url_name="opendata:ocds",
        fields=OCDS_FIELDS,
        filename="ocds.json",
        standard=("Open Contracting Data Standard 1.1", "https://standard.open-contracting.org/1.1/en/"),
    ),
    Download(
        key="directory-hsds-json",
        group=Group.DIRECTORY,
        title=_("The directory in Open Referral HSDS (JSON)"),
        description=_(
            "The organisations that may take on needs today and the services they offer, as HSDS 3 service "
            "objects with their organisation and service areas."
        ),
        format=_("JSON: an HSDS 3 page of services"),
        media_type="application/json",
        url_name="opendata:hsds_json",
        fields=HSDS_FIELDS,
        filename="directory-hsds.json",
        standard=("Open Referral HSDS 3", "https://docs.openreferral.org/en/latest/"),
    ),
    Download(
        key="directory-hsds-csv",
        group=Group.DIRECTORY,
        title=_("The directory in Open Referral HSDS (CSV tables)"),
        description=_("The same data as HSDS tables, one CSV file per table, in a ZIP archive."),
        format=_("ZIP of CSV files (UTF-8): organization, organization_identifier, service, service_area, …"),
        media_type="application/zip",
        url_name="opendata:hsds_csv",
        fields=HSDS_FIELDS,
        filename="directory-hsds.zip",
        standard=("Open Referral HSDS 3", "https://docs.openreferral.org/en/latest/"),
    ),
]


def register_download(download: Download) -> None:
    """Add (or replace, by key) a download shown on /open-data/."""
    for i, existing in enumerate(DOWNLOADS):
        if existing.key == download.key:
            DOWNLOADS[i] = download
            return
    DOWNLOADS.append(download)


def published_downloads() -> list[Download]:
    """The downloads this app writes to storage."""
    return [d for d in DOWNLOADS if d.filename]


def by_filename(filename: str) -> Download:
    return next(d for d in DOWNLOADS if d.filename == filename)
