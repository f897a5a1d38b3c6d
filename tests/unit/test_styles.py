"""Style templates from the registry and field-name detection."""
import pytest

from ocs_toolbox.core import styles


def test_every_template_builds():
    for key in styles.template_keys():
        template = styles.get_template(key)
        assert template.classes, key
        for value, label, colour in template.classes:
            assert colour.startswith("#") and len(colour) == 7, (key, value)


def test_official_colours():
    p4 = {v: c for v, _l, c in styles.get_template("p4").classes}
    assert p4 == {1: "#DA9694", 2: "#FFFFCC", 3: "#C4D79B", 4: "#BFBFBF"}
    enaf = {v: c for v, _l, c in styles.get_template("enaf").classes}
    assert enaf["Uh"] == "#E370B9" and enaf["F"] == "#6DDCAA"
    cs = {v: c for v, _l, c in styles.get_template("ocsge_cs").classes}
    assert cs["CS1.1.1.1"] == "#FF377A" and cs["CS1.2.2"] == "#00CCF2"
    niv1 = {v: c for v, _l, c in styles.get_template("ocs2d_cs_niv1").classes}
    assert niv1 == {"CS1": "#FF9191", "CS2": "#FFFF73", "CS3": "#73B2FF", "CS4": "#267300", "CS5": "#89CD66",
                    "CS6": "#F4FFC7"}
    assert len(styles.get_template("ocs2d_us_niv3").classes) == 53
    assert len(styles.get_template("p21").classes) == 21


def test_ocsge_levels_keep_shallow_leaves():
    values = [v for v, _l, _c in styles.get_template("ocsge_us_niv3").classes]
    assert "US5" in values and "US4.1.1" in values and "US4.1" not in values


@pytest.mark.parametrize("name, sample, key", [
    ("p4_2021", (), "p4"), ("p21_2015", (), "p21"), ("enaf_2021", (), "enaf"), ("naf_2021", (), "naf"),
    ("urba_2021", (), "naf"), ("artif_2018", (), "artif"), ("impermeable_2021", (), "impermeable"),
    ("ocsge_cs_2021", (), "ocsge_cs"), ("CODE_CS", (), "ocsge_cs"), ("code_us", (), "ocsge_us"),
    ("cs21", ("CS1.1.1",), "ocs2d_cs_niv3"), ("us05", (), "ocs2d_us_niv3"), ("cs1_2021", (), "ocs2d_cs_niv1"),
    ("niv2_us_2021", ("US5.1",), "ocs2d_us_niv2"), ("niv2_cs_2018", ("CS1.1.1.1",), "ocsge_cs_niv2"),
    ("CS_2018", ("CS2.2.1",), "ocsge_cs"), ("p4_2021_lib", (), None), ("nom_com", (), None),
])
def test_template_for_field(name, sample, key):
    assert styles.template_for_field(name, sample) == key
