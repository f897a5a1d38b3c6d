"""engines/changes.py and engines/zan.py called directly (plain values in), on hand-built memory layers.

The 3×3 grid of test_changes: column 0 cells 1 ha, column 1 cells 2 ha, column 2 cells 3 ha; zone A covers x 0–200,
zone B x 200–550, the strip x 550–600 is outside every zone.
"""
import pytest
from qgis.core import (
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProject,
)

from helpers import X0, Y0, Feedback, box, make_layer
from test_changes import AG, FIELDS, FOR, HAB, grid_layer, zones_layer

from ocs_toolbox.core import changes as ch
from ocs_toolbox.engines import changes, landcover
from ocs_toolbox.engines import zan as zanmaps


def context():
    result = QgsProcessingContext()
    result.setProject(QgsProject.instance())
    return result


KEEP = []     # the layers and contexts behind the sources stay alive until the end of the tests


def source(layer):
    """The layer as Processing hands it to an algorithm (what the engine reads)."""
    ctx = context()
    KEEP.append((layer, ctx))
    return QgsProcessingFeatureSource(layer, ctx, False)


def run(inputs, options):
    feedback = Feedback()
    job = changes.ChangeJob(inputs, options, context(), feedback)
    transitions = ch.Transitions()
    pieces = []
    assert job.run(transitions, lambda *piece: pieces.append(piece), Ellipsis)
    return job, transitions, pieces, feedback


def ha(cells):
    return {key: round(area / 1e4, 6) for key, area in cells.items() if area}


def test_multidate_one_period_matrix_and_zone_split():
    inputs = changes.ChangeInputs(source(grid_layer()), zones=source(zones_layer()), zone_field="insee")
    options = changes.ChangeOptions(target="p4", from_vintage="2005", to_vintage="2021", all_periods=False)
    job, transitions, pieces, feedback = run(inputs, options)
    period = ("2005", "2021")
    assert job.years == ["2005", "2021"] and job.periods == [period] and job.zone_field == "insee"
    # 2 → 1: cells 1, 2, 3 (1 ha each) and 7 (3 ha)
    assert ha(transitions.matrix(period))[("2", "1")] == 6.0
    # cell 7 (x 300–600) is cut: 2.5 ha in zone B, 0.5 ha outside every zone; zone A holds cells 1–3
    assert ha(transitions.matrix(period, "A"))[("2", "1")] == 3.0
    assert ha(transitions.matrix(period, "B"))[("2", "1")] == 2.5
    # the strip x 550–600 of cells 7 (2 → 1), 8 (1 → 1) and 9 (3 → 2)
    assert ha(transitions.matrix(period, ch.OUTSIDE_ZONES)) == {("2", "1"): 0.5, ("1", "1"): 0.5, ("3", "2"): 0.5}
    assert round(transitions.total(period) / 1e4, 6) == 18.0
    assert round(sum(p[4] for p in pieces) / 1e4, 6) == 18.0
    assert "Compared: p4; periods: 2005-2021" in feedback.infos


def test_multidate_all_periods_and_consecutive():
    job, transitions, _p, _f = run(changes.ChangeInputs(source(grid_layer())), changes.ChangeOptions(target="naf"))
    assert job.periods == [("2005", "2015"), ("2015", "2021"), ("2005", "2021")]
    # NAF → non-NAF over 2005-2015: cells 2, 3 (1 ha each) and 7 (3 ha, the wooded garden)
    assert ha(transitions.matrix(("2005", "2015")))[("NAF", "Non-NAF")] == 5.0
    job, transitions, _p, _f = run(changes.ChangeInputs(source(grid_layer())),
                                   changes.ChangeOptions(target="naf", consecutive=True))
    assert job.periods == [("2005", "2015"), ("2015", "2021")]
    assert job.zones is None and job.zone_field is None


def test_overlay_identical_cut_and_outside():
    """2015: two farmland hectares; 2021: the first unchanged, the second half housing half wood, and one more
    hectare of housing east of the 2015 layer (hors couverture)."""
    before = make_layer([("cs15", "string"), ("us15", "string")],
                        [(box(0, 0, 100, 100),) + AG, (box(100, 0, 200, 100),) + AG])
    after = make_layer([("cs21", "string"), ("us21", "string")],
                       [(box(0, 0, 100, 100),) + AG, (box(100, 0, 150, 100),) + HAB,
                        (box(150, 0, 200, 100),) + FOR, (box(200, 0, 300, 100),) + HAB], crs="EPSG:4326")
    job, transitions, pieces, feedback = run(changes.ChangeInputs(source(before), source(after)),
                                             changes.ChangeOptions(target="p4"))
    assert job.mode == "overlay" and job.periods == [("2015", "2021")]
    assert any("is reprojected from EPSG:4326 to EPSG:2154" in info for info in feedback.infos)
    cells = ha(transitions.matrix(("2015", "2021")))
    assert {k: round(v, 3) for k, v in cells.items()} == {
        ("2", "2"): 1.0, ("2", "1"): 0.5, ("2", "3"): 0.5, (ch.OUTSIDE, "1"): 1.0}
    assert len(pieces) == 4


def test_overlay_identical_polygon_is_the_same_geometry():
    """Identical WKB in both vintages: the piece is the first-vintage geometry itself (no GEOS cut)."""
    before = make_layer([("cs15", "string"), ("us15", "string")], [(box(0, 0, 100, 100),) + AG])
    after = make_layer([("cs21", "string"), ("us21", "string")], [(box(0, 0, 100, 100),) + HAB])
    _job, transitions, pieces, _f = run(changes.ChangeInputs(source(before), source(after)), changes.ChangeOptions(target="p4"))
    assert ha(transitions.matrix(("2015", "2021"))) == {("2", "1"): 1.0}
    assert pieces[0][0].asWkb() == QgsGeometry.fromWkt(box(0, 0, 100, 100)).asWkb()


def test_options_are_checked():
    layer = source(grid_layer())
    with pytest.raises(QgsProcessingException, match="Vintage 2010 not found"):
        changes.ChangeJob(changes.ChangeInputs(layer), changes.ChangeOptions(from_vintage="2010"), context(),
                          Feedback())
    with pytest.raises(QgsProcessingException, match="Both layers are vintage 2015"):
        one = make_layer([("cs15", "string"), ("us15", "string")], [(box(0, 0, 100, 100),) + AG])
        changes.ChangeJob(changes.ChangeInputs(source(one), source(one)), changes.ChangeOptions(), context(), Feedback())


def test_zone_finder_split():
    crs_layer = grid_layer()
    meter = landcover.AreaMeter(crs_layer.sourceCrs(), context())
    items = [("A", QgsGeometry.fromWkt(box(0, 0, 100, 100))), ("B", QgsGeometry.fromWkt(box(100, 0, 200, 100)))]
    finder = changes.ZoneFinder(items, meter, {"invalid": 0, "empty": 0})
    straddling = QgsGeometry.fromWkt(box(50, 0, 150, 100))
    parts, area = finder.split(straddling, meter.area(straddling))
    assert area == pytest.approx(1e4)
    assert sorted((zone, round(part_area)) for zone, _g, part_area in parts) == [("A", 5000), ("B", 5000)]
    east = QgsGeometry.fromWkt(box(150, 0, 250, 100))
    parts, _area = finder.split(east, meter.area(east))
    assert sorted((str(zone), round(part_area)) for zone, _g, part_area in parts) == [("B", 5000), ("None", 5000)]
    inside = QgsGeometry.fromWkt(box(10, 10, 20, 20))
    parts, _area = finder.split(inside, 100.0)
    assert [(zone, part_area) for zone, _g, part_area in parts] == [("A", 100.0)]
    assert parts[0][1] is inside            # assigned by the grid of cells: the geometry itself


# A zone whose border runs along a polygon and touches that polygon's box at its top vertex (20, 100): the zone
# clipped to the box (QgsGeometry.clipped) was an invalid ring touching itself there, and the polygon's land
# outside the zone came out empty (issue #20: "Area not conserved" with a commune kept by ZONE_FILTER).
def polygon(*points):
    return "POLYGON((%s))" % ", ".join("%f %f" % (X0 + x, Y0 + y) for x, y in points + points[:1])


STRIP = polygon((0, 80), (20, 100), (40, 80), (100, 0), (80, 0))                                 # 2800 m²
NOTCHED_ZONE = polygon((0, 80), (20, 100), (40, 80), (100, 0), (200, 0), (200, 150), (0, 150))   # 24000 m²
NOTCHED_LAND = polygon((0, 80), (20, 100), (40, 80), (100, 0), (150, 0), (150, 150), (0, 150))   # 16500 m²


def notched_inputs():
    """The strip (agriculture → habitat) outside the zone but touching it, the land of the zone up to x 150
    (forest) and a 1 ha square x 150–250 (agriculture) half in the zone, half outside."""
    land = make_layer(FIELDS, [(STRIP, 1) + AG + AG + HAB, (NOTCHED_LAND, 2) + FOR + FOR + FOR,
                               (box(150, 0, 250, 100), 3) + AG + AG + AG])
    zone = make_layer([("insee", "string")], [(NOTCHED_ZONE, "Z")], name="communes")
    return land, zone


def test_land_outside_a_zone_touching_its_box_is_kept():
    land, zone = notched_inputs()
    meter = landcover.AreaMeter(land.sourceCrs(), context())
    finder = changes.ZoneFinder([("Z", QgsGeometry.fromWkt(NOTCHED_ZONE))], meter, {"invalid": 0, "empty": 0})
    strip = QgsGeometry.fromWkt(STRIP)
    parts, area = finder.split(strip, meter.area(strip))
    assert area == pytest.approx(2800)
    assert [(zone_, round(part_area, 6)) for zone_, _g, part_area in parts] == [(None, 2800)]
    inputs = changes.ChangeInputs(source(land), zones=source(zone), zone_field="insee")
    options = changes.ChangeOptions(target="p4", from_vintage="2005", to_vintage="2021", all_periods=False)
    _job, transitions, _pieces, _feedback = run(inputs, options)
    period = ("2005", "2021")
    # zone Z: the forest 1.65 ha, half of the square 0.5 ha; outside: the strip 0.28 ha, the other half 0.5 ha
    assert ha(transitions.matrix(period, "Z")) == {("3", "3"): 1.65, ("2", "2"): 0.5}
    assert ha(transitions.matrix(period, ch.OUTSIDE_ZONES)) == {("2", "1"): 0.28, ("2", "2"): 0.5}
    assert transitions.total(period) == pytest.approx(2.93e4)


def test_zone_outlines_and_report_map():
    items = [("A", QgsGeometry.fromWkt(box(0, 0, 100, 100))), ("A", QgsGeometry.fromWkt(box(100, 0, 200, 100))),
             ("B", QgsGeometry.fromWkt(box(200, 0, 300, 100)))]
    finder = changes.ZoneFinder(items, landcover.AreaMeter(grid_layer().sourceCrs(), context()), {})
    outlines = zanmaps.zone_outlines(finder)
    assert sorted(outlines) == ["A", "B", "total"]
    assert outlines["A"].area() == pytest.approx(2e4) and outlines["A"].isMultipart()
    assert outlines["total"].area() == pytest.approx(3e4)
    assert zanmaps.zone_outlines(None) == {}
    pieces = [(1.0, "habitat", QgsGeometry.fromWkt(box(10, 10, 20, 20))),
              (5.0, "infra", QgsGeometry.fromWkt(box(30, 10, 50, 20)))]
    data = zanmaps.report_map(outlines["B"], pieces, limit=1)
    assert [flow["kind"] for flow in data["flows"]] == ["infra"]      # the largest piece only
    assert data["extent"] == pytest.approx((700030.0, 7030000.0, 700300.0, 7030100.0))
    assert zanmaps.report_map(None, []) is None


def test_zones_in_another_crs_are_reprojected():
    zones = make_layer([("insee", "string")], [(box(0, -50, 200, 350), "A"), (box(200, -50, 550, 350), "B")],
                       crs="EPSG:4326", name="communes")
    inputs = changes.ChangeInputs(source(grid_layer()), zones=source(zones), zone_field="insee")
    options = changes.ChangeOptions(target="p4", from_vintage="2005", to_vintage="2021", all_periods=False)
    job, transitions, _p, feedback = run(inputs, options)
    assert any("'communes' is reprojected from EPSG:4326 to EPSG:2154" in info for info in feedback.infos)
    period = ("2005", "2021")
    assert round(transitions.matrix(period, "A")[("2", "1")] / 1e4, 3) == 3.0
    assert round(transitions.matrix(period, "B")[("2", "1")] / 1e4, 3) == 2.5

