"""engines/spatialrules.py called directly on small hand-built layers: which polygons the OCS2D spatial rules
override, through the streamed scan and the GeoPackage scan, in a metric and in a geographic CRS."""
import numpy
from qgis.core import QgsVectorLayer

from cover_fixture import open_cover, release_layers  # noqa: F401 (autouse fixture)
from helpers import Feedback, box, make_layer, to_gpkg
from ocs_toolbox.core import nomenclature as nom
from ocs_toolbox.core import rules
from ocs_toolbox.engines import spatialrules
from ocs_toolbox.fastpath import gpkg

FIELDS = [("id", "integer"), ("cs21", "string"), ("us21", "string")]
URBAN = ("CS1.1.1", "US5.1.1")       # habitat: 4 postes = 1, member of the enveloppe urbaine
US7 = ("CS1.2.1", "US7.0.0")         # rule us7_near_urban
STRUCTURE = ("CS1.1.1", "US1.1.7")   # agricultural building: rule agri_structure_near_envelope


def land_cover(layer, vintages="2021"):
    return open_cover(layer, vintages)[0]


def ids(layer):
    """{fid: value of field id}."""
    return {f.id(): f["id"] for f in layer.getFeatures()}


def overridden(layer, targets=("p4", "enaf"), **kwargs):
    """({(id, vintage index): {output field: near value}}, feedback) of spatial_rules on ``layer``."""
    cover = land_cover(layer)
    classifier = rules.Reclassifier(cover.nomenclature, list(targets))
    feedback = Feedback()
    near = spatialrules.spatial_rules(cover, classifier, feedback, **kwargs)
    by_id = ids(layer)
    names = [[f.name(v.vintage) for f in classifier.fields] for v in cover.vintages]
    return {(by_id[fid], v): dict(zip(names[v], classifier.near_values(result)))
            for (fid, v), result in near.items()}, feedback


def us7_layer(crs="EPSG:2154"):
    """Urban block A; US7.0.0 polygons B (point on surface (115, 50): 15 m from A) and C ((50, 125): 25 m)."""
    return make_layer(FIELDS, [
        (box(0, 0, 100, 100), 1) + URBAN,
        (box(100, 0, 130, 100), 2) + US7,
        (box(0, 110, 100, 140), 3) + US7,
    ], crs)


def test_us7_within_20_m_of_an_urban_polygon_is_overridden():
    near, feedback = overridden(us7_layer())
    assert set(near) == {(2, 0)}
    assert near[(2, 0)]["p4_2021"] == 1     # an espace urbanisé once near: attribute rules alone give 3
    assert any(m.startswith("2021: 1 of 2 US7.0.0 polygons lie within 20 m") for m in feedback.infos)


def test_us7_distances_are_metres_in_a_geographic_crs():
    near, _feedback = overridden(us7_layer("EPSG:4326"))
    assert set(near) == {(2, 0)}


def test_nothing_to_test_gives_nothing():
    layer = make_layer(FIELDS, [(box(0, 0, 100, 100), 1) + URBAN, (box(100, 0, 130, 100), 2) + URBAN])
    near, feedback = overridden(layer)
    assert near == {}
    assert not any("Spatial rules: reading the geometries" in m for m in feedback.infos)


def agri_layer():
    """A 16 ha town (its own envelope); structures F 30 m from it, G 60 m from it, H far."""
    return make_layer(FIELDS, [
        (box(0, 0, 400, 400), 1) + URBAN,
        (box(430, 0, 460, 30), 2) + STRUCTURE,
        (box(460, 100, 490, 130), 3) + STRUCTURE,
        (box(1000, 1000, 1030, 1030), 4) + STRUCTURE,
    ])


def test_structure_within_50_m_of_the_envelope_is_overridden():
    near, feedback = overridden(agri_layer())
    assert set(near) == {(2, 0)}
    assert near[(2, 0)]["enaf_2021"] == "Ue"
    assert any("1 of 3 agricultural structures lie within 50 m of the enveloppe urbaine (1 parts near them)" in m
               for m in feedback.infos)


def test_no_envelope_part_below_10_ha():
    # a 9 ha town: no part of the envelope, so the structure 30 m away stays agricultural
    layer = make_layer(FIELDS, [(box(0, 0, 300, 300), 1) + URBAN, (box(330, 0, 360, 30), 2) + STRUCTURE])
    near, feedback = overridden(layer)
    assert near == {}
    assert any("0 of 1 agricultural structures" in m and "(0 parts near them)" in m for m in feedback.infos)


def test_vintage_sets_sort_the_polygons_by_rule():
    classifier = rules.Reclassifier(nom.OCS2D_2021, ["p4"])
    by_codes = {URBAN + ("CS6.3.0", "US1.1.3"): [1], US7 + US7: [2, 3], STRUCTURE + URBAN: [4]}
    first, second = spatialrules.vintage_sets(by_codes, classifier, 2)
    # an agricultural building is built up (4 postes = 1) but not a member of the enveloppe urbaine
    assert (set(first.us7), set(first.agri), first.urban, first.members) == ({2, 3}, {4}, {1, 4}, {1})
    assert (set(second.us7), set(second.agri), second.urban, second.members) == ({2, 3}, set(), {4}, {4})


def test_geopackage_scan_finds_what_the_streamed_scan_finds(tmp_path):
    layer = make_layer(FIELDS, [
        (box(0, 0, 100, 100), 1) + URBAN,
        (box(100, 0, 130, 100), 2) + US7,
        (box(0, 110, 100, 140), 3) + US7,
        (box(300, 0, 700, 400), 4) + URBAN,
        (box(730, 0, 760, 30), 5) + STRUCTURE,
        (box(760, 100, 790, 130), 6) + STRUCTURE,
    ])
    path = to_gpkg(layer, tmp_path / "in.gpkg", "ocs")
    stored = QgsVectorLayer(path + "|layername=ocs", "ocs", "ogr")
    reader = gpkg.GpkgReclassifier(path, "ocs")
    by_codes = {values: fids for values, _count, fids in reader.combinations(["cs21", "us21"], with_fids=True)}
    store = reader.geometries()
    try:
        fast, fast_feedback = overridden(stored, by_codes=by_codes, store=store)
    finally:
        store.close()
        reader.close()
    streamed, streamed_feedback = overridden(stored)
    assert set(fast) == set(streamed) == {(2, 0), (5, 0)}
    assert fast == streamed
    assert [m for m in fast_feedback.infos if "lie within" in m] == \
        [m for m in streamed_feedback.infos if "lie within" in m]


class CountingStore(gpkg.GpkgGeometries):
    """A GeoPackage store that says it is remote and counts the keys it is asked for."""

    REMOTE = True

    def __init__(self, path, layer):
        super().__init__(path, layer, "geom")
        self.asked = []

    def wkb(self, fids):
        fids = [int(f) for f in fids]
        self.asked.extend(fids)
        return super().wkb(fids)


def test_remote_store_reads_each_member_once_across_vintages(tmp_path):
    """_KeptWkb: polygons 1 and 2 are members in both vintages, 3 only in the first; vintage 3 has no
    agricultural structure (never closed). Each polygon is read once; its WKB is dropped after its last use, and a
    polygon of one vintage only is not kept."""
    layer = make_layer(FIELDS, [(box(0, 0, 10, 10), 1) + URBAN, (box(10, 0, 20, 10), 2) + URBAN,
                                (box(20, 0, 30, 10), 3) + URBAN])
    path = to_gpkg(layer, tmp_path / "in.gpkg", "ocs")
    store = CountingStore(path, "ocs")
    try:
        kept = spatialrules._KeptWkb([{1, 2, 3}, {1, 2}, {1, 2, 3}], [True, True, False])
        first = kept.wkb(store, numpy.array([1, 2, 3]))
        assert sorted(first) == [1, 2, 3] and store.asked == [1, 2, 3]
        assert sorted(kept.wkbs) == [1, 2]           # 3 has no later use
        second = kept.wkb(store, numpy.array([2, 1]))
        assert store.asked == [1, 2, 3]              # nothing read again
        assert second == {1: first[1], 2: first[2]}
        assert kept.wkbs == {} and kept.uses == {}   # last uses taken: nothing kept
    finally:
        store.close()
