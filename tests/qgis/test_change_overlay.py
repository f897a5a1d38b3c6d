"""The two-layer overlay of engines/changes.py on independent tessellations (issue #17): no polygon shared, every
border crossing; hand-computed areas, and the same pieces with and without forked processes."""
import sqlite3
import struct

import numpy
import pytest
from qgis.core import QgsFeatureRequest, QgsGeometry, QgsRectangle, QgsVectorLayer

from helpers import Y0, box, file_source, make_layer, to_gpkg
from helpers import run as run_algorithm
from test_change_engine import Feedback, context, ha, run, source
from test_changes import AG, FOR, HAB

from ocs_toolbox.core import changes as ch
from ocs_toolbox.engines import changes
from ocs_toolbox.fastpath import boxes, gpkgwrite

PERIOD = ("2015", "2021")


def two_by_two_against_three_strips():
    """2015: a 2 × 2 grid of 150 m cells over 300 × 300 m (farmland below, wood top-left, housing top-right);
    2021: three vertical strips 100 m wide (housing, farmland, wood), the last one 150 m wide, reaching 50 m east
    of the 2015 layer."""
    before = make_layer([("cs15", "string"), ("us15", "string")], [
        (box(0, 0, 150, 150),) + AG, (box(150, 0, 300, 150),) + AG,
        (box(0, 150, 150, 300),) + FOR, (box(150, 150, 300, 300),) + HAB])
    after = make_layer([("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 100, 300),) + HAB, (box(100, 0, 200, 300),) + AG, (box(200, 0, 350, 300),) + FOR])
    return before, after


def test_two_by_two_grid_against_three_strips_by_hand():
    before, after = two_by_two_against_three_strips()
    job, transitions, pieces, _feedback = run(changes.ChangeInputs(source(before), source(after)),
                                              changes.ChangeOptions(target="p4"))
    # each 150 m cell: 100 × 150 m (1.5 ha) in one strip and 50 × 150 m (0.75 ha) in the middle strip
    # AG (2) bottom-left: 1.5 ha → HAB (1), 0.75 ha → AG; AG bottom-right: 0.75 ha → AG, 1.5 ha → FOR (3)
    # FOR top-left: 1.5 ha → HAB, 0.75 ha → AG; HAB top-right: 0.75 ha → AG, 1.5 ha → FOR
    # the wood strip east of the 2015 layer: 50 × 300 m = 1.5 ha hors couverture → FOR
    assert {k: round(v, 6) for k, v in ha(transitions.matrix(PERIOD)).items()} == {
        ("2", "1"): 1.5, ("2", "2"): 1.5, ("2", "3"): 1.5, ("3", "1"): 1.5, ("3", "2"): 0.75,
        ("1", "2"): 0.75, ("1", "3"): 1.5, (ch.OUTSIDE, "3"): 1.5}
    assert len(pieces) == 9
    assert round(job.area_in[PERIOD] / 1e4, 6) == 10.5 and round(job.area_after / 1e4, 6) == 10.5
    assert sorted(round(area / 1e4, 6) for *_rest, area in pieces) == [0.75] * 4 + [1.5] * 5


def grid(columns, rows, size, codes, offset=(0.0, 0.0)):
    """A layer of ``columns`` × ``rows`` cells of ``size`` m, codes cycling through ``codes``, its corners moved by
    a deterministic wave so that no border is straight."""
    def corner(i, j):
        return (offset[0] + i * size + 0.2 * size * numpy.sin(1.7 * i + 2.3 * j) * (0 < i < columns),
                offset[1] + j * size + 0.2 * size * numpy.cos(2.1 * i + 1.3 * j) * (0 < j < rows))
    features = []
    for i in range(columns):
        for j in range(rows):
            ring = [corner(i, j), corner(i + 1, j), corner(i + 1, j + 1), corner(i, j + 1), corner(i, j)]
            wkt = "POLYGON((%s))" % ",".join("%f %f" % (700000.0 + x, 6600000.0 + y) for x, y in ring)
            features.append((wkt,) + codes[(i * 7 + j * 3) % len(codes)])
    return features


def test_forked_processes_give_the_same_pieces():
    """Two irregular grids (600 and 273 polygons, several tasks of Cutter.CHUNK polygons): all in this process
    (workers=1) or in two forked processes (workers=2, on Linux)."""
    before = make_layer([("cs15", "string"), ("us15", "string")], grid(30, 20, 20.0, [AG, FOR, HAB]))
    after = make_layer([("cs21", "string"), ("us21", "string")], grid(21, 13, 29.0, [HAB, AG, FOR], (-3.0, -4.0)))
    found = []
    for workers in (1, 2):
        job, transitions, pieces, _feedback = run(changes.ChangeInputs(source(before), source(after)),
                                                  changes.ChangeOptions(target="p4", workers=workers))
        found.append(([(b.code, a.code, round(area, 6), geometry.asWkt(3)) for geometry, _z, b, a, area in pieces],
                      transitions.matrix(PERIOD), job.area_in[PERIOD]))
    assert len(found[0][0]) > 600
    assert found[0] == found[1]
    # land of 2015: 600 m × 400 m; of 2021: 609 × 377 m, shifted by (−3, −4): the union is what the pieces cover
    matrix = found[0][1]
    assert abs(sum(matrix.values()) - (600 * 400 + 609 * 377 - 600 * 373)) < 1e-3


def multi(geometry):
    """A copy of ``geometry`` as a multi-geometry (a piece is a Polygon or a MultiPolygon)."""
    geometry = QgsGeometry(geometry)
    geometry.convertToMultiType()
    return geometry


def test_raw_pieces_are_the_pieces():
    """ChangeJob.run(raw=True) gives every piece as (WKB, box): the same pieces as QgsGeometry, with their
    boxes, in this process and in forked ones."""
    before = make_layer([("cs15", "string"), ("us15", "string")], grid(30, 20, 20.0, [AG, FOR, HAB]))
    after = make_layer([("cs21", "string"), ("us21", "string")], grid(21, 13, 29.0, [HAB, AG, FOR], (-3.0, -4.0)))
    _job, _transitions, pieces, _feedback = run(changes.ChangeInputs(source(before), source(after)),
                                                changes.ChangeOptions(target="p4", workers=1))
    expected = [(multi(g).asWkt(3), b.code, a.code, round(area, 6)) for g, _z, b, a, area in pieces]
    for workers in (1, 2):
        job = changes.ChangeJob(changes.ChangeInputs(source(before), source(after)),
                                changes.ChangeOptions(target="p4", workers=workers), context(), Feedback())
        raw = []
        assert job.run(ch.Transitions(), lambda *piece: raw.append(piece), Ellipsis, raw=True)
        found = []
        for (wkb, piece_box), _z, b, a, area in raw:
            geometry = QgsGeometry()
            geometry.fromWkb(wkb)
            bounds = geometry.boundingBox()
            assert piece_box == (bounds.xMinimum(), bounds.yMinimum(), bounds.xMaximum(), bounds.yMaximum())
            found.append((multi(geometry).asWkt(3), b.code, a.code, round(area, 6)))
        assert found == expected


@pytest.mark.parametrize("zones", [False, True])
def test_geopackage_output_written_with_sqlite_as_the_sink_writes(tmp_path, zones):
    """ocs:changedetection, two layers: a GeoPackage output is written straight from the pieces' WKB with SQLite
    (changes.PieceWriter); it holds the features the sink writes (a FlatGeobuf file), covers the union of the two
    layers, and its R-tree finds them. With zones (two halves, west and east of x = 300 m, and land outside both
    beyond y = 390 m), the pieces split at their borders are written the same way."""
    before = make_layer([("cs15", "string"), ("us15", "string")], grid(30, 20, 20.0, [AG, FOR, HAB]))
    after = make_layer([("cs21", "string"), ("us21", "string")], grid(21, 13, 29.0, [HAB, AG, FOR], (-3.0, -4.0)))
    parameters = {"INPUT": before, "INPUT_AFTER": after, "TARGET": 7, "ONLY_CHANGES": False}
    if zones:
        y0 = 6600000.0 - Y0     # the grids' origin in the frame of helpers.box
        parameters.update(ZONES=make_layer([("insee", "string")], [
            (box(-10, y0 - 10, 300, y0 + 390), "A"), (box(300, y0 - 10, 700, y0 + 390), "B")]),
            ZONE_FIELD="insee")
    path = str(tmp_path / "changes.gpkg")
    results, feedback = run_algorithm("ocs:changedetection", dict(parameters, OUTPUT=path))
    assert not any("through the sink" in line for line in feedback.debug)
    fast = QgsVectorLayer(results["OUTPUT"], "fast", "ogr")
    results, feedback = run_algorithm("ocs:changedetection", dict(parameters, OUTPUT=str(tmp_path / "sink.fgb")))
    assert any("through the sink" in line for line in feedback.debug)
    sink = QgsVectorLayer(results["OUTPUT"], "sink", "ogr")
    names = [f.name() for f in sink.fields()]

    def rows(layer):
        return sorted((f.geometry().asWkt(3), tuple(str(f[name]) for name in names)) for f in layer.getFeatures())

    assert fast.isValid() and fast.featureCount() > 600
    if zones:
        assert {f["insee"] for f in fast.getFeatures()} == {"A", "B", "hors zones"}
    assert [f.name() for f in fast.fields()] == ["fid"] + names
    assert [f.type() for f in fast.fields()][1:] == [f.type() for f in sink.fields()]
    assert rows(fast) == rows(sink)
    # land of 2015: 600 m × 400 m; of 2021: 609 × 377 m, shifted by (−3, −4)
    union = 600 * 400 + 609 * 377 - 600 * 373
    assert abs(sum(f.geometry().area() for f in fast.getFeatures()) - union) < 1e-3
    assert abs(sum(f["surface_m2"] for f in fast.getFeatures()) - union) < 1e-3
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT rtreecheck('rtree_changes_geom')").fetchone()[0] == "ok"
        assert connection.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'changes'"
                                  ).fetchone()[0] == fast.featureCount()
    finally:
        connection.close()
    window = QgsRectangle(700100, 6600100, 700160, 6600130)
    by_index = {f.id() for f in fast.getFeatures(QgsFeatureRequest().setFilterRect(window))}
    touching = {f.id() for f in fast.getFeatures() if f.geometry().intersects(window)}
    by_box = {f.id() for f in fast.getFeatures() if f.geometry().boundingBox().intersects(window)}
    assert touching and touching <= by_index <= by_box


def test_piece_blobs(tmp_path):
    """fastpath.gpkgwrite.multipolygon_blob: the GeoPackage header (magic, version 0, flags 3 = little-endian with
    an XY envelope, SRS id, envelope minx, maxx, miny, maxy) then the WKB, a Polygon wrapped in a one-part
    MultiPolygon, any other WKB refused; changes.PieceWriter writes such a piece (a PolygonZ) as the sink would,
    a 2D MultiPolygon."""
    polygon = QgsGeometry.fromWkt("POLYGON((0 0, 4 0, 4 3, 0 0))")
    blob = gpkgwrite.multipolygon_blob(2154, bytes(polygon.asWkb()), (0.0, 0.0, 4.0, 3.0))
    assert blob[:4] == b"GP\x00\x03" and struct.unpack("<i4d", blob[4:40]) == (2154, 0.0, 4.0, 0.0, 3.0)
    back = QgsGeometry()
    back.fromWkb(blob[40:])
    assert back.asWkt() == "MultiPolygon (((0 0, 4 0, 4 3, 0 0)))"
    multi = QgsGeometry.fromWkt("MULTIPOLYGON(((0 0, 4 0, 4 3, 0 0)))")
    assert gpkgwrite.multipolygon_blob(2154, bytes(multi.asWkb()), (0.0, 0.0, 4.0, 3.0)) == blob
    with_z = bytes(QgsGeometry.fromWkt("POLYGON Z((0 0 1, 4 0 1, 4 3 1, 0 0 1))").asWkb())
    with pytest.raises(ValueError):
        gpkgwrite.multipolygon_blob(2154, with_z, (0.0, 0.0, 4.0, 3.0))
    before, after = two_by_two_against_three_strips()
    job = changes.ChangeJob(changes.ChangeInputs(source(before), source(after)), changes.ChangeOptions(target="p4"),
                            context(), Feedback())
    writer = changes.PieceWriter(job, str(tmp_path / "pieces.gpkg"), "pieces", [("code", "str")])
    fid, written, code = writer.row(1, (with_z, (0.0, 0.0, 4.0, 3.0)), ("1",))
    assert (fid, code) == (1, "1") and written[:40] == blob[:40] and written[40:] == blob[40:]
    writer.abort()


def test_overlapping_pairs_each_once():
    """fastpath.boxes against the brute force: boxes sharing interior, each pair once, in order."""
    rng = numpy.random.default_rng(3)
    a = rng.uniform(0, 100, (300, 2))
    a = numpy.c_[a, a + rng.exponential(6, (300, 2))]
    b = rng.uniform(0, 100, (200, 2))
    b = numpy.c_[b, b + rng.exponential(9, (200, 2))]
    a[0] = (0, 0, 120, 120)            # one box over everything
    b[1] = (a[5, 2], 0, a[5, 2] + 3, 120)   # one touching box 5 by its side only: not a pair with it
    ia, ib = boxes.overlapping_pairs(a, b)
    brute = [(i, j) for i in range(len(a)) for j in range(len(b))
             if a[i, 0] < b[j, 2] and b[j, 0] < a[i, 2] and a[i, 1] < b[j, 3] and b[j, 1] < a[i, 3]]
    assert list(zip(ia.tolist(), ib.tolist())) == brute
    assert (5, 1) not in brute and (0, 1) in brute


def test_geopackage_inputs_read_with_sqlite_as_qgis_reads_them(tmp_path):
    """Two whole GeoPackage layers (ChangeInputs.before_gpkg / after_gpkg) are read with SQLite: the same pieces,
    matrix, areas and counts as through QGIS, with a NULL code (counted as unknown), a self-crossing polygon
    (repaired: two triangles of 100 m² each) and a feature without geometry (left out). A layer declared with Z is
    read through QGIS. The boxes of the polygons read as they are come from the blob headers."""
    rows = grid(30, 20, 20.0, [AG, FOR, HAB])
    rows[7] = (rows[7][0], None, "US1.1.1")
    rows.append(("POLYGON((700000 6599900, 700020 6599880, 700020 6599900, 700000 6599880, 700000 6599900))",)
                + AG)
    rows.append(("",) + FOR)
    before = make_layer([("cs15", "string"), ("us15", "string")], rows)
    after = make_layer([("cs21", "string"), ("us21", "string")], grid(21, 13, 29.0, [HAB, AG, FOR], (-3.0, -4.0)))
    paths = [to_gpkg(before, tmp_path / "before.gpkg", "before"), to_gpkg(after, tmp_path / "after.gpkg", "after")]
    keep = []
    found = []
    for whole in (False, True):
        gpkg_layers = [(path, name) if whole else None for path, name in zip(paths, ("before", "after"))]
        inputs = changes.ChangeInputs(file_source(paths[0], "before", keep), file_source(paths[1], "after", keep),
                                      before_gpkg=gpkg_layers[0], after_gpkg=gpkg_layers[1])
        job, transitions, pieces, feedback = run(inputs, changes.ChangeOptions(target="p4", workers=1))
        assert not any("read through QGIS" in line for line in feedback.debug)
        # the boxes of the blob headers, but for the repaired polygon
        assert [len(job.header_boxes.get(id(layer), ())) for layer in (job.before, job.after)] == \
            ([600, 273] if whole else [0, 0])
        found.append(([(b.code, a.code, round(area, 6), geometry.asWkt(3)) for geometry, _z, b, a, area in pieces],
                      transitions.matrix(PERIOD), job.area_in[PERIOD], dict(job.counters), dict(job.codes["before"]),
                      feedback.errors))
    assert found[0] == found[1]
    assert found[1][3] == {"invalid": 1, "empty": 1, "dropped": 0}
    assert found[1][4] == {"NULL/US1.1.1": 1}
    # 2015: 600 m × 400 m and the two triangles; 2021: 609 × 377 m, shifted by (−3, −4)
    assert abs(sum(found[1][1].values()) - (600 * 400 + 200 + 609 * 377 - 600 * 373)) < 1e-3
    with_z = make_layer([("cs15", "string"), ("us15", "string")], [(box(0, 0, 100, 100),) + AG],
                        geometry="PolygonZ")
    path = to_gpkg(with_z, tmp_path / "z.gpkg", "z")
    inputs = changes.ChangeInputs(file_source(path, "z", keep), file_source(paths[1], "after", keep),
                                  before_gpkg=(path, "z"), after_gpkg=(paths[1], "after"))
    _job, transitions, _pieces, feedback = run(inputs, changes.ChangeOptions(target="p4", workers=1))
    assert any("'z' read through QGIS" in line for line in feedback.debug)
