#!/usr/bin/env bash
# Runs the API with gunicorn on 127.0.0.1:$PORT and the job scheduler beside it (SCHEDULER=0: without; docs/jobs.md),
# unless this project's API already answers there. The scheduler is this script's child and gunicorn replaces the
# script (same pid), so the scheduler's parent is gunicorn's master: it stops within a second of gunicorn however
# gunicorn stops (--with-parent), and a host runs one scheduler per graph (a lock under var/).
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
if [ "${SCHEDULER:-1}" != 0 ]; then
  .venv/bin/flask --app wsgi registry scheduler --with-parent &
  echo "  Scheduler:    pid $! (the jobs and their last runs: ${base}/api/v1/jobs, flask registry jobs)"
fi
exec .venv/bin/gunicorn -c gunicorn.conf.py 'wsgi:serve()'
