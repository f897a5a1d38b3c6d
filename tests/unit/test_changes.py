"""core/changes.py without QGIS: sides, type of change, flows, periods, matrices."""
import pytest

from ocs_toolbox.core import changes as ch
from ocs_toolbox.core import nomenclature as nom

AG = ("CS6.3.0", "US1.1.1")      # terres arables
HAB = ("CS1.1.1", "US5.1.1")
GARD = ("CS4.3.2", "US5.1.1")    # wooded garden: consumed, not artificialised
PARK = ("CS4.1.2", "US3.2.1")    # wooded park
ACT = ("CS1.1.2", "US2.1.1")


def side(target, pair, key=nom.OCS2D_2021, **kwargs):
    return ch.SideClassifier(key, target).classify(*pair, **kwargs)


def test_side_codes_and_statuses_ocs2d():
    field = side("p4", AG)
    assert (field.code, field.label, field.artif, field.enaf, field.naf) == ("2", "Espaces Agricoles", 0, "A", "NAF")
    garden = side("p21", GARD)
    assert (garden.code, garden.label, garden.artif, garden.enaf, garden.naf) == (
        "12", "Espaces végétalisés de l'habitat", 0, "Uh", "Non-NAF")
    assert side("pair", HAB).code == "CS1.1.1/US5.1.1"
    assert side("cs", HAB).code == "CS1.1.1"
    assert side("us", HAB).label == nom.get_nomenclature(nom.OCS2D_2021).us["US5.1.1"].label
    assert side("niv1", HAB).code == "CS1"
    assert ch.SideClassifier(nom.OCS2D_2021, "niv2", "pair").classify(*HAB).code == "CS1.1/US5.1"
    assert ch.SideClassifier(nom.OCS2D_2021, "ocsge", "cs").classify(*HAB).code == "CS1.1.1.1"
    assert side("artif", HAB).code == "1" and side("artif", HAB).label == "Artificialisée"
    assert side("naf", PARK).code == "NAF"
    assert side("enaf", ACT).code == "Ue"


def test_side_unknown_and_null():
    null = side("p4", (None, "US1.1.1"))
    assert (null.code, null.cs_state, null.us_state, null.artif) == (ch.UNKNOWN, "null", "ok", None)
    unknown = side("cs", ("CS9.9.9", "US1.1.1"))
    assert (unknown.code, unknown.cs_state) == (ch.UNKNOWN, "unknown")
    # a parent code is not a leaf: unknown for the comparison
    assert side("cs", ("CS1.1", "US1.1.1")).code == ch.UNKNOWN
    # normalisation of the raw value
    assert side("cs", (" cs 6.3.0 ", "US1.1.1")).code == "CS6.3.0"


def test_precomputed_values_win_and_spatial_default_flag():
    # CS1.1.1 × US1.1.1 (agricultural building) has a spatial rule: Agricole by default, Activité near the town
    building = ("CS1.1.1", "US1.1.1")
    default = side("enaf", building)
    assert (default.code, default.by_default) == ("A", True)
    near = side("enaf", building, pre_code="Ue", pre_enaf="Ue")
    assert (near.code, near.naf, near.by_default) == ("Ue", "Non-NAF", False)
    assert side("p4", building, pre_code=2.0, pre_enaf="A").code == "2"    # float from a GeoPackage integer
    assert side("p4", AG).by_default is False


def test_legacy_codes_are_recoded():
    # CS5.2.0 is "Landes" in the 2005/2015 list (recoded CS5.1.1) and "Vignes" in 2021
    legacy = ch.SideClassifier(nom.OCS2D_NPDC, "p21").classify("CS5.2.0", "US7.0.0")
    assert (legacy.code, legacy.label, legacy.enaf) == ("20", "Espaces végétalisés non boisés", "N")
    assert ch.SideClassifier(nom.OCS2D_2021, "p21").classify("CS5.2.0", "US7.0.0").code == ch.UNKNOWN


def test_ocsge_sides_and_derived_enaf():
    field = side("artif", ("CS2.2.1", "US1.1"), nom.OCSGE)
    house = side("artif", ("CS1.1.1.1", "US5"), nom.OCSGE)
    assert (field.code, field.enaf, house.code, house.enaf) == ("0", "A", "1", "Uh")
    assert ch.ocsge_enaf("CS2.1.1.1", "US1.2") == "F"
    assert ch.ocsge_enaf("CS1.1.1.2", "US4.1.1") == "Ui"
    assert ch.ocsge_enaf("CS2.2.1", "US6.6") == "N"
    assert ch.ocsge_enaf("CS1.1.1.2", "US6.6") == "Ua"
    assert ch.ocsge_enaf("CS1.1.1.1", "US235") == "Ue"
    assert ch.ocsge_enaf(None, None) is None
    with pytest.raises(ValueError):
        ch.SideClassifier(nom.OCSGE, "p4")


@pytest.mark.parametrize("before,after,expected", [
    (AG, HAB, "artificialisation"),
    (HAB, PARK, "désartificialisation"),
    (AG, GARD, "consommation ENAF"),
    (GARD, AG, "renaturation"),
    (HAB, ACT, "densification"),
    (("CS4.1.2", "US1.2.1"), AG, "mutation agricole/naturelle"),
    (AG, AG, "aucun changement"),
    ((None, None), AG, "inconnu"),
])
def test_change_type(before, after, expected):
    assert ch.change_type(side("pair", before), side("pair", after)) == expected


def test_change_type_outside_and_same_code():
    assert ch.change_type(ch.OUTSIDE_SIDE, side("pair", AG)) == "hors couverture"
    # 4 postes 1 → 1 although the land was désartificialised: the type follows the compared classes
    assert ch.change_type(side("p4", HAB), side("p4", PARK)) == "aucun changement"


def test_flow_measures():
    assert ch.flow_measures(side("p4", AG), side("p4", HAB)) == ["artif", "conso_enaf", "conso_habitat"]
    assert ch.flow_measures(side("p4", AG), side("p4", ACT)) == ["artif", "conso_enaf", "conso_activite"]
    assert ch.flow_measures(side("p4", HAB), side("p4", PARK)) == ["desartif", "renaturation"]
    assert ch.flow_measures(side("p4", AG), side("p4", GARD)) == ["conso_enaf", "conso_habitat"]
    assert ch.flow_measures(side("p4", AG), ch.OUTSIDE_SIDE) == []


def test_periods_and_years():
    assert ch.periods(["2018", "2021"]) == [("2018", "2021")]
    assert ch.periods(["2005", "2015", "2021"]) == [("2005", "2015"), ("2015", "2021"), ("2005", "2021")]
    assert ch.period_label(("2005", "2015")) == "2005-2015"
    assert ch.years_between(("2005", "2021")) == 16
    assert ch.years_between(("avant", "apres")) is None


def test_tokens_and_order():
    assert ch.field_token("CS1.1.1") == "cs1_1_1"
    assert ch.field_token("Non-NAF") == "non_naf"
    assert ch.field_token("hors couverture") == "hors_couverture"
    assert ch.order_codes(["hors couverture", "10", "2", "inconnu", "1"]) == ["1", "2", "10", "inconnu",
                                                                               "hors couverture"]
    assert ch.order_codes(["CS1.1.1.2", "CS1.1.1.1", "CS1.2"]) == ["CS1.1.1.1", "CS1.1.1.2", "CS1.2"]


def test_matrix_rows_full_and_sparse():
    cells = {("1", "2"): 3.0, ("2", "2"): 1.0}
    full = ch.matrix_rows(cells, ["1", "2", "3"], full_limit=3)
    assert len(full) == 9 and ("1", "2", 3.0) in full and ("3", "1", 0.0) in full
    sparse = ch.matrix_rows(cells, ["1", "2", "3"], full_limit=2)
    assert sparse == [("1", "1", 0.0), ("1", "2", 3.0), ("2", "2", 1.0), ("3", "3", 0.0)]


def test_transitions_totals_stocks_and_flows():
    transitions = ch.Transitions()
    period = ("2005", "2021")
    transitions.add(period, "A", side("p4", AG), side("p4", HAB), 10000.0)
    transitions.add(period, "A", side("p4", AG), side("p4", AG), 5000.0)
    transitions.add(period, "B", side("p4", HAB), side("p4", PARK), 2500.0)
    assert transitions.total(period) == 17500.0
    assert transitions.total(period, "B") == 2500.0
    assert transitions.matrix(period) == {("2", "1"): 10000.0, ("2", "2"): 5000.0, ("1", "1"): 2500.0}
    assert transitions.stocks(period, "A") == ({"2": 15000.0}, {"1": 10000.0, "2": 5000.0})
    values = ch.flow_values(transitions.zone_flows(period))
    assert (values["artif"], values["desartif"], values["artif_net"]) == (10000.0, 2500.0, 7500.0)
    assert (values["conso_enaf"], values["conso_habitat"], values["renaturation"]) == (10000.0, 10000.0, 2500.0)
    assert transitions.codes() == ["1", "2"]
    assert transitions.zones() == ["A", "B"]


def test_conserved():
    assert ch.conserved(100.0, 100.009)
    assert not ch.conserved(100.0, 100.02)
    assert ch.conserved(0.0, 0.0)
