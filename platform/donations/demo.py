"""The demo's co-funded need: recorded, published and taken on by 大邑县仁爱慈善会
(which holds the public-fundraising qualification) through the services, then opened
for co-funding by the approver. Idempotent; called at the end of ``core.demo.seed_demo``."""

from __future__ import annotations

TITLE = "独居老人冬季助餐与取暖"
PURPOSE = "为一位高龄独居老人购买冬季助餐服务和取暖用品"
TARGET_MINOR = 300_000  # 3,000 yuan


def seed_cofunding() -> None:
    from accounts.models import User
    from agencies.models import Agency
    from core.demo import record_demo_need
    from donations.models import Campaign
    from donations.services import campaign_open
    from needs import services
    from needs.models import Need, NeedState
    from organisations.models import Organisation

    agency = Agency.objects.filter(name="大邑县民政局").first()
    charity = Organisation.objects.filter(legal_name="大邑县仁爱慈善会", public_fundraising=True).first()
    if agency is None or charity is None or Campaign.objects.filter(need__agency=agency, need__title=TITLE).exists():
        return
    caseworker = User.objects.get(email="caseworker@safetynet.test")
    approver = User.objects.get(email="approver@safetynet.test")
    worker = User.objects.get(email="social.worker@safetynet.test")
    need = Need.objects.filter(agency=agency, title=TITLE).first()
    if need is None:
        need = record_demo_need(
            agency,
            caseworker,
            card={
                "title": TITLE,
                "summary": "高龄独居老人，冬季需要每日助餐和取暖用品，为期两个月。",
                "category": "elderly_care",
                "kind": "both",
                "urgency": "routine",
                "region": "510129001",
                "budget": "3000.00",
                "duration_days": 60,
            },
            person=("示例己", "51012919420202008"),
            flags={"elderly_alone": True},
        )
        services.need_transition(need=need, action="approve", by=approver)
        need = services.need_transition(need=need, action="publish", by=approver)
    if need.state == NeedState.PUBLISHED:
        need = services.need_transition(need=need, action="claim", by=worker, organisation=charity)
    campaign_open(need=need, by=approver, target_minor=TARGET_MINOR, purpose=PURPOSE)
