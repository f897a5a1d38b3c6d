"""core/heat.py without QGIS: coefficients, class look-up, cooling, classes, unit scores."""
import math

import numpy
import pytest

from ocs_toolbox.core import heat
from ocs_toolbox.core import nomenclature as nom


def test_class_lookup_both_nomenclatures():
    ge = heat.Coefficients(nom.OCSGE)
    keys = {code: ge.classes[ge.class_id(code, us) - 1].key for code, us in (
        ("CS1.1.1.1", "US5"), ("CS1.1.1.2", "US4.1.1"), ("CS2.1.1.2", "US1.2"), ("CS2.2.1", "US1.1"))}
    assert keys == {"CS1.1.1.1": "bati", "CS1.1.1.2": "impermeable", "CS2.1.1.2": "coniferes", "CS2.2.1": "herbace"}
    assert ge.classes[ge.class_id("CS2.2.1", "US3") - 1].key == "herbace_parc"
    assert ge.classes[ge.class_id("CS2.2.2", "US3") - 1].key == "non_ligneux"       # only herbace has a park twin
    assert ge.class_id(None, "US1.1") == 0 and ge.class_id("CS9", "US1.1") == 0
    d2 = heat.Coefficients(nom.OCS2D_2021)
    assert d2.classes[d2.class_id("CS6.3.0", "US1.1.1") - 1].key == "herbace"
    assert d2.classes[d2.class_id("CS6.1.1", "US3.2.1") - 1].key == "herbace_parc"
    assert d2.classes[d2.class_id("CS3.1.1", "US6.3.0") - 1].key == "eau"
    assert d2.classes[d2.class_id("CS4.4.0", "US1.1.5") - 1].key == "feuillus"      # vergers
    legacy = heat.Coefficients(nom.OCS2D_NPDC)
    assert legacy.classes[legacy.class_id("CS5.2.0", "US7.0.0") - 1].key == "arbustif"  # landes in 2005/2015


def test_overrides():
    coefficients = heat.Coefficients(nom.OCSGE, [("herbace", "0.6", None), ("CS1.1.1.2", 0.9, 0.8)])
    by_key = {c.key: c for c in coefficients.classes}
    assert (by_key["herbace"].h_jour, by_key["herbace"].h_nuit) == (0.6, 0.10)
    assert by_key["herbace_parc"].h_jour == 0.6
    assert (by_key["impermeable"].h_jour, by_key["impermeable"].h_nuit) == (0.9, 0.8)
    with pytest.raises(ValueError):
        heat.Coefficients(nom.OCSGE, [("gazon", 0.5, 0.5)])
    with pytest.raises(ValueError):
        heat.Coefficients(nom.OCSGE, [("herbace", 1.5, 0.5)])


def test_cooling_and_final_index():
    assert heat.cooling(0.0) == pytest.approx(1.0)
    assert heat.cooling(150.0) == pytest.approx(math.exp(-0.5))
    assert heat.cooling(300.0) == pytest.approx(math.exp(-1.0))
    assert heat.cooling(301.0) == 0.0
    assert heat.cooling(float("nan")) == 0.0 and heat.cooling(float("inf")) == 0.0
    assert heat.final_index(1.0, 1.0) == pytest.approx(0.2)          # asphalt in a park's reach
    assert heat.final_index(0.0, 1.0) == pytest.approx(0.0)          # trees keep their own capacity
    assert heat.final_index(0.45, 0.0) == pytest.approx(0.45)


@pytest.mark.parametrize("score,label", [
    (95.0, "participe fortement à la surchauffe"), (80.0, "participe fortement à la surchauffe"),
    (62.5, "participe moyennement à la surchauffe"), (50.0, "impact neutre"),
    (27.5, "participe au rafraîchissement"), (20.0, "participe au rafraîchissement"),
    (7.5, "refuge de fraîcheur")])
def test_classes(score, label):
    assert heat.classe(score) == label


def test_unit_scores_by_hand():
    coefficients = heat.Coefficients(nom.OCSGE)
    n = len(coefficients.classes) + 1
    counts = numpy.zeros((2, n))
    bati = coefficients.class_id("CS1.1.1.1", "US5")
    herbe = coefficients.class_id("CS2.2.1", "US1.1")
    counts[0, bati], counts[0, herbe], counts[0, 0] = 2, 2, 4        # half covered, half bâti half herbacé
    h_jour, h_nuit, _g, _grp = coefficients.arrays()
    sums = {"jour": numpy.array([2 * h_jour[bati] + 2 * h_jour[herbe], 0.0]),
            "nuit": numpy.array([2 * h_nuit[bati] + 2 * h_nuit[herbe], 0.0]), "cooling": numpy.zeros(2)}
    scores = heat.unit_scores(counts, coefficients, sums)
    assert scores["covered"][0] == 4
    assert (scores["h_jour"][0], scores["h_nuit"][0]) == pytest.approx((0.70, 0.55))
    assert scores["score"][0] == pytest.approx(62.5)
    assert (scores["shares"]["bati"][0], scores["shares"]["herbacee"][0]) == pytest.approx((0.5, 0.5))
    assert math.isnan(scores["score"][1])
