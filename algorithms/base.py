"""Shared plumbing of the OCS Toolbox algorithms: help texts, groups, icons, inputs and checks."""
import os

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsDistanceArea,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsRectangle,
    QgsUnitTypes,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .. import compat
from ..__about__ import ICON_PATH, PLUGIN_DIR
from ..core import detection
from ..core import nomenclature as nom

HELP_DIR = os.path.join(PLUGIN_DIR, "resources", "help")
# Group ids of the provider (stable: saved models do not store them, but the toolbox sorts by them);
# their display names are in group_name(), written out literally for pylupdate5.
GROUPS = ("nomenclatures", "changes", "zan", "friches", "climate", "styles")

translate = QCoreApplication.translate


def group_name(group_id):
    names = {
        "nomenclatures": QCoreApplication.translate("OcsAlgorithm", "Nomenclatures"),
        "changes": QCoreApplication.translate("OcsAlgorithm", "Changes"),
        "zan": QCoreApplication.translate("OcsAlgorithm", "ZAN"),
        "friches": QCoreApplication.translate("OcsAlgorithm", "Friches"),
        "climate": QCoreApplication.translate("OcsAlgorithm", "Urban climate"),
        "styles": QCoreApplication.translate("OcsAlgorithm", "Styles"),
    }
    return names[group_id]


def help_language():
    from ..plugin import user_locale

    return "fr" if user_locale() == "fr" else "en"


def help_text(name, language=None):
    """Help document of algorithm ``name`` in the user's language (resources/help/<lang>/<name>.html)."""
    language = language or help_language()
    for lang in (language, "en"):
        path = os.path.join(HELP_DIR, lang, name + ".html")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                return handle.read()
    return ""


class OcsAlgorithm(QgsProcessingAlgorithm):
    """Base class: id, group, icon and help come from class attributes and resources/help/."""

    NAME = ""
    GROUP = "nomenclatures"

    def name(self):
        return self.NAME

    def groupId(self):  # noqa: N802
        return self.GROUP

    def group(self):
        return group_name(self.GROUP)

    def icon(self):
        return QIcon(ICON_PATH)

    def shortHelpString(self):  # noqa: N802
        return help_text(self.NAME)

    def helpUrl(self):  # noqa: N802
        return "https://github.com/ocs-toolbox/ocs_toolbox/blob/main/resources/help/%s/%s.html" % (
            help_language(), self.NAME)

    def createInstance(self):  # noqa: N802
        return type(self)()


# -- inputs ------------------------------------------------------------------------------------------

def require_polygon_source(alg, parameters, name, context):
    """The feature source of parameter ``name``, which must exist and hold polygons."""
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        raise QgsProcessingException(translate("OcsAlgorithm", "Invalid or missing input layer ({0}).").format(name))
    if compat.geometry_type(source) != compat.GEOMETRY_POLYGON:
        raise QgsProcessingException(
            translate("OcsAlgorithm", "{0} must be a polygon layer; '{1}' holds another geometry type.").format(
                name, source.sourceName()))
    return source


def features(source, request=None):
    """Iterate a source without Processing's geometry-validity filter: rules here read attributes,
    and the spatial steps repair what they use (counted and reported)."""
    request = request or QgsFeatureRequest()
    return source.getFeatures(request, QgsProcessingFeatureSource.FlagSkipGeometryValidityChecks)


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


def nomenclature_options():
    return [translate("OcsAlgorithm", "Auto-detect"), translate("OcsAlgorithm", "OCS2D Hauts-de-France 2021"),
            translate("OcsAlgorithm", "OCS2D Nord-Pas-de-Calais 2005/2015 (legacy codes)"), translate("OcsAlgorithm", "OCS GE (IGN)")]


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


def sample_codes(source, vintages, limit=5000):
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


# -- measures -----------------------------------------------------------------------------------------

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
