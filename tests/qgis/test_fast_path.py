"""The GeoPackage fast path of ocs:reclassify gives exactly what the feature-by-feature path gives."""
from qgis.core import QgsProcessingFeatureSourceDefinition, QgsProject, QgsVectorLayer

from helpers import box, features_by, is_null, make_layer, run, to_gpkg
from test_reclassify import agri_layout, us7_layout


def values(path):
    layer = QgsVectorLayer(path, "o", "ogr")
    names = [f.name() for f in layer.fields()]
    return {f["id"]: tuple(None if is_null(f[n]) else f[n] for n in names) for f in layer.getFeatures()}, names


def both_paths(layer, tmp_path, parameters):
    source = to_gpkg(layer, tmp_path / "in.gpkg")
    fast, fast_feedback = run("ocs:reclassify", dict(parameters, INPUT=source, OUTPUT=str(tmp_path / "fast.gpkg")))
    generic, generic_feedback = run("ocs:reclassify", dict(parameters, INPUT=layer,
                                                           OUTPUT=str(tmp_path / "generic.gpkg")))
    assert not any("fast path not used" in m for m in fast_feedback.debug), fast_feedback.debug
    assert any("fast path not used" in m for m in generic_feedback.debug)
    return fast, fast_feedback, generic, generic_feedback


def test_same_values_with_spatial_rules(tmp_path):
    for name, layout in (("us7", us7_layout()), ("agri", agri_layout())):
        folder = tmp_path / name
        folder.mkdir()
        fast, fast_fb, generic, generic_fb = both_paths(layout, folder, {"TARGETS": list(range(9))})
        assert values(fast["OUTPUT"]) == values(generic["OUTPUT"])
        assert [m for m in fast_fb.infos if "lie within" in m] == [m for m in generic_fb.infos if "lie within" in m]


def test_same_counts_of_bad_codes(tmp_path):
    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 1, 1), 1, "CS1.1.1", "US5.1.1"), (box(1, 0, 2, 1), 2, None, "US5.1.1"),
        (box(2, 0, 3, 1), 3, "CS9.9.9", "US5.1.1"), (box(3, 0, 4, 1), 4, "CS9.9.9", "US5.1.1"),
        (box(4, 0, 5, 1), 5, " cs 6.3.0", "us1.1.3"), (box(5, 0, 6, 1), 6, "CS4.4.0", "US7.0.0"),
        (box(6, 0, 7, 1), 7, "", "")])
    fast, fast_fb, generic, generic_fb = both_paths(layer, tmp_path, {"TARGETS": [0, 4, 5]})
    assert values(fast["OUTPUT"]) == values(generic["OUTPUT"])
    assert sorted(fast_fb.errors) == sorted(generic_fb.errors)
    errors = "\n".join(fast_fb.errors)
    assert "2 feature-vintages have an unknown couverture code" in errors and "cs21=CS9.9.9 (2)" in errors
    assert "2 feature-vintages have a NULL couverture or usage code" in errors
    assert "1 feature-vintages are left unclassified" in errors
    out = features_by(fast["OUTPUT"], "id")
    assert (out[5]["p4_2021"], out[5]["niv1_cs_2021"]) == (2, "CS6")


def test_area_is_checked_and_reported(tmp_path):
    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"), (box(100, 0, 300, 100), 2, "CS6.3.0", "US1.1.3")])
    fast, feedback, _generic, _ = both_paths(layer, tmp_path, {"TARGETS": [4]})
    assert "2 features read and written, 3.0000 ha in and out (geometries copied unchanged)." in feedback.infos


def test_selection_goes_through_the_generic_path(tmp_path):
    source = QgsVectorLayer(to_gpkg(us7_layout(), tmp_path / "in.gpkg"), "in", "ogr")
    QgsProject.instance().addMapLayer(source)
    try:
        source.selectByIds([1, 2])
        definition = QgsProcessingFeatureSourceDefinition(source.id(), True)
        results, feedback = run("ocs:reclassify", {"INPUT": definition, "OUTPUT": str(tmp_path / "sel.gpkg")})
        assert any("fast path not used" in m for m in feedback.debug)
        assert sorted(features_by(results["OUTPUT"], "id")) == [1, 2]
    finally:
        QgsProject.instance().removeMapLayer(source.id())


def test_output_layer_name_and_style(tmp_path):
    source = to_gpkg(us7_layout(), tmp_path / "in.gpkg")
    results, _ = run("ocs:reclassify", {"INPUT": source, "OUTPUT": str(tmp_path / "named.gpkg|layername=postes")})
    layer = QgsVectorLayer(str(tmp_path / "named.gpkg") + "|layername=postes", "p", "ogr")
    assert layer.isValid() and layer.featureCount() == 5
    assert layer.renderer().classAttribute() == "p4_2021"


def test_spatial_rule_that_changes_nothing(tmp_path):
    # US7.0.0 on built land beside housing: the rule fires but its "near" values equal the far ones.
    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"), (box(100, 0, 130, 100), 2, "CS1.1.1", "US7.0.0")])
    fast, _fb, generic, _gfb = both_paths(layer, tmp_path, {"TARGETS": [4, 5, 6]})
    assert values(fast["OUTPUT"]) == values(generic["OUTPUT"])
    assert features_by(fast["OUTPUT"], "id")[2]["p21_2021"] == 6
