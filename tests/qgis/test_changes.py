"""ocs:changedetection, ocs:transitionmatrix, ocs:territoryflows on layouts computed by hand.

The 3×3 grid: column 0 cells are 100 m × 100 m (1 ha), column 1 cells 200 m × 100 m (2 ha), column 2 cells
300 m × 100 m (3 ha); 18 ha in all. Cells are numbered 1–9 column by column, bottom to top.
"""
import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from helpers import box, features_by, is_null, make_layer, run

AG = ("CS6.3.0", "US1.1.1")      # terres arables: 4 postes 2, not artificialised, ENAF A
HAB = ("CS1.1.1", "US5.1.1")     # 4 postes 1, artificialised, Uh
ACT = ("CS1.1.2", "US2.1.1")     # 4 postes 1, artificialised, Ue
FOR = ("CS4.1.2", "US1.2.1")     # feuillus: 4 postes 3, not artificialised, F
ROAD = ("CS1.1.2", "US4.1.1")    # 4 postes 4, artificialised, Ui
GARD = ("CS4.3.2", "US5.1.1")    # wooded garden: 4 postes 1, not artificialised, Uh (consumed, not artificialised)
PARK = ("CS4.1.2", "US3.2.1")    # wooded park: 4 postes 1, not artificialised, N

# cell: (2005, 2015, 2021)
GRID = {
    1: (AG, AG, HAB), 2: (AG, HAB, HAB), 3: (AG, ACT, ACT),
    4: (FOR, FOR, FOR), 5: (HAB, HAB, PARK), 6: (ROAD, ROAD, ROAD),
    7: (AG, GARD, GARD), 8: (HAB, ACT, ACT), 9: (FOR, AG, AG),
}
COLUMNS = ((0, 100), (100, 300), (300, 600))
FIELDS = [("cell", "integer"), ("cs05", "string"), ("us05", "string"), ("cs15", "string"), ("us15", "string"),
          ("cs21", "string"), ("us21", "string")]


def cell_box(cell):
    column, row = (cell - 1) // 3, (cell - 1) % 3
    x1, x2 = COLUMNS[column]
    return box(x1, row * 100, x2, row * 100 + 100)


def grid_layer(crs="EPSG:2154"):
    rows = []
    for cell, vintages in GRID.items():
        rows.append((cell_box(cell), cell) + vintages[0] + vintages[1] + vintages[2])
    return make_layer(FIELDS, rows, crs)


def zones_layer():
    """Zone A: x 0–200 (column 0, half of column 1); zone B: x 200–550 (the rest but a 50 m strip)."""
    return make_layer([("insee", "string")], [(box(0, -50, 200, 350), "A"), (box(200, -50, 550, 350), "B")],
                      name="communes")


def matrix(path, period=None, zone=None):
    layer = QgsVectorLayer(path, "m", "ogr")
    assert layer.isValid()
    cells = {}
    for feature in layer.getFeatures():
        if period and feature["periode"] != period:
            continue
        if zone is not None and feature["zone"] != zone:
            continue
        key = (feature["code_avant"], feature["code_apres"])
        cells[key] = cells.get(key, 0.0) + feature["surface_ha"]
    return {k: round(v, 6) for k, v in cells.items() if v}


def test_matrix_three_vintages(tmp_path):
    results, feedback = run("ocs:transitionmatrix", {"INPUT": grid_layer(), "TARGET": 7,
                                                     "OUTPUT": str(tmp_path / "m.gpkg")})
    path = results["OUTPUT"]
    assert matrix(path, "2005-2021") == {("2", "1"): 6.0, ("3", "3"): 2.0, ("1", "1"): 5.0, ("4", "4"): 2.0,
                                         ("3", "2"): 3.0}
    assert matrix(path, "2005-2015") == {("2", "2"): 1.0, ("2", "1"): 5.0, ("3", "3"): 2.0, ("1", "1"): 5.0,
                                         ("4", "4"): 2.0, ("3", "2"): 3.0}
    assert matrix(path, "2015-2021") == {("2", "1"): 1.0, ("1", "1"): 10.0, ("3", "3"): 2.0, ("4", "4"): 2.0,
                                         ("2", "2"): 3.0}
    layer = QgsVectorLayer(path, "m", "ogr")
    # 4 codes of the union → full 4 × 4 matrix per period (zeros included), three periods
    assert layer.featureCount() == 3 * 16
    labels = {f["code_avant"]: f["libelle_avant"] for f in layer.getFeatures()}
    assert labels["2"] == "Espaces Agricoles"
    assert any("Conservation 2005-2021: land compared 18.0000 ha, matrix total 18.0000 ha" in m
               for m in feedback.infos)


def test_matrix_zones_cut_polygons(tmp_path):
    results, feedback = run("ocs:transitionmatrix", {
        "INPUT": grid_layer(), "TARGET": 7, "FROM_VINTAGE": "2005", "TO_VINTAGE": "2021",
        "ZONES": zones_layer(), "ZONE_FIELD": "insee", "OUTPUT": str(tmp_path / "m.gpkg")})
    path = results["OUTPUT"]
    assert matrix(path, "2005-2021", zone="A") == {("2", "1"): 3.0, ("3", "3"): 1.0, ("1", "1"): 1.0,
                                                   ("4", "4"): 1.0}
    assert matrix(path, "2005-2021", zone="B") == {("3", "3"): 1.0, ("1", "1"): 3.5, ("4", "4"): 1.0, ("2", "1"): 2.5,
                                      ("3", "2"): 2.5}
    assert matrix(path, "2005-2021", zone="hors zones") == {("2", "1"): 0.5, ("1", "1"): 0.5, ("3", "2"): 0.5}
    assert matrix(path, "2005-2021") == {("2", "1"): 6.0, ("3", "3"): 2.0, ("1", "1"): 5.0, ("4", "4"): 2.0,
                                         ("3", "2"): 3.0}
    # both ends given: that one period, although 2015 lies between them
    periods = {f["periode"] for f in QgsVectorLayer(path, "m", "ogr").getFeatures()}
    assert periods == {"2005-2021"}


def test_matrix_from_vintage_only(tmp_path):
    results, _feedback = run("ocs:transitionmatrix", {
        "INPUT": grid_layer(), "TARGET": 7, "FROM_VINTAGE": "15", "ZONES": zones_layer(), "ZONE_FIELD": "insee",
        "OUTPUT": str(tmp_path / "m.gpkg")})
    path = results["OUTPUT"]
    assert {f["periode"] for f in QgsVectorLayer(path, "m", "ogr").getFeatures()} == {"2015-2021"}
    # zone B, 2015 → 2021: only half of cell 5 (HAB → PARK, 4 postes 1 → 1) moves, so nothing changes
    assert matrix(path, "2015-2021", zone="B") == {("3", "3"): 1.0, ("1", "1"): 6.0, ("4", "4"): 1.0,
                                                   ("2", "2"): 2.5}


def test_changedetection_types(tmp_path):
    results, _feedback = run("ocs:changedetection", {"INPUT": grid_layer(), "TARGET": 7,
                                                      "OUTPUT": str(tmp_path / "c.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "c", "ogr")
    found = sorted((f["code_avant"], f["code_apres"], f["type_changement"], round(f["surface_m2"]))
                   for f in layer.getFeatures())
    assert found == [("2", "1", "artificialisation", 10000), ("2", "1", "artificialisation", 10000),
                     ("2", "1", "artificialisation", 10000), ("2", "1", "consommation ENAF", 30000),
                     ("3", "2", "mutation agricole/naturelle", 30000)]
    feature = next(f for f in layer.getFeatures() if f["type_changement"] == "consommation ENAF")
    assert (feature["libelle_avant"], feature["libelle_apres"]) == ("Espaces Agricoles", "Espaces Urbanisés")
    assert (feature["millesime_avant"], feature["millesime_apres"]) == ("2005", "2021")
    assert (feature["artif_avant"], feature["artif_apres"], feature["enaf_avant"], feature["enaf_apres"]) == \
        (0, 0, "A", "Uh")
    assert layer.renderer().classAttribute() == "type_changement"


def test_changedetection_all_pairs(tmp_path):
    results, _feedback = run("ocs:changedetection", {"INPUT": grid_layer(), "TARGET": 2, "ONLY_CHANGES": False,
                                                      "OUTPUT": str(tmp_path / "c.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "c", "ogr")
    assert layer.featureCount() == 9
    types = {}
    for feature in layer.getFeatures():
        types[feature["type_changement"]] = types.get(feature["type_changement"], 0) + feature["surface_m2"] / 1e4
    assert {k: round(v, 6) for k, v in types.items()} == {
        "artificialisation": 3.0, "consommation ENAF": 3.0, "mutation agricole/naturelle": 3.0,
        "désartificialisation": 2.0, "densification": 3.0, "aucun changement": 4.0}
    road = features_by(layer, "code_avant")["CS1.1.2/US4.1.1"]
    assert road["type_changement"] == "aucun changement"
    assert road["libelle_avant"] == "Surfaces non bâties / Routier principal"


def test_changedetection_zone_field(tmp_path):
    results, _feedback = run("ocs:changedetection", {
        "INPUT": grid_layer(), "TARGET": 7, "ZONES": zones_layer(), "ZONE_FIELD": "insee",
        "OUTPUT": str(tmp_path / "c.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "c", "ogr")
    by_zone = {}
    for feature in layer.getFeatures():
        by_zone[feature["insee"]] = by_zone.get(feature["insee"], 0) + feature["surface_m2"] / 1e4
    # changed cells 1, 2, 3 (zone A), 7 and 9 (3 ha each, 0.5 ha of each outside the zones)
    assert {k: round(v, 6) for k, v in by_zone.items()} == {"A": 3.0, "B": 5.0, "hors zones": 1.0}


def test_territoryflows_by_hand(tmp_path):
    results, feedback = run("ocs:territoryflows", {"INPUT": grid_layer(), "TARGET": 7,
                                                   "OUTPUT": str(tmp_path / "f.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "f", "ogr")
    rows = features_by(layer, "zone")
    assert list(rows) == ["total"]
    total = rows["total"]
    assert total["surface_ha"] == pytest.approx(18.0)
    assert total["p4_2_2005_ha"] == pytest.approx(6.0)
    assert total["p4_1_2021_ha"] == pytest.approx(11.0)
    assert total["p4_2_2015_ha"] == pytest.approx(4.0)
    assert total["annees_2005_2021"] == 16
    assert total["artif_2005_2021_ha"] == pytest.approx(3.0)
    assert total["artif_2005_2021_ha_an"] == pytest.approx(3.0 / 16)
    assert total["desartif_2005_2021_ha"] == pytest.approx(2.0)
    assert total["artif_net_2005_2021_ha"] == pytest.approx(1.0)
    assert total["conso_enaf_2005_2021_ha"] == pytest.approx(6.0)
    assert total["conso_habitat_2005_2021_ha"] == pytest.approx(5.0)
    assert total["conso_activite_2005_2021_ha"] == pytest.approx(1.0)
    assert total["conso_infra_2005_2021_ha"] == pytest.approx(0.0)
    assert total["renaturation_2005_2021_ha"] == pytest.approx(2.0)
    assert total["conso_enaf_2005_2021_pct"] == pytest.approx(100 * 6 / 18)
    assert total["artif_2005_2015_ha"] == pytest.approx(2.0)
    assert total["conso_enaf_2005_2015_ha"] == pytest.approx(5.0)
    assert total["artif_2015_2021_ha"] == pytest.approx(1.0)
    assert total["artif_2015_2021_ha_an"] == pytest.approx(1.0 / 6)
    assert total["artif_net_2015_2021_ha"] == pytest.approx(-1.0)
    assert total["conso_enaf_2015_2021_ha"] == pytest.approx(1.0)


def test_territoryflows_zones(tmp_path):
    results, _feedback = run("ocs:territoryflows", {
        "INPUT": grid_layer(), "TARGET": 7, "FROM_VINTAGE": "2005", "TO_VINTAGE": "2021",
        "ZONES": zones_layer(), "ZONE_FIELD": "insee", "OUTPUT": str(tmp_path / "f.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "f", "ogr")
    rows = features_by(layer, "zone")
    assert sorted(rows) == ["A", "B", "hors zones", "total"]
    assert rows["A"]["surface_ha"] == pytest.approx(6.0)
    assert rows["B"]["surface_ha"] == pytest.approx(10.5)
    assert rows["hors zones"]["surface_ha"] == pytest.approx(1.5)
    assert rows["total"]["surface_ha"] == pytest.approx(18.0)
    # zone A: cells 1–3 artificialised (3 ha), half of cell 5 désartificialised (1 ha)
    assert rows["A"]["artif_2005_2021_ha"] == pytest.approx(3.0)
    assert rows["A"]["desartif_2005_2021_ha"] == pytest.approx(1.0)
    assert rows["B"]["desartif_2005_2021_ha"] == pytest.approx(1.0)
    # cell 7 (garden, 3 ha): 2.5 ha in zone B, 0.5 ha outside
    assert rows["B"]["conso_habitat_2005_2021_ha"] == pytest.approx(2.5)
    assert rows["hors zones"]["conso_habitat_2005_2021_ha"] == pytest.approx(0.5)
    assert rows["A"]["conso_enaf_2005_2021_pct"] == pytest.approx(50.0)
    assert rows["A"].geometry().area() == pytest.approx(200 * 400)
    # the total has no geometry (issue #16: its outline covered the zones on the map); the GeoPackage writer
    # stores a feature without geometry as an empty one: the map shows each zone once, 550 m × 400 m in all
    assert rows["total"].geometry().isEmpty()
    assert sum(row.geometry().area() for row in rows.values()) == pytest.approx(550 * 400)
    assert rows["hors zones"].geometry().isEmpty()
    assert rows["A"]["annees_2005_2021"] == 16


# -- two layers ---------------------------------------------------------------------------------------------

def ocsge_layer(rows, year, crs="EPSG:2154"):
    return make_layer([("CODE_CS", "string"), ("CODE_US", "string"), ("MILLESIME", "string")],
                      [(wkt, cs, us, year) for wkt, cs, us in rows], crs, name="ocsge_%s" % year)


AGRI_GE = ("CS2.2.1", "US1.1")
HAB_GE = ("CS1.1.1.1", "US5")


def two_layers(crs_after="EPSG:2154"):
    """2018: P1 fields x 0–100, P2 housing x 100–200, P3 fields (identical in 2021).
    2021, shifted by 50 m: Q1 housing x 50–150, Q2 fields x 150–250, P3 unchanged."""
    before = ocsge_layer([(box(0, 0, 100, 100),) + AGRI_GE, (box(100, 0, 200, 100),) + HAB_GE,
                          (box(0, 200, 100, 300),) + AGRI_GE], "2018")
    after = ocsge_layer([(box(50, 0, 150, 100),) + HAB_GE, (box(150, 0, 250, 100),) + AGRI_GE,
                         (box(0, 200, 100, 300),) + AGRI_GE], "2021", crs_after)
    return before, after


EXPECTED_OVERLAY = {("0", "1"): 0.5, ("0", "hors couverture"): 0.5, ("1", "1"): 0.5, ("1", "0"): 0.5,
                    ("hors couverture", "0"): 0.5, ("0", "0"): 1.0}


def test_overlay_matrix_offset_layers(tmp_path):
    before, after = two_layers()
    results, feedback = run("ocs:transitionmatrix", {"INPUT": before, "INPUT_AFTER": after, "TARGET": 11,
                                                     "OUTPUT": str(tmp_path / "m.gpkg")})
    assert matrix(results["OUTPUT"]) == EXPECTED_OVERLAY
    assert {f["periode"] for f in QgsVectorLayer(results["OUTPUT"], "m", "ogr").getFeatures()} == {"2018-2021"}


def test_overlay_changes_reprojected(tmp_path):
    before, after = two_layers("EPSG:4326")
    results, feedback = run("ocs:changedetection", {"INPUT": before, "INPUT_AFTER": after, "TARGET": 11,
                                                    "OUTPUT": str(tmp_path / "c.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "c", "ogr")
    types = {}
    for feature in layer.getFeatures():
        key = feature["type_changement"]
        types[key] = types.get(key, 0.0) + feature["surface_m2"]
    assert types["artificialisation"] == pytest.approx(5000, rel=1e-4)
    assert types["désartificialisation"] == pytest.approx(5000, rel=1e-4)
    assert types["hors couverture"] == pytest.approx(10000, rel=1e-3)
    assert any("reprojected" in m for m in feedback.infos)


def test_overlay_min_area_reports_dropped(tmp_path):
    before, after = two_layers()
    results, feedback = run("ocs:transitionmatrix", {"INPUT": before, "INPUT_AFTER": after, "TARGET": 11,
                                                     "MIN_AREA_M2": 6000, "OUTPUT": str(tmp_path / "m.gpkg")})
    assert matrix(results["OUTPUT"]) == {("0", "0"): 1.0}
    assert any("5 pieces dropped, 25000.00 m²" in m for m in feedback.errors)


def test_overlay_different_nomenclatures_need_common_target(tmp_path):
    from qgis.core import QgsProcessingException

    before, after = two_layers()
    ocs2d = make_layer([("cs21", "string"), ("us21", "string")], [(box(0, 0, 100, 100),) + HAB])
    with pytest.raises(QgsProcessingException, match="different nomenclatures"):
        run("ocs:transitionmatrix", {"INPUT": before, "INPUT_AFTER": ocs2d, "TARGET": 0,
                                     "OUTPUT": "memory:"})
    results, _feedback = run("ocs:transitionmatrix", {"INPUT": before, "INPUT_AFTER": ocs2d, "TARGET": 11,
                                                      "OUTPUT": str(tmp_path / "m.gpkg")})
    cells = matrix(results["OUTPUT"])
    assert cells[("0", "1")] == pytest.approx(1.0)


# -- IGN change product, bad input ------------------------------------------------------------------------

def test_ign_change_product(tmp_path):
    layer = make_layer([("CS_2018", "string"), ("US_2018", "string"), ("CS_2021", "string"),
                        ("US_2021", "string")],
                       [(box(0, 0, 100, 100),) + AGRI_GE + HAB_GE, (box(100, 0, 300, 100),) + HAB_GE + AGRI_GE,
                        (box(300, 0, 400, 100), None, None) + HAB_GE])
    results, feedback = run("ocs:territoryflows", {"INPUT": layer, "TARGET": 11, "OUTPUT": str(tmp_path / "f.gpkg")})
    total = features_by(results["OUTPUT"], "zone")["total"]
    assert total["artif_2018_2021_ha"] == pytest.approx(1.0)
    assert total["desartif_2018_2021_ha"] == pytest.approx(2.0)
    assert total["artif_net_2018_2021_ha_an"] == pytest.approx(-1.0 / 3)
    assert total["conso_enaf_2018_2021_ha"] == pytest.approx(1.0)
    assert total["surface_ha"] == pytest.approx(4.0)
    assert total["artif_inconnu_2018_ha"] == pytest.approx(1.0)
    assert any("1 features with a NULL or unknown code" in m for m in feedback.errors)


def test_bad_inputs(tmp_path):
    from qgis.core import QgsProcessingException

    one = make_layer([("cs21", "string"), ("us21", "string")], [(box(0, 0, 100, 100),) + HAB])
    with pytest.raises(QgsProcessingException, match="two are needed"):
        run("ocs:transitionmatrix", {"INPUT": one, "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="not found"):
        run("ocs:transitionmatrix", {"INPUT": grid_layer(), "FROM_VINTAGE": "2010", "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="not a year"):
        run("ocs:transitionmatrix", {"INPUT": grid_layer(), "FROM_VINTAGE": "abc", "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="ZONE_FIELD"):
        run("ocs:transitionmatrix", {"INPUT": grid_layer(), "ZONES": make_layer([("nom", "string")], [
            (box(0, 0, 10, 10), "x")]), "OUTPUT": "memory:"})
    empty = make_layer(FIELDS, [])
    with pytest.raises(QgsProcessingException, match="empty"):
        run("ocs:changedetection", {"INPUT": empty, "OUTPUT": "memory:"})
    before, _after = two_layers()
    with pytest.raises(QgsProcessingException, match="give the older layer in INPUT"):
        run("ocs:changedetection", {"INPUT": _after, "INPUT_AFTER": before, "TARGET": 11, "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="OCS2D codes only"):
        run("ocs:changedetection", {"INPUT": before, "INPUT_AFTER": _after, "TARGET": 7, "OUTPUT": "memory:"})


def test_report_written(tmp_path):
    report = tmp_path / "rapport.html"
    results, _feedback = run("ocs:transitionmatrix", {
        "INPUT": grid_layer(), "TARGET": 7, "ZONES": zones_layer(), "ZONE_FIELD": "insee",
        "OUTPUT": str(tmp_path / "m.gpkg"), "REPORT": str(report)})
    assert results["REPORT"] == str(report)
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") >= 4 * 3   # at least the bars of the territory and 3 zones, 3 periods
    assert "Agricultural areas" in html      # the English label of "Espaces Agricoles" (tests run in English)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_reports_name_zones_by_their_name_and_code(tmp_path):
    """NAME_FIELD (or a name field found: nom_com, NOM, libelle…) titles the zones of the reports "Lens (A)";
    the subtitle names the compared target as the dialog does ("4 postes"), not by its key."""
    zones = make_layer([("insee", "string"), ("nom_com", "string")],
                       [(box(0, -50, 200, 350), "A", "Lens"), (box(200, -50, 550, 350), "B", None)], name="communes")
    report = tmp_path / "rapport.html"
    _results, feedback = run("ocs:transitionmatrix", {
        "INPUT": grid_layer(), "TARGET": 7, "ZONES": zones, "ZONE_FIELD": "insee", "OUTPUT": str(tmp_path / "m.gpkg"),
        "REPORT": str(report)})
    html = report.read_text(encoding="utf-8")
    assert "Lens (A) — 2005 → 2021" in html and "insee B — 2005 → 2021" in html   # B has no name: its code
    assert "insee A" not in html
    assert "Compared: 4 postes." in html and "Compared: p4" not in html
    assert "Zone names: nom_com" in feedback.infos
    with pytest.raises(QgsProcessingException, match="NAME_FIELD 'commune' is not a field"):
        run("ocs:transitionmatrix", {"INPUT": grid_layer(), "ZONES": zones, "ZONE_FIELD": "insee",
                                     "NAME_FIELD": "commune", "OUTPUT": "memory:"})
    ztr = tmp_path / "zan.html"
    run("ocs:zantrajectory", {"INPUT": grid_layer(), "ZONES": zones, "ZONE_FIELD": "insee", "NAME_FIELD": "nom_com",
                              "OUTPUT": str(tmp_path / "z.gpkg"), "REPORT": str(ztr)})
    assert "Lens (A)" in ztr.read_text(encoding="utf-8")
