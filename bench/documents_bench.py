"""Signed e-certificates (issue 26): how long one certificate PDF takes, end to end and by part.

    NEO4J_LOCAL_INSTANCE=<yours> .venv/bin/python -m bench.documents_bench [--rounds 100]

Against a running Neo4j (the instance NEO4J_LOCAL_INSTANCE names; the script adds one practitioner and one
certificate, nothing else): through the app (Flask's test client, so no network), time GET
/api/v1/certificates/{number}.pdf for the holder's key and for a visitor, and POST /api/v1/verify/document with the
PDF; then the parts in process — drawing the page (reportlab), signing it (pyHanko), checking it (pyHanko's
validator). The goal is a certificate PDF in ≤ 200 ms. Prints a Markdown table (docs/certificates.md keeps it).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date

from adapters import certificate_pdf, pdf_signing
from application import create_app
from registry.identifiers import make_id_card
from services.settings import Settings

GOAL_MS = 200


def timed(work: Callable[[], object], rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each of `rounds` calls, after one warm-up call. On a shared machine the
    CPU time says what a PDF costs; the wall clock says what a caller waited with the others' load."""
    work()
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def row(name: str, times: tuple[list[float], list[float]]) -> str:
    wall, cpu = sorted(times[0]), sorted(times[1])
    p95 = wall[max(0, round(0.95 * len(wall)) - 1)]
    return f"| {name} | {statistics.median(wall):.1f} | {p95:.1f} | {wall[-1]:.1f} | {statistics.median(cpu):.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    rounds = parser.parse_args().rounds
    app = create_app(Settings.from_env(), serving=True)
    client = app.test_client()
    cli = app.test_cli_runner()
    admin = {"X-API-Key": cli.invoke(args=["registry", "create-key", "--role", "admin"]).stdout.split()[-1]}
    id_card = make_id_card("110105", date(1985, 5, 5), uuid.uuid4().int % 1000)
    person = client.post(
        "/api/v1/practitioners",
        json={"name": "测试持证人", "id_card": id_card, "public_profile": True},
        headers=admin,
    ).get_json()
    number = f"BENCH-{uuid.uuid4().hex[:10].upper()}"
    issued = client.post(
        "/api/v1/certificates",
        json={"number": number, "practitioner_id": person["id"], "work_type": "verification", "level": 2,
              "issued_on": "2024-03-01", "expires_on": "2030-12-31"},
        headers=admin,
    )  # fmt: skip
    assert issued.status_code == 201, issued.get_json()
    own = {
        "X-API-Key": client.post(
            f"/api/v1/practitioners/{person['id']}/keys", json={}, headers=admin
        ).get_json()["key"]
    }
    url = f"/api/v1/certificates/{number}.pdf"

    def get(headers: dict[str, str]) -> bytes:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.status_code
        return response.data

    pdf = get(own)

    def verify() -> None:
        response = client.post(
            "/api/v1/verify/document",
            data={"file": (io.BytesIO(pdf), "c.pdf")},
            content_type="multipart/form-data",
        )
        assert response.get_json()["valid"] is True

    facts = certificate_pdf.CertificateFacts(
        number=number, holder="测试持证人", id_card="**************1234", occupation="碳排放管理员（4-09-07-04）",
        work_type="碳排放核查员", level="二级", issued_on="2024-03-01", expires_on="2030-12-31",
        issuer="中国石油和化学工业联合会", status="有效（2026-12-07）", verify_url=f"http://localhost/verify?number={number}",
    )  # fmt: skip
    signer = pdf_signing.signer_from_env()
    page = certificate_pdf.certificate(facts)
    lines = [
        f"rounds: {rounds}; PDF {len(pdf) / 1024:.0f} KB; load average {os.getloadavg()[0]:.1f}; goal ≤ {GOAL_MS} ms",
        "",
        "| what | p50 ms | p95 ms | max ms | CPU p50 ms |",
        "|---|---:|---:|---:|---:|",
        row("GET /certificates/{number}.pdf (holder)", timed(lambda: get(own), rounds)),
        row("GET /certificates/{number}.pdf (visitor)", timed(lambda: get({}), rounds)),
        row("POST /verify/document", timed(verify, rounds)),
        row("draw the page (reportlab)", timed(lambda: certificate_pdf.certificate(facts), rounds)),
        row("sign it (pyHanko, RSA-3072)", timed(lambda: signer.sign(page, reason="bench"), rounds)),
        row("check it (pyHanko's validator)", timed(lambda: pdf_signing.check(pdf, signer), rounds)),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
