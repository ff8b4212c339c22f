"""Only the web server builds the search index; the command line (`flask --app wsgi registry …`) is not the server.

Before issue 22 item 13 `flask --app wsgi registry init-db` loaded the server's app, whose index build raced the
schema it was creating and printed a 40-line traceback as the first thing a newcomer saw.
"""

from __future__ import annotations

from flask.cli import ScriptInfo

from services import search_index


def test_the_app_the_command_line_loads_from_wsgi_has_no_search_index():
    app = ScriptInfo(app_import_path="wsgi").load_app()  # what `flask --app wsgi …` runs
    try:
        assert app.extensions["search_index"] is None
        assert search_index.of(app.extensions["graph"]) is None
        assert "registry" in app.cli.commands
    finally:
        app.extensions["graph"].close()


def test_the_app_the_web_server_loads_has_the_search_index_setting_asks_for(monkeypatch):
    import wsgi

    monkeypatch.setenv("SEARCH_INDEX", "lazy")  # an index, built at the first search (none here)

    app = wsgi.serve()  # what `gunicorn 'wsgi:serve()'` runs
    try:
        index = app.extensions["search_index"]
        assert index is not None and search_index.of(app.extensions["graph"]) is index
    finally:
        app.extensions["graph"].close()
