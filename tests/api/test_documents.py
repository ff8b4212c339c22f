"""Signed e-certificates: GET /certificates/{number}.pdf per role and POST /verify/document (issue 26)."""

from __future__ import annotations

import io
import re

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from adapters import pdf_signing
from interface.limits import MAX_DOCUMENT_BYTES
from tests.support import assert_problem, graph_size, unique_id_card

VERIFY = "/api/v1/verify/document"


def pdf_url(number: str) -> str:
    return f"/api/v1/certificates/{number}.pdf"


def text_of(pdf: bytes) -> str:
    """The page's text as a reader extracts it (the embedded font's ToUnicode map)."""
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def upload(client, data: bytes, name: str = "certificate.pdf"):
    return client.post(VERIFY, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.fixture()
def holder(client, admin, new_practitioner, issue):
    """A consenting holder with a valid certificate and their own key: (person, certificate, headers)."""

    def make(public_profile: bool = True) -> tuple[dict, dict, dict[str, str]]:
        id_card = unique_id_card()
        person = new_practitioner(name="张三明", id_card=id_card, public_profile=public_profile)
        person["masked_id_card"] = "*" * 14 + id_card[-4:]
        certificate = issue(person["id"], "verification", 2, expires_on="2030-12-31")
        key = client.post(f"/api/v1/practitioners/{person['id']}/keys", json={"label": "本人"}, headers=admin)
        assert key.status_code == 201, key.get_json()
        return person, certificate, {"X-API-Key": key.get_json()["key"]}

    return make


def test_the_holders_pdf_is_signed_and_pyhankos_own_validator_finds_the_signature_intact(client, holder):
    _person, certificate, own = holder()
    response = client.get(pdf_url(certificate["number"]), headers=own)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    reader = PdfFileReader(io.BytesIO(response.data))
    [signature] = reader.embedded_signatures
    ours = pdf_signing.signer_from_env().certificate
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[ours], allow_fetching=False))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_the_page_states_the_certificate_in_chinese_with_the_masked_id_for_the_holder(client, holder):
    person, certificate, own = holder()
    text = text_of(client.get(pdf_url(certificate["number"]), headers=own).data)
    for expected in (
        "碳排放管理员职业能力水平评价证书", "张三明", "4-09-07-04", "碳排放核查员", "二级",
        certificate["number"], "2024-03-01", "2030-12-31", "中国石油和化学工业联合会",
        person["masked_id_card"], f"/verify?number={certificate['number']}",
    ):  # fmt: skip
        assert expected in text, expected
    assert "420106" not in text  # the ID card's region digits: only the last four characters are ever stored


def test_an_administrators_copy_shows_the_masked_id_too(client, admin, holder):
    person, certificate, _own = holder(public_profile=False)
    assert person["masked_id_card"] in text_of(client.get(pdf_url(certificate["number"]), headers=admin).data)


@pytest.mark.parametrize("role", ["public", "client", "government"])
def test_a_visitors_copy_of_a_consenting_holders_certificate_has_no_id_digits(client, as_role, holder, role):
    person, certificate, _own = holder(public_profile=True)
    response = client.get(pdf_url(certificate["number"]), headers=as_role(role))
    assert response.status_code == 200
    text = text_of(response.data)
    assert "张三明" in text and certificate["number"] in text
    assert "身份证" not in text and "*" not in text
    # No ID digits: the last four characters appear nowhere but, by chance, inside a date or the number.
    rest = re.sub(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", "", text.replace(certificate["number"], ""))
    assert person["masked_id_card"][-4:] not in rest


@pytest.mark.parametrize("role", ["public", "client", "government"])
def test_nobody_else_gets_a_non_consenting_holders_certificate_nor_learns_that_it_exists(
    client, as_role, holder, role
):
    _person, certificate, _own = holder(public_profile=False)
    hidden = assert_problem(client.get(pdf_url(certificate["number"]), headers=as_role(role)), 404)
    unknown = assert_problem(client.get(pdf_url("NO-SUCH-CERT-1"), headers=as_role(role)), 404)
    assert hidden["detail"].replace(certificate["number"], "N") == unknown["detail"].replace(
        "NO-SUCH-CERT-1", "N"
    )


def test_another_practitioners_key_is_a_visitor(client, admin, holder, new_practitioner):
    _person, certificate, _own = holder(public_profile=False)
    other = new_practitioner(name="李四")
    key = client.post(f"/api/v1/practitioners/{other['id']}/keys", json={}, headers=admin).get_json()["key"]
    assert_problem(client.get(pdf_url(certificate["number"]), headers={"X-API-Key": key}), 404)


def test_an_uploaded_pdf_of_ours_is_intact_issued_by_the_registry_and_valid(client, holder):
    _person, certificate, own = holder()
    pdf = client.get(pdf_url(certificate["number"]), headers=own).data
    response = upload(client, pdf)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "signature_intact": True,
        "issued_by_registry": True,
        "number": certificate["number"],
        "kind": "certificate",
        "valid": True,
        "reason": None,
    }


def test_an_edited_byte_breaks_the_signature(client, holder):
    _person, certificate, own = holder()
    pdf = bytearray(client.get(pdf_url(certificate["number"]), headers=own).data)
    position = pdf.index(b"/Keywords")  # inside the signed bytes, outside the signature's own value
    pdf[position + 12] ^= 0x01
    body = upload(client, bytes(pdf)).get_json()
    assert body["signature_intact"] is False
    assert body["issued_by_registry"] is False
    assert (body["valid"], body["reason"]) == (False, "signature_broken")


def test_a_revoked_certificate_says_not_valid_though_its_signature_is_intact(client, admin, holder):
    _person, certificate, own = holder()
    pdf = client.get(pdf_url(certificate["number"]), headers=own).data
    revoked = client.post(
        f"/api/v1/certificates/{certificate['number']}/revoke", json={"reason": "弄虚作假"}, headers=admin
    )
    assert revoked.status_code == 200, revoked.get_json()
    body = upload(client, pdf).get_json()
    assert (body["signature_intact"], body["issued_by_registry"]) == (True, True)
    assert (body["number"], body["valid"], body["reason"]) == (
        certificate["number"],
        False,
        "certificate_revoked",
    )


def test_an_unsigned_pdf_is_not_valid(client):
    from adapters import certificate_pdf

    facts = certificate_pdf.CertificateFacts(
        number="FAKE-0001", holder="王五", id_card=None, occupation="碳排放管理员", work_type="碳排放核查员",
        level="一级", issued_on="2024-01-01", expires_on="2030-01-01", issuer="某机构", status="有效",
        verify_url="http://example.invalid/verify",
    )  # fmt: skip
    body = upload(client, certificate_pdf.certificate(facts)).get_json()
    assert body == {
        "signature_intact": False, "issued_by_registry": False, "number": "FAKE-0001", "kind": "certificate",
        "valid": False, "reason": "unsigned",
    }  # fmt: skip


def test_a_malformed_pdf_is_a_400_and_writes_nothing(client, graph):
    before = graph_size(graph)
    body = assert_problem(upload(client, b"%PDF-1.7\n this is not really a PDF \n%%EOF"), 400)
    assert "file" in body["errors"]
    assert_problem(upload(client, b"\x00\x01 plain garbage"), 400)
    assert graph_size(graph) == before


def test_a_request_without_a_file_is_a_400(client):
    assert (
        "file"
        in assert_problem(client.post(VERIFY, data={}, content_type="multipart/form-data"), 400)["errors"]
    )


def test_a_file_above_the_limit_is_a_413(client):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (MAX_DOCUMENT_BYTES + 1))
    assert_problem(response, 413)


def test_a_client_that_asks_for_octets_gets_the_same_pdf_under_that_name(client, holder):
    _person, certificate, own = holder()
    response = client.get(
        pdf_url(certificate["number"]), headers=own | {"Accept": "application/octet-stream"}
    )
    assert response.mimetype == "application/octet-stream"
    assert response.data.startswith(b"%PDF-")
