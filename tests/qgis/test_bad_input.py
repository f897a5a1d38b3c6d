"""Bad input: clear errors or counted warnings, never a crash and never a silent drop."""
import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from helpers import box, features_by, is_null, make_layer, run

OCS2D = [("id", "integer"), ("cs21", "string"), ("us21", "string")]


def test_point_layer_is_refused():
    layer = make_layer(OCS2D, [("POINT(700000 7030000)", 1, "CS1.1.1", "US5.1.1")], geometry="Point")
    with pytest.raises(QgsProcessingException):
        run("ocs:reclassify", {"INPUT": layer, "OUTPUT": "memory:"})


def test_missing_fields_are_named():
    layer = make_layer([("id", "integer"), ("couvert", "string")], [(box(0, 0, 1, 1), 1, "CS1.1.1")])
    with pytest.raises(QgsProcessingException) as error:
        run("ocs:reclassify", {"INPUT": layer, "OUTPUT": "memory:"})
    message = str(error.value)
    assert "csYY/usYY" in message and "CODE_CS/CODE_US" in message and "id, couvert" in message


def test_wrong_override_field():
    layer = make_layer(OCS2D, [(box(0, 0, 1, 1), 1, "CS1.1.1", "US5.1.1")])
    with pytest.raises(QgsProcessingException, match="nothere"):
        run("ocs:reclassify", {"INPUT": layer, "CS_FIELD": "cs21", "US_FIELD": "nothere", "OUTPUT": "memory:"})


def test_unknown_vintage_is_named():
    layer = make_layer(OCS2D, [(box(0, 0, 1, 1), 1, "CS1.1.1", "US5.1.1")])
    with pytest.raises(QgsProcessingException, match="2015.*2021"):
        run("ocs:reclassify", {"INPUT": layer, "VINTAGES": "2015", "OUTPUT": "memory:"})


def test_empty_layer():
    layer = make_layer(OCS2D, [])
    with pytest.raises(QgsProcessingException, match="empty"):
        run("ocs:reclassify", {"INPUT": layer, "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="empty"):
        run("ocs:urbanenvelope", {"INPUT": layer, "OUTPUT": "memory:"})


def test_null_unknown_codes_and_invalid_geometries_are_counted(tmp_path):
    bow_tie = "POLYGON((700000 7030000,700010 7030010,700010 7030000,700000 7030010,700000 7030000))"
    multi = ("MULTIPOLYGON(((700100 7030000,700110 7030000,700110 7030010,700100 7030010,700100 7030000)),"
             "((700200 7030000,700210 7030000,700210 7030010,700200 7030010,700200 7030000)))")
    layer = make_layer(OCS2D, [
        (bow_tie, 1, "CS1.1.1", "US5.1.1"),
        (multi, 2, "cs 6.3.0", "us1.1.3"),
        (box(300, 0, 310, 10), 3, None, "US5.1.1"),
        (box(400, 0, 410, 10), 4, "CS9.9.9", "US5.1.1"),
        (box(500, 0, 510, 10), 5, "CS9.9.9", "US1.1.3"),
        (box(600, 0, 610, 10), 6, "CS1.1.1", "US99"),
    ])
    context_invalid = {"INPUT": layer, "OUTPUT": str(tmp_path / "out.gpkg")}
    results, feedback = run("ocs:reclassify", context_invalid)
    out = features_by(results["OUTPUT"], "id")
    assert sorted(out) == [1, 2, 3, 4, 5, 6]            # nothing dropped
    assert out[1]["p4_2021"] == 1 and out[2]["p4_2021"] == 2
    assert out[2]["p21_2021"] == 16                      # normalised codes
    assert all(is_null(out[i]["p4_2021"]) for i in (3, 4, 5, 6))
    errors = "\n".join(feedback.errors)
    assert "2 feature-vintages have an unknown couverture code" in errors and "cs21=CS9.9.9 (2)" in errors
    assert "1 feature-vintages have an unknown usage code" in errors and "us21=US99" in errors
    assert "1 feature-vintages have a NULL couverture or usage code" in errors
    assert out[1].geometry().asWkt(0) == "MultiPolygon (((700000 7030000, 700010 7030010, 700010 7030000, " \
                                         "700000 7030010, 700000 7030000)))"   # the bow-tie, copied as it is
    assert out[2].geometry().constGet().numGeometries() == 2


def test_spatial_rules_repair_and_count_invalid_geometries(tmp_path):
    # A bow-tie US7.0.0 polygon, 20 m wide, beside a habitat block: repaired to take its point-on-surface
    # (which lies less than 20 m from the block whichever triangle it falls in), counted, copied unchanged.
    bow_tie = "POLYGON((700100 7030000,700120 7030100,700120 7030000,700100 7030100,700100 7030000))"
    layer = make_layer(OCS2D, [
        (box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"),
        (bow_tie, 2, "CS1.2.1", "US7.0.0"),
    ])
    results, feedback = run("ocs:reclassify", {"INPUT": layer, "OUTPUT": str(tmp_path / "out.gpkg")})
    out = features_by(results["OUTPUT"], "id")
    assert (out[2]["p4_2021"], out[2]["p21_2021"]) == (1, 13)
    assert "1 invalid geometries were repaired for the spatial rules" in "\n".join(feedback.errors)
    assert not out[2].geometry().isGeosValid()


def test_urbanenvelope_repairs_invalid_members(tmp_path):
    # A 400 m × 400 m town drawn as two overlapping halves and one bow-tie block: repaired, counted, unioned.
    layer = make_layer(OCS2D, [
        (box(0, 0, 220, 400), 1, "CS1.1.1", "US5.1.1"),
        (box(200, 0, 400, 400), 2, "CS1.1.1", "US5.1.1"),
        ("POLYGON((700400 7030000,700450 7030050,700450 7030000,700400 7030050,700400 7030000))", 3, "CS1.1.2",
         "US5.1.1"),
    ])
    results, feedback = run("ocs:urbanenvelope", {"INPUT": layer, "OUTPUT": str(tmp_path / "env.gpkg")})
    out = list(QgsVectorLayer(results["OUTPUT"]).getFeatures())
    assert len(out) == 1
    assert "1 invalid geometries were repaired" in "\n".join(feedback.errors)
    assert out[0]["surface_ha"] > 16.0
