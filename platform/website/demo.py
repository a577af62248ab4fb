"""The demo data set: deterministic and idempotent (running it twice changes nothing).

Real divisions (四川省 成都市 大邑县 and its townships), agencies along them,
organisations in several vetting states, and one account per role. Every demo
account has the password DEMO_PASSWORD and TOTP with the public secret
DEMO_TOTP_SECRET, so a person or a browser test can sign in. Never in production.

The seeding is split by what it creates: ``demo_reference`` (what migrations create),
``demo_people`` (agencies, organisations, accounts), ``demo_needs``, ``demo_contracts``
and the other ``demo_*`` modules; ``demo_files`` makes the documents. ``seed_demo``
runs them in order; the names callers use are re-exported here.
"""

from __future__ import annotations

from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Membership, User
from agencies.models import Agency
from audit.services import record
from categories.models import Category
from organisations.models import Organisation, OrganisationKind, VettingState
from regions.models import Region
from website.demo_cms import seed_site_pages
from website.demo_contracts import CONTRACTS, DemoContract, seed_contracts
from website.demo_donations import seed_cofunding
from website.demo_files import demo_pdf, demo_png
from website.demo_needs import NEEDS, DemoNeed, record_demo_need, seed_needs
from website.demo_opendata import seed_open_data
from website.demo_people import (
    AGENCIES,
    CITY,
    COUNTY,
    DEMO_APPROVED_UNTIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_VETTED_SINCE,
    ORGANISATIONS,
    PROVINCE,
    TOWNSHIP_ANREN,
    TOWNSHIP_JINYUAN,
    USERS,
    DemoAgency,
    DemoOrganisation,
    DemoUser,
    demo_uscc,
    seed_documents,
    seed_history,
)
from website.demo_reference import ensure_reference_data, seed_home_page
from website.demo_reports import seed_report
from website.demo_transparency import seed_transparency

__all__ = [
    "AGENCIES",
    "CONTRACTS",
    "DEMO_APPROVED_UNTIL",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "DEMO_VETTED_SINCE",
    "NEEDS",
    "ORGANISATIONS",
    "USERS",
    "DemoAgency",
    "DemoContract",
    "DemoNeed",
    "DemoOrganisation",
    "DemoUser",
    "demo_pdf",
    "demo_png",
    "demo_uscc",
    "ensure_reference_data",
    "record_demo_need",
    "seed_demo",
]


@transaction.atomic
def seed_demo() -> dict[str, int]:
    """Create or correct the demo data. Returns how many rows were created, by kind."""
    ensure_reference_data()
    created = {"agencies": 0, "organisations": 0, "users": 0, "memberships": 0}
    regions = {
        r.code: r for r in Region.objects.filter(code__in=[PROVINCE, CITY, COUNTY, TOWNSHIP_JINYUAN, TOWNSHIP_ANREN])
    }
    agencies: dict[str, Agency] = {}
    for spec in AGENCIES:
        agency, was_created = Agency.objects.get_or_create(
            name=spec.name,
            region=regions[spec.region],
            defaults={"parent": agencies.get(spec.parent) if spec.parent else None},
        )
        agencies[spec.key] = agency
        created["agencies"] += was_created

    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        org, was_created = Organisation.objects.get_or_create(
            uscc=demo_uscc(spec.code_body),
            defaults={
                "legal_name": spec.legal_name,
                "kind": spec.kind,
                "region": regions[COUNTY],
                "vetting_state": spec.state,
                "approved_until": DEMO_APPROVED_UNTIL if spec.state == VettingState.APPROVED else None,
                "vetted_since": DEMO_VETTED_SINCE if spec.state == VettingState.APPROVED else None,
                "submitted_at": DEMO_VETTED_SINCE if spec.state == VettingState.SUBMITTED else None,
                "public_fundraising": spec.public_fundraising,
                "charity_recognised": spec.kind == OrganisationKind.CHARITY,
                "charity_recognised_on": date(2019, 6, 1) if spec.kind == OrganisationKind.CHARITY else None,
                "rating": spec.rating,
                "description": spec.description,
                "email": f"contact+{spec.key}@safetynet.test",
                "registration_authority": "大邑县民政局" if spec.code_body[2:8] == COUNTY else "成都市民政局",
                "registration_date": date(2018, 3, 15),
                "contact_name": "办公室",
                "phone": "028-8888" + spec.code_body[-4:],
                "capacity": 20,
                "staff_count": 12,
                "social_workers": 4,
                "bank_name": "中国农业银行大邑县支行",
                "bank_account_name": spec.legal_name,
                "bank_account": "2281" + spec.code_body[-12:].replace("M", "0").replace("J", "1"),
            },
        )
        if was_created:
            org.service_regions.set([regions[c] for c in spec.serves])
            org.service_categories.set(Category.objects.filter(code__in=spec.categories))
        organisations[spec.key] = org
        created["organisations"] += was_created

    editors = Group.objects.filter(name="Editors").first()
    for spec in USERS:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User.objects.create_user(
                spec.email,
                DEMO_PASSWORD,
                display_name=spec.display_name,
                is_superuser=spec.superuser,
                is_staff=spec.superuser,
            )
            created["users"] += 1
        EmailAddress.objects.get_or_create(user=user, email=spec.email, defaults={"verified": True, "primary": True})
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            Authenticator.objects.create(
                user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)}
            )
        if spec.editor and editors is not None:
            user.groups.add(editors)
        for role, key in spec.roles:
            scope = {}
            if key in agencies:
                scope = {"agency": agencies[key]}
            elif key in organisations:
                scope = {"organisation": organisations[key]}
            _membership, was_created = Membership.objects.get_or_create(user=user, role=role, **scope)
            created["memberships"] += was_created

    pending_admin = User.objects.get(email="pending.admin@safetynet.test")
    seed_documents(organisations["pending"], pending_admin)
    seed_history(organisations, officer=User.objects.get(email="vetting@safetynet.test"), applicant=pending_admin)
    seed_needs(
        agency=agencies["county"],
        caseworker=User.objects.get(email="caseworker@safetynet.test"),
        approver=User.objects.get(email="approver@safetynet.test"),
    )
    seed_contracts(
        agency=agencies["county"],
        organisation=organisations["charity"],
        people=lambda email: User.objects.get(email=email),
    )
    seed_home_page()

    seed_site_pages()  # about, how vetting works, news and policy documents

    seed_cofunding()  # a need co-funded by the public (donations)
    seed_report()  # a report from the public, so the auditors' queue is not empty

    seed_transparency()  # a year of finished work, the public figures' pages and their snapshot

    seed_open_data()  # the register and the directory as downloadable files (open data)
    if any(created.values()):
        record(action="demo.seed", actor_label="seed_demo", summary={"created": created})
    return created
