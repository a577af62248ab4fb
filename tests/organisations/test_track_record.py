"""An organisation's track record from its contracts (contracts.track_record): the
directory list and page, and matching's fit (in Python and in SQL) read the same."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from categories.models import Category
from contracts import services
from contracts.models import ContractState
from contracts.track_record import completed_annotation, track_record, track_records
from matching.fit import fit_expression, fit_for
from matching.models import SearchDocument
from needs.models import Need, NeedState
from tests.contracts.steps import claimed, closed, published, serving, signed, team
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def t(world):
    serving(world.vetted_org)
    return team(world)


@pytest.fixture
def history(county_agency, t, vetted_org):
    """Two closed elder-care contracts (one late, scores 5/4 and 3/3), one in force,
    one terminated, and one elder-care need completed before contracts."""
    on_time = closed(claimed(county_agency, t, vetted_org, title="助餐一"), t, scores=(5, 4))
    late = closed(claimed(county_agency, t, vetted_org, title="助餐二"), t, scores=(3, 3), late=True)
    active = signed(claimed(county_agency, t, vetted_org, title="助餐三"), t)
    ended = signed(claimed(county_agency, t, vetted_org, title="助餐四"), t)
    services.contract_terminate(contract=ended, by=t.second_approver, reason="服务对象迁出本县")
    legacy = claimed(county_agency, t, vetted_org, title="助餐五")
    Need.objects.filter(pk=legacy.pk).update(state=NeedState.FULFILLED)
    return {"on_time": on_time, "late": late, "active": active, "ended": ended, "legacy": legacy}


def url(name, *args, lang="en"):
    with translation.override("zh-hans"):
        path = reverse(name, args=args)
    return f"/{lang}{path}" if lang != "zh-hans" else path


def test_the_record_counts_closed_contracts_on_time_and_scores(history, vetted_org):
    assert history["ended"].need.state == NeedState.CLOSED  # closed, yet not completed
    record = track_record(vetted_org)
    elder = Category.objects.get(code="elderly_care")

    assert (record.contracts, record.cases, record.completed) == (2, 1, 3)
    assert (record.evaluated, record.on_time) == (2, 1)
    assert record.on_time_rate == 0.5 and record.on_time_percent == 50
    assert record.average_score == Decimal("3.75")  # (4.50 + 3.00) / 2
    assert list(record.by_category) == [elder.pk]
    assert record.category_record(elder.pk).contracts == 2
    assert record.category_record(999_999).completed == 0


def test_no_contract_no_rate(vetted_org):
    record = track_record(vetted_org)
    assert record.completed == 0 and record.on_time_rate is None and record.average_score is None


def test_two_queries_whatever_the_number_of_organisations(history, vetted_org):
    others = [OrganisationFactory() for _ in range(5)]
    with CaptureQueriesContext(connection) as few:
        track_records([vetted_org])
    with CaptureQueriesContext(connection) as many:
        records = track_records([vetted_org, *others])
    assert len(few) == len(many) == 2
    assert records[others[0].pk].completed == 0 and records[vetted_org.pk].completed == 3


def test_the_sql_count_is_the_python_count(history, vetted_org):
    from organisations.models import Organisation

    other = OrganisationFactory()
    counted = dict(Organisation.objects.annotate(c=completed_annotation()).values_list("pk", "c"))
    assert counted[vetted_org.pk] == 3 and counted[other.pk] == 0


def test_the_directory_shows_and_sorts_by_it(client, history, vetted_org):
    OrganisationFactory(legal_name="阿拉善新成立服务中心")
    response = client.get(url("directory:list"), {"sort": "track_record"})
    names = [o.legal_name for o in response.context["page"].object_list]
    assert names[0] == vetted_org.legal_name
    page = html.unescape(response.content.decode())
    assert "3 completed cases (2 under contract)" in page
    assert "50% on time" in page and "average score 3.75/5" in page

    detail = html.unescape(client.get(url("directory:detail", vetted_org.pk)).content.decode())
    assert "Track record" in detail and "Completed contracts" in detail
    assert "Cases completed without a contract" in detail and "Elderly care" in detail
    assert "3.75 / 5" in detail and "50%" in detail


def test_the_fit_reads_the_record_and_explains_it(history, vetted_org, county_agency, t):
    from django.utils import translation

    need = published(county_agency, t, title="新的助餐需求")
    with translation.override("en"):
        fit = fit_for(vetted_org, [need])[need.pk]
        text = " ".join(fit.reasons)
        assert f"2 completed {need.category} contracts" in text
        assert f"1 completed {need.category} case" in text
        assert "50% delivered on time" in text and "average evaluation score 3.75/5" in text
    with translation.override("zh-hans"):
        text = " ".join(fit_for(vetted_org, [need])[need.pk].reasons)
        assert f"2 份已完成的{need.category}合同" in text and "50% 按时交付" in text


def test_the_fit_in_sql_agrees_with_the_record(history, vetted_org, county_agency, t):
    from matching.backends import get_backend
    from matching.documents import document_for

    extra = [published(county_agency, t, title=f"助餐需求{i}") for i in range(2)]
    child = published(county_agency, t, title="儿童照料", category=Category.objects.get(code="child_care"))
    loaded = Need.objects.select_related("category", "region", "agency").prefetch_related("invitations")
    get_backend().rebuild(document_for(n) for n in loaded)
    assert SearchDocument.objects.exists()
    in_sql = dict(SearchDocument.objects.annotate(f=fit_expression(vetted_org)).values_list("need_id", "f"))
    needs = Need.objects.filter(pk__in=in_sql).select_related("category", "region")
    in_python = {pk: f.score for pk, f in fit_for(vetted_org, needs).items()}
    assert in_sql == in_python
    # 3 completed elder-care: 6 points more than a need of another category would get for it.
    assert in_python[extra[0].pk] - in_python[child.pk] >= 6
    assert history["active"].state == ContractState.ACTIVE


def test_the_directory_page_costs_the_same_queries_for_more_organisations(client, history, vetted_org):
    from organisations.models import VettingState

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("directory:list"), {"sort": "track_record"}).status_code == 200
        return len(captured)

    queries()  # the navigation's links to the public pages are read once, then cached
    few = queries()
    for _ in range(4):
        serving(OrganisationFactory(vetting_state=VettingState.APPROVED))
    assert queries() == few
