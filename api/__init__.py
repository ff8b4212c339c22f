"""The HTTP API: a flask-restx namespace per resource over the services (factory in `api.app`)."""
