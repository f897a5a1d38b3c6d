"""engines/envelope.py called directly on small hand-built layers: members, parts, areas, back-projection."""
import pytest
from qgis.core import QgsGeometry, QgsVectorLayer

from cover_fixture import open_cover, release_layers  # noqa: F401 (autouse fixture)
from helpers import Feedback, box, make_layer
from ocs_toolbox.core import nomenclature as nom
from ocs_toolbox.engines import envelope

FIELDS = [("id", "integer"), ("cs15", "string"), ("us15", "string"), ("cs21", "string"), ("us21", "string")]
HAB = ("CS1.1.1", "US5.1.1")
ARABLE = ("CS6.3.0", "US1.1.3")


def ring_town():
    """2021: a ring of 12 ha of houses around 4 ha of fields (one 16 ha part, its hole filled) and a 4 ha hamlet
    (below 10 ha); 2015: only the hamlet and one 4 ha side of the ring."""
    ring = [box(0, 0, 400, 100), box(0, 300, 400, 400), box(0, 100, 100, 300), box(300, 100, 400, 300)]
    rows = [(ring[0], 1) + HAB + HAB] + [(wkt, i + 2) + ARABLE + HAB for i, wkt in enumerate(ring[1:])]
    rows.append((box(100, 100, 300, 300), 5) + ARABLE + ARABLE)
    rows.append((box(3000, 0, 3200, 200), 6) + HAB + HAB)
    return make_layer(FIELDS, rows)


def written(layer, options=envelope.EnvelopeOptions()):
    """(summary per vintage, [(id, millesime, surface_ha, area of the geometry in layer units)], feedback)."""
    cover, context = open_cover(layer)
    out = QgsVectorLayer("Polygon?crs=%s" % cover.crs.authid(), "out", "memory")
    out.dataProvider().addAttributes(list(envelope.output_fields()))
    out.updateFields()
    feedback = Feedback()
    summary = envelope.write_envelopes(cover, options, out.dataProvider(), context, feedback)
    rows = [(f["id"], f["millesime"], f["surface_ha"], f.geometry()) for f in out.getFeatures()]
    return summary, rows, feedback


def test_membership_is_computed_once_per_pair():
    member = envelope.membership(nom.OCS2D_2021)
    assert member(*HAB) is True
    assert member(*ARABLE) is False
    assert member("CS9.9.9", "US5.1.1") == "unknown"
    assert member(None, "US5.1.1") == "unknown"
    member(*HAB)
    assert len(member.values) == 4


def _area(wkb):
    geometry = QgsGeometry()
    geometry.fromWkb(wkb)
    return geometry.area()


def test_members_per_vintage_and_unknown_codes_reported():
    layer = make_layer(FIELDS, [(box(0, 0, 100, 100), 1) + HAB + HAB, (box(100, 0, 200, 100), 2) + ARABLE + HAB,
                                (box(200, 0, 300, 100), 3) + ("CS9.9.9", "US5.1.1") + (None, None)])
    cover, _context = open_cover(layer)
    feedback = Feedback()
    members = envelope.read_members(cover, feedback)
    assert [v.vintage for v in cover.vintages] == ["2015", "2021"]
    assert all(isinstance(wkb, bytes) for m in members for wkb in m)   # kept as WKB
    assert [sorted(round(_area(wkb)) for wkb in m) for m in members] == [[10000], [10000, 10000]]
    assert any(e.startswith("2 feature-vintages have unknown or NULL codes") for e in feedback.errors)


def test_envelope_parts_and_areas_by_hand():
    summary, rows, feedback = written(ring_town())
    assert [(s.vintage, s.parts) for s in summary] == [("2015", 0), ("2021", 1)]
    [(identifier, millesime, surface, geometry)] = rows
    # the ring's outline, its hole filled; the +50 m buffer's arcs are 8 chords of 11.25° a quarter, whose
    # offsets by −50 m pass h = 50 (1 − cos 5.625°) = 0.24076 m inside each of the 4 convex corners: the two
    # outer chords cut a triangle of legs h / sin 5.625° = 2.45635 m and height h / cos 39.375° × sin 45°
    # = 0.22024 m on each side of the diagonal, 0.54098 m² a corner
    assert (identifier, millesime) == (1, "2021")
    assert surface == 16.0                         # in ha rounded to 0.01, as the script writes it
    assert geometry.area() == pytest.approx(160000.0 - 4 * 0.54098, abs=1e-3)
    assert geometry.constGet().numInteriorRings() == 0
    assert summary[1].area_ha == pytest.approx(geometry.area() / 1e4, abs=1e-9)
    assert "2021: 1 parts, 16.00 ha" in feedback.infos and "2015: 0 parts, 0.00 ha" in feedback.infos


def test_minimum_area_and_buffer_options():
    # with a 3 ha minimum, the hamlet and the 2015 side of the ring (4 ha each) are parts too
    summary, rows, _feedback = written(ring_town(), envelope.EnvelopeOptions(50.0, 3e4))
    assert [(s.vintage, s.parts) for s in summary] == [("2015", 2), ("2021", 2)]
    assert [(i, m) for i, m, _s, _g in rows] == [(1, "2015"), (2, "2015"), (3, "2021"), (4, "2021")]
    assert sorted((m, round(s, 3)) for _i, m, s, _g in rows) == [
        ("2015", 4.0), ("2015", 4.0), ("2021", 4.0), ("2021", 16.0)]
    # no buffer: the union alone; the ring (12 ha) is kept, its hole filled
    summary, rows, _feedback = written(ring_town(), envelope.EnvelopeOptions(0.0, 1e5))
    assert [(s.vintage, s.parts) for s in summary] == [("2015", 0), ("2021", 1)]
    assert [(m, s) for _i, m, s, _g in rows] == [("2021", 16.0)]   # exact: no buffer, no corner cut


def test_geographic_layer_is_closed_in_metres_and_written_in_degrees():
    layer = make_layer(FIELDS, [(box(0, 0, 400, 400), 1) + HAB + HAB], crs="EPSG:4326")
    summary, rows, _feedback = written(layer)
    assert [s.parts for s in summary] == [1, 1]
    _i, _m, surface, geometry = rows[0]
    # 16 ha drawn in Lambert-93, measured in Lambert-93 as the same land in EPSG:2154 is (on the ellipsoid it
    # would be 16 / k² ≈ 15.957 ha, k² ≈ 1.0027 at 50.4° N, written 15.96); the closing cuts a few dm² at the 4
    # corners, and surface_ha is rounded to 0.01 ha as the script rounds it
    assert surface == 16.0
    assert geometry.boundingBox().xMaximum() < 180.0     # degrees
