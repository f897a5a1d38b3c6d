"""engines/reclassify.py called directly: code counts, the generic run into a memory sink, the GeoPackage fast
path into a file, and the UPDATEs of the spatial rules."""
import pytest
from qgis.core import QgsVectorLayer

from cover_fixture import open_cover, release_layers  # noqa: F401 (autouse fixture)
from helpers import Feedback, box, is_null, make_layer, to_gpkg
from ocs_toolbox.core import nomenclature as nom
from ocs_toolbox.core import rules
from ocs_toolbox.engines import reclassify
from ocs_toolbox.fastpath import gpkg

FIELDS = [("id", "integer"), ("cs21", "string"), ("us21", "string")]


def layout():
    """Urban block 1 (1 ha); US7.0.0 polygons 2 (15 m from it: overridden) and 3 (25 m: not); an unknown code (4),
    a NULL usage (5)."""
    return make_layer(FIELDS, [
        (box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"),
        (box(100, 0, 130, 100), 2, "CS1.2.1", "US7.0.0"),
        (box(0, 110, 100, 140), 3, "CS1.2.1", "US7.0.0"),
        (box(300, 0, 310, 10), 4, "CS9.9.9", "US5.1.1"),
        (box(400, 0, 410, 10), 5, "CS1.1.1", None),
    ])


def job_of(layer, targets=("p4",)):
    cover, _context = open_cover(layer)
    return reclassify.Reclassification(cover, rules.Reclassifier(cover.nomenclature, list(targets)))


def p4_by_id(features):
    return {f["id"]: None if is_null(f["p4_2021"]) else f["p4_2021"] for f in features}


def test_code_counts():
    classifier = rules.Reclassifier(nom.OCS2D_2021, ["p4"])
    vintage = job_of(layout()).land_cover.vintages[0]
    counts = reclassify.CodeCounts()
    counts.add(classifier.classify("CS9.9.9", "US5.1.1"), vintage, "CS9.9.9", "US5.1.1", 2)
    counts.add(classifier.classify("CS1.1.1", None), vintage, "CS1.1.1", None, 3)
    counts.add(classifier.classify("CS1.1.1", "US5.1.1"), vintage, "CS1.1.1", "US5.1.1", 7)
    assert (dict(counts.cs), dict(counts.us), dict(counts.null), dict(counts.unclassified)) == \
        ({"cs21=CS9.9.9": 2}, {}, {"2021": 3}, {})
    feedback = Feedback()
    counts.report(feedback)
    assert len(feedback.errors) == 2
    assert feedback.errors[0].startswith("2 feature-vintages have an unknown couverture code")
    assert "cs21=CS9.9.9 (2)" in feedback.errors[0]


def test_generic_run_into_a_memory_sink():
    job = job_of(layout())
    assert job.spatial_needed
    feedback = Feedback()
    fields, slots = reclassify.output_fields(job.land_cover.source.fields(), job.classifier, job.land_cover.vintages,
                                             feedback)
    assert [fields.at(i).name() for i in slots[0]] == ["p4_2021", "p4_2021_lib"]
    out = QgsVectorLayer("MultiPolygon?crs=EPSG:2154", "out", "memory")
    out.dataProvider().addAttributes(list(fields))
    out.updateFields()
    assert reclassify.run_generic(job, out.dataProvider(), fields, slots, feedback) == 5
    assert p4_by_id(out.getFeatures()) == {1: 1, 2: 1, 3: 3, 4: None, 5: None}
    # 1 ha + 0.3 ha + 0.3 ha + 2 × 0.01 ha
    assert "5 features read and written, 1.6200 ha in and out (geometries copied unchanged)." in feedback.infos
    assert any(e.startswith("1 feature-vintages have a NULL couverture or usage code") for e in feedback.errors)


def test_fast_run_into_a_geopackage(tmp_path):
    path = to_gpkg(layout(), tmp_path / "in.gpkg", "ocs")
    job = job_of(QgsVectorLayer(path + "|layername=ocs", "ocs", "ogr"))
    assert reclassify.fast_path_possible(job.land_cover, job.classifier)
    target = reclassify.fast_target(path, "ocs", str(tmp_path / "out.gpkg|layername=p4"), job.land_cover.vintages)
    assert (target.out_path, target.out_layer) == (str(tmp_path / "out.gpkg"), "p4")
    feedback = Feedback()
    try:
        assert reclassify.run_fast(job, target, feedback) == 5
    finally:
        target.reader.close()
    out = QgsVectorLayer(str(tmp_path / "out.gpkg") + "|layername=p4", "out", "ogr")
    assert p4_by_id(out.getFeatures()) == {1: 1, 2: 1, 3: 3, 4: None, 5: None}
    assert "5 features read and written, 1.6200 ha in and out (geometries copied unchanged)." in feedback.infos


def test_fast_path_refuses_an_output_column_of_the_input():
    layer = make_layer(FIELDS + [("p4_2021", "integer")], [(box(0, 0, 10, 10), 1, "CS1.1.1", "US5.1.1", 9)])
    job = job_of(layer)
    assert not reclassify.fast_path_possible(job.land_cover, job.classifier)


def test_fast_target_refuses_the_input_as_output(tmp_path):
    path = to_gpkg(layout(), tmp_path / "in.gpkg", "ocs")
    job = job_of(QgsVectorLayer(path + "|layername=ocs", "ocs", "ogr"))
    with pytest.raises(gpkg.FastPathUnavailable):
        reclassify.fast_target(path, "ocs", path, job.land_cover.vintages)


def test_near_changes_group_the_fids_and_keep_the_changed_columns():
    job = job_of(layout(), targets=("p4", "p21"))
    classifier = job.classifier
    us7 = classifier.classify("CS1.2.1", "US7.0.0")
    near = {(2, 0): us7, (7, 0): us7}
    [(fids, assignments)] = reclassify.near_changes(classifier, near, job.columns())
    assert sorted(fids) == [2, 7]
    names = [name for name, _kind in job.columns()[0]]
    changed = {n: v for n, v, old in zip(names, classifier.near_values(us7), us7.values) if v != old}
    assert assignments == changed and assignments["p4_2021"] == 1
