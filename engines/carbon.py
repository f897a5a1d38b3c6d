"""ocs:carbon's engine: each land-cover polygon mapped to an ALDO category per vintage, located in its commune
(pedo-climatic zone, region), split by the report zones, and added to a core.carbon.Ledger (stocks per zone and
vintage, flows per zone and period).

Public API: ``CarbonInputs``, ``CarbonJob(inputs, context, feedback)`` then ``job.run(consumer)`` → Ledger or
None when cancelled; ``CommuneLocator``.
"""
import dataclasses
import operator
from collections import Counter

import numpy
from qgis.core import (
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core import carbon
from ..core import changes as ch
from ..core import nomenclature as nom
from ..fastpath import gpkg
from . import bordergrid, landcover, spatial
from . import changes as changes_module
from .changes import ZoneFinder
from ..language import number as local_number

translate = QCoreApplication.translate
DEFAULT_ARABLE_SHARE = 0.5
# ZONES count as communes when at least this share of their codes are INSEE codes of ALDO's commune table
INSEE_SHARE = 0.5
# the cells of the border grid (bordergrid.BorderGrid) are this many times smaller than those of the zone grid
BORDER_CELLS_PER_ZONE_CELL = 4
SHARED = -4     # FastRun: a polygon across zone borders whose pieces the border grid measured


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


def mapping_message(error):
    """The message of a core.carbon.CarbonError in the user's language."""
    if error.kind == "category":
        origin, number, value = error.values
        return translate("CarbonAlgorithm", "MAPPING: row {0} ({1}): '{2}' is not an ALDO category. Categories: {3}.").format(
            number, origin, value, ", ".join(tuple(carbon.CATEGORIES) + (carbon.SPLIT,)))
    return translate("CarbonAlgorithm", "ARABLE_SHARE must lie between 0 and 100 %: {0}.").format(error.values[0])


class CommuneLocator(spatial.Prepared):
    """The commune code of a polygon: the commune holding its point on surface, else the nearest one."""

    def __init__(self, items):
        items = [(value, geometry) for value, geometry in items if geometry is not None and not geometry.isEmpty()]
        super().__init__([geometry for _v, geometry in items])
        self.values = [value for value, _g in items]

    def locate(self, geometry):
        """(code, inside): the code of the commune holding the polygon's point on surface (inside True), else of
        the nearest commune (inside False); (None, False) without communes."""
        point = geometry.pointOnSurface()
        if point.isNull():
            point = geometry.centroid()
        box = point.boundingBox()
        for i in self.index.intersects(box):
            if self.engine(i).contains(point.constGet()):
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
        self.no_region = set()          # communes outside the metropolitan départements of the region table
        self.pedoclimatic_zone = self._pedoclimatic_zone()
        try:
            share = DEFAULT_ARABLE_SHARE if inputs.arable_share is None else inputs.arable_share
            self.mapping = carbon.mapping_for(self.cover.nomenclature, share, inputs.mapping_rows)
        except carbon.CarbonError as error:
            raise QgsProcessingException(mapping_message(error))
        if inputs.mapping_rows:
            feedback.pushInfo(translate("CarbonAlgorithm", "{0} MAPPING row(s) tried before the shipped mapping.").format(
                len(inputs.mapping_rows)))
        self.translate_codes = carbon.code_translator(self.cover.nomenclature)
        self.zones = None
        self.zone_codes = set()
        if inputs.zones is not None:
            items = _items(inputs.zones[0], inputs.zones[1], self._transform(inputs.zones[0]), self.counters)
            if not items:
                raise QgsProcessingException(translate("CarbonAlgorithm", "The zone layer has no polygon with a code."))
            self.zones = ZoneFinder(items, self.cover.meter, self.counters)
            self.zone_codes = {value for value, _g in items}
        self._zones_union = None
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
                "CarbonAlgorithm", "PEDOCLIMATIC_ZONE: '{0}' is not a pedo-climatic zone of ALDO's table. Zones: {1}.").format(
                code, ", ".join(sorted(self.tables.soil))))
        return code

    def _locator(self):
        """(CommuneLocator or None, True when the ZONES codes are the communes)."""
        if self.inputs.communes is not None:
            source, field = self.inputs.communes
            items = _items(source, field, self._transform(source), self.counters)
            if not items:
                raise QgsProcessingException(translate("CarbonAlgorithm", "The commune layer has no polygon with a code."))
            self._say_unknown_communes({value for value, _g in items}, "COMMUNES")
            return CommuneLocator(items), False
        if self.zone_codes:
            known = sum(1 for code in self.zone_codes if self.tables.zpc_of(code))
            if known >= INSEE_SHARE * len(self.zone_codes):
                self.feedback.pushInfo(translate(
                    "CarbonAlgorithm", "The ZONES codes are INSEE commune codes ({0} of {1} in ALDO's commune table): they "
                    "give each polygon its pedo-climatic zone.").format(known, len(self.zone_codes)))
                self._say_unknown_communes(self.zone_codes, "ZONES")
                return CommuneLocator(_items(self.inputs.zones[0], self.inputs.zones[1],
                                             self._transform(self.inputs.zones[0]), {})), True
        if not self.pedoclimatic_zone:
            raise QgsProcessingException(translate(
                "CarbonAlgorithm", "No commune locates the land: give COMMUNES (INSEE codes), ZONES with INSEE codes, or "
                "PEDOCLIMATIC_ZONE (a zone code such as 2_1 for the whole layer)."))
        self.feedback.reportError(translate(
            "CarbonAlgorithm", "No commune layer: pedo-climatic zone {0} is used for the whole layer, forest biomass at the "
            "France level and biomass outside forests of inter-region {1}.").format(
            self.pedoclimatic_zone, carbon.DEFAULT_INTER_REGION), False)
        return None, False

    def _say_unknown_communes(self, codes, parameter):
        missing = sorted(code for code in codes if not self.tables.zpc_of(code))
        if missing:
            fallback = self.pedoclimatic_zone and translate("CarbonAlgorithm", "PEDOCLIMATIC_ZONE {0}").format(
                self.pedoclimatic_zone) or translate("CarbonAlgorithm", "the most frequent zone of their département")
            self.feedback.reportError(translate(
                "CarbonAlgorithm", "{0}: {1} commune code(s) are not in ALDO's commune table (2018 communes): {2}. Their "
                "land takes {3}.").format(parameter, len(missing), ", ".join(missing[:10]), fallback), False)

    def zones_union(self):
        """The union of the zone polygons (computed once: the fast path and the total row both need it)."""
        if self._zones_union is None:
            self._zones_union = QgsGeometry.unaryUnion(self.zones.geometries)
        return self._zones_union

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
                    "CarbonAlgorithm", "Commune '{0}' is not in ALDO's commune table and its département is unknown: give "
                    "PEDOCLIMATIC_ZONE (the zone to use for it).").format(commune))
            self.fallback_zones[commune] = zpc
        if not region:
            self.no_region.add(commune)
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
    def specs_of_values(self, *values):
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

    def run(self, consumer=None, all_attributes=False, gpkg_layer=None):
        """The filled Ledger (None when cancelled). ``consumer(feature, specs, location)`` receives every polygon
        with a geometry (location: of its largest part; every attribute read when ``all_attributes``).
        ``gpkg_layer``: (path, layer name) when INPUT is a whole GeoPackage layer: without a consumer, a plain
        polygon layer whose CRS is kept is read with SQLite (``FastRun``), the same figures faster."""
        if gpkg_layer is not None and consumer is None and self.cover.transform is None and \
                not self.cover.meter.geographic:
            try:
                gpkg.require_plain_polygons(*gpkg_layer)
                return FastRun(self, gpkg_layer).run()
            except gpkg.FastPathUnavailable as reason:
                self.feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
                self.unknown.clear()
                self.split_area = 0.0
                self.outside = 0.0
        ledger = carbon.Ledger(self.years, self.tables)
        source = self.cover.source
        flat = [i for pair in self.cover.indexes() for i in pair]
        request = QgsFeatureRequest()
        if not all_attributes:
            request.setSubsetOfAttributes(sorted(set(flat)))
        codes = operator.itemgetter(*flat)      # two fields or more: a tuple
        memo = {}
        cells = ledger.cells
        area_of = self.cover.meter.area
        split = self.zones.split if self.zones is not None else None
        total = source.featureCount() or 1
        step = max(1, total // 100)
        area_in = 0.0
        for count, feature in enumerate(landcover.features(source, request)):
            if count % step == 0:
                if self.feedback.isCanceled():
                    return None
                self.feedback.setProgress(100.0 * count / total)
            geometry = feature.geometry()
            if geometry.isNull() or geometry.isEmpty():
                self.counters["empty"] += 1
                continue
            specs, is_split = self.specs_of_codes(memo, codes(feature.attributes()))
            area = area_of(geometry)
            parts, area = split(geometry, area) if split is not None else (((None, geometry, area),), area)
            area_in += area
            if is_split:
                self.split_area += area
            largest = None
            for zone, part, part_area in parts:
                location = self.part_location(part, zone, part_area)
                if zone is None and split is not None:
                    zone = ch.OUTSIDE_ZONES
                cells[zone][(location, specs)] += part_area
                if largest is None or part_area > largest[0]:
                    largest = (part_area, location)
            if consumer is not None:
                consumer(feature, specs, largest[1] if largest else None)
        self._check_areas(ledger, area_in)
        self._report(ledger)
        return ledger

    def finish(self, ledger, area_in):
        self._check_areas(ledger, area_in)
        self._report(ledger)
        return ledger

    def specs_of_codes(self, memo, raw):
        """(specs, split) of the raw codes of a polygon, computed once per distinct tuple; unknown codes counted
        per polygon."""
        try:
            entry = memo[raw]
        except KeyError:
            entry = memo[raw] = self.specs_of_values(*[nom.plain(v) for v in raw])
        except TypeError:       # a QVariant NULL is unhashable: key on the plain values
            plain = tuple(nom.plain(v) for v in raw)
            entry = memo.get(plain)
            if entry is None:
                entry = memo[plain] = self.specs_of_values(*plain)
        for key in entry[2]:
            self.unknown[key] += 1
        return entry[0], entry[1]

    def part_location(self, part, zone, area):
        if self.zones_are_communes and zone is not None:
            location = self._locations.get(zone)
            if location is not None:
                return location
        commune = self._commune(part, zone, area)
        return self.location(commune) if commune is not None else carbon.Location(self.pedoclimatic_zone, "")

    def _check_areas(self, ledger, area_in):
        area_out = ledger.total_area() * 1e4
        if abs(area_out - area_in) > max(1e-6 * area_in, 1e-3):
            self.feedback.reportError(translate(
                "CarbonAlgorithm", "Area check failed: {0} ha read, {1} ha counted.").format(
                local_number(area_in / 1e4, 4), local_number(area_out / 1e4, 4)), False)
        else:
            self.feedback.pushInfo(translate("CarbonAlgorithm", "Area check: {0} ha read, the same counted.").format(
                local_number(area_in / 1e4, 4)))

    def _report(self, ledger):
        landcover.report_counts(self.feedback, translate(
            "CarbonAlgorithm", "{0} polygon-vintage(s) with codes the mapping does not know: counted as 'non_classe' "
            "(area, no stock). Add them with MAPPING."), self.unknown)
        for commune, zpc in sorted(self.fallback_zones.items()):
            self.feedback.reportError(translate(
                "CarbonAlgorithm", "Commune {0} is not in ALDO's commune table: pedo-climatic zone {1} used ({2}).").format(
                commune, zpc, translate("CarbonAlgorithm", "PEDOCLIMATIC_ZONE") if self.pedoclimatic_zone else
                translate("CarbonAlgorithm", "the most frequent zone of its département")), False)
        if self.no_region:
            self.feedback.reportError(translate(
                "CarbonAlgorithm", "Commune(s) {0}: not in a metropolitan département, region unknown: forest biomass at "
                "the France level, biomass outside forests of inter-region {1}.").format(
                ", ".join(sorted(self.no_region)[:10]), carbon.DEFAULT_INTER_REGION), False)
        if self.outside:
            self.feedback.reportError(translate(
                "CarbonAlgorithm", "{0} ha of land lie outside every commune: they take the zone of the nearest commune.")
                .format(local_number(self.outside / 1e4, 4)), False)
        if self.split_area and self.inputs.arable_share is None:
            self.feedback.reportError(translate(
                "CarbonAlgorithm", "{0} ha of OCS GE agricultural herbaceous land (CS2.2.1 × US1.1) split 50 % arable land, "
                "50 % grassland: this share is not a sourced figure; give ARABLE_SHARE for the territory "
                "(e.g. from the Agreste agricultural census).").format(local_number(self.split_area / 1e4, 2)), False)
        if self.counters.get("invalid"):
            self.feedback.pushInfo(translate("CarbonAlgorithm", "{0} invalid geometries repaired where polygons were cut at "
                                                      "zone borders.").format(self.counters["invalid"]))
        if self.counters.get("empty"):
            self.feedback.reportError(translate("CarbonAlgorithm", "{0} polygons without a geometry (NULL or empty): no area.")
                                      .format(self.counters["empty"]), False)
        self.feedback.pushInfo(translate("CarbonAlgorithm", "Forest biomass: {0}.").format(self._forest_levels(ledger)))

    def _forest_levels(self, ledger):
        levels = set()
        for location, specs, _area in ledger.items():
            for spec in specs:
                for category, _share in spec:
                    if category in carbon.FORESTS:
                        levels.add("%s %s" % (category, self.tables.forest_biomass(category, location.region)[1]))
        return ", ".join(sorted(levels)) or translate("CarbonAlgorithm", "no forest")


class FastRun:
    """CarbonJob.run on a whole GeoPackage layer of plain polygons: codes and WKB read with SQLite in batches, the
    codes mapped once per distinct tuple, the areas measured from the WKB, and the zones placed with numpy by
    bordergrid.BorderGrid (the zones' border segments filed in a fine grid): a polygon whose box lies in cells
    without border takes the zone of the grid there, one whose edges cross no border the zone of its first
    vertex, one across borders is cut by measure (BorderGrid.shares); GEOS (``_cut``) only for what the grid
    cannot tell (touches, invalid polygons, land outside the zones). Zones the grid cannot read (curves): the
    zone grid of ZoneFinder. The same ledger as the generic path."""

    def __init__(self, job, gpkg_layer):
        self.job = job
        self.gpkg_layer = gpkg_layer
        self.cells = {}         # (ix, iy) → zone index, −1 when the cell is not inside one zone
        self.spec_list, self.spec_index = [], {}    # the distinct specs (tuples per vintage) and their ids
        self.territory = self.territory_geometry = None
        self.border = False     # the BorderGrid of the zones, built when first needed (None: not available)

    def _cell_zone(self, ix, iy):
        finder = self.job.zones
        x0 = finder.extent.xMinimum() + ix * finder.size
        y0 = finder.extent.yMinimum() + iy * finder.size
        rect = QgsRectangle(x0, y0, x0 + finder.size, y0 + finder.size)
        cell = QgsGeometry.fromRect(rect)
        for i in finder.index.intersects(rect):
            if finder.engine(i).contains(cell.constGet()):
                return i
        return -1

    def _zones_of(self, boxes):
        """Zone index of each box lying in at most 2 × 2 cells all inside one zone, else −1."""
        finder = self.job.zones
        origin = numpy.array([finder.extent.xMinimum(), finder.extent.yMinimum()])
        low = numpy.floor((boxes[:, :2] - origin) / finder.size).astype(numpy.int64)
        high = numpy.floor((boxes[:, 2:] - origin) / finder.size).astype(numpy.int64)
        small = numpy.all(high - low <= 1, axis=1)
        zones = numpy.full(len(boxes), -1, dtype=numpy.int64)
        corners = []
        y_min = int(low[:, 1].min())
        span = int(high[:, 1].max()) - y_min + 1
        for x, y in ((low[:, 0], low[:, 1]), (high[:, 0], low[:, 1]), (low[:, 0], high[:, 1]),
                     (high[:, 0], high[:, 1])):
            keys = x * span + (y - y_min)       # one integer per cell: a 1-D unique
            unique, inverse = numpy.unique(keys, return_inverse=True)
            values = numpy.array([self._cached_cell(int(key // span), int(key % span) + y_min) for key in unique],
                                 dtype=numpy.int64)
            corners.append(values[inverse.reshape(-1)])
        same = small & (corners[0] >= 0)
        for other in corners[1:]:
            same &= other == corners[0]
        zones[same] = corners[0][same]
        return zones

    def _border(self):
        """The BorderGrid of the zones (built at the first batch that needs it), None when the zones are not plain
        polygons."""
        if self.border is False:
            finder = self.job.zones
            try:
                self.border = bordergrid.BorderGrid([bytes(g.asWkb()) for g in finder.geometries],
                                                    finder.size / BORDER_CELLS_PER_ZONE_CELL)
            except ValueError:
                self.border = None
        return self.border

    def _cached_cell(self, ix, iy):
        key = (ix, iy)
        zone = self.cells.get(key)
        if zone is None:
            zone = self.cells[key] = self._cell_zone(ix, iy)
        return zone

    def run(self):
        job = self.job
        cover = job.cover
        columns = [name for v in cover.vintages for name in (v.cs_field, v.us_field)]
        ledger = carbon.Ledger(job.years, job.tables)
        memo = {}
        total = cover.source.featureCount() or 1
        done, area_in = 0, 0.0
        try:
            for rows in gpkg.feature_rows(self.gpkg_layer[0], self.gpkg_layer[1], columns):
                if job.feedback.isCanceled():
                    return None
                area_in += self._batch(rows, ledger, memo)
                done += len(rows)
                job.feedback.setProgress(100.0 * done / total)
        finally:
            self.territory = None           # the engine before the geometry it reads
            self.territory_geometry = None
        return job.finish(ledger, area_in)

    def _batch(self, rows, ledger, memo):
        """Add a batch of rows to the ledger; returns the area read (m²). The areas are read from the WKB with
        numpy (spatial.wkb_areas); a QgsGeometry is made only for a polygon to cut at zone borders, or for the
        whole batch when a WKB is not a plain 2D (multi)polygon."""
        job = self.job
        factor = job.cover.meter.factor      # planar areas in the layer's CRS (kept: no transform)
        unknown = job.unknown
        wkbs, boxes, specs_ids, split_flags = [], [], [], []
        for row in rows:
            wkb = row[-2]
            if wkb is None:
                job.counters["empty"] += 1
                continue
            raw = row[:-2]
            entry = memo.get(raw)           # SQLite values: always hashable
            if entry is None:
                entry = memo[raw] = self._entry(raw)
            for key in entry[2]:
                unknown[key] += 1
            wkbs.append(wkb)
            boxes.append(row[-1])
            specs_ids.append(entry[0])
            split_flags.append(entry[1])
        if not wkbs:
            return 0.0
        spec_list = self.spec_list
        geometries = {}
        areas = spatial.wkb_areas(wkbs)
        if areas is None:                   # a curve, a 3D or an odd WKB: QGIS reads them all
            geometries = {i: self._geometry(wkb) for i, wkb in enumerate(wkbs)}
            areas = numpy.array([geometries[i].area() for i in range(len(wkbs))])
        areas = areas * factor
        for i, box in enumerate(boxes):
            if box is None:                 # no envelope in the blob header
                if i not in geometries:
                    geometries[i] = self._geometry(wkbs[i])
                geometry = geometries[i]
                rect = geometry.boundingBox()
                boxes[i] = (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
        specs_ids = numpy.array(specs_ids, dtype=numpy.int64)
        job.split_area += float(areas[numpy.array(split_flags, dtype=bool)].sum())
        if job.zones is None or job.locator is not None and not job.zones_are_communes:
            zones = numpy.full(len(areas), -1, dtype=numpy.int64)
        elif self._border() is None:
            zones = self._zones_of(numpy.array(boxes))
        else:
            zones = self._border_zones(wkbs, numpy.array(boxes), geometries, ledger, specs_ids, areas, factor)
        self._add_assigned(ledger, zones, specs_ids, areas, spec_list)
        area_in = float(areas[(zones >= 0) | (zones == SHARED)].sum())
        for i in numpy.flatnonzero(zones == -1).tolist():
            geometry = geometries[i] if i in geometries else self._geometry(wkbs[i])
            area_in += self._add_one(ledger, geometry, float(areas[i]), spec_list[specs_ids[i]])
        return area_in

    def _border_zones(self, wkbs, boxes, geometries, ledger, specs_ids, areas, factor):
        """The zone of each polygon from the border grid (−1: ask GEOS); the valid polygons across borders are
        cut in numpy (bordergrid.BorderGrid.shares), their pieces added to the ledger (SHARED)."""
        border = self.border
        zones = border.box_zones(boxes)
        edge = numpy.flatnonzero(zones == bordergrid.BORDER)
        if len(edge):
            found = border.zones([wkbs[i] for i in edge.tolist()])
            zones[edge] = found if found is not None else -1
            cross = edge[found == bordergrid.CROSSES] if found is not None else edge[:0]
            if len(cross):
                # an invalid polygon is repaired before it is cut (the area of the repaired one): GEOS does it
                valid = numpy.array([(geometries[i] if i in geometries else self._geometry(wkbs[i])).isGeosValid()
                                     for i in cross.tolist()], dtype=bool)
                cross = cross[valid]
                member, zone, piece, solved = border.shares([wkbs[i] for i in cross.tolist()])
                polygon = cross[member]
                self._add_assigned(ledger, zone, specs_ids[polygon], piece * factor, self.spec_list)
                zones[cross[solved]] = SHARED
        return numpy.where(zones == SHARED, SHARED, numpy.maximum(zones, -1))

    @staticmethod
    def _geometry(wkb):
        geometry = QgsGeometry()
        geometry.fromWkb(wkb)
        return geometry

    def _entry(self, raw):
        """(spec id, split, unknown "cs/us" pairs) of the raw codes of one polygon."""
        specs, is_split, unknown = self.job.specs_of_values(*[nom.plain(v) for v in raw])
        index = self.spec_index.get(specs)
        if index is None:
            index = self.spec_index[specs] = len(self.spec_list)
            self.spec_list.append(specs)
        return index, is_split, unknown

    def _add_assigned(self, ledger, zones, specs_ids, areas, spec_list):
        """The polygons whose zone the cells tell, summed per (zone, specs) with numpy."""
        assigned = zones >= 0
        if not assigned.any():
            return
        keys = zones[assigned] * len(spec_list) + specs_ids[assigned]
        unique, inverse = numpy.unique(keys, return_inverse=True)
        sums = numpy.bincount(inverse.reshape(-1), weights=areas[assigned])
        finder = self.job.zones
        for key, area in zip(unique.tolist(), sums.tolist()):
            zone = finder.values[key // len(spec_list)]
            location = self.job.location(zone) if self.job.zones_are_communes else \
                carbon.Location(self.job.pedoclimatic_zone, "")
            ledger.cells[zone][(location, spec_list[key % len(spec_list)])] += area

    def _cut(self, geometry, area):
        """ZoneFinder.split, faster for a polygon across zone borders: each zone is clipped to the polygon's box
        (a rectangle clip) before the intersection. When the pieces do not add up to the polygon (land outside
        every zone, or a clip GEOS cannot use), ZoneFinder.split does it, exactly."""
        finder, job = self.job.zones, self.job
        box = geometry.boundingBox()
        candidates = finder.index.intersects(box)
        if len(candidates) < 2:
            return finder.split(geometry, area)
        shape = geometry.constGet()
        for i in candidates:     # inside one zone (as the cells tell for most polygons, without a repair)
            if finder.engine(i).contains(shape):
                return [(finder.values[i], geometry, area)], area
        valid = spatial.repaired(geometry, job.counters)
        if valid is None:
            return finder.split(geometry, area)
        if valid is not geometry:
            geometry, area = valid, job.cover.meter.area(valid)
        if len(candidates) == 2 and (job.locator is None or job.zones_are_communes) and \
                self._territory().contains(geometry.constGet()):
            two = self._two_zones(geometry, area, box, candidates)
            if two is not None:
                return two, area
        parts, covered = [], 0.0
        for i in candidates:
            clipped = finder.geometries[i].clipped(box)
            if clipped.isEmpty():
                continue
            piece = geometry.intersection(clipped)
            piece = spatial.polygonal_part(piece) if not piece.isEmpty() else None
            piece_area = job.cover.meter.area(piece) if piece is not None else 0.0
            if piece_area > 0:
                parts.append((finder.values[i], piece, piece_area))
                covered += piece_area
        if abs(area - covered) > max(changes_module.RESIDUAL_SHARE * area, 1e-6):
            return finder.split(geometry, area)
        return parts, area

    def _territory(self):
        """A prepared engine of the union of the zones (built at the first polygon across a border)."""
        if self.territory is None:
            union = self.job.zones_union()
            self.territory = QgsGeometry.createGeometryEngine(union.constGet())
            self.territory.prepareGeometry()
            self.territory_geometry = union        # the engine reads it: keep it alive
        return self.territory

    def _two_zones(self, geometry, area, box, candidates):
        """A polygon inside the zones' union across two zones: one intersection, the rest is the other zone's
        (its part's geometry is the polygon's: the zone names its commune). None when the piece is empty or whole
        (a clip GEOS cannot use, or zones that overlap): cut in full."""
        finder = self.job.zones
        first, second = candidates
        clipped = finder.geometries[first].clipped(box)
        piece = geometry.intersection(clipped) if not clipped.isEmpty() else None
        piece = spatial.polygonal_part(piece) if piece is not None and not piece.isEmpty() else None
        piece_area = self.job.cover.meter.area(piece) if piece is not None else 0.0
        if not 0.0 < piece_area < area:
            return None
        return [(finder.values[first], piece, piece_area), (finder.values[second], geometry, area - piece_area)]

    def _add_one(self, ledger, geometry, area, specs):
        """A polygon the cells do not place: split by the zones and located as the generic path does."""
        job = self.job
        parts, area = self._cut(geometry, area) if job.zones is not None else (((None, geometry, area),), area)
        for zone, part, part_area in parts:
            location = job.part_location(part, zone, part_area)
            if zone is None and job.zones is not None:
                zone = ch.OUTSIDE_ZONES
            ledger.cells[zone][(location, specs)] += part_area
        return area
