"""engines/artificialisation.py called directly: step 1, the patch graph, the thresholds, the output and the
dissolve, on a small OCS GE layout computed by hand.

Island A: a 120 m × 120 m frame of roads (bottom and top 120 × 40 = 4,800 m², left and right 40 × 40 = 1,600 m²)
around a field of 40 × 40 = 1,600 m². Island B, 1 km away: a lone 5 m × 8 m house (40 m²).
"""
import pytest
from qgis.core import QgsProcessingContext, QgsProcessingFeatureSource, QgsProject, QgsVectorLayer

from helpers import Feedback, box, make_layer

from ocs_toolbox.core import nomenclature as nom
from ocs_toolbox.engines import artificialisation as engine
from ocs_toolbox.engines import landcover

ROAD = ("CS1.1.1.2", "US4.1.1")
FIELD = ("CS2.2.1", "US1.1")
HOUSE = ("CS1.1.1.1", "US5")
FIELDS = [("part", "string"), ("CODE_CS", "string"), ("CODE_US", "string"), ("MILLESIME", "string")]
# fids of the memory layer, in row order from 1
BOTTOM, TOP, LEFT, RIGHT, CENTRE, LONE = 1, 2, 3, 4, 5, 6


def layout():
    return make_layer(FIELDS, [
        (box(0, 0, 120, 40), "bottom") + ROAD + ("2021",),
        (box(0, 80, 120, 120), "top") + ROAD + ("2021",),
        (box(0, 40, 40, 80), "left") + ROAD + ("2021",),
        (box(80, 40, 120, 80), "right") + ROAD + ("2021",),
        (box(40, 40, 80, 80), "centre") + FIELD + ("2021",),
        (box(1000, 0, 1005, 8), "house") + HOUSE + ("2021",),
    ])


@pytest.fixture
def context():
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return context


KEEP = []     # the memory layers behind the feature sources (a QgsProcessingFeatureSource does not own its layer)


def cover_of(layer, context):
    KEEP.append(layer)
    source = QgsProcessingFeatureSource(layer, context)
    return landcover.open_land_cover(source, context, Feedback(), vintages="2021", nomenclature=3)


def test_read_gives_status_built_areas_and_areas(context):
    cover = cover_of(layout(), context)
    assert cover.nomenclature == nom.OCSGE
    reading = engine.read(cover, engine.Options(), Feedback())
    assert reading.areas == pytest.approx({BOTTOM: 4800.0, TOP: 4800.0, LEFT: 1600.0, RIGHT: 1600.0,
                                           CENTRE: 1600.0, LONE: 40.0})
    step1 = reading.vintages["2021"]
    assert step1.status == {BOTTOM: 1, TOP: 1, LEFT: 1, RIGHT: 1, CENTRE: 0, LONE: 1}
    assert step1.built == pytest.approx({LONE: 40.0}) and step1.exempt == set()
    assert sorted(reading.geometries) == [BOTTOM, TOP, LEFT, RIGHT, CENTRE, LONE]
    # without the thresholds no geometry is kept
    assert engine.read(cover, engine.Options(thresholds=False), Feedback()).geometries == {}


def test_patch_graph_neighbours_and_exposure(context):
    cover = cover_of(layout(), context)
    reading = engine.read(cover, engine.Options(), Feedback())
    feedback = Feedback()
    graph = engine.patch_graph(reading.geometries, reading.areas, 2500.0, 0.0, feedback)
    # the small polygons (under 2,500 m²) and every polygon they touch (edges or corners)
    assert {fid: sorted(found) for fid, found in graph.neighbours.items()} == {
        LEFT: [BOTTOM, TOP, CENTRE], RIGHT: [BOTTOM, TOP, CENTRE], CENTRE: [BOTTOM, TOP, LEFT, RIGHT], LONE: []}
    assert "Thresholds: 4 polygons under 2500 m², neighbours…" in feedback.infos
    assert not graph.exposed(CENTRE)            # its whole boundary is shared
    assert graph.exposed(LEFT) and graph.exposed(LONE)


def test_classify_applies_the_thresholds(context):
    cover = cover_of(layout(), context)
    feedback = Feedback()
    result = engine.classify(cover, engine.Options(), feedback)
    # the field enclave becomes artificialised; the lone 40 m² house touches nothing: not surrounded, unchanged
    assert result.changed == {(CENTRE, "2021"): 1}
    assert "2021: the thresholds make 1 polygons (0.1600 ha) artificialised and 0 polygons (0.0000 ha) " \
           "non-artificialised; 0 built polygons of at least 50 m² stay artificialised." in feedback.infos
    assert engine.classify(cover, engine.Options(thresholds=False), Feedback()).changed == {}
    # with a 1,000 m² threshold nothing is small enough but the house
    assert engine.classify(cover, engine.Options(other_min=1000.0), Feedback()).changed == {}


def test_write_and_dissolve(context):
    layer = layout()
    cover = cover_of(layer, context)
    result = engine.classify(cover, engine.Options(), Feedback())
    layout_ = engine.layout(cover.source.fields(), cover.vintages, False, Feedback())
    assert layout_.fields.names() == ["part", "CODE_CS", "CODE_US", "MILLESIME", "artif_2021", "crit_seuil_2021"]
    assert layout_.slots == [4, 5] and layout_.added == ["artif_2021", "crit_seuil_2021"]
    out = QgsVectorLayer("MultiPolygon?crs=EPSG:2154", "out", "memory")
    out.dataProvider().addAttributes(layout_.fields.toList())
    out.updateFields()
    assert engine.write(cover.source, cover.vintages, result, layout_, out.dataProvider(), Feedback())
    found = {f["part"]: (f["artif_2021"], f["crit_seuil_2021"]) for f in out.getFeatures()}
    assert found == {"bottom": (1, 0), "top": (1, 0), "left": (1, 0), "right": (1, 0), "centre": (1, 1),
                     "house": (1, 0)}

    dissolved = engine.layout(cover.source.fields(), cover.vintages, True, Feedback())
    assert dissolved.fields.names() == ["artif_2021", "crit_seuil_2021", "surface_ha"]
    target = engine.memory_target(dissolved, layer.wkbType(), cover.crs)
    assert engine.write(cover.source, cover.vintages, result, dissolved, target.dataProvider(), Feedback(),
                        target.fields())
    sinks = []

    def make_sink(fields, wkb_type, crs):
        sink = QgsVectorLayer("MultiPolygon?crs=%s" % crs.authid(), "dissolved", "memory")
        sink.dataProvider().addAttributes(fields.toList())
        sink.updateFields()
        sinks.append(sink)
        return sink.dataProvider(), "memory-destination"

    feedback = Feedback()
    assert engine.dissolve(target, dissolved, sum(result.areas.values()), make_sink, context, feedback) == \
        "memory-destination"
    rows = sorted((f["artif_2021"], f["crit_seuil_2021"], round(f["surface_ha"], 6)) for f in sinks[0].getFeatures())
    # the frame and the house (1.4400 − 0.16 + 0.004 ha) and the enclave (0.16 ha), all artificialised
    assert rows == [(1, 0, 1.284), (1, 1, 0.16)]
    assert "Dissolved by status: 2 features, 1.4440 ha in, 1.4440 ha out." in feedback.infos


def test_pair_status_and_truthy():
    status = engine.pair_status(nom.OCSGE)
    assert status("CS1.1.1.1", "US5", None) == (1, None, True)
    assert status("CS2.2.1", "US1.1", None) == (0, None, False)
    assert status(None, "US1.1", None)[0] is None
    assert [engine.truthy(v) for v in ("1", "oui", " True ", "0", "non", None)] == [True, True, True, False,
                                                                                     False, False]
