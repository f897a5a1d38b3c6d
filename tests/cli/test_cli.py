"""The algorithms run headless through qgis_process, as batch users run them."""
import sqlite3

import pytest
from osgeo import ogr

from helpers import box, make_layer, to_gpkg
from test_reclassify import us7_layout
from test_urbanenvelope import town_layout

pytestmark = pytest.mark.cli


def read(path, key):
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayer(0)
    return {f.GetField(key): f.items() for f in layer}


def test_provider_is_listed(qgis_process):
    out = qgis_process("list").stdout
    assert "OCS Toolbox" in out
    for algorithm in ("ocs:reclassify", "ocs:urbanenvelope", "ocs:applystyle"):
        assert algorithm in out


def test_reclassify_through_qgis_process(qgis_process, tmp_path):
    source = to_gpkg(us7_layout(), tmp_path / "in.gpkg")
    output = tmp_path / "out.gpkg"
    completed = qgis_process("run", "ocs:reclassify", "--INPUT=%s" % source, "--TARGETS=4,5,6",
                             "--VINTAGES=2021", "--OUTPUT=%s" % output)
    assert "2 of 4 US7.0.0" in completed.stdout + completed.stderr
    rows = read(output, "id")
    assert {i: (r["p4_2021"], r["p21_2021"], r["enaf_2021"]) for i, r in rows.items()} == {
        1: (1, 1, "Uh"), 2: (1, 13, "Ua"), 3: (3, 21, "N"), 4: (1, 14, "Ua"), 5: (3, 21, "N")}
    with sqlite3.connect(str(output)) as db:
        styles = db.execute("SELECT f_table_name, stylename, useasdefault FROM layer_styles").fetchall()
    assert ("out", "p4_2021", 1) in [(t, s, int(d)) for t, s, d in styles]
    assert ("out", "enaf_2021", 0) in [(t, s, int(d)) for t, s, d in styles]


def test_custom_table_on_the_command_line(qgis_process, tmp_path):
    source = to_gpkg(make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 1, 1), 1, "CS1.1.1", "US5.1.1"), (box(1, 0, 2, 1), 2, "CS6.3.0", "US1.1.3")]),
        tmp_path / "in.gpkg")
    output = tmp_path / "custom.gpkg"
    qgis_process("run", "ocs:reclassify", "--INPUT=%s" % source, "--TARGETS=9",
                 "--CUSTOM_TABLE=CS1,1,Artificiel,#ff0000,CS6,2,Herbacé,", "--OUTPUT=%s" % output)
    rows = read(output, "id")
    assert [(rows[i]["custom_2021"], rows[i]["custom_2021_lib"]) for i in (1, 2)] == [
        ("1", "Artificiel"), ("2", "Herbacé")]


def test_urbanenvelope_through_qgis_process(qgis_process, tmp_path):
    source = to_gpkg(town_layout(), tmp_path / "town.gpkg")
    output = tmp_path / "env.gpkg"
    qgis_process("run", "ocs:urbanenvelope", "--INPUT=%s" % source, "--OUTPUT=%s" % output)
    rows = list(read(output, "id").values())
    assert sorted(r["millesime"] for r in rows) == ["2021", "2021"]
    assert max(round(r["surface_ha"], 2) for r in rows) == 16.0


def test_clear_error_on_missing_fields(qgis_process, tmp_path):
    source = to_gpkg(make_layer([("nom", "string")], [(box(0, 0, 1, 1), "a")]), tmp_path / "bad.gpkg")
    completed = qgis_process("run", "ocs:reclassify", "--INPUT=%s" % source, "--OUTPUT=%s" % (tmp_path / "o.gpkg"),
                             check=False)
    assert completed.returncode != 0
    assert "No couverture/usage fields found" in completed.stdout + completed.stderr


def test_help_in_french(qgis_process_fr):
    out = qgis_process_fr("help", "ocs:reclassify").stdout
    assert "Reclassifier la couverture et l’usage du sol (ocs:reclassify)" in out   # translated display name
    assert "millésime" in out and "Cibles" in out                                  # French help text


def test_diagnostic_model_through_qgis_process(qgis_process, tmp_path):
    from test_changes import grid_layer, zones_layer

    source = to_gpkg(grid_layer(), tmp_path / "grid.gpkg")
    communes = to_gpkg(zones_layer(), tmp_path / "communes.gpkg")
    flows, report = tmp_path / "flux.gpkg", tmp_path / "rapport.html"
    qgis_process("run", "ocs:diagnostic_changements", "--ocs2d=%s" % source, "--communes=%s" % communes,
                 "--insee=insee", "--compare=7",
                 "--reclassify:postes_enaf=%s" % (tmp_path / "postes.gpkg"),
                 "--changedetection:changements=%s" % (tmp_path / "changes.gpkg"),
                 "--transitionmatrix:matrices=%s" % (tmp_path / "matrices.gpkg"),
                 "--transitionmatrix:rapport=%s" % report, "--territoryflows:flux_communes=%s" % flows)
    rows = read(flows, "zone")
    assert sorted(rows) == ["A", "B", "hors zones", "total"]
    assert round(rows["total"]["artif_2005_2021_ha"], 6) == 3.0
    assert round(rows["A"]["conso_enaf_2005_2021_ha"], 6) == 3.0
    assert report.stat().st_size > 1000
    with sqlite3.connect(str(tmp_path / "changes.gpkg")) as db:
        styles = db.execute("SELECT stylename, useasdefault FROM layer_styles").fetchall()
    assert [(s, int(d)) for s, d in styles] == [("type_changement", 1)]


def test_overlay_through_qgis_process(qgis_process, tmp_path):
    from test_changes import two_layers

    before, after = two_layers()
    output = tmp_path / "m.gpkg"
    qgis_process("run", "ocs:transitionmatrix", "--INPUT=%s" % to_gpkg(before, tmp_path / "a.gpkg"),
                 "--INPUT_AFTER=%s" % to_gpkg(after, tmp_path / "b.gpkg"), "--TARGET=11",
                 "--OUTPUT=%s" % output)
    dataset = ogr.Open(str(output))
    cells = {(f.GetField("code_avant"), f.GetField("code_apres")): round(f.GetField("surface_ha"), 6)
             for f in dataset.GetLayer(0) if f.GetField("surface_ha")}
    assert cells == {("0", "1"): 0.5, ("0", "hors couverture"): 0.5, ("1", "1"): 0.5, ("1", "0"): 0.5,
                     ("hors couverture", "0"): 0.5, ("0", "0"): 1.0}


def test_diagnostic_zan_through_qgis_process(qgis_process, tmp_path):
    from test_changes import grid_layer, zones_layer

    source = to_gpkg(grid_layer(), tmp_path / "grid.gpkg")
    communes = to_gpkg(zones_layer(), tmp_path / "communes.gpkg")
    trajectory, report = tmp_path / "zan.gpkg", tmp_path / "zan.html"
    qgis_process("run", "ocs:diagnostic_zan", "--ocs2d=%s" % source, "--communes=%s" % communes, "--insee=insee",
                 "--reclassify:postes_enaf=%s" % (tmp_path / "postes.gpkg"),
                 "--artificialisation:artificialisation=%s" % (tmp_path / "artif.gpkg"),
                 "--territoryflows:flux_communes=%s" % (tmp_path / "flux.gpkg"),
                 "--zantrajectory:trajectoire_zan=%s" % trajectory, "--zantrajectory:rapport_zan=%s" % report)
    rows = read(trajectory, "zone")
    assert sorted(rows) == ["A", "B", "hors zones", "total"]
    assert round(rows["total"]["conso_reference_ha"], 6) == 3.0
    assert round(rows["total"]["enveloppe_ha"], 6) == 1.5
    assert report.stat().st_size > 1000
    artif = read(tmp_path / "artif.gpkg", "cell")
    assert artif[5]["artif_2005"] == 1 and artif[5]["artif_2021"] == 0


def test_diagnostic_surchauffe_through_qgis_process(qgis_process, tmp_path):
    from test_changes import grid_layer, zones_layer

    source = to_gpkg(grid_layer(), tmp_path / "grid.gpkg")
    communes = to_gpkg(zones_layer(), tmp_path / "communes.gpkg")
    grid, zones = tmp_path / "grille.gpkg", tmp_path / "communes_score.gpkg"
    qgis_process("run", "ocs:diagnostic_surchauffe", "--ocs=%s" % source, "--communes=%s" % communes,
                 "--vintages=2005,2021", "--grille:surchauffe_grille=%s" % grid,
                 "--communes:surchauffe_communes=%s" % zones)
    rows = read(zones, "insee")
    assert sorted(rows) == ["A", "B"]
    # the model's communes output equals a direct run of ocs:heatisland with the model's settings
    direct = tmp_path / "direct.gpkg"
    qgis_process("run", "ocs:heatisland", "--INPUT=%s" % source, "--VINTAGES=2005,2021", "--UNITS=2",
                 "--ZONES=%s" % communes, "--OUTPUT=%s" % direct)
    expected = read(direct, "insee")
    for zone in ("A", "B"):
        for field in ("score_2005", "score_2021", "delta_score_2005_2021", "part_bati_2021"):
            assert round(rows[zone][field], 9) == round(expected[zone][field], 9)
    # zone B, 2005 → 2021: a wooded garden replaces 2.5 ha of fields (cell 7) and a wooded park 1 ha of housing
    # (half of cell 5), against 2.5 ha of forest turned to fields (cell 9): it cools down on the whole
    assert rows["B"]["delta_score_2005_2021"] < 0
    with sqlite3.connect(str(grid)) as db:
        styles = db.execute("SELECT stylename, useasdefault FROM layer_styles").fetchall()
    assert ("classe_2021", 1) in [(s, int(d)) for s, d in styles]


def test_observatoire_friches_through_qgis_process(qgis_process, tmp_path):
    from test_friches import FACTORY, context, layout

    layers = context()
    paths = {name: to_gpkg(layers[key], tmp_path / ("%s.gpkg" % name)) for name, key in (
        ("mairies", "TOWN_HALLS"), ("gares", "STATIONS"), ("services", "SERVICES"), ("inondation", "FLOOD"),
        ("plu", "ZONING"), ("protege", "PROTECTED"), ("pollution", "POLLUTION"), ("communes", "ZONES"))}
    output, table = tmp_path / "friches.gpkg", tmp_path / "friches.csv"
    arguments = ["--%s=%s" % (name, path) for name, path in paths.items()]
    qgis_process("run", "ocs:observatoire_friches", "--ocs=%s" % to_gpkg(layout(), tmp_path / "ocs.gpkg"),
                 *arguments, "--friches:friches=%s" % output, "--friches:friches_cnig=%s" % table)
    rows = read(output, "historique_usage")
    factory = rows[FACTORY]
    assert (factory["comm_insee"], factory["centre_ville"], factory["services_500m"]) == ("62001", 1, 1)
    assert round(factory["fiabilite"], 6) == round(14 / 3, 6)
    assert table.read_text(encoding="utf-8").startswith("site_id,site_nom,site_type,site_adresse")


def test_model_help_through_qgis_process(qgis_process, qgis_process_fr):
    """The models are loaded once the provider is registered: their outputs exist, with labels, in both languages."""
    out = qgis_process("help", "ocs:diagnostic_zan").stdout
    assert "ZAN diagnosis per commune (ocs:diagnostic_zan)" in out
    assert "OCS2D multi-date land-cover layer" in out and "zantrajectory:rapport_zan" in out
    assert "ZAN report (HTML)" in out
    out_fr = qgis_process_fr("help", "ocs:diagnostic_zan").stdout
    assert "Entrées" in out_fr and "zantrajectory:trajectoire_zan" in out_fr   # French help of the model


def test_postgis_in_and_out_through_qgis_process(qgis_process, postgis, tmp_path):
    """The source string copied from the Desktop as INPUT, a postgis: destination; key, index and style stored."""
    from test_postgis import check_output, load, pg_layer

    source = load(postgis, us7_layout(), "us7_cli", tmp_path, key="id")
    completed = qgis_process("run", "ocs:reclassify", "--INPUT=%s" % source, "--TARGETS=4,5,6",
                             "--OUTPUT=postgis:%s table=\"public\".\"us7_cli_out\" (geom)" % postgis)
    log = completed.stdout + completed.stderr
    assert "2 of 4 US7.0.0" in log
    assert 'Style on p4_2021 stored as the default style of "public"."us7_cli_out" (database ocs_test)' in log
    rows = {f["id"]: (f["p4_2021"], f["p21_2021"], f["enaf_2021"]) for f in pg_layer(postgis, "us7_cli_out")
            .getFeatures()}
    assert rows == {1: (1, 1, "Uh"), 2: (1, 13, "Ua"), 3: (3, 21, "N"), 4: (1, 14, "Ua"), 5: (3, 21, "N")}
    check_output(postgis, "us7_cli_out", style="p4_2021")
