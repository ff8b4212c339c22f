#!/usr/bin/env bash
# Runs the API with gunicorn on 127.0.0.1:$PORT, unless this project's API already answers there.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8000}"
base="http://127.0.0.1:${port}"
if curl -fsS -m 2 "${base}/api/v1/health" >/dev/null 2>&1; then
  echo "The registry API is already serving at ${base} (Swagger UI: ${base}/docs); not starting another."
  exit 0
fi
echo "Serving the registry API at ${base}"
echo "  Web portal:   ${base}/"
echo "  Swagger UI:   ${base}/docs"
echo "  OpenAPI spec: ${base}/api/v1/swagger.json"
echo "  Readiness:    ${base}/api/v1/ready"
exec .venv/bin/gunicorn -c gunicorn.conf.py 'wsgi:serve()'
