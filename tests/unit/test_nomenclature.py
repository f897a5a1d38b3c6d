"""Registry: code lists, normalisation, lookup tables — no QGIS application."""
import pytest

from ocs_toolbox.core import nomenclature as nom


@pytest.mark.parametrize("raw, expected", [
    ("CS1.1.1", "CS1.1.1"), (" cs 1.1.1 ", "CS1.1.1"), ("CS 1,1,1", "CS1.1.1"), ("us5.1.1.", "US5.1.1"),
    ("US235", "US235"), ("CS1.1.1.1", "CS1.1.1.1"), ("", None), ("   ", None), (None, None), ("xx", "XX"),
])
def test_normalise_code(raw, expected):
    assert nom.normalise_code(raw) == expected


def test_ocsge_counts():
    ocsge = nom.get_nomenclature(nom.OCSGE)
    assert len(ocsge.leaves("cs")) == 14
    assert len(ocsge.leaves("us")) == 20
    assert ocsge.cs["CS1.1.1.1"].label == "Zones bâties"
    assert ocsge.cs["CS1.1.1.1"].colour == "#FF377A"
    assert ocsge.ancestor("cs", "CS1.1.1.2", 2).code == "CS1.1"
    assert ocsge.ancestor("us", "US5", 3).code == "US5"   # a level-1 leaf stays itself


def test_ocs2d_2021_counts():
    ocs2d = nom.get_nomenclature(nom.OCS2D_2021)
    assert len(ocs2d.leaves("cs")) == 33
    assert len(ocs2d.leaves("us")) == 53
    assert ocs2d.cs["CS5.2.0"].label == "Vignes"
    assert ocs2d.us["US6.2"].level == 2
    assert ocs2d.ancestor("us", "US6.2.3", 1).code == "US6"
    assert ocs2d.cs["CS4.1"].colour == "#38A800"


def test_legacy_npdc():
    legacy = nom.get_nomenclature(nom.OCS2D_NPDC)
    assert legacy.cs["CS5.2.0"].label == "Landes"
    assert "CS2.1.3" not in legacy.cs and "US2.1.4" not in legacy.us
    mapping = nom.legacy_to_2021()
    assert mapping["cs"]["CS5.2.2"] == "CS5.1.2"
    assert mapping["cs"]["CS2.2.0"] == "CS2.2.2"
    assert mapping["us"]["US6.2.1"] == "US6.2.1"


def test_lookup_is_complete_and_consistent():
    lookup = nom.ocs2d_lookup()
    ocs2d = nom.get_nomenclature(nom.OCS2D_2021)
    pairs = {(c.code, u.code) for c in ocs2d.leaves("cs") for u in ocs2d.leaves("us")}
    assert len(lookup) == 1749
    assert set(lookup) == pairs
    for pair, row in lookup.items():
        assert row.p4 in (1, 2, 3, 4), pair
        assert row.p21 is None or 1 <= row.p21 <= 21, pair
        assert row.enaf in nom.ENAF_CODES, pair
        assert row.naf == nom.enaf_family(row.enaf), pair
    rules = {}
    for row in lookup.values():
        rules[row.spatial_rule] = rules.get(row.spatial_rule, 0) + 1
    assert rules == {None: 1672, "agri_structure_near_envelope": 44, "us7_near_urban": 33}


def test_lookup_known_cells():
    lookup = nom.ocs2d_lookup()
    assert (lookup[("CS1.1.1", "US5.1.1")].p4, lookup[("CS1.1.1", "US5.1.1")].p21) == (1, 1)
    assert lookup[("CS6.3.0", "US1.1.3")].enaf == "A"
    assert lookup[("CS4.1.2", "US1.2.4")].enaf == "F"
    row = lookup[("CS1.2.1", "US7.0.0")]
    assert (row.p4, row.p21, row.enaf, row.spatial_rule) == (3, 21, "N", "us7_near_urban")
    assert (row.p4_near, row.p21_near, row.enaf_near) == (1, 13, "Ua")
    assert lookup[("CS1.1.1", "US1.1.7")].enaf_near == "Ue"


def test_artif_matrix():
    matrix = nom.artif_matrix()
    assert len(matrix) == 14 * 20
    assert matrix[("CS1.1.2.1", "US1.3")] == 0          # extraction en exploitation
    assert matrix[("CS1.1.2.1", "US1.1")] == 1
    assert matrix[("CS2.2.1", "US5")] == 1              # herbacé à usage résidentiel
    assert matrix[("CS2.2.1", "US1.1")] == 0
    assert matrix[("CS2.2.1", "US6.2")] == 1            # en état d'abandon (category 5)
    assert matrix[("CS2.1.1.1", "US5")] == 0            # boisé en ville
    assert sum(matrix.values()) == 4 * 20 - 1 + 2 * 13


def test_crosswalk():
    crosswalk = nom.ocs2d_to_ocsge()
    assert crosswalk["cs"]["CS6.3.0"] == "CS2.2.1"
    assert crosswalk["cs"]["CS4.4.0"] == "CS2.1.1.1"
    assert crosswalk["us"]["US2.2.0"] == "US3"
    assert len(crosswalk["cs"]) == 33 and len(crosswalk["us"]) == 53
    assert nom.artif_crosswalk_choices()["US6.2.3"][0] == "US1.1"


def test_derived_classes():
    assert list(nom.derived_classes("p4")) == [1, 2, 3, 4]
    assert len(nom.derived_classes("p21")) == 21
    assert nom.derived_classes("enaf")["Ue"].label == "Activité"
    assert nom.enaf_family("Ua") == "Non-NAF"


def test_lookup_agrees_with_the_published_enaf_matrix():
    """Cross-check with the CoTech matrix of 27/11/2024 as published (an independent table): every one of the
    1,749 cells, including the ▲ cells (enveloppe urbaine rule) and the ◆ cells (decided by 4 postes)."""
    by_p4 = {1: "Ua", 2: "A", 3: "N", 4: "Ui"}
    lookup = nom.ocs2d_lookup()
    checked = {"plain": 0, "▲": 0, "◆": 0}
    for row in nom.read_table("matrices/ocs2d_enaf_cotech_2024-11-27.csv"):
        us = row.pop("us").strip()
        for cs, cell in row.items():
            cell = cell.strip()
            entry = lookup[(cs.strip(), us)]
            if cell == "▲":
                assert (entry.enaf, entry.spatial_rule, entry.enaf_near) == (
                    "A", "agri_structure_near_envelope", "Ue"), (cs, us)
            elif cell == "◆":
                assert entry.spatial_rule == "us7_near_urban", (cs, us)
                assert entry.enaf == by_p4[entry.p4], (cs, us)
                assert entry.enaf_near == (by_p4[entry.p4_near] if entry.p4_near else None), (cs, us)
            else:
                assert entry.enaf == cell, (cs, us)
                checked["plain"] += 1
                continue
            checked[cell] += 1
    assert checked == {"plain": 1749 - 47, "▲": 44, "◆": 3}


def test_reclassifier_reproduces_every_lookup_row():
    """The engine gives, for each of the 1,749 pairs, exactly the lookup's 4 postes, 21 postes and ENAF."""
    from ocs_toolbox.core import rules

    classifier = rules.Reclassifier(nom.OCS2D_2021, ["p4", "p21", "enaf"])
    for (cs, us), row in nom.ocs2d_lookup().items():
        values = classifier.classify(cs.lower(), " " + us).values
        assert (values[0], values[2], values[4], values[6]) == (row.p4, row.p21, row.enaf, row.naf), (cs, us)
