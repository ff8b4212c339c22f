"""证书查询 with an uploaded e-certificate PDF, in Debian's chromium (issue 26)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot


def _certificate_pdf(client, admin, new_practitioner, issue) -> tuple[str, bytes]:
    person = new_practitioner(name="周文件", public_profile=True)
    certificate = issue(person["id"], "accounting", 3, expires_on="2031-06-30")
    response = client.get(f"/api/v1/certificates/{certificate['number']}.pdf", headers=admin)
    assert response.status_code == 200
    return certificate["number"], response.data


def test_anyone_uploads_an_e_certificate_on_the_verify_page_and_sees_it_is_intact_and_valid(
    page: Page, client, admin, new_practitioner, issue, tmp_path: Path
):
    number, pdf = _certificate_pdf(client, admin, new_practitioner, issue)
    file = tmp_path / "certificate.pdf"
    file.write_bytes(pdf)
    page.goto("/verify")
    page.get_by_label("或上传电子证书（PDF）").set_input_files(str(file))
    page.get_by_role("button", name="查验文件").click()
    result = page.get_by_test_id("verify-document-result")
    expect(result).to_contain_text("有效")
    expect(result).to_contain_text(f"证书 {number}")
    expect(result).to_contain_text("完好")
    expect(result).to_contain_text("本平台")
    screenshot(page, "verify-document")


def test_an_edited_pdf_shows_the_broken_signature_and_a_non_pdf_an_error(
    page: Page, client, admin, new_practitioner, issue, tmp_path: Path
):
    _number, pdf = _certificate_pdf(client, admin, new_practitioner, issue)
    edited = bytearray(pdf)
    edited[edited.index(b"/Keywords") + 12] ^= 0x01
    (tmp_path / "edited.pdf").write_bytes(bytes(edited))
    (tmp_path / "notes.pdf").write_bytes(b"not a pdf at all")
    page.goto("/verify")
    page.get_by_label("或上传电子证书（PDF）").set_input_files(str(tmp_path / "edited.pdf"))
    page.get_by_role("button", name="查验文件").click()
    result = page.get_by_test_id("verify-document-result")
    expect(result).to_contain_text("无效")
    expect(result).to_contain_text("文件在签名后被修改，签名已失效")
    page.get_by_label("或上传电子证书（PDF）").set_input_files(str(tmp_path / "notes.pdf"))
    page.get_by_role("button", name="查验文件").click()
    expect(page.locator("#file-error")).to_contain_text("无法读取该文件")
