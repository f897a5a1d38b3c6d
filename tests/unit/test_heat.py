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


def test_grid_steps():
    assert heat.grid_steps(100.0, 5.0, 20.0) == (20, 4)
    assert heat.grid_steps(60.0, 5.0, 20.0) == (12, 4)
    assert heat.grid_steps(50.0, 5.0, 20.0) is None        # 10 pixels: not a multiple of the 4-pixel coarse cell
    assert heat.grid_steps(100.0, 3.0, 20.0) is None       # 33.3 pixels
    assert heat.grid_steps(100.0, 25.0, 20.0) == (4, 1)     # coarse step = the pixel when RESOLUTION ≥ 20 m


def test_coarse_histogram_block_sums_and_minimum():
    classes = numpy.array([[1, 1, 2, 0],
                           [1, 3, 2, 2],
                           [0, 0, 1, 1],
                           [0, 2, 1, 1]], dtype=numpy.uint8)
    keys = heat.coarse_keys(4, 4, 2, 4)
    histogram = heat.coarse_histogram(classes, keys, 2, 4)
    assert histogram.shape == (2, 2, 4) and histogram.dtype == numpy.uint8
    assert histogram[0, 0].tolist() == [0, 3, 0, 1]
    assert histogram[0, 1].tolist() == [1, 0, 3, 0]
    assert histogram[1, 0].tolist() == [3, 0, 1, 0]
    assert histogram[1, 1].tolist() == [0, 4, 0, 0]
    assert heat.block_sum(histogram, 2).tolist() == [[[4, 7, 4, 1]]]
    assert heat.block_min(numpy.array([[5.0, 3.0], [numpy.inf, 7.0]]), 2).tolist() == [[3.0]]


def test_cooled_block_sums_equal_the_per_pixel_formula():
    """Σ over a cell's pixels of H = 1 − max(1 − h, CC·f) = Σ_c n_c · min(h_c, 1 − CC·f), per coarse cell."""
    h = numpy.array([0.0, 1.0, 0.45, 0.1])
    histogram = numpy.array([[[2, 1, 1, 0], [0, 0, 0, 4]]], dtype=numpy.uint8)     # 1 × 2 coarse cells
    distance = numpy.array([[300.0 * math.log(2.0), numpy.inf]], dtype=numpy.float32)  # factor 0.5, then none
    (sums,), cooling = heat.cooled_block_sums(histogram, distance, 300.0, [h], 1)
    expected = sum(heat.final_index(h[c], 0.5) for c in (1, 2))  # one pixel of class 1, one of class 2
    assert sums[0, 0] == pytest.approx(expected, rel=1e-6) == pytest.approx(0.6 + 0.45, rel=1e-6)
    assert sums[0, 1] == pytest.approx(0.4)
    assert cooling.ravel().tolist() == pytest.approx([2 * 0.5, 0.0], rel=1e-6)     # 2 covered pixels × 0.5
    (whole,), cooling = heat.cooled_block_sums(histogram.reshape(1, 2, 4).repeat(2, axis=0), distance.repeat(2, axis=0),
                                               300.0, [h], 2)
    assert whole.shape == (1, 1) and whole[0, 0] == pytest.approx(2 * (0.6 + 0.45 + 0.4), rel=1e-6)


def test_classes_of_matches_classe_and_ignores_summation_noise():
    scores = numpy.array([0.0, 19.99, 20.0, 40.0, 59.5, 60.0, 80.0, 79.99999999999969, 80.5, 100.0, numpy.nan])
    assert heat.classes_of(scores) == [heat.classe(float(s)) for s in scores]
    assert heat.classe(79.99999999999969) == heat.classe(80.0) == "participe fortement à la surchauffe"
    assert heat.classes_of(numpy.array([numpy.nan])) == [None]


def test_output_fields_and_delta_pairs():
    names, pairs = heat.output_fields(["2005", "2021"])
    assert pairs == [("2005", "2021")]
    assert len(names) == 2 * (len(heat.GROUPS) + 8) + 1
    assert names[0] == ("part_bati_2005", "double") and names[15] == ("classe_2005", "str")
    assert names[-1] == ("delta_score_2005_2021", "double")
    names, pairs = heat.output_fields(["2005", "2015", "2021"])
    assert pairs == [("2005", "2015"), ("2015", "2021"), ("2005", "2021")]
    assert [n for n, _k in names[-3:]] == ["delta_score_2005_2015", "delta_score_2015_2021",
                                           "delta_score_2005_2021"]
    assert heat.output_fields(["2021"])[1] == []


def test_score_columns_null_where_a_vintage_has_no_land_cover():
    """Two units; the second has no land cover in 2005: NULL (NaN, None) throughout 2005 and in the delta."""
    coefficients = heat.Coefficients(nom.OCSGE)
    n = len(coefficients.classes) + 1
    h_jour, h_nuit, _g, _grp = coefficients.arrays()
    bati = coefficients.class_id("CS1.1.1.1", "US5")
    herbe = coefficients.class_id("CS2.2.1", "US1.1")
    scores = []
    for pixels in ([(bati, 4), (herbe, 4)], [(herbe, 4)]):       # 2005: unit 0 only; 2021: both units
        counts = numpy.zeros((2, n))
        for class_id, count in pixels:
            counts[0, class_id] = count
        counts[1, herbe] = 4 if len(pixels) == 1 else 0
        sums = {"jour": counts @ h_jour, "nuit": counts @ h_nuit, "cooling": numpy.zeros(2)}
        scores.append(heat.unit_scores(counts, coefficients, sums))
    names, pairs = heat.output_fields(["2005", "2021"])
    distances = [numpy.array([50.0, numpy.inf]), numpy.array([numpy.inf, 10.0])]
    columns = heat.score_columns(scores, distances, ["2005", "2021"], pairs, numpy.array([0, 1]))
    values = dict(zip([name for name, _k in names], columns))
    assert len(columns) == len(names)
    # 2005, unit 0: half bâti (0.95 / 1.00) half herbacé (0.45 / 0.10) → 70, 55, 62.5
    assert values["score_2005"][0] == pytest.approx(62.5) and math.isnan(values["score_2005"][1])
    assert values["part_bati_2005"][0] == pytest.approx(0.5) and math.isnan(values["part_bati_2005"][1])
    assert values["classe_2005"] == ["participe moyennement à la surchauffe", None]
    assert values["dist_espace_vert_m_2005"][0] == 50.0 and math.isnan(values["dist_espace_vert_m_2005"][1])
    # 2021: both units all herbacé → 27.5; no green area near unit 0 (inf → NULL)
    assert values["score_2021"].tolist() == pytest.approx([27.5, 27.5])
    assert math.isnan(values["dist_espace_vert_m_2021"][0]) and values["dist_espace_vert_m_2021"][1] == 10.0
    assert values["delta_score_2005_2021"][0] == pytest.approx(27.5 - 62.5)
    assert math.isnan(values["delta_score_2005_2021"][1])


def test_green_blocks_and_green_cells():
    green = numpy.array([[1, 1, 0, 0],
                         [0, 0, 0, 1],
                         [1, 1, 0, 0],
                         [1, 0, 0, 0]])
    assert heat.green_blocks(green, 2).tolist() == [[True, False], [True, False]]      # 2/4, 1/4; 3/4, 0/4
    histogram = numpy.array([[[0, 2, 2], [1, 3, 0]]], dtype=numpy.uint8)              # 1 × 2 coarse cells
    is_green = numpy.array([False, False, True])                                      # class 2 is green
    cells = heat.green_cells(histogram, is_green, 2)
    assert cells.dtype == numpy.uint8 and cells.tolist() == [[1, 0]]                  # 2 of 4 pixels; 0 of 4


def test_unit_cell_pairs():
    """Coarse cells of 2 × 2 pixels; the tile starts at coarse row 1, column 0 of a 3 × 2 coarse grid, so its
    second coarse row lies beyond the grid and is left out."""
    uid = numpy.array([[1, 1, 0, 0],
                       [1, 2, 0, 3],
                       [4, 4, 5, 5],
                       [4, 4, 5, 5]])
    (low_units, low_cells), (high_units, high_cells) = heat.unit_cell_pairs(uid, 2, (1, 0), (2, 2))
    # cell numbers row × 2 + column: (1, 0) = 2 holds units 1 and 2, (1, 1) = 3 holds unit 3
    assert low_units.tolist() == [0, 2] and low_cells.tolist() == [2, 3]
    assert high_units.tolist() == [1] and high_cells.tolist() == [2]
    assert low_units.dtype == numpy.int32 and low_cells.dtype == numpy.int64


def test_class_gaps_largest_first():
    vector = numpy.array([5.0, 100.0, 0.0, 200.0, 0.0])
    burnt = numpy.array([0.0, 90.0, 0.0, 201.0, 4.0])
    gaps = heat.class_gaps(vector, burnt, ["a", "b", "c", "d"])
    # class 4 is only in the raster: gap 4 / 1e-9; class 2 is nowhere: left out
    assert [g[1] for g in gaps] == ["d", "a", "c"]
    assert gaps[1] == pytest.approx((0.1, "a", 100.0, 90.0)) and gaps[2][0] == pytest.approx(0.005)


def test_pixel_scores():
    h_jour = numpy.array([0.0, 1.0, 0.45])
    h_nuit = numpy.array([0.0, 0.9, 0.15])
    classes = numpy.array([[0, 1, 2, 1, 2]], dtype=numpy.uint8)
    factor = numpy.array([[0.0, 0.0, 0.0, 1.0, 0.5]])
    # no class: 255; asphalt 95; a class at 0.45 / 0.15 → 30; asphalt at a park's edge: 1 − 0.8 by day and night
    # → 20; the same class cooled by half: 1 − max(0.55, 0.4) = 0.45 by day, 1 − max(0.85, 0.4) = 0.15 → 30
    assert heat.pixel_scores(classes, factor, h_jour, h_nuit).tolist() == [[255, 95, 30, 20, 30]]
