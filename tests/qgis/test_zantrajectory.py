"""ocs:zantrajectory: reference decade, allowance and what remains, computed by hand on the 3×3 grid."""
import pytest
from qgis.core import QgsVectorLayer

from helpers import box, features_by, is_null, make_layer, run
from test_changes import grid_layer, zones_layer


def test_trajectory_on_the_grid(tmp_path):
    # ENAF consumed: 2005-2015 cells 2, 3, 7 (1 + 1 + 3 = 5 ha), 2015-2021 cell 1 (1 ha).
    # Reference 2011-2021: 4 years of 2005-2015 at 0.5 ha/year + 6 years of 2015-2021 at 1/6 ha/year = 3 ha.
    results, feedback = run("ocs:zantrajectory", {"INPUT": grid_layer(), "OUTPUT": str(tmp_path / "z.gpkg")})
    total = features_by(results["OUTPUT"], "zone")["total"]
    assert total["conso_enaf_2005_2015_ha"] == pytest.approx(5.0)
    assert total["conso_enaf_2005_2015_ha_an"] == pytest.approx(0.5)
    assert total["conso_habitat_2005_2015_ha"] == pytest.approx(4.0)
    assert total["conso_activite_2005_2015_ha"] == pytest.approx(1.0)
    assert total["conso_enaf_2015_2021_ha"] == pytest.approx(1.0)
    assert total["conso_reference_ha"] == pytest.approx(3.0)
    assert total["conso_reference_ha_an"] == pytest.approx(0.3)
    assert total["source_reference"] == "OCS"
    assert total["methode"] == "estimé au prorata des périodes 2005-2015 (4 ans), 2015-2021 (6 ans)"
    assert total["enveloppe_ha"] == pytest.approx(1.5)
    assert total["enveloppe_ha_an"] == pytest.approx(0.15)
    assert is_null(total["conso_objectif_ha"])
    assert total["methode_objectif"] == "aucun millésime après 2021"
    assert total["reste_ha"] == pytest.approx(1.5)
    layer = QgsVectorLayer(results["OUTPUT"], "z", "ogr")
    assert "conso_enaf_2005_2021_ha" not in layer.fields().names()     # consecutive periods only
    assert "artif_net_2015_2021_ha" not in layer.fields().names()      # net artificialisation from 2021 on


def test_trajectory_after_2021_and_reduction(tmp_path):
    # vintages 2018, 2021, 2024: the reference 2011-2021 comes from 2018-2021 alone (3 years, prorata to 10),
    # 2021-2024 is observed in the objective decade, with its net artificialisation
    fields = [("cs18", "string"), ("us18", "string"), ("cs21", "string"), ("us21", "string"),
              ("cs24", "string"), ("us24", "string")]
    field, house, park = ("CS6.3.0", "US1.1.1"), ("CS1.1.1", "US5.1.1"), ("CS4.1.2", "US3.2.1")
    layer = make_layer(fields, [
        (box(0, 0, 100, 100),) + field + house + house,      # 1 ha consumed 2018-2021
        (box(100, 0, 300, 100),) + field + field + house,    # 2 ha consumed 2021-2024
        (box(300, 0, 400, 100),) + house + house + park,     # 1 ha désartificialisé 2021-2024
        (box(400, 0, 500, 100),) + field + field + field])
    results, _feedback = run("ocs:zantrajectory", {"INPUT": layer, "REDUCTION_PCT": 60.0,
                                                   "OUTPUT": str(tmp_path / "z.gpkg")})
    total = features_by(results["OUTPUT"], "zone")["total"]
    assert total["conso_reference_ha"] == pytest.approx(1.0 / 3 * 10)
    assert total["methode"] == ("estimé au prorata des périodes 2018-2021 (3 ans) ; 7 ans hors millésimes au "
                                "taux moyen de ces périodes")
    assert total["enveloppe_ha"] == pytest.approx(10 / 3 * 0.4)
    assert total["conso_objectif_ha"] == pytest.approx(2.0)
    assert total["methode_objectif"] == "observé 2021-2024"
    assert total["reste_ha"] == pytest.approx(10 / 3 * 0.4 - 2.0)
    assert total["artif_2021_2024_ha"] == pytest.approx(2.0)
    assert total["desartif_2021_2024_ha"] == pytest.approx(1.0)
    assert total["artif_net_2021_2024_ha"] == pytest.approx(1.0)


def test_official_figures_and_zero_reference(tmp_path):
    official = make_layer([("insee", "string"), ("naf11art21", "double")], [(None, "A", 20000.0)],
                          geometry="None", name="cerema")
    report = tmp_path / "zan.html"
    results, feedback = run("ocs:zantrajectory", {
        "INPUT": grid_layer(), "ZONES": zones_layer(), "ZONE_FIELD": "insee", "OFFICIAL_CONSUMPTION": official,
        "CONSUMPTION_ZONE_FIELD": "insee", "CONSUMPTION_FIELD": "naf11art21", "CONSUMPTION_UNIT": 1,
        "OUTPUT": str(tmp_path / "z.gpkg"), "REPORT": str(report)})
    rows = features_by(results["OUTPUT"], "zone")
    assert sorted(rows) == ["A", "B", "hors zones", "total"]
    assert (rows["A"]["conso_reference_ha"], rows["A"]["source_reference"]) == (2.0, "officiel")
    assert rows["A"]["enveloppe_ha"] == pytest.approx(1.0)
    # zone B: 2005-2015 cell 7 (2.5 ha in B) → 4 years at 0.25 ha/year = 1 ha; nothing in 2015-2021
    assert rows["B"]["conso_reference_ha"] == pytest.approx(1.0)
    assert rows["B"]["methode"].endswith("zone absente de la table officielle")
    assert rows["total"]["source_reference"] == "mixte"
    assert rows["total"]["conso_reference_ha"] == pytest.approx(2.0 + 1.0 + rows["hors zones"]["conso_reference_ha"])
    assert rows["A"].geometry().area() == pytest.approx(200 * 400)
    assert report.read_text(encoding="utf-8").count("<svg") >= 4


def test_zero_reference_consumption(tmp_path):
    still = make_layer([("cs05", "string"), ("us05", "string"), ("cs21", "string"), ("us21", "string")],
                       [(box(0, 0, 100, 100), "CS6.3.0", "US1.1.1", "CS6.3.0", "US1.1.1")])
    results, _feedback = run("ocs:zantrajectory", {"INPUT": still, "OUTPUT": str(tmp_path / "z.gpkg")})
    total = features_by(results["OUTPUT"], "zone")["total"]
    assert (total["conso_reference_ha"], total["enveloppe_ha"], total["reste_ha"]) == (0.0, 0.0, 0.0)


def test_official_codes_stored_as_numbers(tmp_path):
    """An INSEE code stored as a number loses its leading zero (2001 for 02001): it still matches."""
    zones = make_layer([("insee", "string")], [(box(0, -50, 200, 350), "02001"), (box(200, -50, 600, 350), "02002")],
                       name="communes")
    official = make_layer([("code", "integer"), ("conso_ha", "double")], [(None, 2001, 4.0), (None, 2002, 6.0)],
                          geometry="None", name="officiel")
    results, _feedback = run("ocs:zantrajectory", {
        "INPUT": grid_layer(), "ZONES": zones, "ZONE_FIELD": "insee", "OFFICIAL_CONSUMPTION": official,
        "CONSUMPTION_ZONE_FIELD": "code", "CONSUMPTION_FIELD": "conso_ha", "OUTPUT": str(tmp_path / "z.gpkg")})
    rows = features_by(results["OUTPUT"], "zone")
    assert sorted(rows) == ["02001", "02002", "total"]
    assert (rows["02001"]["conso_reference_ha"], rows["02002"]["conso_reference_ha"]) == (4.0, 6.0)
    assert (rows["total"]["conso_reference_ha"], rows["total"]["source_reference"]) == (10.0, "officiel")
    assert rows["total"]["enveloppe_ha"] == 5.0


def test_no_measurable_period_gives_null_not_zero(tmp_path):
    """A change product without years (cs_avant/cs_apres): nothing can be annualised; with zones the total stays NULL."""
    layer = make_layer([("cs_avant", "string"), ("us_avant", "string"), ("cs_apres", "string"), ("us_apres", "string")],
                       [(box(0, 0, 100, 100), "CS6.3.0", "US1.1.1", "CS1.1.1", "US5.1.1")])
    zones = make_layer([("insee", "string")], [(box(-10, -10, 200, 200), "A")])
    results, _feedback = run("ocs:zantrajectory", {"INPUT": layer, "ZONES": zones, "ZONE_FIELD": "insee",
                                                   "OUTPUT": str(tmp_path / "z.gpkg")})
    rows = features_by(results["OUTPUT"], "zone")
    for zone in ("A", "total"):
        assert is_null(rows[zone]["conso_reference_ha"]) and is_null(rows[zone]["enveloppe_ha"]), zone
    assert rows["A"]["methode"] == "aucune période mesurée"
