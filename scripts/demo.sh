#!/usr/bin/env bash
# The main job on the bundled sample territory, through qgis_process as a batch user runs it (make demo).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/demo"
SAMPLE="$ROOT/sample"
QP="${OCS_QGIS_PROCESS:-/usr/bin/qgis_process.bin}"
PROFILE="$(mktemp -d)"
trap 'rm -rf "$PROFILE"' EXIT
mkdir -p "$PROFILE/profiles/default/QGIS" "$OUT"
printf '[PythonPlugins]\nocs_toolbox=true\n' > "$PROFILE/profiles/default/QGIS/QGIS3.ini"
export QT_QPA_PLATFORM=offscreen QGIS_PLUGINPATH="$ROOT/.build/plugins" QGIS_CUSTOM_CONFIG_PATH="$PROFILE"

run() {
  echo "== qgis_process run $*"
  "$QP" run "$@" 2>&1 | grep -v -e '^QStandardPaths' -e 'setapi() is deprecated' -e '^Warning 1: A geometry of type'
  return "${PIPESTATUS[0]}"
}

rm -f "$OUT"/*.gpkg
run ocs:reclassify --INPUT="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" --VINTAGES=2005,2015,2021 \
    --TARGETS=4,5,6 --OUTPUT="$OUT/ocs2d_postes_enaf.gpkg"
run ocs:urbanenvelope --INPUT="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" --VINTAGES=2005,2015,2021 \
    --OUTPUT="$OUT/enveloppe_urbaine.gpkg"
for year in 2018 2021; do
  run ocs:reclassify --INPUT="$SAMPLE/ocsge_$year.gpkg|layername=occupation_sol" --TARGETS=3,7,8 \
      --OUTPUT="$OUT/ocsge_${year}_artif.gpkg"
done

cat <<MSG

Demo outputs (styled: open them in QGIS, the style is stored in each GeoPackage):
  $OUT/ocs2d_postes_enaf.gpkg   4 postes, 21 postes, ENAF and NAF for 2005, 2015, 2021
  $OUT/enveloppe_urbaine.gpkg   enveloppe urbaine of each vintage
  $OUT/ocsge_2018_artif.gpkg    OCS GE 2018: OCS GE levels, artificialisation (matrix step), imperméabilisation
  $OUT/ocsge_2021_artif.gpkg    the same for 2021
MSG
