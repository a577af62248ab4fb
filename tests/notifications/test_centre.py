from django.urls import reverse

from notifications.services import notify


def test_the_header_shows_the_unread_count_and_reading_clears_it(client_for, caseworker):
    notify(user=caseworker, event="welcome")
    notify(user=caseworker, event="membership_removed", params={"role": "agency_finance", "scope": "大邑县民政局"})
    client = client_for(caseworker)
    page = client.get("/en/notifications/").content.decode()
    assert 'data-testid="unread-count">2<' in page
    assert "Your role as Agency finance at 大邑县民政局 was removed." in page

    client.post(reverse("notifications:read_all"))
    page = client.get("/en/notifications/").content.decode()
    assert 'data-testid="unread-count">0<' in page


def test_mark_all_read_answers_htmx_with_the_badge_only(client_for, caseworker):
    notify(user=caseworker, event="welcome")
    response = client_for(caseworker).post(reverse("notifications:read_all"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content.decode().strip().startswith('<span id="unread-badge"')


def test_a_notification_is_rendered_in_the_readers_language(client_for, caseworker):
    notify(user=caseworker, event="welcome")
    zh = client_for(caseworker).get("/notifications/").content.decode()
    en = client_for(caseworker).get("/en/notifications/").content.decode()
    assert "Welcome to Safetynet" in en
    assert "欢迎使用救助衔接平台" in zh


def test_opening_a_notification_follows_its_link_in_the_readers_language(client_for, caseworker):
    from notifications.services import notify, url_for

    notification = notify(user=caseworker, event="welcome", url=url_for("core:dashboard"))
    assert notification.url == "/dashboard/"
    client = client_for(caseworker)
    assert client.post(f"/en/notifications/{notification.pk}/read/")["Location"] == "/en/dashboard/"
    notification = notify(user=caseworker, event="welcome", url=url_for("core:dashboard"))
    assert client.post(f"/notifications/{notification.pk}/read/")["Location"] == "/dashboard/"
