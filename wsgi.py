"""The web server's entry point: `gunicorn -c gunicorn.conf.py 'wsgi:serve()'`.

The command line, `flask --app wsgi registry …`, finds `create_app` here and calls it without arguments: an app
that does not serve, so it builds no search index.
"""

from flask import Flask

from application import create_app


def serve() -> Flask:
    """The app as the web server runs it, with the search index that SEARCH_INDEX asks for."""
    return create_app(serving=True)
