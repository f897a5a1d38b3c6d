"""ocs:artificialisation: matrix step, then the thresholds of décret 2023-1096, on layouts computed by hand.

Each case is an island 1 km from the others: a 120 m × 120 m frame (four rectangles) around a centre cell
40..80 × 40..80 (1,600 m²). The expected values are written the way IGN's ARTIFICIALISATION product states them
(``artif`` = 'artif' / 'non artif', ``crit_seuil`` true where the thresholds changed the matrix status).
"""
import pytest
from qgis.core import QgsProcessingException, QgsVectorLayer

from helpers import box, is_null, make_layer, run

ROAD = ("CS1.1.1.2", "US4.1.1")        # artificialised
PARKING = ("CS1.1.1.2", "US5")         # artificialised, not built
HOUSE = ("CS1.1.1.1", "US5")           # artificialised, built
FIELD = ("CS2.2.1", "US1.1")           # not artificialised
FIELDS = [("case", "string"), ("part", "string"), ("CODE_CS", "string"), ("CODE_US", "string"),
          ("MILLESIME", "string"), ("ign_artif", "string"), ("ign_crit", "integer")]


def island(index, case, frame, centre, expected, crit, centre_box=(40, 40, 80, 80), frame_sides="btlr",
           centre_parts=None):
    x = index * 1000.0
    rows = []
    sides = {"b": (0, 0, 120, 40), "t": (0, 80, 120, 120), "l": (0, 40, 40, 80), "r": (80, 40, 120, 80)}
    frame_expected = "artif" if frame in (ROAD, PARKING, HOUSE) else "non artif"
    for side in frame_sides:
        x1, y1, x2, y2 = sides[side]
        rows.append((box(x + x1, y1, x + x2, y2), case, "frame-" + side) + frame + ("2021", frame_expected, 0))
    if centre_parts is None:
        x1, y1, x2, y2 = centre_box
        rows.append((box(x + x1, y1, x + x2, y2), case, "centre") + centre + ("2021", expected, crit))
    else:
        for name, wkt, codes, part_expected, part_crit in centre_parts(x):
            rows.append((wkt, case, name) + codes + ("2021", part_expected, part_crit))
    return rows


def l_shape(x):
    """Centre 40..80 × 40..80 minus its 5 m × 5 m south-west corner."""
    return "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f,%f %f,%f %f))" % tuple(
        v for pt in ((45, 40), (80, 40), (80, 80), (40, 80), (40, 45), (45, 45), (45, 40))
        for v in (box_x(x, pt[0]), box_y(pt[1])))


def box_x(x, dx):
    from helpers import X0
    return X0 + x + dx


def box_y(dy):
    from helpers import Y0
    return Y0 + dy


def layout():
    rows = []
    # 1. non-artificialised 1,600 m² enclosed in artificialised land → artificialised
    rows += island(0, "enclave_naturelle", ROAD, FIELD, "artif", 1)
    # 2. the same enclave of 3,600 m² (≥ 2,500) → unchanged
    rows += island(1, "enclave_grande", ROAD, FIELD, "non artif", 0, centre_box=(30, 30, 90, 90),
                   frame_sides="") + [
        (box(1000, 0, 1120, 30), "enclave_grande", "frame-b") + ROAD + ("2021", "artif", 0),
        (box(1000, 90, 1120, 120), "enclave_grande", "frame-t") + ROAD + ("2021", "artif", 0),
        (box(1000, 30, 1030, 90), "enclave_grande", "frame-l") + ROAD + ("2021", "artif", 0),
        (box(1090, 30, 1120, 90), "enclave_grande", "frame-r") + ROAD + ("2021", "artif", 0)]
    # 3. artificialised, not built, 1,600 m² enclosed in fields → non-artificialised
    rows += island(2, "enclave_artificielle", FIELD, PARKING, "non artif", 1)
    # 4. a 1,600 m² building enclosed in fields (≥ 50 m² built) → stays artificialised
    rows += island(3, "bati_isole", FIELD, HOUSE, "artif", 0)
    # 5. a 25 m² building and its 1,575 m² yard enclosed in fields: the building is under 50 m² → both
    #    become non-artificialised
    rows += island(4, "petit_bati", FIELD, None, None, None, centre_parts=lambda x: [
        ("bati", box(x + 40, 40, x + 45, 45), HOUSE, "non artif", 1),
        ("cour", l_shape(x), PARKING, "non artif", 1)])
    # 6. an enclave open on the layer's edge (no right side of the frame) → not surrounded, unchanged
    rows += island(5, "bord", ROAD, FIELD, "non artif", 0, frame_sides="btl", centre_box=(40, 40, 80, 80))
    # 7. two 1,600 m² field polygons side by side (one 3,200 m² patch) enclosed in roads → unchanged
    rows += island(6, "deux_parcelles", ROAD, None, None, None, frame_sides="", centre_parts=lambda x: [
        ("centre-a", box(x + 40, 40, x + 80, 80), FIELD, "non artif", 0),
        ("centre-b", box(x + 80, 40, x + 120, 80), FIELD, "non artif", 0),
        ("frame-b", box(x + 0, 0, x + 160, 40), ROAD, "artif", 0),
        ("frame-t", box(x + 0, 80, x + 160, 120), ROAD, "artif", 0),
        ("frame-l", box(x + 0, 40, x + 40, 80), ROAD, "artif", 0),
        ("frame-r", box(x + 120, 40, x + 160, 80), ROAD, "artif", 0)])
    # 8. an enclave next to a polygon with a NULL code → not entirely surrounded by artificialised land
    rows += island(7, "voisin_inconnu", ROAD, FIELD, "non artif", 0, frame_sides="btl") + [
        (box(7080, 40, 7120, 80), "voisin_inconnu", "frame-r", None, None, "2021", None, None)]
    return make_layer(FIELDS, rows)


def results_by_part(path):
    layer = QgsVectorLayer(path, "out", "ogr")
    assert layer.isValid()
    return {(f["case"], f["part"]): f for f in layer.getFeatures()}


def test_thresholds_agree_with_the_ign_product(tmp_path):
    results, feedback = run("ocs:artificialisation", {"INPUT": layout(), "OUTPUT": str(tmp_path / "a.gpkg")})
    features = results_by_part(results["OUTPUT"])
    checked = 0
    for (case, part), feature in features.items():
        if is_null(feature["ign_artif"]):       # the NULL-code polygon: no status, no flag
            assert is_null(feature["artif_2021"]) and is_null(feature["crit_seuil_2021"])
            continue
        expected = 1 if feature["ign_artif"] == "artif" else 0
        assert (feature["artif_2021"], feature["crit_seuil_2021"]) == (expected, feature["ign_crit"]), (case, part)
        checked += 1
    assert checked == 40
    assert any("make 1 polygons (0.1600 ha) artificialised and 3 polygons (0.3200 ha) non-artificialised; "
               "1 built polygons" in m for m in feedback.infos)


def test_matrix_step_alone(tmp_path):
    results, _feedback = run("ocs:artificialisation", {"INPUT": layout(), "APPLY_THRESHOLDS": False,
                                                      "OUTPUT": str(tmp_path / "a.gpkg")})
    features = results_by_part(results["OUTPUT"])
    assert features[("enclave_naturelle", "centre")]["artif_2021"] == 0
    assert features[("enclave_artificielle", "centre")]["artif_2021"] == 1
    assert [f["crit_seuil_2021"] for f in features.values() if not is_null(f["CODE_CS"])] == [0] * 40


def test_custom_thresholds(tmp_path):
    # with 1,000 m² for the other surfaces no enclave is small enough; with 2,000 m² for buildings the
    # 1,600 m² house becomes non-artificialised
    results, _feedback = run("ocs:artificialisation", {"INPUT": layout(), "OTHER_MIN_M2": 1000.0,
                                                      "OUTPUT": str(tmp_path / "a.gpkg")})
    features = results_by_part(results["OUTPUT"])
    assert features[("enclave_naturelle", "centre")]["artif_2021"] == 0
    # the 25 m² building and its yard form a 1,600 m² patch, over 1,000 m²: unchanged (artificialised)
    assert (features[("petit_bati", "bati")]["artif_2021"], features[("petit_bati", "bati")]["crit_seuil_2021"]) \
        == (1, 0)
    results, _feedback = run("ocs:artificialisation", {"INPUT": layout(), "BUILT_MIN_M2": 2000.0,
                                                      "OUTPUT": str(tmp_path / "b.gpkg")})
    features = results_by_part(results["OUTPUT"])
    assert (features[("bati_isole", "centre")]["artif_2021"], features[("bati_isole", "centre")]["crit_seuil_2021"]) \
        == (0, 1)


def test_dissolve(tmp_path):
    results, feedback = run("ocs:artificialisation", {"INPUT": layout(), "DISSOLVE": True,
                                                     "OUTPUT": str(tmp_path / "d.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "d", "ogr")
    rows = {(f["artif_2021"], f["crit_seuil_2021"]): round(f["surface_ha"], 4) for f in layer.getFeatures()}
    total = sum(rows.values())
    assert rows[(1, 1)] == 0.16 and rows[(0, 1)] == 0.32
    assert total == pytest.approx(sum(rows.values()))
    assert [f.name() for f in layer.fields()][-3:] == ["artif_2021", "crit_seuil_2021", "surface_ha"]
    assert any("Dissolved by status" in m for m in feedback.infos)


OCS2D_FIELDS = [("id", "integer"), ("cs21", "string"), ("us21", "string"), ("photovol21", "integer")]


def test_ocs2d_exemptions_and_crosswalk_choices(tmp_path):
    rows = [
        (box(0, 0, 100, 100), 1, "CS6.1.1", "US3.2.1", 0),     # herbaceous park: artificialised by the matrix
        (box(100, 0, 200, 100), 2, "CS6.6.0", "US2.1.4", 0),   # solar farm on grass
        (box(200, 0, 300, 100), 3, "CS4.1.2", "US2.1.4", 0),   # wooded cover: not artificialised by the matrix
        (box(300, 0, 400, 100), 4, "CS6.6.0", "US2.1.1", 1),   # activity grass with the photovol flag
        (box(400, 0, 500, 100), 5, "CS6.3.0", "US6.2.3", 0),   # espaces agricoles non exploités → agriculture
        (box(500, 0, 600, 100), 6, "CS6.6.0", "US7.0.0", 0),   # usage indéterminé → sans usage
        (box(600, 0, 700, 100), 7, "CS1.2.1", "US6.1.2", 0),   # extraction en mutation → zone en transition
    ]
    layer = make_layer(OCS2D_FIELDS, rows)
    plain = results_by_id(run("ocs:artificialisation", {"INPUT": layer, "APPLY_THRESHOLDS": False,
                                                        "OUTPUT": str(tmp_path / "a.gpkg")})[0]["OUTPUT"])
    assert plain == {1: 1, 2: 1, 3: 0, 4: 1, 5: 0, 6: 0, 7: 1}
    results, feedback = run("ocs:artificialisation", {"INPUT": layer, "APPLY_THRESHOLDS": False,
                                                      "EXEMPT_PARKS": True, "EXEMPT_PV": True,
                                                      "OUTPUT": str(tmp_path / "b.gpkg")})
    assert results_by_id(results["OUTPUT"]) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 1}
    assert any("exemption 'parc' applied to 1 polygons (1.0000 ha)" in m for m in feedback.infos)
    assert any("exemption 'pv' applied to 2 polygons (2.0000 ha)" in m for m in feedback.infos)


def results_by_id(path):
    return {f["id"]: f["artif_2021"] for f in QgsVectorLayer(path, "o", "ogr").getFeatures()}


def test_bad_input(tmp_path):
    with pytest.raises(QgsProcessingException, match="empty"):
        run("ocs:artificialisation", {"INPUT": make_layer(FIELDS, []), "OUTPUT": "memory:"})
    with pytest.raises(QgsProcessingException, match="No couverture/usage fields"):
        run("ocs:artificialisation", {"INPUT": make_layer([("nom", "string")], [(box(0, 0, 1, 1), "a")]),
                                      "OUTPUT": "memory:"})


def test_exemption_is_not_undone_by_the_thresholds(tmp_path):
    """A 1,600 m² herbaceous public garden enclosed in roads. By the matrix it is artificialised, like the roads
    (one large patch: nothing to do). With EXEMPT_PARKS it is a non-artificialised enclave under 2,500 m², which
    the thresholds would turn back to artificialised: the exemption is kept (status 0, crit_seuil 0)."""
    road, garden = ("CS1.1.2", "US4.1.1"), ("CS6.1.1", "US3.2.1")
    rows = [(box(0, 0, 120, 40), 1) + road + (0,), (box(0, 80, 120, 120), 2) + road + (0,),
            (box(0, 40, 40, 80), 3) + road + (0,), (box(80, 40, 120, 80), 4) + road + (0,),
            (box(40, 40, 80, 80), 5) + garden + (0,)]
    layer = make_layer(OCS2D_FIELDS, rows)
    plain = QgsVectorLayer(run("ocs:artificialisation", {"INPUT": layer, "OUTPUT": str(tmp_path / "a.gpkg")})[0][
        "OUTPUT"], "a", "ogr")
    assert {f["id"]: (f["artif_2021"], f["crit_seuil_2021"]) for f in plain.getFeatures()}[5] == (1, 0)
    exempted = QgsVectorLayer(run("ocs:artificialisation", {"INPUT": layer, "EXEMPT_PARKS": True,
                                                            "OUTPUT": str(tmp_path / "b.gpkg")})[0]["OUTPUT"],
                              "b", "ogr")
    assert {f["id"]: (f["artif_2021"], f["crit_seuil_2021"]) for f in exempted.getFeatures()}[5] == (0, 0)
