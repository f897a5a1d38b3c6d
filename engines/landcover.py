"""The land-cover input of every engine: features read without Processing's validity filter, vintages and
nomenclature resolved from the fields and codes, areas in m² and the metric transform.

Plain QGIS work (sources, geometries, CRSs): no Processing parameter is read here."""
import dataclasses

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDistanceArea,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsRectangle,
    QgsUnitTypes,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import detection
from ..core import nomenclature as nom
from ..fastpath import gpkg

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
    when ``gpkg_layer`` = (path, layer name) is the whole layer (no pass over the geometries), else one pass."""
    if gpkg_layer is not None:
        count = gpkg.missing_geometries(*gpkg_layer)
        if count is not None:
            return count
    request = QgsFeatureRequest().setNoAttributes()
    return sum(1 for feature in features(source, request, raw=True)
               if feature.geometry().isNull() or feature.geometry().isEmpty())


def report_geometries(source, feedback, gpkg_layer=None):
    """Say in the log how the geometries of ``source`` are read: curves segmentized and Z/M dropped for the
    measures, and the count of features without a geometry (a warning). Returns that count."""
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
    """Areas in m² that stay right in a geographic CRS (ellipsoidal) and are fast in a projected one."""

    def __init__(self, crs, context):
        self.geographic = crs.isGeographic()
        self.distance_area = QgsDistanceArea()
        self.distance_area.setSourceCrs(crs, context.transformContext())
        ellipsoid = context.ellipsoid() or (crs.ellipsoidAcronym() if crs.isValid() else "") or "GRS80"
        if ellipsoid.upper() == "NONE":
            ellipsoid = "GRS80"
        self.distance_area.setEllipsoid(ellipsoid)
        self.factor = 1.0
        if not self.geographic and crs.isValid():
            self.factor = QgsUnitTypes.fromUnitToUnitFactor(crs.mapUnits(), QgsUnitTypes.DistanceMeters) ** 2

    def area(self, geometry):
        if geometry is None or geometry.isNull():
            return 0.0
        if self.geographic:
            return self.distance_area.measureArea(geometry)
        return geometry.area() * self.factor


def metric_transform(crs, extent, context):
    """A transform to a metric CRS when ``crs`` is geographic (Lambert-93 over France, else UTM); else None."""
    if not crs.isGeographic():
        return None
    to_wgs = QgsCoordinateTransform(crs, QgsCoordinateReferenceSystem("EPSG:4326"), context.transformContext())
    try:
        box = to_wgs.transformBoundingBox(extent)
    except Exception:  # noqa: BLE001 - fall back on the raw extent
        box = QgsRectangle(extent)
    lon, lat = box.center().x(), box.center().y()
    if -6.0 <= lon <= 10.0 and 41.0 <= lat <= 51.5:
        target = QgsCoordinateReferenceSystem("EPSG:2154")
    else:
        zone = int((lon + 180) // 6) + 1
        target = QgsCoordinateReferenceSystem("EPSG:%d" % ((32600 if lat >= 0 else 32700) + zone))
    return QgsCoordinateTransform(crs, target, context.transformContext())


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
    nomenclature, the CRS, the transform to a metric CRS (None when the CRS is metric) and the area meter."""

    source: object                 # QgsFeatureSource (features read through features())
    vintages: list                 # [detection.VintageFields], in the order asked
    nomenclature: str              # registry key (nom.OCS2D_2021, nom.OCS2D_NPDC, nom.OCSGE)
    crs: object                    # QgsCoordinateReferenceSystem of the source
    transform: object              # QgsCoordinateTransform to a metric CRS, or None
    meter: "AreaMeter"

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
    key = choose_nomenclature(source, found, nomenclature, feedback)
    crs = source.sourceCrs()
    return LandCover(source, found, key, crs, metric_transform(crs, source.sourceExtent(), context),
                     AreaMeter(crs, context))


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
