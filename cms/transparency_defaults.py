"""The transparency and commendations pages as a fresh site has them: made by migration
cms/0004 (with the historical models) and, for a database flushed since, by
``ensure_transparency_pages`` (with the real ones). Both read the texts and the default
arrangement of blocks from here."""

from __future__ import annotations

import uuid

TRANSPARENCY = {
    "slug": "transparency",
    "show_in_menus": True,
    "title": "公开透明",
    "title_en": "Transparency",
    "intro": (
        "需求发布了多少、有多少得到满足、花了多少钱、款项付得有多快："
        "数字每天由平台记录自动计算，不显示任何受助者的身份。"
    ),
    "intro_en": (
        "What was needed, how much of it was met, what it cost and how quickly the money moved: computed every day "
        "from the platform's records, never showing who was helped."
    ),
}
COMMENDATIONS = {
    "slug": "commendations",
    "title": "表彰",
    "title_en": "Commendations",
    "intro": "编辑部表彰的社会组织和政府部门，以及根据绩效评价和按时付款计算出的最佳记录。",
    "intro_en": (
        "Organisations and agencies commended by the editors, beside the best track records computed from "
        "performance evaluations and on-time payment."
    ),
}

ABOUT_ZH = (
    "<h2>这些数字怎么来</h2>"
    "<p>需求发布数按发布日期统计；满足数为合同履约完毕、经验收、评价并付清款项的需求；"
    "平均匹配天数为从发布到社会组织认领或中标的天数；合同金额为已签订合同的价款（终止的合同只计已验收部分）；"
    "付款金额为财务授权的国库支付，按支付日期统计；捐赠金额为公众捐款减去退款。</p>"
    "<p>为保护受助者，少于 5 个需求或人的数字一律显示为“少于5”，图表和下载文件也一样。</p>"
)
ABOUT_EN = (
    "<h2>How these figures are made</h2>"
    "<p>Needs published are counted by the day they were published; needs met are those whose contract was delivered, "
    "accepted, evaluated and paid; days to match run from publication to an organisation's claim or award; money "
    "contracted is the price of signed contracts (a terminated one only for what was accepted); money paid is the "
    "treasury payments finance authorised, by payment date; money donated is the public's donations less refunds.</p>"
    "<p>To protect the people helped, any count of fewer than 5 needs or people shows as “fewer than 5”, in the charts "
    "and the downloads too.</p>"
)


def _chart(metric: str, dimension: str, kind: str = "bar", *, level: str = "county", months: int = 12) -> dict:
    return {
        "heading": "",
        "metric": metric,
        "dimension": dimension,
        "kind": kind,
        "region_level": level,
        "months": months,
        "limit": 12,
        "note": "",
    }


def default_blocks(*, english: bool = False) -> list[dict]:
    """The arrangement a fresh site starts with (raw StreamField data, new block ids)."""
    blocks = [
        (
            "headline_figures",
            {
                "heading": "",
                "figures": [
                    "needs_published",
                    "needs_met",
                    "days_to_match",
                    "money_contracted",
                    "money_paid",
                    "money_donated",
                ],
            },
        ),
        ("chart", _chart("needs_published", "month")),
        ("chart", _chart("money_paid", "month", "line")),
        ("chart", _chart("money_contracted", "category")),
        ("chart", _chart("needs_published", "region")),
        ("agency_timeliness", {"heading": "", "limit": 20}),
        ("text", ABOUT_EN if english else ABOUT_ZH),
    ]
    return [{"type": kind, "value": value, "id": str(uuid.uuid4())} for kind, value in blocks]


def ensure_transparency_pages() -> None:
    """Both pages as live children of the home page, if they are missing (idempotent)."""
    from cms.models import CommendationsPage, HomePage, TransparencyPage

    home = HomePage.objects.first()
    if home is None:
        return
    if not TransparencyPage.objects.exists():
        page = home.add_child(
            instance=TransparencyPage(
                **TRANSPARENCY, body=default_blocks(), body_en=default_blocks(english=True), locale=home.locale
            )
        )
        page.save_revision().publish()
        home.refresh_from_db()
    if not CommendationsPage.objects.exists():
        page = home.add_child(instance=CommendationsPage(**COMMENDATIONS, locale=home.locale))
        page.save_revision().publish()
