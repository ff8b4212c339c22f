"""/imports over HTTP: the upload, the report's shape, refusals as problems, who may import, the list."""

import io

from tests.import_files import HEADERS_ZH, csv_bytes, mixed_rows, xlsx_bytes
from tests.support import assert_problem, graph_size


def test_the_api_imports_an_uploaded_file_and_returns_the_report(client, admin):
    rows, _ = mixed_rows("IMPAPI")
    data = csv_bytes(HEADERS_ZH, rows)
    response = client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), "upload.csv")}, headers=admin,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 200
    body = response.get_json()
    assert (body["rows_valid"], body["rows_invalid"], body["certificates_created"]) == (4, 3, 3)
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(6, "id_card"), (7, "level"), (8, "region"),
                                                                  (8, "expires_on")}  # fmt: skip


def test_the_api_refuses_what_it_cannot_import(client, admin, as_role, graph):
    before = graph_size(graph)
    assert "file" in assert_problem(client.post("/api/v1/imports", headers=admin), 400)["errors"]
    wrong = {"file": (io.BytesIO(b"hello"), "notes.txt")}
    assert_problem(
        client.post("/api/v1/imports", data=wrong, headers=admin, content_type="multipart/form-data"), 400
    )
    missing = {"file": (io.BytesIO("姓名,手机\n张三,13800000000\n".encode()), "x.csv")}
    body = assert_problem(
        client.post("/api/v1/imports", data=missing, headers=admin, content_type="multipart/form-data"), 400
    )
    assert "身份证号" in body["detail"] or "id_card" in body["detail"]
    assert client.post("/api/v1/imports", headers=as_role("client")).status_code == 403
    assert graph_size(graph) == before


def test_the_list_of_imports_shows_each_upload_with_its_outcome(client, admin, as_role):
    rows, _ = mixed_rows("IMPAPILIST")
    response = client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(csv_bytes(HEADERS_ZH, rows)), "listed-upload.csv")},
        headers=admin, content_type="multipart/form-data",
    )  # fmt: skip
    import_id = response.get_json()["import_id"]
    body = client.get("/api/v1/imports?per_page=5", headers=admin).get_json()
    assert {"items", "total", "page", "per_page"} <= body.keys()
    [listed] = [item for item in body["items"] if item["id"] == import_id]
    assert (listed["status"], listed["filename"], listed["by"]) == ("completed", "listed-upload.csv", "api")
    assert (listed["rows_read"], listed["certificates_created"]) == (7, 3)
    for role in ("client", "government", "public"):
        assert client.get("/api/v1/imports", headers=as_role(role)).status_code in (401, 403)
    assert_problem(client.get("/api/v1/imports?per_page=0", headers=admin), 400)


def test_the_report_on_huge_cells_repeats_only_their_start(client, admin):
    # A cell as long as Excel allows (32 767 characters), in 1 000 rows: a small file, and once a 33 MB answer.
    rows = [["x" * 32_767] + [""] * (len(HEADERS_ZH) - 1) for _ in range(1000)]
    data = xlsx_bytes(HEADERS_ZH, rows)
    assert len(data) < 200_000
    response = client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), "huge.xlsx")}, headers=admin,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 200
    assert len(response.get_data()) < 500_000, f"a {len(response.get_data()):,}-byte answer"
    names = [e for e in response.get_json()["errors"] if e["column"] == "name"]
    assert len(names) == 500  # the report keeps 1 000 errors: a name and an ID card in each row
    assert all(len(e["value"]) == 200 and e["value"].endswith("… (32,767 characters)") for e in names)
