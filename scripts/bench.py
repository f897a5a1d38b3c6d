#!/usr/bin/env python3
"""Performance of ocs:reclassify, ocs:urbanenvelope, ocs:transitionmatrix and ocs:changedetection against their
bounds (issue targets) → BENCHMARKS.md.

    python scripts/bench.py                      # 1,000,000 polygons (make bench)
    python scripts/bench.py --quick              # 100,000 polygons, for trial runs
    python scripts/bench.py --n 250000 --update-baseline
    python scripts/bench.py --quick --profile    # cProfile of the plugin steps, top functions printed
    python scripts/bench.py --ref HEAD           # a commit exported with git archive, not the working tree
    python scripts/bench.py --snapshot           # a copy of the working tree, immune to edits during the run
    python scripts/bench.py --steps matrix_communes,native_matrix_communes   # a subset of the steps
    python scripts/bench.py --steps friches_200k,friches_1m --merge .build/bench/runs/<full run>.json
    python scripts/bench.py --doc-only --reference .build/bench/runs/<run>.json   # re-render BENCHMARKS.md
    python scripts/bench.py --doc-only --run-record .build/bench/runs/<run>.json  # ... from a run not in the baseline

Each measured step runs in a fresh process (this script with ``--run-step``), so its peak memory is its own:
the time is ``time.perf_counter()`` around the operation inside that process (QGIS start-up excluded, and
shown apart), the peak memory is that process's own (``VmHWM``; ``ru_maxrss`` off Linux), or ``ru_maxrss`` of its
``ogr2ogr`` child for the copy; ``os.wait4`` of the whole process tree is kept as a cross-check.

Processing steps run in a Python runner: QgsApplication (offscreen) + ``Processing.initialize()`` + the
``OcsProvider`` from ``.build/plugins/ocs_toolbox``, with a throwaway QGIS_CUSTOM_CONFIG_PATH. It is preferred
to ``qgis_process.bin run``: no profile / plugin-enable state, tracebacks instead of exit codes, cProfile, and
the native pipeline can chain temporary (memory) layers as a graphical model does.

Steps: copy (ogr2ogr, the I/O bound), reclassify_spatial (p4, p21, ENAF × 3 vintages: spatial rules),
reclassify_attr (artif + impermeable: attribute rules only), fieldcalc (native:fieldcalculator, one 4-postes
CASE), envelope_3 / envelope_1 (ocs:urbanenvelope, 3 vintages / 2021), native_envelope (extractbyexpression →
buffer 50 m dissolved → buffer −50 m → (drop fid) → multipart to singleparts → $area ≥ 10 ha), matrix_communes
(ocs:transitionmatrix 2005 → 2021, 4 postes, per commune) / native_matrix_communes (intersection with the communes →
$area → transition expression → statistics by categories), changes_overlay (ocs:changedetection of two
single-vintage layers of N/5 polygons) / native_intersection_pair (native:intersection of the same layers).
changes_overlay_indep / native_intersection_indep: the same with B replaced by an independent tessellation of
the same extent (no polygon shared with A: the general overlay).
The communes and the pair come from scripts/bench_changes_data.py (cached in .build/bench/ too).
artif_matrix / artif_thresholds (ocs:artificialisation 2021 without / with the reference thresholds), heat_grid
(ocs:heatisland 2021 on a 100 m square grid) / native_heat_grid (creategrid → intersection (cs21 × grid id) → $area
→ statistics by categories [id, cs21]), friches_200k / friches_1m (ocs:friches on N/5 and N polygons with every
context layer: communes, and the layers of scripts/bench_context_data.py, cached in .build/bench/context_<n>.gpkg),
reclassify_gpkg_200k / reclassify_pg_200k, artif_gpkg_200k / artif_pg_200k and changes_gpkg_200k / changes_pg_200k
(issue #17: reclassify_spatial, artif_thresholds and ocs:changedetection 2005 → 2021 in 4 postes on the N/5-polygon layer, GeoPackage → GeoPackage and PostGIS → PostGIS in one database; the PostGIS
steps run in a throwaway cluster started with tests/pgcluster.py, the layer loaded with ogr2ogr before them, not
timed, the cluster stopped and removed at the end).

``--merge <run record>`` (with ``--steps``): BENCHMARKS.md shows the steps of this run and, marked as such, the
other steps of the given run (e.g. the last full run), so that a partial run does not drop their figures.

Without ``--update-baseline`` the figures are compared with bench/baseline.json (same N) and the change in %
is printed. BENCHMARKS.md is rewritten above its notes marker on every run (not with ``--no-doc`` or
``--profile``); the data set comes from scripts/bench_data.py, generated once in .build/bench/.
"""
import argparse
import datetime
import json
import math
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.path.join(REPO, ".build")
PLUGINS = os.path.join(BUILD, "plugins")
BENCH_DIR = os.path.join(BUILD, "bench")
BASELINE = os.path.join(REPO, "bench", "baseline.json")
DOC = os.path.join(REPO, "BENCHMARKS.md")
NOTES_MARKER = "<!-- notes: everything below this line is kept by scripts/bench.py -->"
QGIS_PLUGINS = "/usr/share/qgis/python/plugins"
RESULT_TAG = "BENCH_RESULT "
QUICK_N = 100_000

sys.path.insert(0, HERE)
import bench_changes_data  # noqa: E402
import bench_context_data  # noqa: E402
import bench_data  # noqa: E402

LAYER = bench_data.LAYER

# The envelope members of core/rules.py _ocs2d_envelope, as a QGIS expression on cs21/us21.
ENVELOPE_EXPRESSION = (
    "(\"cs21\" LIKE 'CS1.1.%' AND left(\"us21\", 3) NOT IN ('US1', 'US4', 'US7'))"
    " OR left(\"us21\", 3) IN ('US2', 'US3', 'US5')"
    " OR \"us21\" IN ('US6.1.1', 'US6.2.1', 'US6.2.2', 'US6.2.3')"
    " OR (left(\"us21\", 5) IN ('US4.3', 'US4.4') AND \"cs21\" NOT LIKE 'CS3%')"
    " OR (left(\"us21\", 5) IN ('US4.1', 'US4.2') AND \"cs21\" = 'CS1.1.1')")


def p4_expression(yy):
    """4 postes from a handful of rules on csYY/usYY (what a user would type in the field calculator): the
    attribute rules only, none of the spatial rules of the OCS2D method."""
    return (
        "CASE"
        " WHEN left(\"us{y}\", 3) IN ('US2', 'US3', 'US5') OR left(\"us{y}\", 5) IN ('US6.1', 'US6.2') THEN 1"
        " WHEN left(\"us{y}\", 3) = 'US4' THEN 4"
        " WHEN \"cs{y}\" IN ('CS1.1.1', 'CS1.1.2') THEN 1"
        " WHEN left(\"us{y}\", 5) = 'US1.1' THEN 2"
        " ELSE 3 END").format(y=yy)


P4_EXPRESSION = p4_expression("21")
TRANSITION_EXPRESSION = "to_string(%s) || '>' || to_string(%s)" % (p4_expression("05"), p4_expression("21"))

STEPS = [
    ("copy", "ogr2ogr copy of the layer to a new GeoPackage (I/O bound)"),
    ("fieldcalc", "native:fieldcalculator, one CASE giving the 4 postes of 2021"),
    ("reclassify_attr", "ocs:reclassify TARGETS=[7, 8] (artificialisation, imperméabilisation) × 3 vintages: "
                        "attribute rules only"),
    ("reclassify_spatial", "ocs:reclassify TARGETS=[4, 5, 6] (4 postes, 21 postes, ENAF) × 3 vintages: "
                           "spatial rules included"),
    ("envelope_1", "ocs:urbanenvelope VINTAGES=2021"),
    ("envelope_3", "ocs:urbanenvelope, the 3 vintages"),
    ("native_envelope", "native pipeline, 2021: extractbyexpression → buffer 50 m dissolved → buffer −50 m bevel → "
                        "(deletecolumn fid) → multiparttosingleparts → extractbyexpression $area ≥ 100000"),
    ("matrix_communes", "ocs:transitionmatrix 2005 → 2021, 4 postes (TARGET=7), ZONES=communes, "
                        "ZONE_FIELD=insee_com"),
    ("native_matrix_communes", "native pipeline: intersection (cs05 us05 cs21 us21 × insee_com) → fieldcalculator "
                               "surface = $area → fieldcalculator transition = 4 postes 2005, '>', 4 postes 2021 "
                               "concatenated → qgis:statisticsbycategories [insee_com, transition] on surface"),
    ("changes_overlay", "ocs:changedetection INPUT=pair A (cs15/us15), INPUT_AFTER=pair B (cs21/us21), raw "
                        "couverture (TARGET=0), changed polygons only (the default)"),
    ("native_intersection_pair", "native:intersection pair A × pair B, all fields"),
    ("changes_overlay_indep", "ocs:changedetection INPUT=pair A (cs15/us15), INPUT_AFTER=B-indep (cs21/us21, an "
                              "independent tessellation of the same extent), raw couverture (TARGET=0), every piece "
                              "(ONLY_CHANGES=False)"),
    ("native_intersection_indep", "native:intersection pair A × B-indep, all fields"),
    ("artif_matrix", "ocs:artificialisation VINTAGES=2021, APPLY_THRESHOLDS=False (decree matrix only)"),
    ("artif_thresholds", "ocs:artificialisation VINTAGES=2021, APPLY_THRESHOLDS=True (matrix, then the reference "
                         "thresholds on the patches under 2,500 m²)"),
    ("heat_grid", "ocs:heatisland VINTAGES=2021, UNITS=0 (square grid), CELL_SIZE=100"),
    ("native_heat_grid", "native pipeline: creategrid 100 m (rectangles, extent of the layer) → intersection (cs21 × "
                         "grid id) → fieldcalculator area = $area → qgis:statisticsbycategories [id, cs21] on area"),
    ("reclassify_gpkg_200k", "ocs:reclassify as reclassify_spatial (TARGETS=[4, 5, 6] × 3 vintages) on the "
                             "N/5-polygon layer, GeoPackage → GeoPackage (the SQLite fast path)"),
    ("reclassify_pg_200k", "the same, PostGIS → PostGIS in one database (the push-down): the N/5-polygon layer "
                           "loaded into a throwaway PostgreSQL/PostGIS cluster before the step (not timed), the "
                           "output written there"),
    ("reclassify_gpkg_pg_200k", "the same, GeoPackage → PostGIS (the fast path to a temporary GeoPackage, then "
                                "loaded with GDAL's COPY), the output written in the cluster of reclassify_pg_200k"),
    ("reclassify_pg_gpkg_200k", "the same, PostGIS → GeoPackage (the table of reclassify_pg_200k copied to a "
                                "temporary GeoPackage with GDAL, then the fast path)"),
    ("copy_pg_200k", "ogr2ogr of the N/5-polygon layer GeoPackage → PostGIS (-lco SPATIAL_INDEX=GIST, PG_USE_COPY), "
                     "in the cluster of reclassify_pg_200k: the baseline of a bulk load"),
    ("artif_gpkg_200k", "ocs:artificialisation as artif_thresholds (VINTAGES=2021, APPLY_THRESHOLDS=True) on the "
                        "N/5-polygon layer, GeoPackage → GeoPackage"),
    ("artif_pg_200k", "the same, PostGIS → PostGIS in one database (generic path), in the cluster of "
                      "reclassify_pg_200k"),
    ("artif_gpkg_pg_200k", "the same, GeoPackage → PostGIS (written to a temporary GeoPackage, then loaded with "
                           "GDAL's COPY), in the cluster of reclassify_pg_200k"),
    ("artif_pg_gpkg_200k", "the same, PostGIS → GeoPackage (the table copied to a temporary GeoPackage with GDAL "
                           "and read there)"),
    ("changes_gpkg_200k", "ocs:changedetection FROM_VINTAGE=2005, TO_VINTAGE=2021, 4 postes (TARGET=7, spatial "
                          "rules), changed polygons only, on the N/5-polygon layer, GeoPackage → GeoPackage"),
    ("changes_pg_200k", "the same, PostGIS → PostGIS in one database (the push-down), in the cluster of "
                        "reclassify_pg_200k"),
    ("matrix_gpkg_200k", "ocs:transitionmatrix 2005 → 2021, 4 postes (TARGET=7), no zones, on the N/5-polygon "
                         "layer, GeoPackage → GeoPackage"),
    ("matrix_pg_200k", "the same, PostGIS → PostGIS (the polygons grouped by their codes in PostgreSQL), in the "
                       "cluster of reclassify_pg_200k"),
    ("heat_200k", "ocs:heatisland as heat_grid, on the N/5-polygon layer (its own territory, the layer of "
                  "friches_200k)"),
    ("native_heat_200k", "native pipeline of native_heat_grid on the N/5-polygon layer (grid on its extent)"),
    ("heat_pg_200k", "ocs:heatisland as heat_200k, PostGIS → PostGIS, in the cluster of reclassify_pg_200k"),
    ("friches_200k", "ocs:friches, N/5 polygons (its own territory), MIN_AREA_M2=1000, the 3 vintages, every "
                     "context layer"),
    ("friches_1m", "ocs:friches, N polygons, MIN_AREA_M2=1000, the 3 vintages, every context layer"),
    ("validate", "ocs:validate, every check (geometry, coverage, codes, pairs, neighbours, minimum mapping unit, "
                 "transitions), the 3 vintages"),
    ("native_checkvalidity", "native:checkvalidity METHOD=2 (GEOS; qgis:checkvalidity on QGIS 3.22), valid "
                             "features written to a GeoPackage"),
    ("carbon_communes", "ocs:carbon, the 3 vintages, ZONES=communes (INSEE codes: pedo-climatic zones), stocks and "
                        "flows per commune"),
    ("atlas_100", "ocs:atlas, 100 communes kept by ZONE_FILTER (a band of the territory), the 3 vintages, HEAT "
                  "(ocs:heatisland 2021, 100 m grid, whole layer) and FRICHES (ocs:friches, whole layer, the communes) "
                  "given, one PDF per commune"),
    ("atlas_100_inside", "ocs:atlas as atlas_100, HEAT and FRICHES not given (computed inside)"),
]
STEP_IDS = [s for s, _d in STEPS]
DESCRIPTION = dict(STEPS)
# Steps on other inputs than the N-polygon layer (no "× copy"): the pair of single-vintage layers.
PAIR_STEPS = ("changes_overlay", "native_intersection_pair")
# The pair A × B-indep (no polygon shared: the general overlay, issue #17).
INDEP_STEPS = ("changes_overlay_indep", "native_intersection_indep")
COMMUNE_STEPS = ("matrix_communes", "native_matrix_communes")
CARBON_STEPS = ("carbon_communes",)     # on the N-polygon layer, with the communes
ATLAS_STEPS = ("atlas_100", "atlas_100_inside")     # on the N-polygon layer, with the communes
ATLAS_ZONES = 100
FRICHES_STEPS = ("friches_200k", "friches_1m")
# heat_grid / native_heat_grid on the N/5-polygon layer (issue #17: the fast path's fixed cost below 10⁶)
HEAT_SMALL_STEPS = {"heat_200k": "heat_grid", "native_heat_200k": "native_heat_grid"}
PG_STEPS = ("reclassify_gpkg_200k", "reclassify_pg_200k", "reclassify_gpkg_pg_200k", "reclassify_pg_gpkg_200k",
            "copy_pg_200k", "artif_gpkg_200k", "artif_pg_200k", "artif_gpkg_pg_200k", "artif_pg_gpkg_200k",
            "changes_gpkg_200k", "changes_pg_200k", "matrix_gpkg_200k", "matrix_pg_200k",
            "heat_pg_200k")   # issue #17, N/5
# PostGIS in or out, in a throwaway cluster
PG_CLUSTER_STEPS = ("reclassify_pg_200k", "reclassify_gpkg_pg_200k", "reclassify_pg_gpkg_200k", "copy_pg_200k",
                    "artif_pg_200k", "artif_gpkg_pg_200k", "artif_pg_gpkg_200k", "changes_pg_200k", "matrix_pg_200k",
                    "heat_pg_200k")
GPKG_TO_PG_STEPS = ("reclassify_gpkg_pg_200k", "artif_gpkg_pg_200k")    # the input stays the GeoPackage
PG_TO_GPKG_STEPS = ("reclassify_pg_gpkg_200k", "artif_pg_gpkg_200k")    # the output stays a GeoPackage
COPY_STEPS = ("copy", "copy_pg_200k")     # ogr2ogr, not Processing
PG_TABLE = "ocs2d"        # the N/5-polygon layer in the throwaway cluster
OTHER_INPUT_STEPS = PAIR_STEPS + INDEP_STEPS + ("friches_200k",) + tuple(HEAT_SMALL_STEPS) + PG_STEPS
# Output figures: area of the geometries, or the sum of a field (ha = field × factor).
AREA_OUT = {"envelope_1": None, "envelope_3": None, "native_envelope": None, "changes_overlay": None,
            "native_intersection_pair": None, "changes_overlay_indep": None, "native_intersection_indep": None,
            "matrix_communes": ("surface_ha", 1.0),
            "native_matrix_communes": ("sum", 1e-4), "native_heat_grid": ("sum", 1e-4), "native_heat_200k": ("sum", 1e-4), "friches_200k": None,
            "friches_1m": None, "changes_gpkg_200k": None, "changes_pg_200k": None,
            "matrix_gpkg_200k": ("surface_ha", 1.0), "matrix_pg_200k": ("surface_ha", 1.0)}
# Outputs that are tables (rows), not features.
TABLE_STEPS = COMMUNE_STEPS + ("native_heat_grid", "native_heat_200k", "matrix_gpkg_200k", "matrix_pg_200k")
# Lines of the algorithm's log kept in the record (substrings).
LOG_KEEP = {
    "reclassify_gpkg_pg_200k": ("push-down not used", "features read and written", "Loading the output"),
    "reclassify_pg_gpkg_200k": ("features copied", "features read and written"),
    "reclassify_pg_200k": ("push-down", "features read and written"),
    "artif_gpkg_pg_200k": ("push-down not used", "features written", "Loading the output"),
    "artif_pg_gpkg_200k": ("features copied", "features written"),
    "artif_matrix": ("features written",),
    "artif_thresholds": ("Thresholds:", "the thresholds make", "features written", "repaired"),
    "heat_grid": ("pixels of", "burnt at", "outside every unit", "units with land cover written"),
    "heat_200k": ("pixels of", "burnt at", "outside every unit", "units with land cover written"),
    "friches_200k": ("candidate polygons", "sites from the land cover", "under MIN_AREA_M2", "sites written"),
    "friches_1m": ("candidate polygons", "sites from the land cover", "under MIN_AREA_M2", "sites written"),
    "carbon_communes": ("Area check", "tC/ha", "not in ALDO's commune table", "outside every commune"),
    "atlas_100": ("Conservation 2005-2021", "portrait(s) written"),
    "atlas_100_inside": ("Conservation 2005-2021", "burnt at", "candidate polygons", "friches sites found",
                         "portrait(s) written"),
}
HEAT_CELL = 100.0
SUBSTEP_TAG = "BENCH_SUBSTEP "
RUNNING_TAG = "BENCH_RUNNING "
STARTUP_TAG = "BENCH_STARTUP "


def pair_size(n):
    """Polygons per layer of the pair: N/5 (200,000 at 10⁶)."""
    return max(1000, n // 5)


def friches_size(step, n):
    """Polygons of the layer of a friches step: N/5 for friches_200k, N for friches_1m."""
    return pair_size(n) if step == "friches_200k" else n


PROFILE_STEPS = ["reclassify_attr", "reclassify_spatial", "envelope_3"]


# =============================================================================================================
# Runner side (a fresh process per step)
# =============================================================================================================

def _start_qgis(plugins=PLUGINS):
    from qgis.core import QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    if QGIS_PLUGINS not in sys.path:
        sys.path.append(QGIS_PLUGINS)
    from processing.core.Processing import Processing

    Processing.initialize()
    sys.path.insert(0, plugins)
    from ocs_toolbox.algorithms.provider import OcsProvider

    provider = OcsProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    import processing

    return app, provider, processing


def _feedback():
    from qgis.core import QgsProcessingFeedback

    class LogFeedback(QgsProcessingFeedback):
        lines = []

        def pushInfo(self, info):  # noqa: N802
            self.lines.append(info)
            print("  info:", info, file=sys.stderr, flush=True)

        def reportError(self, error, fatalError=False):  # noqa: N802
            print("  error:", error, file=sys.stderr, flush=True)

        def pushWarning(self, warning):  # noqa: N802
            print("  warning:", warning, file=sys.stderr, flush=True)

    return LogFeedback()


def _layer_stats(path, area=False, area_field=None):
    """Features and fields of the output; with ``area`` the area of its geometries (ha), or with
    ``area_field`` = (field, factor to ha) the sum of that field (a table)."""
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds = ogr.Open(path.split("|")[0])
    layer = ds.GetLayer(0)
    stats = {"features_out": layer.GetFeatureCount(), "fields_out": layer.GetLayerDefn().GetFieldCount()}
    if area_field:
        name, factor = area_field
        index = layer.GetLayerDefn().GetFieldIndex(name)
        total = 0.0
        for feature in layer:
            value = feature.GetField(index)
            if value is not None:
                total += value * factor
        stats["area_ha_out"] = round(total, 1)
    elif area:
        total = 0.0
        for feature in layer:
            geometry = feature.GetGeometryRef()
            if geometry is not None:
                total += geometry.GetArea()
        stats["area_ha_out"] = round(total / 1e4, 1)
    return stats


def _covered_stats(path):
    """ocs:changedetection's output without the land covered by one layer only: what native:intersection
    gives (features, ha), to compare areas."""
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds = ogr.Open(path.split("|")[0])
    layer = ds.GetLayer(0)
    layer.SetAttributeFilter("code_avant <> 'hors couverture' AND code_apres <> 'hors couverture'")
    count, total = 0, 0.0
    for feature in layer:
        geometry = feature.GetGeometryRef()
        if geometry is not None:
            count += 1
            total += geometry.GetArea()
    return {"covered_features_out": count, "covered_area_ha_out": round(total / 1e4, 2)}


def _extra_stats(step, path):
    """Step-specific figures of the output: polygons changed by the thresholds (crit_seuil_2021 = 1) and
    artificialised (artif_2021 = 1) for ocs:artificialisation."""
    if step == "changes_overlay_indep":
        return _covered_stats(path)
    if step not in ("artif_matrix", "artif_thresholds"):
        return {}
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    stats = {}
    for key, where in (("artif_2021", "artif_2021 = 1"), ("crit_seuil_2021", "crit_seuil_2021 = 1")):
        layer.SetAttributeFilter(where)
        stats[key] = layer.GetFeatureCount()
    layer.SetAttributeFilter(None)
    return stats


def _remove_tree(path):
    if os.path.isdir(path):
        shutil.rmtree(path)


def _atlas_given(spec, uri, processing):
    """(heat, friches) GeoPackages of the whole N-polygon layer for atlas_100, made once in .build/bench/ by
    ocs:heatisland (2021, 100 m grid) and ocs:friches (the communes, no context layer)."""
    paths = []
    for name, algorithm, parameters in (
            ("heat", "ocs:heatisland", {"INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "2021", "UNITS": 0,
                                        "CELL_SIZE": HEAT_CELL}),
            ("friches", "ocs:friches", {"INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "", "MIN_AREA_M2": 1000.0,
                                        "ZONES": "%s|layername=%s" % (spec["communes"],
                                                                      bench_changes_data.COMMUNES_LAYER),
                                        "ZONE_FIELD": bench_changes_data.ZONE_FIELD})):
        path = os.path.join(BENCH_DIR, "atlas_%s_%s.gpkg" % (name, os.path.basename(spec["input"])[:-5]))
        if not os.path.exists(path):
            print("bench: making %s (not measured)" % path, file=sys.stderr, flush=True)
            scratch = tempfile.mkdtemp(dir=BENCH_DIR)
            processing.run(algorithm, dict(parameters, OUTPUT=os.path.join(scratch, os.path.basename(path))))
            os.rename(os.path.join(scratch, os.path.basename(path)), path)
            shutil.rmtree(scratch)
        paths.append(path)
    return paths


def _remove(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def run_step(spec):
    """Run one step; print RESULT_TAG + json on stdout. ``spec``: step, input, out_dir, profile (path or None)."""
    step = spec["step"]
    source = spec["input"]
    if step in FRICHES_STEPS:
        source = spec["friches"][step]["input"]
    if step in HEAT_SMALL_STEPS:
        source = spec["heat_small"]["input"]
    if step in PG_STEPS:
        source = spec["small"]
    uri = "%s|layername=%s" % (source, LAYER)
    out = os.path.join(spec["out_dir"], step + ".gpkg")
    _remove(out)
    stats_of = out
    if step in PG_CLUSTER_STEPS:
        conninfo = spec["pg"]
        if step not in GPKG_TO_PG_STEPS:
            uri = '%s key=\'fid\' table="public"."%s" (geom)' % (conninfo, PG_TABLE)
        if step not in PG_TO_GPKG_STEPS:
            out = 'postgis:%s table="public"."%s" (geom)' % (conninfo, step)
            stats_of = "PG:%s tables=%s" % (conninfo, step)
    result = {"step": step}
    t_start = time.perf_counter()
    if step in COPY_STEPS:
        command = ["ogr2ogr", "-f", "GPKG", out, source, LAYER]
        if step == "copy_pg_200k":
            command = ["ogr2ogr", "-f", "PostgreSQL", "PG:" + conninfo, source, LAYER, "-nln", step, "-overwrite",
                       "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid", "-lco", "SPATIAL_INDEX=GIST", "-lco",
                       "LAUNDER=NO", "--config", "PG_USE_COPY", "YES"]
        t0 = time.perf_counter()
        subprocess.run(command, check=True)
        result["time_s"] = time.perf_counter() - t0
        result.update(_layer_stats(stats_of))
        result["command"] = " ".join(command).replace(conninfo, "<cluster>") if step == "copy_pg_200k" else \
            " ".join(command)
    else:
        app, _provider, processing = _start_qgis(spec.get("plugins", PLUGINS))
        from osgeo import gdal
        from qgis.core import Qgis

        import ocs_toolbox

        result["plugin_path"] = os.path.realpath(ocs_toolbox.__path__[0])
        result["qgis"] = Qgis.QGIS_VERSION
        result["gdal"] = gdal.__version__
        result["startup_s"] = time.perf_counter() - t_start
        print(STARTUP_TAG + json.dumps(round(result["startup_s"], 3)), flush=True)
        feedback = _feedback()
        if step in ATLAS_STEPS:
            _remove_tree(out[:-len(".gpkg")])
            if step == "atlas_100":     # the given layers, made once (not measured)
                spec = dict(spec, atlas_given=_atlas_given(spec, uri, processing))
        calls = _calls(step, uri, out, spec)
        profiler = None
        if spec.get("profile"):
            import cProfile

            profiler = cProfile.Profile()
        timings = []
        t0 = time.perf_counter()
        previous = None
        for label, algorithm, parameters in calls:
            parameters = {key: previous if value == "<previous>" else value for key, value in parameters.items()}
            print("running %s %s" % (algorithm, json.dumps(parameters, default=str)), file=sys.stderr, flush=True)
            print(RUNNING_TAG + json.dumps(label), flush=True)
            t1 = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            outputs = processing.run(algorithm, parameters, feedback=feedback)
            if profiler is not None:
                profiler.disable()
            timings.append((label, time.perf_counter() - t1))
            # each algorithm's time as it ends, so that a step killed by the timeout still tells how far it got
            print(SUBSTEP_TAG + json.dumps([label, round(timings[-1][1], 3)]), flush=True)
            previous = outputs.get("OUTPUT")   # native:checkvalidity has VALID_OUTPUT… instead
        result["time_s"] = time.perf_counter() - t0
        if len(timings) > 1:
            result["substeps"] = [[label, round(t, 3)] for label, t in timings]
        result.update(_layer_stats(stats_of, area=step in AREA_OUT, area_field=AREA_OUT.get(step)))
        result.update(_extra_stats(step, out))
        keep = LOG_KEEP.get(step)
        if keep:
            result["log"] = [line for line in feedback.lines if any(k in line for k in keep)]
        if profiler is not None:
            _print_profile(profiler, spec["profile"])
        del app
    own = _peak_rss_kib()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_mib_self"] = round(own / 1024.0, 1)
    result["peak_mib_children"] = round(children / 1024.0, 1)
    # The step's peak: ogr2ogr (the child) for the copy; this process for Processing steps (its only child is
    # the shell Processing forks at start-up to probe saga_cmd, whose maxrss is the inherited, shared RSS).
    result["peak_mib_step"] = result["peak_mib_children" if step in COPY_STEPS else "peak_mib_self"]
    print(RESULT_TAG + json.dumps(result), flush=True)
    sys.stderr.flush()
    os._exit(0)  # no QGIS teardown: it is not measured, and exitQgis() may crash offscreen


def _peak_rss_kib():
    """Peak resident memory of this process in KiB: VmHWM of /proc/self/status (Linux), which belongs to this
    program alone; else ru_maxrss, which Linux carries over exec from the parent's memory at fork (a bench that
    generated its data in the same invocation would lend its own size to the light steps)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _calls(step, uri, out, spec=None):
    """[(label, algorithm id, parameters)] of a Processing step; '<previous>' chains the previous output.
    ``spec`` gives the other inputs: communes (GeoPackage of the zones), pair_a / pair_b."""
    spec = spec or {}
    if step in HEAT_SMALL_STEPS:     # the same calls on the N/5-polygon layer and its extent
        return _calls(HEAT_SMALL_STEPS[step], uri, out, dict(spec, extent=spec["heat_small"]["extent"]))
    temporary = "TEMPORARY_OUTPUT"
    if step in COMMUNE_STEPS + CARBON_STEPS + ATLAS_STEPS:
        communes = "%s|layername=%s" % (spec["communes"], bench_changes_data.COMMUNES_LAYER)
    if step == "carbon_communes":
        return [("carbon", "ocs:carbon", {
            "INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "", "ZONES": communes,
            "ZONE_FIELD": bench_changes_data.ZONE_FIELD, "OUTPUT": out, "OUTPUT_FLOWS": temporary})]
    if step in ATLAS_STEPS:
        parameters = {
            "INPUT": uri, "NOMENCLATURE": 1, "ZONES": communes, "ZONE_FIELD": bench_changes_data.ZONE_FIELD,
            "ZONE_FILTER": "\"%s\" <= '%s%03d'" % (bench_changes_data.ZONE_FIELD, bench_changes_data.DEPARTEMENTS[0],
                                                   ATLAS_ZONES),
            "LANGUAGE": 1, "OUTPUT_FOLDER": out[:-len(".gpkg")], "OUTPUT_TABLE": out}
        if step == "atlas_100":
            heat_path, friches_path = spec["atlas_given"]
            parameters.update(HEAT=heat_path + "|layername=" + os.path.basename(heat_path)[:-5],
                              FRICHES=friches_path + "|layername=" + os.path.basename(friches_path)[:-5])
        return [("atlas", "ocs:atlas", parameters)]
    if step in PAIR_STEPS + INDEP_STEPS:
        pair_a = "%s|layername=%s" % (spec["pair_a"], bench_changes_data.PAIR_LAYERS[0])
        pair_b = "%s|layername=%s" % (spec["pair_b"], bench_changes_data.PAIR_LAYERS[1])
    if step == "matrix_communes":
        return [("transitionmatrix", "ocs:transitionmatrix", {
            "INPUT": uri, "NOMENCLATURE": 1, "FROM_VINTAGE": "2005", "TO_VINTAGE": "2021", "TARGET": 7,
            "ZONES": communes, "ZONE_FIELD": bench_changes_data.ZONE_FIELD, "OUTPUT": out})]
    if step == "native_matrix_communes":
        return [
            ("intersection with the communes", "native:intersection", {
                "INPUT": uri, "OVERLAY": communes, "INPUT_FIELDS": ["cs05", "us05", "cs21", "us21"],
                "OVERLAY_FIELDS": [bench_changes_data.ZONE_FIELD], "OVERLAY_FIELDS_PREFIX": "",
                "OUTPUT": temporary}),
            ("fieldcalculator surface", "native:fieldcalculator", {
                "INPUT": "<previous>", "FIELD_NAME": "surface", "FIELD_TYPE": 0, "FIELD_LENGTH": 0,
                "FIELD_PRECISION": 0, "FORMULA": "$area", "OUTPUT": temporary}),
            ("fieldcalculator transition", "native:fieldcalculator", {
                "INPUT": "<previous>", "FIELD_NAME": "transition", "FIELD_TYPE": 2, "FIELD_LENGTH": 0,
                "FIELD_PRECISION": 0, "FORMULA": TRANSITION_EXPRESSION, "OUTPUT": temporary}),
            ("statisticsbycategories", "qgis:statisticsbycategories", {
                "INPUT": "<previous>", "VALUES_FIELD_NAME": "surface",
                "CATEGORIES_FIELD_NAME": [bench_changes_data.ZONE_FIELD, "transition"], "OUTPUT": out}),
        ]
    if step in ("artif_gpkg_200k", "artif_pg_200k", "artif_gpkg_pg_200k", "artif_pg_gpkg_200k"):
        return _calls("artif_thresholds", uri, out, spec)
    if step == "heat_pg_200k":
        return _calls("heat_grid", uri, out, spec)
    if step in ("matrix_gpkg_200k", "matrix_pg_200k"):
        return [("transitionmatrix", "ocs:transitionmatrix", {
            "INPUT": uri, "NOMENCLATURE": 1, "FROM_VINTAGE": "2005", "TO_VINTAGE": "2021", "TARGET": 7,
            "OUTPUT": out})]
    if step in ("changes_gpkg_200k", "changes_pg_200k"):
        return [("changedetection", "ocs:changedetection", {
            "INPUT": uri, "NOMENCLATURE": 1, "FROM_VINTAGE": "2005", "TO_VINTAGE": "2021", "TARGET": 7,
            "OUTPUT": out})]
    if step in ("artif_matrix", "artif_thresholds"):
        return [("artificialisation", "ocs:artificialisation", {
            "INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "2021", "APPLY_THRESHOLDS": step == "artif_thresholds",
            "OUTPUT": out})]
    if step == "heat_grid":
        return [("heatisland", "ocs:heatisland", {
            "INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "2021", "UNITS": 0, "CELL_SIZE": HEAT_CELL,
            "OUTPUT": out})]
    if step == "native_heat_grid":
        xmin, xmax, ymin, ymax = spec["extent"]
        return [
            ("creategrid", "native:creategrid", {
                "TYPE": 2, "EXTENT": "%f,%f,%f,%f [EPSG:2154]" % (xmin, xmax, ymin, ymax), "HSPACING": HEAT_CELL,
                "VSPACING": HEAT_CELL, "HOVERLAY": 0, "VOVERLAY": 0, "CRS": "EPSG:2154", "OUTPUT": temporary}),
            ("intersection with the grid", "native:intersection", {
                "INPUT": uri, "OVERLAY": "<previous>", "INPUT_FIELDS": ["cs21"], "OVERLAY_FIELDS": ["id"],
                "OVERLAY_FIELDS_PREFIX": "", "OUTPUT": temporary}),
            ("fieldcalculator area", "native:fieldcalculator", {
                "INPUT": "<previous>", "FIELD_NAME": "area", "FIELD_TYPE": 0, "FIELD_LENGTH": 0,
                "FIELD_PRECISION": 0, "FORMULA": "$area", "OUTPUT": temporary}),
            ("statisticsbycategories", "qgis:statisticsbycategories", {
                "INPUT": "<previous>", "VALUES_FIELD_NAME": "area", "CATEGORIES_FIELD_NAME": ["id", "cs21"],
                "OUTPUT": out}),
        ]
    if step in FRICHES_STEPS:
        inputs = spec["friches"][step]
        context = inputs["context"]

        def layer(name):
            return "%s|layername=%s" % (context, bench_context_data.LAYERS[name])
        return [("friches", "ocs:friches", {
            "INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "", "MIN_AREA_M2": 1000.0,
            "ZONES": "%s|layername=%s" % (inputs["communes"], bench_changes_data.COMMUNES_LAYER),
            "ZONE_FIELD": bench_changes_data.ZONE_FIELD, "TOWN_HALLS": layer("TOWN_HALLS"),
            "STATIONS": layer("STATIONS"), "SERVICES": layer("SERVICES"),
            "SERVICES_TYPE_FIELD": bench_context_data.SERVICES_FIELD, "FLOOD": layer("FLOOD"),
            "ZONING": layer("ZONING"), "ZONING_TYPE_FIELD": bench_context_data.ZONING_FIELD,
            "PROTECTED": layer("PROTECTED"), "POLLUTION": layer("POLLUTION"), "OUTPUT": out})]
    if step == "changes_overlay":
        return [("changedetection", "ocs:changedetection", {
            "INPUT": pair_a, "INPUT_AFTER": pair_b, "NOMENCLATURE": 1, "TARGET": 0, "OUTPUT": out})]
    if step == "native_intersection_pair":
        return [("intersection", "native:intersection", {"INPUT": pair_a, "OVERLAY": pair_b, "OUTPUT": out})]
    if step in INDEP_STEPS:
        indep = "%s|layername=%s" % (spec["indep"], bench_changes_data.INDEP_LAYER)
        if step == "changes_overlay_indep":
            return [("changedetection", "ocs:changedetection", {
                "INPUT": pair_a, "INPUT_AFTER": indep, "NOMENCLATURE": 1, "TARGET": 0, "ONLY_CHANGES": False,
                "OUTPUT": out})]
        return [("intersection", "native:intersection", {"INPUT": pair_a, "OVERLAY": indep, "OUTPUT": out})]
    if step == "validate":
        return [("validate", "ocs:validate", {"INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "", "OUTPUT": out,
                                              "OUTPUT_SUMMARY": temporary})]
    if step == "native_checkvalidity":
        from qgis.core import QgsApplication

        # the C++ port (QGIS ≥ 3.28) or the Python algorithm of 3.22, same parameters
        native = QgsApplication.processingRegistry().algorithmById("native:checkvalidity") is not None
        return [("checkvalidity", "native:checkvalidity" if native else "qgis:checkvalidity", {
            "INPUT_LAYER": uri, "METHOD": 2, "IGNORE_RING_SELF_INTERSECTION": False, "VALID_OUTPUT": out,
            "INVALID_OUTPUT": temporary, "ERROR_OUTPUT": temporary})]
    if step == "fieldcalc":
        return [("fieldcalculator", "native:fieldcalculator", {
            "INPUT": uri, "FIELD_NAME": "p4_2021", "FIELD_TYPE": 1, "FIELD_LENGTH": 0, "FIELD_PRECISION": 0,
            "FORMULA": P4_EXPRESSION, "OUTPUT": out})]
    if step == "reclassify_attr":
        return [("reclassify", "ocs:reclassify", {"INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "",
                                                  "TARGETS": [7, 8], "OUTPUT": out})]
    if step in ("reclassify_spatial", "reclassify_gpkg_200k", "reclassify_pg_200k", "reclassify_gpkg_pg_200k",
                "reclassify_pg_gpkg_200k"):
        return [("reclassify", "ocs:reclassify", {"INPUT": uri, "NOMENCLATURE": 1, "VINTAGES": "",
                                                  "TARGETS": [4, 5, 6], "OUTPUT": out})]
    if step == "envelope_1":
        return [("urbanenvelope", "ocs:urbanenvelope", {"INPUT": uri, "VINTAGES": "2021", "BUFFER": 50.0,
                                                        "MIN_AREA_HA": 10.0, "OUTPUT": out})]
    if step == "envelope_3":
        return [("urbanenvelope", "ocs:urbanenvelope", {"INPUT": uri, "VINTAGES": "", "BUFFER": 50.0,
                                                        "MIN_AREA_HA": 10.0, "OUTPUT": out})]
    if step == "native_envelope":
        return [
            ("extractbyexpression members", "native:extractbyexpression", {
                "INPUT": uri, "EXPRESSION": ENVELOPE_EXPRESSION, "OUTPUT": temporary}),
            ("buffer +50 m dissolved", "native:buffer", {
                "INPUT": "<previous>", "DISTANCE": 50.0, "SEGMENTS": 8, "END_CAP_STYLE": 0, "JOIN_STYLE": 0,
                "MITER_LIMIT": 2.0, "DISSOLVE": True, "OUTPUT": temporary}),
            # bevel joins on the erosion (JOIN_STYLE 2), as Geo2France's script and ocs:urbanenvelope
            ("buffer -50 m", "native:buffer", {
                "INPUT": "<previous>", "DISTANCE": -50.0, "SEGMENTS": 8, "END_CAP_STYLE": 0, "JOIN_STYLE": 2,
                "MITER_LIMIT": 2.0, "DISSOLVE": False, "OUTPUT": temporary}),
            # the dissolved feature carries the source's fid attribute, which the parts would share: the
            # GeoPackage writer refuses duplicate fids, so a user's model has to drop it (1 feature, negligible)
            ("deletecolumn fid", "native:deletecolumn", {
                "INPUT": "<previous>", "COLUMN": ["fid"], "OUTPUT": temporary}),
            ("multiparttosingleparts", "native:multiparttosingleparts", {
                "INPUT": "<previous>", "OUTPUT": temporary}),
            ("extractbyexpression area", "native:extractbyexpression", {
                "INPUT": "<previous>", "EXPRESSION": "$area >= 100000", "OUTPUT": out}),
        ]
    raise SystemExit("unknown step %s" % step)


def _print_profile(profiler, path):
    import io
    import pstats

    profiler.dump_stats(path)
    for order in ("tottime", "cumulative"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.strip_dirs().sort_stats(order).print_stats(30)
        print("---- profile by %s (%s) ----" % (order, path), file=sys.stderr)
        print(stream.getvalue(), file=sys.stderr, flush=True)


# =============================================================================================================
# Driver side
# =============================================================================================================

def measure(step, spec, env, log_path, timeout):
    """Run a step in a fresh process: (result dict, status)."""
    command = [sys.executable, os.path.abspath(__file__), "--run-step", json.dumps(dict(spec, step=step))]
    with open(log_path, "w") as log:
        t0 = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        status = "ok"
        while True:
            pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if timeout and time.perf_counter() - t0 > timeout:
                os.killpg(process.pid, signal.SIGKILL)  # the step's own process group only
                pid, wait_status, usage = os.wait4(process.pid, 0)
                status = "timeout"
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        process.returncode = os.waitstatus_to_exitcode(wait_status)
    result = {}
    substeps, running, startup = [], None, None
    with open(log_path) as log:
        for line in log:
            if line.startswith(RESULT_TAG):
                result = json.loads(line[len(RESULT_TAG):])
            elif line.startswith(SUBSTEP_TAG):
                substeps.append(json.loads(line[len(SUBSTEP_TAG):]))
                running = None
            elif line.startswith(RUNNING_TAG):
                running = json.loads(line[len(RUNNING_TAG):])
            elif line.startswith(STARTUP_TAG):
                startup = json.loads(line[len(STARTUP_TAG):])
    if not result:  # killed or failed: the algorithms that ended, and the one that was running (about how long)
        if substeps:
            result["substeps"] = substeps
        if running:
            elapsed = wall - (startup or 0.0) - sum(t for _label, t in substeps)
            result["running_at_end"] = [running, round(elapsed, 1)]
    if status == "ok" and (process.returncode != 0 or not result):
        status = "failed (exit %s, see %s)" % (process.returncode, os.path.relpath(log_path, REPO))
    result["status"] = status
    result["wall_s"] = wall
    result["peak_mib_process"] = round(usage.ru_maxrss / 1024.0, 1)  # the step process and its children
    result["peak_mib"] = result.get("peak_mib_step", result["peak_mib_process"])
    result["loadavg_end"] = round(os.getloadavg()[0], 2)
    if status == "timeout":
        result["time_s"] = None
    return result


def _git(*args):
    return subprocess.run(["git", "-C", REPO] + list(args), check=True, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout.rstrip()


# What the plugin code is made of, for the record (the working tree may change while a long run goes on).
CODE_PATHS = ["algorithms", "core", "resources", "compat.py", "__init__.py", "__about__.py", "metadata.txt",
              "plugin.py"]


def export_ref(ref):
    """``git archive`` of ``ref`` into .build/bench/src/<commit>/ocs_toolbox: (plugins dir, commit)."""
    commit = _git("rev-parse", "--verify", ref + "^{commit}")
    target = os.path.join(BENCH_DIR, "src", commit[:12])
    if not os.path.exists(os.path.join(target, "ocs_toolbox", "metadata.txt")):
        partial = target + ".part"
        shutil.rmtree(partial, ignore_errors=True)
        os.makedirs(partial)
        archive = subprocess.Popen(["git", "-C", REPO, "archive", "--prefix=ocs_toolbox/", commit],
                                   stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", partial], stdin=archive.stdout, check=True)
        if archive.wait() != 0:
            raise SystemExit("bench: git archive %s failed" % commit)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)
    return target, commit


def snapshot_working_tree():
    """Copy of the working tree (tracked and untracked, not ignored files) into
    .build/bench/src/wt-<fingerprint>/ocs_toolbox, so that edits made while the steps run do not change what is
    measured: (plugins dir, code info)."""
    code = code_info()
    name = "wt-%s-%s" % (code["commit"], code.get("fingerprint", "clean"))
    target = os.path.join(BENCH_DIR, "src", name)
    files = [f for f in _git("ls-files", "-co", "--exclude-standard").splitlines() if f]
    if not os.path.exists(os.path.join(target, "ocs_toolbox", "metadata.txt")):
        partial = target + ".part"
        shutil.rmtree(partial, ignore_errors=True)
        for path in files:
            source = os.path.join(REPO, path)
            if not os.path.isfile(source):
                continue          # deleted in the working tree
            destination = os.path.join(partial, "ocs_toolbox", path)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copy2(source, destination)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)
    again = code_info()
    if again != code:
        raise SystemExit("bench: the working tree changed while it was copied; run again")
    return target, dict(code, source="working tree snapshot")


def code_info(ref_commit=None):
    """{'source', 'commit', 'modified'}: the commit measured, and uncommitted changes of the plugin code."""
    try:
        if ref_commit:
            return {"source": "git archive", "commit": ref_commit[:12], "modified": []}
        status = _git("status", "--porcelain", "--", *CODE_PATHS)
        modified = sorted(line[3:] for line in status.splitlines() if line.strip())
        info = {"source": "working tree", "commit": _git("rev-parse", "--short=12", "HEAD"), "modified": modified}
        if modified:
            info["fingerprint"] = fingerprint(modified)
        return info
    except (OSError, subprocess.CalledProcessError):
        return {"source": "unknown", "commit": None, "modified": []}


def fingerprint(paths):
    """12 hex digits of a SHA-1 of the uncommitted files' contents: which working-tree state was measured."""
    import hashlib

    digest = hashlib.sha1()
    files = []
    for path in paths:
        full = os.path.join(REPO, path)
        if os.path.isdir(full):
            for root, _dirs, names in os.walk(full):
                files += [os.path.relpath(os.path.join(root, name), REPO) for name in names]
        else:
            files.append(path)
    for path in sorted(files):
        digest.update(path.encode("utf-8") + b"\0")
        try:
            with open(os.path.join(REPO, path), "rb") as handle:
                digest.update(handle.read())
        except OSError:
            digest.update(b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def code_text(code):
    if not code or not code.get("commit"):
        return "unknown (not a git checkout)"
    if code["source"] == "git archive":
        return "commit %s, exported with `git archive` (`--ref`)" % code["commit"]
    if code["modified"]:
        return "working tree%s at commit %s, with uncommitted changes%s in %s" % (
            " (copied before the run with `--snapshot`)" if code["source"] == "working tree snapshot" else "",
            code["commit"], " (content fingerprint %s)" % code["fingerprint"] if code.get("fingerprint") else "",
            ", ".join("`%s`" % m for m in code["modified"]))
    return "working tree%s at commit %s (no uncommitted change in the plugin code)" % (
        " (copied before the run with `--snapshot`)" if code["source"] == "working tree snapshot" else "",
        code["commit"])


def machine_info():
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "os": platform.platform()}
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    info["ram_gib"] = round(int(line.split()[1]) / 1024.0 / 1024.0, 1)
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/etc/debian_version") as handle:
            info["debian"] = handle.read().strip()
    except OSError:
        pass
    info["loadavg_start"] = round(os.getloadavg()[0], 2)
    return info


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def step_time(results, step):
    entry = results.get(step)
    if not entry or entry.get("status") != "ok":
        return None
    return entry.get("time_s")


def targets(results, n=None):
    """[(target, measured text, met True/False/None)] — the issue's targets (``n``: polygons of the layer)."""
    t = {s: step_time(results, s) for s in STEP_IDS}

    def missing(*steps):
        failed = [s for s in steps if s in results and results[s].get("status") != "ok"]
        return ("%s %s" % (", ".join(failed), results[failed[0]].get("status", "failed").split(" (")[0])
                if failed else "not measured")

    rows = []
    r = ratio(t["reclassify_attr"], t["copy"])
    rows.append(("ocs:reclassify, attribute rules ≤ 1.5 × copy (proxy: TARGETS=[7, 8])",
                 "%.2f × copy" % r if r else missing("copy", "reclassify_attr"), None if r is None else r <= 1.5))
    r = ratio(t["reclassify_spatial"], t["copy"])
    rows.append(("ocs:reclassify with spatial rules (p4, p21, ENAF) ≤ 3 × copy",
                 "%.2f × copy" % r if r else missing("copy", "reclassify_spatial"),
                 None if r is None else r <= 3.0))
    r = ratio(t["reclassify_attr"], t["fieldcalc"])
    r2 = ratio(t["reclassify_spatial"], t["fieldcalc"])
    text = missing("fieldcalc", "reclassify_attr")
    if r:
        text = "attribute rules %.2f × field calculator" % r
        if r2:
            text += " (with spatial rules %.2f ×)" % r2
    rows.append(("ocs:reclassify faster than the field calculator", text, None if r is None else r < 1.0))
    r = ratio(t["native_envelope"], t["envelope_1"])
    rows.append(("ocs:urbanenvelope ≥ 2 × faster than the native pipeline (one vintage)",
                 "native pipeline / urbanenvelope = %.2f" % r if r else missing("native_envelope", "envelope_1"),
                 None if r is None else r >= 2.0))
    # a failed step's peak counts too: it is a lower bound of what the step needs
    peaks = [(s if results[s].get("status") == "ok" else s + ", failed run", results[s]["peak_mib"])
             for s in ("reclassify_attr", "reclassify_spatial", "envelope_1", "envelope_3")
             if s in results and results[s].get("peak_mib")]
    label = "peak memory < 2 GB of the ocs steps (read as 2 GiB = 2048 MiB)"
    if peaks:
        step, peak = max(peaks, key=lambda item: item[1])
        rows.append((label, "%.0f MiB = %.2f × 10⁹ bytes (%s)" % (peak, peak * 1048576 / 1e9, step),
                     peak < 2048.0))
    else:
        rows.append((label, "not measured", None))
    size = "{:,}".format(n) if n else "N"
    r = ratio(t["native_matrix_communes"], t["matrix_communes"])
    rows.append(("ocs:transitionmatrix 2005 → 2021, 4 postes per commune, %s polygons: ≥ 5 × faster than the "
                 "native pipeline" % size,
                 "native pipeline / transitionmatrix = %.2f" % r if r else missing("native_matrix_communes",
                                                                                    "matrix_communes"),
                 None if r is None else r >= 5.0))
    pair = "{:,}".format(pair_size(n)) if n else "N/5"
    r = ratio(t["native_intersection_pair"], t["changes_overlay"])
    rows.append(("ocs:changedetection, two layers of %s polygons: ≥ 3 × faster than native:intersection" % pair,
                 "native:intersection / changedetection = %.2f" % r if r else missing("native_intersection_pair",
                                                                                     "changes_overlay"),
                 None if r is None else r >= 3.0))
    r = ratio(t.get("native_intersection_indep"), t.get("changes_overlay_indep"))
    rows.append(("ocs:changedetection, two independent tessellations of %s polygons: ≥ 3 × faster than "
                 "native:intersection" % pair,
                 "native:intersection / changedetection = %.2f" % r if r else missing("native_intersection_indep",
                                                                                     "changes_overlay_indep"),
                 None if r is None else r >= 3.0))
    label = "ocs:changedetection, two layers of %s polygons: peak memory < 2 GB (read as 2 GiB = 2048 MiB)" % pair
    entry = results.get("changes_overlay")
    if entry and entry.get("peak_mib"):
        peak = entry["peak_mib"]
        rows.append((label, "%.0f MiB = %.2f × 10⁹ bytes%s" % (
            peak, peak * 1048576 / 1e9, "" if entry.get("status") == "ok" else " (failed run)"), peak < 2048.0))
    else:
        rows.append((label, "not measured", None))

    r = ratio(t.get("validate"), t.get("native_checkvalidity"))
    rows.append(("ocs:validate, every check, %s polygons: ≤ 3 × native:checkvalidity (GEOS)" % size,
                 "validate / checkvalidity = %.2f" % r if r else missing("validate", "native_checkvalidity"),
                 None if r is None else r <= 3.0))

    def peak_row(label, steps):
        """Peak memory < 2 GiB of ``steps`` (the highest; a failed run's peak is a lower bound)."""
        peaks = [(s if results[s].get("status") == "ok" else s + ", failed run", results[s]["peak_mib"])
                 for s in steps if s in results and results[s].get("peak_mib")]
        if not peaks:
            return (label, "not measured", None)
        step, peak = max(peaks, key=lambda item: item[1])
        return (label, "%.0f MiB = %.2f × 10⁹ bytes (%s)" % (peak, peak * 1048576 / 1e9, step), peak < 2048.0)

    matrix, thresholds = t["artif_matrix"], t["artif_thresholds"]
    r = (thresholds - matrix) / matrix if matrix and thresholds is not None else None
    rows.append(("ocs:artificialisation 2021, %s polygons: the threshold step costs at most 3 × the matrix step, "
                 "(t thresholds − t matrix) / t matrix ≤ 3" % size,
                 "(%.1f − %.1f) / %.1f = %.2f" % (thresholds, matrix, matrix, r) if r is not None
                 else missing("artif_matrix", "artif_thresholds"), None if r is None else r <= 3.0))
    rows.append(peak_row("ocs:artificialisation with the thresholds: peak memory < 2 GB (read as 2 GiB = 2048 MiB)",
                         ["artif_thresholds"]))
    for heat_step, native_step, polygons in (("heat_grid", "native_heat_grid", size),
                                             ("heat_200k", "native_heat_200k",
                                              "{:,}".format(pair_size(n)) if n else "N/5")):
        r = ratio(t[native_step], t[heat_step])
        text = "native pipeline / heatisland = %.2f" % r if r else missing(native_step, heat_step)
        native = results.get(native_step, {})
        if r is None and t[heat_step] and native.get("status") == "timeout":
            # a lower bound: the native pipeline ran at least this long
            text = "native pipeline killed at the timeout after %.0f s: > %.1f × heatisland" % (
                native["wall_s"], native["wall_s"] / t[heat_step])
            r = native["wall_s"] / t[heat_step]
        rows.append(("ocs:heatisland 2021, 100 m grid, %s polygons: ≥ 10 × faster than the native pipeline" % (
            polygons), text, None if r is None else r >= 10.0))
    rows.append(peak_row("ocs:heatisland: peak memory < 2 GB (read as 2 GiB = 2048 MiB)", ["heat_grid", "heat_200k"]))
    r = ratio(t["friches_1m"], t["friches_200k"])
    small, large = ("{:,}".format(friches_size(s, n)) if n else s for s in FRICHES_STEPS)
    rows.append(("ocs:friches with every context layer: near-linear growth, %s polygons ≤ 6 × the time of %s "
                 "polygons" % (large, small),
                 "%.1f s / %.1f s = %.2f" % (t["friches_1m"], t["friches_200k"], r) if r
                 else missing("friches_200k", "friches_1m"), None if r is None else r <= 6.0))
    rows.append(peak_row("ocs:friches: peak memory < 2 GB (read as 2 GiB = 2048 MiB)", list(FRICHES_STEPS)))
    r = ratio(t["reclassify_pg_200k"], t["reclassify_gpkg_200k"])
    rows.append(("ocs:reclassify with spatial rules, %s polygons: PostGIS → PostGIS ≤ 1.5 × GeoPackage → "
                 "GeoPackage (issue #17)" % ("{:,}".format(pair_size(n)) if n else "N/5"),
                 "%.1f s / %.1f s = %.2f" % (t["reclassify_pg_200k"], t["reclassify_gpkg_200k"], r) if r
                 else missing(*PG_STEPS), None if r is None else r <= 1.5))
    r = ratio(t["artif_pg_200k"], t["artif_gpkg_200k"])
    rows.append(("ocs:artificialisation with the thresholds, %s polygons: PostGIS → PostGIS ≤ 1.5 × GeoPackage → "
                 "GeoPackage (issue #17)" % ("{:,}".format(pair_size(n)) if n else "N/5"),
                 "%.1f s / %.1f s = %.2f" % (t["artif_pg_200k"], t["artif_gpkg_200k"], r) if r
                 else missing("artif_gpkg_200k", "artif_pg_200k"), None if r is None else r <= 1.5))
    r = ratio(t["changes_pg_200k"], t["changes_gpkg_200k"])
    rows.append(("ocs:changedetection 2005 → 2021, 4 postes, %s polygons: PostGIS → PostGIS ≤ 1.5 × GeoPackage → "
                 "GeoPackage (issue #17)" % ("{:,}".format(pair_size(n)) if n else "N/5"),
                 "%.1f s / %.1f s = %.2f" % (t["changes_pg_200k"], t["changes_gpkg_200k"], r) if r
                 else missing("changes_gpkg_200k", "changes_pg_200k"), None if r is None else r <= 1.5))
    r = ratio(t["carbon_communes"], t["reclassify_attr"])
    rows.append(("ocs:carbon per commune, 3 vintages ≤ 2 × ocs:reclassify attribute rules (issue #19)",
                 "%.2f × reclassify_attr" % r if r else missing("reclassify_attr", "carbon_communes"),
                 None if r is None else r <= 2.0))
    for step, limit, what in (("atlas_100", 180.0, "flows, friches and heat given"),
                              ("atlas_100_inside", 600.0, "friches and heat computed inside")):
        rows.append(("ocs:atlas, portraits of %d communes, %s: < %.0f min" % (ATLAS_ZONES, what, limit / 60),
                     "%.1f s" % t[step] if t[step] else missing(step), None if not t[step] else t[step] < limit))
    return rows


def _load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_baseline():
    if not os.path.exists(BASELINE):
        return {}
    with open(BASELINE, encoding="utf-8") as handle:
        return json.load(handle)


def compare(results, baseline_run):
    """{step: (time change %, peak change %)} against a baseline run of the same N."""
    changes = {}
    for step, entry in results.items():
        old = (baseline_run or {}).get("steps", {}).get(step)
        if not old or entry.get("status") != "ok" or old.get("status") != "ok":
            continue
        dt = 100.0 * (entry["time_s"] - old["time_s"]) / old["time_s"] if old.get("time_s") else None
        dm = 100.0 * (entry["peak_mib"] - old["peak_mib"]) / old["peak_mib"] if old.get("peak_mib") else None
        changes[step] = (dt, dm)
    return changes


def fmt(value, pattern="%.2f"):
    return "—" if value is None else pattern % value


def status_text(met):
    return {True: "**met**", False: "**not met**", None: "not measured"}[met]


def merge_runs(run, record_path):
    """The run with the steps it did not measure taken from the run record ``record_path`` (same N), for the
    document: {'merged': {record, date, code, repeat, steps}} says which steps come from there."""
    other = _load_json(record_path)
    if other.get("n") != run["n"]:
        raise SystemExit("bench: --merge %s is a run of N=%s, not %s" % (record_path, other.get("n"), run["n"]))
    taken = [step for step in STEP_IDS if step in other.get("steps", {}) and step not in run["steps"]]
    merged = dict(run, steps=dict(run["steps"], **{step: other["steps"][step] for step in taken}))
    for key in ("communes", "pair", "pair_indep", "heat_grid", "heat_200k"):
        if key not in merged and key in other:
            merged[key] = other[key]
    merged["merged"] = {"record": os.path.relpath(record_path, REPO), "date": other.get("date"),
                        "code": other.get("code"), "repeat": other.get("repeat", 1), "steps": taken,
                        "loadavg_start": other.get("machine", {}).get("loadavg_start")}
    return merged


def write_doc(run, changes, reference=None):
    results = run["steps"]
    machine = run["machine"]
    copy_time = step_time(results, "copy")
    merged = run.get("merged") or {"steps": []}
    merged_steps = set(merged["steps"])
    own_steps = [s for s in STEP_IDS if s in results and s not in merged_steps]
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by scripts/bench.py (`make bench`); the part above the notes marker is rewritten on each "
        "run. -->",
        "",
        "| | |",
        "|---|---|",
        "| Date | %s%s |" % (run["date"], "" if not merged_steps else
                             " (steps %s); the steps marked † come from the run of %s (`%s`)" % (
                                 ", ".join(own_steps), merged["date"], merged["record"])),
        "| Machine | %s core(s) (`nproc`), %s GiB RAM, %s; 1-min load average %.2f at start, %s at the end of "
        "each step%s (the step itself counts for about 1) |" % (
            machine.get("nproc"), machine.get("ram_gib"), machine.get("cpu", "?"), machine.get("loadavg_start", 0),
            " / ".join(fmt(results[s].get("loadavg_end"), "%.1f") for s in own_steps),
            " of this run (%s); † run: %s at start, %s at the end of its steps" % (
                ", ".join(own_steps), fmt(merged.get("loadavg_start"), "%.2f"),
                " / ".join(fmt(results[s].get("loadavg_end"), "%.1f") for s in STEP_IDS if s in merged_steps))
            if merged_steps else ""),
        "| System | Debian %s, Python %s, QGIS %s, GDAL %s |" % (
            machine.get("debian", "?"), machine.get("python"), run.get("qgis", "?"), run.get("gdal", "?")),
        "| N | %s polygons, 3 vintages (cs05/us05, cs15/us15, cs21/us21), EPSG:2154, %.0f MB GeoPackage |" % (
            "{:,}".format(run["n"]), run["dataset_mb"]),
        "| Data | synthetic OCS2D-like layer from `scripts/bench_data.py` (cached in `.build/bench/`): a jittered "
        "40 m lattice cut into parcels, towns of Pareto-distributed sizes (housing, activity zones, streets), "
        "farmland, woods, roads, railway, rivers, US7.0.0 polygons and farm buildings near and far from towns; "
        "7–12 % of the polygons change between two vintages |",
    ]
    communes = run.get("communes")
    if communes:
        lines.append(
            "| Communes | %s zones (`%s`, field `insee_com`, from `scripts/bench_changes_data.py`): Voronoi diagram "
            "of jittered seeds, one per 8 km² (%.1f km² each on average), over the extent of the layer (%s km²); "
            "edges bent by a smooth wave with a vertex every 25 m (%s vertices in all); no gap, no overlap |" % (
                "{:,}".format(communes["features"]), communes["path"], communes["extent_km2"] / communes["features"],
                "{:,.0f}".format(communes["extent_km2"]), "{:,}".format(communes["vertices"])))
    pair = run.get("pair")
    if pair:
        lines.append(
            "| Pair | A `%s` (cs15/us15, %s polygons) and B `%s` (cs21/us21, %s polygons), from `%s`: B is A with "
            "its 2021 codes, except %s groups of 2 neighbouring polygons (%.0f %% of A) merged and re-cut by a "
            "chord through their centroid (%s pieces); %.0f %% of the polygons have the same geometry in both, "
            "%.1f %% change codes (cs and/or us) between the two vintages |" % (
                pair["a"], "{:,}".format(pair["a_features"]), pair["b"], "{:,}".format(pair["b_features"]),
                pair["source"], "{:,}".format(pair["groups"]), 100.0 * pair["a_redrawn"] / pair["a_features"],
                "{:,}".format(pair["b_pieces"]), 100.0 * pair["identical_geometry_share"],
                100.0 * pair["code_changes_share"]))
    artif = results.get("artif_thresholds") or results.get("artif_matrix")
    if artif:
        import re

        under = [re.search(r"(\d+) polygons under", line) for line in artif.get("log", [])]
        under = next((int(m.group(1)) for m in under if m), None)
        lines.append(
            "| Artificialisation | the N-polygon layer, vintage 2021 (cs21/us21; OCS2D, measured by the plugin "
            "through its OCS2D → OCS GE crosswalk); default thresholds (2,500 m², built 50 m²)%s |" % (
                "; %s polygons under 2,500 m² go through the neighbour tests of the threshold step (its log)" %
                "{:,}".format(under) if under is not None else ""))
    heat = run.get("heat_grid")
    if heat and any(step in results for step in ("heat_grid", "native_heat_grid")):
        lines.append(
            "| Heat grid | the N-polygon layer, vintage 2021; square cells of %g m over the extent of the layer "
            "(%s × %s m: %s × %s = %s cells, the grid of native:creategrid on that extent: the native pipeline "
            "builds it, ocs:heatisland reads the same cells off its raster) |" % (HEAT_CELL, "{:,.0f}".format(heat["width"]), "{:,.0f}".format(heat["height"]),
                                   "{:,}".format(heat["columns"]), "{:,}".format(heat["rows"]),
                                   "{:,}".format(heat["cells"])))
    heat = run.get("heat_200k")
    if heat and any(step in results for step in HEAT_SMALL_STEPS):
        lines.append(
            "| Heat grid, N/5 (`heat_200k`) | `%s` (%s polygons, vintage 2021); square cells of %g m over its extent "
            "(%s × %s m: %s × %s = %s cells) |" % (
                heat["source"], "{:,}".format(heat["polygons"]), HEAT_CELL, "{:,.0f}".format(heat["width"]),
                "{:,.0f}".format(heat["height"]), "{:,}".format(heat["columns"]), "{:,}".format(heat["rows"]),
                "{:,}".format(heat["cells"])))
    contexts = run.get("context") or {}
    for step in FRICHES_STEPS:
        info = contexts.get(step)
        if not info or step not in results:
            continue
        lines.append(
            "| Friches (`%s`) | `%s` (%s polygons, %s friche-candidate polygons by the rule of `core/friches.py`), "
            "communes `%s` (%s, field `insee_com`), context `%s` (%.1f MB, from `scripts/bench_context_data.py`): "
            "mairies %s (point on surface of each commune), gares %s (every 5th commune), services %s (on urban "
            "polygons of 2021; `typequ`: %s of them with a BPE code Mutafriches counts), inondation %s (pieces of "
            "300 m bands along 4 sinuous lines), plu %s (one per commune, `typezone` U / AU / A / N in turn), "
            "protege %s (every 7th commune), pollution %s points (every %dth candidate polygon) |" % (
                step, info["source"], "{:,}".format(info["polygons"]), "{:,}".format(info["candidate_polygons"]),
                info["communes"], "{:,}".format(info["mairies"]), info["path"], info["mb"],
                "{:,}".format(info["mairies"]), "{:,}".format(info["gares"]), "{:,}".format(info["services"]),
                "{:,}".format(info["services_counted"]), "{:,}".format(info["inondation"]),
                "{:,}".format(info["plu"]), "{:,}".format(info["protege"]), "{:,}".format(info["pollution"]),
                bench_context_data.POLLUTION_EVERY))
    code_row = "| Code | %s%s" % (code_text(run.get("code")), "; **the code changed during the run**: at the end, "
                                   "%s" % code_text(run["code_end"]) if run.get("code_end") else "")
    repeat_row = "| Repeats | %d run(s) per step: the fastest time and the highest peak are shown" % run.get(
        "repeat", 1)
    if merged_steps:
        code_row += "; † steps: %s" % code_text(merged.get("code"))
        repeat_row += "; † steps: %d run(s) per step" % merged.get("repeat", 1)
    lines += [
        code_row + " |",
        repeat_row + " |",
        "| Runner | Python: QgsApplication offscreen + `Processing.initialize()` + `OcsProvider`, throwaway "
        "QGIS_CUSTOM_CONFIG_PATH, one fresh process per step |",
        "",
        "## Targets of the issue",
        "",
        "| Target | Measured | Status |",
        "|---|---|---|",
    ]
    for target, measured, met in targets(results, run["n"]):
        status = "**step failed**" if met is None and "failed" in measured else status_text(met)
        lines.append("| %s | %s | %s |" % (target, measured, status))
    show_change = bool(changes)
    lines += [
        "",
        "## Steps",
        "",
        "| Step | What | Time (s) | × copy | Process wall (s) | Peak RSS (MiB) | Output |%s" % (
            " Δ time / Δ peak vs reference |" if show_change else ""),
        "|---|---|---:|---:|---:|---:|---|%s" % ("---|" if show_change else ""),
    ]
    for step in STEP_IDS:
        entry = results.get(step)
        if entry is None:
            lines.append("| %s | %s | not run | | | | |%s" % (step, DESCRIPTION[step], " |" if show_change else ""))
            continue
        if entry.get("status") != "ok":
            time_text = entry.get("status")
            if entry.get("status") == "timeout":
                time_text = "timeout (killed after %.0f s)" % entry.get("wall_s", 0)
        else:
            time_text = fmt(entry.get("time_s"))
        output = ""
        if "features_out" in entry:
            noun = "rows" if step in TABLE_STEPS else "sites" if step in FRICHES_STEPS else \
                "cells" if step in ("heat_grid", "heat_200k") else "features"
            output = "{:,} %s".format(entry["features_out"]) % noun
            if "area_ha_out" in entry:
                output += ", {:,.0f} ha".format(entry["area_ha_out"])
            if step.startswith("reclassify") or step == "fieldcalc":
                output += ", %d fields" % entry.get("fields_out", 0)
            if "artif_2021" in entry:
                output += "; artif_2021 = 1: {:,}; crit_seuil_2021 = 1 (changed by the thresholds): {:,}".format(
                    entry["artif_2021"], entry["crit_seuil_2021"])
        row = "| %s | %s | %s | %s | %s | %s | %s |" % (
            step + (" †" if step in merged_steps else ""), DESCRIPTION[step], time_text,
            "—" if step in OTHER_INPUT_STEPS else fmt(ratio(step_time(results, step), copy_time)),
            fmt(entry.get("wall_s")), fmt(entry.get("peak_mib"), "%.0f"), output)
        if show_change:
            dt, dm = changes.get(step, (None, None))
            row += " %s / %s |" % (fmt(dt, "%+.1f %%"), fmt(dm, "%+.1f %%"))
        lines.append(row)
    if merged_steps:
        lines += ["", "†: measured in the run of %s (%s; record `%s`), not in this run; the other steps were run "
                  "now (%s)." % (merged["date"], code_text(merged.get("code")), merged["record"], run["date"])]
    if show_change and reference:
        lines += ["", "Δ: change against the reference run of %s (%s): the baseline stored in `bench/baseline.json` "
                  "before this run, or the record given with `--reference`." % (
                      reference.get("date"), code_text(reference.get("code")))]
    for step, name in (("native_envelope", "Native envelope pipeline"),
                       ("native_matrix_communes", "Native matrix pipeline"),
                       ("native_heat_grid", "Native heat-grid pipeline"),
                       ("native_heat_200k", "Native heat-grid pipeline, N/5 polygons")):
        native = results.get(step, {})
        parts = ["%s %.2f s" % (label, t) for label, t in native.get("substeps", [])]
        if native.get("running_at_end"):
            label, elapsed = native["running_at_end"]
            parts.append("%s still running after about %.0f s when the step was %s" % (
                label, elapsed, "killed at the timeout" if native.get("status") == "timeout" else "stopped"))
        if parts:
            lines += ["", "%s, time per algorithm%s: " % (
                name, "" if native.get("status") == "ok" else " (%s)" % native.get("status")) + "; ".join(parts) + "."]
    for step in ("artif_thresholds", "heat_grid", "heat_200k") + FRICHES_STEPS:
        entry = results.get(step, {})
        if entry.get("log"):
            lines += ["", "Log of %s: %s" % (step, " ".join(
                "“%s”" % line.rstrip() for line in entry["log"]))]
    lines += [
        "",
        "Ratios: reclassify with spatial rules / attribute rules = %s; urbanenvelope 3 vintages / 1 vintage = %s; "
        "reclassify (spatial) / field calculator = %s." % (
            fmt(ratio(step_time(results, "reclassify_spatial"), step_time(results, "reclassify_attr"))),
            fmt(ratio(step_time(results, "envelope_3"), step_time(results, "envelope_1"))),
            fmt(ratio(step_time(results, "reclassify_spatial"), step_time(results, "fieldcalc")))),
        "",
        "Ratios, changes: native matrix pipeline / transitionmatrix = %s; native:intersection / changedetection "
        "= %s." % (
            fmt(ratio(step_time(results, "native_matrix_communes"), step_time(results, "matrix_communes"))),
            fmt(ratio(step_time(results, "native_intersection_pair"), step_time(results, "changes_overlay")))),
        "",
        "Ratios, issues #4–#6: artificialisation with / without thresholds = %s; native heat-grid pipeline / "
        "heatisland = %s (N/5 polygons: %s); friches N / friches N/5 = %s." % (
            fmt(ratio(step_time(results, "artif_thresholds"), step_time(results, "artif_matrix"))),
            fmt(ratio(step_time(results, "native_heat_grid"), step_time(results, "heat_grid"))),
            fmt(ratio(step_time(results, "native_heat_200k"), step_time(results, "heat_200k"))),
            fmt(ratio(step_time(results, "friches_1m"), step_time(results, "friches_200k")))),
        "",
        "## Method",
        "",
        "- Time: `time.perf_counter()` around the operation inside the step's own process (the Processing call, "
        "or the `ogr2ogr` process for the copy); *Process wall* adds Python and QGIS start-up (about 1–2 s). "
        "Peak RSS in a fresh process per step: `ru_maxrss` of the `ogr2ogr` child for the copy, `VmHWM` of the "
        "runner process itself for the Processing steps (`ru_maxrss` would count the memory of the bench process "
        "that started it, which Linux carries over exec; `os.wait4` of the whole process tree is kept in "
        "`bench/baseline.json` as `peak_mib_process`; it also counts the shell Processing forks at start-up "
        "to probe `saga_cmd`, whose ~230 MiB are the inherited, shared pages).",
        "- The file is read once before the first step, so every step starts with a warm page cache. "
        "Outputs are GeoPackages in `.build/bench/out/<N>/` (removed after each step unless `--keep`), logs in "
        "`.build/bench/logs/<N>/`.",
        "- *Attribute-rules proxy*: `ocs:reclassify` with TARGETS=[7, 8] (artificialisation, imperméabilisation), "
        "which need no spatial rule; on OCS2D the default targets (4 postes, 21 postes, ENAF; TARGETS=[4, 5, 6]) "
        "always run the spatial rules (US7.0.0 within 20 m of espaces urbanisés, agricultural structures within "
        "50 m of the enveloppe urbaine).",
        "- The field calculator computes one integer field (a 5-rule CASE on cs21/us21 giving the 4 postes) for "
        "one vintage; ocs:reclassify writes a code and a label per target and vintage (12 fields with "
        "TARGETS=[7, 8], 24 with [4, 5, 6]) for 3 vintages, and stores a style in the output.",
        "- The native pipeline uses the member definition of `core/rules.py` `_ocs2d_envelope` as an expression, "
        "8 segments per quarter circle like the plugin, temporary (memory) layers between algorithms as a "
        "graphical model would, and the Processing default for invalid geometries (checked; the plugin skips "
        "the check and repairs what it uses). Unlike ocs:urbanenvelope it does not fill the holes of the parts.",
        "- *Transition matrix per commune*: `ocs:transitionmatrix` INPUT = the N-polygon layer, NOMENCLATURE=1 "
        "(OCS2D 2021), FROM_VINTAGE=2005, TO_VINTAGE=2021, TARGET=7 (4 postes), ZONES = the communes, "
        "ZONE_FIELD=insee_com, output GeoPackage (one row per commune and (from, to) cell, zero cells included up "
        "to 25 codes). The native pipeline is what a user would build: `native:intersection` (INPUT_FIELDS cs05 "
        "us05 cs21 us21, OVERLAY_FIELDS insee_com) → `native:fieldcalculator` surface = `$area` → "
        "`native:fieldcalculator` transition = 4 postes of 2005 `|| '>' ||` 4 postes of 2021 (the CASE of the "
        "field-calculator step on cs05/us05 and on cs21/us21) → `qgis:statisticsbycategories` (categories "
        "insee_com and transition, values surface), with temporary (memory) layers between algorithms. Its "
        "4-postes expression is the attribute rule without the spatial rules of the OCS2D method (US7.0.0 near "
        "urban areas, agricultural structures near the enveloppe urbaine); ocs:transitionmatrix applies them "
        "(SPATIAL_RULES left at its default, as ocs:reclassify does them), so it does more than the native "
        "pipeline and its cells differ by the land the rules move. The *Output* column gives the rows and the sum "
        "of their areas (surface_ha; "
        "sum / 10⁴ for the native table): both must equal the territory.",
        "- *Change polygons of two layers*: `ocs:changedetection` INPUT = pair A, INPUT_AFTER = pair B, "
        "NOMENCLATURE=1, TARGET=0 (raw couverture code), ONLY_CHANGES left at its default (changed polygons "
        "only), SPATIAL_RULES at its default (the ENAF statuses of `type_changement` need the OCS2D spatial rules, "
        "computed for each layer), output GeoPackage; `native:intersection` A × B (all fields, every piece) to a "
        "GeoPackage. The "
        "pair has N/5 polygons per layer (200,000 at N = 10⁶, the size of the target); its peak memory is compared "
        "with 2 GiB like the other ocs steps.",
        "- *Artificialisation* (issue #4): `ocs:artificialisation` INPUT = the N-polygon layer, NOMENCLATURE=1, "
        "VINTAGES=2021, APPLY_THRESHOLDS=False (`artif_matrix`: the decree matrix per polygon) or True "
        "(`artif_thresholds`: then the reference thresholds, patches of polygons under 2,500 m² with the same "
        "status, surrounded by the other status, switch), other parameters at their defaults, output GeoPackage "
        "(the input fields + artif_2021, crit_seuil_2021). The target compares the extra time of the thresholds "
        "with the matrix step: (t thresholds − t matrix) / t matrix ≤ 3. *Output* counts the polygons with "
        "artif_2021 = 1 and those whose status the thresholds changed (crit_seuil_2021 = 1, read back from the "
        "output with OGR).",
        "- *Heat grid* (issue #6): `ocs:heatisland` INPUT = the N-polygon layer, NOMENCLATURE=1, VINTAGES=2021, "
        "UNITS=0 (square grid), CELL_SIZE=100, the other parameters at their defaults (5 m raster, cooling "
        "distance 300 m, green areas ≥ 2 ha), output GeoPackage (one row per cell with land cover: shares, indices, "
        "score). The native pipeline is the part a user can build in a graphical model, the shares of land cover "
        "per cell: `native:creategrid` (TYPE 2 rectangles, 100 m, EXTENT = the extent of the layer, EPSG:2154) → "
        "`native:intersection` (INPUT = the layer with INPUT_FIELDS cs21, OVERLAY = the grid with OVERLAY_FIELDS "
        "id) → `native:fieldcalculator` area = `$area` → `qgis:statisticsbycategories` (categories id and cs21, "
        "values area), temporary (memory) layers between algorithms, the table to a GeoPackage; it computes "
        "neither the cooling distances nor the score, so the ratio understates the gap. Its *Output* gives the "
        "rows and the sum of their areas (must equal the territory). If a step is killed at the timeout "
        "(`--timeout`, 4 h by default), the time of the algorithms that ended and the one still running are kept. "
        "`heat_200k` / `native_heat_200k` (issue #17): the same two steps on the N/5-polygon layer (the layer of "
        "`friches_200k`, its own territory; the grid on its extent), where the fixed costs of ocs:heatisland weigh "
        "more.",
        "- *Friches* (issue #5): `ocs:friches` NOMENCLATURE=1, VINTAGES empty (2005, 2015, 2021), "
        "MIN_AREA_M2=1000, ZONES = the communes of the layer's territory (ZONE_FIELD insee_com), TOWN_HALLS = "
        "mairies, STATIONS = gares, SERVICES = services (SERVICES_TYPE_FIELD typequ), FLOOD = inondation, "
        "ZONING = plu (ZONING_TYPE_FIELD typezone), PROTECTED = protege, POLLUTION = pollution, no inventory, "
        "output GeoPackage; on the N/5-polygon layer (`friches_200k`, its own territory, communes and context "
        "built the same way) and on the N-polygon layer (`friches_1m`). The context layers are deterministic "
        "(`scripts/bench_context_data.py`, cached in `.build/bench/context_<n>.gpkg`, counts in "
        "`context_<n>.json`). *Output* is the number of sites written (the log's “N sites written”) and their "
        "area. Target: time of N ≤ 6 × time of N/5 (5 × the data).",
        "- The machine may be shared (see the load average): compare runs of one machine, and rerun before "
        "drawing conclusions from a few %.",
        "- Reproduce: `make bench` (1,000,000 polygons), `.build/venv/bin/python scripts/bench.py --quick` "
        "(100,000), `--steps a,b` for a subset, `--ref <commit>` to measure a commit (or `--snapshot`, a copy of "
        "the working tree, when someone edits it during the run), `--update-baseline` to store the figures in "
        "`bench/baseline.json`, `--profile` for the cProfile of the plugin steps (`--steps` to choose them), "
        "`--merge <run record>` with `--steps` to keep the other steps of an earlier run in this document (marked †); "
        "`scripts/bench_changes_data.py --communes N --pair M --check` builds and checks the communes and the pair, "
        "`scripts/bench_context_data.py --n N` the context layers of the friches steps.",
        "",
    ]
    notes = ""
    if os.path.exists(DOC):
        with open(DOC, encoding="utf-8") as handle:
            text = handle.read()
        if NOTES_MARKER in text:
            notes = text.split(NOTES_MARKER, 1)[1].lstrip("\n")
    with open(DOC, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n" + NOTES_MARKER + "\n\n" + notes)


def communes_info(path):
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    xmin, xmax, ymin, ymax = layer.GetExtent()
    vertices = 0
    for feature in layer:
        geometry = feature.GetGeometryRef()
        for i in range(geometry.GetGeometryCount()):
            vertices += geometry.GetGeometryRef(i).GetPointCount()
    count = layer.GetFeatureCount()
    return {"path": os.path.relpath(path, REPO), "features": count, "vertices": vertices,
            "extent_km2": round((xmax - xmin) * (ymax - ymin) / 1e6, 1)}


def layer_extent(path):
    """(xmin, xmax, ymin, ymax) of the layer, as QGIS reports it for the EXTENT parameter."""
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds = ogr.Open(path)
    return tuple(ds.GetLayer(LAYER).GetExtent(force=1))


def grid_info(extent):
    """Cells of the HEAT_CELL grid native:creategrid makes over ``extent`` (whole cells from the top-left corner,
    the last column / row overlapping the edge)."""
    xmin, xmax, ymin, ymax = extent
    columns = int(math.ceil((xmax - xmin) / HEAT_CELL))
    rows = int(math.ceil((ymax - ymin) / HEAT_CELL))
    return {"width": xmax - xmin, "height": ymax - ymin, "columns": columns, "rows": rows, "cells": columns * rows}


def warm_cache(path):
    with open(path, "rb") as handle:
        while handle.read(16 << 20):
            pass


def start_cluster(path):
    """A throwaway PostgreSQL/PostGIS cluster (tests/pgcluster.py, the tests' own) holding the layer of ``path`` as
    public.PG_TABLE (ogr2ogr: key fid, geometry geom, GiST index), analysed; the caller stops it."""
    sys.path.insert(0, os.path.join(REPO, "tests"))
    import pgcluster

    cluster = pgcluster.start()
    try:
        t0 = time.perf_counter()
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", "PG:" + cluster["conninfo"], path, LAYER, "-nln", PG_TABLE,
                        "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid", "-lco", "LAUNDER=NO", "--config",
                        "PG_USE_COPY", "YES"], check=True)
        subprocess.run(["ogrinfo", "-q", "PG:" + cluster["conninfo"], "-sql", "ANALYZE public.%s" % PG_TABLE],
                       check=True, stdout=subprocess.DEVNULL)
        print("bench: %s loaded into PostgreSQL (%s) in %.1f s" % (os.path.relpath(path, REPO), cluster["dir"],
                                                                    time.perf_counter() - t0), flush=True)
    except Exception:
        pgcluster.stop(cluster["dir"])
        raise
    return cluster


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=bench_data.DEFAULT_N, help="polygons (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="%d polygons, for trial runs" % QUICK_N)
    parser.add_argument("--update-baseline", action="store_true", help="store the figures in bench/baseline.json")
    parser.add_argument("--steps", default=None, help="comma-separated subset of: %s" % ", ".join(STEP_IDS))
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the plugin steps (%s by default) and print the top functions; "
                             "writes neither BENCHMARKS.md nor the baseline" % ", ".join(PROFILE_STEPS))
    parser.add_argument("--repeat", type=int, default=1, help="runs per step, the fastest is kept")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per step (default %(default)s)")
    parser.add_argument("--force-data", action="store_true", help="regenerate the dataset")
    parser.add_argument("--keep", action="store_true", help="keep the outputs in .build/bench/out/")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite BENCHMARKS.md")
    parser.add_argument("--ref", default=None,
                        help="benchmark this commit (exported with git archive into .build/bench/src/) instead of "
                             "the working tree linked in .build/plugins")
    parser.add_argument("--snapshot", action="store_true",
                        help="copy the working tree into .build/bench/src/ first and benchmark the copy: edits made "
                             "during the run do not change what is measured (identified by its content fingerprint)")
    parser.add_argument("--doc-only", action="store_true",
                        help="rewrite BENCHMARKS.md from the run stored in bench/baseline.json for N, measure nothing")
    parser.add_argument("--run-record", default=None,
                        help="with --doc-only: rewrite BENCHMARKS.md from this run record (.build/bench/runs/*.json)")
    parser.add_argument("--reference", default=None,
                        help="compare with this run record (.build/bench/runs/*.json) instead of the baseline")
    parser.add_argument("--merge", default=None,
                        help="with --steps (or --doc-only): BENCHMARKS.md also shows the other steps of this run "
                             "record (.build/bench/runs/*.json of the same N), marked †")
    parser.add_argument("--run-step", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_step:
        return run_step(json.loads(args.run_step))

    n = QUICK_N if args.quick else args.n
    if args.doc_only:
        if args.run_record:  # a run of .build/bench/runs/, compared with the baseline like the run itself was
            stored = _load_json(args.run_record)
            reference = _load_json(args.reference) if args.reference else load_baseline().get(str(stored["n"]))
        else:
            stored = load_baseline().get(str(n))
            if not stored:
                parser.error("no run for N=%d in %s" % (n, os.path.relpath(BASELINE, REPO)))
            reference = _load_json(args.reference) if args.reference else None
        if args.merge:
            stored = merge_runs(stored, args.merge)
        write_doc(stored, compare(stored["steps"], reference) if reference else {}, reference)
        print("bench: %s written from the %s run of %s" % (
            os.path.relpath(DOC, REPO), "recorded" if args.run_record else "baseline", stored["date"]))
        return 0
    steps = STEP_IDS if not args.steps else [s.strip() for s in args.steps.split(",") if s.strip()]
    if args.profile and not args.steps:
        steps = PROFILE_STEPS
    unknown = [s for s in steps if s not in STEP_IDS]
    if unknown:
        parser.error("unknown step(s) %s; steps: %s" % (", ".join(unknown), ", ".join(STEP_IDS)))
    plugins, ref_commit, code = PLUGINS, None, None
    if args.ref and args.snapshot:
        parser.error("--ref and --snapshot exclude each other")
    if args.ref:
        plugins, ref_commit = export_ref(args.ref)
    elif args.snapshot:
        plugins, code = snapshot_working_tree()
    if not os.path.exists(os.path.join(plugins, "ocs_toolbox")):
        parser.error("%s/ocs_toolbox is missing: run `make link`" % plugins)

    data = bench_data.ensure(n, args.force_data)
    inputs = {}
    if any(step in COMMUNE_STEPS + CARBON_STEPS + ATLAS_STEPS for step in steps):
        inputs["communes"] = bench_changes_data.ensure_communes(n, args.force_data)
    if any(step in PAIR_STEPS + INDEP_STEPS for step in steps):
        inputs["pair_a"], inputs["pair_b"], pair_stats = bench_changes_data.ensure_pair(pair_size(n), args.force_data)
    if any(step in INDEP_STEPS for step in steps):
        inputs["indep"], indep_stats = bench_changes_data.ensure_indep(pair_size(n), args.force_data)
    friches, contexts = {}, {}
    for step in FRICHES_STEPS:
        if step in steps:
            size = friches_size(step, n)
            context, stats = bench_context_data.ensure_context(size, args.force_data)
            friches[step] = {"input": bench_data.ensure(size, args.force_data),
                             "communes": bench_changes_data.ensure_communes(size, args.force_data),
                             "context": context}
            contexts[step] = dict(stats, path=os.path.relpath(context, REPO))
    warm_cache(data)
    for path in list(inputs.values()) + [p for entry in friches.values() for p in entry.values()]:
        warm_cache(path)
    if friches:
        inputs["friches"] = friches
    heat = None
    if any(step in ("heat_grid", "native_heat_grid") for step in steps):
        inputs["extent"] = layer_extent(data)
        heat = grid_info(inputs["extent"])
    heat_small = None
    if any(step in HEAT_SMALL_STEPS for step in steps):
        small = bench_data.ensure(pair_size(n), args.force_data)
        warm_cache(small)
        inputs["heat_small"] = {"input": small, "extent": layer_extent(small)}
        heat_small = dict(grid_info(inputs["heat_small"]["extent"]), source=os.path.relpath(small, REPO),
                          polygons=pair_size(n))
    if any(step in PG_STEPS for step in steps):
        inputs["small"] = bench_data.ensure(pair_size(n), args.force_data)
        warm_cache(inputs["small"])
    run_dir = os.path.join(BENCH_DIR, "out", str(n))
    log_dir = os.path.join(BENCH_DIR, "logs", str(n))
    os.makedirs(run_dir, exist_ok=True)
    os.makedirs(log_dir, exist_ok=True)
    config = tempfile.mkdtemp(prefix="ocs-bench-qgis-")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_CUSTOM_CONFIG_PATH=config,
               QGIS_PLUGINPATH=plugins)
    machine = machine_info()
    run = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "n": n, "machine": machine,
           "dataset": os.path.relpath(data, REPO), "dataset_mb": round(os.path.getsize(data) / 1e6, 1),
           "code": code or code_info(ref_commit), "repeat": max(1, args.repeat), "steps": {}}
    if "communes" in inputs:
        run["communes"] = communes_info(inputs["communes"])
    if "pair_a" in inputs:
        run["pair"] = dict(pair_stats, a=os.path.relpath(inputs["pair_a"], REPO),
                           b=os.path.relpath(inputs["pair_b"], REPO))
    if "indep" in inputs:
        run["pair_indep"] = dict(indep_stats, path=os.path.relpath(inputs["indep"], REPO))
    if contexts:
        run["context"] = contexts
    if heat:
        run["heat_grid"] = heat
    if heat_small:
        run["heat_200k"] = heat_small
    print("bench: %s polygons, %s (%.0f MB); %d core(s), %s GiB, load %.2f" % (
        "{:,}".format(n), run["dataset"], run["dataset_mb"], machine["nproc"], machine.get("ram_gib"),
        machine["loadavg_start"]), flush=True)
    print("bench: code: %s" % code_text(run["code"]).replace("`", ""), flush=True)
    cluster = None
    try:
        if any(step in PG_CLUSTER_STEPS for step in steps):
            cluster = start_cluster(inputs["small"])
            inputs["pg"] = cluster["conninfo"]
        for step in steps:
            best = None
            attempts = []
            for attempt in range(max(1, args.repeat)):
                spec = dict(inputs, input=data, out_dir=run_dir, plugins=plugins)
                suffix = "" if args.repeat <= 1 else ".%d" % (attempt + 1)
                if args.profile:
                    spec["profile"] = os.path.join(log_dir, step + ".prof")
                    suffix += ".profile"
                log_path = os.path.join(log_dir, step + suffix + ".log")
                print("bench: %-19s ..." % step, end=" ", flush=True)
                result = measure(step, spec, env, log_path, args.timeout)
                attempts.append(result)
                if result["status"] == "ok":
                    print("%8.2f s  (process %.2f s)  peak %6.0f MiB" % (
                        result["time_s"], result["wall_s"], result["peak_mib"]), flush=True)
                else:
                    print(result["status"], flush=True)
                if best is None or (result["status"] == "ok" and (best["status"] != "ok"
                                                                  or result["time_s"] < best["time_s"])):
                    best = result
                if args.profile:
                    with open(log_path) as handle:
                        sys.stdout.write(handle.read())
            if len(attempts) > 1:  # the fastest time, the highest peak, and every attempt for the record
                best = dict(best, times_s=[a.get("time_s") for a in attempts],
                            peak_mib=max(a["peak_mib"] for a in attempts))
            run["steps"][step] = best
            for key in ("qgis", "gdal"):
                if best.get(key):
                    run[key] = best[key]
            if not args.keep:
                _remove(os.path.join(run_dir, step + ".gpkg"))
                _remove_tree(os.path.join(run_dir, step))
    finally:
        shutil.rmtree(config, ignore_errors=True)
        if cluster is not None:
            import pgcluster

            pgcluster.stop(cluster["dir"])
            print("bench: PostgreSQL cluster %s stopped and removed" % cluster["dir"], flush=True)
    if run["code"]["source"] == "working tree":  # it may have changed while the steps ran (someone editing)
        end = code_info()
        if end != run["code"]:
            run["code_end"] = end
            print("bench: WARNING: the plugin code changed during the run: %s at the start, %s at the end" % (
                code_text(run["code"]).replace("`", ""), code_text(end).replace("`", "")), flush=True)
    if args.profile:
        return 0

    results = run["steps"]
    print("\nTargets:")
    for target, measured, met in targets(results, n):
        print("  %-78s %-48s %s" % (target, measured, {True: "met", False: "NOT MET", None: "-"}[met]))
    record = os.path.join(BENCH_DIR, "runs", "%s_%d.json" % (run["date"].replace(" ", "_").replace(":", ""), n))
    os.makedirs(os.path.dirname(record), exist_ok=True)
    with open(record, "w", encoding="utf-8") as handle:
        json.dump(run, handle, indent=1, sort_keys=True)
    print("\nbench: raw figures in %s" % os.path.relpath(record, REPO))
    baseline = load_baseline()
    changes = {}
    reference = _load_json(args.reference) if args.reference else baseline.get(str(n))
    if reference:  # always against the stored run, also when it is about to be replaced
        changes = compare(results, reference)
        print("\nChange vs %s of %s (N=%d; %s): time, peak memory" % (
            "reference" if args.reference else "baseline",
            reference["date"], n, code_text(reference.get("code")).replace("`", "")))
        for step in STEP_IDS:
            if step in changes:
                dt, dm = changes[step]
                print("  %-19s %s  %s" % (step, fmt(dt, "%+7.1f %%"), fmt(dm, "%+7.1f %%")))
    else:
        print("\nbench: no baseline for N=%d in %s (use --update-baseline)" % (n, os.path.relpath(BASELINE, REPO)))
    if args.update_baseline:
        previous = reference
        stored = dict(run)   # not ``run`` itself: the document below shows what this run measured
        if args.steps and previous:  # a subset of the steps: keep the other steps of the stored run
            stored["steps"] = dict(previous.get("steps", {}), **run["steps"])
            for key in ("communes", "pair", "pair_indep", "context", "heat_grid", "heat_200k"):
                if key not in stored and key in previous:
                    stored[key] = previous[key]
        baseline[str(n)] = stored
        os.makedirs(os.path.dirname(BASELINE), exist_ok=True)
        with open(BASELINE, "w", encoding="utf-8") as handle:
            json.dump(baseline, handle, indent=1, sort_keys=True)
            handle.write("\n")
        print("bench: baseline for N=%d written to %s" % (n, os.path.relpath(BASELINE, REPO)))
    if not args.no_doc:
        doc_run, doc_changes = run, changes
        if args.merge:
            doc_run = merge_runs(run, args.merge)
            doc_changes = compare(doc_run["steps"], reference) if reference else {}
            print("bench: the document also shows %s from %s" % (", ".join(doc_run["merged"]["steps"]) or "nothing",
                                                                  args.merge))
        write_doc(doc_run, doc_changes, reference)
        print("bench: %s written" % os.path.relpath(DOC, REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
