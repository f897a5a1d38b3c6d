"""ocs:urbanenvelope and ocs:reclassify against a literal transcription of Geo2France's ENAF script (enaf_script.py):
layouts with concave corners (grids of small squares, L-shapes), holes, an island in a filled hole, a block of two
pieces under 10 ha; agricultural structures near a concave corner and touching at a corner."""
import pytest
from qgis.core import QgsGeometry, QgsVectorLayer

import enaf_script
from helpers import X0, Y0, box, features_by, make_layer, run

FIELDS = [("id", "integer"), ("cs21", "string"), ("us21", "string")]
HAB = ("CS1.1.1", "US5.1.1")            # habitat: a member of the enveloppe urbaine
STRUCTURE = ("CS1.1.1", "US1.1.7")      # agricultural building
CORNER_LOSS = 0.54098   # m² lost at each convex corner by the closing (test_envelope.py derives it)


def squares(x0, y0, size, cells):
    """WKT of squares of ``size`` m at (x0 + i × size, y0 + j × size) for (i, j) in ``cells``."""
    return [box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size) for i, j in cells]


def l_shape(x0=0, y0=0, cell=20):
    """An L of arms 600 × 100 m (11 ha) tiled by squares of ``cell`` m; its concave corner at (x0 + 100, y0 + 100)."""
    n, w = 600 // cell, 100 // cell
    return squares(x0, y0, cell, [(i, j) for i in range(n) for j in range(n) if i < w or j < w])


LAYOUTS = {
    # 11 ha; the +50 m buffer's notch at the concave corner is a sharp vertex (150, 150): the −50 m erosion with
    # bevel joins fills the triangle (100, 100), (150, 100), (100, 150), 1250 m² (round joins: 2500 − π 50² / 4
    # = 536.5 m²), and the 5 convex corners lose 0.54 m² each
    "l_shape": (l_shape(), [110000 + 1250 - 5 * CORNER_LOSS]),
    # 136 squares of 30 m, 20 m apart, in a staircase triangle: a notch of the +50 m buffer at every gap
    "staircase": (squares(0, 0, 50, [(i, j) for i in range(16) for j in range(16) if i + j < 16]), None),
    # a ring of 50 m squares (800 m, 100 m wide) around a 600 m park, with an island of 40 m squares (320 m)
    # 140 m from it: two blocks; the ring's hole is filled, so the island's part lies within it, as in the script
    "ring_and_island": (
        squares(0, 0, 50, [(i, j) for i in range(16) for j in range(16) if min(i, j) < 2 or max(i, j) > 13])
        + squares(240, 240, 40, [(i, j) for i in range(8) for j in range(8)]),
        [640000 - 4 * CORNER_LOSS, 102400 - 4 * CORNER_LOSS]),
    # two 6 ha squares whose corners are 65 m apart on the diagonal: one block of the +50 m buffer, two pieces of
    # 6 ha once eroded; kept (12 ha) and, no piece reaching 10 ha, both pieces stay (the script's phase 2.5)
    "two_pieces_under_10_ha": (squares(0, 0, 35, [(i, j) for i in range(7) for j in range(7)])
                               + squares(310, 310, 35, [(i, j) for i in range(7) for j in range(7)]),
                               [60025 - 4 * CORNER_LOSS] * 2),
    # a ring (1200 m, 100 m wide) with a 100 m square in its hole, joined to it by a 50 m arm, whose corner is
    # 65 m from the corner of a 320 m island on the diagonal: one block of the +50 m buffer, two pieces once eroded
    # (the ring, the island in its hole); the hole filled, the script's ST_MakeValid (even-odd rule) turns the
    # island into a hole of the ring: 1200² − 320² m², less 0.54 m² at the ring's 4 outer corners, plus 0.54 m²
    # at the island's 4
    "island_in_the_same_block": (
        squares(0, 0, 100, [(i, j) for i in range(12) for j in range(12) if min(i, j) < 1 or max(i, j) > 10])
        + [box(335, 100, 385, 335), box(335, 335, 435, 435)]
        + squares(500, 500, 40, [(i, j) for i in range(8) for j in range(8)]),
        [1200 ** 2 - 320 ** 2]),
    # a 316.2 m square: 99 982.44 − 2.16 m² = 9.998 ha once closed, which the script rounds to 10.00: kept
    "just_under_10_ha": ([box(0, 0, 316.2, 316.2)], [316.2 ** 2 - 4 * CORNER_LOSS]),
}


def envelope_layer(wkts):
    return make_layer(FIELDS, [(wkt, i + 1) + HAB for i, wkt in enumerate(wkts)])


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_urbanenvelope_equals_the_script(name, tmp_path):
    wkts, by_hand = LAYOUTS[name]
    results, _feedback = run("ocs:urbanenvelope", {"INPUT": envelope_layer(wkts),
                                                   "OUTPUT": str(tmp_path / "env.gpkg")})
    out = list(QgsVectorLayer(results["OUTPUT"], "env", "ogr").getFeatures())
    rows = enaf_script.envelope([QgsGeometry.fromWkt(w) for w in wkts])
    script_parts = sorted(p.area() for geometry, _ha in rows for p in enaf_script.st_dump(geometry))
    parts = sorted(f.geometry().area() for f in out)
    assert len(parts) == len(script_parts)
    assert sum(parts) == pytest.approx(sum(script_parts), rel=1e-4)
    assert parts == pytest.approx(script_parts, rel=1e-4)
    if by_hand is not None:
        assert parts == pytest.approx(sorted(by_hand), abs=0.01)
    # surface_ha: the part's area in ha rounded to 0.01 as the script's ROUND(…::numeric, 2)
    assert sorted(f["surface_ha"] for f in out) == sorted(float(enaf_script.round_ha(a)) for a in parts)


def test_two_pieces_under_10_ha_stay_as_the_script_keeps_them(tmp_path):
    results, _feedback = run("ocs:urbanenvelope", {"INPUT": envelope_layer(LAYOUTS["two_pieces_under_10_ha"][0]),
                                                   "OUTPUT": str(tmp_path / "env.gpkg")})
    assert sorted(f["surface_ha"] for f in QgsVectorLayer(results["OUTPUT"]).getFeatures()) == [6.0, 6.0]


def structures_layout():
    """The L-shaped town (11 ha, concave corner at (100, 100)) and agricultural structures:
    2: (155..185)² in the concave corner, 42.4 m from the bevelled envelope (chord x + y = 250; round joins: 55 m);
    3: touching 2 at the corner (185, 185) only, 84.9 m away: a structure of its own;
    4: 30 m south of the town; 5: 40 m east of it; 6: sharing an edge with 5, 70 m away: one structure with 5;
    7: 30 m east of the L's upright; 8: touching 7 at a corner only, 60 m away; 9: far."""
    rows = [(wkt, 1) + HAB for wkt in l_shape(cell=50)]
    structures = [box(155, 155, 185, 185), box(185, 185, 215, 215), box(200, -60, 230, -30),
                  box(640, 0, 670, 30), box(670, 0, 760, 30), box(130, 400, 160, 430), box(160, 430, 190, 460),
                  box(2000, 2000, 2030, 2030)]
    rows += [(wkt, i + 2) + STRUCTURE for i, wkt in enumerate(structures)]
    return make_layer(FIELDS, rows), rows


def test_reclassify_classes_every_structure_as_the_script(tmp_path):
    layer, rows = structures_layout()
    results, _feedback = run("ocs:reclassify", {"INPUT": layer, "TARGETS": [6], "OUTPUT": str(tmp_path / "o.gpkg")})
    out = features_by(results["OUTPUT"], "id")
    got = {i: f["enaf_2021"] for i, f in out.items() if i > 1}
    assert got == {2: "Ue", 3: "A", 4: "Ue", 5: "Ue", 6: "Ue", 7: "Ue", 8: "A", 9: "A"}
    members = [QgsGeometry.fromWkt(wkt) for wkt, i, *_codes in rows if i == 1]
    envelope = enaf_script.envelope(members)
    possible, own = enaf_script.contexts({i: QgsGeometry.fromWkt(wkt) for wkt, i, *_codes in rows if i > 1},
                                         envelope)
    assert {i: "Ue" if near else "A" for i, near in own.items()} == got
    # the script's DISTINCT ON (fid) may give 2, 3, 7 and 8 either answer (they touch two structures); the others
    # have one
    assert {i for i, values in possible.items() if len(values) > 1} == {2, 3, 7, 8}
    assert all(got[i] == ("Ue" if values.pop() else "A") for i, values in possible.items() if len(values) == 1)


def test_distances_to_the_concave_corner_by_hand():
    # the bevelled envelope's chord x + y = 250, from (150, 100) to (100, 150), lies (155 + 155 − 250) / √2
    # = 42.43 m from the corner (155, 155) of structure 2; the round envelope's nearest points are (150, 100) and
    # (100, 150): 55 m
    members = [QgsGeometry.fromWkt(wkt) for wkt in l_shape(cell=50)]
    [(envelope, _ha)] = enaf_script.envelope(members)
    corner = QgsGeometry.fromWkt("POINT(%f %f)" % (X0 + 155, Y0 + 155))
    assert corner.distance(envelope) == pytest.approx(60 / 2 ** 0.5, abs=1e-6)
    rounded = QgsGeometry.unaryUnion([m.buffer(50, 8) for m in members]).buffer(-50, 8)
    assert corner.distance(rounded) == pytest.approx(55.0, abs=1e-6)
