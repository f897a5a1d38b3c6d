"""Scale-out (issue #17): one qgis_process job per territory over one PostGIS database, outputs merged
(scripts/run_territories.py, README "Many territories in parallel").

Three territories, the three columns of the 3×3 grid of test_changes in one table ``terr_grid`` with a code
``dep``: A = column 0 (cells 1–3, 1 ha each), B = column 1 (cells 4–6, 2 ha each), C = column 2 (cells 7–9, 3 ha
each). Communes ``terr_communes``, each inside one territory: a1 = x 0–100, y 0–150 (cell 1 and half of cell 2);
a2 = x 0–100, y 150–300; b1 = column 1; c1 = x 300–600, y 0–200 (cells 7, 8); cell 9 is outside every commune.
2005 → 2021 by hand: cells 1, 2, 3 AG → HAB/ACT: artificialised and ENAF consumed, 1 ha each; cell 5 HAB → PARK:
désartificialisation 2 ha; cell 7 AG → GARD: ENAF consumed 3 ha, not artificialised; 4, 6, 8, 9 nothing counted.
"""
import json
import os
import sqlite3
import subprocess
import sys

import pytest
from osgeo import ogr

import test_changes as tc
from helpers import box, make_layer
from ocs_toolbox_paths import PLUGINS, ROOT
from test_postgis import load

pytestmark = pytest.mark.cli

SCRIPT = os.path.join(ROOT, "scripts", "run_territories.py")
QGIS_PROCESS = os.environ.get("OCS_QGIS_PROCESS", "/usr/bin/qgis_process.bin")   # as tests/cli/conftest.py
FILTER = " sql=\"dep\" = '{territory}'"


def grid_with_territories():
    rows = []
    for cell, vintages in tc.GRID.items():
        rows.append((tc.cell_box(cell), cell) + vintages[0] + vintages[1] + vintages[2] + ("ABC"[(cell - 1) // 3],))
    return make_layer(tc.FIELDS + [("dep", "string")], rows)


def communes():
    return make_layer([("insee", "string"), ("dep", "string")], [
        (box(0, 0, 100, 150), "a1", "A"), (box(0, 150, 100, 300), "a2", "A"), (box(100, 0, 300, 300), "b1", "B"),
        (box(300, 0, 600, 200), "c1", "C")], name="communes")


@pytest.fixture(scope="module")
def database(postgis, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scaleout_data")
    grid = load(postgis, grid_with_territories(), "terr_grid", folder)
    zones = load(postgis, communes(), "terr_communes", folder)
    return grid, zones


def run_script(tmp_path, algorithm, territories, params, outputs, workers=2):
    command = [sys.executable, SCRIPT, algorithm, "--territories", territories, "--workers", str(workers),
               "--out-dir", str(tmp_path / "runs"), "--qgis-process", QGIS_PROCESS, "--plugin-path", PLUGINS]
    for param in params:
        command += ["--param", param]
    for output in outputs:
        command += ["--output", output]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    with open(str(tmp_path / "runs" / "summary.json"), encoding="utf-8") as handle:
        summary = json.load(handle)
    return completed, summary


def rows(path, key, layer_name=None):
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayerByName(layer_name) if layer_name else dataset.GetLayer(0)
    found = {}
    for feature in layer:
        values = {k: (round(v, 6) if isinstance(v, float) else v) for k, v in feature.items().items()}
        geometry = feature.GetGeometryRef()
        values["area_m2"] = round(geometry.GetArea(), 2) if geometry is not None and not geometry.IsEmpty() else None
        found[key(values)] = values
    return found


def test_flows_per_zone_merged_equal_the_whole_run(qgis_process, database, tmp_path):
    grid, zones = database
    params = ["INPUT=" + grid + FILTER, "ZONES=" + zones + FILTER, "ZONE_FIELD=insee", "TARGET=7"]
    # a territory without land (a mistyped code, D) fails; the three others are done and kept
    completed, summary = run_script(tmp_path, "ocs:territoryflows", "A,B,C,D", params, ["OUTPUT"])
    assert completed.returncode == 1, completed.stdout + completed.stderr
    status = {job["territory"]: job["status"] for job in summary["jobs"]}
    assert status == {"A": "done", "B": "done", "C": "done", "D": "failed"}
    assert "D            failed (return code 1, log %s)" % (tmp_path / "runs" / "D" / "log.txt") in completed.stdout
    assert "The input layer 'terr_grid' is empty." in completed.stdout          # the end of its log
    assert "1 of 4 territories failed (D): nothing merged" in completed.stdout
    assert not (tmp_path / "runs" / "merged.gpkg").exists()
    # two workers: two jobs ran at the same time (their lifetimes overlap), never more than two
    assert summary["max_running"] == 2
    jobs = sorted(summary["jobs"], key=lambda job: job["start"])
    assert jobs[1]["start"] < jobs[0]["end"]
    done = {job["territory"]: job["pid"] for job in summary["jobs"] if job["status"] == "done"}

    # the same command on the three territories: nothing run again, the outputs merged
    completed, summary = run_script(tmp_path, "ocs:territoryflows", "A,B,C", params, ["OUTPUT"])
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert {job["territory"]: (job["status"], job["pid"]) for job in summary["jobs"]} == {
        t: ("already done", pid) for t, pid in done.items()}
    assert "Merged into" in completed.stdout and "output 6 rows" in completed.stdout

    whole = tmp_path / "whole.gpkg"
    qgis_process("run", "ocs:territoryflows", "--INPUT=" + grid, "--ZONES=" + zones, "--ZONE_FIELD=insee",
                 "--TARGET=7", "--OUTPUT=%s" % whole)
    merged = rows(tmp_path / "runs" / "merged.gpkg", lambda r: r["zone"])
    reference = rows(whole, lambda r: r["zone"])
    # by hand: areas, flows per zone, and the shares recomputed from the sums
    hand = {"a1": (1.5, 1.5, 0.0, 1.5, 100.0), "a2": (1.5, 1.5, 0.0, 1.5, 100.0), "b1": (6.0, 0.0, 2.0, 0.0, 0.0),
            "c1": (6.0, 0.0, 0.0, 3.0, 50.0), "hors zones": (3.0, 0.0, 0.0, 0.0, 0.0),
            "total": (18.0, 3.0, 2.0, 6.0, 33.333333)}
    for found in (merged, reference):
        assert {zone: (r["surface_ha"], r["artif_2005_2021_ha"], r["desartif_2005_2021_ha"],
                       r["conso_enaf_2005_2021_ha"], r["conso_enaf_2005_2021_pct"])
                for zone, r in found.items()} == hand
    # the per-territory totals' shares were 100 %, 0 % and 33.3 %: their mean (44.4 %) would be wrong
    assert merged["total"]["conso_enaf_2005_2021_ha_an"] == pytest.approx(6.0 / 16)
    assert merged["a1"]["area_m2"] == 15000.0 and merged["total"]["area_m2"] is None
    # every column of every row, the stocks per class included (a class absent from a territory is 0 there)
    assert set(merged["total"]) == set(reference["total"])
    assert merged == reference
    # the style stored with the territories' outputs is stored with the merged layer
    with sqlite3.connect(str(tmp_path / "runs" / "merged.gpkg")) as db:
        styles = db.execute("SELECT f_table_name, styleName, useAsDefault FROM layer_styles").fetchall()
    assert ("output", "conso_enaf_2005_2021_pct", 1) in [(t, s, int(d)) for t, s, d in styles]


def cells(path):
    found = {}
    for key, r in rows(path, lambda r: (r["periode"], r["zone"], r["code_avant"], r["code_apres"])).items():
        if r["surface_ha"]:
            found[key] = (r["libelle_avant"], r["libelle_apres"], r["surface_ha"])
    return found


def test_transition_matrix_cells_merged_equal_the_whole_run(qgis_process, database, tmp_path):
    grid, zones = database
    params = ["INPUT=" + grid + FILTER, "ZONES=" + zones + FILTER, "ZONE_FIELD=insee", "TARGET=7"]
    completed, summary = run_script(tmp_path, "ocs:transitionmatrix", "A,B,C", params, ["OUTPUT"])
    assert completed.returncode == 0, completed.stdout + completed.stderr
    whole = tmp_path / "whole.gpkg"
    qgis_process("run", "ocs:transitionmatrix", "--INPUT=" + grid, "--ZONES=" + zones, "--ZONE_FIELD=insee",
                 "--TARGET=7", "--OUTPUT=%s" % whole)
    merged, reference = cells(tmp_path / "runs" / "merged.gpkg"), cells(whole)
    assert merged == reference
    # the cells of the whole territory, summed over the zones, are the hand-known matrix of test_changes
    total = {}
    for (period, _zone, before, after), (_l1, _l2, hectares) in merged.items():
        if period == "2005-2021":
            total[(before, after)] = round(total.get((before, after), 0.0) + hectares, 6)
    assert total == {("2", "1"): 6.0, ("3", "3"): 2.0, ("1", "1"): 5.0, ("4", "4"): 2.0, ("3", "2"): 3.0}
    assert summary["max_running"] == 2


def test_carbon_stocks_and_flows_merged_equal_the_whole_run(qgis_process, database, tmp_path):
    grid, zones = database
    params = ["INPUT=" + grid + FILTER, "ZONES=" + zones + FILTER, "ZONE_FIELD=insee", "PEDOCLIMATIC_ZONE=2_1"]
    completed, summary = run_script(tmp_path, "ocs:carbon", "A,B,C", params, ["OUTPUT", "OUTPUT_FLOWS"])
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "output 6 rows" in completed.stdout
    whole = {name: tmp_path / ("whole_%s.gpkg" % name) for name in ("OUTPUT", "OUTPUT_FLOWS")}
    qgis_process("run", "ocs:carbon", "--INPUT=" + grid, "--ZONES=" + zones, "--ZONE_FIELD=insee",
                 "--PEDOCLIMATIC_ZONE=2_1", *("--%s=%s" % item for item in whole.items()))
    merged_path = tmp_path / "runs" / "merged.gpkg"
    stocks = rows(merged_path, lambda r: r["zone"], "output")
    assert stocks == rows(whole["OUTPUT"], lambda r: r["zone"])
    flows = rows(merged_path, lambda r: (r["zone"], r["periode"]), "output_flows")
    assert flows == rows(whole["OUTPUT_FLOWS"], lambda r: (r["zone"], r["periode"]))
    # the total is the sum of the zones; its stock per hectare is recomputed from the sums (18 ha in 2021)
    zones_only = [r for zone, r in stocks.items() if zone != "total"]
    assert stocks["total"]["surface_ha"] == 18.0
    assert stocks["total"]["total_tc_2021"] == pytest.approx(sum(r["total_tc_2021"] for r in zones_only))
    assert stocks["total"]["total_tc_ha_2021"] == pytest.approx(stocks["total"]["total_tc_2021"] / 18.0)
    assert stocks["total"]["total_tc_ha_2021"] != pytest.approx(
        sum(r["total_tc_ha_2021"] for r in zones_only) / len(zones_only))     # not the mean of the zones
