"""core/thresholds.py without QGIS: the thresholds of décret 2023-1096 on patch graphs built by hand.

Fids 1–9 are small polygons (under 2,500 m²), fids 100+ large ones (5,000 m²). ``graph()`` makes the touching
relation symmetric and lists the neighbours of the small polygons only, as the engine does.
"""
import pytest

from ocs_toolbox.core import thresholds as th

BIG = 5000.0


def graph(areas, edges, exposed=()):
    """PatchGraph of {fid: m²} and [(a, b)] touching pairs; ``exposed`` fids touch the edge of the layer."""
    touching = {fid: [] for fid, area in areas.items() if area < 2500.0}
    for a, b in edges:
        if a in touching:
            touching[a].append(b)
        if b in touching:
            touching[b].append(a)
    asked = []

    def is_exposed(fid):
        asked.append(fid)
        return fid in exposed
    result = th.PatchGraph(dict(areas), touching, is_exposed)
    result.asked = asked
    return result


def frame(centre_fids, statuses, frame_status):
    """Four large polygons 100–103 of ``frame_status`` touching every centre polygon."""
    areas = {fid: BIG for fid in (100, 101, 102, 103)}
    status = {fid: frame_status for fid in areas}
    status.update(statuses)
    edges = [(c, f) for c in centre_fids for f in areas]
    return areas, status, edges


def test_small_natural_enclave_in_artificialised_land_becomes_artificialised():
    areas, status, edges = frame([1], {1: 0}, 1)
    areas[1] = 1600.0
    outcome = th.apply(graph(areas, edges), th.VintageStatus(status))
    assert outcome.changed == {1: 1}
    assert (outcome.to_artif, outcome.area_artif, outcome.to_natural, outcome.kept_built) == (1, 1600.0, 0, 0)


def test_a_patch_of_2500_m2_is_not_under_the_threshold():
    areas, status, edges = frame([1, 2], {1: 0, 2: 0}, 1)
    areas.update({1: 1250.0, 2: 1250.0})
    outcome = th.apply(graph(areas, edges + [(1, 2)]), th.VintageStatus(status))
    assert outcome.changed == {}
    # 1,249.9 + 1,250 is under it: both become artificialised
    areas[1] = 1249.9
    outcome = th.apply(graph(areas, edges + [(1, 2)]), th.VintageStatus(status))
    assert outcome.changed == {1: 1, 2: 1}
    assert outcome.area_artif == pytest.approx(2499.9)


def test_two_small_polygons_that_do_not_touch_are_two_patches():
    areas, status, edges = frame([1, 2], {1: 0, 2: 0}, 1)
    areas.update({1: 1600.0, 2: 1600.0})
    assert th.apply(graph(areas, edges), th.VintageStatus(status)).changed == {1: 1, 2: 1}


def test_a_2000_m2_natural_patch_touching_a_large_natural_polygon_stays():
    areas, status, edges = frame([1], {1: 0}, 1)
    areas.update({1: 2000.0, 200: BIG})
    status[200] = 0
    outcome = th.apply(graph(areas, edges + [(1, 200)]), th.VintageStatus(status))
    assert outcome.changed == {}


def test_an_exposed_patch_is_not_surrounded():
    areas, status, edges = frame([1], {1: 0}, 1)
    areas[1] = 1600.0
    assert th.apply(graph(areas, edges, exposed={1}), th.VintageStatus(status)).changed == {}
    # a polygon touching nothing is exposed (the engine says so): a 40 m² building alone stays as it is
    lonely = graph({5: 40.0}, [], exposed={5})
    assert th.apply(lonely, th.VintageStatus({5: 1}, built={5: 40.0})).changed == {}


def test_a_neighbour_of_unknown_status_is_not_the_other_status():
    areas, status, edges = frame([1], {1: 0}, 1)
    areas[1] = 1600.0
    status[103] = None
    g = graph(areas, edges)
    assert th.apply(g, th.VintageStatus(status)).changed == {}
    assert g.asked == []            # the costly exposure test is not asked when the statuses already say no


def test_small_artificialised_enclave_in_fields_loses_its_status_but_not_its_large_buildings():
    # a 40 m² building (1) and its 1,500 m² yard (2), touching: one patch of 1,540 m² in fields
    areas, status, edges = frame([1, 2], {1: 1, 2: 1}, 0)
    areas.update({1: 40.0, 2: 1500.0})
    outcome = th.apply(graph(areas, edges + [(1, 2)]), th.VintageStatus(status, built={1: 40.0}))
    assert outcome.changed == {1: 0, 2: 0}
    assert (outcome.to_natural, outcome.area_natural, outcome.kept_built) == (2, 1540.0, 0)
    # a 60 m² building stays artificialised, its yard does not
    areas[1] = 60.0
    outcome = th.apply(graph(areas, edges + [(1, 2)]), th.VintageStatus(status, built={1: 60.0}))
    assert outcome.changed == {2: 0}
    assert (outcome.to_natural, outcome.area_natural, outcome.kept_built) == (1, 1500.0, 1)


def test_the_built_threshold_is_per_polygon_not_per_patch():
    # two touching 30 m² buildings (60 m² built in all) in fields: each is under 50 m², both lose their status
    areas, status, edges = frame([1, 2], {1: 1, 2: 1}, 0)
    areas.update({1: 30.0, 2: 30.0})
    outcome = th.apply(graph(areas, edges + [(1, 2)]), th.VintageStatus(status, built={1: 30.0, 2: 30.0}))
    assert outcome.changed == {1: 0, 2: 0}
    # exactly 50 m² is enough
    areas[1] = 50.0
    outcome = th.apply(graph(areas, edges + [(1, 2)]), th.VintageStatus(status, built={1: 50.0, 2: 30.0}))
    assert outcome.changed == {2: 0} and outcome.kept_built == 1


def test_a_small_artificialised_polygon_touching_a_large_artificialised_one_stays():
    # a 40 m² building next to a large road, both in fields: its patch touches a large polygon of its status
    areas, status, edges = frame([1], {1: 1}, 0)
    areas.update({1: 40.0, 200: BIG})
    status[200] = 1
    assert th.apply(graph(areas, edges + [(1, 200)]), th.VintageStatus(status, built={1: 40.0})).changed == {}


def test_an_exempted_polygon_keeps_its_status():
    # a park (exempted at step 1: status 0) of 1,600 m² in artificialised land is not made artificialised
    areas, status, edges = frame([1, 2], {1: 0, 2: 0}, 1)
    areas.update({1: 800.0, 2: 800.0})
    outcome = th.apply(graph(areas, edges + [(1, 2)]), th.VintageStatus(status, exempt={1}))
    assert outcome.changed == {2: 1} and outcome.to_artif == 1


def test_unknown_small_polygons_are_left_out():
    areas, status, edges = frame([1], {1: None}, 1)
    areas[1] = 1600.0
    assert th.apply(graph(areas, edges), th.VintageStatus(status)).changed == {}


def test_custom_thresholds():
    areas, status, edges = frame([1, 2], {1: 1, 2: 1}, 0)
    areas.update({1: 150.0, 2: 750.0})
    built = th.VintageStatus(status, built={1: 150.0})
    g = graph(areas, edges + [(1, 2)])
    assert th.apply(g, built, built_min=200.0, other_min=1000.0).changed == {1: 0, 2: 0}
    assert th.apply(g, built, built_min=100.0, other_min=1000.0).changed == {2: 0}
    assert th.apply(g, built, built_min=100.0, other_min=900.0).changed == {}    # 900 m² is not under 900


def test_patches_and_big():
    areas = {1: 100.0, 2: 100.0, 3: 100.0, 4: 100.0, 100: BIG}
    g = graph(areas, [(1, 2), (2, 3), (3, 100), (4, 100)])
    groups, big = th.patches(g, {1: 1, 2: 1, 3: 1, 4: 0, 100: 1})
    assert sorted(sorted(m) for m in groups) == [[1, 2, 3], [4]]
    assert big == {3}
