"""core/friches.py without QGIS: candidate rules and the history of a site."""
import pytest

from ocs_toolbox.core import friches as fr
from ocs_toolbox.core import mutafriches as mf


def test_roles():
    assert fr.role("ocs2d", "US6.2.1") == fr.FRICHE and fr.role("ocs2d", "US6.2.2") == fr.FRICHE
    assert fr.role("ocs2d", "US6.2.3") == fr.OTHER            # espaces agricoles non exploités: never a friche
    assert fr.role("ocsge", "US6.2") == fr.FRICHE and fr.role("ocsge", "US6.1") == fr.TRANSITION
    assert fr.role("ocsge", "US6.3") == fr.NO_USAGE and fr.role("ocs2d", "US7.0.0") == fr.NO_USAGE
    assert fr.role("ocs2d", "US5.1.1") == fr.URBAN and fr.role("ocs2d", "US1.1.1") == fr.OTHER


def test_candidates():
    def history(*usages, cs="CS1.1.1"):
        return [(str(2005 + 5 * i), cs, us) for i, us in enumerate(usages)]

    assert fr.is_candidate("ocs2d", history("US2.1.1", "US6.2.1"))
    assert fr.is_candidate("ocs2d", history("US6.2.1", "US5.1.1"))             # reconverted
    assert fr.is_candidate("ocs2d", history("US2.1.1", "US6.1.1"))             # building site on an urban site
    assert not fr.is_candidate("ocs2d", history("US1.1.1", "US6.1.1"))         # building site on farmland
    assert not fr.is_candidate("ocs2d", history("US6.2.3", "US6.2.3", cs="CS6.3.0"))
    assert fr.is_candidate("ocsge", history("US2", "US6.3", cs="CS1.1.1.1"))   # sealed, no usage after activity
    assert not fr.is_candidate("ocsge", history("US2", "US6.3", cs="CS2.2.1"))


def test_site_history():
    h = fr.site_history("ocs2d", [("2005", "CS1.1.1", "US2.1.1"), ("2015", "CS1.1.1", "US6.2.1"),
                                  ("2021", "CS1.1.1", "US6.2.1")])
    assert (h["statut"], h["periode_abandon"], h["activite_fin"], h["site_type"]) == (
        "friche potentielle", "entre 2005 et 2015", ("2005", "2015"), "friche industrielle")
    assert h["texte"] == "US2.1.1 (2005) → US6.2.1 (2015) → US6.2.1 (2021)"
    h = fr.site_history("ocs2d", [("2005", "CS1.1.1", "US6.2.1"), ("2015", "CS6.1.1", "US3.2.1")])
    assert (h["statut"], h["periode_abandon"], h["reconv_type"], h["reconv_annee"]) == (
        "friche reconvertie", "avant 2005", "renaturation", "2015")
    h = fr.site_history("ocs2d", [("2005", "CS1.1.1", "US2.1.1"), ("2015", "CS1.1.1", "US6.2.1"),
                                  ("2021", "CS2.1.1", "US7.0.0")])
    assert h["statut"] == "friche potentielle"                                 # still unused
    h = fr.site_history("ocsge", [("2018", "CS1.1.1.1", "US3"), ("2021", "CS1.2.1", "US6.1")])
    assert (h["statut"], h["site_type"], h["periode_abandon"]) == (
        "friche avec projet", "friche commerciale", "entre 2018 et 2021")


def test_dominant():
    assert fr.dominant({("CS1.1.1", "US2.1.1"): 10.0, ("CS1.1.2", "US6.2.1"): 30.0}) == ("CS1.1.2", "US6.2.1")
    assert fr.dominant({}) == (None, None)


def test_site_types_per_nomenclature():
    assert fr.site_type("ocs2d", "US4.2.1") == "friche ferroviaire"      # OCS2D US4.2 = ferré
    assert fr.site_type("ocs2d", "US4.1.2") is None                      # routier secondaire: no friche type
    assert fr.site_type("ocs2d", "US2.2.0") == "friche commerciale"
    assert fr.site_type("ocsge", "US4.1.2") == "friche ferroviaire"      # OCS GE US4.1.2 = réseaux ferrés
    assert fr.site_type("ocsge", "US4.2") == "friche logistique"
    assert fr.is_candidate("ocs2d", [("2015", "CS1.2.1", "US1.3.1"), ("2021", "CS1.2.1", "US6.1.2")])
    h = fr.site_history("ocs2d", [("2015", "CS1.2.1", "US1.3.1"), ("2021", "CS1.2.1", "US6.1.2")])
    assert (h["statut"], h["site_type"]) == ("friche potentielle", "Friche carrière ou mine")


# -- sites: Mutafriches criteria and output values ---------------------------------------------------------------

def land_site(**context):
    """A 12,000 m² site of the land cover, 3,000 m² of it built, 9,000 m² artificialised, a friche since 2015."""
    from collections import Counter

    history = fr.site_history("ocs2d", [("2005", "CS1.1.1", "US2.1.1"), ("2015", "CS1.1.1", "US6.2.1"),
                                        ("2021", "CS1.1.1", "US6.2.1")])
    return fr.Site("geometry", 12000.0, [3, 7], Counter({"bati": 3000.0, "impermeable": 6000.0, "herbacee": 3000.0,
                                                        "artif": 9000.0}), history, **context)


def test_criteria_of_a_site_without_context():
    assert fr.criteria(land_site()) == {"surface_site": "10000_15000", "surface_batie": "lt_5000",
                                        "etat_bati": None, "raccordement_eau": "oui"}
    # an inventory site has no history: nothing is said about its buildings
    assert fr.criteria(fr.Site("g", 9000.0, source="inventaire")) == {"surface_site": "lt_10000"}


def test_criteria_of_a_site_with_context():
    site = land_site(dist_mairie_m=999.0, dist_gare_m=500.0, services_500m=0, inondable=1, pollution=0,
                     protege=0, protege_proche=1, urba_zone_type="UB")
    found = fr.criteria(site)
    assert (found["centre_ville"], found["distance_transports"], found["commerces_services"]) == ("oui", "ge_500",
                                                                                                 "non")
    assert (found["risque_inondation"], found["pollution"], found["zonage_environnemental"]) == ("oui", "non",
                                                                                                "proximite")
    assert found["zonage_plu"] == "u_habitat"
    assert fr.criteria(land_site(protege=1, pollution=1))["zonage_environnemental"] == "natura_2000"
    assert fr.criteria(land_site(protege=0, protege_proche=0))["zonage_environnemental"] == "hors_zone"
    assert fr.criteria(land_site(pollution=1))["pollution"] == "autres"
    assert "zonage_plu" not in fr.criteria(land_site(urba_zone_type=None))


def test_criteria_transit_searched_and_zone_labels():
    """As Mutafriches: no station within 2 km, or none in a STATIONS layer given, is a search without result;
    the dominant zone is classed from its labels as well as its code."""
    assert fr.criteria(land_site(dist_gare_m=2500.0, stations_searched=True))["distance_transports"] == \
        mf.SEARCHED_NONE
    assert fr.criteria(land_site(dist_gare_m=None, stations_searched=True))["distance_transports"] == \
        mf.SEARCHED_NONE
    assert "distance_transports" not in fr.criteria(land_site())          # no STATIONS layer: unknown
    assert fr.criteria(land_site(dist_gare_m=1999.0, stations_searched=True))["distance_transports"] == "ge_500"
    zone = {"typezone": "UE", "libelle": "UE", "libelong": "Zone d'activités économiques", "destdomi": None}
    assert fr.criteria(land_site(urba_zone_type="UE", urba_zone=zone))["zonage_plu"] == "u_activite"
    assert fr.criteria(land_site(urba_zone_type="UE"))["zonage_plu"] == "u_equipement"
    values = fr.site_values(land_site(dist_gare_m=None, stations_searched=True), 1)
    # surface 10000_15000 (2), surface bâtie (2), raccordement eau (1), transport searched (1) → 6/30 × 10
    assert values["fiabilite"] == pytest.approx(2.0)


def test_site_values():
    values = fr.site_values(land_site(comm_insee="62001", dist_mairie_m=1000.0), 7)
    assert values["site_id"] == "OCS-62001-0007" and values["site_nom"] == "Site OCS n° 7 (62001)"
    assert (values["site_statut"], values["site_type"], values["periode_abandon"], values["activite_fin_annee"]) \
        == ("friche potentielle", "friche industrielle", "entre 2005 et 2015", 2015)
    assert (values["part_bati"], values["part_impermeable"], values["part_artificialisee"], values["part_eau"]) \
        == (0.25, 0.75, 0.75, 0.0)
    assert values["surface_batie_m2"] == 3000.0 and values["centre_ville"] == 0     # 1,000 m is not within 1 km
    assert values["source"] == "OCS" and values["inventaire_id"] is None
    assert values["vocation"] in ("habitat", "économie", "équipements", "renaturation")
    assert set("idx_" + u for u in ("residentiel", "industrie", "photovoltaique")) <= set(values)
    inventory = fr.Site("g", 314.0, source="inventaire", inventory_ids=["INV-1"], inventory_names=["Usine"],
                        inventory_status="friche sans projet")
    values = fr.site_values(inventory, 1)
    assert (values["site_id"], values["site_nom"], values["site_statut"]) == ("INV-1", "Usine", "friche sans projet")
    assert values["part_bati"] is None and values["surface_batie_m2"] is None and values["historique_usage"] is None


def test_output_order():
    sites = [fr.Site("a", 10.0, comm_insee="62002"), fr.Site("b", 20.0), fr.Site("c", 30.0, comm_insee="62002"),
             fr.Site("d", 5.0, comm_insee="62001")]
    assert [s.geometry for s in fr.output_order(sites)] == ["b", "d", "c", "a"]
