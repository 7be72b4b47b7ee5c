#!/usr/bin/env bash
# Builds the .deb from a configured and built tree, installs it (apt resolves its dependencies)
# and runs what it installed: the CLI's version, a headless report of the bundled demo, and a
# screenshot of the workbench on the offscreen platform. Usage: packaging/check-package.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: check-package.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

desktop-file-validate "$here/org.exposureworkbench.ExposureWorkbench.desktop"
appstreamcli validate --no-net "$here/org.exposureworkbench.ExposureWorkbench.metainfo.xml"

rm -rf "$build/package"
(cd "$build" && cpack -B package)
deb=$(readlink -f "$(ls "$build"/package/exposure-workbench_*.deb)") # apt wants a path, not a name
echo "check-package: $deb"
dpkg-deb -I "$deb" | grep -E '^ (Package|Version|Depends):'
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --reinstall "$deb" >/dev/null

out=$(mktemp -d)
/usr/bin/exposure-audit --version
/usr/bin/exposure-audit report /usr/share/exposure-workbench/demo/incident-2019.review.json --pdf "$out/demo.pdf"
pages=$(pdfinfo "$out/demo.pdf" | awk '/^Pages:/ {print $2}')
[ "$pages" -ge 5 ] || { echo "check-package: the report has $pages page(s)"; exit 1; }
text=$(pdftotext "$out/demo.pdf" -) # not piped into grep -q: pipefail would see pdftotext's SIGPIPE
grep -q "es-support-01" <<<"$text" || { echo "check-package: es-support-01 missing from the report"; exit 1; }
QT_QPA_PLATFORM=offscreen XDG_CONFIG_HOME="$out/config" XDG_DATA_HOME="$out/data" \
    /usr/bin/exposure-workbench --demo --screenshot "$out/workbench.png"
[ -s "$out/workbench.png" ] || { echo "check-package: no screenshot"; exit 1; }
for schema in exposure-findings-1 exposure-findings-2 exposure-diff-1 exposure-review-1; do
    [ -s "/usr/share/exposure-workbench/schemas/$schema.schema.json" ] || { echo "check-package: no $schema schema"; exit 1; }
done
echo "check-package: installed package works (report: $pages pages, screenshot written)"
rm -rf "$out"
