"""ocs:carbon through processing.run, with values computed by hand from ALDO's tables (resources/carbon/).

Communes 59002 (zone 2_1, Nord) and 62001 (zone 2_3, Pas-de-Calais), 1 ha each, side by side.
    P1 box(0, 0, 100, 100)    1 ha   2015 CS6.3.0/US1.1.3 arable → 2021 CS1.1.1/US5.2.1 sealed      (59002)
    P2 box(100, 0, 200, 50)   0.5 ha CS4.1.2/US1.2.4 broadleaved wood, both vintages               (62001)
    P3 box(100, 50, 200, 100) 0.5 ha CS6.1.1/US1.1.1 grassland 2015 → CS6.3.0/US1.1.3 arable 2021   (62001)
By hand:
    59002 2015: soil 50 (cultures, 2_1), 2021: 30 (sealed); flow −20 tC at once = −73.33 tCO2e; 6 years
    62001 2015: soil 0.5 × 79 (forêts 2_3) + 0.5 × 89 (prairies 2_3) = 84; litter 4.5; biomass 0.5 × 103.41
          = 51.705 (HDF Feuillu 97.25 + 6.16); total 140.205
    62001 2021: soil 0.5 × 79 + 0.5 × 52 = 65.5; total 121.705
          flow: grassland ploughed, 0.5 ha × −1.41 tC/ha/yr (flux-zpc 2_3 prai_cult) = −0.705 tC/yr for 20 years
          → total −14.1 tC; biomass herbaceous grassland → cultures: no value (0)
"""
import pytest
from qgis.core import QgsVectorLayer

from helpers import box, features_by, make_layer, ocs2d_layer, run

PLOUGHED = (box(100, 50, 200, 100), "CS6.1.1", "US1.1.1", "CS6.3.0", "US1.1.3")
SEALED = (box(0, 0, 100, 100), "CS6.3.0", "US1.1.3", "CS1.1.1", "US5.2.1")
WOOD = (box(100, 0, 200, 50), "CS4.1.2", "US1.2.4", "CS4.1.2", "US1.2.4")


def communes():
    return make_layer([("insee_com", "string"), ("nom_com", "string")],
                      [(box(0, 0, 100, 100), "59002", "Abancourt"), (box(100, 0, 200, 100), "62001", "Ablain")],
                      name="communes")


def land():
    return ocs2d_layer([SEALED, WOOD, PLOUGHED], years=("15", "21"))


def test_stocks_and_flows_per_commune(tmp_path):
    results, feedback = run("ocs:carbon", {
        "INPUT": land(), "ZONES": communes(), "ZONE_FIELD": "insee_com", "OUTPUT": str(tmp_path / "s.gpkg"),
        "OUTPUT_FLOWS": str(tmp_path / "f.gpkg"), "REPORT": str(tmp_path / "r.html")})
    stocks = features_by(results["OUTPUT"], "zone")
    assert sorted(stocks) == ["59002", "62001", "total"]
    west, east, total = stocks["59002"], stocks["62001"], stocks["total"]
    assert west["sol_tc_2015"] == pytest.approx(50.0) and west["sol_tc_2021"] == pytest.approx(30.0)
    assert west["cultures_ha_2015"] == pytest.approx(1.0) and west["artif_impermeabilises_ha_2021"] == pytest.approx(1.0)
    assert east["sol_tc_2015"] == pytest.approx(84.0) and east["litiere_tc_2015"] == pytest.approx(4.5)
    assert east["biomasse_tc_2015"] == pytest.approx(51.705)
    assert east["total_tc_2015"] == pytest.approx(140.205) and east["total_tc_ha_2015"] == pytest.approx(140.205)
    assert east["total_tc_2021"] == pytest.approx(121.705)
    assert east["total_tco2e_2021"] == pytest.approx(121.705 * 44 / 12)
    assert total["total_tc_2015"] == pytest.approx(190.205) and total["surface_ha"] == pytest.approx(2.0)
    assert total["total_tc_ha_2021"] == pytest.approx((30.0 + 121.705) / 2)
    assert not west.geometry().isNull()
    # the total row has no geometry (it would cover the communes on the map); the zones are styled on the stock
    # per hectare of the last vintage, stored in the GeoPackage
    assert total.geometry().isNull() or total.geometry().isEmpty()
    styled = QgsVectorLayer(results["OUTPUT"], "s", "ogr")
    assert styled.renderer().type() == "graduatedSymbol" and styled.renderer().classAttribute() == "total_tc_ha_2021"
    flows = {(f["zone"], f["periode"]): f for f in QgsVectorLayer(results["OUTPUT_FLOWS"], "f", "ogr").getFeatures()}
    sealed = flows[("59002", "2015-2021")]
    assert sealed["annees"] == 6 and sealed["surface_changee_ha"] == pytest.approx(1.0)
    assert sealed["sol_ponctuel_tc"] == pytest.approx(-20.0) and sealed["total_tc"] == pytest.approx(-20.0)
    assert sealed["total_tco2e"] == pytest.approx(-73.333, abs=1e-3)
    assert sealed["total_tc_an"] == pytest.approx(-20.0 / 6)
    assert sealed["artificialisation_ha"] == pytest.approx(1.0)
    assert sealed["artificialisation_tco2e"] == pytest.approx(-73.333, abs=1e-3)
    ploughed = flows[("62001", "2015-2021")]
    assert ploughed["sol_ponctuel_tc"] == 0.0 and ploughed["sol_annuel_tc_an"] == pytest.approx(-0.705)
    assert ploughed["total_tc"] == pytest.approx(-14.1)
    assert ploughed["retournement_prairies_ha"] == pytest.approx(0.5)
    assert ploughed["retournement_prairies_tc"] == pytest.approx(-14.1)
    assert flows[("total", "2015-2021")]["total_tc"] == pytest.approx(-34.1)
    assert any("The ZONES codes are INSEE commune codes (2 of 2" in info for info in feedback.infos)
    report = open(results["REPORT"], encoding="utf-8").read()
    assert "Abancourt (59002)" in report and "ALDO" in report
    assert "<td>30.00</td>" in report and "-20.00" in report        # 59002 in 2021; its one-off flow


def test_report_in_french(tmp_path, monkeypatch):
    from ocs_toolbox.algorithms import base

    monkeypatch.setattr(base, "help_language", lambda: "fr")
    results, _feedback = run("ocs:carbon", {
        "INPUT": land(), "PEDOCLIMATIC_ZONE": "2_1", "OUTPUT": "memory:", "OUTPUT_FLOWS": "memory:",
        "REPORT": str(tmp_path / "r.html")})
    report = open(results["REPORT"], encoding="utf-8").read()
    assert '<html lang="fr">' in report and "Stocks de carbone" in report
    # whole layer in zone 2_1: 2015 soil 50 + 0.5 × 60 + 0.5 × 69 = 114.5, litter 4.5, biomass 0.5 × 98.68 (France)
    assert "114,50" in report


def test_polygons_output_and_style(tmp_path):
    results, feedback = run("ocs:carbon", {
        "INPUT": land(), "COMMUNES": communes(), "OUTPUT": "memory:", "OUTPUT_FLOWS": "memory:",
        "OUTPUT_POLYGONS": str(tmp_path / "p.gpkg")})
    polygons = QgsVectorLayer(results["OUTPUT_POLYGONS"], "p", "ogr")
    by_cs = {f["cs15"]: f for f in polygons.getFeatures()}
    assert by_cs["CS6.3.0"]["categorie_aldo_2015"] == "cultures"
    assert by_cs["CS6.3.0"]["stock_tc_ha_2015"] == pytest.approx(50.0)
    assert by_cs["CS6.3.0"]["categorie_aldo_2021"] == "artif_impermeabilises"
    assert by_cs["CS6.3.0"]["stock_tc_ha_2021"] == pytest.approx(30.0)
    assert by_cs["CS4.1.2"]["stock_tc_ha_2021"] == pytest.approx(79 + 9 + 103.41)
    assert by_cs["CS4.1.2"]["us15"] == "US1.2.4"                       # input fields kept
    assert any("stock_tc_ha_2021" in info and "default style" in info for info in feedback.infos), feedback.infos + feedback.errors


def test_without_any_location_the_run_stops():
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="PEDOCLIMATIC_ZONE"):
        run("ocs:carbon", {"INPUT": land(), "OUTPUT": "memory:", "OUTPUT_FLOWS": "memory:"})


def test_ocsge_arable_share_and_mapping(tmp_path):
    layer = make_layer([("CODE_CS", "string"), ("CODE_US", "string"), ("MILLESIME", "string")],
                       [(box(0, 0, 100, 100), "CS2.2.1", "US1.1", "2021"),
                        (box(100, 0, 200, 100), "CS9", "US9", "2021")])
    results, feedback = run("ocs:carbon", {"INPUT": layer, "PEDOCLIMATIC_ZONE": "2_1", "OUTPUT": "memory:",
                                           "OUTPUT_FLOWS": "memory:"})
    total = features_by(results["OUTPUT"], "zone")["total"]
    # 50 % cultures (50) + 50 % prairies (69); 1 ha of unknown codes without stock
    assert total["sol_tc_2021"] == pytest.approx(59.5) and total["non_classe_ha_2021"] == pytest.approx(1.0)
    assert any("not a sourced figure" in e and "1.00 ha" in e for e in feedback.errors)
    assert any("CS9/US9" in e for e in feedback.errors)
    results, feedback = run("ocs:carbon", {"INPUT": layer, "PEDOCLIMATIC_ZONE": "2_1", "ARABLE_SHARE": 80,
                                           "MAPPING": ["CS9", "", "zones_humides"], "OUTPUT": "memory:",
                                           "OUTPUT_FLOWS": "memory:"})
    total = features_by(results["OUTPUT"], "zone")["total"]
    assert total["sol_tc_2021"] == pytest.approx(0.8 * 50 + 0.2 * 69 + 125)
    assert total["zones_humides_ha_2021"] == pytest.approx(1.0)
    assert not any("not a sourced figure" in e for e in feedback.errors)
    assert QgsVectorLayer(results["OUTPUT_FLOWS"]).featureCount() == 0 if isinstance(results["OUTPUT_FLOWS"], str) \
        else results["OUTPUT_FLOWS"].featureCount() == 0         # one vintage: no period


def test_diagnostic_carbone_model(tmp_path):
    """The shipped model: reclassify then carbon per commune; the same figures as the algorithm alone."""
    results, _feedback = run("ocs:diagnostic_carbone", {
        "ocs2d": land(), "communes": communes(), "insee": "insee_com",
        "reclassify:postes_enaf": str(tmp_path / "postes.gpkg"), "carbon:stocks_carbone": str(tmp_path / "s.gpkg"),
        "carbon:flux_carbone": str(tmp_path / "f.gpkg"), "carbon:rapport_carbone": str(tmp_path / "r.html")})
    stocks = features_by(results["carbon:stocks_carbone"], "zone")
    assert stocks["total"]["total_tc_2015"] == pytest.approx(190.205)
    assert stocks["59002"]["sol_tc_2021"] == pytest.approx(30.0)
    assert "Abancourt (59002)" in open(results["carbon:rapport_carbone"], encoding="utf-8").read()
