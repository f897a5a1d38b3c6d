"""ocs:friches: candidates, sites, history, context criteria and the Mutafriches wiring, computed by hand."""
import csv

import pytest
from qgis.core import QgsVectorLayer

from helpers import box, features_by, is_null, make_layer, run, X0, Y0

FIELDS = [("id", "integer"), ("cs05", "string"), ("us05", "string"), ("cs15", "string"), ("us15", "string"),
          ("cs21", "string"), ("us21", "string")]
BUILT, SEALED, FIELD = "CS1.1.1", "CS1.1.2", "CS6.3.0"


def history(cs, *usages):
    return tuple(v for us in usages for v in (cs, us))


def layout():
    return make_layer(FIELDS, [
        # site 1: a factory (9,000 m² built + 5,000 m² yard) closed between 2005 and 2015
        (box(0, 0, 90, 100), 1) + history(BUILT, "US2.1.1", "US6.2.1", "US6.2.1"),
        (box(90, 0, 140, 100), 2) + history(SEALED, "US2.1.1", "US6.2.1", "US6.2.1"),
        # site 2: a friche of 2015 turned into housing in 2021
        (box(1000, 0, 1100, 100), 3) + history(BUILT, "US2.1.1", "US6.2.1", "US5.1.1"),
        # site 3: a vacant lot of 2015 under construction in 2021
        (box(2000, 0, 2100, 100), 4) + history(SEALED, "US3.1.1", "US6.2.2", "US6.1.1"),
        # never a friche: espaces agricoles non exploités (US6.2.3)
        (box(3000, 0, 3100, 100), 5) + history(FIELD, "US6.2.3", "US6.2.3", "US6.2.3"),
        # a 400 m² friche: under MIN_AREA_M2
        (box(4000, 0, 4020, 20), 6) + history(BUILT, "US6.2.1", "US6.2.1", "US6.2.1"),
        # a building site on farmland: consumption, not a friche
        (box(5000, 0, 5100, 100), 7) + history(FIELD, "US1.1.1", "US1.1.1", "US6.1.1"),
    ])


def point(x, y):
    return "POINT(%f %f)" % (X0 + x, Y0 + y)


def context():
    return {
        "TOWN_HALLS": make_layer([("nom", "string")], [(point(70, 500), "Mairie")], geometry="Point"),
        "STATIONS": make_layer([("nom", "string")], [(point(0, 700), "Gare")], geometry="Point"),
        "SERVICES": make_layer([("typequ", "string")], [(point(70, 300), "B104"), (point(80, 300), "X999"),
                                                        (point(70, 900), "B201")], geometry="Point"),
        "SERVICES_TYPE_FIELD": "typequ",
        "FLOOD": make_layer([("nom", "string")], [(box(950, -50, 1150, 150), "AZI")]),
        "ZONING": make_layer([("typezone", "string")], [(box(-100, -100, 6000, 200), "U")]),
        "ZONING_TYPE_FIELD": "typezone",
        "PROTECTED": make_layer([("nom", "string")], [(box(20000, 0, 21000, 1000), "ZNIEFF")]),
        "POLLUTION": make_layer([("nom", "string")], [(point(2050, 50), "BASOL")], geometry="Point"),
        "ZONES": make_layer([("insee", "string")], [(box(-100, -100, 6000, 200), "62001")]),
        "ZONE_FIELD": "insee",
    }


def sites_by_history(path):
    layer = QgsVectorLayer(path, "f", "ogr")
    assert layer.isValid()
    return {f["historique_usage"]: f for f in layer.getFeatures()}


FACTORY = "US2.1.1 (2005) → US6.2.1 (2015) → US6.2.1 (2021)"
HOUSING = "US2.1.1 (2005) → US6.2.1 (2015) → US5.1.1 (2021)"
PROJECT = "US3.1.1 (2005) → US6.2.2 (2015) → US6.1.1 (2021)"


def test_sites_history_and_exclusions(tmp_path):
    results, feedback = run("ocs:friches", {"INPUT": layout(), "OUTPUT": str(tmp_path / "f.gpkg")})
    sites = sites_by_history(results["OUTPUT"])
    assert sorted(sites) == sorted([FACTORY, HOUSING, PROJECT])
    factory = sites[FACTORY]
    assert factory["site_surface"] == pytest.approx(14000.0)
    assert (factory["part_bati"], factory["part_impermeable"]) == pytest.approx((9 / 14, 1.0))
    assert factory["part_artificialisee"] == pytest.approx(1.0)
    assert factory["surface_batie_m2"] == pytest.approx(9000.0)
    assert (factory["site_statut"], factory["periode_abandon"], factory["activite_fin_annee"]) == (
        "friche potentielle", "entre 2005 et 2015", 2015)
    assert factory["site_type"] == "friche industrielle"
    housing = sites[HOUSING]
    assert (housing["site_statut"], housing["site_reconv_type"], housing["site_reconv_annee"]) == (
        "friche reconvertie", "habitat", 2021)
    project = sites[PROJECT]
    assert project["site_statut"] == "friche avec projet"
    assert project["site_type"] == "friche d'équipement public"
    assert any("1 polygons with US6.2.3" in m for m in feedback.infos)
    assert any("1 candidate sites under MIN_AREA_M2 (400 m² in all)" in m for m in feedback.errors)
    # no context layer: the criteria they give stay unknown
    for name in ("dist_mairie_m", "centre_ville", "dist_gare_m", "services_500m", "inondable", "urba_zone_type",
                 "protege", "pollution", "comm_insee"):
        assert is_null(factory[name]), name
    # known: surface of the site (2), built surface (2), water connection (1) → 5 / 30 × 10
    assert factory["fiabilite"] == pytest.approx(5 / 3)


def test_context_criteria_and_mutafriches(tmp_path):
    from ocs_toolbox.core import mutafriches as mf

    parameters = dict(context(), INPUT=layout(), OUTPUT=str(tmp_path / "f.gpkg"), OUTPUT_CSV=str(tmp_path / "f.csv"))
    results, _feedback = run("ocs:friches", parameters)
    sites = sites_by_history(results["OUTPUT"])
    factory = sites[FACTORY]
    assert factory["dist_mairie_m"] == pytest.approx(400.0) and factory["centre_ville"] == 1
    assert factory["dist_gare_m"] == pytest.approx(600.0)
    assert factory["services_500m"] == 1            # B104 at 200 m; X999 is no BPE service; B201 is 800 m away
    assert (factory["inondable"], factory["protege"], factory["pollution"]) == (0, 0, 0)
    assert factory["urba_zone_type"] == "U" and factory["comm_insee"] == "62001"
    assert sites[HOUSING]["inondable"] == 1 and sites[PROJECT]["pollution"] == 1
    expected = mf.evaluate({
        "surface_site": "10000_15000", "surface_batie": "5000_10000", "raccordement_eau": "oui",
        "etat_bati": None, "centre_ville": "oui", "distance_transports": "ge_500", "commerces_services": "oui",
        "risque_inondation": "non", "pollution": "non", "zonage_environnemental": "hors_zone",
        "zonage_plu": mf.classify("zonage_plu", "U")})
    for use in mf.USES:
        assert factory["idx_%s" % use] == pytest.approx(expected["indices"][use]), use
    # weights known: surface 2, built 2, water 1, centre 1, transport 1, services 1, flood 1, pollution 2,
    # environment 1, PLU 2 = 14 → 14 / 30 × 10
    assert factory["fiabilite"] == pytest.approx(14 / 3)
    vocation, runner_up, explanation = mf.vocation(expected)
    assert (factory["vocation"], factory["vocation_2"], factory["explication"]) == (vocation, runner_up, explanation)
    with open(results["OUTPUT_CSV"], encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:3] == ["site_id", "site_nom", "site_type"] and list(rows[0])[-2:] == ["geompoint",
                                                                                               "geomsurf"]
    assert {r["site_statut"] for r in rows} == {"friche potentielle", "friche reconvertie", "friche avec projet"}
    assert all(r["comm_insee"] == "62001" and r["site_id"].startswith("OCS-62001-") for r in rows)


def test_inventory_is_matched_or_added(tmp_path):
    inventory = make_layer([("site_id", "string"), ("site_nom", "string"), ("site_statut", "string")], [
        (point(1050, 50), "62001_22-12.0001", "Ancienne filature", "friche avec projet"),
        (point(8000, 50), "62001_22-12.0002", "Dépôt", "friche sans projet")], geometry="Point")
    results, feedback = run("ocs:friches", {"INPUT": layout(), "INVENTORY": inventory,
                                            "OUTPUT": str(tmp_path / "f.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "f", "ogr")
    by_name = {f["site_nom"]: f for f in layer.getFeatures()}
    mill = by_name["Ancienne filature"]
    assert (mill["source"], mill["inventaire_id"], mill["site_statut"]) == (
        "OCS+inventaire", "62001_22-12.0001", "friche avec projet")
    assert mill["historique_usage"] == HOUSING
    depot = by_name["Dépôt"]
    assert (depot["source"], depot["site_id"]) == ("inventaire", "62001_22-12.0002")
    assert layer.featureCount() == 4
    assert any("1 sites matched to the land cover, 1 added" in m for m in feedback.infos)
    assert layer.renderer().classAttribute() == "vocation"
