"""Attribute rules of every target, the custom table and the enveloppe urbaine predicate."""
import pytest

from ocs_toolbox.core import nomenclature as nom
from ocs_toolbox.core import rules


def values(classifier, cs, us, vintage="2021"):
    result = classifier.classify(cs, us)
    return {f.name(vintage): v for f, v in zip(classifier.fields, result.values)}


def test_output_field_names():
    classifier = rules.Reclassifier(nom.OCS2D_2021, ["p4", "p21", "enaf"])
    assert [f.name("2021") for f in classifier.fields] == [
        "p4_2021", "p4_2021_lib", "p21_2021", "p21_2021_lib", "enaf_2021", "enaf_2021_lib", "naf_2021",
        "naf_2021_lib"]
    classifier = rules.Reclassifier(nom.OCSGE, ["niv1", "ocsge", "artif", "impermeable"])
    assert [f.name("2018") for f in classifier.fields if not f.is_label] == [
        "niv1_cs_2018", "niv1_us_2018", "ocsge_cs_2018", "ocsge_us_2018", "artif_2018", "impermeable_2018"]


def test_ocs2d_all_targets_on_habitat():
    classifier = rules.Reclassifier(nom.OCS2D_2021, list(rules.TARGETS[:-1]))
    got = values(classifier, "CS1.1.1", " us5.1.1")
    assert got["niv1_cs_2021"] == "CS1" and got["niv2_us_2021"] == "US5.1" and got["niv3_us_2021"] == "US5.1.1"
    assert got["niv1_cs_2021_lib"] == "Surfaces revêtues ou stabilisées"
    assert (got["ocsge_cs_2021"], got["ocsge_us_2021"]) == ("CS1.1.1.1", "US5")
    assert (got["p4_2021"], got["p21_2021"], got["enaf_2021"], got["naf_2021"]) == (1, 1, "Uh", "Non-NAF")
    assert got["p4_2021_lib"] == "Espaces Urbanisés"
    assert (got["artif_2021"], got["impermeable_2021"]) == (1, 1)


@pytest.mark.parametrize("cs, us, artif", [
    ("CS6.3.0", "US1.1.3", 0),   # terres arables
    ("CS6.6.0", "US6.2.3", 0),   # espaces agricoles non exploités: agriculture, not abandoned (choice)
    ("CS6.6.0", "US6.2.1", 1),   # friche économique enherbée: category 5
    ("CS1.2.1", "US1.3.1", 0),   # extraction en exploitation on mineral cover: category 6
    ("CS1.2.1", "US6.1.2", 1),   # extraction en mutation: zone en transition
    ("CS6.1.1", "US3.2.1", 1),   # parc enherbé (no exemption at matrix step)
    ("CS4.1.2", "US3.2.1", 0),   # parc boisé
    ("CS6.6.0", "US7.0.0", 0),   # usage indéterminé enherbé → US6.3
    ("CS1.1.2", "US7.0.0", 1),
    ("CS3.1.2", "US4.4.0", 0),
])
def test_ocs2d_artif_matrix_step(cs, us, artif):
    classifier = rules.Reclassifier(nom.OCS2D_2021, ["artif"])
    assert values(classifier, cs, us)["artif_2021"] == artif


def test_ocsge_targets():
    classifier = rules.Reclassifier(nom.OCSGE, ["niv2", "artif", "impermeable"])
    got = values(classifier, "CS2.2.1", "US6.2", "2018")
    assert (got["niv2_cs_2018"], got["niv2_us_2018"]) == ("CS2.2", "US6.2")
    assert (got["artif_2018"], got["impermeable_2018"]) == (1, 0)
    got = values(classifier, "CS1.1.1.2", "US4.1.1", "2018")
    assert (got["artif_2018"], got["impermeable_2018"]) == (1, 1)
    assert got["artif_2018_lib"] == "Artificialisée"


def test_ocsge_refuses_regional_targets():
    with pytest.raises(ValueError, match="OCS2D"):
        rules.Reclassifier(nom.OCSGE, ["p4"])


def test_unknown_and_null_codes():
    classifier = rules.Reclassifier(nom.OCS2D_2021, ["niv1", "p4"])
    result = classifier.classify("CS9.9.9", "US5.1.1")
    assert (result.cs_state, result.us_state) == ("unknown", "ok")
    got = dict(zip([f.name("21") for f in classifier.fields], result.values))
    assert got["niv1_cs_21"] is None and got["niv1_us_21"] == "US5" and got["p4_21"] is None
    result = classifier.classify(None, "")
    assert (result.cs_state, result.us_state) == ("null", "null")
    assert all(v is None for v in result.values)


def test_unclassified_p21_is_reported():
    classifier = rules.Reclassifier(nom.OCS2D_2021, ["p21"])
    result = classifier.classify("CS4.4.0", "US7.0.0")   # empty p21 in the published method
    assert result.values[0] is None
    assert result.unclassified == ("p21",)


def test_legacy_codes_are_recoded():
    classifier = rules.Reclassifier(nom.OCS2D_NPDC, ["niv3", "p4", "enaf", "ocsge"])
    got = values(classifier, "CS5.2.1", "US1.2.4", "2005")
    assert got["niv3_cs_2005"] == "CS5.2.1" and got["niv3_cs_2005_lib"] == "Landes sèches"
    assert got["ocsge_cs_2005"] == "CS2.1.2"                      # landes → arbustif, not vignes
    modern = rules.Reclassifier(nom.OCS2D_2021, ["p4", "enaf"])
    assert (got["p4_2005"], got["enaf_2005"]) == tuple(modern.classify("CS5.1.1", "US1.2.4").values[::2][:2])


def test_near_values():
    classifier = rules.Reclassifier(nom.OCS2D_2021, ["p4", "p21", "enaf"])
    result = classifier.classify("CS6.6.0", "US7.0.0")
    assert result.spatial_rule == "us7_near_urban"
    near = dict(zip([f.name("21") for f in classifier.fields], classifier.near_values(result)))
    assert (near["p4_21"], near["p21_21"], near["enaf_21"], near["naf_21"]) == (1, 14, "Ua", "Non-NAF")
    assert near["enaf_21_lib"] == "Urbanisé autre"
    result = classifier.classify("CS1.1.1", "US1.1.7")
    near = dict(zip([f.name("21") for f in classifier.fields], classifier.near_values(result)))
    assert (near["p4_21"], near["enaf_21"], near["naf_21"]) == (result.values[0], "Ue", "Non-NAF")


def test_custom_table_specificity():
    table = rules.CustomTable([
        ["CS1", "artificiel", "Artificiel", "#ff0000"],
        ["CS1.1.1", "bati", "Bâti", None],
        ["US5", "habitat", "Habitat", ""],
        ["CS1.1.1/US5", "bati_hab", "Bâti d'habitat", "#aa0000"],
        ["CS6 x US1.1", "agri", "Herbacé agricole", None],
    ])
    assert table.lookup("CS1.1.1", "US5.1.1") == "bati_hab"
    assert table.lookup("CS1.1.1", "US2.1.1") == "bati"
    assert table.lookup("CS1.2.1", "US2.1.1") == "artificiel"
    assert table.lookup("CS6.3.0", "US5.2.2") == "habitat"
    assert table.lookup("CS6.3.0", "US1.1.3") == "agri"
    assert table.lookup("CS4.1.2", "US1.2.4") is None
    assert table.lookup("CS1.10", "US9") is None or table.lookup("CS1.10", "US9") == "artificiel"
    assert table.classes["bati_hab"].colour == "#aa0000"


def test_custom_table_matrix_numbers_and_errors():
    table = rules.CustomTable([["CS1.1.1", 1.0, "Bâti", None]])
    assert table.lookup("CS1.1.1", "US5") == "1"
    with pytest.raises(ValueError):
        rules.CustomTable([["ZZ1", "x", None, None]])
    with pytest.raises(ValueError):
        rules.CustomTable([[None, "x", None, None]])


@pytest.mark.parametrize("cs, us, member", [
    ("CS1.1.1", "US5.1.1", True), ("CS1.1.2", "US2.1.1", True), ("CS1.1.1", "US1.1.7", False),
    ("CS1.1.1", "US4.1.1", True), ("CS1.1.2", "US4.1.1", False), ("CS6.1.1", "US3.2.1", True),
    ("CS6.6.0", "US6.2.3", True), ("CS3.1.2", "US4.4.0", False), ("CS1.2.1", "US4.4.0", True),
    ("CS6.3.0", "US1.1.3", False), ("CS1.1.1", "US7.0.0", False), (None, "US5.1.1", False),
])
def test_ocs2d_envelope_members(cs, us, member):
    assert rules.envelope_predicate(nom.OCS2D_2021)(cs, us) is member


def test_ocsge_envelope_members():
    predicate = rules.envelope_predicate(nom.OCSGE)
    assert predicate("CS1.1.1.1", "US5") and predicate("CS2.2.1", "US235")
    assert not predicate("CS1.1.1.1", "US1.1") and not predicate("CS1.2.2", "US4.1.4")
    assert predicate("CS1.1.1.1", "US4.1.1") and not predicate("CS1.1.1.2", "US4.1.1")


def test_areas_rounded_as_postgresql_rounds_them():
    # ROUND((area / 10000)::numeric, 2): half away from zero on the decimal value with 15 significant digits
    assert rules.sql_round_ha(99950.0) == 10.0          # 9.995 → 10.00 (a binary float would give 9.99)
    assert rules.sql_round_ha(99949.99) == 9.99
    assert rules.sql_round_ha(123456.0) == 12.35        # 12.3456
    assert rules.sql_round_ha(5.0) == 0.0               # 0.0005 → 0.00


def test_envelope_blocks_kept_on_their_rounded_area():
    assert rules.envelope_block_kept(99980.28, 100000.0)           # 9.998 ha → 10.00
    assert rules.envelope_block_kept(99950.0, 100000.0)            # 9.995 ha → 10.00
    assert not rules.envelope_block_kept(99949.0, 100000.0)        # 9.9949 ha → 9.99
    assert rules.envelope_block_kept(73000.0, 73000.0)             # a minimum of 7.3 ha given by the user
    assert rules.envelope_smallest_block_m2(100000.0) == pytest.approx(99950.0)
    assert rules.envelope_smallest_block_m2(0.0) == 0.0


def test_envelope_pieces_under_the_minimum_dropped_unless_none_reaches_it():
    assert rules.envelope_parts_kept([150000.0, 60000.0, 100000.0], 100000.0) == [0, 2]
    # the script's phase 2.5 has no row for a block none of whose pieces reaches 10 ha: it keeps them all
    assert rules.envelope_parts_kept([60000.0, 60000.0], 100000.0) == [0, 1]
    assert rules.envelope_parts_kept([99980.0], 100000.0) == [0]
