"""Body-size limits hold on the bytes actually read: with or without Content-Length (chunked), JSON or upload.

A chunked request has no Content-Length; gunicorn de-chunks it and sets `wsgi.input_terminated`, which the
Flask test client reproduces with `environ_overrides`. The stream below counts what the app reads, so the
tests see that an oversized body is refused after about the limit, not after all of it (issue 9: a chunked
300 MB body was read in full by a worker).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest

from adapters import xlsx
from tests.support import assert_problem
from tests.unit.test_spreadsheets import workbook_bytes

MB = 1024 * 1024
CHUNK = 64 * 1024


class CountingStream(io.RawIOBase):
    """`size` bytes (`head`, then filler) made up as they are read, counting how many the app reads."""

    def __init__(self, size: int, head: bytes = b'{"bio": "'):
        self.size, self.head, self.position, self.read_bytes = size, head, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True  # the test client measures the stream with seek/tell before sending it

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = self.size + offset if whence == io.SEEK_END else offset
        return self.position

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.position)
        if n <= 0:
            return 0
        data = (self.head[self.position :] + b"a" * n)[:n]
        buffer[:n] = data
        self.position += n
        self.read_bytes = max(self.read_bytes, self.position)
        return n


def _chunked(client, path: str, stream: io.RawIOBase, headers: dict[str, str], content_type: str):
    """POST a body without Content-Length, as gunicorn hands a de-chunked request to the app."""
    return client.post(
        path,
        input_stream=stream,
        headers=headers | {"Content-Type": content_type},
        # What gunicorn hands over for `Transfer-Encoding: chunked`: no length, a terminated stream.
        environ_overrides={
            "wsgi.input_terminated": True,
            "CONTENT_LENGTH": "",
            "HTTP_TRANSFER_ENCODING": "chunked",
        },
    )


PUBLIC_AND_ADMIN_JSON = [("/api/v1/eligibility", "public"), ("/api/v1/practitioners", "admin")]


@pytest.mark.parametrize(("path", "role"), PUBLIC_AND_ADMIN_JSON)
def test_a_json_body_over_the_limit_is_413(client, as_role, path, role):
    body = b'{"bio": "' + b"a" * (2 * MB) + b'"}'
    response = client.post(path, data=body, headers=as_role(role) | {"Content-Type": "application/json"})
    problem = assert_problem(response, 413)
    assert "1 MB" in problem["detail"]


@pytest.mark.parametrize(("path", "role"), PUBLIC_AND_ADMIN_JSON)
def test_a_chunked_json_body_over_the_limit_is_413_after_reading_about_the_limit(client, as_role, path, role):
    stream = CountingStream(20 * MB)
    response = _chunked(client, path, stream, as_role(role), "application/json")
    assert_problem(response, 413)
    assert stream.read_bytes <= 1 * MB + 2 * CHUNK, f"read {stream.read_bytes:,} bytes of a 20 MB body"


def test_a_chunked_json_body_under_the_limit_is_read_normally(client):
    body = b'{"level": 4, "education": "secondary"}'
    response = _chunked(client, "/api/v1/eligibility", io.BytesIO(body), {}, "application/json")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["eligible"] is True


@pytest.fixture()
def small_upload_limit(app) -> Iterator[int]:
    """The upload limit lowered to 2 MB for the test (200 MB by default), restored afterwards."""
    before = app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = 2 * MB
    yield 2 * MB
    app.config["MAX_UPLOAD_BYTES"] = before


def _multipart(size: int) -> CountingStream:
    head = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    return CountingStream(size, head=head)


def test_an_upload_over_the_limit_is_413(client, admin, small_upload_limit):
    data = {"file": (io.BytesIO(b"a" * (3 * MB)), "big.csv")}
    response = client.post("/api/v1/imports", data=data, headers=admin, content_type="multipart/form-data")
    assert_problem(response, 413)


def test_a_chunked_upload_over_the_limit_is_413_after_reading_about_the_limit(
    client, admin, small_upload_limit
):
    stream = _multipart(50 * MB)
    response = _chunked(client, "/api/v1/imports", stream, admin, "multipart/form-data; boundary=XyZ")
    assert_problem(response, 413)
    assert stream.read_bytes <= small_upload_limit + 2 * CHUNK, f"read {stream.read_bytes:,} of 50 MB"


def test_a_form_body_sent_to_a_json_endpoint_is_bounded_too(client, admin):
    stream = _multipart(20 * MB)
    response = _chunked(client, "/api/v1/practitioners", stream, admin, "multipart/form-data; boundary=XyZ")
    assert response.status_code in (400, 413)
    assert stream.read_bytes <= 1 * MB + 2 * CHUNK, f"read {stream.read_bytes:,} bytes of a 20 MB body"


# --- /key-emitters/lists: the upload path /imports uses, with its own 20 MB limit (issue 22, item 4) ---------


def _list_upload(client, admin, data: bytes, name: str):
    files = {"file": (io.BytesIO(data), name)}
    return client.post(
        "/api/v1/key-emitters/lists", data=files, headers=admin, content_type="multipart/form-data"
    )


def test_a_chunked_key_emitter_list_over_20_mb_is_413_after_reading_about_20_mb(client, admin):
    stream = _multipart(60 * MB)
    response = _chunked(
        client, "/api/v1/key-emitters/lists", stream, admin, "multipart/form-data; boundary=XyZ"
    )
    problem = assert_problem(response, 413)
    assert "20 MB" in problem["detail"]
    assert stream.read_bytes <= 20 * MB + 2 * CHUNK, f"read {stream.read_bytes:,} bytes of a 60 MB body"


def test_a_key_emitter_list_that_unzips_past_the_xlsx_bounds_is_refused_before_parsing(client, admin):
    bomb = workbook_bytes([[0, 1]], xlsx.LIMITS.shared_strings + 1)  # ~200 KB holding 2 million texts
    problem = assert_problem(_list_upload(client, admin, bomb, "名录.xlsx"), 400)
    assert "distinct texts" in problem["errors"]["file"][0]


def test_a_key_emitter_list_with_a_csv_field_over_128_kb_is_400_naming_the_row(client, admin):
    data = (
        "单位名称,统一社会信用代码,行业,省份\n甲公司,91420100MC0000001,发电,湖北省\n"
        + "x" * 200_000
        + ",1,2,3\n"
    )
    problem = assert_problem(_list_upload(client, admin, data.encode(), "名录.csv"), 400)
    assert "Row 3" in problem["errors"]["file"][0]


# --- the portal's forms: read within the 1 MB limit before the CSRF check (issue 22, item 5) ----------------


def _portal_browser(app, key: str | None = None):
    """A browser on the portal with this visitor's CSRF token (logged in with `key` when given)."""
    browser = app.test_client()
    form = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    if key is not None:
        assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
        page = browser.get("/admin/imports").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return browser, token


def _assert_413_page(response) -> None:
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "上传内容过大" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/login", "/verify"])
def test_a_chunked_portal_form_over_1_mb_is_a_413_page_after_reading_about_1_mb(client, path):
    stream = CountingStream(2 * MB, head=b"csrf_token=x&key=")
    response = _chunked(client, path, stream, {}, "application/x-www-form-urlencoded")
    _assert_413_page(response)
    assert stream.read_bytes <= 1 * MB + 2 * CHUNK, f"read {stream.read_bytes:,} bytes of a 2 MB form"


def test_a_portal_form_with_a_content_length_over_1_mb_is_a_413_page_before_reading(client):
    stream = CountingStream(2 * MB, head=b"csrf_token=x&key=")
    response = client.post(
        "/login",
        input_stream=stream,
        content_type="application/x-www-form-urlencoded",
        headers={"Content-Length": str(2 * MB)},
    )
    _assert_413_page(response)
    assert stream.read_bytes == 0


def _spreadsheet_form(token: str, size: int) -> dict:
    unreadable = b"a,b\n" + b"1,2\n" * (size // 4)  # no header the import knows: refused once read
    return {"csrf_token": token, "file": (io.BytesIO(unreadable), "big.csv")}


def test_an_administrator_still_uploads_a_spreadsheet_over_1_mb_on_the_import_page(app, keys):
    browser, token = _portal_browser(app, keys["admin"])
    response = browser.post(
        "/admin/imports", data=_spreadsheet_form(token, 3 * MB), content_type="multipart/form-data"
    )
    assert response.status_code == 400  # read whole and refused for its columns, not for its size
    assert "文件无法导入" in response.get_data(as_text=True)


def test_an_anonymous_post_to_the_import_page_keeps_the_1_mb_limit(app):
    browser, token = _portal_browser(app)
    response = browser.post(
        "/admin/imports", data=_spreadsheet_form(token, 3 * MB), content_type="multipart/form-data"
    )
    _assert_413_page(response)
