"""Geometry steps: the coverage dissolve (with its fallback) and the grouped closing of the enveloppe."""
from qgis.core import Qgis, QgsGeometry, QgsRectangle

from ocs_toolbox.engines import spatial


def square(x, y, size=10):
    return QgsGeometry.fromWkt("POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))" % (
        x, y, x + size, y, x + size, y + size, x, y + size, x, y))


def grid(cells):
    return [square(10 * i, 10 * j) for i, j in cells]


def union_area_and_parts(pieces):
    return round(sum(p.area() for p in pieces), 6), len(pieces)


def test_coverage_with_a_hole_dissolves_to_one_face():
    cells = [(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)]   # a ring of 8 cells
    faces = spatial._coverage_union(grid(cells))
    assert faces is not None                                                     # took the fast path
    assert len(faces) == 1
    assert faces[0].area() == 800 and faces[0].constGet().numInteriorRings() == 1


def test_hole_bounded_by_two_faces_touching_at_corners():
    # Two L-shaped groups that touch only at two corners enclose the centre cell.
    cells = [(0, 0), (1, 0), (0, 1), (2, 1), (2, 2), (1, 2)]
    faces = spatial._coverage_union(grid(cells))
    assert faces is not None
    assert union_area_and_parts(faces) == (600, 2)


def test_overlaps_fall_back_to_the_overlay():
    geometries = [square(0, 0), square(5, 0)]                                    # overlap of 50 m²
    assert spatial._coverage_union(geometries) is None
    assert union_area_and_parts(spatial.dissolve(geometries)) == (150, 1)


def test_unmatched_vertices_fall_back_to_the_overlay():
    # A T-junction: the right cell has a vertex (10 5) in the middle of the left cell's edge.
    left = square(0, 0)
    right = QgsGeometry.fromWkt("POLYGON((10 0,20 0,20 10,10 10,10 5,10 0))")
    assert spatial._coverage_union([left, right]) is None
    assert union_area_and_parts(spatial.dissolve([left, right])) == (200, 1)


def test_grouped_closing_equals_the_closing_of_the_whole():
    # Three blocks: two 60 m apart (merged by a 50 m closing), one 300 m away; a 400 m² block far off.
    geometries = [square(0, 0, 100), square(160, 0, 100), square(560, 0, 100), square(2000, 0, 20)]
    parts = spatial.envelope_parts(geometries, buffer=50, min_area_m2=300)
    dilated = QgsGeometry.unaryUnion(geometries).buffer(50, 8)
    whole = [block.buffer(-50, 8, Qgis.EndCapStyle.Round, Qgis.JoinStyle.Bevel, 5.0)
             for block in dilated.asGeometryCollection()]
    expected = sorted(round(p.area(), 3) for p in whole if p.area() >= 300)
    assert sorted(round(p.area(), 3) for p in parts) == expected
    assert len(parts) == 3 and max(expected) > 2 * 100 * 100        # the first two blocks merged
    # a group whose bounding box is under the minimum area is skipped: the 400 m² block and nothing else
    assert len(spatial.envelope_parts(geometries, buffer=50, min_area_m2=500)) == 2


def test_faces_touching_at_a_ring_start_stay_on_the_fast_path():
    # The second square's ring starts at the corner (10 10) that it shares with the first one.
    faces = spatial._coverage_union([square(0, 0), square(10, 10)])
    assert faces is not None
    assert union_area_and_parts(faces) == (200, 2)


def test_island_in_a_hole_stays_on_the_fast_path():
    # A ring of 16 cells around a 3 × 3 hole whose centre cell is a member again: the island's shell is the
    # interior ring of the hole's face, yet the island is a member.
    cells = [(i, j) for i in range(5) for j in range(5) if i in (0, 4) or j in (0, 4) or (i, j) == (2, 2)]
    faces = spatial._coverage_union(grid(cells))
    assert faces is not None
    assert union_area_and_parts(faces) == (1700, 2)
    assert sorted(f.constGet().numInteriorRings() for f in faces) == [0, 1]


def test_hole_bounded_by_four_cells_touching_at_corners():
    # Four cells around the centre one, touching only at corners: the centre is a face of the polygonizer that
    # lies outside the union (each of its edges has its member on the other side).
    faces = spatial._coverage_union(grid([(0, 1), (1, 0), (1, 2), (2, 1)]))
    assert faces is not None
    assert union_area_and_parts(faces) == (400, 4)
    assert not any(f.intersects(QgsGeometry.fromWkt("POINT(15 15)")) for f in faces)


def test_clockwise_and_counter_clockwise_rings_give_the_same_faces():
    # The ring of 8 cells with its hole, half of the cells drawn clockwise; then an island in the hole, clockwise.
    cells = [(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)]
    members = [QgsGeometry.fromWkt("POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))" % (
        x, y, x, y + 10, x + 10, y + 10, x + 10, y, x, y)) if k % 2 else square(x, y)
        for k, (x, y) in enumerate((10 * i, 10 * j) for i, j in cells)]
    faces = spatial._coverage_union(members)
    assert faces is not None and union_area_and_parts(faces) == (800, 1)
    island = QgsGeometry.fromWkt("POLYGON((12 12,12 18,18 18,18 12,12 12))")
    faces = spatial._coverage_union(members + [island])
    assert faces is not None and union_area_and_parts(faces) == (836, 2)
    # a member with a hole, clockwise shell and counter-clockwise hole, around a member filling it
    holed = QgsGeometry.fromWkt("POLYGON((0 0,0 30,30 30,30 0,0 0),(10 10,20 10,20 20,10 20,10 10))")
    faces = spatial._coverage_union([holed, square(10, 10)])
    assert faces is not None and union_area_and_parts(faces) == (900, 1)
    assert faces[0].constGet().numInteriorRings() == 0


def test_closing_group_by_group_equals_the_closing_of_all_members():
    # Members of three blocks (two 60 m apart, one 300 m away) and a 400 m² block far off, given as boxes and
    # built on demand; with ``near``, only the groups within reach of a rectangle are built.
    geometries = [square(x + 10 * i, 10 * j) for x in (0, 160, 560) for i in range(10) for j in range(10)]
    geometries += [square(2000, 0, 20)]
    boxes = [(b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()) for b in (g.boundingBox() for g in geometries)]
    built = set()

    def geometry(i):
        built.add(i)
        return geometries[i]

    parts = spatial.envelope_parts_by_group(boxes, geometry, buffer=50, min_area_m2=500)
    expected = spatial.envelope_parts(geometries, buffer=50, min_area_m2=500)
    assert sorted(round(p.area(), 3) for p in parts) == sorted(round(p.area(), 3) for p in expected)
    assert len(parts) == 2 and len(geometries) - 1 not in built      # the 400 m² block is never built
    built.clear()
    near = spatial.BoxSet.of({0: square(700, 120, 10)})                       # 10 m north of the third block
    parts = spatial.envelope_parts_by_group(boxes, geometry, buffer=50, min_area_m2=500,
                                            near=(near, spatial.AGRI_DISTANCE))
    assert len(parts) == 1 and parts[0].boundingBox().xMinimum() == 560                # the third block
    assert built == set(range(200, 300))


def test_groups_closed_on_threads_come_back_in_the_order_of_the_groups():
    # four blocks of different sizes (the largest is closed first), far apart: one part each, in group order
    geometries = [square(1000 * b + 10 * i, 10 * j) for b, n in enumerate((3, 9, 5, 7)) for i in range(n)
                  for j in range(n)]
    boxes = [(b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()) for b in (g.boundingBox() for g in geometries)]
    serial = spatial.envelope_parts_by_group(boxes, geometries.__getitem__, buffer=50, min_area_m2=500, workers=1)
    threaded = spatial.envelope_parts_by_group(boxes, geometries.__getitem__, buffer=50, min_area_m2=500, workers=2)
    assert [round(p.area(), 6) for p in threaded] == [round(p.area(), 6) for p in serial]
    assert [p.boundingBox().xMinimum() for p in threaded] == [0.0, 1000.0, 2000.0, 3000.0]
    # the n × n blocks of 10 m squares, less about 0.5 m² at each corner (the closing's buffers are polygons)
    assert [abs(p.area() - a) < 3 for p, a in zip(threaded, (900, 8100, 2500, 4900))] == [True] * 4


def test_box_set_finds_the_rectangles_that_intersect_a_rectangle():
    boxes = spatial.BoxSet([7, 3, 5], [(0, 0, 10, 10), (20, 0, 30, 10), (5, 5, 25, 6)])
    assert boxes.intersects(QgsRectangle(9, 8, 21, 9)) == [3, 7]
    assert boxes.intersects(QgsRectangle(11, 0, 19, 4)) == []
    assert boxes.intersects(QgsRectangle(10, 6, 20, 7)) == [3, 5, 7]          # touching edges count
    assert boxes.subset([5, 7]).intersects(QgsRectangle(-100, -100, 100, 100)) == [5, 7]


def test_grid_groups_join_boxes_at_most_the_gap_apart():
    import numpy
    boxes = numpy.array([(0, 0, 10, 10), (110, 0, 120, 10),       # 100 apart: one group
                         (300, 0, 310, 10),                         # 180 from the second: alone
                         (0, 500, 5000, 510),                       # a long box (many cells) ...
                         (4000, 610, 4010, 620)], dtype=float)      # ... 100 below this one
    groups = sorted(sorted(int(i) for i in g) for g in spatial.grid_groups(boxes, 100.0))
    assert groups == [[0, 1], [2], [3, 4]]
    assert [len(g) for g in spatial.grid_groups(boxes, 1000.0)] == [5]
    assert spatial.grid_groups(numpy.zeros((0, 4)), 100.0) == []


def test_closed_groups_are_reused_when_their_members_did_not_change():
    geometries = [square(x + 10 * i, 10 * j) for x in (0, 560) for i in range(10) for j in range(10)]
    boxes = [(b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()) for b in (g.boundingBox() for g in geometries)]
    built = set()

    def geometry(i):
        built.add(i)
        return geometries[i]

    cache = {}
    first = spatial.envelope_parts_by_group(boxes, geometry, buffer=50, min_area_m2=500, ids=range(200),
                                            cache=cache)
    assert len(first) == 2 and len(built) == 200 and len(cache) == 2
    built.clear()
    # the next vintage: the first block unchanged, the second one lost a member (id 150)
    keep = [i for i in range(200) if i != 150]
    again = spatial.envelope_parts_by_group([boxes[i] for i in keep], lambda k: geometry(keep[k]), buffer=50,
                                            min_area_m2=500, ids=keep, cache=cache)
    assert built == set(keep[100:])                                     # only the changed group is closed
    assert again[0] is first[0] and again[1] is not first[1]


def _components_by_union_find(n, a, b):
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return [find(i) for i in range(n)]


def test_components_are_labelled_by_their_smallest_node():
    import numpy

    rng = numpy.random.default_rng(7)
    n = 2000
    a, b = rng.integers(0, n, 1500), rng.integers(0, n, 1500)
    assert spatial._components(n, a, b).tolist() == _components_by_union_find(n, a, b)
    path = numpy.arange(n - 1)
    assert (spatial._components(n, path[::-1] + 1, path[::-1]) == 0).all()        # a path, from its far end
    centre = numpy.full(n - 1, n // 2)
    leaves = numpy.delete(numpy.arange(n), n // 2)
    assert (spatial._components(n, centre, leaves) == 0).all()                      # a star around node 1000
    label = spatial._components(6, numpy.array([5, 3]), numpy.array([4, 1]))       # two pairs, two singletons
    assert label.tolist() == [0, 1, 2, 1, 4, 4]


def test_equal_rows_grouped_through_hashes_or_sorting(monkeypatch):
    import numpy

    rows = numpy.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [-0.0, 5.0], [0.0, 5.0], [3.0, 4.5]])
    order, new, hashes = spatial._group_equal_rows(rows)
    groups = numpy.cumsum(new) - 1
    label = numpy.empty(len(rows), dtype=int)
    label[order] = groups
    assert hashes is not None and label[0] == label[2] and label[3] == label[4] and len(set(label.tolist())) == 4
    # every hash the same: colliding rows are detected, and grouped by a lexicographic sort instead
    monkeypatch.setattr(spatial, "_row_hashes", lambda r: numpy.zeros(len(r), dtype=numpy.uint64))
    order, new, hashes = spatial._group_equal_rows(rows)
    assert hashes is None and order.tolist() == [3, 4, 0, 2, 1, 5] and new.tolist() == [1, 0, 1, 0, 1, 1]
    # the coverage dissolve then gives up its fast path (None) and the overlay dissolves
    cells = [(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)]
    assert spatial._coverage_union(grid(cells)) is None
    assert union_area_and_parts(spatial.dissolve(grid(cells))) == (800, 1)


def test_boundary_lines_wkb_cuts_closed_runs_in_two():
    import numpy

    points = numpy.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0], [5, 5], [6, 5]], dtype=float)
    wkb = spatial._lines_wkb(points, numpy.array([0, 5]), numpy.array([5, 7]))
    lines = QgsGeometry()
    lines.fromWkb(wkb)
    assert lines.asWkt(0) == "MultiLineString ((0 0, 1 0, 1 1),(1 1, 0 1, 0 0),(5 5, 6 5))"
    assert spatial._lines_wkb(points, numpy.zeros(0, dtype=int), numpy.zeros(0, dtype=int)) is None


def test_flat_rings_read_every_kind_of_polygon_wkb():
    # Polygons of one ring (read in numpy; coordinates at offsets that are not multiples of 8) mixed with a
    # holed polygon, a two-part and a one-part multipolygon; big-endian WKB is refused; same rings, in the same
    # order, as the ring-by-ring reader.
    import numpy

    wkts = ["POLYGON((0 0,10 0,10 10,0 10,0 0))",
            "POLYGON((0 0,30 0,30 30,0 30,0 0),(10 10,20 10,20 20,10 20,10 10))",
            "MULTIPOLYGON(((40 0,50 0,50 10,40 0)),((60 0,70 0,70 10,60 0)))",
            "MULTIPOLYGON(((80 0,90 0,90 10,80 10,80 0)))",
            "POLYGON((1.5 2.25,3 2.25,3 4,1.5 2.25))"]
    wkbs = [bytes(QgsGeometry.fromWkt(w).asWkb()) for w in wkts]
    rings, exterior = [], []
    for wkb in wkbs:
        assert spatial._wkb_rings(wkb, rings, exterior)
    points, sizes, flags = spatial.flat_rings(wkbs)
    assert sizes.tolist() == [len(r) for r in rings] == [5, 5, 5, 4, 4, 5, 4]
    assert flags.tolist() == exterior == [True, True, False, True, True, True, True]
    assert (points == numpy.concatenate(rings)).all()
    from osgeo import ogr

    big_endian = bytes(ogr.CreateGeometryFromWkt(wkts[0]).ExportToWkb(ogr.wkbXDR))
    assert spatial.flat_rings([wkbs[0], big_endian]) is None
    assert spatial.flat_rings([wkbs[0], b"\x01\x01\x00\x00\x00" + bytes(16)]) is None     # a point


def test_structures_are_the_parts_of_the_union():
    # 1 and 2 share an edge, 2 and 3 overlap: one structure; 4 touches 3 at a corner only: a structure of its own
    # (ST_Union then ST_Dump give two polygons); 5 is a multi-polygon with one part touching 4's edge and one
    # far, alone: it is in both structures
    geometries = {1: square(0, 0), 2: square(10, 0), 3: square(15, 5), 4: square(25, 15),
                  5: QgsGeometry.fromWkt("MULTIPOLYGON(((35 15,45 15,45 25,35 25,35 15)),"
                                         "((100 0,110 0,110 10,100 10,100 0)))")}
    found = sorted(sorted(identifier for identifier, _part in group) for group in spatial.structures(geometries))
    assert found == [[1, 2, 3], [4, 5], [5]]
    union = QgsGeometry.unaryUnion(list(geometries.values()))
    assert len(union.asGeometryCollection()) == 3


def test_a_structure_near_the_envelope_does_not_pass_on_through_a_corner():
    # 1 is 45 m from the target; 2 touches 1 at its corner (155, 10) only and lies 55 m away; 3 and 4 share an
    # edge with 2
    target = [square(0, 0, 100)]
    geometries = {1: square(145, 0), 2: square(155, 10), 3: square(165, 10), 4: square(155, 20)}
    assert spatial.clusters_near(geometries, target, 50) == {1}
    # 1 grown to share the edge x = 155, 10 ≤ y ≤ 20 with 2: 2, 3 and 4 are in its structure, near through it
    geometries[1] = QgsGeometry.fromWkt("POLYGON((145 0,155 0,155 20,145 20,145 0))")
    assert spatial.clusters_near(geometries, target, 50) == {1, 2, 3, 4}
