"""The land-cover input of every engine: features read without Processing's validity filter, vintages and
nomenclature resolved from the fields and codes, areas in m² and the metric transform.

Plain QGIS work (sources, geometries, CRSs): no Processing parameter is read here."""
import dataclasses
import math

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDistanceArea,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsUnitTypes,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import detection
from ..core import metric
from ..core import nomenclature as nom
from ..fastpath import gpkg, pg
from ..language import number as local_number

translate = QCoreApplication.translate


PLAIN_TYPES = (compat.WKB_POLYGON, compat.WKB_MULTIPOLYGON)


def is_plain(wkb_type):
    """True for a 2D Polygon or MultiPolygon type: no curve, no Z, no M."""
    return wkb_type in PLAIN_TYPES


def plain_geometry(geometry):
    """``geometry`` as the measures need it: curves segmentized (QGIS's default, at most 1° of arc per segment:
    a circle's area within 0.01 %), Z and M dropped. The same object when it is already plain, NULL or empty."""
    if geometry is None or geometry.isNull() or is_plain(geometry.wkbType()):
        return geometry
    shape = geometry.constGet()
    shape = shape.segmentize() if QgsWkbTypes.isCurvedType(shape.wkbType()) else shape.clone()
    shape.dropZValue()
    shape.dropMValue()
    return QgsGeometry(shape)


def _plain_features(iterator):
    for feature in iterator:
        geometry = feature.geometry()
        if not is_plain(geometry.wkbType()) and not geometry.isNull():
            feature.setGeometry(plain_geometry(geometry))
        yield feature


def features(source, request=None, raw=False):
    """Iterate a source without Processing's geometry-validity filter: rules here read attributes,
    and the spatial steps repair what they use (counted and reported).

    Geometries come plain (``plain_geometry``: curves segmentized, Z and M dropped) unless ``raw``; a source whose
    declared type is a 2D Polygon or MultiPolygon (the common case) is read as it is, without a Python step per
    feature (QGIS's memory provider converts to the declared type, GDAL writes it)."""
    request = request or QgsFeatureRequest()
    iterator = source.getFeatures(request, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks)
    if raw or is_plain(source.wkbType()):
        return iterator
    return _plain_features(iterator)


def missing_geometries(source, gpkg_layer=None):
    """The number of features of ``source`` without a geometry (NULL or empty). From the GeoPackage's R-tree
    when ``gpkg_layer`` = (path, layer name) is the whole layer (no pass over the geometries), counted by
    PostgreSQL when it is a fastpath.pg.PgRelation (the whole layer), else one pass."""
    if isinstance(gpkg_layer, pg.PgRelation):
        try:
            return pg.missing_geometries(gpkg_layer)
        except (gpkg.FastPathUnavailable, RuntimeError):
            gpkg_layer = None
    if gpkg_layer is not None:
        count = gpkg.missing_geometries(*gpkg_layer)
        if count is not None:
            return count
    request = QgsFeatureRequest().setNoAttributes()
    return sum(1 for feature in features(source, request, raw=True)
               if feature.geometry().isNull() or feature.geometry().isEmpty())


def report_geometries(source, feedback, gpkg_layer=None):
    """Say in the log how the geometries of ``source`` are read: curves segmentized and Z/M dropped for the
    measures, and the count of features without a geometry (a warning; ``gpkg_layer``: as missing_geometries).
    Returns that count."""
    wkb_type = source.wkbType()
    if not is_plain(wkb_type) and QgsWkbTypes.geometryType(wkb_type) == compat.GEOMETRY_POLYGON:
        feedback.pushInfo(translate("OcsAlgorithm", "'{0}' holds {1} geometries: curves are segmentized (at most "
                                    "1° of arc per segment) and Z/M values dropped for areas, distances and overlays.")
                          .format(source.sourceName(), QgsWkbTypes.displayString(wkb_type)))
    missing = missing_geometries(source, gpkg_layer)
    if missing:
        feedback.reportError(translate("OcsAlgorithm", "'{0}': {1} features have no geometry (NULL or empty): "
                                       "they count for no area; tools that copy the features keep them.").format(
            source.sourceName(), missing), False)
    return missing


def geometries(source, transform=None, request=None, counter=None):
    """(feature, geometry) of the features that have a geometry, the geometry a copy in the CRS of ``transform``
    (when given); features without one are skipped and counted in ``counter['empty']`` when a counter is given."""
    for feature in features(source, request):
        geometry = feature.geometry()
        if geometry is None or geometry.isNull() or geometry.isEmpty():
            if counter is not None:
                counter["empty"] = counter.get("empty", 0) + 1
            continue
        geometry = QgsGeometry(geometry)
        if transform is not None:
            geometry.transform(transform)
        yield feature, geometry


def nomenclature_from_enum(index):
    """Index of the NOMENCLATURE enum → registry key (None = auto-detect)."""
    return (None, nom.OCS2D_2021, nom.OCS2D_NPDC, nom.OCSGE)[index]


def resolve_vintages(source, parameters_vintages, cs_field, us_field, feedback):
    """Vintages to process as a list of VintageFields with a year (or avant/apres) each.

    Raises QgsProcessingException naming the fields looked for and those found.
    """
    names = source.fields().names()
    try:
        wanted = detection.parse_vintages(parameters_vintages)
    except ValueError as error:
        raise QgsProcessingException(
            translate("OcsAlgorithm", "VINTAGES: '{0}' is not a year. Give years such as 2015,2021.").format(error.args[0]))
    if cs_field or us_field:
        missing = [f for f in (cs_field, us_field) if not f or f not in names]
        if missing:
            raise QgsProcessingException(
                translate("OcsAlgorithm", "CS_FIELD and US_FIELD must both name fields of the layer. Missing: {0}. Fields found: {1}.")
                .format(", ".join(m or "(empty)" for m in missing), ", ".join(names)))
        vintage = None
        if len(wanted) == 1:
            vintage = wanted[0]
        else:
            detected, _m = detection.detect_vintage_fields([cs_field, us_field])
            if detected and detected[0].vintage:
                vintage = detected[0].vintage
        found = [detection.VintageFields(vintage, cs_field, us_field, "override")]
        millesime = detection.find_field(names, detection.MILLESIME_FIELDS)
    else:
        found, millesime = detection.detect_vintage_fields(names)
    if not found:
        raise QgsProcessingException(
            translate("OcsAlgorithm", "No couverture/usage fields found in '{0}'. Looked for csYY/usYY (OCS2D), cs3_YYYY/us3_YYYY, "
               "CODE_CS/CODE_US, code_cs/code_us or couverture/usage (OCS GE), CS_YYYY/US_YYYY or "
               "cs_avant/cs_apres (IGN change products). Fields found: {1}. Use CS_FIELD and US_FIELD to name "
               "them.").format(source.sourceName(), ", ".join(names)))
    # Single-date layers: the year comes from VINTAGES or the millésime field.
    if len(found) == 1 and found[0].vintage is None:
        entry = found[0]
        if len(wanted) == 1:
            entry.vintage = wanted[0]
        elif len(wanted) > 1:
            raise QgsProcessingException(
                translate("OcsAlgorithm", "The layer holds one vintage (fields {0}/{1}); VINTAGES names {2}.").format(
                    entry.cs_field, entry.us_field, ", ".join(wanted)))
        elif millesime:
            index = source.fields().lookupField(millesime)
            years = sorted({str(v).strip()[:4] for v in source.uniqueValues(index) if not nom.is_null(v)})
            if len(years) == 1:
                entry.vintage = years[0]
            else:
                raise QgsProcessingException(
                    translate("OcsAlgorithm", "Field {0} holds several years ({1}): give the one to use in VINTAGES, or split the "
                       "layer by millésime.").format(millesime, ", ".join(years) or translate("OcsAlgorithm", "none")))
        else:
            raise QgsProcessingException(
                translate("OcsAlgorithm", "Cannot tell the vintage of '{0}': no MILLESIME field. Give the year in VINTAGES.").format(
                    source.sourceName()))
        return [entry]
    if wanted:
        available = {v.vintage: v for v in found}
        missing = [w for w in wanted if w not in available]
        if missing:
            raise QgsProcessingException(
                translate("OcsAlgorithm", "Vintage(s) {0} not found in '{1}'. Vintages detected: {2}.").format(
                    ", ".join(missing), source.sourceName(), ", ".join(sorted(available))))
        found = [available[w] for w in wanted]
    feedback.pushInfo(translate("OcsAlgorithm", "Vintages: {0}").format(
        ", ".join("%s (%s/%s)" % (v.vintage, v.cs_field, v.us_field) for v in found)))
    return found


# The help (NOMENCLATURE) says detection reads the first 20,000 features; the code read 5,000 until 2026-12.
DETECTION_SAMPLE = 20000


def sample_codes(source, vintages, limit=DETECTION_SAMPLE):
    """Normalised cs and us codes of the first ``limit`` features (for nomenclature detection)."""
    cs_codes, us_codes = set(), set()
    fields = source.fields()
    indexes = [(fields.lookupField(v.cs_field), fields.lookupField(v.us_field)) for v in vintages]
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setLimit(limit)
    request.setSubsetOfAttributes([i for pair in indexes for i in pair])
    for feature in features(source, request):
        attributes = feature.attributes()
        for cs_index, us_index in indexes:
            cs_codes.add(nom.normalise_code(attributes[cs_index]))
            us_codes.add(nom.normalise_code(attributes[us_index]))
    return cs_codes, us_codes


def choose_nomenclature(source, vintages, enum_index, feedback):
    key = nomenclature_from_enum(enum_index)
    if key is None:
        cs_codes, us_codes = sample_codes(source, vintages)
        key = detection.detect_nomenclature(cs_codes, us_codes, vintages[0].source)
        feedback.pushInfo(translate("OcsAlgorithm", "Nomenclature detected: {0}").format(nom.NOMENCLATURE_LABELS[key]))
    return key


class AreaMeter:
    """Areas in m² of geometries in ``crs``, measured where the metric rule says (core/metric.py): planar in
    ``crs`` when it is kept (``transform`` None; fast), planar in the measure CRS through ``transform`` otherwise.
    A geographic ``crs`` without a transform (a caller outside the rule) is measured on the ellipsoid."""

    def __init__(self, crs, context, transform=None):
        self.transform = transform
        self.geographic = crs.isGeographic() and transform is None
        self.distance_area = ellipsoidal(crs, context)
        measured_in = transform.destinationCrs() if transform is not None else crs
        self.factor = 1.0
        if not measured_in.isGeographic() and measured_in.isValid():
            self.factor = QgsUnitTypes.fromUnitToUnitFactor(measured_in.mapUnits(), QgsUnitTypes.DistanceMeters) ** 2

    def area(self, geometry):
        if geometry is None or geometry.isNull():
            return 0.0
        if self.transform is not None:
            geometry = QgsGeometry(geometry)
            geometry.transform(self.transform)
            return geometry.area() * self.factor
        if self.geographic:
            return self.distance_area.measureArea(geometry)
        return geometry.area() * self.factor


def ellipsoidal(crs, context):
    """A QgsDistanceArea measuring geometries of ``crs`` on its ellipsoid (the project's, else the CRS's, else
    GRS80)."""
    distance_area = QgsDistanceArea()
    distance_area.setSourceCrs(crs, context.transformContext())
    ellipsoid = context.ellipsoid() or (crs.ellipsoidAcronym() if crs.isValid() else "") or "GRS80"
    if ellipsoid.upper() == "NONE":
        ellipsoid = "GRS80"
    distance_area.setEllipsoid(ellipsoid)
    return distance_area


# -- where measures are made (the rule: core/metric.py) -------------------------------------------------------

@dataclasses.dataclass
class MetricFrame:
    """Where the areas, lengths, buffers, grid sizes and distances of a layer are measured.

    ``crs`` the layer's; ``measure_crs`` the CRS of the measures (``crs`` itself when kept); ``transform`` from
    ``crs`` to ``measure_crs`` (None when kept); ``scale_error`` of ``crs`` against the reference over the
    layer's extent (None when not measured: geographic, not in metres, invalid); ``reference`` the territory
    (core.metric.Territory), None elsewhere (the ellipsoid)."""

    crs: object
    measure_crs: object
    transform: object
    scale_error: object
    reference: object

    @property
    def kept(self):
        return self.transform is None


def lonlat_box(crs, extent, context):
    """The extent as a (lon min, lat min, lon max, lat max) box in WGS 84; None when it cannot be transformed."""
    try:
        to_wgs = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), context.transformContext())
        box = to_wgs.transformBoundingBox(extent)
    except Exception:  # noqa: BLE001 - QgsCsException, or an invalid CRS
        return None
    if box.isNull() or not all(math.isfinite(v) for v in (box.xMinimum(), box.yMinimum(), box.xMaximum(),
                                                           box.yMaximum())):
        return None
    return box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()


def in_metres(crs):
    return crs.isValid() and not crs.isGeographic() and crs.mapUnits() == QgsUnitTypes.DistanceMeters


def probe(crs, extent, reference_crs, context):
    """[((area, width, height) in ``crs``, (area, width, height) by the reference)] of a small square at each
    sample point of ``extent``: planar in ``reference_crs``, or on the ellipsoid when it is None."""
    box = (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())
    half = metric.probe_size(*box) / 2.0
    if reference_crs is not None:
        to_reference = QgsCoordinateTransform(crs, reference_crs, context.transformContext())
    else:
        distance_area = ellipsoidal(crs, context)
    probes = []
    for x, y in metric.sample_points(*box):
        corners = [QgsPointXY(x - half, y - half), QgsPointXY(x + half, y - half), QgsPointXY(x + half, y + half),
                   QgsPointXY(x - half, y + half)]
        if reference_crs is not None:
            corners_r = [to_reference.transform(p) for p in corners]
            square = QgsGeometry.fromPolygonXY([corners_r + corners_r[:1]])
            measured = (square.area(), corners_r[0].distance(corners_r[1]), corners_r[0].distance(corners_r[3]))
        else:
            square = QgsGeometry.fromPolygonXY([corners + corners[:1]])
            measured = (distance_area.measureArea(square), distance_area.measureLine(corners[0], corners[1]),
                        distance_area.measureLine(corners[0], corners[3]))
        probes.append(((4 * half * half, 2 * half, 2 * half), measured))
    return probes


def metric_frame(crs, extent, context):
    """The MetricFrame of a layer of ``crs`` over ``extent`` (core/metric.py: kept when its scale error against
    the reference is at most 0.1 %; else Lambert-93 over metropolitan France, the official CRS of an overseas
    territory, an equal-area CRS centred on the data elsewhere). A layer without a valid CRS is kept."""
    lonlat = lonlat_box(crs, extent, context) if crs.isValid() else None
    if lonlat is None:
        return MetricFrame(crs, crs, None, None, None)
    lon, lat = (lonlat[0] + lonlat[2]) / 2.0, (lonlat[1] + lonlat[3]) / 2.0
    place = metric.territory(lon, lat)
    if place is not None:
        reference_crs = QgsCoordinateReferenceSystem(place.authid)
        if crs.authid() == place.authid:
            return MetricFrame(crs, crs, None, 0.0, place)
    else:
        reference_crs = None
    error = None
    if in_metres(crs):
        try:
            error = metric.scale_error(probe(crs, extent, reference_crs, context))
        except Exception:  # noqa: BLE001 - a point the CRS cannot transform: not kept
            error = float("inf")
        if metric.kept(error):
            return MetricFrame(crs, crs, None, error, place)
    target = reference_crs or QgsCoordinateReferenceSystem.fromProj(metric.equal_area_proj(lon, lat))
    return MetricFrame(crs, target, QgsCoordinateTransform(crs, target, context.transformContext()), error, place)


def metric_transform(crs, extent, context):
    """The transform to the CRS where measures are made (metric_frame), None when ``crs`` is kept."""
    return metric_frame(crs, extent, context).transform


def crs_label(crs):
    """EPSG:2154 (RGF93 v1 / Lambert-93), or the description of a CRS without authority."""
    if crs.authid():
        return "%s (%s)" % (crs.authid(), crs.description())
    return crs.description() or crs.toProj()


def report_frame(frame, feedback):
    """Say once in the log where the measures are made, and why."""
    if feedback is None:
        return
    if frame.reference is not None:
        reference = crs_label(QgsCoordinateReferenceSystem(frame.reference.authid))
    else:
        reference = translate("OcsAlgorithm", "the ellipsoid")
    error = "-" if frame.scale_error is None else (
        local_number(100.0 * frame.scale_error, 3) if math.isfinite(frame.scale_error) else "∞")
    if not frame.crs.isValid():
        feedback.reportError(translate("OcsAlgorithm", "The layer has no valid CRS: areas and distances are taken "
                                                       "in its coordinates, as metres."), False)
    elif frame.kept:
        feedback.pushInfo(translate(
            "OcsAlgorithm", "Areas, lengths and distances are measured in the layer's CRS, {0}: over the layer, its "
            "measures differ from those of {1} by {2} % at most (tolerance 0.1 %).").format(
            crs_label(frame.crs), reference, error))
    else:
        feedback.pushInfo(translate(
            "OcsAlgorithm", "Areas, lengths and distances are measured in {0}: the layer's CRS, {1}, is geographic, "
            "not in metres or differs from {2} by more than 0.1 % over the layer (scale error {3} %). Output "
            "geometries stay in {1} unless the log says otherwise.").format(
            crs_label(frame.measure_crs), crs_label(frame.crs), reference, error))


def measure(crs, extent, context, feedback=None):
    """(MetricFrame, AreaMeter) of a layer, said in the log."""
    frame = metric_frame(crs, extent, context)
    report_frame(frame, feedback)
    return frame, AreaMeter(crs, context, frame.transform)


def report_counts(feedback, message, counter, examples_limit=5):
    """Non-fatal error with a count and the first few values: `{count} … e.g. a, b`."""
    total = sum(counter.values())
    if not total:
        return
    examples = ", ".join("%s (%d)" % (value, count) for value, count in counter.most_common(examples_limit))
    feedback.reportError(message.format(total) + " " + translate("OcsAlgorithm", "Values: {0}").format(examples), False)


# -- the land-cover input resolved ---------------------------------------------------------------------------

@dataclasses.dataclass
class LandCover:
    """A land-cover layer resolved for the engines: the source, its vintages with their fields, the
    nomenclature, the CRS, the transform to the CRS of the measures (None when the layer's CRS is kept: see
    metric_frame) and the area meter."""

    source: object                 # QgsFeatureSource (features read through features())
    vintages: list                 # [detection.VintageFields], in the order asked
    nomenclature: str              # registry key (nom.OCS2D_2021, nom.OCS2D_NPDC, nom.OCSGE)
    crs: object                    # QgsCoordinateReferenceSystem of the source
    transform: object              # QgsCoordinateTransform to the CRS of the measures, or None (kept)
    meter: "AreaMeter"
    frame: object = None           # MetricFrame: where the measures are made, and why

    @property
    def name(self):
        return self.source.sourceName()

    def indexes(self):
        """[(couverture field index, usage field index)] per vintage."""
        fields = self.source.fields()
        return [(fields.lookupField(v.cs_field), fields.lookupField(v.us_field)) for v in self.vintages]

    def years(self):
        return [v.vintage for v in self.vintages]


def require_features(source):
    """Stop with a clear message on an empty layer."""
    if source.featureCount() == 0:
        raise QgsProcessingException(translate("OcsAlgorithm", "The input layer '{0}' is empty.").format(
            source.sourceName()))


def open_land_cover(source, context, feedback, vintages="", cs_field=None, us_field=None, nomenclature=0):
    """The LandCover of ``source``: checks that it has features, resolves the vintages (VINTAGES text and the
    optional CS_FIELD/US_FIELD override) and the nomenclature (index of the NOMENCLATURE enum, 0 = detect).
    The caller then says how its geometries are read (``report_geometries``)."""
    require_features(source)
    found = resolve_vintages(source, vintages or "", cs_field or None, us_field or None, feedback)
    return resolved(source, found, choose_nomenclature(source, found, nomenclature, feedback), context, feedback)


def resolved(source, vintages, key, context, feedback=None):
    """The LandCover of ``source`` whose vintages and nomenclature are known: where its measures are made (said
    in the log when a feedback is given) and its area meter."""
    crs = source.sourceCrs()
    frame, meter = measure(crs, source.sourceExtent(), context, feedback)
    return LandCover(source, vintages, key, crs, frame.transform, meter, frame)


class PairMemo:
    """``function(cs_raw, us_raw, *extra)`` computed once per distinct raw value tuple: a layer of a million
    polygons holds a few hundred couverture × usage pairs."""

    __slots__ = ("function", "values")

    def __init__(self, function):
        self.function = function
        self.values = {}

    def __call__(self, *raw):
        try:
            return self.values[raw]
        except KeyError:
            value = self.values[raw] = self.function(*raw)
            return value


def reprojection(source_crs, target_crs, context, feedback=None, name=""):
    """The transform from ``source_crs`` to ``target_crs`` (None when they are the same), said in the log."""
    if source_crs == target_crs:
        return None
    if feedback is not None:
        feedback.pushInfo(translate("ChangeAlgorithm", "'{0}' is reprojected from {1} to {2}.").format(
            name, source_crs.authid(), target_crs.authid()))
    return QgsCoordinateTransform(source_crs, target_crs, context.transformContext())
