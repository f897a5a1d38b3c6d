"""Renderers from the registry's templates, and how outputs get them in the GUI and in batch.

GUI: a layer post-processor applies the renderer when QGIS loads the output. Batch (qgis_process): the style is
stored in the output GeoPackage's ``layer_styles`` table as the default style (or as a .qml beside a shapefile),
so whoever opens the file later sees it styled.
"""
import os

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsDataSourceUri,
    QgsProcessingUtils,
    QgsFillSymbol,
    QgsGraduatedSymbolRenderer,
    QgsProcessingLayerPostProcessorInterface,
    QgsRendererCategory,
    QgsRendererRange,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QColor

from ..core import changes, styles
from ..language import user_locale
from . import postgis


translate = QCoreApplication.translate


def make_renderer(field_name, template):
    """A categorized renderer on ``field_name`` with the template's classes and a catch-all 'other' class, or a
    graduated renderer for templates with ranges (scores)."""
    if template.ranges:
        ranges = []
        for lower, upper, label, colour in template.ranges:
            symbol = QgsFillSymbol.createSimple({"color": colour, "outline_color": QColor(colour).darker(130).name(),
                                                 "outline_width": "0.06", "outline_width_unit": "MM"})
            ranges.append(QgsRendererRange(lower, upper, symbol, label))
        return QgsGraduatedSymbolRenderer(field_name, ranges)
    categories = []
    for value, label, colour in template.classes:
        if template.outline_only:
            fill = QColor(colour)
            fill.setAlpha(40)
            symbol = QgsFillSymbol.createSimple({
                "color": "%d,%d,%d,%d" % (fill.red(), fill.green(), fill.blue(), fill.alpha()),
                "outline_color": colour, "outline_width": "0.6", "outline_width_unit": "MM"})
        else:
            symbol = QgsFillSymbol.createSimple({
                "color": colour, "outline_color": QColor(colour).darker(130).name(), "outline_width": "0.06",
                "outline_width_unit": "MM"})
        categories.append(QgsRendererCategory(value, symbol, label))
    # a template with its own class for unknown codes (type_changement: "inconnu") gets no catch-all class
    if not any(value == changes.UNKNOWN for value, _label, _colour in template.classes):
        # grey hatching: tells apart from any plain class, white or light ones included ("impact neutre" #F7F7F7)
        other = QgsFillSymbol.createSimple({"color": "#7F7F7F", "style": "b_diagonal", "outline_color": "#7F7F7F",
                                            "outline_width": "0.06"})
        categories.append(QgsRendererCategory(None, other, translate("OcsStyling", "Unknown or unclassified")))
    return QgsCategorizedSymbolRenderer(field_name, categories)


def legend_language():
    """Language of the legends: the official French class names, in English only in an English QGIS (the help
    and reports, mostly prose, are in English in any non-French one)."""
    return "en" if user_locale() == "en" else "fr"


def resolve_template(template_key, custom=None):
    """A Template from its key (legend labels in legend_language()), or the Template itself."""
    if isinstance(template_key, styles.Template):
        return template_key
    return styles.get_template(template_key, custom, legend_language())


def style_layer(layer, field_name, template_key, custom=None):
    template = resolve_template(template_key, custom)
    layer.setRenderer(make_renderer(field_name, template))
    layer.triggerRepaint()
    return template


def stored_renderer(layer):
    """A copy of the renderer of ``layer``, or None; for a file layer, of its default style (Processing opens a
    path without it), read by opening the file again."""
    styled = layer
    if layer.providerType() == "ogr":
        reopened = QgsVectorLayer(layer.source(), layer.name(), "ogr")
        styled = reopened if reopened.isValid() else layer
    renderer = styled.renderer()
    return renderer.clone() if renderer is not None else None


def _is_geopackage(path):
    return path.split("|")[0].lower().endswith(".gpkg")


def save_style_in_database(layer, name, description, as_default):
    """``layer.saveStyleToDatabase`` without its question: QGIS 3.22 asks in a modal dialog whether to overwrite a
    style of the same name (which never returns under qgis_process), so an existing one of this layer is deleted
    first (the styles of the other layers, listed after the layer's, are left alone). Returns QGIS's error
    message ("" on success)."""
    related, ids, names, _descriptions, _error = layer.listStylesInDatabase()
    for style_id, style_name in zip(ids[:max(related, 0)], names[:max(related, 0)]):   # then other layers' styles
        if style_name == name:
            layer.deleteStyleFromDatabase(style_id)
    return layer.saveStyleToDatabase(name, description, as_default, "")


def store_default_style(destination, field_name, template_key, custom=None, extra=(), context=None):
    """Store the style of ``field_name`` as the default style of the written output ``destination``.

    ``extra`` = [(field, template_key)] stored as additional named styles (GeoPackage and PostGIS only).
    A PostGIS output (``destination`` is then the id of its layer in ``context``) gets them in its database's
    ``layer_styles`` table, as QGIS stores them.
    Returns a message for the log, or None when the format keeps no style (memory layer, CSV…).
    """
    path = destination.split("|")[0]
    if not os.path.exists(path):
        source = postgis.source_string(destination)
        if source is None and context is not None:   # a PostGIS output's layer id
            layer = QgsProcessingUtils.mapLayerFromString(destination, context)
            if isinstance(layer, QgsVectorLayer) and layer.providerType() == postgis.PROVIDER:
                source = layer.source()
        if source is None:
            return None
        layer = QgsVectorLayer(source, "styled", postgis.PROVIDER)
        if not layer.isValid():
            return translate("OcsStyling", "Could not store the style in {0}: {1}").format(
                postgis.table_name(QgsDataSourceUri(source)), layer.error().summary())
        return store_database_style(layer, field_name, template_key, custom, extra)
    layer = QgsVectorLayer(destination, "styled", "ogr")
    if not layer.isValid():
        return None
    if _is_geopackage(destination):
        return store_database_style(layer, field_name, template_key, custom, extra, path)
    if path.lower().endswith((".shp", ".tab", ".mif", ".geojson", ".fgb", ".sqlite")):
        style_layer(layer, field_name, template_key, custom)
        qml = os.path.splitext(path)[0] + ".qml"
        _message, ok = layer.saveNamedStyle(qml)
        if ok:
            return translate("OcsStyling", "Style on {0} written to {1}").format(field_name, qml)
    return None


def layer_title(layer):
    """How the log names where ``layer`` is stored: its file, or '"schema"."table" (database x)'."""
    if layer.providerType() == postgis.PROVIDER:
        return postgis.table_name(QgsDataSourceUri(layer.source()))
    return layer.source().split("|")[0]


def store_database_style(layer, field_name, template_key, custom=None, extra=(), title=None):
    """The style of ``field_name`` as the default style of ``layer`` in its GeoPackage or database, the styles of
    ``extra`` fields as further named styles. Returns the message for the log."""
    title = title or layer_title(layer)
    for other_field, other_key in extra:
        style_layer(layer, other_field, other_key, custom)
        save_style_in_database(layer, other_field, resolve_template(other_key, custom).title, False)
    style_layer(layer, field_name, template_key, custom)
    error = save_style_in_database(layer, field_name, resolve_template(template_key, custom).title, True)
    if error:
        return translate("OcsStyling", "Could not store the style in {0}: {1}").format(title, error)
    return translate("OcsStyling", "Style on {0} stored as the default style of {1}").format(field_name, title)


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Applies a template to the output layer when the GUI loads it."""

    _keep = []  # QGIS does not own Python post-processors: keep them alive

    def __init__(self, field_name, template_key, custom=None):
        super().__init__()
        self.field_name = field_name
        self.template_key = template_key
        self.custom = custom

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if isinstance(layer, QgsVectorLayer) and layer.fields().lookupField(self.field_name) >= 0:
            style_layer(layer, self.field_name, self.template_key, self.custom)

    @classmethod
    def create(cls, field_name, template_key, custom=None):
        processor = cls(field_name, template_key, custom)
        cls._keep.append(processor)
        return processor


def style_output(context, feedback, destination, field_name, template_key, custom=None, extra=()):
    """Both ways at once: post-processor for the GUI, default style stored in the file for batch."""
    if context.willLoadLayerOnCompletion(destination):
        details = context.layerToLoadOnCompletionDetails(destination)
        details.setPostProcessor(StylePostProcessor.create(field_name, template_key, custom))
    message = store_default_style(destination, field_name, template_key, custom, extra, context)
    if message:
        feedback.pushInfo(message)
