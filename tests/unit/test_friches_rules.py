"""core/friches.py without QGIS: candidate rules and the history of a site."""
from ocs_toolbox.core import friches as fr


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
