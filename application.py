"""The application factory: one Flask app with the JSON API (`api/`), the portal (`web/`) and the command line
(`cli/`), each installed over the same services, settings and graph driver."""

from __future__ import annotations

import atexit
import logging
from datetime import date

from flask import Flask

import api
import web
from cli.commands import registry_cli
from graph.driver import graph_from_settings
from interface.errors import register_error_handlers
from interface.limits import install_limits
from interface.logs import configure_logging, install_request_logging
from services import activity_stats, search_index, statistics
from services.search_index import snapshot
from services.settings import Settings


def create_app(settings: Settings | None = None, *, serving: bool = False) -> Flask:
    """Build the app: configuration, one driver per process, the search index, the API, the portal and the CLI.

    Only an app that `serving` (the web server's, `wsgi.serve()`) gets the search index SEARCH_INDEX asks for;
    the command line (`flask --app wsgi …` calls this without arguments) is not the server, builds no index and
    searches with Cypher: `init-db` building the index while it created the schema printed a traceback.
    """
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    app = Flask(__name__, static_folder=None)  # the portal serves its own static files
    app.config["SETTINGS"] = settings
    app.config["RESTX_MASK_SWAGGER"] = False
    app.config["RESTX_JSON"] = {"ensure_ascii": False}  # Chinese stays readable in responses
    app.config["RESTX_ERROR_404_HELP"] = False
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    install_limits(app)  # request bodies: 1 MB JSON, 200 MB uploads, on the bytes read (interface/limits.py)

    graph = graph_from_settings(settings)
    app.extensions["graph"] = graph
    atexit.register(graph.close)
    snapshots = None
    if settings.search_index_snapshots:
        snapshots = snapshot.path_for(
            settings.search_index_snapshots, settings.neo4j_uri, settings.neo4j_database
        )
    app.extensions["search_index"] = search_index.install(
        graph, settings.search_index if serving else "off", snapshots, page_views=settings.search_page_views
    )

    install_request_logging(app)
    register_error_handlers(app)
    api.install(app, elsewhere=web.error_page)
    web.install(app)
    app.cli.add_command(registry_cli)
    return app


def warm_up(app: Flask) -> None:
    """Make a server process ready before it takes requests: its search index built (from the host's snapshot
    when there is one) and brought up to the graph's revision, its statistics read and the usual answers
    computed. gunicorn runs it in every new worker (gunicorn.conf.py), so a recycled worker starts warm."""
    graph, index = app.extensions["graph"], app.extensions["search_index"]
    try:
        if index is not None and app.config["SETTINGS"].search_index == "eager":
            index.build()  # waits for the build the factory started, or does nothing when it is done
            index.refresh()  # the changes since the snapshot was taken
        statistics.warm_up(graph, date.today(), app.config["SETTINGS"])
        activity_stats.warm_up(graph, date.today(), app.config["SETTINGS"])
    except Exception:  # the graph is unreachable, say: requests then do what this could not, as without it
        logging.getLogger("registry.warm_up").exception("warm-up failed")
