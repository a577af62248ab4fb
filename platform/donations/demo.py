"""The demo's co-funded need: recorded, published and taken on by 大邑县仁爱慈善会
(which holds the public-fundraising qualification) through the services, then opened
for co-funding by the approver. Idempotent; called at the end of ``core.demo.seed_demo``."""

from __future__ import annotations

from decimal import Decimal

TITLE = "独居老人冬季助餐与取暖"
PURPOSE = "为一位高龄独居老人购买冬季助餐服务和取暖用品"
TARGET_MINOR = 300_000  # 3,000 yuan


def seed_cofunding() -> None:
    from accounts.models import User
    from agencies.models import Agency
    from categories.models import Category
    from donations.models import Campaign
    from donations.services import campaign_open
    from needs import services
    from needs.forms import resident_id_check_digit
    from needs.models import Need, NeedState, Scheme, SchemeAnswer, Scope
    from organisations.models import Organisation
    from regions.models import Region

    agency = Agency.objects.filter(name="大邑县民政局").first()
    charity = Organisation.objects.filter(legal_name="大邑县仁爱慈善会", public_fundraising=True).first()
    if agency is None or charity is None or Campaign.objects.filter(need__agency=agency, need__title=TITLE).exists():
        return
    caseworker = User.objects.get(email="caseworker@safetynet.test")
    approver = User.objects.get(email="approver@safetynet.test")
    worker = User.objects.get(email="social.worker@safetynet.test")
    need = Need.objects.filter(agency=agency, title=TITLE).first()
    if need is None:
        body = "51012919420202008"
        need = services.need_create(
            agency=agency,
            by=caseworker,
            data={
                "title": TITLE,
                "summary": "高龄独居老人，冬季需要每日助餐和取暖用品，为期两个月。",
                "category": Category.objects.get(code="elderly_care"),
                "kind": "both",
                "urgency": "routine",
                "region": Region.objects.get(code="510129001"),
                "budget": Decimal("3000.00"),
                "duration_days": 60,
                "qualifications": "",
                "people_count": 1,
                "scope": Scope.REGION,
            },
            beneficiary={
                "name": "示例己",
                "id_number": body + resident_id_check_digit(body),
                "phone": "",
                "address": "",
                "is_minor": False,
                "has_disability": False,
                "elderly_alone": True,
                "severe_illness": False,
            },
            household=[],
        )
        answers = {s.value: (SchemeAnswer.NOT_ELIGIBLE, "") for s in Scheme}
        answers[Scheme.DIBAO] = (SchemeAnswer.INSUFFICIENT, "")
        services.scheme_checks_record(
            need=need, by=caseworker, answers=answers, gap_reason="service_not_cash", gap_note=""
        )
        services.need_transition(need=need, action="submit", by=caseworker)
        services.need_transition(need=need, action="approve", by=approver)
        need = services.need_transition(need=need, action="publish", by=approver)
    if need.state == NeedState.PUBLISHED:
        need = services.need_transition(need=need, action="claim", by=worker, organisation=charity)
    campaign_open(need=need, by=approver, target_minor=TARGET_MINOR, purpose=PURPOSE)
