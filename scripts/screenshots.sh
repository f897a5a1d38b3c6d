#!/usr/bin/env bash
# make screenshots: the toolbox, model dialogs and Model Designer in English and French (QGIS under Xvfb), and the
# HTML reports of `make demo` (headless Chromium), as PNG files in .build/screenshots/. Look at them before a release.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.build/screenshots"
PY="${PY:-$ROOT/.build/venv/bin/python}"
missing=""
for p in xvfb xauth chromium; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "Installing:$missing"; SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
rm -f "$OUT"/*.png
status=0
for locale in en fr; do
  profile="$TMP/profile_$locale"
  mkdir -p "$profile/profiles/default/QGIS"
  printf '[PythonPlugins]\nocs_toolbox=true\n\n[locale]\noverrideFlag=true\nuserLocale=%s\n' "$locale" \
    > "$profile/profiles/default/QGIS/QGIS3.ini"
  QT_QPA_PLATFORM=xcb QGIS_CUSTOM_CONFIG_PATH="$profile" QGIS_PLUGINPATH="$ROOT/.build/plugins" \
    xvfb-run -a -s "-screen 0 1920x1200x24" "$PY" "$ROOT/scripts/screenshots.py" "$OUT" \
    2>&1 | grep -v -e '^QStandardPaths' -e 'setapi() is deprecated' || status=1
done
for report in rapport_transitions rapport_zan; do
  html="$ROOT/demo/$report.html"
  if [ ! -f "$html" ]; then echo "missing $html: run make demo first"; status=1; continue; fi
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$TMP/chromium" --window-size=1200,2400 \
    --screenshot="$OUT/$report.png" "file://$html" 2>/dev/null && echo "wrote $OUT/$report.png" || status=1
done
exit $status
