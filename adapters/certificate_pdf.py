"""The e-certificate's page (碳排放管理员职业能力水平评价证书) and the participation certificate's page (公益活动参与证明).

Both are drawn from plain facts the services hand over; what a viewer may not see is left out before it gets
here (a visitor's copy has no `id_card` at all).
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.pdf import ACCENT, MUTED, Page, Row, generated_at

REGISTRY_NAME = "碳排放管理员人才库 · 专家库"
CERTIFICATE_KIND = "certificate"
PARTICIPATION_KIND = "activity-certificate"


@dataclass(frozen=True)
class CertificateFacts:
    """What the e-certificate shows; `id_card` is the masked number, None in a visitor's copy."""

    number: str
    holder: str
    id_card: str | None
    occupation: str  # 碳排放管理员（4-09-07-04）
    work_type: str
    level: str
    issued_on: str
    expires_on: str
    issuer: str
    status: str  # the status in the register when the document was made, in Chinese
    verify_url: str


@dataclass(frozen=True)
class ParticipationFacts:
    """What the participation certificate shows: whose, which activity, when, the hours."""

    code: str
    holder: str
    activity: str
    organizer: str
    dates: str
    hours: str
    verify_url: str


def certificate(facts: CertificateFacts) -> bytes:
    """The one-page e-certificate, unsigned."""
    heading = "碳排放管理员职业能力水平评价证书"
    page = _headed(
        heading, "电子证书 · Electronic certificate", f"{heading}（电子证书）", CERTIFICATE_KIND, facts.number
    )
    rows = [Row("持证人", facts.holder)]
    if facts.id_card is not None:
        rows.append(Row("身份证号", facts.id_card))
    rows += [
        Row("职业", facts.occupation),
        Row("工种", facts.work_type),
        Row("等级", facts.level),
        Row("证书编号", facts.number),
        Row("发证日期", facts.issued_on),
        Row("有效期至", facts.expires_on),
        Row("发证机构", facts.issuer),
        Row("登记状态", facts.status),
    ]
    page.rows(rows, 90, page.height - 172)
    _footer(page, facts.verify_url, "扫码查验证书（需输入持证人姓名）")
    return page.finish()


def participation(facts: ParticipationFacts) -> bytes:
    """The one-page participation certificate of a public-welfare activity, unsigned."""
    page = _headed(
        "公益活动参与证明", "Certificate of participation", "公益活动参与证明", PARTICIPATION_KIND, facts.code
    )
    page.text(90, page.height - 165, f"兹证明 {facts.holder} 参加了以下公益活动：", 15)
    rows = [
        Row("活动名称", facts.activity),
        Row("主办单位", facts.organizer),
        Row("活动日期", facts.dates),
        Row("服务时长", facts.hours),
        Row("证明编号", facts.code),
    ]
    page.rows(rows, 90, page.height - 205)
    _footer(page, facts.verify_url, "扫码查验本证明")
    return page.finish()


def _headed(heading: str, subheading: str, subject: str, kind: str, number: str) -> Page:
    """A framed page with its heading, its metadata naming the document's kind and number (which the signature
    covers and /verify/document reads)."""
    page = Page(title=f"{heading} {number}", subject=subject, kind=kind, number=number, author=REGISTRY_NAME)
    page.frame()
    middle = page.width / 2
    page.text(middle, page.height - 92, heading, 28, ACCENT, centred=True)
    page.text(middle, page.height - 118, subheading, 12, MUTED, centred=True)
    return page


def _footer(page: Page, verify_url: str, caption: str) -> None:
    size = 120
    page.qr(verify_url, page.width - 90 - size, 78, size, caption)
    page.text(90, 92, f"查验地址：{verify_url}", 10, MUTED)
    signed_by = f"本文件由{REGISTRY_NAME}以电子签名签发，修改任何内容将使签名失效。"
    page.text(90, 74, f"{signed_by}生成时间 {generated_at()}", 9, MUTED)
