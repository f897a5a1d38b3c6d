"""ocs:reclassify on hand-built layouts whose answers are known."""
import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from helpers import box, features_by, is_null, make_layer, run

OCS2D = [("id", "integer"), ("cs21", "string"), ("us21", "string")]
P4, P21, ENAF, ARTIF, IMPER = 4, 5, 6, 7, 8


def us7_layout(crs="EPSG:2154"):
    """A habitat block A; US7.0.0 polygons beside it (B 15 m, D 19 m), beyond 20 m (E, 45 m, touching B) and far (C)."""
    return make_layer(OCS2D, [
        (box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"),      # A: espaces urbanisés (p4 = 1)
        (box(100, 0, 130, 100), 2, "CS1.2.1", "US7.0.0"),    # B: point-on-surface (115, 50): 15 m
        (box(500, 0, 530, 100), 3, "CS1.2.1", "US7.0.0"),    # C: far
        (box(0, 104, 100, 134), 4, "CS6.6.0", "US7.0.0"),    # D: point-on-surface (50, 119): 19 m
        (box(130, 0, 160, 100), 5, "CS1.2.1", "US7.0.0"),    # E: 45 m from A; touches B (no chaining)
    ], crs)


def check_us7(out):
    got = {i: (f["p4_2021"], f["p21_2021"], f["enaf_2021"], f["naf_2021"]) for i, f in out.items()}
    assert got == {
        1: (1, 1, "Uh", "Non-NAF"),
        2: (1, 13, "Ua", "Non-NAF"),
        3: (3, 21, "N", "NAF"),
        4: (1, 14, "Ua", "Non-NAF"),
        5: (3, 21, "N", "NAF"),
    }
    assert out[2]["p21_2021_lib"] == "Autres espaces artificialisés non végétalisés"


def test_us7_near_urban(tmp_path):
    results, feedback = run("ocs:reclassify", {"INPUT": us7_layout(), "OUTPUT": str(tmp_path / "out.gpkg")})
    check_us7(features_by(results["OUTPUT"], "id"))
    assert any("2 of 4 US7.0.0" in m for m in feedback.infos)


def test_geographic_crs_keeps_distances_and_areas(tmp_path):
    results, feedback = run("ocs:reclassify", {"INPUT": us7_layout("EPSG:4326"),
                                               "OUTPUT": str(tmp_path / "out.gpkg")})
    check_us7(features_by(results["OUTPUT"], "id"))
    # 1 ha + 4 × 0.3 ha drawn in Lambert-93, measured in Lambert-93 as the same land in EPSG:2154 is: 2.2 ha
    # (on the ellipsoid 2.2 / k² ≈ 2.194 ha, k ≈ 1.00136 at 50.4° N; a planar area in degrees ~3e-7)
    line = [m for m in feedback.infos if "ha in and out" in m][0]
    area = float(line.split(",")[1].split("ha")[0])
    assert area == pytest.approx(2.2, abs=1e-4)
    assert any("measured in EPSG:2154" in m for m in feedback.infos)


def agri_layout():
    """A 16 ha town (envelope = itself); structures F (30 m), G1 (40 m) + G2 (80 m, touching G1), H far."""
    rows = [
        (box(0, 0, 400, 400), 1, "CS6.3.0", "US1.1.3", "CS1.1.1", "US5.1.1"),
        (box(430, 0, 460, 30), 2, "CS6.3.0", "US1.1.3", "CS1.1.1", "US1.1.7"),
        (box(440, 100, 480, 130), 3, "CS1.1.1", "US1.1.7", "CS1.1.1", "US1.1.7"),
        (box(480, 100, 560, 130), 4, "CS1.1.2", "US1.1.3", "CS1.1.2", "US1.1.3"),
        (box(1000, 1000, 1030, 1030), 5, "CS1.1.1", "US1.1.7", "CS1.1.1", "US1.1.7"),
    ]
    fields = [("id", "integer"), ("cs15", "string"), ("us15", "string"), ("cs21", "string"), ("us21", "string")]
    return make_layer(fields, rows)


def test_agricultural_structures_near_envelope(tmp_path):
    results, feedback = run("ocs:reclassify", {"INPUT": agri_layout(), "TARGETS": [P4, ENAF],
                                               "OUTPUT": str(tmp_path / "out.gpkg")})
    out = features_by(results["OUTPUT"], "id")
    assert {i: f["enaf_2021"] for i, f in out.items()} == {1: "Uh", 2: "Ue", 3: "Ue", 4: "Ue", 5: "A"}
    assert {i: f["naf_2021"] for i, f in out.items()} == {1: "Non-NAF", 2: "Non-NAF", 3: "Non-NAF",
                                                          4: "Non-NAF", 5: "NAF"}
    assert out[3]["p4_2021"] == 1                     # the rule changes ENAF only (p4_if_near is empty)
    # 2015: no town, so no envelope: every structure stays agricultural
    assert {i: f["enaf_2015"] for i, f in out.items()} == {1: "A", 2: "A", 3: "A", 4: "A", 5: "A"}
    assert any("2021: 0 of 0 US7.0.0" in m and "3 of 4 agricultural" in m for m in feedback.infos)


def test_all_targets_and_lib_fields(tmp_path):
    layer = make_layer(OCS2D, [(box(0, 0, 10, 10), 1, "CS6.6.0", "US6.2.3")])
    results, _ = run("ocs:reclassify", {"INPUT": layer, "TARGETS": list(range(9)),
                                        "OUTPUT": str(tmp_path / "out.gpkg")})
    f = features_by(results["OUTPUT"], "id")[1]
    assert (f["niv1_cs_2021"], f["niv2_cs_2021"], f["niv3_us_2021"]) == ("CS6", "CS6.6", "US6.2.3")
    assert (f["ocsge_cs_2021"], f["ocsge_us_2021"]) == ("CS2.2.1", "US6.2")
    assert (f["p4_2021"], f["p21_2021"], f["enaf_2021"], f["naf_2021"]) == (2, 17, "N", "NAF")
    assert (f["artif_2021"], f["impermeable_2021"]) == (0, 0)
    assert f["niv3_us_2021_lib"] == "Espaces agricoles non exploités"


def test_ocsge_layer_with_millesime(tmp_path):
    fields = [("ID", "string"), ("CODE_CS", "string"), ("CODE_US", "string"), ("MILLESIME", "string")]
    layer = make_layer(fields, [
        (box(0, 0, 10, 10), "a", "CS1.1.1.1", "US5", "2018"),
        (box(10, 0, 20, 10), "b", "CS2.2.1", "US1.1", "2018"),
        (box(20, 0, 30, 10), "c", "CS2.2.1", "US4.1.1", "2018"),
    ])
    results, feedback = run("ocs:reclassify", {"INPUT": layer, "OUTPUT": str(tmp_path / "out.gpkg")})
    out = features_by(results["OUTPUT"], "ID")
    assert {k: (f["artif_2018"], f["impermeable_2018"], f["ocsge_us_2018_lib"]) for k, f in out.items()} == {
        "a": (1, 1, "Usage résidentiel"), "b": (0, 0, "Agriculture"), "c": (1, 0, "Réseaux routiers")}
    assert any("OCS GE" in m for m in feedback.infos)


def test_ocsge_refuses_4_postes():
    layer = make_layer([("CODE_CS", "string"), ("CODE_US", "string")], [(box(0, 0, 1, 1), "CS2.2.1", "US1.1")])
    with pytest.raises(QgsProcessingException, match="OCS2D"):
        run("ocs:reclassify", {"INPUT": layer, "VINTAGES": "2021", "TARGETS": [P4], "OUTPUT": "memory:"})


def test_field_overrides_and_vintage(tmp_path):
    layer = make_layer([("couv", "string"), ("usa", "string")], [(box(0, 0, 1, 1), "CS4.1.2", "US1.2.4")])
    results, _ = run("ocs:reclassify", {"INPUT": layer, "CS_FIELD": "couv", "US_FIELD": "usa", "VINTAGES": "2019",
                                        "NOMENCLATURE": 1, "OUTPUT": str(tmp_path / "o.gpkg")})
    f = next(QgsVectorLayer(results["OUTPUT"]).getFeatures())
    assert (f["p4_2019"], f["p21_2019"], f["enaf_2019"]) == (3, 19, "F")


def test_custom_table(tmp_path):
    layer = make_layer(OCS2D, [(box(0, 0, 1, 1), 1, "CS1.1.1", "US5.1.1"), (box(1, 0, 2, 1), 2, "CS6.3.0", "US1.1.3"),
                               (box(2, 0, 3, 1), 3, "CS4.1.2", "US1.2.4")])
    table = ["CS1.1", "1", "Imperméable", "#ff0000", "CS6/US1.1", "2", "Herbe agricole", "", "US5", "3", "Habitat",
             None]
    results, feedback = run("ocs:reclassify", {"INPUT": layer, "TARGETS": [9], "CUSTOM_TABLE": table,
                                               "OUTPUT": str(tmp_path / "c.gpkg")})
    out = features_by(results["OUTPUT"], "id")
    assert [(out[i]["custom_2021"], out[i]["custom_2021_lib"]) for i in (1, 2)] == [
        ("1", "Imperméable"), ("2", "Herbe agricole")]
    assert is_null(out[3]["custom_2021"]) and is_null(out[3]["custom_2021_lib"])
    assert any("1 feature-vintages are left unclassified" in e for e in feedback.errors)


def test_output_is_styled_in_the_geopackage(tmp_path):
    results, feedback = run("ocs:reclassify", {"INPUT": us7_layout(), "OUTPUT": str(tmp_path / "styled.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "reopened", "ogr")   # loads the default style of the file
    renderer = layer.renderer()
    assert renderer.type() == "categorizedSymbol"
    assert renderer.classAttribute() == "p4_2021"
    colours = {str(c.value()): c.symbol().color().name().upper() for c in renderer.categories()}
    assert colours["1"] == "#DA9694" and colours["3"] == "#C4D79B"
    styles = layer.listStylesInDatabase()
    assert "p21_2021" in styles[2] and "enaf_2021" in styles[2]


def test_gui_post_processor_styles_a_temporary_output():
    """As in QGIS Desktop: a memory output loaded into the project gets its style from the post-processor."""
    import processing
    from qgis.core import QgsProject

    results = processing.runAndLoadResults("ocs:reclassify", {"INPUT": us7_layout(), "TARGETS": [6],
                                                              "OUTPUT": "TEMPORARY_OUTPUT"})
    layer = QgsProject.instance().mapLayer(results["OUTPUT"]) if isinstance(results["OUTPUT"], str) \
        else results["OUTPUT"]
    try:
        assert layer.renderer().type() == "categorizedSymbol"
        assert layer.renderer().classAttribute() == "enaf_2021"
        labels = {c.value(): c.label() for c in layer.renderer().categories()}
        assert labels["Ua"] == "Urbanisé autre"
    finally:
        QgsProject.instance().removeMapLayer(layer.id())
