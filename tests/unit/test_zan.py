"""core/zan.py without QGIS: thresholds, exemptions, and the trajectory arithmetic."""
import pytest

from ocs_toolbox.core import nomenclature as nom
from ocs_toolbox.core import zan


@pytest.mark.parametrize("status,area,surrounded,built,expected", [
    (0, 1600.0, True, None, 1),        # small natural enclave in artificialised land
    (0, 2500.0, True, None, 0),        # 2,500 m² is not under the threshold
    (0, 1600.0, False, None, 0),       # touches the edge of the layer
    (1, 1600.0, True, None, 0),        # small artificialised enclave, not built
    (1, 1600.0, True, 50.0, 1),        # built, 50 m²: stays
    (1, 1600.0, True, 49.9, 0),        # built, under 50 m²
    (1, 3000.0, True, None, 1),        # large enough
])
def test_threshold_status(status, area, surrounded, built, expected):
    assert zan.threshold_status(status, area, surrounded, built) == expected


def test_threshold_status_custom_values():
    assert zan.threshold_status(0, 900.0, True, None, other_min=1000.0) == 1
    assert zan.threshold_status(1, 900.0, True, 150.0, built_min=200.0, other_min=1000.0) == 0


def test_patches_union_find():
    patches = zan.Patches()
    for item in "abcde":
        patches.add(item)
    patches.union("a", "b")
    patches.union("c", "d")
    patches.union("b", "d")
    assert sorted(sorted(g) for g in patches.groups()) == [["a", "b", "c", "d"], ["e"]]


def test_built_and_exemptions():
    assert zan.is_built(nom.OCSGE, "CS1.1.1.1") and not zan.is_built(nom.OCSGE, "CS1.1.1.2")
    assert zan.is_built(nom.OCS2D_2021, "CS1.1.1") and not zan.is_built(nom.OCS2D_2021, "CS1.1.2")
    assert zan.exemption(nom.OCS2D_2021, "CS6.1.1", "US3.2.1", parks=True) == "parc"
    assert zan.exemption(nom.OCS2D_2021, "CS6.1.1", "US3.2.1", parks=False) is None
    assert zan.exemption(nom.OCS2D_2021, "CS1.1.2", "US3.2.1", parks=True) is None      # paved square
    assert zan.exemption(nom.OCS2D_2021, "CS6.6.0", "US2.1.4", pv=True) == "pv"
    assert zan.exemption(nom.OCS2D_2021, "CS4.1.2", "US2.1.4", pv=True) is None         # PV in a forest counts
    assert zan.exemption(nom.OCS2D_2021, "CS6.6.0", "US2.1.1", photovoltaic=True, pv=True) == "pv"
    assert zan.exemption(nom.OCSGE, "CS2.2.1", "US3", parks=True, pv=True) is None


def test_reference_estimate_exact_period():
    assert zan.reference_estimate({("2011", "2021"): 12.0}) == (12.0, "observé 2011-2021")


def test_reference_estimate_prorata():
    value, method = zan.reference_estimate({("2005", "2015"): 5.0, ("2015", "2021"): 1.0})
    assert value == pytest.approx(0.5 * 4 + 1.0)
    assert method == "estimé au prorata des périodes 2005-2015 (4 ans), 2015-2021 (6 ans)"


def test_reference_estimate_partial_cover_and_nearest():
    value, method = zan.reference_estimate({("2018", "2021"): 1.5})
    assert value == pytest.approx(5.0)
    assert method.endswith("7 ans hors millésimes au taux moyen de ces périodes")
    value, method = zan.reference_estimate({("2021", "2024"): 3.0})
    assert value == pytest.approx(10.0)
    assert method == "estimé au taux annuel de la période la plus proche 2021-2024 (1.0000 ha/an)"
    assert zan.reference_estimate({}) == (None, "aucune période mesurée")


def test_since_allowance_remaining():
    assert zan.since({("2015", "2021"): 6.0}) == (None, "aucun millésime après 2021")
    assert zan.since({("2021", "2024"): 3.0}) == (3.0, "observé 2021-2024")
    value, method = zan.since({("2018", "2024"): 6.0})
    assert value == pytest.approx(3.0) and method == "observé 2018-2024 (prorata 3/6)"
    assert zan.allowance(10.0) == 5.0
    assert zan.allowance(10.0, 60.0) == pytest.approx(4.0)
    assert zan.allowance(None) is None
    assert zan.remaining(5.0, 6.5) == -1.5
    assert zan.remaining(0.0, None) == 0.0
