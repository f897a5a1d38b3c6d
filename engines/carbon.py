"""ocs:carbon's engine: each land-cover polygon mapped to an ALDO category per vintage, located in its commune
(pedo-climatic zone, region), split by the report zones, and added to a core.carbon.Ledger (stocks per zone and
vintage, flows per zone and period).

Public API: ``CarbonInputs``, ``CarbonJob(inputs, context, feedback)`` then ``job.run(consumer)`` → Ledger or
None when cancelled; ``CommuneLocator``.
"""
import dataclasses
from collections import Counter

from qgis.core import (
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsSpatialIndex,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core import carbon
from ..core import changes as ch
from ..core import nomenclature as nom
from . import landcover, spatial
from .changes import ZoneFinder

translate = QCoreApplication.translate
CONTEXT = "CarbonAlgorithm"
DEFAULT_ARABLE_SHARE = 0.5
# ZONES count as communes when at least this share of their codes are INSEE codes of ALDO's commune table
INSEE_SHARE = 0.5


@dataclasses.dataclass
class CarbonInputs:
    """The plain inputs of the engine. ``zones``/``communes``: (QgsFeatureSource, field) or None;
    ``pedoclimatic_zone``: a zone code of stocks-zpc.csv or ""; ``mapping_rows``: the user's (cs, us, category)
    rows tried before the shipped mapping; ``arable_share``: 0..1, or None (50 %, said when used)."""

    cover: object                   # engines.landcover.LandCover
    zones: tuple = None
    communes: tuple = None
    pedoclimatic_zone: str = ""
    mapping_rows: list = dataclasses.field(default_factory=list)
    arable_share: float = None


class CommuneLocator:
    """The commune code of a polygon: the commune holding its point on surface, else the nearest one."""

    def __init__(self, items):
        self.values = [value for value, _g in items]
        self.geometries = [geometry for _v, geometry in items]
        self.index = QgsSpatialIndex()
        for i, geometry in enumerate(self.geometries):
            self.index.addFeature(i, geometry.boundingBox())
        self.engines = {}

    def _engine(self, i):
        engine = self.engines.get(i)
        if engine is None:
            engine = self.engines[i] = QgsGeometry.createGeometryEngine(self.geometries[i].constGet())
            engine.prepareGeometry()
        return engine

    def locate(self, geometry):
        """(code, inside): the code of the commune holding the polygon's point on surface (inside True), else of
        the nearest commune (inside False); (None, False) without communes."""
        point = geometry.pointOnSurface()
        if point.isNull():
            point = geometry.centroid()
        box = point.boundingBox()
        for i in self.index.intersects(box):
            if self._engine(i).contains(point.constGet()):
                return self.values[i], True
        nearest = self.index.nearestNeighbor(QgsPointXY(point.asPoint()), 1)
        return (self.values[nearest[0]], False) if nearest else (None, False)


def _items(source, field, transform, counters):
    """[(code as text, geometry)] of a polygon layer, repaired, in the land cover's CRS (NULL codes skipped)."""
    index = source.fields().lookupField(field)
    items = []
    for feature, geometry in landcover.geometries(source, transform):
        geometry = spatial.repaired(geometry, counters)
        value = feature.attributes()[index]
        if geometry is None or nom.is_null(value):
            continue
        items.append((str(value).strip(), geometry))
    return items


class CarbonJob:
    """Everything ocs:carbon computes: inputs resolved, polygons located and mapped, the ledger filled."""

    def __init__(self, inputs, context, feedback):
        self.inputs = inputs
        self.cover = inputs.cover
        self.context = context
        self.feedback = feedback
        self.tables = carbon.tables()
        self.years = self.cover.years()
        self.counters = {"invalid": 0, "empty": 0}
        self.unknown = Counter()
        self.split_area = 0.0
        self.fallbacks = Counter()      # commune or reason → m² located by a fallback
        self.fallback_zones = {}        # commune → zone used
        self.outside = 0.0              # m² of polygons whose point on surface lies in no commune
        self.pedoclimatic_zone = self._pedoclimatic_zone()
        try:
            share = DEFAULT_ARABLE_SHARE if inputs.arable_share is None else inputs.arable_share
            self.mapping = carbon.mapping_for(self.cover.nomenclature, share, inputs.mapping_rows)
        except carbon.CarbonError as error:
            raise QgsProcessingException(translate(CONTEXT, "MAPPING: {0}").format(error))
        if inputs.mapping_rows:
            feedback.pushInfo(translate(CONTEXT, "{0} MAPPING row(s) tried before the shipped mapping.").format(
                len(inputs.mapping_rows)))
        self.translate_codes = carbon.code_translator(self.cover.nomenclature)
        self.zones = None
        self.zone_codes = set()
        if inputs.zones is not None:
            items = _items(inputs.zones[0], inputs.zones[1], self._transform(inputs.zones[0]), self.counters)
            if not items:
                raise QgsProcessingException(translate(CONTEXT, "The zone layer has no polygon with a code."))
            self.zones = ZoneFinder(items, self.cover.meter, self.counters)
            self.zone_codes = {value for value, _g in items}
        self.locator, self.zones_are_communes = self._locator()
        self._locations = {}

    # -- inputs -------------------------------------------------------------------------------------------------
    def _transform(self, source):
        return landcover.reprojection(source.sourceCrs(), self.cover.crs, self.context, self.feedback,
                                      source.sourceName())

    def _pedoclimatic_zone(self):
        code = (self.inputs.pedoclimatic_zone or "").strip()
        if code and code not in self.tables.soil:
            raise QgsProcessingException(translate(
                CONTEXT, "PEDOCLIMATIC_ZONE: '{0}' is not a pedo-climatic zone of ALDO's table. Zones: {1}.").format(
                code, ", ".join(sorted(self.tables.soil))))
        return code

    def _locator(self):
        """(CommuneLocator or None, True when the ZONES codes are the communes)."""
        if self.inputs.communes is not None:
            source, field = self.inputs.communes
            items = _items(source, field, self._transform(source), self.counters)
            if not items:
                raise QgsProcessingException(translate(CONTEXT, "The commune layer has no polygon with a code."))
            self._say_unknown_communes({value for value, _g in items}, "COMMUNES")
            return CommuneLocator(items), False
        if self.zone_codes:
            known = sum(1 for code in self.zone_codes if self.tables.zpc_of(code))
            if known >= INSEE_SHARE * len(self.zone_codes):
                self.feedback.pushInfo(translate(
                    CONTEXT, "The ZONES codes are INSEE commune codes ({0} of {1} in ALDO's commune table): they "
                    "give each polygon its pedo-climatic zone.").format(known, len(self.zone_codes)))
                self._say_unknown_communes(self.zone_codes, "ZONES")
                return CommuneLocator(_items(self.inputs.zones[0], self.inputs.zones[1],
                                             self._transform(self.inputs.zones[0]), {})), True
        if not self.pedoclimatic_zone:
            raise QgsProcessingException(translate(
                CONTEXT, "No commune locates the land: give COMMUNES (INSEE codes), ZONES with INSEE codes, or "
                "PEDOCLIMATIC_ZONE (a zone code such as 2_1 for the whole layer)."))
        self.feedback.reportError(translate(
            CONTEXT, "No commune layer: pedo-climatic zone {0} is used for the whole layer, forest biomass at the "
            "France level and biomass outside forests of inter-region {1}.").format(
            self.pedoclimatic_zone, carbon.DEFAULT_INTER_REGION), False)
        return None, False

    def _say_unknown_communes(self, codes, parameter):
        missing = sorted(code for code in codes if not self.tables.zpc_of(code))
        if missing:
            fallback = self.pedoclimatic_zone and translate(CONTEXT, "PEDOCLIMATIC_ZONE {0}").format(
                self.pedoclimatic_zone) or translate(CONTEXT, "the most frequent zone of their département")
            self.feedback.reportError(translate(
                CONTEXT, "{0}: {1} commune code(s) are not in ALDO's commune table (2018 communes): {2}. Their "
                "land takes {3}.").format(parameter, len(missing), ", ".join(missing[:10]), fallback), False)

    # -- locations ------------------------------------------------------------------------------------------------
    def location(self, commune):
        """The core.carbon.Location of a commune code (None: no commune), with the fallbacks counted."""
        try:
            return self._locations[commune]
        except KeyError:
            pass
        zpc = self.tables.zpc_of(commune) if commune else None
        region = self.tables.region_of(commune) if commune else ""
        if zpc is None:
            zpc = self.pedoclimatic_zone or (self.tables.departement_zpc(commune) if commune else None)
            if zpc is None:
                raise QgsProcessingException(translate(
                    CONTEXT, "Commune '{0}' is not in ALDO's commune table and its département is unknown: give "
                    "PEDOCLIMATIC_ZONE (the zone to use for it).").format(commune))
            self.fallback_zones[commune] = zpc
        location = self._locations[commune] = carbon.Location(zpc, region)
        return location

    def _commune(self, geometry, zone, area):
        if self.locator is None:
            return None
        if self.zones_are_communes and zone is not None:
            return zone
        commune, inside = self.locator.locate(geometry)
        if not inside:
            self.outside += area
        return commune

    # -- the run --------------------------------------------------------------------------------------------------
    def _specs_of_values(self, *values):
        """(spec per vintage, True when one of them is the split agricultural category, the unknown "cs/us"
        pairs) of the raw cs, us values of every vintage (cs1, us1, cs2, us2…)."""
        specs, split, unknown = [], False, []
        for i in range(0, len(values), 2):
            cs, us = self.translate_codes(values[i], values[i + 1])
            category = self.mapping.category(cs, us)
            if category is None:
                unknown.append("%s/%s" % (cs, us))
            split = split or category == carbon.SPLIT
            specs.append(self.mapping.spec(category))
        return tuple(specs), split, tuple(unknown)

    def run(self, consumer=None, all_attributes=False):
        """The filled Ledger (None when cancelled). ``consumer(feature, specs, location)`` receives every polygon
        with a geometry (location: of its largest part; every attribute read when ``all_attributes``)."""
        ledger = carbon.Ledger(self.years, self.tables)
        source = self.cover.source
        indexes = self.cover.indexes()
        request = QgsFeatureRequest()
        if not all_attributes:
            request.setSubsetOfAttributes(sorted({i for pair in indexes for i in pair}))
        specs_of = landcover.PairMemo(self._specs_of_values)
        total = source.featureCount() or 1
        step = max(1, total // 100)
        area_in = 0.0
        for count, feature in enumerate(landcover.features(source, request)):
            if count % step == 0:
                if self.feedback.isCanceled():
                    return None
                self.feedback.setProgress(100.0 * count / total)
            geometry = feature.geometry()
            if geometry is None or geometry.isNull() or geometry.isEmpty():
                self.counters["empty"] += 1
                continue
            attributes = feature.attributes()
            specs, split, unknown = specs_of(*[nom.plain(attributes[i]) for pair in indexes for i in pair])
            for key in unknown:
                self.unknown[key] += 1
            area = self.cover.meter.area(geometry)
            parts, area = self.zones.split(geometry, area) if self.zones is not None else \
                (((None, geometry, area),), area)
            area_in += area
            if split:
                self.split_area += area
            largest = None
            for zone, part, part_area in parts:
                location = self._part_location(part, zone, part_area)
                ledger.add(ch.OUTSIDE_ZONES if zone is None and self.zones is not None else zone,
                           location, specs, part_area)
                if largest is None or part_area > largest[0]:
                    largest = (part_area, location)
            if consumer is not None:
                consumer(feature, specs, largest[1] if largest else None)
        self._check_areas(ledger, area_in)
        self._report(ledger)
        return ledger

    def _part_location(self, part, zone, area):
        commune = self._commune(part, zone, area)
        return self.location(commune) if commune is not None else carbon.Location(self.pedoclimatic_zone, "")

    def _check_areas(self, ledger, area_in):
        area_out = ledger.total_area() * 1e4
        if abs(area_out - area_in) > max(1e-6 * area_in, 1e-3):
            self.feedback.reportError(translate(
                CONTEXT, "Area check failed: {0} ha read, {1} ha counted.").format(
                "%.4f" % (area_in / 1e4), "%.4f" % (area_out / 1e4)), False)
        else:
            self.feedback.pushInfo(translate(CONTEXT, "Area check: {0} ha read, the same counted.").format(
                "%.4f" % (area_in / 1e4)))

    def _report(self, ledger):
        landcover.report_counts(self.feedback, translate(
            CONTEXT, "{0} polygon-vintage(s) with codes the mapping does not know: counted as 'non_classe' "
            "(area, no stock). Add them with MAPPING."), self.unknown)
        for commune, zpc in sorted(self.fallback_zones.items()):
            self.feedback.reportError(translate(
                CONTEXT, "Commune {0} is not in ALDO's commune table: pedo-climatic zone {1} used ({2}).").format(
                commune, zpc, translate(CONTEXT, "PEDOCLIMATIC_ZONE") if self.pedoclimatic_zone else
                translate(CONTEXT, "the most frequent zone of its département")), False)
        if self.outside:
            self.feedback.reportError(translate(
                CONTEXT, "{0} ha of land lie outside every commune: they take the zone of the nearest commune.")
                .format("%.4f" % (self.outside / 1e4)), False)
        if self.split_area and self.inputs.arable_share is None:
            self.feedback.reportError(translate(
                CONTEXT, "{0} ha of OCS GE agricultural herbaceous land (CS2.2.1 × US1.1) split 50 % arable land, "
                "50 % grassland: this share is not a sourced figure; give ARABLE_SHARE for the territory "
                "(e.g. from the Agreste agricultural census).").format("%.2f" % (self.split_area / 1e4)), False)
        for key in ("invalid", "empty"):
            if self.counters.get(key):
                self.feedback.pushInfo(translate(CONTEXT, "Geometries {0}: {1}").format(key, self.counters[key]))
        self.feedback.pushInfo(translate(CONTEXT, "Forest biomass: {0}.").format(self._forest_levels(ledger)))

    def _forest_levels(self, ledger):
        levels = set()
        for _zone, location, specs in ledger.cells:
            for spec in specs:
                for category, _share in spec:
                    if category in carbon.FORESTS:
                        levels.add("%s %s" % (category, self.tables.forest_biomass(category, location.region)[1]))
        return ", ".join(sorted(levels)) or translate(CONTEXT, "no forest")
