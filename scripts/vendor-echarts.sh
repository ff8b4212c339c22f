#!/usr/bin/env bash
# Fetches Apache ECharts (pinned) from the npm registry into web/static/vendor/, checked against its digest,
# so the portal serves its charting library itself (no CDN: it must work on an intranet).
set -euo pipefail
cd "$(dirname "$0")/.."
version=6.1.0
digest=681aff88cc1038c3fa941a3a53d1b177a52250b05335efc607d6105ae13be481  # sha256 of echarts-6.1.0.tgz
target=web/static/vendor/echarts.min.js
if [ -s "$target" ] && [ "$(cat web/static/vendor/.echarts-version 2>/dev/null)" = "$version" ]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "echarts@${version}" >/dev/null)
echo "${digest}  ${work}/echarts-${version}.tgz" | sha256sum --check --quiet
tar -xzf "${work}/echarts-${version}.tgz" -C "$work" package/dist/echarts.min.js package/LICENSE
mkdir -p web/static/vendor
cp "${work}/package/dist/echarts.min.js" "$target"
cp "${work}/package/LICENSE" web/static/vendor/ECHARTS-LICENSE
echo "$version" > web/static/vendor/.echarts-version
echo "Apache ECharts ${version} → ${target}"
