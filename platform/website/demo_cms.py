"""Demo pages of the public site: about, how vetting works, news and policy documents.

Called once from ``website.demo.seed_demo``. Idempotent: a page already there (by its slug
under its parent) is left as it is, so an editor's changes survive a second seeding.
"""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile
from wagtail.models import Collection, Page

from cms.models import (
    GuidancePage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PolicyDocumentPage,
    PolicyIndexPage,
    PolicyStatus,
    StandardPage,
)
from website.demo_files import demo_pdf

VETTING_SLUG = "how-organisations-get-vetted"


def _p(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _text(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def _heading(text: str) -> dict:
    return {"type": "heading", "value": text}


def _callout(heading: str, body: str, tone: str = "info") -> dict:
    return {"type": "callout", "value": {"tone": tone, "heading": heading, "body": _p(body)}}


def _steps(intro: str, steps: list[tuple[str, str]]) -> dict:
    return {"type": "steps", "value": {"intro": intro, "steps": [{"heading": h, "body": _p(b)} for h, b in steps]}}


def _add(parent: Page, page: Page) -> tuple[Page, bool]:
    """The child of ``parent`` with the page's slug: the existing one, or ``page`` added
    and published (publishing indexes it for the site search)."""
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific, False
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def seed_site_pages() -> dict[str, int]:
    """The demo's pages under the home page. Returns how many pages were created."""
    home = HomePage.objects.first()
    if home is None:
        return {"pages": 0}
    created = 0
    about, new = _add(home, _about())
    created += new
    _guidance, new = _add(about, _vetting_guidance())
    created += new
    news, new = _add(home, _news_index())
    created += new
    for item in _news_items():
        _item, new = _add(news, item)
        created += new
    policies, new = _add(home, _policy_index())
    created += new
    current, new = _add(policies, _current_policy())
    created += new
    old, new = _add(policies, _old_policy())
    created += new
    if new:  # the old rules point to the new ones
        old.superseded_by = current
        old.save_revision().publish()
    return {"pages": created}


# --- About -------------------------------------------------------------------------------


def _about() -> StandardPage:
    return StandardPage(
        title="关于本平台",
        title_en="About Safetynet",
        slug="about",
        show_in_menus=True,
        summary="救助衔接平台由大邑县民政局运行，连接政府救助与慈善救助，让法定救助之外的困难得到回应。",
        summary_en=(
            "Safetynet is run by the Dayi County Civil Affairs Bureau. It links government and charity assistance "
            "so that hardship beyond statutory aid gets an answer."
        ),
        body=[
            _heading("我们做什么"),
            _text(
                _p(
                    "社会救助兜住基本生活，但仍有一些困难——照护、康复、心理支持、临时性的特殊开支——"
                    "不在法定救助范围之内。乡镇（街道）经办人记录这些需求，经审核的慈善组织和社会工作服务机构承接服务，"
                    "以政府购买服务的方式签订合同，服务验收后按时足额付款。",
                    "平台公开需求的汇总情况、合同公示和经审核的机构名录，接受社会监督。",
                )
            ),
            _callout(
                "保护受助者隐私",
                "公开页面只显示汇总数字和合同信息，从不显示受助者的姓名、身份证号、电话或住址。"
                "人数少于 5 的统计一律显示为“少于 5”。",
                "important",
            ),
            _heading("谁可以参与"),
            _text(
                "<ul><li>民政部门和乡镇（街道）的经办人、审核人</li>"
                "<li>经资质审核的慈善组织和社会工作服务机构</li>"
                "<li>纪检监察和审计部门的监督人员</li>"
                "<li>关心救助工作的公众：可以查看公开信息，也可以举报可疑情况</li></ul>"
            ),
        ],
        body_en=[
            _heading("What we do"),
            _text(
                _p(
                    "Social assistance secures a basic living, but some hardship — care, rehabilitation, psychological "
                    "support, one-off special costs — falls outside statutory aid. Township caseworkers record these "
                    "needs; vetted charities and social-work organisations take them on under purchase-of-service "
                    "contracts, and are paid on time and in full once the work is accepted.",
                    "The platform publishes aggregate figures, the contract register and the directory of vetted "
                    "organisations, open to public scrutiny.",
                )
            ),
            _callout(
                "Protecting the people helped",
                "Public pages show aggregate figures and contract details only, never a beneficiary's name, ID "
                "number, phone or address. Any count below 5 is shown as “fewer than 5”.",
                "important",
            ),
        ],
    )


# --- How an organisation gets vetted (the steps of vetting.workflow) ---------------------


def _vetting_guidance() -> GuidancePage:
    return GuidancePage(
        title="社会组织如何通过资质审核",
        title_en="How an organisation gets vetted",
        slug=VETTING_SLUG,
        audience="慈善组织、社会工作服务机构及其负责人",
        audience_en="Charities, social-work service organisations and the people responsible for them",
        summary="从注册账号到出现在公开名录：提交哪些材料、审核人员核查什么、审核通过后如何保持资质。",
        summary_en=(
            "From registering an account to appearing in the public directory: which documents to submit, what the "
            "vetting officer checks, and how to keep your approval."
        ),
        body=[
            _callout(
                "审核需要多长时间",
                "材料齐全的申请通常在 10 个工作日内完成审核。审核期间机构资料暂时锁定，不能修改。",
            ),
            _steps(
                "资质审核分为以下六步：",
                [
                    (
                        "注册账号并填写机构资料",
                        "机构负责人注册账号，填写法定名称、统一社会信用代码、机构类型、登记地、服务地区、服务类别和对公银行账户。",
                    ),
                    (
                        "上传证明材料",
                        "登记证书、最近一年的年度工作报告和银行开户证明；慈善组织另需慈善组织认定文件，"
                        "声明具有公开募捐资格的还需公开募捐资格证书。",
                    ),
                    (
                        "提交审核申请",
                        "由机构管理员提交。材料不全时系统会列出缺少的项目。提交后资料锁定，等待审核人员处理。",
                    ),
                    (
                        "审核人员逐项核查",
                        "审核人员对照核查清单逐项核实：登记证书与名称、代码、类型一致；统一社会信用代码与登记机关公示信息一致；"
                        "慈善组织认定和公开募捐资格；年度报告；银行账户为本机构名下；人员和服务能力；"
                        "未被列入经营异常名录或严重失信名单。",
                    ),
                    (
                        "作出决定",
                        "全部项目核查通过后予以批准，资质有效期一般为一年，机构随即出现在公开名录中，可以查看并承接需求。"
                        "未通过的申请会说明理由，机构修改后可以重新提交。",
                    ),
                    (
                        "保持资质",
                        "资质到期前 30 天和 7 天系统会发出提醒，请及时重新申请。"
                        "审核通过后修改名称、代码、银行账户等关键信息需提交变更申请。"
                        "发现违规情况的，审核人员可以暂停或撤销资质，并说明理由。",
                    ),
                ],
            ),
            _callout("需要帮助？", "请联系大邑县民政局社会救助股，工作日上午 9 点至下午 5 点。", "success"),
        ],
        body_en=[
            _callout(
                "How long vetting takes",
                "A complete application is usually decided within 10 working days. While it is being decided your "
                "organisation's profile is locked.",
            ),
            _steps(
                "Vetting has six steps:",
                [
                    (
                        "Register and complete your organisation's profile",
                        "The responsible person registers and enters the legal name, unified social credit code, "
                        "kind of organisation, where it is registered, the regions and categories it serves, and its "
                        "bank account.",
                    ),
                    (
                        "Upload your documents",
                        "The registration certificate, the latest annual report and proof of the bank account; "
                        "charities add their charity recognition, and those claiming public fundraising their "
                        "public-fundraising qualification.",
                    ),
                    (
                        "Submit the application",
                        "Your administrator submits it. If anything is missing the platform lists what. Once "
                        "submitted the profile is locked until a decision is made.",
                    ),
                    (
                        "The vetting officer checks each item",
                        "Registration certificate against name, code and kind; the code against the registration "
                        "authority's public record; charity recognition and fundraising qualification; the annual "
                        "report; the bank account in the organisation's own name; staff and capacity; and no serious "
                        "adverse record.",
                    ),
                    (
                        "The decision",
                        "When every item passes, the organisation is approved, normally for a year, appears in the "
                        "public directory and can see and take on needs. A rejection gives its reasons; fix them and "
                        "apply again.",
                    ),
                    (
                        "Keeping your approval",
                        "Reminders come 30 and 7 days before the approval ends. Changing key facts (name, code, bank "
                        "account) after approval needs a change request. An officer may suspend or revoke an approval, "
                        "always with a reason.",
                    ),
                ],
            ),
        ],
    )


# --- News ---------------------------------------------------------------------------------


def _news_index() -> NewsIndexPage:
    return NewsIndexPage(
        title="新闻动态",
        title_en="News",
        slug="news",
        show_in_menus=True,
        summary="平台的新功能、政策变化和救助衔接工作的进展。",
        summary_en="New features, policy changes and progress in linking assistance.",
    )


def _news_items() -> list[NewsPage]:
    return [
        NewsPage(
            title="救助衔接平台在大邑县上线试运行",
            title_en="Safetynet starts its pilot in Dayi County",
            slug="pilot-launch",
            date=date(2026, 9, 15),
            summary="大邑县民政局与首批 3 家社会组织共同启动平台试运行，首批需求覆盖晋原街道和安仁镇。",
            summary_en=(
                "The Dayi County Civil Affairs Bureau and the first three organisations start the pilot; the first "
                "needs come from Jinyuan Subdistrict and Anren Town."
            ),
            body=[
                _text(
                    _p(
                        "9 月 15 日，救助衔接平台在大邑县上线试运行。平台把乡镇（街道）发现的法定救助之外的困难需求，"
                        "与经审核的社会组织对接起来，服务过程和付款全程留痕、公开可查。",
                        "试运行期间，平台将重点关注需求响应时间和按时付款情况，并根据经办人和社会组织的反馈持续改进。",
                    )
                )
            ],
            body_en=[
                _text(
                    _p(
                        "On 15 September Safetynet began its pilot in Dayi County, connecting needs found by township "
                        "offices beyond statutory aid with vetted social organisations, every step and payment "
                        "recorded and open to scrutiny."
                    )
                )
            ],
        ),
        NewsPage(
            title="资质审核流程调整：材料齐全即可在线提交",
            title_en="Vetting made simpler: submit online once your documents are complete",
            slug="vetting-online",
            date=date(2026, 10, 20),
            summary="社会组织不再需要到窗口递交纸质材料，审核进度可在线查看。",
            summary_en="Organisations no longer bring paper documents to the counter, and can follow vetting online.",
            body=[
                _text(
                    _p(
                        "自 10 月 20 日起，社会组织资质审核全部在线办理。机构上传证明材料后即可提交申请，"
                        "审核人员核查完毕后，结果和理由会通过站内通知和电子邮件告知。",
                    )
                ),
            ],
            body_en=[],  # not translated yet: the English view shows the Chinese text
        ),
        NewsPage(
            title="首批服务合同完成验收并按时付款",
            title_en="First service contracts accepted and paid on time",
            slug="first-payments",
            date=date(2026, 11, 10),
            summary="首批服务合同的里程碑已完成验收，款项在验收后 5 个工作日内支付到位。",
            summary_en="The first contracts' milestones were accepted and paid within five working days.",
            body=[
                _text(
                    _p(
                        "首批服务合同涉及居家照护和儿童关爱服务。各里程碑经审核人验收后，财务在 5 个工作日内完成支付，"
                        "付款记录已在合同公示中公开。",
                    )
                ),
                {
                    "type": "figures",
                    "value": [
                        {"value": "5", "caption": "验收到付款的最长工作日"},
                        {"value": "100%", "caption": "按时付款的比例"},
                    ],
                },
            ],
            body_en=[
                _text(
                    _p(
                        "The first contracts cover home care and child protection. Each milestone was accepted by an "
                        "approver and paid by finance within five working days; the payments are in the contract "
                        "register."
                    )
                )
            ],
        ),
    ]


# --- Policy documents ----------------------------------------------------------------------


def _policy_index() -> PolicyIndexPage:
    return PolicyIndexPage(
        title="政策文件",
        title_en="Policy documents",
        slug="policies",
        summary="平台运行依据的政策文件，包括现行有效和已被替代的版本。",
        summary_en="The policies the platform works under, in force and superseded.",
    )


def _policy_document(title: str, filename: str):
    from wagtail.documents.models import Document

    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title, collection=Collection.get_first_root_node())
        document.file.save(filename, ContentFile(demo_pdf(filename.rsplit(".", 1)[0])), save=False)
        document.save()
    return document


def _current_policy() -> PolicyDocumentPage:
    return PolicyDocumentPage(
        title="大邑县政府购买社会救助服务实施办法",
        title_en="Dayi County measures for purchasing social-assistance services",
        slug="purchase-of-services-2026",
        document_number="大民发〔2026〕8号",
        issuing_body="大邑县民政局",
        issuing_body_en="Dayi County Civil Affairs Bureau",
        date_issued=date(2026, 8, 1),
        effective_date=date(2026, 9, 1),
        status=PolicyStatus.CURRENT,
        summary=(
            "规定政府向社会组织购买社会救助服务的范围、承接主体资质审核、合同签订、服务验收和资金支付要求。"
            "服务验收合格后，应在 15 个工作日内足额支付。"
        ),
        summary_en=(
            "Sets out which social-assistance services the government buys from social organisations, how "
            "providers are vetted, and the rules for contracts, acceptance and payment. Accepted work is paid in "
            "full within 15 working days."
        ),
        document=_policy_document("大民发〔2026〕8号", "purchase-of-services-2026.pdf"),
    )


def _old_policy() -> PolicyDocumentPage:
    return PolicyDocumentPage(
        title="大邑县政府购买社会救助服务暂行办法",
        title_en="Dayi County interim measures for purchasing social-assistance services",
        slug="purchase-of-services-2021",
        document_number="大民发〔2021〕15号",
        issuing_body="大邑县民政局",
        issuing_body_en="Dayi County Civil Affairs Bureau",
        date_issued=date(2021, 5, 10),
        effective_date=date(2021, 6, 1),
        status=PolicyStatus.SUPERSEDED,
        summary="2021 年的暂行办法，已被 2026 年实施办法替代。",
        summary_en="The interim measures of 2021, superseded by the measures of 2026.",
        document=_policy_document("大民发〔2021〕15号", "purchase-of-services-2021.pdf"),
    )
