"""Need pages for every role, and the identity canary: the name and ID number appear
only where they may (never on a card, never in another agency's pages)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from needs import services
from needs.models import NeedState
from regions.models import Region
from tests.needs.helpers import CANARY_ID, CANARY_NAME, CANARY_PHONE, answer_all, card, person


@pytest.fixture
def published(world):
    world.vetted_org.service_regions.set([Region.objects.get(code="510129")])
    return world.published_need()


PERSONAS = [
    "anonymous",
    "caseworker",
    "approver",
    "other_caseworker",
    "charity_member",
    "unvetted_member",
    "auditor",
    "outsider",
]
EXPECTED = {
    "list": {"anonymous": 302, "outsider": 403, "default": 200},
    "detail": {"anonymous": 302, "other_caseworker": 404, "unvetted_member": 404, "outsider": 404, "default": 200},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_need_pages_for_every_role_and_the_canary(request, client, published, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona), backend="django.contrib.auth.backends.ModelBackend")
    pages = {"list": reverse("needs:list"), "detail": reverse("needs:detail", args=[published.pk])}
    for key, path in pages.items():
        response = client.get(path)
        expected = EXPECTED[key].get(persona, EXPECTED[key]["default"])
        assert response.status_code == expected, (persona, key)
        content = response.content.decode()
        # The canary: the full name, ID number and phone appear on no page, for anyone.
        for secret in (CANARY_NAME, CANARY_ID, CANARY_PHONE):
            assert secret not in content, (persona, key, secret)


def test_organisations_see_only_the_card(client_for, charity_member, published):
    content = (
        client_for(charity_member, reauthenticated=False)
        .get(reverse("needs:detail", args=[published.pk]))
        .content.decode()
    )
    assert 'data-testid="need-card"' in content
    assert 'data-testid="identity"' not in content
    assert 'action="/needs/' not in content  # no agency actions, no reveal form


def test_the_agency_sees_the_identity_masked_and_can_reveal_it_once(client_for, caseworker, published):
    client = client_for(caseworker, reauthenticated=False)
    page = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    from core.crypto import mask

    assert mask(CANARY_ID) in page and CANARY_ID not in page
    client.post(reverse("needs:reveal", args=[published.pk]), {"field": "id_number", "reason": "核对户籍"})
    shown = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    assert CANARY_ID in shown
    again = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    assert CANARY_ID not in again


def test_the_auditor_reads_but_cannot_act(client_for, auditor, caseworker, county_agency):
    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    client = client_for(auditor, reauthenticated=False)
    client.post(reverse("needs:act", args=[need.pk]), {"action": "withdraw", "reason": "测试"})
    need.refresh_from_db()
    assert need.state == NeedState.DRAFT


def need_form_data(agency, **overrides) -> dict:
    """What a caseworker types into the need form: a child's after-school care."""
    from categories.models import Category

    data = {
        "agency": agency.pk,
        "need-title": "困境儿童课后照料",
        "need-summary": "父母外出务工，儿童放学后无人照看，需要课后照料和作业辅导。",
        "need-category": Category.objects.get(code="child_care").pk,
        "need-kind": "service",
        "need-urgency": "urgent",
        "need-region": "晋原街道",
        "need-budget": "2400",
        "need-duration_days": "60",
        "need-qualifications": "",
        "need-people_count": "1",
        "need-scope": "region",
        "person-name": "王小明",
        "person-id_number": "110105201503150013",
        "person-is_minor": "on",
        "household-TOTAL_FORMS": "3",
        "household-INITIAL_FORMS": "0",
        "household-MIN_NUM_FORMS": "0",
        "household-MAX_NUM_FORMS": "12",
        "household-0-relation": "祖母",
        "household-0-age": "70",
    }
    return {**data, **overrides}


def test_recording_a_need_through_the_form(client_for, caseworker, county_agency):
    client = client_for(caseworker, reauthenticated=False)
    assert client.get(reverse("needs:create")).status_code == 200
    data = need_form_data(county_agency)
    response = client.post(reverse("needs:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    from needs.models import Need

    need = Need.objects.get(title="困境儿童课后照料")
    assert need.beneficiary.household.count() == 1 and need.state == NeedState.DRAFT


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("need-qualifications", "需联系王 小明本人"),
        ("need-qualifications", "电话138.1111.2222"),
        ("need-summary", "祖母刘 桂兰照看，住幸福巷18号"),
        ("need-title", "身份证 110105-20150315-0013"),
    ],
)
def test_the_form_refuses_identity_in_any_card_field_and_says_where(client_for, caseworker, county_agency, field, text):
    from needs.models import HouseholdMember, Need

    client = client_for(caseworker, reauthenticated=False)
    data = need_form_data(
        county_agency,
        **{"person-address": "大邑县晋原街道幸福巷18号", "household-0-name": "刘桂兰", field: text},
    )
    with translation.override("en"):
        response = client.post(reverse("needs:create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    form = response.context["need_form"]
    assert list(form.errors) == [field.removeprefix("need-")]
    assert "must never identify anyone" in form.errors[field.removeprefix("need-")][0]
    assert Need.objects.count() == HouseholdMember.objects.count() == 0


def test_charity_members_cannot_record_needs(client_for, charity_member):
    assert client_for(charity_member, reauthenticated=False).get(reverse("needs:create")).status_code == 403


def test_recording_consent_through_the_page(client_for, caseworker, published):
    from datetime import date, timedelta

    client = client_for(caseworker, reauthenticated=False)
    until = (date.today() + timedelta(days=90)).isoformat()
    client.post(
        reverse("needs:consent", args=[published.pk]),
        {"given_by": "本人", "method": "in_person", "valid_until": until},
    )
    page = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    assert published.beneficiary.consents.count() == 1
    assert "state-approved" in page.split('id="consent-h"')[1].split("</section>")[0]


def test_declaring_a_relative_through_the_page(client_for, caseworker, charity_member):
    client = client_for(caseworker, reauthenticated=False)
    response = client.post(
        reverse("needs:relatives"), {"name": "张三", "id_number": "11010519491231002X", "relation": "父亲"}
    )
    assert response.status_code == 302 and caseworker.relatives.count() == 1
    bad = client.post(reverse("needs:relatives"), {"name": "李四", "id_number": "11010519491231002Y", "relation": "兄"})
    assert bad.status_code == 200 and caseworker.relatives.count() == 1
    page = client.get(reverse("needs:relatives")).content.decode()
    assert "11010519491231002X" not in page and "张三" not in page
    assert client_for(charity_member, reauthenticated=False).get(reverse("needs:relatives")).status_code == 403


def test_a_returned_need_is_edited_and_resubmitted(client_for, caseworker, approver, county_agency):
    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker)
    services.need_transition(need=need, action="return", by=approver, reason="预算请按每餐15元重新测算")
    client = client_for(caseworker, reauthenticated=False)
    page = client.get(reverse("needs:edit", args=[need.pk]))
    assert page.status_code == 200 and "预算请按每餐15元重新测算" in page.content.decode()
    data = {f"need-{k}": v for k, v in card(budget="2700.00").items() if k not in {"category", "region"}}
    data.update({"need-category": need.category_id, "need-region": "晋原街道"})
    assert client.post(reverse("needs:edit", args=[need.pk]), data).status_code == 302
    need.refresh_from_db()
    assert str(need.budget) == "2700.00"
    leak = {**data, "need-summary": f"老人电话{CANARY_PHONE}"}
    assert client.post(reverse("needs:edit", args=[need.pk]), leak).status_code == 200
    need.refresh_from_db()
    assert CANARY_PHONE not in need.summary
    services.need_transition(need=need, action="submit", by=caseworker)
    assert client.get(reverse("needs:edit", args=[need.pk])).status_code == 403  # frozen once submitted


def test_the_household_timeline_chains_the_persons_needs(client_for, caseworker, other_caseworker, published):
    second = services.need_create(
        agency=published.agency,
        by=caseworker,
        data=card(title="冬季取暖物资", kind="material"),
        beneficiary=person(),
        household=[],
    )
    elsewhere = services.need_create(
        agency=other_caseworker.memberships.get().agency,
        by=other_caseworker,
        data=card(),
        beneficiary=person(),
        household=[],
    )
    page = client_for(caseworker, reauthenticated=False).get(reverse("needs:household", args=[published.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert published.title in content and second.title in content
    # The other agency's need: its agency and state only, never its title or a link.
    assert elsewhere.agency.name in content and f"/needs/{elsewhere.pk}/" not in content
    for secret in (CANARY_NAME, CANARY_ID, CANARY_PHONE):
        assert secret not in content


def test_the_household_timeline_is_agency_only(client_for, other_caseworker, charity_member, published):
    for user in (other_caseworker, charity_member):
        response = client_for(user, reauthenticated=False).get(reverse("needs:household", args=[published.pk]))
        assert response.status_code == 404


POSTS = {
    "schemes": {"gap_reason": "other", **{f"{s}__answer": "not_eligible" for s in ("dibao", "tekun")}},
    "act": {"action": "withdraw", "reason": "不应由我撤回"},
    "reveal": {"field": "id_number", "reason": "想看看身份证"},
    "consent": {"given_by": "本人", "method": "in_person", "valid_until": "2099-01-01"},
    "edit": {"need-title": "改掉标题"},
}


@pytest.mark.parametrize("persona", ["other_caseworker", "charity_member", "unvetted_member", "outsider", "auditor"])
@pytest.mark.parametrize("endpoint", sorted(POSTS))
def test_no_one_outside_the_agency_changes_a_need(request, client, published, persona, endpoint):
    from audit.models import AuditEntry

    client.force_login(request.getfixturevalue(persona), backend="django.contrib.auth.backends.ModelBackend")
    before = (published.state, published.title, published.scheme_checks.count(), published.beneficiary.consents.count())
    reveals_before = AuditEntry.objects.filter(action="identity.reveal", outcome="success").count()
    response = client.post(reverse(f"needs:{endpoint}", args=[published.pk]), POSTS[endpoint])
    if persona == "auditor":
        # The auditor reads everything (a reveal, with a reason, is allowed and audited) and changes nothing.
        assert response.status_code in (302, 403)
    else:
        assert response.status_code == 404
        assert AuditEntry.objects.filter(action="identity.reveal", outcome="success").count() == reveals_before
    published.refresh_from_db()
    after = (published.state, published.title, published.scheme_checks.count(), published.beneficiary.consents.count())
    assert after == before


def test_the_agency_needs_list_filters_searches_and_orders_newest_number_first(client_for, caseworker, county_agency):
    """Issue 20, item 10: only a state filter, and an order by created_at that a bulk
    import's equal timestamps scrambled (N000010…N000001, then N000020…N000011)."""

    from categories.models import Category
    from needs.models import Need

    made = []
    for i in range(6):
        overrides = {"title": f"需求{'甲乙丙丁戊己'[i]} " + ("送餐" if i % 2 else "助学")}
        if i == 3:
            overrides |= {"category": Category.objects.get(code="education"), "urgency": "urgent"}
        if i == 4:
            overrides["region"] = Region.objects.get(code="510129002")
        made.append(
            services.need_create(
                agency=county_agency, by=caseworker, data=card(**overrides), beneficiary=person(), household=[]
            )
        )
    # Two imports' worth of equal timestamps, the later batch first in created_at order.
    early, late = timezone_at(2026, 3, 1), timezone_at(2026, 2, 1)
    Need.objects.filter(pk__in=[n.pk for n in made[:3]]).update(created_at=early)
    Need.objects.filter(pk__in=[n.pk for n in made[3:]]).update(created_at=late)
    client = client_for(caseworker)

    def listed(**params) -> list[str]:
        response = client.get(reverse("needs:list"), params)
        assert response.status_code == 200
        return [n.reference for n in response.context["page"].object_list]

    refs = [n.reference for n in made]
    assert listed() == refs[::-1]
    assert listed(q=refs[2]) == [refs[2]]
    assert listed(q=refs[2].lower()) == [refs[2]]
    assert listed(q=str(made[2].pk)) == [refs[2]]
    assert listed(q="送餐") == [refs[5], refs[3], refs[1]]
    assert listed(category=Category.objects.get(code="education").pk) == [refs[3]]
    assert listed(urgency="urgent") == [refs[3]]
    assert listed(area="510129002") == [refs[4]]
    assert listed(area="510129") == refs[::-1]
    assert listed(created_from="2026-02-15") == refs[:3][::-1]
    assert listed(created_to="2026-02-15", state="draft") == refs[3:][::-1]
    assert listed(state="published") == []
    assert listed(created_from="not a date") == refs[::-1]  # an invalid filter is ignored
    with translation.override("zh-hans"):
        page = client.get(reverse("needs:list")).content.decode()
    for label in ("需求编号或文字", "类别", "紧急程度", "地区", "登记日期自"):
        assert label in page, label


def timezone_at(year: int, month: int, day: int):
    import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(year, month, day, 9, 0))


def test_a_fresh_draft_shows_the_statutory_aid_check_as_a_checklist_until_submission(
    client_for, caseworker, county_agency
):
    """Issue 20, item 12: right after saving a draft, nine alarms demanded the check."""
    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    client = client_for(caseworker)
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert 'data-testid="gap-todo"' in page and 'data-testid="gap-problems"' not in page

    response = client.post(reverse("needs:act", args=[need.pk]), {"action": "submit"})
    assert response.status_code == 302 and response["Location"].endswith("?check=submit#gap-h")
    response = client.get(response["Location"])
    page = response.content.decode()
    assert 'data-testid="gap-problems"' in page and 'data-testid="gap-todo"' not in page
    assert [m.level_tag for m in response.context["messages"]] == ["error"]  # one message, not ten


def test_withdrawing_looks_destructive_and_asks_to_confirm(client_for, caseworker, county_agency):
    """Issue 20, item 13: 撤回 had the primary style of 提交审核 and no confirmation."""
    import re

    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    page = client_for(caseworker).get(reverse("needs:detail", args=[need.pk])).content.decode()
    confirm = re.search(r'<details class="confirm-action" data-testid="confirm-withdraw">.*?</details>', page, re.S)
    assert confirm, "withdraw is not behind a confirmation"
    assert re.search(r'<button type="submit" class="danger" data-action="withdraw">', confirm.group())
    assert 'name="reason" type="text" required' in confirm.group()
    assert re.search(r'<button type="submit" data-action="submit">', page)  # the primary step stays primary


def test_saved_statutory_aid_answers_read_in_the_forms_order(client_for, caseworker, county_agency):
    """Issue 20, item 18: the saved answers came back sorted by their codes."""
    from needs.models import Scheme

    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker)
    with translation.override("zh-hans"):
        page = client_for(caseworker).get(reverse("needs:detail", args=[need.pk])).content.decode()
        labels = [str(scheme.label) for scheme in Scheme]
    positions = [page.index(f"<li>{label}:") for label in labels]
    assert positions == sorted(positions), labels
