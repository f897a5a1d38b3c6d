"""Field, vintage and nomenclature detection on every pattern."""
import pytest

from ocs_toolbox.core import detection as d
from ocs_toolbox.core import nomenclature as nom

V = d.VintageFields


def test_ocs2d_two_digit_fields():
    found, millesime = d.detect_vintage_fields(["fid", "cs05", "us05", "cs15", "us15", "cs21", "us21", "surf_m2"])
    assert found == [V("2005", "cs05", "us05", "ocs2d"), V("2015", "cs15", "us15", "ocs2d"),
                     V("2021", "cs21", "us21", "ocs2d")]
    assert millesime is None


def test_ocs2d_upper_case_and_incomplete_pairs():
    found, _ = d.detect_vintage_fields(["CS10", "US10", "cs21"])   # cs21 alone is not a vintage
    assert found == [V("2010", "CS10", "US10", "ocs2d")]


def test_ocs2d_level3_fields():
    found, _ = d.detect_vintage_fields(["cs1_2021", "cs3_2021", "us3_2021", "libcs3_2021"])
    assert found == [V("2021", "cs3_2021", "us3_2021", "ocs2d_level3")]


def test_two_digit_preferred_over_level3_same_year():
    found, _ = d.detect_vintage_fields(["cs21", "us21", "cs3_2021", "us3_2021"])
    assert found == [V("2021", "cs21", "us21", "ocs2d")]


def test_ign_change_fields():
    found, _ = d.detect_vintage_fields(["CS_2018", "US_2018", "CS_2021", "US_2021", "ID"])
    assert found == [V("2018", "CS_2018", "US_2018", "ign_change"), V("2021", "CS_2021", "US_2021", "ign_change")]
    found, _ = d.detect_vintage_fields(["cs_apres", "cs_avant", "us_avant", "us_apres"])
    assert [f.vintage for f in found] == ["avant", "apres"]
    assert found[0].cs_field == "cs_avant"


@pytest.mark.parametrize("names, cs, us", [
    (["ID", "CODE_CS", "CODE_US", "MILLESIME"], "CODE_CS", "CODE_US"),
    (["id", "code_cs", "code_us", "millesime"], "code_cs", "code_us"),
    (["couverture", "usage", "annee"], "couverture", "usage"),
])
def test_ocsge_fields(names, cs, us):
    found, millesime = d.detect_vintage_fields(names)
    assert found == [V(None, cs, us, "ocsge")]
    assert millesime == names[-1]


def test_nothing_found():
    assert d.detect_vintage_fields(["a", "b"]) == ([], None)


def test_parse_vintages():
    assert d.parse_vintages("2015,2021") == ["2015", "2021"]
    assert d.parse_vintages(" 05; 21 ") == ["2005", "2021"]
    assert d.parse_vintages("") == []
    assert d.parse_vintages(None) == []
    with pytest.raises(ValueError):
        d.parse_vintages("2015,abc")


def test_two_digit_year():
    assert d.two_digit_year("05") == "2005"
    assert d.two_digit_year("98") == "1998"


def test_detect_nomenclature():
    assert d.detect_nomenclature({"CS1.1.1.1"}, {"US5"}) == nom.OCSGE
    assert d.detect_nomenclature({"CS2.2.1"}, {"US1.1"}) == nom.OCSGE
    assert d.detect_nomenclature({"CS1.1.1", "CS6.3.0"}, {"US5.1.1", "US1.1.3"}) == nom.OCS2D_2021
    assert d.detect_nomenclature({"CS5.2.1", "CS1.1.1"}, {"US5.1.1"}) == nom.OCS2D_NPDC
    assert d.detect_nomenclature(set(), set(), "ocsge") == nom.OCSGE
    assert d.detect_nomenclature({None}, {None}) == nom.OCS2D_2021
