"""gunicorn entry point: `gunicorn -c gunicorn.conf.py wsgi:app`."""

from api.app import create_app

app = create_app()
