"""The one place where QGIS 3.22 … 3.40+ API differences are decided.

Prefer the scoped ``Qgis.*`` enums where the running QGIS has them; fall back to the 3.22 spellings.
"""
from qgis.core import (
    Qgis,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

QGIS_VERSION_INT = Qgis.QGIS_VERSION_INT


def _scoped(enum_name, member, fallback):
    enum = getattr(Qgis, enum_name, None)
    return getattr(enum, member) if enum is not None and hasattr(enum, member) else fallback


# Processing source types (Qgis.ProcessingSourceType from 3.36).
TYPE_VECTOR_POLYGON = _scoped("ProcessingSourceType", "VectorPolygon", QgsProcessing.TypeVectorPolygon)
TYPE_VECTOR_ANY = _scoped("ProcessingSourceType", "VectorAnyGeometry", QgsProcessing.TypeVectorAnyGeometry)
TYPE_VECTOR = _scoped("ProcessingSourceType", "Vector", QgsProcessing.TypeVector)
# Number parameter types (Qgis.ProcessingNumberParameterType from 3.36).
NUMBER_DOUBLE = _scoped("ProcessingNumberParameterType", "Double", QgsProcessingParameterNumber.Double)
NUMBER_INTEGER = _scoped("ProcessingNumberParameterType", "Integer", QgsProcessingParameterNumber.Integer)
# Geometry types (Qgis.GeometryType from 3.30).
GEOMETRY_POLYGON = _scoped("GeometryType", "Polygon", QgsWkbTypes.PolygonGeometry)
WKB_MULTIPOLYGON = _scoped("WkbType", "MultiPolygon", QgsWkbTypes.MultiPolygon)
WKB_POLYGON = _scoped("WkbType", "Polygon", QgsWkbTypes.Polygon)
WKB_NOGEOMETRY = _scoped("WkbType", "NoGeometry", QgsWkbTypes.NoGeometry)
# Buffer styles (Qgis.EndCapStyle / Qgis.JoinStyle from 3.22; QgsGeometry.CapRound / JoinStyleBevel before).
CAP_ROUND = _scoped("EndCapStyle", "Round", getattr(QgsGeometry, "CapRound", None))
JOIN_BEVEL = _scoped("JoinStyle", "Bevel", getattr(QgsGeometry, "JoinStyleBevel", None))
# Geometry validation by GEOS (Qgis.GeometryValidationEngine from 3.22's scoped enums; QgsGeometry.ValidatorGeos).
VALIDATOR_GEOS = _scoped("GeometryValidationEngine", "Geos", getattr(QgsGeometry, "ValidatorGeos", None))
MITRE_LIMIT = 5.0   # PostGIS's default mitre_limit (used by mitre joins only)


def buffer_bevel(geometry, distance, segments):
    """``geometry`` buffered by ``distance`` with bevel joins (PostGIS ``ST_Buffer(g, d, 'join=bevel')``) and
    ``segments`` per quarter circle for the round caps."""
    return geometry.buffer(distance, segments, CAP_ROUND, JOIN_BEVEL, MITRE_LIMIT)

try:  # QGIS >= 3.38 prefers QMetaType for field types
    from qgis.PyQt.QtCore import QMetaType

    _USE_METATYPE = QGIS_VERSION_INT >= 33800
except ImportError:  # pragma: no cover
    QMetaType = None
    _USE_METATYPE = False


def make_field(name, kind, length=0):
    """QgsField of kind 'int', 'long' (64 bits), 'double' or 'str' built with the type API the running QGIS
    prefers."""
    if _USE_METATYPE:
        types = {"int": QMetaType.Type.Int, "long": QMetaType.Type.LongLong, "double": QMetaType.Type.Double,
                 "str": QMetaType.Type.QString}
    else:
        types = {"int": QVariant.Int, "long": QVariant.LongLong, "double": QVariant.Double, "str": QVariant.String}
    field = QgsField(name, types[kind])
    if length:
        field.setLength(length)
    return field


def geometry_type(layer_or_source):
    """Geometry type of a layer/source as Qgis.GeometryType (3.30+) or QgsWkbTypes.GeometryType."""
    return QgsWkbTypes.geometryType(layer_or_source.wkbType())

# Kind of a model child's parameter source (Qgis.ProcessingModelChildParameterSource from 3.36).
def _model_source_static():
    from qgis.core import QgsProcessingModelChildParameterSource

    return _scoped("ProcessingModelChildParameterSource", "StaticValue",
                   getattr(QgsProcessingModelChildParameterSource, "StaticValue", None))


MODEL_SOURCE_STATIC = _model_source_static()

# Algorithm flags (Qgis.ProcessingAlgorithmFlag from 3.36).
FLAG_NO_THREADING = _scoped("ProcessingAlgorithmFlag", "NoThreading", QgsProcessingAlgorithm.FlagNoThreading)


def null_attribute():
    """The value PyQGIS gives for a NULL attribute (QVariant NULL on 3.22, None on some later builds), for
    attributes read without QGIS that must look the same."""
    fields = QgsFields()
    fields.append(make_field("value", "str"))
    feature = QgsFeature(fields)
    feature.setAttributes([None])
    return feature.attributes()[0]


def null_rectangle():
    """An empty QgsRectangle to grow with combineExtentWith (setNull from 3.34, setMinimal before)."""
    from qgis.core import QgsRectangle

    rectangle = QgsRectangle()
    if hasattr(rectangle, "setNull"):
        rectangle.setNull()
    else:  # pragma: no cover - QGIS < 3.34
        rectangle.setMinimal()
    return rectangle


def _layout_constants():
    """Text as text in PDF exports (Qgis.TextRenderFormat from 3.28) and millimetres in layouts (Qgis.LayoutUnit
    from 3.30): used by engines/atlaslayout.py."""
    from qgis.core import QgsRenderContext, QgsUnitTypes

    text = _scoped("TextRenderFormat", "AlwaysText", getattr(QgsRenderContext, "TextFormatAlwaysText", None))
    millimetres = _scoped("LayoutUnit", "Millimeters", getattr(QgsUnitTypes, "LayoutMillimeters", None))
    return text, millimetres


TEXT_ALWAYS_TEXT, LAYOUT_MM = _layout_constants()


def _scale_bar_fit_width():
    """Scale bar segments sized to fit a width range (Qgis.ScaleBarSegmentSizeMode from 3.30)."""
    from qgis.core import QgsScaleBarSettings

    return _scoped("ScaleBarSegmentSizeMode", "FitWidth", getattr(QgsScaleBarSettings, "SegmentSizeFitWidth", None))


SCALE_BAR_FIT_WIDTH = _scale_bar_fit_width()
