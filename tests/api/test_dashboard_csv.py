"""The dashboards' CSV files escape text a spreadsheet would run as a formula, like every file the service writes."""

from __future__ import annotations

import csv
import io
import uuid

FORMULA = '=HYPERLINK("http://example.invalid","x")'


def test_a_formula_in_reference_data_reaches_the_csv_as_text(client, admin, graph, new_practitioner, issue):
    # Reference data is loaded by administrators; a hostile code in it must still not run in Excel.
    code = f"{FORMULA}{uuid.uuid4().hex[:6]}"
    person = new_practitioner(public_profile=True)
    graph.driver.execute_query(
        "MERGE (i:Industry {code: $code}) SET i.name_zh = $code "
        "WITH i MATCH (p:Practitioner {id: $id}) MERGE (p)-[:EXPERIENCED_IN]->(i)",
        code=code, id=person["id"],
    )  # fmt: skip
    issue(person["id"], "verification", 3)  # derives the person's search keys, industries included
    try:
        response = client.get("/dashboards/industries.csv")
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        cells = [cell for row in rows for cell in row]
        assert "'" + code in cells
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    finally:
        graph.driver.execute_query("MATCH (i:Industry {code: $code}) DETACH DELETE i", code=code)
