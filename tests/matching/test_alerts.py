"""Saved searches and alerts: a new need that fits tells the member once, in the
notification centre and by email at once or in a daily digest; one click unsubscribes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Role
from categories.models import Category
from matching.alerts import saved_search_create, send_daily_digests
from matching.models import AlertFrequency, SavedSearch, SearchAlert
from matching.tasks import index_need
from matching.views import canonical_query
from notifications.models import Notification
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory
from tests.matching.helpers import published


@pytest.fixture
def member(db):
    org = OrganisationFactory(capacity=3)
    org.service_regions.set([Region.objects.get(code="510129")])
    org.service_categories.set(Category.objects.filter(code="elderly_care"))
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.ORG_MEMBER, organisation=org)
    return user


@pytest.fixture
def publish(county_agency, caseworker, approver):
    return lambda **o: published(county_agency, caseworker, approver, **o)


def test_a_fitting_need_alerts_at_once_and_only_once(member, publish):
    saved = saved_search_create(user=member, name="助餐", query="q=助餐", frequency=AlertFrequency.IMMEDIATE)
    need = publish(title="独居老人助餐", summary="每日送餐上门。")
    publish(title="困境儿童课后照料", summary="放学后无人照看。", category=Category.objects.get(code="child_care"))
    assert list(SearchAlert.objects.values_list("saved_search", "need")) == [(saved.pk, need.pk)]
    assert Notification.objects.filter(user=member, event="saved_search_match").count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "独居老人助餐" in message.body and saved.token in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    index_need.enqueue(need.pk)  # indexed again (a scope change, an invitation): no second alert
    assert SearchAlert.objects.count() == 1 and len(mail.outbox) == 1


def test_a_daily_search_sends_one_digest_a_day(member, publish):
    saved_search_create(user=member, name="老人", query="q=老人", frequency=AlertFrequency.DAILY)
    publish(title="独居老人助餐")
    publish(title="空巢老人探访")
    assert mail.outbox == []
    assert send_daily_digests() == 1
    assert len(mail.outbox) == 1 and "独居老人助餐" in mail.outbox[0].body and "空巢老人探访" in mail.outbox[0].body
    publish(title="高龄老人助浴")
    assert send_daily_digests() == 0  # within the day
    assert send_daily_digests(now=timezone.now() + timedelta(days=1)) == 1
    assert "高龄老人助浴" in mail.outbox[1].body and "独居老人助餐" not in mail.outbox[1].body


def test_one_click_unsubscribes_from_emails_not_from_alerts(client, member, publish):
    saved = saved_search_create(user=member, name="助餐", query="q=助餐", frequency=AlertFrequency.IMMEDIATE)
    response = client.get(reverse("matching:unsubscribe", args=[saved.token]))
    assert response.status_code == 200 and 'data-testid="unsubscribed"' in response.content.decode()
    assert SavedSearch.objects.get(pk=saved.pk).frequency == AlertFrequency.OFF
    assert client.post(reverse("matching:unsubscribe", args=[saved.token])).status_code == 200  # RFC 8058
    publish(title="独居老人助餐")
    assert mail.outbox == [] and Notification.objects.filter(user=member, event="saved_search_match").exists()
    assert client.get(reverse("matching:unsubscribe", args=["not-a-token"])).status_code == 404


def test_a_search_never_alerts_about_a_need_out_of_scope(member, publish):
    saved_search_create(user=member, name="all", query="", frequency=AlertFrequency.IMMEDIATE)
    publish(title="锦江区助餐", region=Region.objects.get(code="510104"))  # scope: the region, not served
    assert not SearchAlert.objects.exists() and mail.outbox == []


def test_saving_from_the_search_page_and_managing(client_for, member, outsider):
    client = client_for(member, reauthenticated=False)
    page = client.get("/en/needs/", {"q": "助餐", "category": "elderly_care", "page": "3"}).content.decode()
    assert 'name="query" value="q=%E5%8A%A9%E9%A4%90&amp;category=elderly_care" form="save-search-form"' in page
    data = {"name": "助餐", "frequency": "daily", "query": "q=助餐&category=elderly_care"}
    client.post(reverse("matching:saved"), data)
    saved = SavedSearch.objects.get(user=member)
    assert saved.frequency == "daily" and saved.query == "q=%E5%8A%A9%E9%A4%90&category=elderly_care"
    listing = client.get(reverse("matching:saved")).content.decode()
    assert "助餐" in listing
    client.post(reverse("matching:saved_change", args=[saved.pk]), {"frequency": "off"})
    assert SavedSearch.objects.get(pk=saved.pk).frequency == "off"
    other = client_for(UserFactory(), reauthenticated=False)
    assert other.post(reverse("matching:saved_change", args=[saved.pk]), {"delete": "1"}).status_code == 404
    assert client_for(outsider, reauthenticated=False).get(reverse("matching:saved")).status_code == 403
    client = client_for(member, reauthenticated=False)
    client.post(reverse("matching:saved_change", args=[saved.pk]), {"delete": "1"})
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize("bad", [{"name": "", "frequency": "daily"}, {"name": "x", "frequency": "hourly"}])
def test_bad_saves_change_nothing(client_for, member, bad):
    client_for(member, reauthenticated=False).post(reverse("matching:saved"), {**bad, "query": "q=x"})
    assert not SavedSearch.objects.exists()


def test_the_canonical_query_keeps_only_what_the_search_understands(db):
    assert canonical_query("q=助餐&page=4&sort=bogus&kind=service&kind=xyz&evil=<script>") == (
        "q=%E5%8A%A9%E9%A4%90&kind=service"
    )


def test_a_saved_search_shows_what_it_filters_on(client_for, charity_member):
    """Issue 20, item 11: the list showed only the search's name."""
    from matching.views import canonical_query

    query = canonical_query("q=助餐&category=elderly_care&urgency=urgent&budget=1000-5000")
    saved_search_create(user=charity_member, name="我的搜索", query=query, frequency=AlertFrequency.DAILY)
    saved_search_create(user=charity_member, name="全部", query="", frequency=AlertFrequency.DAILY)
    with translation.override("zh-hans"):
        page = client_for(charity_member).get(reverse("matching:saved")).content.decode()
    assert "助餐" in page and "养老服务" in page and "加急" in page and "1,000–5,000" in page
    assert "本机构范围内所有已发布的需求" in page
