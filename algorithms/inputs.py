"""The parameters every land-cover algorithm shares, declared once and read into the engines' dataclasses.

Parameter names are frozen (tests/qgis/test_interface.py); the labels are those the dialogs always showed, under
the translation context of the algorithm that declares them.
"""
import dataclasses

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterString,
)

from .. import compat
from ..core import detection
from ..engines import landcover
from ..fastpath import gpkg
from . import base

# INSEE code fields tried, in this order, when a zone layer is given without ZONE_FIELD
ZONE_FIELD_GUESSES = ("INSEE_COM", "insee_com", "code_insee", "CODE_INSEE", "INSEE", "insee", "codgeo", "CODGEO")
# zone name fields tried, in this order, when NAME_FIELD is declared and left empty
NAME_FIELD_GUESSES = ("nom_com", "NOM_COM", "nom_commune", "NOM_COMMUNE", "nom", "NOM", "libelle", "LIBELLE", "libgeo",
                      "LIBGEO", "name", "NAME")


def add_source(alg, name, label, optional=False):
    alg.addParameter(QgsProcessingParameterFeatureSource(name, label, [compat.TYPE_VECTOR_POLYGON],
                                                         optional=optional))


def add_nomenclature(alg, label, name="NOMENCLATURE"):
    alg.addParameter(QgsProcessingParameterEnum(name, label, base.nomenclature_options(), defaultValue=0))


def add_vintages(alg, label, name="VINTAGES"):
    alg.addParameter(QgsProcessingParameterString(name, label, optional=True))


def add_field(alg, name, label, parent, optional=True):
    alg.addParameter(QgsProcessingParameterField(name, label, parentLayerParameterName=parent, optional=optional))


def land_cover(alg, parameters, context, feedback, overrides=False):
    """The LandCover of INPUT (a polygon layer with features), with its VINTAGES and NOMENCLATURE, and with
    ``overrides`` the CS_FIELD/US_FIELD field overrides of ocs:reclassify."""
    source = base.require_polygon_source(alg, parameters, "INPUT", context)

    def declared(name):
        return alg.parameterDefinition(name) is not None

    def text(name):
        return alg.parameterAsString(parameters, name, context) if declared(name) else ""

    try:
        gpkg_layer = base.gpkg_input(alg, parameters, "INPUT", context)
    except (gpkg.FastPathUnavailable, RuntimeError):
        gpkg_layer = None
    if gpkg_layer is None:
        try:   # a whole PostgreSQL layer: the missing geometries counted by PostgreSQL
            gpkg_layer = base.pg_input(alg, parameters, "INPUT", context)
        except (gpkg.FastPathUnavailable, RuntimeError):
            gpkg_layer = None
    cover = landcover.open_land_cover(
        source, context, feedback, vintages=text("VINTAGES"),
        cs_field=text("CS_FIELD") if overrides else None, us_field=text("US_FIELD") if overrides else None,
        nomenclature=alg.parameterAsEnum(parameters, "NOMENCLATURE", context) if declared("NOMENCLATURE") else 0)
    # curves and Z/M said in the log; NULL and empty geometries counted (from the R-tree of a whole GeoPackage)
    landcover.report_geometries(source, feedback, gpkg_layer)
    return cover


@dataclasses.dataclass
class Zones:
    """A zone layer (communes, EPCI…) and the field that names its zones."""

    source: object      # QgsFeatureSource
    field: str
    name_field: str = None   # field holding each zone's name (reports), or None


def zones(alg, parameters, context, feedback, name="ZONES", field_name="ZONE_FIELD", guess=True):
    """The Zones of parameter ``name``, or None when it is empty. The field is ``field_name``'s value, or, when
    empty and ``guess``, the first INSEE code field found (said in the log)."""
    if parameters.get(name) in (None, ""):
        return None
    source = base.require_polygon_source(alg, parameters, name, context)
    field = alg.parameterAsString(parameters, field_name, context) if field_name else ""
    names = source.fields().names()
    if not field and guess:
        field = detection.find_field(names, ZONE_FIELD_GUESSES)
        if not field:
            raise QgsProcessingException(base.translate(
                "ChangeAlgorithm", "ZONE_FIELD is needed with ZONES (no INSEE code field found). Fields: {0}.")
                .format(", ".join(names)))
        feedback.pushInfo(base.translate("ChangeAlgorithm", "Zone field: {0}").format(field))
    if field and field not in names:
        raise QgsProcessingException(base.translate(
            "ChangeAlgorithm", "ZONE_FIELD '{0}' is not a field of the zone layer. Fields: {1}.").format(
            field, ", ".join(names)))
    return Zones(source, field, zone_names(alg, parameters, context, feedback, names))


def zone_names(alg, parameters, context, feedback, names):
    """The field of NAME_FIELD (when the algorithm declares it), or, when empty, the first name field found
    among NAME_FIELD_GUESSES (said in the log); None when there is none."""
    if alg.parameterDefinition("NAME_FIELD") is None:
        return None
    field = alg.parameterAsString(parameters, "NAME_FIELD", context)
    if field and field not in names:
        raise QgsProcessingException(base.translate(
            "ChangeAlgorithm", "NAME_FIELD '{0}' is not a field of the zone layer. Fields: {1}.").format(
            field, ", ".join(names)))
    if not field:
        field = detection.find_field(names, NAME_FIELD_GUESSES)
        if field:
            feedback.pushInfo(base.translate("ChangeAlgorithm", "Zone names: {0}").format(field))
    return field or None
