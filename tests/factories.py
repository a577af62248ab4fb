"""factory_boy factories for the core models."""

from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.utils import timezone

from accounts.models import Membership, Role, User
from agencies.models import Agency
from organisations.models import Organisation, OrganisationKind, VettingState
from regions.models import Region

PASSWORD = "Correct-horse-battery-9"

# Every persona of the root conftest, and the anonymous visitor: the roles each view is
# checked for.
PERSONAS = [
    "anonymous",
    "caseworker",
    "approver",
    "agency_admin",
    "other_caseworker",
    "charity_admin",
    "charity_member",
    "unvetted_member",
    "vetting_officer",
    "auditor",
    "outsider",
    "superuser",
]

TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        # mfa=True gives the account a TOTP authenticator with TOTP_SECRET.
        if create and extracted:
            Authenticator.objects.create(user=obj, type=Authenticator.Type.TOTP, data={"secret": encrypt(TOTP_SECRET)})


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"测试民政局{n}")
    region = factory.LazyFunction(lambda: region("510129"))


def valid_uscc(n: int) -> str:
    """A unified social credit code with a correct check character, unique per n."""
    from stdnum.cn import uscc

    body = f"52510129MJ{n:07d}"
    return body + uscc.calc_check_digit(body)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_name = factory.Sequence(lambda n: f"测试社会工作服务中心{n}")
    uscc = factory.Sequence(lambda n: valid_uscc(9000000 + n))
    kind = OrganisationKind.SOCIAL_WORK
    region = factory.LazyFunction(lambda: region("510129"))
    vetting_state = VettingState.APPROVED
    approved_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=365))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.ORG_MEMBER
