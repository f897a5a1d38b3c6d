"""The same land in Lambert-93, Web Mercator, WGS 84 and UTM 31N gives the same figures (issue #15, §3).

One small OCS2D-like territory near Lille, drawn in EPSG:2154 and transformed (helpers.make_layer), goes through
every algorithm. Over Lille, EPSG:3857 draws areas 2.47 times too large and EPSG:32631 0.42 % smaller than
Lambert-93 (the reference of metropolitan France, core/metric.py); EPSG:4326 is in degrees. All three are
measured in Lambert-93, so every figure equals the EPSG:2154 one (to 0.1 %, the reprojection moving vertices by
millimetres). The hand-computed values are checked on each CRS.
"""
import pytest
from qgis.core import QgsVectorLayer

from helpers import features_by, is_null, make_layer, run

CRSS = ("EPSG:2154", "EPSG:3857", "EPSG:4326", "EPSG:32631")
LX, LY = 704000.0, 7058000.0        # Lambert-93, Lille (3.06° E, 50.63° N)
OCS2D = [("id", "integer"), ("cs05", "string"), ("us05", "string"), ("cs15", "string"), ("us15", "string"),
         ("cs21", "string"), ("us21", "string")]
HAB = ("CS1.1.1", "US5.1.1")
FIELD = ("CS6.3.0", "US1.1.3")
US7 = ("CS1.2.1", "US7.0.0")
FARM = ("CS1.1.1", "US1.1.7")
WOOD = ("CS4.1.2", "US1.2.4")


def box(x1, y1, x2, y2):
    return "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))" % (
        LX + x1, LY + y1, LX + x2, LY + y1, LX + x2, LY + y2, LX + x1, LY + y2, LX + x1, LY + y1)


def three(*codes):
    """The same codes for 2005, 2015 and 2021, or one pair per vintage."""
    if len(codes) == 1:
        codes = codes * 3
    return tuple(v for pair in codes for v in pair)


ROWS = [
    (box(0, 0, 400, 400), 1) + three(HAB),                       # A: town, 16 ha
    (box(400, 0, 430, 100), 2) + three(US7),                     # B: US7.0.0, point-on-surface 15 m from A
    (box(430, 0, 460, 100), 3) + three(US7),                     # E: 45 m from A
    (box(430, 200, 460, 230), 4) + three(FARM),                  # F: farm building 30 m from the enveloppe
    (box(1500, 1500, 1530, 1530), 5) + three(FARM),              # H: farm building far away
    (box(0, -300, 400, 0), 6) + three(FIELD, FIELD, HAB),        # G: 12 ha of fields built on in 2015-2021
    (box(600, 0, 690, 100), 7) + three(HAB[:1] + ("US2.1.1",), HAB[:1] + ("US6.2.1",), HAB[:1] + ("US6.2.1",)),
    (box(690, 0, 740, 100), 8) + three(("CS1.1.2", "US2.1.1"), ("CS1.1.2", "US6.2.1"), ("CS1.1.2", "US6.2.1")),
    (box(800, 0, 1000, 300), 9) + three(WOOD),                   # a 6 ha wood: cools its neighbours
]
# land: 16 + 0.3 + 0.3 + 0.09 + 0.09 + 12 + 0.9 + 0.5 + 6 ha
TOTAL_HA = 36.18


def land(crs):
    return make_layer(OCS2D, ROWS, crs, name="ocs2d_lille")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """{crs: {algorithm: (results, feedback)}} of every algorithm on the land in each CRS."""
    found = {}
    for crs in CRSS:
        folder = tmp_path_factory.mktemp(crs.replace(":", "_"))
        runs = {}
        for name, parameters in (
                ("reclassify", {"TARGETS": [4, 6]}),
                ("urbanenvelope", {}),
                ("changedetection", {"TARGET": 6, "FROM_VINTAGE": "2015", "TO_VINTAGE": "2021"}),
                ("transitionmatrix", {"TARGET": 6}),
                ("territoryflows", {"TARGET": 6}),
                ("zantrajectory", {}),
                ("friches", {}),
                ("heatisland", {"VINTAGES": "2021"})):
            parameters = dict(parameters, INPUT=land(crs), OUTPUT=str(folder / ("%s.gpkg" % name)))
            runs[name] = run("ocs:" + name, parameters)
        runs["artificialisation"] = run("ocs:artificialisation", {
            "INPUT": artif_land(crs), "NOMENCLATURE": 3, "OUTPUT": str(folder / "artif.gpkg")})
        found[crs] = runs
    return found


def rows(path, key):
    return features_by(path, key)


def numbers(feature):
    """{field: value} of the numeric attributes of a feature."""
    return {name: value for name, value in zip(feature.fields().names(), feature.attributes())
            if isinstance(value, float) and not is_null(value)}


def same(a, b, rel=1e-3, abs_=1e-6):
    return a == pytest.approx(b, rel=rel, abs=abs_)


@pytest.mark.parametrize("crs", CRSS)
def test_the_log_says_where_measures_are_made(outputs, crs):
    _results, feedback = outputs[crs]["reclassify"]
    if crs == "EPSG:2154":
        assert any("measured in the layer's CRS, EPSG:2154" in m for m in feedback.infos)
    else:
        assert any(m.startswith("Areas, lengths and distances are measured in EPSG:2154") and crs in m
                   for m in feedback.infos)
    for name in ("urbanenvelope", "transitionmatrix", "heatisland", "friches"):
        assert sum("Areas, lengths and distances are measured" in m for m in outputs[crs][name][1].infos) == 1


@pytest.mark.parametrize("crs", CRSS)
def test_reclassify_spatial_rules_in_metres(outputs, crs):
    results, feedback = outputs[crs]["reclassify"]
    out = rows(results["OUTPUT"], "id")
    # B 15 m from the town: espaces urbanisés; E 45 m: not; F within 50 m of the enveloppe: Ue; H far: A
    assert {i: out[i]["p4_2021"] for i in (2, 3)} == {2: 1, 3: 3}
    assert {i: out[i]["enaf_2021"] for i in (1, 4, 5)} == {1: "Uh", 4: "Ue", 5: "A"}
    line = [m for m in feedback.infos if "ha in and out" in m][0]
    assert float(line.split(",")[1].split("ha")[0]) == pytest.approx(TOTAL_HA, rel=1e-3)
    assert QgsVectorLayer(results["OUTPUT"], "o", "ogr").crs().authid() == crs     # written in the input CRS


@pytest.mark.parametrize("crs", CRSS)
def test_urbanenvelope_areas(outputs, crs):
    results, _feedback = outputs[crs]["urbanenvelope"]
    layer = QgsVectorLayer(results["OUTPUT"], "e", "ogr")
    assert layer.crs().authid() == crs
    parts = sorted((f["millesime"], f["surface_ha"]) for f in layer.getFeatures())
    # the town (16 ha) in 2005 and 2015, the town and G (28 ha) in 2021; a few dm² cut at the corners
    assert [m for m, _s in parts] == ["2005", "2015", "2021"]
    assert [s for _m, s in parts] == pytest.approx([16.0, 16.0, 28.0], abs=1e-3)


def matrix(path):
    cells = {}
    for feature in QgsVectorLayer(path, "m", "ogr").getFeatures():
        key = (feature["periode"], feature["code_avant"], feature["code_apres"])
        cells[key] = cells.get(key, 0.0) + feature["surface_ha"]
    return cells


@pytest.mark.parametrize("crs", CRSS[1:])
def test_change_tools_same_figures(outputs, crs):
    reference, other = outputs["EPSG:2154"], outputs[crs]
    a, b = matrix(reference["transitionmatrix"][0]["OUTPUT"]), matrix(other["transitionmatrix"][0]["OUTPUT"])
    assert sorted(a) == sorted(b)
    for key in a:
        assert same(b[key], a[key]), key
    # OCS GE equivalent: the 12 ha of fields G built on in 2015-2021; every period adds up to the land
    assert a[("2015-2021", "CS2.2.1", "CS1.1.1.1")] == pytest.approx(12.0, rel=1e-6)
    for period in ("2005-2015", "2015-2021", "2005-2021"):
        assert same(sum(v for k, v in b.items() if k[0] == period), TOTAL_HA)
    flows_a = numbers(rows(reference["territoryflows"][0]["OUTPUT"], "zone")["total"])
    flows_b = numbers(rows(other["territoryflows"][0]["OUTPUT"], "zone")["total"])
    assert flows_a["conso_enaf_2015_2021_ha"] == pytest.approx(12.0)
    assert sorted(flows_a) == sorted(flows_b)
    for name in flows_a:
        assert same(flows_b[name], flows_a[name]), name
    types = []
    for outs in (reference, other):
        by_type = {}
        for feature in QgsVectorLayer(outs["changedetection"][0]["OUTPUT"], "c", "ogr").getFeatures():
            by_type[feature["type_changement"]] = by_type.get(feature["type_changement"], 0.0) + \
                feature["surface_m2"]
        types.append(by_type)
    assert types[0] == {"artificialisation": pytest.approx(120000.0, rel=1e-6)}
    assert sorted(types[0]) == sorted(types[1])
    for key in types[0]:
        assert same(types[1][key], types[0][key]), key


@pytest.mark.parametrize("crs", CRSS[1:])
def test_zantrajectory_same_figures(outputs, crs):
    a = numbers(rows(outputs["EPSG:2154"]["zantrajectory"][0]["OUTPUT"], "zone")["total"])
    b = numbers(rows(outputs[crs]["zantrajectory"][0]["OUTPUT"], "zone")["total"])
    # 12 ha in 2015-2021, none in 2005-2015: the 2011-2021 reference is 6 years of 2 ha/year
    assert a["conso_enaf_2015_2021_ha"] == pytest.approx(12.0)
    assert a["conso_reference_ha"] == pytest.approx(12.0)
    assert sorted(a) == sorted(b)
    for name in a:
        assert same(b[name], a[name]), name


@pytest.mark.parametrize("crs", CRSS[1:])
def test_friches_same_areas(outputs, crs):
    def surfaces(name):
        results, _feedback = outputs[name]["friches"]
        return sorted(f["site_surface"] for f in QgsVectorLayer(results["OUTPUT"], "f", "ogr").getFeatures())
    a, b = surfaces("EPSG:2154"), surfaces(crs)
    assert a == pytest.approx([14000.0])           # the factory K: 90 × 100 + 50 × 100 m²
    assert b == pytest.approx(a, rel=1e-3)


def heat_cells(path):
    layer = QgsVectorLayer(path, "h", "ogr")
    return layer.crs().authid(), sorted(round(f["score_2021"], 3) for f in layer.getFeatures())


@pytest.mark.parametrize("crs", CRSS[1:])
def test_heat_grid_in_true_metres(outputs, crs):
    crs_a, a = heat_cells(outputs["EPSG:2154"]["heatisland"][0]["OUTPUT"])
    crs_b, b = heat_cells(outputs[crs]["heatisland"][0]["OUTPUT"])
    feedback = outputs[crs]["heatisland"][1]
    # 100 m cells over the land: the town A 4 × 4, G 4 × 3, B/E/F 1 × 2 + 1 × 1, K 2 × 1, the wood 2 × 3, H 1
    assert len(a) == len(b)
    assert crs_a == "EPSG:2154" and crs_b == "EPSG:2154"
    assert any("written in EPSG:2154" in m for m in feedback.infos)
    assert b == pytest.approx(a, rel=1e-3, abs=1e-3)


# -- décret 2023-1096 thresholds (OCS GE codes) -----------------------------------------------------------------

ROAD = ("CS1.1.1.2", "US4.1.1")
HOUSE = ("CS1.1.1.1", "US5")
GRASS = ("CS2.2.1", "US1.1")
ARTIF_FIELDS = [("id", "integer"), ("CODE_CS", "string"), ("CODE_US", "string"), ("MILLESIME", "string")]


def frame(x, inner, codes, first):
    """Four rectangles of ``codes`` around the square ``inner`` m wide centred in a 120 m square at ``x``."""
    a, b = 60 - inner / 2.0, 60 + inner / 2.0
    return [(box(x, 0, x + 120, a), first) + codes, (box(x, b, x + 120, 120), first + 1) + codes,
            (box(x, a, x + a, b), first + 2) + codes, (box(x + b, a, x + 120, b), first + 3) + codes]


def artif_land(crs):
    rows = []
    # 10: a 1,600 m² grass enclave in roads (< 2,500 m²: artificialised)
    rows += frame(0, 40, ROAD, 11) + [(box(40, 40, 80, 80), 10) + GRASS]
    # 20: a 3,600 m² grass enclave in roads (≥ 2,500 m²: unchanged)
    rows += frame(1000, 60, ROAD, 21) + [(box(1030, 30, 1090, 90), 20) + GRASS]
    # 30: a 25 m² house in a 1,600 m² hole in fields (< 50 m² built: not artificialised) with its 1,575 m² yard
    rows += frame(2000, 40, GRASS, 31) + [
        (box(2040, 40, 2045, 45), 30) + HOUSE,
        ("POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f,%f %f,%f %f))" % tuple(
            v for dx, dy in ((45, 40), (80, 40), (80, 80), (40, 80), (40, 45), (45, 45), (45, 40))
            for v in (LX + 2000 + dx, LY + dy)), 35) + ("CS1.1.1.2", "US5")]
    return make_layer(ARTIF_FIELDS, [r + ("2021",) for r in rows], crs, name="ocsge_lille")


@pytest.mark.parametrize("crs", CRSS)
def test_artificialisation_thresholds_in_true_square_metres(outputs, crs):
    results, _feedback = outputs[crs]["artificialisation"]
    layer = QgsVectorLayer(results["OUTPUT"], "a", "ogr")
    names = layer.fields().names()
    got = {}
    for feature in layer.getFeatures():
        values = dict(zip(names, feature.attributes()))
        got[values["id"]] = (values["artif_2021"], values["crit_seuil_2021"])
    # in EPSG:3857 the enclave would measure 1,600 × 2.47 ≈ 3,950 m² (≥ 2,500) and the house 62 m² (≥ 50)
    assert {i: got[i] for i in (10, 20, 30, 35)} == {10: (1, 1), 20: (0, 0), 30: (0, 1), 35: (0, 1)}
    assert layer.crs().authid() == crs
