"""needs_identity_check: the needs stored before the identity guard read their field,
listed for their agency without the identity itself (issue 17)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from needs import services
from needs.models import Need
from tests.identity_corpus import ID_NUMBER, NAME
from tests.needs.helpers import CANARY_NAME, card, person


def stored(agency, caseworker, **texts) -> Need:
    """A need recorded cleanly, then changed behind the guard's back, as the old code let
    the qualifications through."""
    need = services.need_create(agency=agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    Need.objects.filter(pk=need.pk).update(**texts)
    return need


def run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("needs_identity_check", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_it_lists_the_needs_that_identify_by_agency_and_never_the_identity(
    county_agency, caseworker, other_agency, other_caseworker
):
    bad = stored(county_agency, caseworker, qualifications=f"需联系{CANARY_NAME}本人 138 1111 2222 身份证{ID_NUMBER}")
    clean = stored(county_agency, caseworker)
    elsewhere = stored(other_agency, other_caseworker, summary="电话 028-8888 6666")
    code, out = run("--language", "en")
    assert code == 1
    assert f"{bad.reference} [" in out and "required qualifications: a phone number" in out
    assert elsewhere.reference in out and "a phone number" in out and clean.reference not in out
    assert county_agency.name in out and other_agency.name in out
    for secret in (CANARY_NAME, ID_NUMBER, "13811112222", "138", "8888", NAME):
        assert secret not in out

    code, out = run("--agency", str(other_agency.pk))
    assert code == 1 and elsewhere.reference in out and bad.reference not in out


def test_a_clean_database_passes(county_agency, caseworker):
    stored(county_agency, caseworker)
    code, out = run("--language", "en")
    assert code == 0 and "No stored need identifies" in out


def test_an_unknown_agency_is_an_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run("--agency", "nowhere")
