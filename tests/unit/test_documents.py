"""Signed documents without a server: the verdict rules, participation codes, the ID mask, the PDF and its
signature made and checked in process (a signer of its own under a temporary folder)."""

from __future__ import annotations

import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from adapters import certificate_pdf, pdf_signing
from adapters.pdf import keywords, read_keywords
from registry.documents import (
    DOCUMENT_REASONS,
    document_verdict,
    is_participation_code,
    new_participation_code,
)
from registry.masking import mask_id_card

FACTS = certificate_pdf.CertificateFacts(
    number="CPCIF-2025-000123", holder="张三明", id_card=None, occupation="碳排放管理员（4-09-07-04）",
    work_type="碳排放核查员", level="二级", issued_on="2025-03-01", expires_on="2029-02-28",
    issuer="中国石油和化学工业联合会", status="有效", verify_url="http://127.0.0.1:8000/verify?number=CPCIF-2025-000123",
)  # fmt: skip


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> pdf_signing.DocumentSigner:
    folder = tmp_path_factory.mktemp("document-signing")
    return pdf_signing.signer_from_env({"REGISTRY_DOCUMENT_SIGNING_DIR": str(folder)})


def test_only_an_intact_signed_document_of_ours_that_names_itself_is_put_to_the_register():
    assert document_verdict(signed=True, intact=True, ours=True, identified=True) == (True, None)
    assert document_verdict(signed=False, intact=False, ours=False, identified=True) == (False, "unsigned")
    assert document_verdict(signed=True, intact=False, ours=False, identified=True) == (
        False,
        "signature_broken",
    )
    assert document_verdict(signed=True, intact=True, ours=False, identified=True) == (
        False,
        "not_issued_by_registry",
    )
    assert document_verdict(signed=True, intact=True, ours=True, identified=False) == (
        False,
        "not_a_registry_document",
    )


def test_every_reason_the_verdict_gives_is_explained():
    reasons = {
        document_verdict(signed, intact, ours, identified)[1]
        for signed in (True, False) for intact in (True, False) for ours in (True, False)
        for identified in (True, False)
    } - {None}  # fmt: skip
    assert reasons and reasons <= DOCUMENT_REASONS.keys()


def test_participation_codes_are_random_and_recognised():
    codes = {new_participation_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(is_participation_code(code) for code in codes)
    for wrong in ("", "GY-", "GY-0000000000OO", "XX-23456789ABCD", "GY-23456789ABC", "gy-23456789abcd"):
        assert not is_participation_code(wrong)


def test_an_id_card_number_is_shown_from_its_last_four_characters_only():
    assert mask_id_card("123X") == "**************123X"
    assert len(mask_id_card("0042")) == 18


def test_a_documents_keywords_name_its_kind_and_number_and_nothing_else_is_read_as_such():
    assert read_keywords(keywords("certificate", "CPCIF-2025-000123")) == ("certificate", "CPCIF-2025-000123")
    for other in (None, "", "certificate", "carbon-registry:certificate:", "someone-else:certificate:N-1"):
        assert read_keywords(other) is None


def test_a_signed_certificate_checks_intact_and_ours_and_names_its_number(signer):
    signed = signer.sign(certificate_pdf.certificate(FACTS), reason="test")
    check = pdf_signing.check(signed, signer)
    assert (check.signed, check.signature_intact, check.issued_by_registry) == (True, True, True)
    assert read_keywords(check.keywords) == ("certificate", "CPCIF-2025-000123")


def test_another_keys_signature_is_intact_but_not_ours(signer, tmp_path):
    stranger = pdf_signing.signer_from_env({"REGISTRY_DOCUMENT_SIGNING_DIR": str(tmp_path)})
    check = pdf_signing.check(stranger.sign(certificate_pdf.certificate(FACTS), reason="test"), signer)
    assert (check.signature_intact, check.issued_by_registry) == (True, False)


def test_an_update_appended_after_signing_is_not_intact_though_the_signed_bytes_are(signer):
    signed = signer.sign(certificate_pdf.certificate(FACTS), reason="test")
    # An incremental update leaves the signed bytes whole and could restate the number: not intact.
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    info = writer.trailer["/Info"]
    info[generic.NameObject("/Keywords")] = generic.TextStringObject(keywords("certificate", "OTHER-0001"))
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    check = pdf_signing.check(out.getvalue(), signer)
    assert check.signed and check.signature_intact is False and check.issued_by_registry is False
    assert check.problem == "content was added after signing"


def test_the_self_signed_key_is_made_once_and_kept(tmp_path):
    first = pdf_signing._self_signed(tmp_path)
    text = first.read_bytes()
    assert pdf_signing._self_signed(tmp_path).read_bytes() == text
    assert b"PRIVATE KEY" in text and b"CERTIFICATE" in text
    assert first.stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7", b"hello", bytes(range(256)) * 4])
def test_bytes_that_are_no_pdf_are_a_malformed_document(signer, data):
    with pytest.raises(pdf_signing.MalformedDocument):
        pdf_signing.check(data, signer)


def test_a_key_and_certificate_from_files_or_a_pkcs12_sign_as_the_configured_registry(tmp_path):
    bundle = pdf_signing._self_signed(tmp_path / "made").read_bytes()
    key = serialization.load_pem_private_key(bundle, password=None)
    certificate = x509.load_pem_x509_certificate(bundle[bundle.index(b"-----BEGIN CERTIFICATE") :])
    (tmp_path / "key.pem").write_bytes(bundle[: bundle.index(b"-----BEGIN CERTIFICATE")])
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    p12 = pkcs12.serialize_key_and_certificates(
        b"registry", key, certificate, None, serialization.BestAvailableEncryption(b"secret")
    )
    (tmp_path / "registry.p12").write_bytes(p12)
    from_files = pdf_signing.signer_from_env(
        {"REGISTRY_DOCUMENT_SIGNING_KEY": str(tmp_path / "key.pem"),
         "REGISTRY_DOCUMENT_SIGNING_CERT": str(tmp_path / "cert.pem")}
    )  # fmt: skip
    from_pkcs12 = pdf_signing.signer_from_env(
        {"REGISTRY_DOCUMENT_SIGNING_PKCS12": str(tmp_path / "registry.p12"),
         "REGISTRY_DOCUMENT_SIGNING_PASSWORD": "secret"}
    )  # fmt: skip
    assert from_files.fingerprint == from_pkcs12.fingerprint
    check = pdf_signing.check(from_pkcs12.sign(certificate_pdf.certificate(FACTS), reason="test"), from_files)
    assert (check.signature_intact, check.issued_by_registry) == (True, True)
