"""The registry's document signature: PAdES (B-B) signatures on its PDFs with pyHanko, and their check.

The document key is not the Ed25519 key of adapters/signing.py (audit checkpoints, draw seals): a PDF signature
needs an X.509 certificate that PDF readers understand (RSA here), and the two keys are replaced on different
occasions (a CA-issued certificate for documents, say). Where the key comes from, first match wins:

- `REGISTRY_DOCUMENT_SIGNING_PKCS12` (a .p12/.pfx from a CA) with `REGISTRY_DOCUMENT_SIGNING_PASSWORD`;
- `REGISTRY_DOCUMENT_SIGNING_KEY` and `REGISTRY_DOCUMENT_SIGNING_CERT` (PEM or DER files; the key's passphrase in
  `REGISTRY_DOCUMENT_SIGNING_PASSWORD`); `REGISTRY_DOCUMENT_SIGNING_CHAIN` names the CA's certificates, if any;
- otherwise a self-signed certificate and its RSA key made on first use in one file,
  `var/document-signing/registry.pem` (`REGISTRY_DOCUMENT_SIGNING_DIR` moves the folder), never committed.

"Issued by this registry" means: signed with the key of this very certificate (its SHA-256 fingerprint).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import os
import tempfile
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = ROOT / "var" / "document-signing"
BUNDLE = "registry.pem"
FIELD_NAME = "RegistrySignature"
SELF_SIGNED_NAME = "碳排放管理员人才库 电子文件签名（自签名）"
SELF_SIGNED_YEARS = 10
RESERVED_BYTES = 4096  # the CMS container's signature and attributes; its certificates are added to it


T = TypeVar("T")


class MalformedDocument(ValueError):
    """The bytes are not a PDF that can be read."""


class _KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses the private key for every signature it makes, twice per document (a dry run
    sizes the signature), which costs ~300 ms each for an RSA-3072 key; this one parses it once."""

    @functools.cached_property
    def _key(self) -> Any:
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)  # other mechanisms as pyHanko does them


@dataclass(frozen=True)
class DocumentSigner:
    """The registry's document key and certificate."""

    signer: signers.Signer
    certificate: asn1_x509.Certificate
    source: str  # where it came from: the file(s), for the docs and the logs

    @property
    def fingerprint(self) -> str:
        """The SHA-256 of the certificate, hex."""
        return self.certificate.sha256.hex()

    def sign(self, pdf: bytes, reason: str) -> bytes:
        """`pdf` with the registry's PAdES signature over all of it (an incremental update)."""
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            location="中国",
        )
        # Room for the signature given up front (in hex digits, two a byte): otherwise pyHanko signs twice, a dry
        # run to measure it first.
        reserved = 2 * (RESERVED_BYTES + sum(len(cert.dump()) for cert in self.signer.cert_registry))
        out = _run(lambda: signers.async_sign_pdf(writer, meta, signer=self.signer, bytes_reserved=reserved))
        return out.getvalue()


@dataclass(frozen=True)
class DocumentCheck:
    """What a PDF's signature says: intact (the bytes are the signed ones, nothing added), whose, which keywords."""

    signed: bool
    signature_intact: bool
    issued_by_registry: bool
    keywords: str | None
    problem: str | None  # why the signature is not intact, for the logs and the answer's reason


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one of pyHanko's coroutines to the end. Its synchronous wrappers call asyncio.run, which refuses to
    start inside a thread that already runs an event loop (an async server, Playwright's sync API in the tests);
    there the coroutine runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


def signer_from_env(environ: Mapping[str, str] | None = None) -> DocumentSigner:
    """The configured document signer (see the module docstring), loaded once per process."""
    env = os.environ if environ is None else environ
    keys = ("PKCS12", "PASSWORD", "KEY", "CERT", "CHAIN", "DIR")
    return _signer(*(env.get(f"REGISTRY_DOCUMENT_SIGNING_{name}") or None for name in keys))


@functools.cache
def _signer(
    pkcs12: str | None,
    password: str | None,
    key: str | None,
    cert: str | None,
    chain: str | None,
    folder: str | None,
) -> DocumentSigner:
    passphrase = password.encode() if password else None
    chain_files = [chain] if chain else None
    if pkcs12:
        loaded = signers.SimpleSigner.load_pkcs12(pkcs12, ca_chain_files=chain_files, passphrase=passphrase)
        source = pkcs12
    elif key or cert:
        if not (key and cert):
            raise ValueError("Set both REGISTRY_DOCUMENT_SIGNING_KEY and REGISTRY_DOCUMENT_SIGNING_CERT.")
        loaded = signers.SimpleSigner.load(key, cert, ca_chain_files=chain_files, key_passphrase=passphrase)
        source = f"{key} + {cert}"
    else:
        bundle = _self_signed(Path(folder) if folder else DEFAULT_FOLDER)
        loaded, source = _from_bundle(bundle), str(bundle)
    if loaded is None or loaded.signing_cert is None:
        raise ValueError(f"Could not load the document signing key and certificate from {source}.")
    kept = _KeptKeySigner(
        signing_cert=loaded.signing_cert, signing_key=loaded.signing_key, cert_registry=loaded.cert_registry
    )
    return DocumentSigner(signer=kept, certificate=loaded.signing_cert, source=source)


_SIGNING_ONLY = x509.KeyUsage(
    digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
)  # fmt: skip


def _self_signed(folder: Path) -> Path:
    """The bundle (key + self-signed certificate, PEM), made on first use; concurrent processes agree on one."""
    bundle = folder / BUNDLE
    if bundle.exists():
        return bundle
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, SELF_SIGNED_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Carbon Manager Registry"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * SELF_SIGNED_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_SIGNING_ONLY, critical=True)
        .sign(key, hashes.SHA256())
    )
    text = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ) + certificate.public_bytes(serialization.Encoding.PEM)
    # Written whole to a temporary file, then linked: the bundle appears complete or not at all, and a second
    # process that made its own loses the race (link refuses an existing name) and uses the winner's.
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".registry-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, bundle)
    finally:
        os.unlink(temporary)
    return bundle


def _from_bundle(bundle: Path) -> signers.SimpleSigner:
    key: asn1_keys.PrivateKeyInfo | None = None
    certificate: asn1_x509.Certificate | None = None
    for kind, _headers, der in pem.unarmor(bundle.read_bytes(), multiple=True):
        if kind == "PRIVATE KEY":
            key = asn1_keys.PrivateKeyInfo.load(der)
        elif kind == "CERTIFICATE":
            certificate = asn1_x509.Certificate.load(der)
    if key is None or certificate is None:
        raise ValueError(f"{bundle} must hold a private key and a certificate (PEM).")
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )


def check(data: bytes, registry: DocumentSigner) -> DocumentCheck:
    """Read a PDF and check its signature with pyHanko's validator; MalformedDocument if it cannot be read."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
        info = reader.trailer_view.get("/Info")
        keywords = info.get_object().get("/Keywords") if info is not None else None
        keywords = str(keywords) if keywords is not None else None
    except Exception as error:  # a parser over untrusted bytes: whatever it raises, the file is unreadable
        raise MalformedDocument(f"The file is not a readable PDF ({type(error).__name__}).") from None
    if not signatures:
        return DocumentCheck(False, False, False, keywords, "unsigned")
    # The registry signs once; a document whose last signature is not over the whole file was changed after.
    signature = signatures[-1]
    try:
        context = ValidationContext(trust_roots=[registry.certificate], allow_fetching=False)
        status = _run(lambda: async_validate_pdf_signature(signature, context))
    except (
        Exception
    ) as error:  # a signature dictionary that pyHanko cannot even evaluate is a broken signature
        return DocumentCheck(True, False, False, keywords, f"unreadable signature ({type(error).__name__})")
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1
    intact = bool(status.intact and status.valid and whole)
    ours = intact and signature.signer_cert.sha256 == registry.certificate.sha256
    problem = None
    if not (status.intact and status.valid):
        problem = "the signed bytes were changed"
    elif not whole:
        problem = "content was added after signing"
    return DocumentCheck(True, intact, ours, keywords, problem)


if __name__ == "__main__":
    # `make serve` runs this before gunicorn: the key and certificate exist from the first start, and the
    # operator sees which certificate signs (its fingerprint is what a relying party pins).
    configured = signer_from_env()
    print(f"Document signing certificate: {configured.certificate.subject.human_friendly}")
    print(f"  from {configured.source}; SHA-256 {configured.fingerprint}")
