"""How much of a request the app reads: limits enforced on the bytes actually read, chunked requests included.

`MAX_CONTENT_LENGTH` (1 MB, for JSON bodies and the portal's forms) makes Werkzeug refuse a larger
`Content-Length` up front and stop a body without one (chunked; gunicorn sets `wsgi.input_terminated`) once it
passes the limit, before a form is parsed or a CSRF token checked; an upload endpoint raises the limit for its
own request (`allow_upload`: `MAX_UPLOAD_BYTES`, 200 MB, for /imports and the portal's import page;
`MAX_LIST_BYTES`, 20 MB, for /key-emitters/lists) before it touches the upload. Without a length and without
a terminated stream, Werkzeug hands over an empty body, never an unbounded one.
Every refusal is a 413: a problem that states the limit on the API, the portal's error page elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from registry.errors import ImportFileError, ValidationFailed

MAX_JSON_BYTES = 1_000_000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
MAX_LIST_BYTES = 20 * 1024 * 1024  # a key emitter list: 20 000 rows at most
# A PDF sent to POST /verify/document (and the portal's 证书查询): a signed certificate is ~45 KB; the portal's forms
# are read within MAX_JSON_BYTES anyway, so both doors take the same size.
MAX_DOCUMENT_BYTES = MAX_JSON_BYTES
READ_STEP = 64 * 1024


def install_limits(app: Flask) -> None:
    """Set the app-wide body limit (JSON) and the upload limit that /imports applies to itself."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default config holds None: setdefault kept it
        app.config["MAX_CONTENT_LENGTH"] = MAX_JSON_BYTES
    app.config.setdefault("MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES)


def describe(limit: int) -> str:
    """A limit as a person reads it: 1 MB, 200 MB."""
    for unit in (1024 * 1024, 1_000_000):
        if limit % unit == 0:
            return f"{limit // unit} MB"
    return f"{limit:,} bytes"


class BodyTooLarge(RequestEntityTooLarge):
    """The body passed the limit that applies to this request."""

    def __init__(self, limit: int | None = None) -> None:
        limit = limit or request.max_content_length or MAX_JSON_BYTES
        super().__init__(f"The request body is larger than the limit of {describe(limit)} for this request.")


def read_body() -> bytes:
    """The request body, read in bounded steps up to the request's limit; BodyTooLarge past it."""
    limit = request.max_content_length or MAX_JSON_BYTES
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(limit)
    stream = request.stream  # Werkzeug's stream: itself stops a chunked body at max_content_length
    parts: list[bytes] = []
    size = 0
    while chunk := stream.read(READ_STEP):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        parts.append(chunk)
    return b"".join(parts)


def read_form() -> None:
    """Read a posted form within the request's limit before anything parses it; 413 past the limit."""
    # A Content-Length over the limit is refused before reading; the form parser then reads the cached bytes.
    request.get_data(cache=True)
    # Werkzeug stops a chunked body at the limit without a word (the form would be its first 1 MB) but refuses
    # to read on: a 413 for a body past the limit (or exactly at it), nothing for one that ended before it.
    request.stream.read(1)


def allow_upload(limit: int | None = None) -> None:
    """Raise this request's limit to the upload limit, or `limit` below it (call before reading `request.files`)."""
    upload_limit = current_app.config["MAX_UPLOAD_BYTES"]
    request.max_content_length = upload_limit if limit is None else min(limit, upload_limit)


# How an upload endpoint documents its one form field.
UPLOAD_DOC = {
    "consumes": ["multipart/form-data"],
    "params": {"file": {"in": "formData", "type": "file", "required": True, "description": ".csv or .xlsx"}},
}


def uploaded_file(limit: int | None = None) -> FileStorage:
    """The spreadsheet in the request's `file` field, read within the upload limit; 400 when none was sent."""
    allow_upload(limit)  # up to MAX_UPLOAD_BYTES or `limit` (413 past it, chunked or not)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed(
            {"file": ["Send the file as multipart/form-data in a field named 'file'."]},
            detail="No file was uploaded.",
        )
    return upload


@contextmanager
def readable_file() -> Iterator[None]:
    """Turn a file that cannot be read as a whole (type, encoding, header, size) into a 400 naming why."""
    try:
        yield
    except ImportFileError as error:
        raise ValidationFailed(
            {"file": [str(error)]}, detail=f"The file cannot be imported: {error}"
        ) from None
