"""The identity canary, site-wide (issue 4).

One beneficiary with a name, ID number, phone and address that cannot appear by accident
is recorded in needs of several states, in the caseworker's agency, in the township
below it and in an unrelated agency; with household members, the statutory-aid check,
consent, a relative declaration, a reveal, an escalation, notifications, emails and
audit entries. Then every URL pattern of the project is requested as every role, in
both languages, and each response (body and headers), email, notification title, log
record, ``str()``/``repr()`` and database row is searched for the canary.

The rules are the tables below (``AGENCY_SIDE``, ``MAY_SHOW``, ``REVEALERS``): a secret
found anywhere they do not name fails the test. The tables are checked against what the
site does, so they cannot drift into allowing more than it shows: the masked identity
must be found on every agency-side page the table names, the full value in every
permitted reveal, and the name in the one form that echoes what its author typed.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import timezone, translation

from accounts.models import Membership, Role
from accounts.services import invitation_create
from core.crypto import mask
from needs import services
from needs.exceptions import NotAllowed
from needs.models import Need, NeedState, Scheme, SchemeAnswer
from needs.workflow import response_window
from notifications.events import render_title
from notifications.models import Notification
from tests.contracts.helpers import draft, staff
from tests.factories import PASSWORD, UserFactory
from tests.needs.helpers import card
from tests.vetting.corpus import minimal_pdf
from tests.world import serve

# --- The canary ---------------------------------------------------------------------

NAME = "甄稀罕"
ID_NUMBER = "510129193708294174"  # GB 11643 check digit correct; born 1937-08-29 in 大邑县
PHONE = "17709213586"
ADDRESS = "大邑县晋原街道稀罕巷七十七号"
HOUSEHOLD_NAME = "甄稀奇"  # the spouse, recorded with the household

# What is searched for. The masked forms are what the agency's own pages show.
SECRETS = {
    "name": NAME,
    "household_name": HOUSEHOLD_NAME,
    "id_number": ID_NUMBER,
    "id_middle": ID_NUMBER[3:14],  # the digits a mask hides: a partial leak of the number
    "phone": PHONE,
    "address": ADDRESS,
    "address_tail": ADDRESS[7:],  # the part a mask hides
    "masked_id": mask(ID_NUMBER),
    "masked_phone": mask(PHONE),
    "masked_address": mask(ADDRESS, keep_start=6, keep_end=0),
}
FULL_VALUES = {"id_number": ("id_number", "id_middle"), "phone": ("phone",), "address": ("address", "address_tail")}

# --- Who may see it, where ----------------------------------------------------------

PERSONAS = [
    "anonymous",
    "caseworker",
    "approver",
    "agency_admin",
    "township_caseworker",
    "other_caseworker",
    "charity_admin",
    "charity_member",
    "unvetted_member",
    "vetting_officer",
    "auditor",
    "cms_editor",
    "outsider",
    "superuser",
]

# Seeded need -> who sees its agency-side page (the identity masked): caseworkers and
# approvers of the owning agency or an agency above it (policy.can_record_need), and the
# read-everything roles (needs.selectors.need_is_agency_side). An agency admin, the
# organisation that took it on, another agency, the agency below, the vetting officer
# and the public never do.
COUNTY_SIDE = frozenset({"caseworker", "approver", "auditor", "superuser"})
AGENCY_SIDE = {
    "draft": COUNTY_SIDE,
    "returned": COUNTY_SIDE,
    "submitted": COUNTY_SIDE,
    "published": COUNTY_SIDE,
    "claimed": COUNTY_SIDE,
    "township": COUNTY_SIDE | {"township_caseworker"},  # recorded below the county: the county sees it too
    "elsewhere": frozenset({"other_caseworker", "auditor", "superuser"}),  # the other agency's own record
}

# Secret -> the pages (URL names) where it may appear, to the AGENCY_SIDE of that need.
# A secret not listed may appear on no page reached by GET, to anyone.
MAY_SHOW = {
    "name": {"needs:detail", "needs:household"},
    "masked_id": {"needs:detail"},
    "masked_phone": {"needs:detail"},
    "masked_address": {"needs:detail"},
}

# Who gets the full value from the audited reveal (a typed reason), on the page the
# reveal leads to (policy.can_reveal_identity): the agency's own caseworkers and
# approvers, and auditors. Not a superuser, not an agency admin.
COUNTY_REVEAL = frozenset({"caseworker", "approver", "auditor"})
REVEALERS = {
    "draft": COUNTY_REVEAL,
    "returned": COUNTY_REVEAL,
    "submitted": COUNTY_REVEAL,
    "published": COUNTY_REVEAL,
    "claimed": COUNTY_REVEAL,
    "township": COUNTY_REVEAL | {"township_caseworker"},
    "elsewhere": frozenset({"other_caseworker", "auditor"}),
}

# The one more place identity is shown: a form re-shown with an error echoes what its
# author has just typed, to that author only (recording a need, declaring a relative).
ECHO_PAGES = {"needs:create", "needs:relatives"}


def allowed_on_page(persona: str, url_name: str, need_key: str | None) -> set[str]:
    """The secrets this persona may see on this page (reached by GET)."""
    if need_key is None or persona not in AGENCY_SIDE[need_key]:
        return set()
    return {secret for secret, pages in MAY_SHOW.items() if url_name in pages}


# --- The search ---------------------------------------------------------------------


# How a person or a formatter might write the numbers.
WRITTEN_AS = {
    "id_number": ["510129 19370829 4174", "510129-19370829-4174"],
    "phone": ["177 0921 3586", "177-0921-3586", "+86 17709213586", "+8617709213586"],
}


def _variants(value: str) -> set[str]:
    """The forms a value takes in HTML, JSON, URLs and headers."""
    return {
        value,
        json.dumps(value)[1:-1],  # \uXXXX escapes in JSON
        quote(value),  # a query string or a Location header
        "".join(f"&#{ord(c)};" if ord(c) > 127 else c for c in value),  # HTML entities
    }


_SEARCH = {
    key: set().union(*(_variants(form) for form in [value, *WRITTEN_AS.get(key, [])])) for key, value in SECRETS.items()
}


def found_in(text: str) -> set[str]:
    return {key for key, variants in _SEARCH.items() if any(v in text for v in variants)}


def response_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    return headers + "\n" + body.decode("utf-8", errors="replace")


# --- The seed -----------------------------------------------------------------------


@pytest.fixture
def township_caseworker(township_agency):
    user = UserFactory(email="township.caseworker@example.test", mfa=True)
    Membership.objects.create(user=user, role=Role.AGENCY_CASEWORKER, agency=township_agency)
    return user


@pytest.fixture
def cms_editor(db):
    user = UserFactory(email="editor@example.test", mfa=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@dataclass
class Seeded:
    """The canary's person recorded everywhere a test below looks: needs in every state
    and agency, a contract, an invitation, a notification, by the personas below."""

    users: dict
    needs: dict[str, Need]
    agencies: dict
    organisations: dict
    invitation: object
    invitation_token: str
    notification: Notification
    contract_values: dict = field(default_factory=dict)
    confirmation_token: str = ""

    def need_key(self, pk) -> str | None:
        return next((key for key, need in self.needs.items() if str(need.pk) == str(pk)), None)


def _person(**overrides) -> dict:
    data = {
        "name": NAME,
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "address": ADDRESS,
        "is_minor": False,
        "has_disability": True,
        "elderly_alone": True,
        "severe_illness": False,
    }
    return {**data, **overrides}


def _answer_all(need, by) -> None:
    answers = {s.value: (SchemeAnswer.NOT_ELIGIBLE, "") for s in Scheme}
    answers[Scheme.DIBAO] = (SchemeAnswer.INSUFFICIENT, "低保金不足以支付助餐")
    services.scheme_checks_record(need=need, by=by, answers=answers, gap_reason="service_not_cash", gap_note="")


@pytest.fixture
def seeded(request, settings, caplog, django_capture_on_commit_callbacks, county_agency, township_agency, other_agency):
    # allauth's activity tracking writes a row on every request and shows nothing of a
    # beneficiary; off, the walk below takes a fifth less time.
    settings.USERSESSIONS_TRACK_ACTIVITY = False
    # Every log record, from setup on: the search reads them too.
    caplog.set_level(logging.DEBUG)
    for name in ("django.request", "django.tasks", "wagtail", "django.server"):
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.INFO, logger="django.template")  # variable look-ups, by name only
    users = {p: request.getfixturevalue(p) for p in PERSONAS if p != "anonymous"}
    caseworker, approver = users["caseworker"], users["approver"]
    org = serve(request.getfixturevalue("vetted_org"))
    household = [{"relation": "配偶", "age": 81, "name": HOUSEHOLD_NAME}, {"relation": "孙女", "age": 9}]
    go_ahead = "同一人另有需求，本项服务内容不同"
    needs: dict[str, Need] = {}
    with django_capture_on_commit_callbacks(execute=True):

        def record(key, agency, by, **person):
            title = {"draft": "独居老人助餐", "township": "冬季取暖物资"}.get(key, f"助餐与探访{len(needs) + 1}")
            needs[key] = services.need_create(
                agency=agency,
                by=by,
                data=card(title=title),
                beneficiary=_person(**person),
                household=household,
            )
            return needs[key]

        for key in ("draft", "returned", "submitted", "published", "claimed"):
            record(key, county_agency, caseworker)
        record("township", township_agency, users["township_caseworker"])
        record("elsewhere", other_agency, users["other_caseworker"], phone="", address="")
        for key in ("returned", "submitted", "published", "claimed"):
            _answer_all(needs[key], caseworker)
            services.need_transition(need=needs[key], action="submit", by=caseworker, reason=go_ahead)
        services.need_transition(need=needs["returned"], action="return", by=approver, reason="预算请重新测算")
        for key in ("published", "claimed"):
            services.need_transition(need=needs[key], action="approve", by=approver, reason=go_ahead)
            services.need_transition(need=needs[key], action="publish", by=approver)
        services.need_transition(need=needs["claimed"], action="claim", by=users["charity_member"], organisation=org)
        # Nobody took the published one on in time: the sweep widens it and tells the approvers.
        services.needs_escalate(now=timezone.now() + response_window("routine") + timedelta(hours=1))
        for key in ("published", "claimed", "township"):
            person = needs[key].beneficiary
            services.consent_record(
                beneficiary=person,
                by=caseworker,
                given_by=NAME,
                by_guardian=False,
                method="in_person",
                valid_until=timezone.localdate() + timedelta(days=90),
            )
        services.relative_declare(user=users["agency_admin"], name=NAME, id_number=ID_NUMBER, relation="表兄")
        person = needs["published"].beneficiary
        services.identity_reveal(beneficiary=person, by=caseworker, field="id_number", reason="核对户籍信息")
        services.identity_reveal(beneficiary=person, by=users["auditor"], field="phone", reason="核查举报线索")
        with pytest.raises(NotAllowed):
            services.identity_reveal(beneficiary=person, by=users["other_caseworker"], field="address", reason="好奇")
        contract_values, confirmation_token = _contract_for(needs["claimed"], users)
        _try_to_plant(needs["draft"], contract_values["pk"], caseworker)
        invitation, token = invitation_create(
            by=users["agency_admin"],
            email="new.caseworker@example.test",
            role=Role.AGENCY_CASEWORKER,
            agency=county_agency,
            site_url="http://testserver",
        )
    for need in needs.values():
        need.refresh_from_db()
    return Seeded(
        users=users,
        needs=needs,
        agencies={"county": county_agency, "township": township_agency, "other": other_agency},
        organisations={"vetted": org, "unvetted": request.getfixturevalue("unvetted_org")},
        invitation=invitation,
        invitation_token=token,
        notification=Notification.objects.filter(user=caseworker).first(),
        contract_values=contract_values,
        confirmation_token=confirmation_token,
    )


def _try_to_plant(draft: Need, contract_pk: int, caseworker) -> None:
    """Identity typed into the need's qualifications and into a milestone's texts, spaced
    out as the probe typed it, is refused (issue 17): the crawl then finds it nowhere."""
    from django.db import transaction

    from contracts import services as contracts
    from contracts.exceptions import TermsInvalid
    from contracts.models import TERM_FIELDS, Contract
    from needs.exceptions import IdentityLeak

    contract = Contract.objects.get(pk=contract_pk)
    version = contracts.current_version(contract)
    plants = [
        f"需联系{NAME[0]} {NAME[1:]}本人",
        f"配偶{HOUSEHOLD_NAME}",
        f"电话 {PHONE[:3]}.{PHONE[3:7]}.{PHONE[7:]}",
        f"身份证 {ID_NUMBER[:6]}-{ID_NUMBER[6:14]}-{ID_NUMBER[14:]}",
        f"住{ADDRESS[7:]}",
    ]
    for text in plants:
        with pytest.raises(IdentityLeak):
            services.need_update(need=draft, by=caseworker, data={**card(), "qualifications": text})
        for key in ("description", "deliverables"):
            schedule = contracts.schedule_data(version)
            schedule[-1][key] = text
            indicators = [{"name": i.name, "target": i.target} for i in version.indicators.all()]
            terms = {f: getattr(version, f) for f in TERM_FIELDS}
            with pytest.raises(TermsInvalid), transaction.atomic():
                contracts.contract_amend(contract=contract, by=caseworker, reason="调整服务内容")
                contracts.contract_update_draft(
                    contract=contract, by=caseworker, data=terms, milestones=schedule, indicators=indicators
                )
    assert contracts.open_version(contract) is None  # every attempt left nothing behind


def _contract_for(need, users) -> tuple[dict, str]:
    """The claimed need's contract, signed, with evidence, the beneficiary's confirmation,
    an accepted milestone and an authorised payment: every contract page has something
    to show (and must show nothing of the person)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contracts import services as contracts
    from vetting.uploads import check_upload

    caseworker, approver = users["caseworker"], users["approver"]
    contract = draft(need, caseworker)
    contracts.contract_send(contract=contract, by=approver)
    contracts.contract_sign(contract=contract, by=users["charity_admin"], side="organisation")
    contracts.contract_sign(contract=contract, by=approver, side="agency")
    first = contracts.schedule(contracts.current_version(contract))[0].milestone
    member = users["charity_member"]
    contracts.evidence_record_add(
        milestone=first,
        by=member,
        data={"date": timezone.localdate(), "hours": 2, "worker": "王社工", "activity": "上门助餐", "notes": ""},
    )
    pdf = SimpleUploadedFile("服务记录.pdf", minimal_pdf())
    evidence = contracts.evidence_file_add(milestone=first, by=member, upload=pdf, checked=check_upload(pdf))
    confirmation, token, code = contracts.confirmation_create(milestone=first, by=member)
    contracts.confirmation_answer(token=token, code=code, outcome="confirmed", rating=5, note="")
    contracts.milestone_submit(milestone=first, by=member)
    contracts.milestone_accept(milestone=first, by=approver)
    finance = staff(contract.agency, Role.AGENCY_FINANCE, "finance.canary@example.test")
    finance2 = staff(contract.agency, Role.AGENCY_FINANCE, "finance2.canary@example.test")
    payment = contracts.payment_record(
        milestone=first, by=finance, amount=1800, paid_on=timezone.localdate(), reference="GK-CANARY-1"
    )
    contracts.payment_authorise(payment=payment, by=finance2)
    second = contracts.schedule(contracts.current_version(contract))[1].milestone
    _open, open_token, _code = contracts.confirmation_create(milestone=second, by=member)
    values = {
        "pk": contract.pk,
        "need_pk": need.pk,
        "number": 1,
        "milestone_pk": first.pk,
        "file_pk": evidence.pk,
        "confirmation_pk": confirmation.pk,
        "payment_pk": payment.pk,
        "entry_pk": contract.journal.order_by("pk").last().pk,
    }
    return values, open_token


def test_the_seed_carries_the_canary_everywhere_it_should(seeded):
    """A broken seed must not let the other tests pass on nothing."""
    states = {key: need.state for key, need in seeded.needs.items()}
    assert states == {
        "draft": NeedState.DRAFT,
        "returned": NeedState.RETURNED,
        "submitted": NeedState.SUBMITTED,
        "published": NeedState.PUBLISHED,
        "claimed": NeedState.IN_CONTRACT,  # taken on, and its contract signed
        "township": NeedState.DRAFT,
        "elsewhere": NeedState.DRAFT,
    }
    for need in seeded.needs.values():
        assert (need.beneficiary.name, need.beneficiary.id_number) == (NAME, ID_NUMBER)
        assert need.beneficiary.household.count() == 2
    assert seeded.needs["published"].escalated_at is not None
    assert seeded.needs["published"].beneficiary.consents.get().given_by == NAME
    assert seeded.users["agency_admin"].relatives.get().name == NAME
    assert Notification.objects.filter(event__startswith="need_").count() >= 8
    assert len(mail.outbox) >= 8
    assert found_in(f"<p>{NAME} {ID_NUMBER}</p>") == {"name", "id_number", "id_middle"}
    assert found_in(json.dumps({"n": NAME, "a": ADDRESS})) == {"name", "address", "address_tail"}


# --- Every URL pattern, filled from the seed ------------------------------------------


@dataclass(frozen=True)
class Route:
    parts: tuple
    name: str
    callback: object
    i18n: bool

    @property
    def text(self) -> str:
        return "".join(str(p) for p in self.parts)

    @property
    def params(self) -> list[str]:
        names = []
        for part in self.parts:
            if isinstance(part, RoutePattern):
                names += list(part.converters)
            elif isinstance(part, RegexPattern):
                names += list(part.regex.groupindex)
        return names

    @property
    def positional(self) -> int:
        return sum(p.regex.groups - len(p.regex.groupindex) for p in self.parts if isinstance(p, RegexPattern))


def all_routes() -> list[Route]:
    found = []

    def walk(patterns, parts, namespaces, i18n):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                locale = isinstance(entry.pattern, LocalePrefixPattern)
                ns = [*namespaces, entry.namespace] if entry.namespace else namespaces
                walk(entry.url_patterns, parts if locale else (*parts, entry.pattern), ns, i18n or locale)
            elif isinstance(entry, URLPattern):
                name = ":".join([*namespaces, entry.name]) if entry.name else ""
                found.append(Route((*parts, entry.pattern), name, entry.callback, i18n))

    walk(get_resolver().url_patterns, (), [], False)
    return found


_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")


def _fill_regex(regex: str, values: dict, positional: list) -> str:
    """A concrete path for a regex pattern: groups replaced by values, anchors dropped."""
    out, i = [], 0
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            out.append(regex[i + 1])
            i += 2
        elif c in "^$":
            i += 1
        elif c == ".":
            out.append("x")  # a wildcard: any character will do
            i += 1
        elif c in "*+?":
            i += 1
        elif c == "(":
            depth, j, in_class = 0, i, False
            while j < len(regex):
                ch = regex[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "[":
                    in_class = True
                elif ch == "]":
                    in_class = False
                elif ch == "(" and not in_class:
                    depth += 1
                elif ch == ")" and not in_class:
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            group = regex[i : j + 1]
            if named := re.match(r"\(\?P<(\w+)>", group):
                out.append(str(values[named[1]]))
            elif not group.startswith("(?"):
                out.append(str(positional.pop(0)))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def fill(route: Route, values: dict, positional: list, prefix: str) -> str:
    positional = list(positional)
    parts = [prefix] if route.i18n else []
    for part in route.parts:
        if isinstance(part, RoutePattern):
            parts.append(_ROUTE_PARAM.sub(lambda m: str(values[m["name"]]), str(part)))
        else:
            parts.append(_fill_regex(str(part), values, positional))
    return "/" + "".join(parts)


def _admin_objects(seeded) -> dict:
    """For each model in the Django admin, the objects whose pages are opened."""
    from audit.models import AuditEntry

    chosen = {
        AuditEntry: list(AuditEntry.objects.filter(object_type="needs.beneficiary").order_by("seq")[:4]),
        type(seeded.users["caseworker"]): [seeded.users["caseworker"], seeded.users["superuser"]],
    }
    objects = {}
    for model in admin.site._registry:
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        objects[prefix] = chosen.get(model) or list(model._default_manager.order_by("pk")[:2])
    return objects


def candidates(route: Route, seeded, admin_objects: dict) -> list[tuple[dict, list, str | None]]:
    """Every (keyword values, positional values, seeded need) to fill this route with."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Page, Site

    params, name, text = route.params, route.name, route.text
    if not params and not route.positional:
        return [({}, [], None)]
    home = Page.objects.filter(depth=2).first()
    if name == "wagtail_serve":
        paths = [p.get_url_parts()[2].lstrip("/") for p in Page.objects.live().filter(depth__gte=2)]
        return [({}, [path], None) for path in [*paths, "no-such-page/"]]
    if name == "wagtaildocs_serve":
        return [({}, [1, "x.pdf"], None)]
    if name.startswith("needs:"):
        from needs.models import Proposal

        extra = {"proposal_pk": Proposal.objects.values_list("pk", flat=True).first() or 1, "file_pk": 1}
        filled = {p: extra[p] for p in params if p != "pk"}
        return [({"pk": need.pk, **filled}, [], key) for key, need in seeded.needs.items()]
    if name.startswith("contracts:"):
        return [({p: seeded.contract_values.get(p, 1) for p in params}, [], None)]
    if name == "confirm:page":
        return [({"token": seeded.confirmation_token}, [], None)]
    if name.startswith("agencies:"):
        return [({"pk": a.pk}, [], None) for a in seeded.agencies.values()]
    if name.startswith(("organisations:", "directory:", "vetting:")) and name != "vetting:change_request":
        return [({"pk": o.pk, "doc_pk": 1}, [], None) for o in seeded.organisations.values()]
    if name == "accounts:invite":
        return [
            ({"scope": "agency", "pk": seeded.agencies["county"].pk}, [], None),
            ({"scope": "organisation", "pk": seeded.organisations["vetted"].pk}, [], None),
        ]
    if name == "accounts:invitation_accept":
        return [({"token": seeded.invitation_token}, [], None)]
    if name == "accounts:invitation_revoke":
        return [({"pk": seeded.invitation.pk}, [], None)]
    if name == "accounts:membership_remove":
        return [({"pk": seeded.users["caseworker"].memberships.get().pk}, [], None)]
    if name == "notifications:read":
        return [({"pk": seeded.notification.pk}, [], None)]
    if name == "regions:detail":
        return [({"code": "510129"}, [], None)]
    if text.startswith("admin/"):
        for prefix, objects in admin_objects.items():
            if text.startswith(prefix) and "object_id" in params:
                return [({"object_id": o.pk}, [], None) for o in objects] or [({"object_id": 1}, [], None)]
        if "content_type_id" in params:
            ct = ContentType.objects.get_for_model(Need)
            return [({"content_type_id": ct.pk, "object_id": seeded.needs["published"].pk}, [], None)]
        values = {"app_label": "audit", "url": "no-such-page/", "id": seeded.users["caseworker"].pk}
        return [({p: values.get(p, 1) for p in params}, [], None)]
    # Wagtail's admin and anything else: a best-effort value per parameter name.
    ints = {
        "page_id": home.pk,
        "parent_page_id": home.pk,
        "page_to_move_id": home.pk,
        "destination_id": home.pk,
        "page_pk": home.pk,
        "page_view_restriction_id": 1,
        "collection_id": Collection.get_first_root_node().pk,
        "revision_id": home.latest_revision_id or 1,
    }
    if name.startswith("wagtailusers_users"):
        ints["pk"] = seeded.users["caseworker"].pk
    elif name.startswith("wagtailusers_groups"):
        ints["pk"] = Group.objects.get(name="Editors").pk
    elif name.startswith("wagtailsites"):
        ints["pk"] = Site.objects.first().pk
    elif name.startswith("wagtailadmin_api:pages") or name.startswith("wagtailadmin_pages"):
        ints["pk"] = home.pk
    strings = {
        "content_type_app_name": "cms",
        "content_type_model_name": "homepage",
        "app_label": "cms",
        "model_name": "homepage",
        "app_name": "cms",
        "action": "delete",
        "action_name": "approve",
        "filter_spec": "original",
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "object_id": str(home.pk),
    }
    values = {p: ints.get(p, strings.get(p, 1)) for p in params}
    return [(values, [1] * route.positional, None)]


# Lists that would show the seed only past their first page once the walk has added its
# own entries (every refused request is audited): asked for with a filter as well.
FILTERED = {
    "audit:list": ["?action=identity", "?action=need", "?action=consent", "?action=relative", "?outcome=denied"],
    "needs:list": [f"?state={state}" for state in ("draft", "submitted", "returned", "published", "claimed")],
    "notifications:list": ["?page=2"],
    "admin:audit_auditentry_changelist": ["?q=identity", "?q=needs"],
}


@dataclass(frozen=True)
class Visit:
    path: str
    url_name: str
    need: str | None
    language: str


def all_pages(seeded) -> tuple[list[Visit], list[str]]:
    """Every route filled from the seed, in both languages where it has a prefix; and the
    routes that cannot be reached (shadowed by an earlier pattern)."""
    admin_objects = _admin_objects(seeded)
    pages, unreachable, seen = [], [], set()
    for route in all_routes():
        languages = [code for code, _name in settings.LANGUAGES] if route.i18n else [settings.LANGUAGE_CODE]
        for values, positional, need in candidates(route, seeded, admin_objects):
            for language in languages:
                prefix = "" if language == settings.LANGUAGE_CODE else f"{language}/"
                path = fill(route, values, positional, prefix)
                with translation.override(language):
                    try:
                        match = resolve(path)
                    except Resolver404:
                        match = None
                if match is None or match.func is not route.callback:
                    unreachable.append(f"{route.text} ({route.name or '-'}) -> {path}")
                    continue
                for query in ["", *FILTERED.get(route.name, [])]:
                    if path + query not in seen:
                        seen.add(path + query)
                        pages.append(Visit(path + query, route.name, need, language))
    return pages, unreachable


def client_for_persona(seeded, persona: str) -> Client:
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        client.force_login(seeded.users[persona], backend="django.contrib.auth.backends.ModelBackend")
        # Sensitive pages ask for the password again; answer as the person would.
        assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    return client


@dataclass
class Findings:
    violations: list[str] = field(default_factory=list)
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    seen: dict = field(default_factory=lambda: defaultdict(set))  # (persona, url name, need) -> secrets
    ok_paths: set = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    sessions_ended: list[str] = field(default_factory=list)


# The Django admin and Wagtail's admin: walked in full by the public and by everyone who
# may enter them (superuser, CMS editor). Every other role only knocks at each door, which
# must stay shut (a redirect to sign in): behind it they would meet the same redirect.
STAFF_TREES = ("/admin/", "/cms/")


def _enters_staff_trees(user) -> bool:
    from accounts import policy

    return user.is_staff or user.is_superuser or policy.can_access_cms(user)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_in_both_languages(persona, seeded, caplog):
    """One role at a time, so that the suite's workers share the walk."""
    pages, unreachable = all_pages(seeded)
    findings = Findings()
    post_only: set[str] = set()
    client = client_for_persona(seeded, persona)
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    full_walk = persona == "anonymous" or _enters_staff_trees(seeded.users[persona])
    for page in pages:
        if not full_walk and page.path.startswith(STAFF_TREES) and page.path not in STAFF_TREES:
            continue  # the tree's door is tried below; behind it there is nothing for this role
        if persona != "anonymous" and page.path in post_only:
            continue
        response = client.get(page.path)
        status = response.status_code
        findings.statuses[persona][status] += 1
        if status == 405 and persona != "anonymous":
            # GET-refused (POST-only): every signed-in role gets the same empty 405 from
            # the method check; the POST responses are searched by the next test.
            post_only.add(page.path)
        if page.path in STAFF_TREES and not (full_walk or status == 302):
            findings.violations.append(f"{persona} GET {page.path}: {status}, expected a redirect to sign in")
        if status == 200:
            findings.ok_paths.add(page.path)
        if status >= 500:
            findings.errors.append(f"{persona} GET {page.path}: {status}")
        secrets = found_in(response_text(response))
        findings.seen[(persona, page.url_name, page.need)] |= secrets
        extra = secrets - allowed_on_page(persona, page.url_name, page.need)
        if extra:
            where = page.url_name + (f", the {page.need} need" if page.need else "")
            findings.violations.append(f"{persona} GET {page.path} ({where}): {sorted(extra)}")
        # A page that signs the person out (a GET logout) would leave the rest anonymous.
        if persona != "anonymous" and client.cookies.get(settings.SESSION_COOKIE_NAME) != cookie:
            if SESSION_KEY not in client.session:
                findings.sessions_ended.append(f"{persona} GET {page.path}")
                client = client_for_persona(seeded, persona)
            cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)

    log_leaks = [r.name + ": " + r.getMessage()[:200] for r in _all_records(caplog) if found_in(_record_text(r))]
    print(
        f"\nidentity canary, {persona}: {len(all_routes())} URL patterns, {len(unreachable)} shadowed by an "
        f"earlier one; {len(pages)} paths filled from the seed (both languages, filters); "
        f"{dict(sorted(findings.statuses[persona].items()))}; {len(post_only)} POST-only paths asked once; "
        f"{len(_all_records(caplog))} log records searched"
    )
    for line in unreachable:
        print("  shadowed:", line)

    assert not findings.violations, "identity shown where it may not be:\n" + "\n".join(findings.violations)
    assert not log_leaks, "identity in the logs:\n" + "\n".join(log_leaks)
    # Self-checks: the walk did reach the site, and the agency does see the masked identity
    # exactly where the table says (so the table allows nothing the site does not show).
    assert len(pages) > 200, "too few paths filled from the seed: the walk would reach nothing"
    assert findings.statuses[persona][200] >= 15, f"{persona} reached too few pages"
    if persona == "superuser":
        assert len(findings.ok_paths) > 100, "too few pages answered 200 to the superuser"
    for key, personas in AGENCY_SIDE.items():
        if persona in personas:
            shown = findings.seen[(persona, "needs:detail", key)]
            expected = {"masked_id"} | ({"masked_phone", "masked_address"} if key != "elsewhere" else set())
            assert expected <= shown, f"{persona} does not see the masked identity of the {key} need"
    assert not findings.sessions_ended, findings.sessions_ended
    unexpected_errors = [e for e in findings.errors if "/cms/failwhale/" not in e]
    assert not unexpected_errors, "\n".join(unexpected_errors)


# --- Responses to actions: the reveal, and every need endpoint as every role ---------------

NOOP_POSTS = {
    # Each is refused or invalid for everyone, so the loop changes nothing it visits later.
    "schemes": {},
    "act": {"action": "withdraw"},  # no reason
    "consent": {"method": "in_person"},  # nobody gave it
    "claim": {},  # no organisation
    "edit": {"need-title": ""},
    "reveal": {"field": "id_number", "reason": ""},  # no reason
}


def _page_of(response, seeded) -> tuple[str, str | None]:
    path = response.request["PATH_INFO"]
    language = "en" if path.startswith("/en/") else settings.LANGUAGE_CODE
    with translation.override(language):
        match = resolve(path)
    return match.view_name, seeded.need_key(match.kwargs.get("pk")) if match.view_name.startswith("needs:") else None


def test_the_reveal_and_every_need_action_as_every_role(seeded, caplog):
    def snapshot():
        return [
            (n.state, n.title, n.scheme_checks.count(), n.beneficiary.consents.count(), n.claimed_by_id)
            for n in Need.objects.order_by("pk")
        ]

    before = snapshot()
    violations, reveals_shown = [], Counter()
    for persona in PERSONAS:
        client = client_for_persona(seeded, persona)
        for key, need in seeded.needs.items():
            posts = [(f"/needs/{need.pk}/{endpoint}/", data) for endpoint, data in NOOP_POSTS.items()]
            for prefix, reveal in [("", "id_number"), ("", "phone"), ("", "address"), ("/en", "id_number")]:
                posts.append((f"{prefix}/needs/{need.pk}/reveal/", {"field": reveal, "reason": "核对身份，准备上门"}))
            for path, data in posts:
                response = client.post(path, data, follow=True)
                url_name, page_need = _page_of(response, seeded)
                secrets = found_in(response_text(response))
                allowed = allowed_on_page(persona, url_name, page_need)
                value_key = data.get("field") if data.get("reason") else None
                may_reveal = value_key and persona in REVEALERS[key]
                if may_reveal and getattr(need.beneficiary, value_key):
                    # The full value, shown once, on the page the reveal leads to.
                    assert response.redirect_chain and set(FULL_VALUES[value_key]) <= secrets, (persona, key, path)
                    allowed |= set(FULL_VALUES[value_key])
                    reveals_shown[persona] += 1
                extra = secrets - allowed
                if extra:
                    violations.append(f"{persona} POST {path} {data} -> {url_name}: {sorted(extra)}")
        for path, data in [("/needs/new/", {}), ("/needs/relatives/", {}), ("/en/needs/relatives/", {})]:
            response = client.post(path, data, follow=True)
            if found_in(response_text(response)):
                violations.append(f"{persona} POST {path}: {sorted(found_in(response_text(response)))}")
        response = client.post("/notifications/read-all/", headers={"HX-Request": "true"})
        if found_in(response_text(response)):
            violations.append(f"{persona} POST /notifications/read-all/ (HTMX): {found_in(response_text(response))}")

    assert not violations, "identity shown where it may not be:\n" + "\n".join(violations)
    assert snapshot() == before, "a refused or invalid action changed a need"
    # Every permitted reveal showed the value (four reveals a need; the other agency's
    # record has no phone or address): caseworker and approver on the six county and
    # township needs, the auditor on all seven, the township and other caseworker on their own.
    assert reveals_shown == {
        "caseworker": 6 * 4,
        "approver": 6 * 4,
        "auditor": 6 * 4 + 2,
        "township_caseworker": 4,
        "other_caseworker": 2,
    }
    log_leaks = [r.getMessage()[:200] for r in _all_records(caplog) if found_in(_record_text(r))]
    assert not log_leaks, log_leaks


def test_a_form_echoes_identity_only_to_its_author(seeded):
    """The positive control for the name, which no page shows today: the recording form,
    re-shown with an error, gives back what the caseworker typed; a declaration likewise."""
    person = {f"person-{k}": v for k, v in _person().items() if isinstance(v, str)}
    person.update({"household-TOTAL_FORMS": "0", "household-INITIAL_FORMS": "0"})
    echoes = [
        ("caseworker", "/needs/new/", person, {"name", "id_number", "phone", "address"}),  # no card: invalid
        ("agency_admin", "/en/needs/relatives/", {"name": NAME, "id_number": ID_NUMBER}, {"name", "id_number"}),
    ]
    for persona, path, data, typed in echoes:
        client = client_for_persona(seeded, persona)
        response = client.post(path, data)
        assert response.status_code == 200 and typed <= found_in(response_text(response)), (persona, path)
        with translation.override("en" if path.startswith("/en/") else settings.LANGUAGE_CODE):
            assert resolve(path).view_name in ECHO_PAGES
        # Once saved, it never comes back: the declared relative's page shows the relation only.
        assert not found_in(response_text(client.get("/needs/relatives/")))


# --- Emails, notifications, logs, str() and repr(), the database ------------------------


def _all_records(caplog) -> list[logging.LogRecord]:
    return [r for phase in ("setup", "call") for r in caplog.get_records(phase)]


def _record_text(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        text += repr(record.exc_info[1])
    return text + (record.exc_text or "")


def test_emails_notifications_and_logs_carry_no_identity(seeded, caplog):
    assert mail.outbox, "the seed sent no email"
    for message in mail.outbox:
        text = "\n".join([message.subject, message.body, *message.to, str(message.message())])
        for _content, _mime in getattr(message, "alternatives", []):
            text += str(_content)
        assert not found_in(text), (message.subject, found_in(text))
    notifications = list(Notification.objects.all())
    assert len(notifications) >= 8
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for notification in notifications:
                text = render_title(notification) + json.dumps(notification.params) + notification.url
                assert not found_in(text), (notification.event, language)
    records = _all_records(caplog)
    assert records, "no log record was captured: the search would prove nothing"
    leaks = [r.getMessage()[:200] for r in records if found_in(_record_text(r))]
    assert not leaks, leaks


def test_no_object_prints_identity(seeded):
    """str() and repr() reach logs, the audit trail (object_repr), admin pages and errors."""
    from django.apps import apps

    printed = 0
    for model in apps.get_models():
        for obj in model._default_manager.all()[:300]:
            try:
                text = f"{obj}\n{obj!r}"
            except Exception as exc:  # a model that cannot print itself prints nothing
                text = repr(exc)
            printed += 1
            assert not found_in(text), (model._meta.label, obj.pk, found_in(text))
    assert printed > 100


def _raw_rows():
    """Every value of every table as stored, no field conversion."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("regions_"):
                continue  # reference data loaded by a migration, thousands of rows
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # table names from the schema
            for row in cursor.fetchall():
                yield table, row


def _sessions_text() -> str:
    from django.contrib.sessions.models import Session

    return "\n".join(json.dumps(s.get_decoded(), ensure_ascii=False, default=str) for s in Session.objects.all())


def test_the_database_holds_identity_only_encrypted(seeded):
    """A database dump shows no name, ID number, phone or address, not even in sessions or
    the audit log: the vault encrypts them and every comparison uses the keyed hash."""
    client = client_for_persona(seeded, "caseworker")
    need = seeded.needs["published"]
    response = client.post(f"/needs/{need.pk}/reveal/", {"field": "id_number", "reason": "核对户籍"}, follow=True)
    assert "id_number" in found_in(response_text(response))  # shown once...
    tokens = 0
    for table, row in _raw_rows():
        text = "\n".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row)
        tokens += text.count("gAAAAA")
        plain = found_in(text) - {"masked_id", "masked_phone", "masked_address"}
        assert not plain, (table, plain)
    assert tokens >= 7 * 2, "the vault's encrypted columns were not found"
    assert not found_in(_sessions_text()), "identity left in a session"  # ...and not kept


def test_a_reveal_never_followed_leaves_no_identity_in_the_session_store(seeded):
    client = client_for_persona(seeded, "caseworker")
    need = seeded.needs["published"]
    response = client.post(f"/needs/{need.pk}/reveal/", {"field": "id_number", "reason": "核对户籍"})
    assert response.status_code == 302
    assert not found_in(_sessions_text())


def test_the_admin_registers_no_identity_model():
    """The superuser's Django admin never lists or edits the vault: a ModelAdmin for one
    would show the decrypted values (the walk above would also catch it)."""
    from needs.models import Beneficiary, Consent, HouseholdMember, RelativeDeclaration

    for model in (Beneficiary, Consent, HouseholdMember, RelativeDeclaration):
        assert model not in admin.site._registry, model
    assert "needs" not in {m._meta.app_label for m in admin.site._registry}
