"""Through the real server (gunicorn), an over-long URL is answered by the API as a problem (issue 22, item 11).

Before: a request line over 4 094 bytes got gunicorn's own `text/html` 414. Now gunicorn reads request lines up
to 8 190 bytes (gunicorn.conf.py) and the API refuses a URI over 4 096 bytes itself with a 414 problem+json.
"""

from __future__ import annotations

import http.client

from tests.integration import test_gunicorn_body_limits as started

server = started.server  # the same gunicorn fixture: one worker, one thread, on a free port


def _get(port: int, target: str) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def test_a_5000_byte_query_is_answered_with_a_414_problem(server):
    port, _ = server
    status, content_type, body = _get(port, "/api/v1/practitioners?q=" + "a" * 5000)
    assert (status, content_type) == (414, "application/problem+json"), body[:200]
    assert b'"status": 414' in body


def test_a_query_within_the_limit_is_read_by_the_api(server):
    port, _ = server
    status, content_type, _ = _get(port, "/api/v1/taxonomy/work-types?x=" + "a" * 4000)
    assert status != 414 and content_type.startswith("application/")
