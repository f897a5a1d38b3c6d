"""ocs:urbanenvelope: +50 m, union, −50 m (bevel joins), parts ≥ 10 ha, holes filled — on layouts computed by
hand."""
import pytest
from qgis.core import QgsVectorLayer

from helpers import box, make_layer, run

FIELDS = [("id", "integer"), ("cs15", "string"), ("us15", "string"), ("cs21", "string"), ("us21", "string")]
HAB = ("CS1.1.1", "US5.1.1")
ARABLE = ("CS6.3.0", "US1.1.3")


def town_layout():
    """2021: a 400 m town ring around 4 ha of fields (12 ha of members → kept, hole filled → 16 ha);
    two 6 ha villages 90 m apart (merged by the ±50 m closing → one 13.8 ha part); a lone 4 ha hamlet (dropped).
    2015: only the western village and the hamlet are built (6 ha and 4 ha: no part reaches 10 ha)."""
    ring = [box(0, 0, 400, 100), box(0, 300, 400, 400), box(0, 100, 100, 300), box(300, 100, 400, 300)]
    rows = [(wkt, i + 1) + ARABLE + HAB for i, wkt in enumerate(ring)]
    rows.append((box(100, 100, 300, 300), 5) + ARABLE + ARABLE)
    rows.append((box(1000, 0, 1300, 200), 6) + HAB + HAB)
    rows.append((box(1390, 0, 1690, 200), 7) + ARABLE + ("CS1.1.2", "US2.1.1"))
    rows.append((box(1300, 0, 1390, 200), 8) + ARABLE + ARABLE)
    rows.append((box(3000, 0, 3200, 200), 9) + HAB + HAB)
    return make_layer(FIELDS, rows)


def test_envelope_by_hand(tmp_path):
    results, feedback = run("ocs:urbanenvelope", {"INPUT": town_layout(), "OUTPUT": str(tmp_path / "env.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "env", "ogr")
    parts = sorted((f["millesime"], round(f["surface_ha"], 2)) for f in layer.getFeatures())
    assert [p[0] for p in parts] == ["2021", "2021"]
    assert parts[1][1] == 16.0
    # The villages merge into one part, nearly their 13.8 ha bounding box: the −50 m erosion with bevel joins (as
    # the script) closes the notch of the +50 m buffer over the 90 m gap by a chord between the villages'
    # corners, 2.2 m below them (the offset of the arcs' last, shorter, chords), so the bridge lacks about
    # 2 × 90 × 2.2 m² (round joins carved a lens 50 − √(50² − 45²) ≈ 28 m deep into each side: 13.3–13.6 ha).
    assert parts[0][1] == 13.76
    for feature in layer.getFeatures():
        assert feature.geometry().constGet().numInteriorRings() == 0
    assert any("2015: 0 parts" in m for m in feedback.infos)
    assert layer.renderer().type() == "categorizedSymbol"
    assert layer.renderer().classAttribute() == "millesime"


def test_parameters_change_the_result(tmp_path):
    results, _ = run("ocs:urbanenvelope", {"INPUT": town_layout(), "VINTAGES": "2015", "MIN_AREA_HA": 5,
                                           "OUTPUT": str(tmp_path / "a.gpkg")})
    parts = sorted(round(f["surface_ha"], 2) for f in QgsVectorLayer(results["OUTPUT"]).getFeatures())
    assert parts == [6.0]
    # A 40 m buffer no longer bridges the 90 m gap between the villages.
    results, _ = run("ocs:urbanenvelope", {"INPUT": town_layout(), "VINTAGES": "2021", "BUFFER": 40,
                                           "OUTPUT": str(tmp_path / "b.gpkg")})
    parts = sorted(round(f["surface_ha"], 2) for f in QgsVectorLayer(results["OUTPUT"]).getFeatures())
    assert parts == [16.0]


def test_geographic_input_gives_the_same_envelope(tmp_path):
    rows = [(box(0, 0, 400, 400), 1) + HAB + HAB]
    layer = make_layer(FIELDS, rows, crs="EPSG:4326")
    results, _ = run("ocs:urbanenvelope", {"INPUT": layer, "VINTAGES": "2021", "OUTPUT": str(tmp_path / "g.gpkg")})
    out = QgsVectorLayer(results["OUTPUT"])
    assert out.crs().authid() == "EPSG:4326"
    [feature] = list(out.getFeatures())
    # 16 ha drawn in Lambert-93, measured in Lambert-93 (on the ellipsoid: 16 / k² ≈ 15.957 ha at 50.4° N)
    assert feature["surface_ha"] == pytest.approx(16.0, abs=3e-4)
