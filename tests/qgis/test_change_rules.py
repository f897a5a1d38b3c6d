"""The OCS2D spatial rules inside ocs:changedetection, ocs:transitionmatrix, ocs:territoryflows and
ocs:zantrajectory (SPATIAL_RULES): the same figures as ocs:reclassify then the tool, computed by hand here.

Layout (2015 → 2021), metres from the fixtures' origin:
- T  x 0–400,   y 0–400   habitat both years (16 ha): the espace urbanisé and the enveloppe urbaine (≥ 10 ha);
- B  x 400–430, y 0–100   arable land → CS1.2.1/US7.0.0 (0.3 ha): point on surface (415, 50), 15 m from T;
- X  x 400–430, y 100–190 CS6.6.0/US7.0.0 → habitat (0.27 ha): point on surface (415, 145), 15 m from T;
- S  x 420–450, y 200–230 arable land → agricultural building CS1.1.1/US1.1.7 (0.09 ha), 20 m from T;
- F  x 1000–1030, y 1000–1030 the same change far from any town (0.09 ha).

By the rules (lookup table): B 2021 and X 2015 are US7.0.0 within 20 m of 4 postes 1, so 4 postes 1, ENAF Ua
(attributes alone: 4 postes 3, ENAF N); S 2021 lies within 50 m of the enveloppe urbaine of 2021 (T ∪ X, 16.27 ha),
so ENAF Ue (attributes: A); F stays A. Arable land is 4 postes 2, ENAF A; habitat 4 postes 1, Uh; the
agricultural building 4 postes 1, A (its 4 postes has no near value).

4 postes 2015 → 2021, with the rules: T 1→1 16, X 1→1 0.27, B 2→1 0.3, S 2→1 0.09, F 2→1 0.09:
    {(1, 1): 16.27, (2, 1): 0.48};
by attributes alone: T 1→1 16, B 2→3 0.3, X 3→1 0.27, S and F 2→1 0.18:
    {(1, 1): 16, (2, 3): 0.3, (3, 1): 0.27, (2, 1): 0.18}.
ENAF consumed (NAF → non-NAF), with the rules: B A→Ua 0.3 (autre) + S A→Ue 0.09 (activité) = 0.39 ha; by
attributes alone: X N→Uh 0.27 ha (habitat). Artificialisation (not moved by the rules): B, X, S, F = 0.75 ha.
"""
import pytest
from qgis.core import QgsVectorLayer

from helpers import X0, box, make_layer, run, to_gpkg

HAB = ("CS1.1.1", "US5.1.1")
ARABLE = ("CS6.3.0", "US1.1.1")
US7_BARE = ("CS1.2.1", "US7.0.0")
US7_HERB = ("CS6.6.0", "US7.0.0")
FARM = ("CS1.1.1", "US1.1.7")
LAYOUT = [
    (box(0, 0, 400, 400), 1, HAB, HAB),
    (box(400, 0, 430, 100), 2, ARABLE, US7_BARE),
    (box(400, 100, 430, 190), 3, US7_HERB, HAB),
    (box(420, 200, 450, 230), 4, ARABLE, FARM),
    (box(1000, 1000, 1030, 1030), 5, ARABLE, FARM),
]
WITH_RULES = {("1", "1"): 16.27, ("2", "1"): 0.48}
ATTRIBUTES_ONLY = {("1", "1"): 16.0, ("2", "3"): 0.3, ("3", "1"): 0.27, ("2", "1"): 0.18}
WARNING = "depend on a spatial rule of the OCS2D method"


def multidate():
    fields = [("id", "integer"), ("cs15", "string"), ("us15", "string"), ("cs21", "string"), ("us21", "string")]
    return make_layer(fields, [(wkt, i) + before + after for wkt, i, before, after in LAYOUT])


def single(year):
    fields = [("id", "integer"), ("cs%s" % year, "string"), ("us%s" % year, "string")]
    return make_layer(fields, [(wkt, i) + (before if year == "15" else after) for wkt, i, before, after in LAYOUT],
                      name="ocs%s" % year)


def zones():
    """Two communes: A west of x = 415 (cuts B, X and S), B east of it."""
    return make_layer([("insee", "string")], [(box(-10, -10, 415, 500), "A"), (box(415, -10, 1100, 1100), "B")],
                      name="communes")


def reclassified(layer, tmp_path, name):
    results, _feedback = run("ocs:reclassify", {"INPUT": layer, "OUTPUT": str(tmp_path / ("%s.gpkg" % name))})
    return results["OUTPUT"]


def matrix(path):
    cells = {}
    for feature in QgsVectorLayer(path, "m", "ogr").getFeatures():
        key = (feature["code_avant"], feature["code_apres"])
        cells[key] = cells.get(key, 0.0) + feature["surface_ha"]
    return {key: round(area, 6) for key, area in cells.items() if area}


def rows(path, key_fields):
    """{key: {field: value (floats rounded)}} of every feature of an output."""
    layer = QgsVectorLayer(path, "o", "ogr")
    assert layer.isValid()
    found = {}
    names = [n for n in layer.fields().names() if n != "fid"]
    for feature in layer.getFeatures():
        values = {n: (round(feature[n], 6) if isinstance(feature[n], float) else feature[n]) for n in names}
        geometry = feature.geometry()
        if not geometry.isNull():
            values["area"] = round(geometry.area(), 3)
            if not geometry.isEmpty():   # the total row's empty geometry has no box (NaN on QGIS 3.40)
                values["xmin"] = round(geometry.boundingBox().xMinimum() - X0, 3)
        key = tuple(values[k] for k in key_fields)
        assert key not in found
        found[key] = values
    return found


def run_tool(algorithm, inputs, tmp_path, name, **extra):
    parameters = dict(inputs, OUTPUT=str(tmp_path / ("%s.gpkg" % name)), **extra)
    results, feedback = run(algorithm, parameters)
    return results["OUTPUT"], feedback


# -- ocs:transitionmatrix ------------------------------------------------------------------------------------

def test_transitionmatrix_with_and_without_the_rules(tmp_path):
    path, feedback = run_tool("ocs:transitionmatrix", {"INPUT": multidate(), "TARGET": 7}, tmp_path, "with")
    assert matrix(path) == WITH_RULES
    assert not any(WARNING in e for e in feedback.errors)
    assert any("2015: 1 of 1 US7.0.0" in m and "0 of 0 agricultural" in m for m in feedback.infos)
    assert any("2021: 1 of 1 US7.0.0" in m and "1 of 2 agricultural" in m for m in feedback.infos)
    # the same as ocs:reclassify then the tool, cell by cell
    expected, _feedback = run_tool("ocs:transitionmatrix", {"INPUT": reclassified(multidate(), tmp_path, "r"),
                                                            "TARGET": 7}, tmp_path, "reclassified")
    assert matrix(expected) == WITH_RULES
    path, feedback = run_tool("ocs:transitionmatrix", {"INPUT": multidate(), "TARGET": 7}, tmp_path, "without",
                              SPATIAL_RULES=False)
    assert matrix(path) == ATTRIBUTES_ONLY
    # B 2021, X 2015 and S, F 2021 take an attribute default: 0.3 + 0.27 + 0.09 + 0.09 ha
    assert [e for e in feedback.errors if WARNING in e][0].startswith("0.75 ha depend")


@pytest.mark.parametrize("target, expected", [
    (9, {("Uh", "Uh"): 16.0, ("A", "Ua"): 0.3, ("Ua", "Uh"): 0.27, ("A", "Ue"): 0.09, ("A", "A"): 0.09}),
    (10, {("Non-NAF", "Non-NAF"): 16.27, ("NAF", "Non-NAF"): 0.39, ("NAF", "NAF"): 0.09}),
    (8, {("1", "1"): 16.0, ("17", "13"): 0.3, ("14", "1"): 0.27, ("17", "2"): 0.18}),
])
def test_transitionmatrix_enaf_naf_21_postes_as_reclassify(tmp_path, target, expected):
    path, _feedback = run_tool("ocs:transitionmatrix", {"INPUT": multidate(), "TARGET": target}, tmp_path, "with")
    assert matrix(path) == expected
    reference, _feedback = run_tool("ocs:transitionmatrix", {"INPUT": reclassified(multidate(), tmp_path, "r"),
                                                             "TARGET": target}, tmp_path, "reclassified")
    assert matrix(reference) == expected


def test_transitionmatrix_two_layers_and_geopackage(tmp_path):
    # overlay of one layer per vintage: the rules of each layer, as reclassify of each layer then the overlay
    inputs = {"INPUT": single("15"), "INPUT_AFTER": single("21"), "TARGET": 7}
    path, _feedback = run_tool("ocs:transitionmatrix", inputs, tmp_path, "overlay")
    assert matrix(path) == WITH_RULES
    reference, _feedback = run_tool("ocs:transitionmatrix", {
        "INPUT": reclassified(single("15"), tmp_path, "r15"), "INPUT_AFTER": reclassified(single("21"), tmp_path,
                                                                                          "r21"),
        "TARGET": 7}, tmp_path, "reclassified")
    assert matrix(reference) == WITH_RULES
    path, feedback = run_tool("ocs:transitionmatrix", inputs, tmp_path, "overlay_off", SPATIAL_RULES=False)
    assert matrix(path) == ATTRIBUTES_ONLY
    assert any(WARNING in e for e in feedback.errors)
    # whole GeoPackage layers: the codes from SQL, only the geometries the rules need (same figures)
    source = to_gpkg(multidate(), tmp_path / "raw.gpkg")
    path, feedback = run_tool("ocs:transitionmatrix", {"INPUT": source, "TARGET": 7}, tmp_path, "from_file")
    assert matrix(path) == WITH_RULES
    assert not any("GeoPackage reading not used" in m for m in feedback.debug)
    pair = {"INPUT": to_gpkg(single("15"), tmp_path / "raw15.gpkg"),
            "INPUT_AFTER": to_gpkg(single("21"), tmp_path / "raw21.gpkg"), "TARGET": 7}
    path, _feedback = run_tool("ocs:transitionmatrix", pair, tmp_path, "from_files")
    assert matrix(path) == WITH_RULES


def test_transitionmatrix_of_raw_codes_reads_no_geometry_for_the_rules(tmp_path):
    # a matrix of couverture codes depends on no spatial rule: none computed, nothing said
    path, feedback = run_tool("ocs:transitionmatrix", {"INPUT": multidate(), "TARGET": 0}, tmp_path, "cs")
    assert matrix(path)[("CS6.3.0", "CS1.2.1")] == 0.3
    assert not any("Spatial rules" in m for m in feedback.infos)
    assert not any(WARNING in e for e in feedback.errors)


# -- ocs:changedetection ---------------------------------------------------------------------------------------

def test_changedetection_as_reclassify(tmp_path):
    inputs = {"INPUT": multidate(), "TARGET": 7, "ONLY_CHANGES": False, "ZONES": zones(), "ZONE_FIELD": "insee"}
    keys = ("insee", "code_avant", "code_apres", "surface_m2", "enaf_apres", "xmin")
    path, _feedback = run_tool("ocs:changedetection", inputs, tmp_path, "with")
    got = rows(path, keys)
    assert len(got) == 7     # T, B and X cut by the zones, S, F
    # B is cut by the zones: 15 × 100 m in A and in B, 4 postes 2 → 1, artificialised, ENAF A → Ua
    assert got[("A", "2", "1", 1500.0, "Ua", 400.0)]["type_changement"] == "artificialisation"
    # X: 4 postes 1 in both vintages (US7.0.0 near T in 2015), ENAF Ua → Uh: no change of the target
    assert got[("A", "1", "1", 1350.0, "Uh", 400.0)]["enaf_avant"] == "Ua"
    assert got[("A", "1", "1", 1350.0, "Uh", 400.0)]["type_changement"] == "aucun changement"
    # S near the enveloppe urbaine becomes Ue, F far from it stays A
    assert got[("B", "2", "1", 900.0, "Ue", 420.0)]["type_changement"] == "artificialisation"
    assert ("B", "2", "1", 900.0, "A", 1000.0) in got
    reference, _feedback = run_tool("ocs:changedetection", dict(inputs, INPUT=reclassified(multidate(), tmp_path,
                                                                                           "r")),
                                    tmp_path, "reclassified")
    assert rows(reference, keys) == got
    path, feedback = run_tool("ocs:changedetection", inputs, tmp_path, "without", SPATIAL_RULES=False)
    off = rows(path, keys)
    assert off[("A", "3", "1", 1350.0, "Uh", 400.0)]["type_changement"] == "artificialisation"
    assert ("A", "2", "3", 1500.0, "N", 400.0) in off and ("B", "2", "1", 900.0, "A", 420.0) in off
    assert any(WARNING in e for e in feedback.errors)


# -- ocs:territoryflows ------------------------------------------------------------------------------------------

def test_territoryflows_as_reclassify(tmp_path):
    inputs = {"INPUT": multidate(), "TARGET": 7, "ZONES": zones(), "ZONE_FIELD": "insee"}
    path, _feedback = run_tool("ocs:territoryflows", inputs, tmp_path, "with")
    got = rows(path, ("zone",))
    total = got[("total",)]
    assert total["conso_enaf_2015_2021_ha"] == pytest.approx(0.39)
    assert total["conso_autre_2015_2021_ha"] == pytest.approx(0.3)
    assert total["conso_activite_2015_2021_ha"] == pytest.approx(0.09)
    assert total["conso_habitat_2015_2021_ha"] == pytest.approx(0.0)
    assert total["artif_2015_2021_ha"] == pytest.approx(0.75)
    assert total["p4_1_2021_ha"] == pytest.approx(16.75)
    # zone A (x < 415): half of B (0.15 ha, A → Ua) and S west of 415 m: none (S is x 420–450)
    assert got[("A",)]["conso_enaf_2015_2021_ha"] == pytest.approx(0.15)
    assert got[("B",)]["conso_enaf_2015_2021_ha"] == pytest.approx(0.24)
    reference, _feedback = run_tool("ocs:territoryflows", dict(inputs, INPUT=reclassified(multidate(), tmp_path,
                                                                                          "r")),
                                    tmp_path, "reclassified")
    assert rows(reference, ("zone",)) == got
    path, feedback = run_tool("ocs:territoryflows", inputs, tmp_path, "without", SPATIAL_RULES=False)
    total = rows(path, ("zone",))[("total",)]
    assert total["conso_enaf_2015_2021_ha"] == pytest.approx(0.27)
    assert total["conso_habitat_2015_2021_ha"] == pytest.approx(0.27)
    assert total["artif_2015_2021_ha"] == pytest.approx(0.75)
    assert any(WARNING in e for e in feedback.errors)


def test_territoryflows_of_raw_codes_apply_the_rules_to_the_flows(tmp_path):
    # the flows use the ENAF status whatever the TARGET: the rules are applied for a couverture comparison too
    path, _feedback = run_tool("ocs:territoryflows", {"INPUT": multidate(), "TARGET": 0}, tmp_path, "cs")
    assert rows(path, ("zone",))[("total",)]["conso_enaf_2015_2021_ha"] == pytest.approx(0.39)


# -- ocs:zantrajectory ---------------------------------------------------------------------------------------------

def test_zantrajectory_as_reclassify(tmp_path):
    inputs = {"INPUT": multidate(), "ZONES": zones(), "ZONE_FIELD": "insee"}
    path, _feedback = run_tool("ocs:zantrajectory", inputs, tmp_path, "with")
    got = rows(path, ("zone",))
    total = got[("total",)]
    assert total["conso_enaf_2015_2021_ha"] == pytest.approx(0.39)
    assert total["conso_activite_2015_2021_ha"] == pytest.approx(0.09)
    # reference 2011-2021 from 2015-2021 alone: 0.39 ha in 6 years, prorated to 10
    assert total["conso_reference_ha"] == pytest.approx(0.65)
    reference, _feedback = run_tool("ocs:zantrajectory", dict(inputs, INPUT=reclassified(multidate(), tmp_path,
                                                                                         "r")),
                                    tmp_path, "reclassified")
    assert rows(reference, ("zone",)) == got
    path, feedback = run_tool("ocs:zantrajectory", inputs, tmp_path, "without", SPATIAL_RULES=False)
    total = rows(path, ("zone",))[("total",)]
    assert total["conso_enaf_2015_2021_ha"] == pytest.approx(0.27)
    assert total["conso_reference_ha"] == pytest.approx(0.45)
    assert any(WARNING in e for e in feedback.errors)



def test_whole_geopackage_reads_the_boxes_from_the_blobs(tmp_path, monkeypatch):
    # on a whole GeoPackage layer in a metric CRS the rules take the boxes from the blob headers and read only
    # the geometries they need (fastpath.gpkg.GpkgGeometries), as ocs:reclassify's fast path does
    from ocs_toolbox.engines import changes
    from ocs_toolbox.fastpath import gpkg

    monkeypatch.setattr(changes.ChangeJob, "RULES_FORK", False)   # the rules aside on a thread: calls seen here
    calls = []
    boxes = gpkg.GpkgGeometries.boxes

    def counted(self):
        calls.append(self.table)
        return boxes(self)
    monkeypatch.setattr(gpkg.GpkgGeometries, "boxes", counted)
    source = to_gpkg(multidate(), tmp_path / "raw.gpkg", "ocs2d")
    path, _feedback = run_tool("ocs:transitionmatrix", {"INPUT": source + "|layername=ocs2d", "TARGET": 7},
                               tmp_path, "from_file")
    assert matrix(path) == WITH_RULES
    assert calls == ['"ocs2d"']
    run_tool("ocs:transitionmatrix", {"INPUT": multidate(), "TARGET": 7}, tmp_path, "from_memory")
    assert calls == ['"ocs2d"']


def zone_matrix(path):
    """{(zone, code before, code after): ha} of a matrix per zone (non-zero cells)."""
    cells = {}
    for feature in QgsVectorLayer(path, "m", "ogr").getFeatures():
        key = (feature["zone"], feature["code_avant"], feature["code_apres"])
        cells[key] = cells.get(key, 0.0) + feature["surface_ha"]
    return {key: round(area, 6) for key, area in cells.items() if area}


# per commune (A west of x = 415, B east of it), with the rules: T 1→1 16 ha in A; X 1→1 and B 2→1 cut in halves
# (0.135 and 0.15 ha in each); S and F 2→1 0.09 ha each in B
WITH_RULES_BY_ZONE = {("A", "1", "1"): 16.135, ("A", "2", "1"): 0.15,
                      ("B", "1", "1"): 0.135, ("B", "2", "1"): 0.33}


@pytest.mark.parametrize("fork", [True, False])
def test_matrix_per_zone_with_the_rules_aside(tmp_path, monkeypatch, fork):
    # on a whole GeoPackage layer the rules run in a forked process (or on a thread) while the layer is read; the
    # polygons they may override (B, X, S, F: US7.0.0 or agricultural structures) wait for them, then are
    # classified with the overrides
    from ocs_toolbox.engines import changerules, changes

    monkeypatch.setattr(changes.ChangeJob, "RULES_FORK", fork)

    started, held = [], []
    start, may_change = changerules.Overrides.start, changerules.Overrides.may_change

    def counted(self, **options):
        started.append(self.land_cover.years())
        return start(self, **options)

    def recorded(self):
        test = may_change(self)

        def holds(attributes):
            found = test(attributes)
            if found:
                held.append(tuple(attributes[2:6]))     # cs15, us15, cs21, us21 (after fid and id)
            return found
        return holds
    collected, collect = [], changerules.Overrides._collect

    def came_back(self):
        found = collect(self)
        collected.append(found is not None and len(found))
        return found
    monkeypatch.setattr(changerules.Overrides, "start", counted)
    monkeypatch.setattr(changerules.Overrides, "may_change", recorded)
    monkeypatch.setattr(changerules.Overrides, "_collect", came_back)
    source = to_gpkg(multidate(), tmp_path / "raw.gpkg", "ocs2d")
    inputs = {"INPUT": source + "|layername=ocs2d", "TARGET": 7, "ZONES": zones(), "ZONE_FIELD": "insee"}
    path, feedback = run_tool("ocs:transitionmatrix", inputs, tmp_path, "aside")
    assert zone_matrix(path) == WITH_RULES_BY_ZONE
    assert started == [["2015", "2021"]]
    assert collected == ([3] if fork else [])    # the 3 overrides came from the forked process
    assert sorted(held) == sorted(before + after for _wkt, i, before, after in LAYOUT if i != 1)
    # the rules' messages are said once they are done, before the stream's
    said = [m for m in feedback.infos if "US7.0.0 polygons lie within" in m or "OCS2D spatial rules applied" in m
            or "Conservation" in m]
    assert [m.split(":")[0] for m in said] == ["2015", "2021", "OCS2D spatial rules applied to 'raw' (2015, 2021)",
                                              "Conservation 2015-2021"]
    assert "3 polygon-vintages" in said[2]
    # a memory layer: the rules first, on this thread; the same cells
    path, _feedback = run_tool("ocs:transitionmatrix", dict(inputs, INPUT=multidate()), tmp_path, "memory")
    assert zone_matrix(path) == WITH_RULES_BY_ZONE
    assert len(started) == 1
    # the flows (no consumer either) run them aside too: ENAF A → Ua (B) and A → Ue (S)
    path, _feedback = run_tool("ocs:territoryflows", inputs, tmp_path, "flows")
    total = rows(path, ("zone",))[("total",)]
    assert round(total["conso_enaf_2015_2021_ha"], 6) == 0.39
    assert len(started) == 2
    # the change polygons are handed on as they come (a consumer): the rules first, as before
    path, _feedback = run_tool("ocs:changedetection", dict(inputs, ONLY_CHANGES=False), tmp_path, "changes")
    assert len(started) == 2
    path, _feedback = run_tool("ocs:transitionmatrix", inputs, tmp_path, "off", SPATIAL_RULES=False)
    assert zone_matrix(path) == {("A", "1", "1"): 16.0, ("A", "2", "3"): 0.15, ("A", "3", "1"): 0.135,
                                 ("B", "2", "3"): 0.15, ("B", "3", "1"): 0.135, ("B", "2", "1"): 0.18}
    assert len(started) == 2


def test_partly_reclassified_input(tmp_path):
    # Reclassify with 4 postes only: p4_yyyy is used as it is; the ENAF statuses (no enaf_yyyy) still need the
    # rules in the flows, not in a 4-postes matrix
    results, _feedback = run("ocs:reclassify", {"INPUT": multidate(), "TARGETS": [4],
                                                "OUTPUT": str(tmp_path / "p4.gpkg")})
    path, feedback = run_tool("ocs:transitionmatrix", {"INPUT": results["OUTPUT"], "TARGET": 7}, tmp_path, "m")
    assert matrix(path) == WITH_RULES
    assert not any("Spatial rules" in m for m in feedback.infos)
    path, feedback = run_tool("ocs:territoryflows", {"INPUT": results["OUTPUT"], "TARGET": 7}, tmp_path, "f")
    total = rows(path, ("zone",))[("total",)]
    assert (round(total["conso_enaf_2015_2021_ha"], 6), round(total["p4_1_2021_ha"], 6)) == (0.39, 16.75)
    assert any("OCS2D spatial rules applied" in m and "(2015, 2021): 3 polygon-vintages" in m for m in feedback.infos)


def test_matrix_per_zone_when_the_forked_rules_die(tmp_path, monkeypatch):
    # a forked process that dies without answering leaves the rules to the caller: the same cells and messages
    import os

    from ocs_toolbox.engines import changerules

    monkeypatch.setattr(changerules.Overrides, "_forked", lambda self, sender, parent: os._exit(3))
    source = to_gpkg(multidate(), tmp_path / "raw.gpkg", "ocs2d")
    inputs = {"INPUT": source + "|layername=ocs2d", "TARGET": 7, "ZONES": zones(), "ZONE_FIELD": "insee"}
    path, feedback = run_tool("ocs:transitionmatrix", inputs, tmp_path, "died")
    assert zone_matrix(path) == WITH_RULES_BY_ZONE
    assert any("OCS2D spatial rules applied to 'raw' (2015, 2021): 3 polygon-vintages" in m for m in feedback.infos)


def test_rules_of_two_geopackage_layers_in_a_forked_process(tmp_path, monkeypatch):
    """Two whole GeoPackage layers, forked processes allowed: the rules of each are computed in a forked process
    while the layers are read (changerules.Overrides), with the figures and the messages of the rules computed
    here; when that process dies without answering, they are computed here."""
    import os

    from helpers import file_source
    from test_change_engine import run as run_job

    from ocs_toolbox.engines import changerules, changes

    paths = [to_gpkg(single(year), tmp_path / ("raw%s.gpkg" % year), "ocs%s" % year) for year in ("15", "21")]
    keep = []
    started = []
    real_start = changerules.Overrides.start

    def start(self, fork=False):
        started.append(fork)
        return real_start(self, fork)

    monkeypatch.setattr(changerules.Overrides, "start", start)

    def job(workers):
        inputs = changes.ChangeInputs(file_source(paths[0], "ocs15", keep), file_source(paths[1], "ocs21", keep),
                                      before_gpkg=(paths[0], "ocs15"), after_gpkg=(paths[1], "ocs21"))
        found, transitions, _pieces, feedback = run_job(inputs, changes.ChangeOptions(target="p4", workers=workers))
        return {key: round(area / 1e4, 6) for key, area in transitions.matrix(("2015", "2021")).items() if area}, \
            [line for line in feedback.infos if "Spatial rules" not in line], feedback.debug

    here = job(1)
    assert started == []
    forked = job(2)
    assert started == [True, True]
    assert here[0] == forked[0] == WITH_RULES
    assert here[1] == forked[1]
    assert any("US7.0.0 polygons lie within 20 m" in line for line in forked[1])
    monkeypatch.setattr(changerules.Overrides, "_forked", lambda self, sender, parent: os._exit(3))
    again = job(2)
    assert again[:2] == here[:2]
