"""The privacy crawl (issue 8): the demo is seeded, its transparency snapshot computed, and
every public page and download a visitor can reach by following links from the home page,
in Chinese and English, is read for the seeded beneficiaries' names, ID numbers, phone
numbers and addresses. None may appear, whole or in the part a mask would hide.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from needs.models import Beneficiary
from tests.public_site import crawl

pytestmark = pytest.mark.django_db


def _secrets() -> dict[str, str]:
    found = {}
    for beneficiary in Beneficiary.objects.all():
        key = f"beneficiary {beneficiary.pk}"
        found[f"{key} name"] = beneficiary.name
        found[f"{key} ID number"] = beneficiary.id_number
        found[f"{key} ID number, the digits a mask hides"] = beneficiary.id_number[3:14]
        if beneficiary.phone:
            found[f"{key} phone"] = beneficiary.phone
        if beneficiary.address:
            found[f"{key} address"] = beneficiary.address
    return found


def _try_to_plant() -> None:
    """Each demo person's identity typed into a need's qualifications and into an active
    contract's milestone description (issue 17) is refused; the crawl then finds it nowhere."""
    from django.db import transaction

    from accounts.models import Membership, Role
    from contracts import services as contracts
    from contracts.exceptions import TermsInvalid
    from contracts.models import TERM_FIELDS, Contract, ContractState
    from needs import services
    from needs.exceptions import IdentityLeak
    from needs.models import Need
    from needs.services import NEED_FIELDS

    contract = Contract.objects.filter(state=ContractState.ACTIVE).select_related("need__beneficiary").first()
    need = contract.need
    caseworker = Membership.objects.filter(agency=need.agency, role=Role.AGENCY_CASEWORKER).first().user
    person = need.beneficiary
    who = {f: getattr(person, f) for f in ("name", "id_number", "phone", "address", "is_minor", "has_disability")}
    who |= {"elderly_alone": person.elderly_alone, "severe_illness": person.severe_illness}
    household = [{"relation": m.relation, "age": m.age, "name": m.name} for m in person.household.all()]
    plants = [f"请联系{person.name}", person.phone, person.id_number, person.address]
    version = contracts.current_version(contract)
    terms = {f: getattr(version, f) for f in TERM_FIELDS}
    indicators = [{"name": i.name, "target": i.target} for i in version.indicators.all()]
    for text in filter(None, plants):
        # The same person's next need, recorded with it in the qualifications: refused.
        data = {f: getattr(need, f) for f in NEED_FIELDS} | {"qualifications": text}
        with pytest.raises(IdentityLeak), transaction.atomic():
            services.need_create(agency=need.agency, by=caseworker, data=data, beneficiary=who, household=household)
        schedule = contracts.schedule_data(version)
        schedule[0]["description"] = text
        with pytest.raises(TermsInvalid), transaction.atomic():
            contracts.contract_amend(contract=contract, by=caseworker, reason="调整服务内容")
            contracts.contract_update_draft(
                contract=contract, by=caseworker, data=terms, milestones=schedule, indicators=indicators
            )
    assert contracts.open_version(contract) is None and Need.objects.filter(qualifications__in=plants).count() == 0


def test_privacy_crawl_finds_no_identity_and_no_broken_page():
    call_command("seed_demo")
    secrets = _secrets()
    _try_to_plant()
    # The crawl must have something to look for and somewhere to look, or it passes vacuously.
    kinds = {key.rsplit(" ", 1)[-1] for key in secrets}
    assert {"name", "number", "phone", "address"} <= kinds

    pages = crawl()

    ok = [page.url for page in pages if page.status == 200]
    assert len(ok) > 20
    for expected in ("/", "/en/", "/directory/", "/contracts/", "/transparency/", "/open-data/", "/report/"):
        assert expected in ok, f"{expected} was not reached from the home page"
    broken = [f"{page.status} {page.url}" for page in pages if page.status >= 500]
    assert not broken, "\n".join(broken)
    leaks = [
        f"{label} ({value}) at {page.url}"
        for page in pages
        for label, value in secrets.items()
        if value in page.body or value in page.headers
    ]
    assert not leaks, "\n".join(leaks)

    # No count below 5: every count in the figures download a visitor finds is 5 or more, or
    # the words that stand for fewer (the pages and the CSV are drawn from the same rows).
    downloads = [page for page in pages if page.url.endswith("/transparency/figures.json") and page.status == 200]
    assert downloads, "the figures download was not reached"
    for download in downloads:
        records = json.loads(download.body)["records"]
        counts = [r for r in records if r["unit"] == "count"]
        assert any(not r["suppressed"] for r in counts) and any(r["suppressed"] for r in counts)
        small = [r for r in counts if isinstance(r["value"], int) and r["value"] < 5]
        assert not small, small
