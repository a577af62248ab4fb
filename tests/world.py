"""The ``world`` fixture's object: every persona of conftest.py, their agency or
organisation, and the steps most tests begin with."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from accounts.models import User
from agencies.models import Agency
from categories.models import Category
from needs import services as need_services
from needs.models import Need
from organisations.models import Organisation
from tests.factories import region
from tests.needs.helpers import publish


def serve(
    organisation: Organisation, *, capacity: int = 5, categories: Iterable[str] = ("elderly_care",)
) -> Organisation:
    """The organisation takes on needs of these categories in 大邑县, up to ``capacity`` at a time."""
    organisation.capacity = capacity
    organisation.save()
    organisation.service_regions.set([region("510129")])
    organisation.service_categories.set(Category.objects.filter(code__in=categories))
    return organisation


class World:
    """The personas of conftest.py in one object (the ``world`` fixture): the county
    bureau with its township office, an agency elsewhere, a vetted and an unvetted
    charity, and one person per role.

    Each is its own fixture's row, made when the test first reads it: a test that never
    reads ``world.township_agency`` has no township office (its name would appear in an
    agency filter, or clash with an agency the test makes), as with the fixtures alone.
    """

    county_agency: Agency
    township_agency: Agency
    other_agency: Agency
    vetted_org: Organisation
    unvetted_org: Organisation
    caseworker: User
    approver: User
    agency_admin: User
    other_caseworker: User
    charity_admin: User
    charity_member: User
    unvetted_member: User
    vetting_officer: User
    auditor: User
    outsider: User
    superuser: User

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    def __getattr__(self, name: str):
        if name in self.__annotations__:
            return self._request.getfixturevalue(name)
        raise AttributeError(name)

    def persona(self, name: str) -> User | None:
        """The persona of that name (tests.factories.PERSONAS); None for "anonymous"."""
        return None if name == "anonymous" else getattr(self, name)

    def serving(
        self,
        organisation: Organisation | None = None,
        *,
        capacity: int = 5,
        categories: Iterable[str] = ("elderly_care",),
    ) -> Organisation:
        """The organisation (the vetted charity by default) serves the county: see ``serve``."""
        return serve(organisation or self.vetted_org, capacity=capacity, categories=categories)

    def published_need(self, **card) -> Need:
        """A need of the county bureau for the canary person (tests/needs/helpers.py),
        recorded by the caseworker, approved and published by the approver."""
        return publish(self.county_agency, self.caseworker, self.approver, **card)

    def claimed_need(self, **card) -> Need:
        """A published need the vetted charity, serving the county, has taken on: its
        member accepted it."""
        self.serving()
        return need_services.need_transition(
            need=self.published_need(**card), action="claim", by=self.charity_member, organisation=self.vetted_org
        )
