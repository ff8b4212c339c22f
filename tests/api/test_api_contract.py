"""The API description is true: schemathesis generates requests from /api/v1/swagger.json, and every answer
must be documented there — no 5xx, every status listed for its operation, every body matching its schema.

Runs in-process against the app and the real test Neo4j, as the admin so that every operation is reachable,
with a bounded number of examples per operation and generation mode (CONTRACT_EXAMPLES, default 15):
valid requests (positive) and requests that break the description (negative, which must be refused with a
documented 4xx). The schemathesis pytest plugin is not used (its lazy loader does not run on pytest 9); the
test drives its Hypothesis strategies itself and reports every failing operation at once.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # a request that breaks the description is refused (4xx), never served
]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def _sends_nothing_wrong(case) -> bool:
    """Whether the request that arrives is a valid one although the generator counts it as negative: a query
    parameter whose value is an empty list is not sent at all (schemathesis 4.32), and an upload carries its file."""
    if any(value == [] for value in (case.query or {}).values()):
        return True
    # An upload whose `file` part is there: the generator's break can only be extra form fields, which an upload
    # ignores as every operation ignores unknown query parameters (the negative cases without a file still run).
    body = case.body if isinstance(case.body, dict) else {}
    return (
        case.media_type == "multipart/form-data"
        and "file" in body
        and not isinstance(body["file"], str | None)
    )


def _summary(error: BaseException) -> str:
    """The failure's kinds, one line: e.g. 'Undocumented status code (Received: 400 / Documented: 201)'."""
    parts = error.exceptions if isinstance(error, BaseExceptionGroup) else [error]
    lines = []
    for part in parts:
        text = [line.strip() for line in str(part).splitlines() if line.strip()]
        where = [line for line in text if line.startswith("Schema at ")]  # which field broke its schema
        lines.append(f"{text[0]} ({' / '.join(text[1:3] + where[:1])})" if text else type(part).__name__)
    return "; ".join(dict.fromkeys(lines))[:400]


def _checker(operation, mode: GenerationMode, headers: dict[str, str]):
    """One operation in one generation mode, as a Hypothesis test that raises on the first failing request."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # No shrinking: a failure is reported as found, in bounded time.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        if mode is GenerationMode.NEGATIVE:
            assume(not _sends_nothing_wrong(case))
        case.call_and_validate(headers=headers, checks=CHECKS)

    return check


def test_every_answer_is_documented_in_the_api_description(app, keys):
    schema = schemathesis.openapi.from_wsgi("/api/v1/swagger.json", app)
    headers = {"X-API-Key": keys["admin"]}
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in MODES:
            try:
                _checker(operation, mode, headers)()
            except Unsatisfiable:
                pass  # nothing to break: an operation without parameters has no negative requests
            except (Exception, BaseExceptionGroup) as error:  # one failing operation must not hide the others
                failures[f"{operation.label} ({mode.value})"] = _summary(error)
    assert operations > 20
    report = "\n".join(f"{label}: {why}" for label, why in sorted(failures.items()))
    assert not failures, f"{len(failures)} of {operations * len(MODES)} operation×mode runs failed:\n{report}"
