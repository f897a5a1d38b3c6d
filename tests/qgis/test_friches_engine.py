"""engines/friches.py called directly: candidates, sites, inventory, context, output rows and CSV, spatial.Prepared and
Points, on small OCS2D layouts computed by hand (same layout as tests/qgis/test_friches.py)."""
import csv

import pytest
from qgis.core import (
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingFeatureSource,
    QgsProject,
    QgsVectorLayer,
)

from helpers import X0, Y0, Feedback, box, make_layer

from ocs_toolbox.engines import friches as engine
from ocs_toolbox.engines import landcover
from ocs_toolbox.engines import spatial

FIELDS = [("id", "integer"), ("cs05", "string"), ("us05", "string"), ("cs15", "string"), ("us15", "string"),
          ("cs21", "string"), ("us21", "string")]
BUILT, SEALED, FIELD = "CS1.1.1", "CS1.1.2", "CS6.3.0"
KEEP = []     # the memory layers behind the feature sources (a QgsProcessingFeatureSource does not own its layer)


def history(cs, *usages):
    return tuple(v for us in usages for v in (cs, us))


def point(x, y):
    return "POINT(%f %f)" % (X0 + x, Y0 + y)


def layout():
    return make_layer(FIELDS, [
        # fids 1 and 2: a factory closed between 2005 and 2015, 9,000 m² built + 5,000 m² sealed, touching
        (box(0, 0, 90, 100), 1) + history(BUILT, "US2.1.1", "US6.2.1", "US6.2.1"),
        (box(90, 0, 140, 100), 2) + history(SEALED, "US2.1.1", "US6.2.1", "US6.2.1"),
        # fid 3: a friche of 2015 turned into housing in 2021
        (box(1000, 0, 1100, 100), 3) + history(BUILT, "US2.1.1", "US6.2.1", "US5.1.1"),
        # fid 4: never a friche (US6.2.3); fid 5: a 400 m² friche; fid 6: housing, never a candidate
        (box(3000, 0, 3100, 100), 4) + history(FIELD, "US6.2.3", "US6.2.3", "US6.2.3"),
        (box(4000, 0, 4020, 20), 5) + history(BUILT, "US6.2.1", "US6.2.1", "US6.2.1"),
        (box(6000, 0, 6100, 100), 6) + history(BUILT, "US5.1.1", "US5.1.1", "US5.1.1"),
    ])


@pytest.fixture
def context():
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return context


def source(layer, context):
    KEEP.append(layer)
    return QgsProcessingFeatureSource(layer, context)


def cover_of(context):
    return landcover.open_land_cover(source(layout(), context), context, Feedback(), nomenclature=1)


def test_candidates_and_sites(context):
    cover = cover_of(context)
    feedback = Feedback()
    found = engine.candidates(cover, feedback)
    assert sorted(found.polygons) == [1, 2, 3, 5]
    assert found.polygons[1].area == pytest.approx(9000.0) and found.polygons[5].area == pytest.approx(400.0)
    assert found.polygons[1].history[0] == ("2005", "CS1.1.1", "US2.1.1", "CS1.1.1", "US2.1.1")
    assert "1 polygons with US6.2.3 (espaces agricoles non exploités) are never friches (décret 2023-1259)." \
        in feedback.infos
    assert "4 candidate polygons (2.44 ha)." in feedback.infos
    sites = engine.sites(found.polygons, "ocs2d", cover.years(), 1000.0, feedback)
    assert [(sorted(s.members), s.area) for s in sites] == [([1, 2], pytest.approx(14000.0)),
                                                            ([3], pytest.approx(10000.0))]
    factory = sites[0]
    assert factory.shares["bati"] == pytest.approx(9000.0) and factory.shares["artif"] == pytest.approx(14000.0)
    assert factory.geometry.area() == pytest.approx(14000.0)
    assert (factory.history["statut"], factory.history["periode_abandon"]) == ("friche potentielle",
                                                                              "entre 2005 et 2015")
    assert sites[1].history["statut"] == "friche reconvertie" and sites[1].source == "OCS"
    assert "1 candidate sites under MIN_AREA_M2 (400 m² in all) are left out." in feedback.errors


def test_inventory_matches_or_adds(context):
    cover = cover_of(context)
    found = engine.candidates(cover, Feedback())
    sites = engine.sites(found.polygons, "ocs2d", cover.years(), 1000.0, Feedback())
    inventory = make_layer([("site_id", "string"), ("site_nom", "string"), ("site_statut", "string")], [
        (point(1050, 50), "INV-1", "Ancienne filature", "friche avec projet"),
        (point(8000, 50), "INV-2", "Dépôt", None)], geometry="Point")
    feedback = Feedback()
    sites = engine.add_inventory(source(inventory, context), None, sites, feedback)
    assert len(sites) == 3
    mill = sites[1]
    assert (mill.source, mill.inventory_ids, mill.inventory_names, mill.inventory_status) == (
        "OCS+inventaire", ["INV-1"], ["Ancienne filature"], "friche avec projet")
    added = sites[2]
    # a point of the inventory becomes a 10 m buffer (8 segments per quarter: a 32-gon)
    assert (added.source, added.inventory_ids, added.members, added.history) == ("inventaire", ["INV-2"], [], None)
    assert added.area == pytest.approx(added.geometry.area()) and 310.0 < added.area < 314.2
    assert "Inventory: 1 sites matched to the land cover, 1 added (not found in the land cover)." in feedback.infos


def test_run_with_context_layers(context):
    cover = cover_of(context)
    layers = engine.Layers(
        town_halls=source(make_layer([("nom", "string")], [(point(70, 500), "Mairie")], geometry="Point"), context),
        stations=source(make_layer([("nom", "string")], [(point(0, 700), "Gare")], geometry="Point"), context),
        services=source(make_layer([("typequ", "string")], [(point(70, 300), "B104"), (point(80, 300), "X999")],
                                   geometry="Point"), context),
        services_type_field="typequ",
        flood=source(make_layer([("nom", "string")], [(box(950, -50, 1150, 150), "AZI")]), context),
        protected=source(make_layer([("nom", "string")], [(box(1300, 0, 1400, 100), "ZNIEFF")]), context),
        zoning=source(make_layer([("typezone", "string")], [(box(-100, -100, 100, 200), "U"),
                                                            (box(100, -100, 1200, 200), "AUc")]), context),
        zones=source(make_layer([("insee_com", "string"), ("nom", "string")],
                                [(box(-100, -100, 500, 200), "62001", "Lens"),
                                 (box(500, -100, 2000, 200), "62002", None)]), context))
    feedback = Feedback()
    sites = engine.run(cover, 1000.0, layers, context, feedback)
    factory, housing = sites
    assert factory.dist_mairie_m == pytest.approx(400.0) and factory.dist_gare_m == pytest.approx(600.0)
    assert factory.services_500m == 1                    # B104 at 200 m; X999 is no BPE service
    assert (factory.inondable, housing.inondable) == (0, 1)
    # protected area 200 m east of the housing site: not in it, within 500 m; the factory is 1,160 m away
    assert (housing.protege, housing.protege_proche) == (0, 1)
    assert (factory.protege, factory.protege_proche) == (0, 0)
    assert factory.pollution is None                     # no layer given
    # the factory: 10,000 m² in U, 4,000 m² in AUc
    assert (factory.urba_zone_type, housing.urba_zone_type) == ("U", "AUc")
    assert (factory.comm_insee, factory.comm_nom, housing.comm_insee, housing.comm_nom) == (
        "62001", "Lens", "62002", None)
    # the urban polygons (fids 1–3 and 6, 3.4 ha) make no part of enveloppe urbaine of 10 ha or more
    assert factory.dans_enveloppe is None and factory.geometry.contains(factory.point)
    assert feedback.errors == ["1 candidate sites under MIN_AREA_M2 (400 m² in all) are left out."]   # nothing else


def test_zoning_needs_its_type_field(context):
    zoning = source(make_layer([("kind", "string")], [(box(0, 0, 10, 10), "U")]), context)
    with pytest.raises(Exception, match="ZONING_TYPE_FIELD must name the zone type field"):
        engine.zoning([], zoning, "", None)


def test_write_rows_and_csv(context, tmp_path):
    cover = cover_of(context)
    sites = engine.run(cover, 1000.0, engine.Layers(), context, Feedback())
    fields = engine.output_fields()
    assert fields.names()[:3] == ["site_id", "site_nom", "site_type"] and fields.count() == len(engine.COLUMNS)
    sink = QgsVectorLayer("MultiPolygon?crs=EPSG:2154", "out", "memory")
    sink.dataProvider().addAttributes(fields.toList())
    sink.updateFields()
    rows, vocations = engine.write(sites, fields, sink.dataProvider())
    # no commune: by area, the largest first
    assert [r["site_id"] for r in rows] == ["OCS-00000-0001", "OCS-00000-0002"]
    assert [r["site_surface"] for r in rows] == pytest.approx([14000.0, 10000.0])
    assert sum(vocations.values()) == 2
    written = sorted(sink.getFeatures(), key=lambda f: f["site_id"])
    assert [f["site_nom"] for f in written] == ["Site OCS n° 1", "Site OCS n° 2"]
    assert written[0].geometry().area() == pytest.approx(14000.0) and written[0].geometry().isMultipart()
    assert rows[0]["geomsurf"].startswith("MultiPolygon") and rows[0]["geompoint"].startswith("Point")
    path = tmp_path / "f.csv"
    engine.write_csv(str(path), rows)
    with open(path, encoding="utf-8") as handle:
        read = list(csv.DictReader(handle))
    assert list(read[0]) == list(engine.CNIG_COLUMNS)
    assert read[0]["site_id"] == "OCS-00000-0001" and read[0]["site_url"] == ""


def test_prepared_and_points():
    square = QgsGeometry.fromWkt(box(10, 0, 20, 10))
    points = engine.Points([(None, QgsGeometry.fromWkt(point(0, 0))), (None, QgsGeometry.fromWkt(point(100, 0)))])
    assert points.distance(square) == pytest.approx(10.0)
    assert points.count_within(square, 50.0) == 1 and points.count_within(square, 80.0) == 2
    assert engine.Points([]).distance(square) is None
    shapes = spatial.Prepared([QgsGeometry.fromWkt(box(0, 0, 5, 5)), QgsGeometry()])
    assert len(shapes.geometries) == 1
    assert not shapes.intersects(square) and shapes.within_distance(square, 5.0)
    assert not shapes.within_distance(square, 4.9)
    assert shapes.intersects(QgsGeometry.fromWkt(box(4, 4, 8, 8)))


def test_envelope_and_locate():
    from ocs_toolbox.core import friches as fr

    assert engine.envelope({}) is None
    assert engine.envelope({1: QgsGeometry.fromWkt(box(0, 0, 300, 300))}) is None          # 9 ha
    envelope = engine.envelope({1: QgsGeometry.fromWkt(box(0, 0, 400, 300))})              # 12 ha
    inside, outside = fr.Site(QgsGeometry.fromWkt(box(10, 10, 20, 20)), 100.0), \
        fr.Site(QgsGeometry.fromWkt(box(1000, 10, 1010, 20)), 100.0)
    engine.locate([inside, outside], envelope)
    assert (inside.dans_enveloppe, outside.dans_enveloppe) == (1, 0)
    assert inside.point.asWkt(0) == "Point (%d %d)" % (X0 + 15, Y0 + 15)
    engine.locate([inside], None)
    assert inside.dans_enveloppe is None


def test_zone_labels_and_transit_search_as_mutafriches(context):
    """The factory (10,000 m² in U, 4,000 m² in AUc): its U land lies in two zones, 6,000 m² of "zone d'activités
    économiques" and 4,000 m² of "zone urbaine mixte"; Mutafriches reads the labels of the zone covering most of
    it (u_activite, where the bare code U gives u_generique). The only station is 2,600 m away: beyond
    Mutafriches' 2 km search, a search without result (in the reliability, not in the index)."""
    from ocs_toolbox.core import friches as fr
    from ocs_toolbox.core import mutafriches as mf

    cover = cover_of(context)
    fields = [("typezone", "string"), ("libelle", "string"), ("libelong", "string")]
    layers = engine.Layers(
        stations=source(make_layer([("nom", "string")], [(point(0, 2700), "Gare")], geometry="Point"), context),
        zoning=source(make_layer(fields, [(box(-100, -100, 60, 200), "U", "U1", "Zone d'activités économiques"),
                                          (box(60, -100, 100, 200), "U", "U2", "Zone urbaine mixte"),
                                          (box(100, -100, 1200, 200), "AUc", "AUc", None)]), context))
    factory, _housing = engine.run(cover, 1000.0, layers, context, Feedback())
    assert factory.urba_zone_type == "U"
    assert factory.urba_zone["libelong"] == "Zone d'activités économiques"
    assert factory.dist_gare_m == pytest.approx(2600.0) and factory.stations_searched
    found = fr.criteria(factory)
    assert found["zonage_plu"] == "u_activite" and found["distance_transports"] == mf.SEARCHED_NONE
