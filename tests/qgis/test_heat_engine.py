"""engines/heat.py called directly (no Processing algorithm): plain values in, figures out, on a 2 × 2 grid of
100 m whose shares and indices are computed by hand from resources/heat/coefficients.csv (OCS GE rows):

    impermeable CS1.1.1.2  h_jour 1.00  h_nuit 0.90        bati     CS1.1.1.1  0.95  1.00
    herbace     CS2.2.1    0.45         0.10               eau      CS1.2.2    0.10  0.40  (green/blue)
    feuillus    CS2.1.1.1  0.00         0.15  (green)

Cells (x, y from the south-west corner): A (0, 0) asphalt, B (100, 0) half building (west) half grass,
C (0, 100) water, D (100, 100) trees. The grid ids of native:creategrid run column by column from the top-left
corner: C = 1, A = 2, D = 3, B = 4. With no cooling (MIN_GREEN_AREA_HA = 100 ha: no patch large enough), the
final index of a pixel is its own h, so score_jour = 100 × mean h_jour, score_nuit = 100 × mean h_nuit and
score = their mean:
    A: 100, 90 → 95          B: 100 × (0.95 + 0.45) / 2 = 70, 100 × (1.00 + 0.10) / 2 = 55 → 62.5
    C: 10, 40 → 25           D: 0, 15 → 7.5
"""
import os
import sqlite3

import pytest
from osgeo import gdal, ogr
from qgis.core import QgsProcessingContext, QgsProcessingFeatureSource, QgsProject, QgsWkbTypes

from helpers import Feedback, X0, Y0, box, make_layer
from ocs_toolbox.core import heat
from ocs_toolbox.core import nomenclature as nom
from ocs_toolbox.engines import heat as engine_module
from ocs_toolbox.engines import heatgrid
from ocs_toolbox.engines import landcover

ASPHALT = ("CS1.1.1.2", "US4.1.1")
BUILT = ("CS1.1.1.1", "US5")
GRASS = ("CS2.2.1", "US1.1")
WATER = ("CS1.2.2", "US6.3")
TREES = ("CS2.1.1.1", "US1.2")
FIELDS = [("CODE_CS", "string"), ("CODE_US", "string"), ("MILLESIME", "string")]
LAYOUT = [(box(0, 0, 100, 100), ASPHALT), (box(100, 0, 150, 100), BUILT), (box(150, 0, 200, 100), GRASS),
          (box(0, 100, 100, 200), WATER), (box(100, 100, 200, 200), TREES)]
# id → (score_jour, score_nuit, score, part_bati, part_herbacee, part_eau, part_arboree)
BY_HAND = {2: (100.0, 90.0, 95.0, 0.0, 0.0, 0.0, 0.0), 4: (70.0, 55.0, 62.5, 0.5, 0.5, 0.0, 0.0),
           1: (10.0, 40.0, 25.0, 0.0, 0.0, 1.0, 0.0), 3: (0.0, 15.0, 7.5, 0.0, 0.0, 0.0, 1.0)}


LAYERS = []     # the memory layers stay alive as long as the sources that read them


class ListSink:
    """A sink keeping the features it is given."""

    def __init__(self):
        self.features = []

    def addFeatures(self, features, flags=None):  # noqa: N802
        self.features.extend(features)
        return True


def setup(tmp_path, rows=LAYOUT, **options):
    """(engine, ClassesInput, feedback) on a memory layer of ``rows`` (OCS GE 2021, Lambert-93)."""
    layer = make_layer(FIELDS, [(wkt,) + codes + ("2021",) for wkt, codes in rows], name="ocsge")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = Feedback()
    LAYERS.append(layer)
    source = QgsProcessingFeatureSource(layer, context)
    land = landcover.open_land_cover(source, context, feedback)
    assert land.nomenclature == nom.OCSGE and land.transform is None
    values = dict(resolution=5.0, coefficients=heat.Coefficients(land.nomenclature), years=land.years(),
                  workdir=str(tmp_path), min_green=100.0)
    values.update(options)
    engine = engine_module.HeatEngine(engine_module.HeatOptions(land.crs, **values), context, feedback)
    return engine, engine_module.ClassesInput(source, land.vintages), feedback


def by_id(features):
    return {feature["id"]: feature for feature in features}


def check_by_hand(cells):
    assert sorted(cells) == [1, 2, 3, 4]
    for uid, (day, night, score, bati, herbacee, eau, arboree) in BY_HAND.items():
        cell = cells[uid]
        assert (cell["score_jour_2021"], cell["score_nuit_2021"], cell["score_2021"]) == pytest.approx(
            (day, night, score)), uid
        assert (cell["part_bati_2021"], cell["part_herbacee_2021"], cell["part_eau_2021"],
                cell["part_arboree_2021"]) == pytest.approx((bati, herbacee, eau, arboree)), uid
        assert (cell["h_jour_2021"], cell["h_nuit_2021"]) == pytest.approx((day / 100, night / 100)), uid
        assert cell["part_couverte"] == pytest.approx(1.0)
        assert cell["refroidissement_2021"] == 0.0
        assert cell["classe_2021"] == heat.classe(score)


def test_grid_read_off_the_raster_through_a_sink(tmp_path):
    engine, land, feedback = setup(tmp_path)
    class_source = engine.grid_class_source(land)
    assert class_source is not None
    steps = heat.grid_steps(100.0, 5.0, engine_module.COARSE_MIN)
    assert steps == (20, 4)
    assert engine.burn_grid(class_source, steps)
    made, sinks = [], []

    def make_sink(fields, wkb_type, crs):
        made.append((fields.names(), wkb_type, crs.authid()))
        sinks.append(ListSink())
        return sinks[-1], "memory:out"

    destination, written = engine.write_grid_sink(make_sink)
    class_source.close()
    assert (destination, written) == ("memory:out", 4)
    names, wkb_type, authid = made[0]
    assert names[:2] == ["id", "part_couverte"] and names[-1] == "classe_2021"
    assert wkb_type == QgsWkbTypes.MultiPolygon and authid == "EPSG:2154"
    cells = by_id(sinks[0].features)
    check_by_hand(cells)
    # C = id 1 is the top-left cell
    b = cells[1].geometry().boundingBox()
    assert (b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()) == (X0, Y0 + 100, X0 + 100, Y0 + 200)
    assert any("4.00 ha of land cover in the input, 4.00 ha burnt at 5 m (+0.000 %)" in m for m in feedback.infos)


def test_grid_written_into_a_geopackage_file(tmp_path):
    engine, land, _feedback = setup(tmp_path)
    class_source = engine.grid_class_source(land)
    assert engine.burn_grid(class_source, (20, 4))
    path = str(tmp_path / "grid.gpkg")
    assert engine.write_grid_gpkg(path, "cells") == 4
    class_source.close()
    dataset = ogr.Open(path)
    layer = dataset.GetLayerByName("cells")
    cells = {f.GetFID(): {name: f.GetField(name) for name in ("id", "score_jour_2021", "score_nuit_2021",
                                                              "score_2021", "part_bati_2021", "part_herbacee_2021",
                                                              "part_eau_2021", "part_arboree_2021", "part_couverte")}
             for f in layer}
    assert sorted(cells) == [1, 2, 3, 4] and all(cells[i]["id"] == i for i in cells)
    for uid, (day, night, score, bati, herbacee, eau, arboree) in BY_HAND.items():
        cell = cells[uid]
        assert (cell["score_jour_2021"], cell["score_nuit_2021"], cell["score_2021"]) == pytest.approx(
            (day, night, score))
        assert (cell["part_bati_2021"], cell["part_herbacee_2021"], cell["part_eau_2021"],
                cell["part_arboree_2021"]) == pytest.approx((bati, herbacee, eau, arboree))
    assert layer.GetExtent() == (X0, X0 + 200, Y0, Y0 + 200)


def test_input_polygons_as_units_on_the_tiles(tmp_path):
    """Generic path: each input polygon is a unit (its feature id); the building and the grass halves of B are
    scored apart: building 95, 100 → 97.5; grass 45, 10 → 27.5."""
    engine, land, _feedback = setup(tmp_path, units="polygons")
    assert engine.prepare_classes(land)
    engine.use_classes_as_units()
    assert engine.burn()
    made = []
    sinks = []

    def make_sink(fields, wkb_type, crs):
        made.append(fields.names())
        sinks.append(ListSink())
        return sinks[-1], "memory:out"

    destination, written = engine.write_output(make_sink)
    engine.close()
    assert (destination, written) == ("memory:out", 5)
    scores = {feature["id"]: feature["score_2021"] for feature in sinks[0].features}
    assert scores == pytest.approx({1: 95.0, 2: 97.5, 3: 27.5, 4: 25.0, 5: 7.5})
    assert [f["part_couverte"] for f in sinks[0].features] == pytest.approx([1.0] * 5)
    assert not os.path.exists(str(tmp_path / "classes.gpkg"))     # close() removes the scratch files


def test_a_3_ha_park_cools_the_next_cell(tmp_path):
    """Trees 300 m × 100 m (3 ha ≥ 2 ha) then asphalt: the cell east of the park lies 20 m from it (the
    nearest of its 20 m coarse cells), the cell 1 km east is beyond 3 × 300 m (no cooling)."""
    rows = [(box(0, 0, 300, 100), TREES), (box(300, 0, 1500, 100), ASPHALT)]
    engine, land, _feedback = setup(tmp_path, rows, min_green=2.0)
    class_source = engine.grid_class_source(land)
    assert engine.burn_grid(class_source, (20, 4))
    class_source.close()
    distances = engine.distances[0]
    assert distances[3] == pytest.approx(20.0)          # id 4: x 300–400
    assert distances[0] == 0.0                          # id 1: inside the park
    assert distances[14] == float("inf")                # id 15: x 1400–1500, 1,100 m away


def test_score_raster_of_the_last_vintage(tmp_path):
    engine, land, _feedback = setup(tmp_path)
    class_source = engine.grid_class_source(land)
    assert engine.burn_grid(class_source, (20, 4))
    path = str(tmp_path / "score.tif")
    engine.write_raster(path)
    class_source.close()
    raster = gdal.Open(path)
    values = raster.GetRasterBand(1).ReadAsArray()
    assert values.shape == (40, 40)
    # rows from the top: C (water) and D (trees) above A (asphalt) and B (building | grass); 7.5, 97.5 and 27.5
    # are halves, rounded either way by the float noise of the indices
    assert (values[0, 0], values[39, 0]) == (25, 95)
    for value, by_hand in ((values[0, 39], 7.5), (values[39, 20], 97.5), (values[39, 39], 27.5)):
        assert abs(value - by_hand) == 0.5


def test_cancelled(tmp_path):
    engine, land, feedback = setup(tmp_path)
    class_source = engine.grid_class_source(land)
    feedback.cancel()
    assert engine.burn_grid(class_source, (20, 4)) is False
    class_source.close()


def test_exact_extent_of_a_geopackage_layer(tmp_path):
    """The grid's origin on the GeoPackage fast path: the geometries' extent to the bit, where the R-tree holds
    float32 boxes (700,000.37 is not one) and GDAL's reported extent may be a unit in the last place off."""
    path = str(tmp_path / "extent.gpkg")
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    layer = dataset.CreateLayer("land", geom_type=ogr.wkbPolygon)
    corners = [(700000.37, 7030000.81, 700100.37, 7030100.81), (700100.37, 7030000.81, 700250.1699999999,
                                                                7030133.680000001)]
    for xmin, ymin, xmax, ymax in corners:
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt("POLYGON((%r %r,%r %r,%r %r,%r %r,%r %r))" % (
            xmin, ymin, xmin, ymax, xmax, ymax, xmax, ymin, xmin, ymin)))
        layer.CreateFeature(feature)
    dataset = None
    assert heatgrid.exact_extent(path, "land") == (700000.37, 7030000.81, 700250.1699999999, 7030133.680000001)
    rtree_min = sqlite3.connect(path).execute("SELECT min(minx) FROM rtree_land_geom").fetchone()[0]
    assert rtree_min < 700000.37   # the float32 box, rounded outward
