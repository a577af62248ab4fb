"""The beneficiary's page at /c/<token>/: no login, the code from the card, one
friendly page for every link that can no longer be used, a rate limit per client
address, private headers, and nothing that identifies the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Confirmation, ConfirmationOutcome, MilestoneState
from contracts.views.confirm import CONFIRM_LIMIT
from tests.contracts.helpers import deliver, milestones


@pytest.fixture
def link(signed, charity_member):
    first = milestones(signed)[0]
    confirmation, token, code = services.confirmation_create(milestone=first, by=charity_member)
    return confirmation, token, code


def url(token: str) -> str:
    return reverse("confirm:page", args=[token])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def answer(client, token, code, outcome="confirmed", rating="5", note="", csrfmiddlewaretoken=None, **extra):
    data = {"code": code, "outcome": outcome, "rating": rating, "note": note}
    if csrfmiddlewaretoken:
        data["csrfmiddlewaretoken"] = csrfmiddlewaretoken
    return client.post(url(token), data, **extra)


def assert_private(response) -> None:
    # Same-origin, not no-referrer: under no-referrer a browser posts the answer with
    # "Origin: null" and the CSRF check refuses it (tests/e2e/test_contracts.py).
    assert response["Referrer-Policy"] == "same-origin"
    assert b'<meta name="referrer" content="no-referrer">' not in response.content
    assert "no-store" in response["Cache-Control"]


def assert_gone(response) -> None:
    assert response.status_code == 410
    assert b'data-testid="link-gone"' in response.content
    assert b"<form" not in response.content
    assert_private(response)


def test_the_page_shows_only_the_organisation_and_the_milestone(link, signed):
    _c, token, _code = link
    assert url(token) == f"/c/{token}/"
    response = Client().get(url(token))
    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    assert signed.organisation.legal_name in body and "第1阶段服务" in body
    assert "3600" not in body and "1800" not in body  # no amounts
    assert signed.number not in body and signed.agency.name not in body


def test_the_right_code_confirms(link):
    confirmation, token, code = link
    client = Client()
    response = answer(client, token, code, rating="4")
    assert response.status_code == 200 and b'data-testid="thanks"' in response.content
    assert_private(response)
    confirmation.refresh_from_db()
    assert confirmation.outcome == ConfirmationOutcome.CONFIRMED and confirmation.rating == 4
    # Used: the same friendly page as any other dead link.
    assert_gone(client.get(url(token)))
    assert_gone(answer(client, token, code))


def test_a_browser_answer_passes_the_csrf_check(link):
    """What a browser sends under the page's same-origin referrer policy: the CSRF
    cookie and token, and the site's own Origin (under no-referrer it would be "null")."""
    confirmation, token, code = link
    client = Client(enforce_csrf_checks=True)
    page = client.get(url(token))
    csrf = page.context["csrf_token"]
    response = answer(client, token, code, csrfmiddlewaretoken=csrf, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 200 and b'data-testid="thanks"' in response.content
    confirmation.refresh_from_db()
    assert confirmation.outcome == ConfirmationOutcome.CONFIRMED


def test_a_rating_is_optional_for_a_confirmation(link):
    confirmation, token, code = link
    assert answer(Client(), token, code, rating="").status_code == 200
    confirmation.refresh_from_db()
    assert confirmation.outcome == ConfirmationOutcome.CONFIRMED and confirmation.rating is None


def test_a_dispute_needs_a_note(link):
    confirmation, token, code = link
    client = Client()
    response = answer(client, token, code, outcome="disputed", rating="")
    assert response.status_code == 400 and b"<form" in response.content
    confirmation.refresh_from_db()
    assert not confirmation.used_at and confirmation.failures == 0
    response = answer(client, token, code, outcome="disputed", rating="", note="上周没有人来")
    assert response.status_code == 200 and b'data-testid="thanks"' in response.content
    confirmation.refresh_from_db()
    assert confirmation.outcome == ConfirmationOutcome.DISPUTED and confirmation.note == "上周没有人来"


def test_bad_input_changes_nothing(link):
    confirmation, token, code = link
    client = Client()
    for data in (
        {"code": "12345", "outcome": "confirmed"},
        {"code": "abcdef", "outcome": "confirmed"},
        {"code": code, "outcome": "maybe"},
        {"code": code, "outcome": "confirmed", "rating": "9"},
    ):
        response = client.post(url(token), data)
        assert response.status_code == 400 and b"<form" in response.content
    confirmation.refresh_from_db()
    assert confirmation.failures == 0 and not confirmation.used_at


def test_a_wrong_code_locks_after_five(link):
    confirmation, token, code = link
    client = Client()
    for attempt in range(1, 11):
        response = answer(client, token, wrong(code))
        if attempt < 5:
            assert response.status_code == 400 and b'data-testid="code-error"' in response.content
        else:
            assert_gone(response)
    confirmation.refresh_from_db()
    assert confirmation.failures == 5 and confirmation.locked_at
    # The right code no longer helps.
    for _ in range(5):
        assert_gone(answer(client, token, code))
    assert_gone(client.get(url(token)))
    confirmation.refresh_from_db()
    assert not confirmation.used_at and not confirmation.outcome


def test_an_expired_link(link):
    confirmation, token, code = link
    Confirmation.objects.filter(pk=confirmation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_gone(Client().get(url(token)))
    assert_gone(answer(Client(), token, code))
    confirmation.refresh_from_db()
    assert not confirmation.used_at


def test_a_replaced_link(link, signed, charity_member):
    _c, old_token, old_code = link
    services.confirmation_create(milestone=milestones(signed)[0], by=charity_member)
    assert_gone(answer(Client(), old_token, old_code))


def test_an_unknown_link_looks_like_any_dead_link(link):
    confirmation, token, _code = link
    unknown = Client().get(url("x" * 32))
    Confirmation.objects.filter(pk=confirmation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = Client().get(url(token))
    assert_gone(unknown)
    assert_gone(expired)
    assert unknown.content.replace(b"x" * 32, b"T") == expired.content.replace(token.encode(), b"T")
    assert_gone(Client().get(url("y" * 200)))


def test_a_link_of_an_accepted_milestone(signed, charity_member, approver):
    first = milestones(signed)[0]
    deliver(first, charity_member)  # confirmed by the beneficiary, as acceptance requires
    _c, token, code = services.confirmation_create(milestone=first, by=charity_member)  # a second, unanswered
    services.milestone_accept(milestone=first, by=approver)
    first.refresh_from_db()
    assert first.state == MilestoneState.ACCEPTED
    assert_gone(answer(Client(), token, code))


def test_the_rate_limit_per_client_address(link):
    confirmation, token, code = link
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(CONFIRM_LIMIT.attempts):
        client.post(url(token), {"code": "12", "outcome": "confirmed"})  # invalid: counts, changes nothing
    response = answer(client, token, code)
    assert response.status_code == 429 and b'data-testid="slow-down"' in response.content
    assert_private(response)
    confirmation.refresh_from_db()
    assert not confirmation.used_at and confirmation.failures == 0
    # Another address is not held back.
    other = answer(Client(REMOTE_ADDR="198.51.100.2"), token, code)
    assert other.status_code == 200 and b'data-testid="thanks"' in other.content


def test_english_beside_chinese(link):
    _c, token, _code = link
    chinese = Client().get(url(token)).content.decode()
    english = Client().get(f"/en{url(token)}").content.decode()
    assert 'lang="zh-Hans"' in chinese  # the words are translated later (locale/)
    assert 'lang="en"' in english and "Did you receive the service?" in english


def test_no_identity_in_any_response(link, claimed_need, caseworker):
    beneficiary = claimed_need.beneficiary
    secrets_ = [s for s in (beneficiary.name, beneficiary.id_number, beneficiary.phone, beneficiary.address) if s]
    assert secrets_
    _confirmation, token, code = link
    client = Client()
    responses = [
        client.get(url(token)),
        answer(client, token, wrong(code)),
        answer(client, token, code, outcome="disputed", rating="", note=""),
        answer(client, token, code, outcome="disputed", rating="", note="没有人来"),
        client.get(url(token)),
        client.get(url("nothing-here")),
    ]
    for response in responses:
        text = response.content.decode() + str(dict(response.headers))
        for secret in secrets_:
            assert secret not in text
        assert token not in str(dict(response.headers))
