"""The site as a visitor meets it: languages, health, error pages, oversized bodies."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.models import Membership, User
from organisations.models import Organisation
from website.demo import DEMO_PASSWORD, USERS


def test_chinese_without_prefix_and_english_under_en(client, db):
    zh = client.get("/")
    en = client.get("/en/")
    assert zh.status_code == en.status_code == 200
    assert '<html lang="zh-Hans">' in zh.content.decode()
    assert '<html lang="en">' in en.content.decode()
    assert "救助衔接平台" in zh.content.decode()


def test_the_language_switch_keeps_the_page_and_remembers_the_choice(client_for, charity_member):
    client = client_for(charity_member)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302 and response["Location"] == "/en/dashboard/"
    charity_member.refresh_from_db()
    assert charity_member.preferred_language == "en"
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/en/dashboard/"})
    assert response["Location"] == "/dashboard/"


@pytest.mark.parametrize(
    ("path", "language", "expected"),
    [
        ("/regions/510129/?q=x", "en", "/en/regions/510129/?q=x"),
        ("/en/regions/510129/", "zh-hans", "/regions/510129/"),
        ("/en/", "zh-hans", "/"),
        ("/", "en", "/en/"),
        ("/cms/pages/", "en", "/cms/pages/"),
    ],
)
def test_switching_language_stays_on_the_same_page(client, db, path, language, expected):
    response = client.post(reverse("set_language"), {"language": language, "next": path})
    assert response["Location"] == expected


def test_the_language_switch_never_redirects_off_site(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/en/"


@pytest.mark.parametrize(
    "path",
    [
        "/en//evil.example/",
        "/en/\\evil.example/",
        "/en//\\evil.example/",
        "/en/\t//evil.example/",
        "/en///evil.example",
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_switch_checks_the_page_once_the_prefix_is_rewritten(client, db, path, language):
    response = client.post(reverse("set_language"), {"language": language, "next": path})
    # A browser reads a backslash as a slash and any run of slashes after the first as
    # the start of a host name: the page must be a path on this site.
    location = response["Location"]
    assert response.status_code == 302 and location.startswith("/"), location
    assert location[1:2] not in ("/", "\\") and url_has_allowed_host_and_scheme(location, {"testserver"}), location


def test_an_unknown_language_changes_nothing(client_for, charity_member):
    client_for(charity_member).post(reverse("set_language"), {"language": "xx", "next": "/dashboard/"})
    charity_member.refresh_from_db()
    assert charity_member.preferred_language == "zh-hans"


def test_profile_saves_language_and_rejects_bad_input(client_for, charity_member):
    client = client_for(charity_member)
    response = client.post("/en/profile/", {"display_name": "刘洋", "preferred_language": "klingon"})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    charity_member.refresh_from_db()
    assert charity_member.display_name != "刘洋"
    client.post("/profile/", {"display_name": "刘洋", "preferred_language": "en"})
    charity_member.refresh_from_db()
    assert (charity_member.display_name, charity_member.preferred_language) == ("刘洋", "en")


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_answers_503_when_a_configured_dependency_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "error"


def test_healthz_checks_redis_when_configured(client, db, settings):
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert client.get("/healthz").json()["checks"]["redis"] == "ok"


def test_an_oversized_body_is_refused_before_it_is_read(client, db, settings):
    response = client.generic(
        "POST",
        "/accounts/login/",
        data=b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BODY_BYTES + 1),
    )
    assert response.status_code == 413


def test_the_error_pages_are_bilingual(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "页面不存在" in content and "The page does not exist" in content
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "服务器错误" in page and "Server error" in page


def test_security_headers(client, db):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "object-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_seed_demo_is_idempotent_and_makes_one_user_per_role(db):
    call_command("seed_demo")
    counts = (User.objects.count(), Membership.objects.count(), Organisation.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Membership.objects.count(), Organisation.objects.count()) == counts
    for spec in USERS:
        user = User.objects.get(email=spec.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.authenticator_set.filter(type="totp").exists()
    assert Organisation.objects.filter(vetting_state="submitted").count() == 1
    assert Organisation.objects.filter(vetting_state="approved").count() >= 3
    # A need at each step a visitor of the demo can take further.
    from needs.models import Need

    states = set(Need.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "published", "proposals_open"} <= states
    assert Need.objects.get(state="proposals_open").criteria.count() == 4


def test_seed_demo_refuses_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not User.objects.filter(email="caseworker@safetynet.test").exists()


def test_sweeps_run_once_from_the_command(db, capsys):
    call_command("run_sweeps")
    out = capsys.readouterr().out
    assert "purge_expired_sessions: 0" in out and "expire_invitations: 0" in out
    assert "prune_task_results: 0" in out
    with pytest.raises(CommandError, match="Unknown sweep"):
        call_command("run_sweeps", only="nonsense")


def test_the_home_page_speaks_each_language(client, db):
    call_command("seed_demo")
    zh = client.get("/").content.decode()
    en = client.get("/en/").content.decode()
    assert "保护每一位受助者" in zh and "Protecting every person helped" not in zh
    assert "Protecting every person helped" in en and "保护每一位受助者" not in en


def test_favicon_is_served_and_pages_name_it(client, db):
    """Issue 20, item 19: /favicon.ico was a 404 (a console error) on every page."""
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    path = response["Location"].removeprefix("/static/")
    assert finders.find(path) and path.endswith(".ico")
    assert 'rel="icon"' in client.get("/").content.decode()
