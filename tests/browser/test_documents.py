"""证书查询 with an uploaded e-certificate PDF, in Debian's chromium (issue 26)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, screenshot


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


def test_a_holder_opens_their_e_certificate_from_me(page: Page, client, admin, new_practitioner, issue):
    person = new_practitioner(name="吴持证", public_profile=False)
    certificate = issue(person["id"], "monitoring", 4)
    key = client.post(f"/api/v1/practitioners/{person['id']}/keys", json={}, headers=admin).get_json()["key"]
    log_in(page, key)
    page.goto("/me")
    link = page.get_by_test_id("me-certificates").get_by_role("link", name="电子证书（PDF）")
    href = link.get_attribute("href")
    assert href == f"/certificates/{certificate['number']}.pdf"
    answer = page.request.get(href)  # the page's cookies: the holder's session
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")
    browser = page.context.browser
    assert browser is not None
    anonymous = browser.new_context(base_url=page.url.split("/me")[0])
    try:
        assert anonymous.request.get(href).status == 404  # the holder does not consent: nobody else gets it
    finally:
        anonymous.close()
