#!/usr/bin/env bash
# Copies the npm front-end assets into thrive/static/vendor, so nothing is loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/nhsuk-frontend ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
out=thrive/static/vendor
rm -rf "$out"
mkdir -p "$out/nhsuk" "$out/htmx" "$out/leaflet" "$out/chartjs"
nhs=node_modules/nhsuk-frontend/dist/nhsuk
# The stylesheet loads the Frutiger web fonts from assets.nhs.uk (a CDN, and licensed to NHS sites only): drop those
# @font-face rules so pages fall back to Arial, as the NHS.UK font stack intends, and nothing is fetched off-site.
sed -E -e 's/@font-face\{[^}]*assets\.nhs\.uk[^}]*\}//g' -e 's|/\*# sourceMappingURL=[^*]*\*/||' "$nhs/nhsuk-frontend.min.css" > "$out/nhsuk/nhsuk-frontend.min.css"
cp "$nhs/nhsuk-frontend.min.js" "$nhs/nhsuk-frontend.min.js.map" "$out/nhsuk/"
cp -r "$nhs/assets" "$out/nhsuk/assets"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css "$out/leaflet/"
cp -r node_modules/leaflet/dist/images "$out/leaflet/images"
cp node_modules/chart.js/dist/chart.umd.js node_modules/chart.js/dist/chart.umd.js.map "$out/chartjs/"
echo "assets copied into $out"
