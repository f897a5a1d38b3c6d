"""engines/bordergrid.py (ocs:carbon's fast path) on hand-built zones, against areas computed by hand and against
the plain GEOS path of engines/carbon.py.

Zones (local metres, offset to Lens as helpers.box does):
    A (59002): (0,0) (300,0) (320,150) (300,300) (0,300), with a hole (100..200)²; its east border zigzags
    B (62001): the hole of A, (100..200)², an enclave
    C (59003): (300,0) (600,0) (600,300) (300,300) (320,150): the other side of the zigzag
The zigzag: x = 300 + 20 y / 150 for y in 0..150, x = 320 − 20 (y − 150) / 150 for y in 150..300.
"""
import pytest
from qgis.core import QgsGeometry, QgsProcessingContext, QgsProcessingFeatureSource, QgsProject, QgsVectorLayer

from helpers import X0, Y0, Feedback, box, make_layer, ocs2d_layer, to_gpkg
from ocs_toolbox.engines import bordergrid
from ocs_toolbox.engines import carbon as engine
from ocs_toolbox.engines import landcover

LAYERS = []


def polygon(*rings):
    return "POLYGON(%s)" % ",".join("(%s)" % ",".join("%r %r" % (X0 + x, Y0 + y) for x, y in ring + [ring[0]])
                                    for ring in rings)


HOLE = [(100, 100), (200, 100), (200, 200), (100, 200)]
A = polygon([(0, 0), (300, 0), (320, 150), (300, 300), (0, 300)], HOLE)
B = polygon(HOLE)
C = polygon([(300, 0), (600, 0), (600, 300), (300, 300), (320, 150)])
ZONES = [A, B, C]
CODES = ["59002", "62001", "59003"]

# polygon, expected zone (bordergrid.zones), expected pieces {zone: m²} (bordergrid.shares; None: not solved)
CASES = {
    "inside A": (box(10, 10, 50, 50), 0, None),
    "in the enclave": (box(120, 120, 180, 180), 1, None),
    "A and the enclave": (box(50, 140, 150, 160), bordergrid.CROSSES, {0: 1000.0, 1: 1000.0}),
    # ∫ from 50 to 100 of (300 + 20 y / 150 − 250) dy = 2500 + 500
    "across the zigzag": (box(250, 50, 350, 100), bordergrid.CROSSES, {0: 3000.0, 2: 2000.0}),
    # the zigzag's vertex (320, 150) inside: 2 × ∫ from 0 to 10 of (8.667 + 0.1333 t) dt = 186.667
    "around the zigzag's vertex": (box(310, 140, 330, 160), bordergrid.CROSSES,
                                   {0: 560.0 / 3.0, 2: 400.0 - 560.0 / 3.0}),
    # A: ∫ from 200 to 260 of (70 − 20 (y − 150) / 150) dy − the hole = 4200 − 640 − 800
    "holed, across the border": (polygon([(250, 200), (350, 200), (350, 260), (250, 260)],
                                         [(260, 210), (280, 210), (280, 250), (260, 250)]),
                                 bordergrid.CROSSES, {0: 2760.0, 2: 2440.0}),
    # a ring of the zones (the enclave) inside the polygon's box: never placed by the grid
    "the enclave inside": (polygon([(90, 90), (210, 90), (210, 210), (90, 210)],
                                   [(95, 95), (205, 95), (205, 205), (95, 205)]), bordergrid.UNKNOWN, None),
    # along the enclave's border, inside A: a touch, GEOS decides
    "touching the enclave": (box(200, 120, 250, 150), bordergrid.CROSSES, None),
    "partly outside every zone": (box(550, 250, 650, 280), bordergrid.CROSSES, None),
    "outside every zone": (box(700, 0, 750, 50), bordergrid.UNKNOWN, None),
}


def wkb(wkt):
    return bytes(QgsGeometry.fromWkt(wkt).asWkb())


@pytest.fixture(scope="module")
def grid():
    return bordergrid.BorderGrid([wkb(z) for z in ZONES], 25.0)


def test_zones_of_polygons(grid):
    names = list(CASES)
    found = grid.zones([wkb(CASES[name][0]) for name in names])
    assert dict(zip(names, found.tolist())) == {name: CASES[name][1] for name in names}


def test_boxes_in_cells_without_border(grid):
    # (10..50)² lies in cells crossed by A's outline (x = 0, y = 0): a border box; (40..60)² does not
    boxes = [(X0 + 40, Y0 + 40, X0 + 60, Y0 + 60), (X0 + 10, Y0 + 10, X0 + 50, Y0 + 50),
             (X0 + 130, Y0 + 130, X0 + 170, Y0 + 170), (X0 + 400, Y0 + 30, X0 + 450, Y0 + 80),
             (X0 + 5000, Y0, X0 + 5010, Y0 + 10)]
    assert grid.box_zones(boxes).tolist() == [0, bordergrid.BORDER, 1, 2, bordergrid.UNKNOWN]


def test_point_zones(grid):
    points = [(X0 + 50, Y0 + 50), (X0 + 150, Y0 + 150), (X0 + 319, Y0 + 150), (X0 + 321, Y0 + 152),
              (X0 + 630, Y0 + 10), (X0 + 100, Y0 + 150)]
    assert grid.point_zones(points).tolist() == [0, 1, 0, 2, -1, bordergrid.UNKNOWN]


def test_pieces_by_hand(grid):
    names = [name for name in CASES if CASES[name][1] == bordergrid.CROSSES]
    member, zone, area, solved = grid.shares([wkb(CASES[name][0]) for name in names])
    for i, name in enumerate(names):
        expected = CASES[name][2]
        assert bool(solved[i]) == (expected is not None), name
        if expected is not None:
            pieces = {int(z): a for m, z, a in zip(member, zone, area) if m == i}
            assert pieces == pytest.approx(expected, rel=1e-12, abs=1e-9), name


def test_pieces_match_geos(grid):
    """Every solved piece is GEOS's intersection of the polygon and the zone."""
    names = [name for name in CASES if CASES[name][1] == bordergrid.CROSSES]
    member, zone, area, _solved = grid.shares([wkb(CASES[name][0]) for name in names])
    for m, z, a in zip(member, zone, area):
        geometry = QgsGeometry.fromWkt(CASES[names[m]][0])
        assert a == pytest.approx(geometry.intersection(QgsGeometry.fromWkt(ZONES[z])).area(), rel=1e-9)


def test_fast_path_equals_the_geos_path(tmp_path):
    """The ledger of the GeoPackage fast path (border grid, numpy pieces) and of the generic path (GEOS), cell by
    cell, on every case above and a field of 10 m squares over the whole territory."""
    rows = [(wkt, "CS2.2.1", "US1.1", "CS1.1.1", "US5.2.1") for wkt, _z, _p in CASES.values()]
    rows += [(box(x, y, x + 10, y + 10), "CS4.1.2", "US1.2.4", "CS4.1.2", "US1.2.4")
             for x in range(-15, 620, 17) for y in range(-15, 320, 17)]
    layer = ocs2d_layer(rows, years=("15", "21"))
    path = to_gpkg(layer, tmp_path / "cover.gpkg", "cover")
    zones = make_layer([("insee", "string")], list(zip(ZONES, CODES)), name="communes")
    LAYERS.append(zones)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    on_disk = QgsVectorLayer(path + "|layername=cover", "cover", "ogr")
    ledgers = []
    for gpkg_layer in (None, (path, "cover")):
        feedback = Feedback()
        cover = landcover.open_land_cover(QgsProcessingFeatureSource(on_disk, context), context, feedback,
                                          nomenclature=1)
        inputs = engine.CarbonInputs(cover, zones=(QgsProcessingFeatureSource(zones, context), "insee"),
                                     arable_share=0.5)
        ledgers.append(engine.CarbonJob(inputs, context, feedback).run(gpkg_layer=gpkg_layer))
        assert any("Area check" in info and "the same counted" in info for info in feedback.infos)
        assert not any("fast path not used" in line for line in feedback.debug)
    generic, fast = ledgers
    assert generic.zones() == fast.zones() == ["59002", "59003", "62001", "hors zones"]
    for zone in generic.zones():
        assert dict(fast.cells[zone]) == pytest.approx(dict(generic.cells[zone]), rel=1e-9, abs=1e-9), zone
    # sealed in 2021 in the enclave: "in the enclave" (0.36 ha) and the piece of "A and the enclave" (0.1 ha)
    assert fast.stock("62001", "2021").areas["artif_impermeabilises"] == pytest.approx(0.46)
