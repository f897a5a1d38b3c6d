"""ocs:heatisland on layouts computed by hand (OCS GE codes; coefficients of resources/heat/coefficients.csv)."""
import math
import os

import pytest
from qgis.core import QgsRasterLayer, QgsVectorLayer

from helpers import box, make_layer, run

ASPHALT = ("CS1.1.1.2", "US4.1.1")     # impermeable: h_jour 1.00, h_nuit 0.90
BUILT = ("CS1.1.1.1", "US5")           # bati: 0.95 / 1.00
GRASS = ("CS2.2.1", "US1.1")           # herbace: 0.45 / 0.10
WATER = ("CS1.2.2", "US6.3")           # eau: 0.10 / 0.40, green/blue area
TREES = ("CS2.1.1.1", "US1.2")         # feuillus: 0.00 / 0.15, green area
FIELDS = [("CODE_CS", "string"), ("CODE_US", "string"), ("MILLESIME", "string")]
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                    "ocsge_d062_2018_metaleurop.gpkg")


def layer(rows, year="2021"):
    return make_layer(FIELDS, [(wkt,) + codes + (year,) for wkt, codes in rows], name="ocsge")


def units_by_box(path):
    result = {}
    for feature in QgsVectorLayer(path, "h", "ogr").getFeatures():
        b = feature.geometry().boundingBox()
        result[(round(b.xMinimum() % 100000), round(b.yMinimum() % 100000))] = feature
    return result


def test_two_by_two_grid_by_hand(tmp_path):
    """Cells of 100 m: A asphalt, B half building half grass, C water, D trees. No cooling (threshold 100 ha)."""
    rows = [(box(0, 0, 100, 100), ASPHALT), (box(100, 0, 150, 100), BUILT), (box(150, 0, 200, 100), GRASS),
            (box(0, 100, 100, 200), WATER), (box(100, 100, 200, 200), TREES)]
    results, feedback = run("ocs:heatisland", {"INPUT": layer(rows), "MIN_GREEN_AREA_HA": 100.0,
                                               "OUTPUT": str(tmp_path / "h.gpkg")})
    cells = units_by_box(results["OUTPUT"])
    x0, y0 = 0, 30000   # helpers.X0 % 100000, helpers.Y0 % 100000
    a, b, c, d = cells[(x0, y0)], cells[(x0 + 100, y0)], cells[(x0, y0 + 100)], cells[(x0 + 100, y0 + 100)]
    assert (a["score_jour_2021"], a["score_nuit_2021"], a["score_2021"]) == pytest.approx((100.0, 90.0, 95.0))
    assert a["classe_2021"] == "participe fortement à la surchauffe"
    assert (b["h_jour_2021"], b["h_nuit_2021"]) == pytest.approx((0.70, 0.55))
    assert b["score_2021"] == pytest.approx(62.5)
    assert b["classe_2021"] == "participe moyennement à la surchauffe"
    assert (b["part_bati_2021"], b["part_herbacee_2021"], b["part_eau_2021"]) == pytest.approx((0.5, 0.5, 0.0))
    assert c["score_2021"] == pytest.approx(25.0) and c["classe_2021"] == "participe au rafraîchissement"
    assert d["score_2021"] == pytest.approx(7.5) and d["classe_2021"] == "refuge de fraîcheur"
    for cell in (a, b, c, d):
        shares = sum(cell["part_%s_2021" % g] for g in ("bati", "impermeable", "mineral", "sol_nu", "eau",
                                                          "arboree", "arbustive", "herbacee"))
        assert shares == pytest.approx(1.0)
        assert cell["part_couverte"] == pytest.approx(1.0)
        assert cell["refroidissement_2021"] == 0.0
    assert any("4.00 ha of land cover in the input, 4.00 ha burnt at 5 m (+0.000 %)" in m for m in feedback.infos)
    # asphalt heats more than trees by day and by night
    assert a["score_jour_2021"] > d["score_jour_2021"] and a["score_nuit_2021"] > d["score_nuit_2021"]


def strip(park_width):
    """An asphalt strip 1,500 m × 100 m with a park of trees ``park_width`` × 100 m at its west end."""
    return layer([(box(0, 0, park_width, 100), TREES), (box(park_width, 0, 1500, 100), ASPHALT)])


def test_a_3_ha_park_cools_its_neighbours(tmp_path):
    results, _feedback = run("ocs:heatisland", {"INPUT": strip(300), "OUTPUT": str(tmp_path / "h.gpkg")})
    cells = units_by_box(results["OUTPUT"])
    beside, far = cells[(300, 30000)], cells[(1300, 30000)]
    assert beside["dist_espace_vert_m_2021"] == pytest.approx(20.0)
    # the cell's five columns of 20 m cells lie 20, 40, 60, 80 and 100 m from the park's edge cells; per pixel
    # H = 1 − max(1 − h, 0.8 × e^(−d/300)), and 0.8 × e^(−d/300) > 1 − h for asphalt by day (0) and night (0.1)
    factors = [math.exp(-d / 300.0) for d in (20, 40, 60, 80, 100)]
    assert beside["refroidissement_2021"] == pytest.approx(sum(factors) / 5)
    expected = 100 * sum(1 - 0.8 * f for f in factors) / 5
    assert beside["score_jour_2021"] == pytest.approx(expected)
    assert beside["score_nuit_2021"] == pytest.approx(expected)
    assert far["score_2021"] == pytest.approx(95.0)
    assert beside["score_2021"] < far["score_2021"]


def test_a_1_ha_park_does_not_cool(tmp_path):
    results, _feedback = run("ocs:heatisland", {"INPUT": strip(100), "OUTPUT": str(tmp_path / "h.gpkg")})
    beside = units_by_box(results["OUTPUT"])[(100, 30000)]
    assert beside["score_2021"] == pytest.approx(95.0)
    assert beside["refroidissement_2021"] == 0.0


def test_edge_units_and_overrides(tmp_path):
    """A territory 150 m wide: the second column of 100 m cells is half covered. COEFFICIENTS sets grass to 0.6."""
    rows = [(box(0, 0, 150, 100), GRASS)]
    results, _feedback = run("ocs:heatisland", {"INPUT": layer(rows), "MIN_GREEN_AREA_HA": 100.0,
                                                "COEFFICIENTS": ["herbace", "0.6", "0.2"],
                                                "OUTPUT": str(tmp_path / "h.gpkg")})
    cells = units_by_box(results["OUTPUT"])
    assert cells[(100, 30000)]["part_couverte"] == pytest.approx(0.5)
    assert cells[(0, 30000)]["part_couverte"] == pytest.approx(1.0)
    assert cells[(100, 30000)]["score_2021"] == pytest.approx(40.0)


def test_zones_polygons_hexagons_and_two_vintages(tmp_path):
    rows = [(box(0, 0, 100, 100), ASPHALT + GRASS), (box(100, 0, 200, 100), GRASS + BUILT)]
    two = make_layer([("CS_2018", "string"), ("US_2018", "string"), ("CS_2021", "string"), ("US_2021", "string")],
                     [(wkt,) + codes for wkt, codes in rows])
    zones = make_layer([("iris", "string")], [(box(0, 0, 200, 100), "IRIS1")])
    results, _feedback = run("ocs:heatisland", {"INPUT": two, "UNITS": 2, "ZONES": zones,
                                                "MIN_GREEN_AREA_HA": 100.0, "OUTPUT": str(tmp_path / "z.gpkg")})
    zone = next(QgsVectorLayer(results["OUTPUT"], "z", "ogr").getFeatures())
    assert zone["iris"] == "IRIS1"
    assert zone["score_2018"] == pytest.approx((95.0 + 27.5) / 2)
    assert zone["score_2021"] == pytest.approx((27.5 + 97.5) / 2)
    assert zone["delta_score_2018_2021"] == pytest.approx(1.25)
    results, _feedback = run("ocs:heatisland", {"INPUT": two, "UNITS": 3, "MIN_GREEN_AREA_HA": 100.0,
                                                "VINTAGES": "2021", "OUTPUT": str(tmp_path / "p.gpkg")})
    scores = sorted(f["score_2021"] for f in QgsVectorLayer(results["OUTPUT"], "p", "ogr").getFeatures())
    assert scores == pytest.approx([27.5, 97.5])
    results, _feedback = run("ocs:heatisland", {"INPUT": two, "UNITS": 1, "CELL_SIZE": 50.0,
                                                "OUTPUT": str(tmp_path / "x.gpkg")})
    hexagons = QgsVectorLayer(results["OUTPUT"], "x", "ogr")
    assert hexagons.featureCount() > 4
    assert {f.geometry().constGet().geometryN(0).exteriorRing().numPoints() for f in hexagons.getFeatures()} == {7}


def test_raster_output(tmp_path):
    rows = [(box(0, 0, 100, 100), ASPHALT), (box(100, 0, 200, 100), TREES)]
    results, _feedback = run("ocs:heatisland", {"INPUT": layer(rows), "MIN_GREEN_AREA_HA": 100.0,
                                                "OUTPUT": str(tmp_path / "h.gpkg"),
                                                "OUTPUT_RASTER": str(tmp_path / "h.tif")})
    raster = QgsRasterLayer(results["OUTPUT_RASTER"], "r")
    assert raster.isValid() and raster.width() == 40 and raster.height() == 20
    provider = raster.dataProvider()
    from qgis.core import QgsPointXY

    from helpers import X0, Y0
    assert provider.sample(QgsPointXY(X0 + 50, Y0 + 50), 1)[0] == 95
    assert provider.sample(QgsPointXY(X0 + 150, Y0 + 50), 1)[0] == 8     # 7.5 rounded to even


def test_real_ocsge_extract(tmp_path):
    """The real extract completes. Its 9 class multipolygons overlap: their areas add up to 10,077.02 ha but
    they cover 9,792.45 ha (GEOS union): the raster holds the land covered, to 0.5 %, and the log says so."""
    results, feedback = run("ocs:heatisland", {"INPUT": DATA + "|layername=occupation_sol",
                                               "OUTPUT": str(tmp_path / "h.gpkg")})
    line = [m for m in feedback.infos if "burnt at 5 m" in m][0]
    burnt = float(line.split(" ha of land cover in the input, ")[1].split(" ha burnt")[0])
    assert burnt == pytest.approx(9792.45, rel=0.005)
    assert any("overlap" in m and "284." in m for m in feedback.errors)
    layer = QgsVectorLayer(results["OUTPUT"], "h", "ogr")
    assert layer.featureCount() > 1000
    covered = sum(f["part_couverte"] * f.geometry().area() for f in layer.getFeatures())
    assert covered / 1e4 == pytest.approx(burnt, rel=0.005)


def test_bad_input():
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="ZONES"):
        run("ocs:heatisland", {"INPUT": layer([(box(0, 0, 10, 10), GRASS)]), "UNITS": 2, "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="COEFFICIENTS"):
        run("ocs:heatisland", {"INPUT": layer([(box(0, 0, 10, 10), GRASS)]), "COEFFICIENTS": ["gazon", "2", "0"],
                               "OUTPUT": "memory:"})


def test_geopackage_fast_path_gives_the_same_scores(tmp_path):
    """A GeoPackage input has its classes written by GDAL in one SQL statement: same scores as feature by feature."""
    from helpers import to_gpkg

    rows = [(box(0, 0, 100, 100), ASPHALT), (box(100, 0, 150, 100), BUILT), (box(150, 0, 200, 100), GRASS),
            (box(0, 100, 100, 200), WATER), (box(100, 100, 200, 200), TREES)]
    memory = layer(rows)
    path = to_gpkg(memory, tmp_path / "in.gpkg")
    for units in (0, 3):
        generic, _f = run("ocs:heatisland", {"INPUT": memory, "UNITS": units, "OUTPUT": str(tmp_path / "a.gpkg")})
        fast, feedback = run("ocs:heatisland", {"INPUT": path, "UNITS": units, "OUTPUT": str(tmp_path / "b.gpkg")})
        assert any("GeoPackage fast path" in m for m in feedback.infos)
        a = sorted((f["id"], round(f["score_2021"], 9), round(f["part_bati_2021"], 9))
                   for f in QgsVectorLayer(generic["OUTPUT"], "a", "ogr").getFeatures())
        b = sorted((f["id"], round(f["score_2021"], 9), round(f["part_bati_2021"], 9))
                   for f in QgsVectorLayer(fast["OUTPUT"], "b", "ogr").getFeatures())
        assert a == b and len(a) == (4 if units == 0 else 5)


TWO_VINTAGES = [("CS_2018", "string"), ("US_2018", "string"), ("CS_2021", "string"), ("US_2021", "string")]


def two_vintage_grid(tmp_path, layer_options=None):
    """A GeoPackage of 3 ha over two vintages; a 200 m square grid of 100 m cells (ids from the top-left corner,
    column by column: 1 = (0, 100), 2 = (0, 0), 3 = (100, 100) without land cover, 4 = (100, 0)). Asphalt appears in
    two different (2018, 2021) combinations, so its 2018 area is summed over two groups of the one scan."""
    from osgeo import gdal

    rows = [(box(0, 0, 100, 100), ASPHALT + GRASS), (box(100, 0, 200, 100), GRASS + BUILT),
            (box(0, 100, 100, 200), ASPHALT + BUILT)]
    memory = make_layer(TWO_VINTAGES, [(wkt,) + codes for wkt, codes in rows])
    path = str(tmp_path / "two.gpkg")
    gdal.VectorTranslate(path, to_gpkg_file(memory, tmp_path / "plain.gpkg"), format="GPKG",
                         layerCreationOptions=layer_options or [])
    return path


def to_gpkg_file(memory, path):
    from helpers import to_gpkg

    return to_gpkg(memory, path)


def check_two_vintage_grid(results, feedback):
    """Scores by hand (no cooling): asphalt 95, grass 27.5, built 97.5; both vintages 3.00 ha in and burnt."""
    cells = {f["id"]: (f["score_2018"], f["score_2021"])
             for f in QgsVectorLayer(results["OUTPUT"], "g", "ogr").getFeatures()}
    assert sorted(cells) == [1, 2, 4]
    assert cells[1] == pytest.approx((95.0, 97.5))
    assert cells[2] == pytest.approx((95.0, 27.5))
    assert cells[4] == pytest.approx((27.5, 97.5))
    for year in ("2018", "2021"):
        assert any(m.startswith("%s: 3.00 ha of land cover in the input, 3.00 ha burnt" % year)
                   for m in feedback.infos), feedback.infos
    assert not feedback.errors, feedback.errors      # class areas in = burnt (else "differ by more than 0.5 %")


def test_geopackage_fast_path_reads_every_vintage_in_one_scan(tmp_path):
    path = two_vintage_grid(tmp_path)
    results, feedback = run("ocs:heatisland", {"INPUT": path, "UNITS": 0, "CELL_SIZE": 100.0,
                                               "MIN_GREEN_AREA_HA": 100.0, "OUTPUT": str(tmp_path / "g.gpkg")})
    assert "Classes read by GDAL (GeoPackage fast path)." in feedback.infos
    check_two_vintage_grid(results, feedback)


def test_geopackage_without_spatial_index_goes_the_generic_way(tmp_path):
    """No R-tree: the layer is not scanned for the fast path (declined first), the classes are written feature by
    feature, same scores."""
    path = two_vintage_grid(tmp_path, ["SPATIAL_INDEX=NO"])
    results, feedback = run("ocs:heatisland", {"INPUT": path, "UNITS": 0, "CELL_SIZE": 100.0,
                                               "MIN_GREEN_AREA_HA": 100.0, "OUTPUT": str(tmp_path / "g.gpkg")})
    assert "GeoPackage fast path not used: no spatial index" in feedback.debug
    assert "Classes read by GDAL (GeoPackage fast path)." not in feedback.infos
    check_two_vintage_grid(results, feedback)


def test_styles_stored_in_the_geopackage(tmp_path):
    import sqlite3

    rows = [(box(0, 0, 100, 100), ASPHALT), (box(100, 0, 200, 100), TREES)]
    results, _feedback = run("ocs:heatisland", {"INPUT": layer(rows), "OUTPUT": str(tmp_path / "h.gpkg")})
    with sqlite3.connect(results["OUTPUT"]) as db:
        styles = {name: int(default) for name, default in db.execute(
            "SELECT stylename, useasdefault FROM layer_styles").fetchall()}
    assert styles == {"classe_2021": 1, "score_2021": 0, "score_jour_2021": 0, "score_nuit_2021": 0}
    layer_out = QgsVectorLayer(results["OUTPUT"], "h", "ogr")
    assert layer_out.renderer().classAttribute() == "classe_2021"
    from ocs_toolbox.core.styles import template_for_field

    assert (template_for_field("score_2021"), template_for_field("classe_2005")) == ("heat_score", "heat_classe")


def test_input_polygon_ids_after_a_feature_without_geometry(tmp_path):
    """UNITS = input polygons: each unit carries its own feature id, also after a feature without geometry."""
    rows = [(None, GRASS), (box(0, 0, 100, 100), ASPHALT), (box(100, 0, 200, 100), TREES)]
    results, _feedback = run("ocs:heatisland", {"INPUT": layer(rows), "UNITS": 3, "MIN_GREEN_AREA_HA": 100.0,
                                                "OUTPUT": str(tmp_path / "p.gpkg")})
    scores = {f["id"]: f["score_2021"] for f in QgsVectorLayer(results["OUTPUT"], "p", "ogr").getFeatures()}
    assert scores == pytest.approx({2: 95.0, 3: 7.5})


def _town(tmp_path):
    """1,050 × 620 m, two vintages (OCS GE change-product fields): asphalt and buildings around a 4.2 ha wood that
    loses a corner to buildings in 2021, a pond, grass, and a 50 m gap along the east side (cells cut by the
    edge). Written to a GeoPackage, so the classes are read with SQL."""
    from helpers import to_gpkg

    rows = [(box(0, 0, 1000, 200), ASPHALT + ASPHALT), (box(0, 200, 300, 620), BUILT + BUILT),
            (box(300, 200, 650, 320), TREES + TREES), (box(300, 320, 650, 620), TREES + BUILT),
            (box(650, 200, 800, 620), WATER + WATER), (box(800, 200, 1000, 620), GRASS + ASPHALT),
            (box(1000, 0, 1050, 300), GRASS + GRASS)]
    two = make_layer([("CS_2018", "string"), ("US_2018", "string"), ("CS_2021", "string"), ("US_2021", "string")],
                     [(wkt,) + codes for wkt, codes in rows])
    return two, to_gpkg(two, tmp_path / "town.gpkg")


SCORE_FIELDS = ["part_couverte"] + ["%s_%s" % (name, year) for year in (2018, 2021) for name in (
    "part_bati", "part_impermeable", "part_eau", "part_arboree", "part_herbacee", "h_jour", "h_nuit",
    "dist_espace_vert_m", "refroidissement", "score_jour", "score_nuit", "score", "classe")] + [
    "delta_score_2018_2021"]


def _rows(path, key="id"):
    return {f[key]: [None if f[name] is None or f[name] == "" else
                     (round(f[name], 9) if isinstance(f[name], float) else f[name]) for name in SCORE_FIELDS]
            for f in QgsVectorLayer(path, "l", "ogr").getFeatures()}


@pytest.mark.parametrize("cell", [100.0, 60.0, 50.0])
def test_square_grid_read_off_the_raster_equals_the_grid_as_zones(tmp_path, cell):
    """The square grid read off the raster (100 m = 20 pixels of 5 m, 60 m = 12 pixels; distances on 4-pixel
    cells) gives, cell by cell, what the generic engine gives for the grid of native:creategrid given as ZONES;
    50 m (10 pixels, not a multiple of 4) takes the generic path itself. Memory output = GeoPackage output."""
    import processing

    _two, path = _town(tmp_path)
    extent = QgsVectorLayer(path, "t", "ogr").extent()
    grid = processing.run("native:creategrid", {
        "TYPE": 2, "EXTENT": "%f,%f,%f,%f [EPSG:2154]" % (extent.xMinimum(), extent.xMaximum(), extent.yMinimum(),
                                                          extent.yMaximum()),
        "HSPACING": cell, "VSPACING": cell, "HOVERLAY": 0, "VOVERLAY": 0, "CRS": "EPSG:2154",
        "OUTPUT": str(tmp_path / "grid.gpkg")})["OUTPUT"]
    fast, feedback = run("ocs:heatisland", {"INPUT": path, "CELL_SIZE": cell, "OUTPUT": str(tmp_path / "f.gpkg")})
    assert any("read off the raster" in m for m in feedback.infos) == (cell != 50.0)
    zones, _f = run("ocs:heatisland", {"INPUT": path, "UNITS": 2, "ZONES": grid, "CELL_SIZE": cell,
                                        "OUTPUT": str(tmp_path / "z.gpkg")})
    memory, _f = run("ocs:heatisland", {"INPUT": path, "CELL_SIZE": cell, "OUTPUT": "memory:"})
    a, b = _rows(fast["OUTPUT"]), _rows(zones["OUTPUT"])
    assert len(a) == {100.0: 74, 60.0: 193, 50.0: 267}[cell] and a == b
    assert {f["id"]: [None if f[n] is None else (round(f[n], 9) if isinstance(f[n], float) else f[n])
                      for n in SCORE_FIELDS] for f in memory["OUTPUT"].getFeatures()} == a
    # the wood (4.2 ha, then 2.1 ha) cools its neighbours in both vintages
    for year in (2018, 2021):
        assert sum(1 for row in a.values() if row[SCORE_FIELDS.index("refroidissement_%d" % year)]) > 10


def test_grid_geopackage_layer_and_index(tmp_path):
    """The grid written with SQLite: fid = grid id, R-tree consistent (SQLite's rtreecheck) and holding only the
    written cells, feature count and extent filled in, GDAL's triggers back in place; writing into a GeoPackage
    that holds another layer keeps that layer."""
    import sqlite3

    from helpers import to_gpkg

    two, path = _town(tmp_path)
    target = tmp_path / "out.gpkg"
    to_gpkg(two, target, "autre")
    results, _f = run("ocs:heatisland", {"INPUT": path, "OUTPUT": "%s|layername=chaleur" % target})
    with sqlite3.connect(str(target)) as db:
        assert db.execute("SELECT rtreecheck('rtree_chaleur_geom')").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM rtree_chaleur_geom").fetchone()[0] == 74
        assert db.execute("SELECT COUNT(*) FROM chaleur WHERE fid <> id").fetchone()[0] == 0
        assert db.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'chaleur'"
                          ).fetchone()[0] == 74
        triggers = {name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'chaleur'")}
        assert {"rtree_chaleur_geom_insert", "rtree_chaleur_geom_delete"} <= triggers
        assert db.execute("SELECT COUNT(*) FROM autre").fetchone()[0] == 7
    layer_out = QgsVectorLayer(results["OUTPUT"], "c", "ogr")
    assert layer_out.featureCount() == 74 and layer_out.hasSpatialIndex() in (1, 2)
    from qgis.core import QgsFeatureRequest, QgsRectangle

    from helpers import X0, Y0
    hits = list(layer_out.getFeatures(QgsFeatureRequest(QgsRectangle(X0 + 10, Y0 + 5, X0 + 20, Y0 + 15))))
    assert [f["id"] for f in hits] == [7]      # 11 columns × 7 rows: the bottom-left cell is the 7th of column 1
    assert hits[0].geometry().area() == pytest.approx(10000.0)


def test_geographic_crs_is_scored_in_lambert93(tmp_path):
    """A layer in EPSG:4326: classes written feature by feature in Lambert-93, then the grid read off the raster;
    same scores as the Lambert-93 layer (cell edges move by millimetres in the round trip)."""
    import processing

    two, _path = _town(tmp_path)
    wgs84 = processing.run("native:reprojectlayer", {"INPUT": two, "TARGET_CRS": "EPSG:4326",
                                                     "OUTPUT": "memory:"})["OUTPUT"]
    plain, _f = run("ocs:heatisland", {"INPUT": two, "OUTPUT": str(tmp_path / "a.gpkg")})
    geographic, feedback = run("ocs:heatisland", {"INPUT": wgs84, "OUTPUT": str(tmp_path / "b.gpkg")})
    assert any("EPSG:2154" in m for m in feedback.infos) and any("read off the raster" in m for m in feedback.infos)
    a, b = _rows(plain["OUTPUT"]), _rows(geographic["OUTPUT"])
    assert len(a) == len(b) == 74
    score = SCORE_FIELDS.index("score_2021")
    assert sorted(round(row[score], 3) for row in a.values()) == sorted(round(row[score], 3) for row in b.values())
