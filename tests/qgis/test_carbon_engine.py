"""engines/carbon.py called directly on small hand-built layers (Lambert-93, near Lens).

Communes: 59002 (zone 2_1) = box(0, 0, 100, 100), 62001 (zone 2_3) = box(100, 0, 200, 100), 1 ha each.
Land cover (OCS2D, cs15/us15 → cs21/us21):
    P1 box(0, 0, 100, 100)     1 ha   CS6.3.0/US1.1.3 → CS1.1.1/US5.2.1   arable land sealed in 59002
    P2 box(100, 0, 200, 50)    0.5 ha CS4.1.2/US1.2.4 both vintages       broadleaved wood in 62001
    P3 box(100, 50, 200, 100)  0.5 ha CS9.9.9/US9.9.9 both vintages       unknown codes
By hand (stocks-zpc, flux-zpc, IGN table; see tests/unit/test_carbon.py):
    59002 2015: soil 50;  2021: soil 30;  flow −20 tC (one-off), −73.33 tCO2e
    62001 both: soil 0.5 × 79 = 39.5, litter 0.5 × 9 = 4.5, biomass 0.5 × (97.25 + 6.16) = 51.705; total 95.705
            over 1 ha (0.5 ha of it unknown): 95.705 tC/ha; no flow
"""
import pytest
from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProject,
    QgsVectorLayer,
)

from helpers import Feedback, box, make_layer, ocs2d_layer
from ocs_toolbox.core import carbon
from ocs_toolbox.engines import carbon as engine
from ocs_toolbox.engines import landcover

LAYERS = []
SEALED = (box(0, 0, 100, 100), "CS6.3.0", "US1.1.3", "CS1.1.1", "US5.2.1")
WOOD = (box(100, 0, 200, 50), "CS4.1.2", "US1.2.4", "CS4.1.2", "US1.2.4")
UNKNOWN = (box(100, 50, 200, 100), "CS9.9.9", "US9.9.9", "CS9.9.9", "US9.9.9")
PERIOD = ("2015", "2021")


def communes(codes=("59002", "62001")):
    layer = make_layer([("insee", "string")], [(box(0, 0, 100, 100), codes[0]), (box(100, 0, 200, 100), codes[1])],
                       name="communes")
    LAYERS.append(layer)
    return layer


def job(rows=(SEALED, WOOD, UNKNOWN), zones=None, communes_layer=None, **options):
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    feedback = Feedback()
    layer = ocs2d_layer(list(rows), years=("15", "21"))
    LAYERS.append(layer)
    source = QgsProcessingFeatureSource(layer, context)
    cover = landcover.open_land_cover(source, context, feedback, nomenclature=1)
    inputs = engine.CarbonInputs(cover, zones=(QgsProcessingFeatureSource(zones, context), "insee") if zones
                                 else None,
                                 communes=(QgsProcessingFeatureSource(communes_layer, context), "insee")
                                 if communes_layer else None, **options)
    return engine.CarbonJob(inputs, context, feedback), feedback


def test_zones_that_are_communes():
    carbon_job, feedback = job(zones=communes())
    ledger = carbon_job.run()
    assert carbon_job.zones_are_communes
    assert ledger.zones() == ["59002", "62001"]
    west_2015, west_2021 = ledger.stock("59002", "2015"), ledger.stock("59002", "2021")
    assert (west_2015.soil, west_2021.soil) == (pytest.approx(50.0), pytest.approx(30.0))
    assert west_2015.areas["cultures"] == pytest.approx(1.0)
    assert west_2021.areas["artif_impermeabilises"] == pytest.approx(1.0)
    flow = ledger.flow("59002", PERIOD)
    assert flow.soil_once == pytest.approx(-20.0) and flow.total == pytest.approx(-20.0)
    assert carbon.to_co2e(flow.total) == pytest.approx(-73.333, abs=1e-3)
    east = ledger.stock("62001", "2021")
    assert (east.soil, east.litter, east.biomass) == (pytest.approx(39.5), pytest.approx(4.5),
                                                      pytest.approx(51.705))
    assert east.areas[carbon.UNKNOWN] == pytest.approx(0.5) and east.per_ha == pytest.approx(95.705)
    assert ledger.flow("62001", PERIOD).total == 0.0
    assert ledger.total_area() == pytest.approx(2.0)
    assert any("Area check: 2.0000 ha" in info for info in feedback.infos)
    assert any("2 polygon-vintage(s) with codes the mapping does not know" in e and "CS9.9.9/US9.9.9 (2)" in e
               for e in feedback.errors)
    assert any("foret_feuillus rad13:HDF" in info for info in feedback.infos)


def test_polygon_across_two_communes_is_split():
    across = (box(50, 0, 150, 100), "CS6.3.0", "US1.1.3", "CS6.3.0", "US1.1.3")
    ledger = job(rows=[across], zones=communes())[0].run()
    # 0.5 ha in zone 2_1 (50 tC/ha) + 0.5 ha in zone 2_3 (52 tC/ha)
    assert ledger.stock("59002", "2015").soil == pytest.approx(25.0)
    assert ledger.stock("62001", "2015").soil == pytest.approx(26.0)
    assert ledger.stock(Ellipsis, "2015").total == pytest.approx(51.0)


def test_communes_by_point_on_surface_without_zones():
    carbon_job, _feedback = job(communes_layer=communes())
    ledger = carbon_job.run()
    assert ledger.zones() == [None]
    stock = ledger.stock(Ellipsis, "2015")
    assert stock.soil == pytest.approx(50.0 + 39.5) and stock.area_ha == pytest.approx(2.0)
    assert ledger.flow(Ellipsis, PERIOD).soil_once == pytest.approx(-20.0)


def test_commune_missing_from_the_table():
    carbon_job, feedback = job(rows=[WOOD], communes_layer=communes(("59002", "62999")))
    ledger = carbon_job.run()
    # 62999 is not in zpc.csv: the most frequent zone of the Pas-de-Calais communes, 3_3 (forêts 93)
    assert ledger.stock(Ellipsis, "2021").soil == pytest.approx(0.5 * 93)
    assert any("62999" in e and "not in ALDO's commune table" in e for e in feedback.errors)
    assert any("Commune 62999" in e and "zone 3_3" in e and "département" in e for e in feedback.errors)


def test_missing_commune_takes_the_given_zone():
    carbon_job, feedback = job(rows=[WOOD], communes_layer=communes(("59002", "62999")), pedoclimatic_zone="2_1")
    ledger = carbon_job.run()
    assert ledger.stock(Ellipsis, "2021").soil == pytest.approx(0.5 * 60)
    assert any("Commune 62999" in e and "zone 2_1" in e and "PEDOCLIMATIC_ZONE" in e for e in feedback.errors)


def test_pedoclimatic_zone_for_the_whole_layer():
    carbon_job, feedback = job(rows=[WOOD], pedoclimatic_zone="2_3")
    stock = carbon_job.run().stock(Ellipsis, "2021")
    # France level for forest biomass (no region): 0.5 × (90.35 + 8.33)
    assert stock.soil == pytest.approx(39.5) and stock.biomass == pytest.approx(0.5 * 98.68)
    assert any("pedo-climatic zone 2_3 is used for the whole layer" in e for e in feedback.errors)
    with pytest.raises(QgsProcessingException, match="give COMMUNES"):
        job(rows=[WOOD])
    with pytest.raises(QgsProcessingException, match="'9_9' is not a pedo-climatic zone"):
        job(rows=[WOOD], pedoclimatic_zone="9_9")


def test_mapping_rows_and_consumer():
    carbon_job, _feedback = job(rows=[UNKNOWN], pedoclimatic_zone="2_1",
                                mapping_rows=[("CS9.9.9", "", "prairies_herbacees")])
    seen = []
    ledger = carbon_job.run(lambda feature, specs, location: seen.append((feature.id(), specs, location)))
    assert ledger.stock(Ellipsis, "2021").soil == pytest.approx(0.5 * 69)
    assert seen == [(seen[0][0], ((("prairies_herbacees", 1.0),),) * 2, carbon.Location("2_1", ""))]
    with pytest.raises(QgsProcessingException, match=r"MAPPING: row 1 \(MAPPING\): 'forest' is not an ALDO category"):
        job(rows=[UNKNOWN], pedoclimatic_zone="2_1", mapping_rows=[("CS9", "", "forest")])


def test_cancel():
    carbon_job, feedback = job(zones=communes())
    feedback.cancel()
    assert carbon_job.run() is None


def test_geopackage_fast_path_gives_the_same_ledger(tmp_path):
    """The SQLite fast path (whole GeoPackage layer, no consumer) and the generic path: the same cells, to float
    noise, with a polygon across the two communes and one partly outside both."""
    from helpers import to_gpkg

    rows = [SEALED, WOOD, UNKNOWN, (box(50, 20, 150, 80), "CS6.1.1", "US1.1.1", "CS6.3.0", "US1.1.3"),
            (box(180, 0, 260, 100), "CS4.2.2", "US1.2.4", "CS1.1.1", "US5.2.1")]
    layer = ocs2d_layer(rows, years=("15", "21"))
    path = to_gpkg(layer, tmp_path / "cover.gpkg", "cover")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    on_disk = QgsVectorLayer(path + "|layername=cover", "cover", "ogr")
    zones = communes()
    LAYERS.append(zones)
    ledgers = []
    for gpkg_layer in (None, (path, "cover")):
        feedback = Feedback()
        source = QgsProcessingFeatureSource(on_disk, context)
        cover = landcover.open_land_cover(source, context, feedback, nomenclature=1)
        inputs = engine.CarbonInputs(cover, zones=(QgsProcessingFeatureSource(zones, context), "insee"))
        ledgers.append(engine.CarbonJob(inputs, context, feedback).run(gpkg_layer=gpkg_layer))
    generic, fast = ledgers
    assert generic.zones() == fast.zones() == ["59002", "62001", "hors zones"]
    for zone in generic.zones():
        expected = dict(generic.cells[zone])
        assert dict(fast.cells[zone]) == pytest.approx(expected), zone
    # the polygon across the border: 0.5 × 0.6 ha of grassland ploughed on each side; 0.6 ha of conifers outside
    assert generic.total_area("hors zones") == pytest.approx(0.6)
    assert fast.stock("62001", "2015").areas["prairies_herbacees"] == pytest.approx(0.3)
    assert fast.stock("62001", "2015").areas["foret_coniferes"] == pytest.approx(0.2)


def test_overseas_commune_needs_the_zone_and_says_the_region_is_unknown():
    with_zone, feedback = job(rows=[WOOD], communes_layer=communes(("59002", "97101")), pedoclimatic_zone="2_1")
    stock = with_zone.run().stock(Ellipsis, "2021")
    assert stock.biomass == pytest.approx(0.5 * (90.35 + 8.33))       # France level
    assert any("97101" in e and "region unknown" in e for e in feedback.errors)
    without, _feedback = job(rows=[WOOD], communes_layer=communes(("59002", "97101")))
    with pytest.raises(QgsProcessingException, match="97101"):
        without.run()
