"""Rules of ocs:validate: check keys and severities, the shipped tables, oscillations, minimum mapping units and
the summary arithmetic."""
import pytest

from ocs_toolbox.core import nomenclature as nom
from ocs_toolbox.core import validation as val


def test_controle_keys_and_severities_as_the_issue_names_them():
    assert val.CONTROLE_KEYS == (
        "geometrie_invalide", "geometrie_vide", "doublon", "chevauchement", "trou", "code_manquant", "code_inconnu",
        "couple_incompatible", "voisins_identiques", "sous_unite_minimale", "transition_improbable", "oscillation")
    assert {v for _k, v in val.CONTROLES} == {"erreur", "avertissement"}
    assert val.SEVERITY["chevauchement"] == "erreur" and val.SEVERITY["trou"] == "avertissement"
    assert val.SEVERITY["transition_improbable"] == val.SEVERITY["oscillation"] == "avertissement"
    # every controle belongs to exactly one check
    listed = [c for key in val.CHECKS for c in val.CHECK_CONTROLES[key]]
    assert sorted(listed) == sorted(val.CONTROLE_KEYS)


def test_checks_from_indexes():
    assert val.checks_from_indexes([]) == list(val.CHECKS)
    assert val.checks_from_indexes(None) == list(val.CHECKS)
    assert val.checks_from_indexes([6, 1]) == ["coverage", "transitions"]
    with pytest.raises(ValueError):
        val.checks_from_indexes([7])


@pytest.mark.parametrize("key, cs, us, expected", [
    (nom.OCSGE, "CS1.2.2", "US1.2", "erreur"),           # water with a forestry usage
    (nom.OCSGE, "CS1.1.1.1", "US1.2", "erreur"),         # a building with a forestry usage
    (nom.OCSGE, "CS1.2.2", "US1.1", "avertissement"),    # water with an agricultural usage
    (nom.OCSGE, "CS2.1.1.2", "US4.1.3", "avertissement"),  # prefix CS2.1.1 covers conifers
    (nom.OCSGE, "CS1.1.1.1", "US5", None),               # a house
    (nom.OCSGE, "CS1.2.2", "US235", None),               # US2 does not cover US235 (not a prefix at a dot)
    (nom.OCS2D_2021, "CS3.1.1", "US1.1.3", "avertissement"),
    (nom.OCS2D_2021, "CS3.1.2", "US1.2.2", "erreur"),
    (nom.OCS2D_2021, "CS1.1.1", "US1.2.1", "erreur"),
    (nom.OCS2D_2021, "CS6.3.0", "US1.1.3", None),
    (nom.OCS2D_NPDC, "CS1.1.1", "US7.0.0", "avertissement"),
    (nom.OCSGE, None, "US1.2", None),
])
def test_incompatible_pairs(key, cs, us, expected):
    rule = val.incompatible_pair(key, cs, us)
    assert (rule.gravite if rule else None) == expected


def test_every_table_row_names_known_codes_and_a_severity():
    for key in nom.NOMENCLATURES:
        nomen = nom.get_nomenclature(key)
        rules = val.pair_rules(key)
        assert rules, key
        for rule in rules:
            assert rule.gravite in ("erreur", "avertissement")
            assert any(val._prefix(c, rule.code_cs) for c in nomen.cs), rule
            assert any(val._prefix(c, rule.code_us) for c in nomen.us), rule
        for rule in val.transition_rules(key):
            assert any(val._prefix(c, rule.code_avant) for c in nomen.cs), rule
            assert any(val._prefix(c, rule.code_apres) for c in nomen.cs), rule


@pytest.mark.parametrize("key, before, after, expected", [
    (nom.OCS2D_2021, "CS1.1.1", "CS4.1.2", "bâti devenu forêt"),
    (nom.OCS2D_2021, "CS3.1.1", "CS1.1.1", "eau devenue bâti"),
    (nom.OCS2D_2021, "CS1.1.1", "CS3.1.2", "bâti devenu eau"),
    (nom.OCS2D_2021, "CS1.1.1", "CS6.6.0", None),          # demolition: herbaceous
    (nom.OCS2D_2021, "CS4.1.2", "CS1.1.1", None),          # forest → built: a construction
    (nom.OCS2D_2021, "CS4.4.0", "CS4.4.0", None),
    (nom.OCSGE, "CS1.1.1.1", "CS2.1.1.3", "bâti devenu forêt"),
    (nom.OCSGE, "CS1.2.2", "CS1.1.1.1", "eau devenue bâti"),
    (nom.OCSGE, None, "CS1.1.1.1", None),
])
def test_improbable_transitions(key, before, after, expected):
    rule = val.improbable_transition(key, before, after)
    assert (rule.motif if rule else None) == expected


def test_oscillations():
    assert val.oscillations(["A", "B", "A"]) == [0]
    assert val.oscillations(["A", "B", "A", "B"]) == [0, 1]
    assert val.oscillations(["A", "A", "A"]) == []
    assert val.oscillations(["A", "B", "C"]) == []
    assert val.oscillations(["A", None, "A"]) == []
    assert val.oscillations(["A", "B"]) == []


@pytest.mark.parametrize("key, cs, us, override, expected", [
    (nom.OCS2D_2021, "CS1.1.1", "US5.2.2", None, 50.0),     # bâti: 50 m² (CQ guide)
    (nom.OCS2D_2021, "CS6.6.0", "US5.4.0", None, 50.0),     # habitat isolé: 50 m²
    (nom.OCS2D_2021, "CS6.3.0", "US1.1.3", None, 300.0),    # every other post: 300 m²
    (nom.OCS2D_NPDC, "CS4.1.2", "US1.2.4", None, 300.0),
    (nom.OCSGE, "CS1.1.1.1", "US5", None, 200.0),           # bâti: 200 m²
    (nom.OCSGE, "CS2.2.1", "US1.1", None, 500.0),           # the rest: 500 m² (urban unit, the smaller)
    (nom.OCSGE, None, None, None, 500.0),
    (nom.OCSGE, "CS1.1.1.1", "US5", 1000, 1000.0),          # MIN_AREA_M2 given: the same for all
])
def test_minimum_mapping_units(key, cs, us, override, expected):
    assert val.minimum_mapping_unit(key, cs, us, override) == expected


def test_summary_adds_up_and_counts_a_feature_in_each_problem():
    tally = val.Tally()
    tally.add("chevauchement", "erreur", 100.0, 1)
    tally.add("chevauchement", "erreur", 50.0, 2)
    tally.add("sous_unite_minimale", "avertissement", 40.0, 2)   # feature 2 in two problems
    tally.add("trou", "avertissement", 10.0)
    tally.add("couple_incompatible", "avertissement", 5.0, 3)
    tally.add("couple_incompatible", "erreur", 7.0, 4)
    rows = tally.summary(10000.0)
    assert [(r.controle, r.gravite, r.nombre, r.surface_m2) for r in rows] == [
        ("chevauchement", "erreur", 2, 150.0), ("trou", "avertissement", 1, 10.0),
        ("couple_incompatible", "avertissement", 1, 5.0), ("couple_incompatible", "erreur", 1, 7.0),
        ("sous_unite_minimale", "avertissement", 1, 40.0), ("total", "", 6, 212.0)]
    assert rows[0].part_territoire_pct == pytest.approx(1.5)
    assert rows[-1].part_territoire_pct == pytest.approx(2.12)
    assert tally.in_several() == 1
    assert tally.summary(0)[0].part_territoire_pct is None


def test_components():
    assert val.components(6, [(0, 1), (1, 2), (4, 5)]) == [[0, 1, 2], [4, 5]]
    assert val.components(3, []) == []
    assert val.components(4, [(3, 2), (2, 0)]) == [[0, 2, 3]]


def test_report_grid_counts():
    from ocs_toolbox.core import validationreport as vr

    # a 240 m × 120 m frame, 24 cells of 10 m across: 24 × 12 cells; (5, 5) bottom left, (235, 115) top right
    counts, shape = vr.grid_counts([(5, 5), (6, 4), (235, 115), (-50, 500)], 24, (0, 0, 240, 120))
    assert shape == (24, 12)
    assert counts == {(0, 11): 2, (23, 0): 1, (0, 0): 1}    # a point off the frame goes to the nearest cell
    assert vr.grid_counts([], 24) == ({}, (0, 0))


def test_report_in_french_with_french_numbers():
    from ocs_toolbox.core import validationreport as vr

    data = vr.ReportData("ocs", [val.SummaryRow("chevauchement", "erreur", 1, 12345.0, 1.5),
                                 val.SummaryRow("total", "", 1, 12345.0, 1.5)],
                         {"chevauchement": [(3, None, 12345.0, "Les entités 3 et 4 se chevauchent")]},
                         [("chevauchement", 0.0, 0.0)], 823000.0, 1, 12345.0, (0.0, 0.0, 100.0, 100.0))
    text = vr.build(data, "fr")
    assert "Contrôle qualité — ocs" in text and "<td>Chevauchement</td><td>erreur</td><td>1</td><td>1,23</td>" in text
    assert "1,50\u00a0%" in text and "82,30\u00a0ha" in text and "1\u00a0entités relèvent" not in text
    assert "1 entités relèvent de plusieurs problèmes" in text
    english = vr.build(data, "en")
    assert "<td>Overlap</td><td>error</td><td>1</td><td>1.23</td><td>1.50%</td>" in english
