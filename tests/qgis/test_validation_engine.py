"""engines/validation.py called directly: a clean layer that yields no problem, then the same layer with exactly
one known problem of each kind, a multi-date OCS2D layout, and the real OCS GE extract.

The clean layer: a 3 × 3 grid of 100 m squares (10,000 m² each) in Lambert-93, OCS GE codes as a checkerboard
(herbaceous agriculture where column + row is even, residential buildings where it is odd), so that no two
neighbours have the same codes and every square is far above the minimum mapping unit.
"""
import os

import pytest
from qgis.core import QgsGeometry, QgsProcessingContext, QgsProcessingFeatureSource, QgsProject, QgsVectorLayer

from helpers import X0, Y0, Feedback, box, make_layer

from ocs_toolbox.engines import landcover
from ocs_toolbox.engines import validation as engine

FIELD = ("CS2.2.1", "US1.1")
HOUSE = ("CS1.1.1.1", "US5")
FOREST = ("CS2.1.1.1", "US1.2")
FIELDS = [("CODE_CS", "string"), ("CODE_US", "string"), ("MILLESIME", "string")]
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                    "ocsge_d062_2018_metaleurop.gpkg")


@pytest.fixture
def context():
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return context


def grid(changes=None, extra=()):
    """The 9 squares (fid = 1 + 3 × row + column) with ``changes`` {(column, row): (wkt or None, cs, us)}, then
    the ``extra`` rows (wkt, cs, us)."""
    rows = []
    for r in range(3):
        for c in range(3):
            wkt, codes = box(100 * c, 100 * r, 100 * c + 100, 100 * r + 100), (FIELD if (c + r) % 2 == 0 else HOUSE)
            if changes and (c, r) in changes:
                wkt, *codes = changes[(c, r)]
            rows.append((wkt,) + tuple(codes) + ("2018",))
    rows += [(wkt, cs, us, "2018") for wkt, cs, us in extra]
    return make_layer(FIELDS, rows)


def ring(points):
    """A polygon of (x, y) offsets from the fixtures' origin."""
    return "POLYGON((%s))" % ",".join("%f %f" % (X0 + x, Y0 + y) for x, y in points)


class ListSink:
    def __init__(self):
        self.features = []

    def addFeature(self, feature, flags=None):  # noqa: N802
        self.features.append(feature)
        return True


def check(layer, context, territory=None, checks=engine.val.CHECKS, vintages="2018", nomenclature=3,
          min_area_m2=None):
    """(problems as dicts, ValidationResult, feedback)."""
    source = QgsProcessingFeatureSource(layer, context)   # ``layer`` outlives it: held until the end
    feedback = Feedback()
    cover = landcover.open_land_cover(source, context, feedback, vintages=vintages, nomenclature=nomenclature)
    sink = ListSink()
    emitter = engine.Emitter(sink)
    options = engine.ValidationOptions(tuple(checks), min_area_m2, territory)
    result = engine.validate(cover, options, emitter, feedback)
    problems = []
    for feature in sink.features:
        row = dict(zip(feature.fields().names(), feature.attributes()))
        row["geometry"] = feature.geometry()
        problems.append(row)
    return problems, result, feedback


def kinds(problems):
    return sorted(p["controle"] for p in problems)


def test_clean_layer_yields_no_problem(context):
    problems, result, _feedback = check(grid(), context)
    assert problems == []
    assert result.territory_m2 == pytest.approx(90000.0)
    assert result.excess_m2 == pytest.approx(0.0, abs=1e-6)
    assert [(r.controle, r.nombre, r.surface_m2) for r in result.summary] == [("total", 0, 0.0)]


def test_invalid_geometry_is_a_marker_at_the_self_intersection(context):
    # a bow tie 1 km away: two triangles of 2,500 m², crossing at (1050, 50)
    bowtie = ring([(1000, 0), (1100, 100), (1100, 0), (1000, 100), (1000, 0)])
    problems, result, _f = check(grid(extra=[(bowtie,) + FIELD]), context)
    assert kinds(problems) == ["geometrie_invalide"]
    problem = problems[0]
    assert (problem["fid_source"], problem["gravite"]) == (10, "erreur")
    assert problem["surface_m2"] == pytest.approx(5000.0)
    centre = problem["geometry"].boundingBox().center()
    assert (centre.x() - X0, centre.y() - Y0) == (pytest.approx(1050.0), pytest.approx(50.0))
    assert result.excess_m2 == pytest.approx(0.0, abs=1e-6)     # the repaired copy overlaps nothing


def test_empty_geometry(context):
    problems, _r, _f = check(grid(extra=[("",) + FIELD]), context)
    assert [(p["controle"], p["fid_source"], p["surface_m2"]) for p in problems] == [("geometrie_vide", 10, 0.0)]


def test_duplicate_is_one_doublon_and_no_overlap_nor_neighbour(context):
    problems, result, _f = check(grid(extra=[(box(0, 0, 100, 100),) + FIELD]), context)
    assert [(p["controle"], p["fid_source"], p["surface_m2"]) for p in problems] == [("doublon", 10, 10000.0)]
    assert "1" in problems[0]["message"]
    assert result.excess_m2 == pytest.approx(10000.0)


def test_overlap_of_two_squares(context):
    # the top-right square starts 10 m to the left: 10 m × 100 m = 1,000 m² over the top-middle square
    problems, result, _f = check(grid({(2, 2): (box(190, 200, 300, 300),) + FIELD}), context)
    assert [(p["controle"], p["fid_source"], p["surface_m2"]) for p in problems] == [
        ("chevauchement", 8, pytest.approx(1000.0))]
    assert problems[0]["geometry"].area() == pytest.approx(1000.0)
    assert "8 and 9" in problems[0]["message"]
    assert result.excess_m2 == pytest.approx(1000.0)


def test_gap_in_the_middle(context):
    # the centre square shrinks to 80 m × 80 m: a frame of 10,000 − 6,400 = 3,600 m² covered by nothing
    problems, result, _f = check(grid({(1, 1): (box(110, 110, 190, 190),) + FIELD}), context)
    assert [(p["controle"], p["gravite"], p["fid_source"]) for p in problems] == [("trou", "avertissement", None)]
    assert problems[0]["surface_m2"] == pytest.approx(3600.0)
    assert result.territory_m2 == pytest.approx(90000.0)
    gap = [r for r in result.summary if r.controle == "trou"][0]
    assert gap.part_territoire_pct == pytest.approx(4.0)


def test_gap_inside_a_territory(context):
    # the territory reaches 10 m above the grid: a 300 m × 10 m strip, 3,000 m², of a 93,000 m² territory
    territory = QgsGeometry.fromWkt(box(0, 0, 300, 310))
    problems, result, _f = check(grid(), context, territory=territory)
    assert [(p["controle"], p["surface_m2"]) for p in problems] == [("trou", pytest.approx(3000.0))]
    assert result.territory_m2 == pytest.approx(93000.0)


def test_missing_and_unknown_codes(context):
    problems, _r, _f = check(grid({(0, 0): (box(0, 0, 100, 100), "CS2.2.1", None),
                                   (2, 0): (box(200, 0, 300, 100), "CS9.9", "US1.1")}), context)
    assert [(p["controle"], p["fid_source"], p["millesime"], p["surface_m2"]) for p in problems] == [
        ("code_manquant", 1, "2018", 10000.0), ("code_inconnu", 3, "2018", 10000.0)]
    assert "CS9.9" in problems[1]["message"]


def test_incompatible_pair(context):
    problems, _r, _f = check(grid({(1, 1): (box(100, 100, 200, 200), "CS1.2.2", "US1.2")}), context)
    assert [(p["controle"], p["gravite"], p["fid_source"], p["code_cs"], p["code_us"]) for p in problems] == [
        ("couple_incompatible", "erreur", 5, "CS1.2.2", "US1.2")]


def test_identical_neighbours_are_one_group(context):
    # squares 1 and 2 (bottom left and bottom middle) both forest: one group of 20,000 m²
    problems, _r, _f = check(grid({(0, 0): (box(0, 0, 100, 100),) + FOREST,
                                   (1, 0): (box(100, 0, 200, 100),) + FOREST}), context)
    assert [(p["controle"], p["fid_source"], p["surface_m2"]) for p in problems] == [
        ("voisins_identiques", 1, 20000.0)]
    assert problems[0]["geometry"].area() == pytest.approx(20000.0)


def test_two_groups_of_the_same_codes_get_their_own_union(context):
    # forest on squares 1 + 2 (bottom row) and 7 + 8 (top row): two groups, dissolved together, given back apart
    problems, _r, _f = check(grid({(0, 0): (box(0, 0, 100, 100),) + FOREST, (1, 0): (box(100, 0, 200, 100),) + FOREST,
                                   (0, 2): (box(0, 200, 100, 300),) + FOREST,
                                   (1, 2): (box(100, 200, 200, 300),) + FOREST}), context)
    assert [(p["controle"], p["fid_source"], p["surface_m2"]) for p in problems] == [
        ("voisins_identiques", 1, 20000.0), ("voisins_identiques", 7, 20000.0)]
    for problem, bottom in zip(problems, (0, 200)):
        geometry = problem["geometry"]
        assert geometry.isGeosValid() and geometry.area() == pytest.approx(20000.0)
        assert geometry.boundingBox().yMinimum() - Y0 == pytest.approx(bottom)
        assert len(geometry.asMultiPolygon()) == 1 and len(geometry.asMultiPolygon()[0][0]) == 7  # 6 vertices


def test_polygon_under_the_minimum_mapping_unit(context):
    # the top-right square is cut into a 10 m × 10 m forest corner (100 m² < 500 m²) and the rest
    rest = ring([(210, 200), (300, 200), (300, 300), (200, 300), (200, 210), (210, 210), (210, 200)])
    problems, _r, _f = check(grid({(2, 2): (rest,) + FIELD}, extra=[(box(200, 200, 210, 210),) + FOREST]),
                             context)
    assert [(p["controle"], p["fid_source"], p["surface_m2"], p["code_cs"]) for p in problems] == [
        ("sous_unite_minimale", 10, 100.0, "CS2.1.1.1")]
    assert "500" in problems[0]["message"]
    # MIN_AREA_M2 = 50: nothing under it
    assert check(grid({(2, 2): (rest,) + FIELD}, extra=[(box(200, 200, 210, 210),) + FOREST]), context,
                 min_area_m2=50.0)[0] == []


def test_every_check_can_be_left_out(context):
    bad = grid({(0, 0): (box(0, 0, 100, 100), "CS2.2.1", None)})
    assert check(bad, context, checks=("geometry", "coverage"))[0] == []


# -- multi-date OCS2D ---------------------------------------------------------------------------------------------

def test_transitions_and_oscillations_on_a_multi_date_layer(context):
    built, forest, field, meadow = ("CS1.1.1", "US5.2.2"), ("CS4.1.2", "US1.2.4"), ("CS6.3.0", "US1.1.3"), \
        ("CS6.1.1", "US1.1.1")
    fields = [(n, "string") for n in ("cs05", "us05", "cs15", "us15", "cs21", "us21")]
    layer = make_layer(fields, [
        (box(0, 0, 100, 100),) + built + forest + forest,       # built → forest between 2005 and 2015
        (box(100, 0, 200, 100),) + field + meadow + field,      # A → B → A on couverture and usage
        (box(200, 0, 300, 100),) + field + field + field,
    ])
    problems, result, _f = check(layer, context, vintages="", nomenclature=1)
    assert [(p["controle"], p["fid_source"], p["millesime"], p["surface_m2"]) for p in problems] == [
        ("transition_improbable", 1, "2005-2015", 10000.0),
        ("oscillation", 2, "2005-2015-2021", 10000.0), ("oscillation", 2, "2005-2015-2021", 10000.0)]
    assert "bâti devenu forêt" in problems[0]["message"]
    assert [p["message"] for p in problems[1:]] == [
        "The couverture goes CS6.3.0 → CS6.1.1 → CS6.3.0 (2005, 2015, 2021).",
        "The usage goes US1.1.3 → US1.1.1 → US1.1.3 (2005, 2015, 2021)."]
    rows = {(r.controle, r.gravite): (r.nombre, r.surface_m2) for r in result.summary}
    assert rows[("oscillation", "avertissement")] == (2, 20000.0)
    assert rows[("total", "")] == (3, 30000.0)
    assert result.in_several == 1       # feature 2: two oscillations, counted in each


def test_mmu_on_a_multi_date_layer_is_per_patch_of_the_vintage(context):
    # two 10 m × 10 m squares side by side: the same couverture × usage in 2015 (a patch of 200 m² < 300 m²),
    # different in 2021 (each 100 m²), inside a large field
    fields = [(n, "string") for n in ("cs15", "us15", "cs21", "us21")]
    field, meadow, wood = ("CS6.3.0", "US1.1.3"), ("CS6.1.1", "US1.1.1"), ("CS5.1.1", "US1.2.4")
    layer = make_layer(fields, [
        (box(0, 0, 10, 10),) + meadow + meadow,
        (box(10, 0, 20, 10),) + meadow + wood,
        (ring([(20, 0), (100, 0), (100, 100), (0, 100), (0, 10), (10, 10), (20, 10), (20, 0)]),) + field + field,
    ])
    problems, _r, _f = check(layer, context, vintages="", nomenclature=1, checks=("mmu",))
    assert [(p["controle"], p["millesime"], p["fid_source"], p["surface_m2"]) for p in problems] == [
        ("sous_unite_minimale", "2015", 1, 200.0),
        ("sous_unite_minimale", "2021", 1, 100.0), ("sous_unite_minimale", "2021", 2, 100.0)]


# -- the real extract ---------------------------------------------------------------------------------------------

def test_real_extract_overlaps_and_invalid_geometries(context):
    """9 multipolygons, one per couverture code: two invalid; 25 of the 36 pairs overlap, 285.6914 ha in all
    (pairwise GEOS intersections of the repaired features: the 36 figures add up to it); the land covered more
    than once, the sum of the areas (10,077.0233 ha) less the area of their union (9,792.4546 ha), is
    284.5687 ha (some land lies in three classes); 3,118 gaps inside the outer boundary, 200.8641 ha."""
    layer = QgsVectorLayer(DATA + "|layername=occupation_sol", "metaleurop", "ogr")
    problems, result, feedback = check(layer, context, vintages="")
    rows = {r.controle: (r.nombre, r.surface_m2 / 1e4) for r in result.summary}
    # to 10 m² (0.001 ha): GEOS versions (QGIS 3.22 / 3.40 legs) may differ in the last digits of an overlay
    assert rows["geometrie_invalide"][0] == 2
    assert rows["chevauchement"] == (25, pytest.approx(285.6914, abs=1e-3))
    assert rows["trou"] == (3118, pytest.approx(200.8641, abs=1e-3))
    assert result.excess_m2 / 1e4 == pytest.approx(284.5687, abs=1e-3)
    assert set(rows) == {"geometrie_invalide", "chevauchement", "trou", "total"}
    assert rows["total"][0] == len(problems) == 2 + 25 + 3118
    assert any("284.57 ha are covered more than once" in info for info in feedback.infos)


def test_cancel_stops_without_a_result(context):
    layer = grid()
    source = QgsProcessingFeatureSource(layer, context)
    cover = landcover.open_land_cover(source, context, Feedback(), vintages="2018", nomenclature=3)
    feedback = Feedback()
    feedback.cancel()
    sink = ListSink()
    assert engine.validate(cover, engine.ValidationOptions(), engine.Emitter(sink), feedback) is None
    assert sink.features == []
