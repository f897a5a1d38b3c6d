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

rm -f "$OUT"/*.gpkg "$OUT"/*.html "$OUT"/*.csv
run ocs:reclassify --INPUT="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" --VINTAGES=2005,2015,2021 \
    --TARGETS=4,5,6 --OUTPUT="$OUT/ocs2d_postes_enaf.gpkg"
run ocs:urbanenvelope --INPUT="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" --VINTAGES=2005,2015,2021 \
    --OUTPUT="$OUT/enveloppe_urbaine.gpkg"
for year in 2018 2021; do
  run ocs:reclassify --INPUT="$SAMPLE/ocsge_$year.gpkg|layername=occupation_sol" --TARGETS=3,7,8 \
      --OUTPUT="$OUT/ocsge_${year}_artif.gpkg"
done
# Changes 2005 → 2015 → 2021 per commune, through the shipped model (reclassify with the spatial rules first)
run ocs:diagnostic_changements --ocs2d="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" \
    --communes="$SAMPLE/communes.gpkg|layername=communes" --insee=insee_com --compare=7 \
    --reclassify:postes_enaf="$OUT/diag_postes_enaf.gpkg" \
    --changedetection:changements="$OUT/changements_2005_2021.gpkg" \
    --transitionmatrix:matrices="$OUT/matrices_4postes.gpkg" \
    --transitionmatrix:rapport="$OUT/rapport_transitions.html" \
    --territoryflows:flux_communes="$OUT/flux_communes.gpkg"
# OCS GE 2018 → 2021: overlay of the two vintages, artificialisation per commune
OCSGE_PAIR=(--INPUT="$SAMPLE/ocsge_2018.gpkg|layername=occupation_sol"
            --INPUT_AFTER="$SAMPLE/ocsge_2021.gpkg|layername=occupation_sol" --TARGET=11
            --ZONES="$SAMPLE/communes.gpkg|layername=communes" --ZONE_FIELD=insee_com)
run ocs:changedetection "${OCSGE_PAIR[@]}" --OUTPUT="$OUT/ocsge_changements_2018_2021.gpkg"
run ocs:transitionmatrix "${OCSGE_PAIR[@]}" --OUTPUT="$OUT/ocsge_matrice_2018_2021.gpkg" \
    --REPORT="$OUT/ocsge_rapport_2018_2021.html"
run ocs:territoryflows "${OCSGE_PAIR[@]}" --OUTPUT="$OUT/ocsge_flux_communes_2018_2021.gpkg"
# ZAN: artificialisation with the thresholds for each vintage, flows and the 2021-2031 trajectory per commune
run ocs:diagnostic_zan --ocs2d="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" \
    --communes="$SAMPLE/communes.gpkg|layername=communes" --insee=insee_com \
    --reclassify:postes_enaf="$OUT/zan_postes_enaf.gpkg" \
    --artificialisation:artificialisation="$OUT/zan_artificialisation.gpkg" \
    --territoryflows:flux_communes="$OUT/zan_flux_communes.gpkg" \
    --zantrajectory:trajectoire_zan="$OUT/zan_trajectoire.gpkg" \
    --zantrajectory:rapport_zan="$OUT/rapport_zan.html"
run ocs:artificialisation --INPUT="$SAMPLE/ocsge_2021.gpkg|layername=occupation_sol" \
    --OUTPUT="$OUT/ocsge_2021_artificialisation_seuils.gpkg"
# Surchauffe: score on a 100 m grid and per commune, 2005 and 2021, and its change
run ocs:diagnostic_surchauffe --ocs="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" \
    --communes="$SAMPLE/communes.gpkg|layername=communes" --vintages=2005,2021 \
    --grille:surchauffe_grille="$OUT/surchauffe_grille.gpkg" \
    --communes:surchauffe_communes="$OUT/surchauffe_communes.gpkg"
# Friches: candidates of the sample territory with its context layers (sample/contexte_friches.gpkg)
CTX="$SAMPLE/contexte_friches.gpkg"
run ocs:observatoire_friches --ocs="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" \
    --communes="$SAMPLE/communes.gpkg|layername=communes" --mairies="$CTX|layername=mairies" \
    --gares="$CTX|layername=gares" --services="$CTX|layername=services" --inondation="$CTX|layername=inondation" \
    --plu="$CTX|layername=plu" --protege="$CTX|layername=protege" --pollution="$CTX|layername=pollution" \
    --friches:friches="$OUT/friches.gpkg" --friches:friches_cnig="$OUT/friches_cnig.csv"
# Carbon (ALDO): stocks per commune 2005, 2015, 2021 and the flows of each period, through the shipped model; OCS GE
# 2021 per commune with its polygons (stock per hectare, styled). OCS GE does not tell arable land from grassland:
# ARABLE_SHARE 83 % is the share of the sample's OCS2D 2021 (1,318.8 ha of cultures, 263.1 ha of grassland).
run ocs:diagnostic_carbone --ocs2d="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" \
    --communes="$SAMPLE/communes.gpkg|layername=communes" --insee=insee_com \
    --reclassify:postes_enaf="$OUT/carbone_postes_enaf.gpkg" \
    --carbon:stocks_carbone="$OUT/carbone_stocks_communes.gpkg" \
    --carbon:flux_carbone="$OUT/carbone_flux_communes.gpkg" --carbon:rapport_carbone="$OUT/rapport_carbone.html"
run ocs:carbon --INPUT="$SAMPLE/ocsge_2021.gpkg|layername=occupation_sol" \
    --ZONES="$SAMPLE/communes.gpkg|layername=communes" --ZONE_FIELD=insee_com \
    --OUTPUT="$OUT/ocsge_2021_carbone_communes.gpkg" --OUTPUT_FLOWS="$OUT/ocsge_2021_carbone_flux.gpkg" \
    --OUTPUT_POLYGONS="$OUT/ocsge_2021_carbone_polygones.gpkg" --ARABLE_SHARE=83
# Atlas: the portrait of each commune (PDF), an index, the indicators and the QGIS project with the layout
rm -rf "$OUT/atlas" "$OUT/atlas_portraits.pdf" "$OUT/atlas.qgz"
run ocs:atlas --INPUT="$SAMPLE/ocs2d_sample.gpkg|layername=ocs2d" \
    --ZONES="$SAMPLE/communes.gpkg|layername=communes" --ZONE_FIELD=insee_com --LANGUAGE=1 \
    --OUTPUT_FOLDER="$OUT/atlas" --OUTPUT_PDF="$OUT/atlas_portraits.pdf" \
    --OUTPUT_TABLE="$OUT/atlas_indicateurs.gpkg" --OUTPUT_PROJECT="$OUT/atlas.qgz"

cat <<MSG

Demo outputs (styled: open them in QGIS, the style is stored in each GeoPackage):
  $OUT/ocs2d_postes_enaf.gpkg   4 postes, 21 postes, ENAF and NAF for 2005, 2015, 2021
  $OUT/enveloppe_urbaine.gpkg   enveloppe urbaine of each vintage
  $OUT/ocsge_2018_artif.gpkg    OCS GE 2018: OCS GE levels, artificialisation (matrix step), imperméabilisation
  $OUT/ocsge_2021_artif.gpkg    the same for 2021
  $OUT/changements_2005_2021.gpkg     OCS2D change polygons 2005 → 2021 (4 postes), per commune, typed
  $OUT/matrices_4postes.gpkg          transition matrices 2005-2015, 2015-2021, 2005-2021 per commune
  $OUT/rapport_transitions.html       the matrices, Sankey diagrams and gains/losses (open in a browser)
  $OUT/flux_communes.gpkg             stocks and flows per commune: artificialisation, ENAF consumption, ha/year
  $OUT/ocsge_changements_2018_2021.gpkg, ocsge_matrice_2018_2021.gpkg, ocsge_rapport_2018_2021.html,
  $OUT/ocsge_flux_communes_2018_2021.gpkg   the same from the overlay of OCS GE 2018 and 2021
  $OUT/zan_artificialisation.gpkg      artificialisation (décret 2023-1096, matrix + thresholds) 2005, 2015, 2021
  $OUT/zan_trajectoire.gpkg            ENAF consumption per commune, reference 2011-2021, allowance 2021-2031
  $OUT/rapport_zan.html                the ZAN trajectory report (open in a browser)
  $OUT/ocsge_2021_artificialisation_seuils.gpkg   OCS GE 2021 with the thresholds (artif_2021, crit_seuil_2021)
  $OUT/surchauffe_grille.gpkg          surchauffe score 2005 and 2021 on a 100 m grid, with its change
  $OUT/surchauffe_communes.gpkg        the same per commune
  $OUT/friches.gpkg                    friche candidates: history, characteristics, Mutafriches indices, vocation
  $OUT/friches_cnig.csv                the same in the CNIG friches standard (Table Schema column order)
  $OUT/carbone_stocks_communes.gpkg    carbon stocks (soil, litter, biomass; tC, tC/ha, tCO2e) per commune, 2005-2021
  $OUT/carbone_flux_communes.gpkg      carbon flows per commune and period, by kind of change (negative = release)
  $OUT/rapport_carbone.html            the carbon report (open in a browser)
  $OUT/ocsge_2021_carbone_communes.gpkg, ocsge_2021_carbone_polygones.gpkg   OCS GE 2021: stocks per commune,
                                       polygons with their ALDO category and stock per hectare (styled)
  $OUT/atlas/                          one PDF portrait per commune and index.html (open in a browser)
  $OUT/atlas_portraits.pdf             every portrait in one PDF
  $OUT/atlas_indicateurs.gpkg          the indicators of the portraits per commune (definitions in the aliases)
  $OUT/atlas.qgz                       the QGIS project of the atlas: open it to edit the layout and re-export
MSG
