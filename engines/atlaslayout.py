"""The atlas of ``ocs:atlas`` (issue #20): the layers written to a GeoPackage in the output folder, a QGIS
project holding them, the print layout with its atlas on the zones, and the export to PDF.

- ``atlas.gpkg``: ``zones`` (the coverage layer: one row per zone with its indicators, sentences and chart paths;
  field aliases = definitions) and ``occupation`` (the pieces first → last: class of the last vintage and type of
  change), both with their styles stored in ``layer_styles``;
- the layout (A4 landscape, one page per zone): title with name and code, land-cover map (atlas-driven, legend
  filtered to the map content, scale bar, north arrow), location map (the zone in red among the zones), key
  figures, the generated sentences, the consumption and ZAN charts (SVG pictures whose path is a field), sources
  and date. A ``.qpt`` template given in LAYOUT replaces it (its atlas is set on the zones here).
"""
import os
import re

from qgis.core import (
    QgsBasicNumericFormat,
    QgsExpressionContextUtils,
    QgsFeature,
    QgsFields,
    QgsFillSymbol,
    QgsExpressionContextUtils,
    QgsFeatureRequest,
    QgsLayerTreeModelLegendNode,
    QgsLayerTreeUtils,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutTableColumn,
    QgsLegendRenderer,
    QgsLegendStyle,
    QgsMapLayerLegendUtils,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutItemPage,
    QgsLayoutObject,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsPrintLayout,
    QgsProject,
    QgsProperty,
    QgsReadWriteContext,
    QgsRenderContext,
    QgsRuleBasedRenderer,
    QgsSingleSymbolRenderer,
    QgsSymbolLayer,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QSizeF, Qt
from qgis.PyQt.QtGui import QFont
from qgis.PyQt.QtXml import QDomDocument

from .. import compat
from ..__about__ import PLUGIN_DIR
from ..core import atlas as text
from ..core import changes as ch
from . import styling

translate = QCoreApplication.translate
GPKG_NAME = "atlas.gpkg"
THEME_TEXTS = {"heat": "texte_chaleur", "friches": "texte_friches"}   # the field of each theme's text
THEME_IDS = {"changes": "changements", "heat": "chaleur", "friches": "friches"}   # item ids: carte_<suffix>…
LAYOUTS = os.path.join(PLUGIN_DIR, "resources", "layouts")
NORTH_ARROW = os.path.join(LAYOUTS, "north_arrow.svg")
PLUGIN_PREFIX = "ocs_toolbox:"      # a picture path of a template under resources/layouts/ (the north arrow)
# the project variables of the footer: {field of the sources text: variable}
FOOTER_VARIABLES = {"sources": "ocs_sources", "years": "ocs_years", "date": "ocs_date"}


# -- layers -------------------------------------------------------------------------------------------------

def write_layer(path, name, fields, crs, features, overwrite_file, context):
    """Write ``features`` (multipolygons; ``crs`` None: a table without geometry) as layer ``name`` of the
    GeoPackage ``path`` and return it opened."""
    memory = QgsVectorLayer("MultiPolygon?crs=%s" % (crs.authid() or crs.toWkt()) if crs is not None else "None",
                            name, "memory")
    memory.dataProvider().addAttributes(fields.toList())
    memory.updateFields()
    memory.dataProvider().addFeatures(features)
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteFile if overwrite_file else \
        QgsVectorFileWriter.CreateOrOverwriteLayer
    error = QgsVectorFileWriter.writeAsVectorFormatV3(memory, path, context.transformContext(), options)
    if error[0] != QgsVectorFileWriter.NoError:
        raise RuntimeError(error[1])
    layer = QgsVectorLayer("%s|layername=%s" % (path, name), name, "ogr")
    if not layer.isValid():
        raise RuntimeError(path)
    return layer


def copy_layer(path, name, original, context):
    """``original`` (a QgsVectorLayer: an output of ocs:heatisland or ocs:friches) copied as layer ``name`` of
    the GeoPackage ``path`` with its style, so that the project of the atlas holds it; returned opened."""
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = name
    options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
    error = QgsVectorFileWriter.writeAsVectorFormatV3(original, path, context.transformContext(), options)
    if error[0] != QgsVectorFileWriter.NoError:
        raise RuntimeError(error[1])
    layer = QgsVectorLayer("%s|layername=%s" % (path, name), original.name(), "ogr")
    renderer = styling.stored_renderer(original)
    if renderer is not None:
        layer.setRenderer(renderer)
        styling.save_style_in_database(layer, name, name, True)
    return layer


def set_aliases(layer, aliases):
    for name, alias in aliases.items():
        index = layer.fields().lookupField(name)
        if index >= 0:
            layer.setFieldAlias(index, alias)


def style_zones(layer):
    """Location style: every zone light grey, the atlas zone red."""
    symbol = QgsFillSymbol.createSimple({"color": "#E0E0E0", "outline_color": "#808080", "outline_width": "0.1"})
    symbol.symbolLayer(0).setDataDefinedProperty(
        QgsSymbolLayer.PropertyFillColor,
        QgsProperty.fromExpression("if(@atlas_featureid = $id, '#D7191C', '#E0E0E0')"))
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))


def outline_layer(path):
    """The zones as an outline of the atlas zone only (rule ``$id = @atlas_featureid``) over the land cover."""
    layer = QgsVectorLayer("%s|layername=zones" % path, translate("AtlasAlgorithm", "Zone outline"), "ogr")
    symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#000000", "outline_width": "0.7"})
    root = QgsRuleBasedRenderer.Rule(None)
    root.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, "$id = @atlas_featureid"))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    return layer


def class_column(code):
    return "c_" + ch.field_token(code)


def table_layers(path, figures, rows, language, context):
    """The tables of the pages, one row per zone and line of the table (``zone`` = the zone's code, ``ordre``):
    ``transitions`` (the transition table first → last in ha: one column per class, the row total; a last row
    of the totals of the last vintage) and ``comparaison`` (each key figure beside the territory's and the
    zone's rank, as text); written to ``path`` and returned opened."""
    codes = figures.codes
    fields = QgsFields()
    for name, kind in [("zone", "str"), ("ordre", "int"), ("de", "str")] + \
            [(class_column(code), "double") for code in codes] + [("total", "double")]:
        fields.append(compat.make_field(name, kind))
    labels = {code: label for code, (label, _colour) in figures.classes.items()}
    features = []
    for portrait in figures.portraits:
        for order, (code, cells, total) in enumerate(text.transition_rows(portrait.matrix, codes)):
            feature = QgsFeature(fields)
            name = text.class_name(code, language, labels) if code is not None else \
                text.change_text("total", language, b=figures.period[1])
            feature.setAttributes([portrait.code, order, name] + cells + [total])
            features.append(feature)
    transitions = write_layer(path, "transitions", fields, None, features, False, context)
    aliases = {class_column(code): text.class_name(code, language, labels) for code in codes}
    aliases["total"] = text.change_text("row_total", language, a=figures.period[0])
    set_aliases(transitions, aliases)
    fields = QgsFields()
    for name in ("zone", "ordre", "indicateur", "valeur", "territoire", "rang"):
        fields.append(compat.make_field(name, "int" if name == "ordre" else "str"))
    features = []
    for values in rows:
        for order, line in enumerate(text.comparison_rows(values, figures.period, figures.objective, language)):
            feature = QgsFeature(fields)
            feature.setAttributes([values["code"], order] + list(line))
            features.append(feature)
    comparison = write_layer(path, "comparaison", fields, None, features, False, context)
    return {"transitions": transitions, "comparaison": comparison}


def piece_features(fields, pieces, numeric):
    features = []
    for geometry, zone, code, change in pieces:
        feature = QgsFeature(fields)
        feature.setGeometry(geometry)
        value = code
        if numeric:
            value = int(code) if str(code).isdigit() else None
        feature.setAttributes([zone, value, change])
        features.append(feature)
    return features


# -- layout -------------------------------------------------------------------------------------------------

def _mm(x, y):
    return QgsLayoutPoint(x, y, compat.LAYOUT_MM)


def _size(w, h):
    return QgsLayoutSize(w, h, compat.LAYOUT_MM)


def _place(item, rect):
    """Move and resize ``item`` to ``rect`` = (x, y, width, height[, page index]) in mm on its page."""
    item.attemptMove(_mm(rect[0], rect[1]), page=rect[4] if len(rect) > 4 else 0)
    item.attemptResize(_size(rect[2], rect[3]))


def add_label(layout, content, rect, size=9, bold=False, item_id=""):
    label = QgsLayoutItemLabel(layout)
    label.setId(item_id)
    label.setText(content)
    font = QFont("DejaVu Sans", size)
    font.setBold(bold)
    label.setFont(font)
    label.setHAlign(Qt.AlignLeft)   # QGIS's default is justified: wide gaps in short lines
    layout.addLayoutItem(label)
    _place(label, rect)
    return label


def add_map(layout, layers, rect, crs, item_id=""):
    """A map item (its first rectangle set before it is added: without it, it renders blank)."""
    item = QgsLayoutItemMap(layout)
    item.setId(item_id)
    item.setRect(0, 0, 100, 100)
    layout.addLayoutItem(item)
    _place(item, rect)
    item.setLayers(layers)
    item.setKeepLayerSet(True)
    item.setCrs(crs)
    item.setFrameEnabled(True)
    return item


def add_picture(layout, rect, path=None, field=None, item_id=""):
    picture = QgsLayoutItemPicture(layout)
    picture.setId(item_id or field or "")
    layout.addLayoutItem(picture)
    _place(picture, rect)
    if path:
        picture.setPicturePath(path)
    if field:
        picture.dataDefinedProperties().setProperty(QgsLayoutObject.PictureSource, QgsProperty.fromField(field))
    return picture


# Width of a scale bar segment (mm): the atlas zooms to each zone, so the segments follow its scale.
SCALE_SEGMENT_MM = (12.0, 40.0)


def _default_scale_size(scale, language):
    """QGIS's default scale bar for the extent of its map (units, segments, label), its segments then sized to fit
    SCALE_SEGMENT_MM at the scale of each page (a fixed length would span the page on a small zone of a large
    territory)."""
    scale.applyDefaultSize()
    scale.setSegmentSizeMode(compat.SCALE_BAR_FIT_WIDTH)
    scale.setMinimumBarWidth(SCALE_SEGMENT_MM[0])
    scale.setMaximumBarWidth(SCALE_SEGMENT_MM[1])
    if language == "fr":    # "1 000 m", not "1,000 m"
        number_format = QgsBasicNumericFormat()
        number_format.setThousandsSeparator("\u00a0")
        number_format.setDecimalSeparator(",")
        scale.setNumericFormat(number_format)


def add_scale_bar(layout, linked_map, language):
    scale = QgsLayoutItemScaleBar(layout)
    scale.setId("echelle")
    scale.setStyle("Single Box")
    scale.setLinkedMap(linked_map)
    _default_scale_size(scale, language)
    layout.addLayoutItem(scale)
    scale.attemptMove(_mm(12, 140))
    return scale


def add_legend(layout, linked_map, layer, at=(10, 152, 0), item_id="legende_occupation"):
    """The legend of ``layer`` alone, filtered to the content of ``linked_map``, without the layer's name (the
    map's title says it)."""
    legend = QgsLayoutItemLegend(layout)
    legend.setId(item_id)
    legend.setTitle("")
    legend.setLinkedMap(linked_map)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    for child in list(root.children()):
        if child.layerId() != layer.id():
            root.removeChildNode(child)
        else:
            QgsLegendRenderer.setNodeLegendStyle(child, QgsLegendStyle.Hidden)
    legend.setLegendFilterByMapEnabled(True)
    layout.addLayoutItem(legend)
    legend.attemptMove(_mm(at[0], at[1]), page=at[2])
    return legend


def build_layout(project, layers, extent, language, footer):
    """The default portrait (A4 landscape) on ``layers`` = dict(zones, outline, cover) of ``project``."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Landscape)
    layout.setName(text.page_text("title", language))
    add_label(layout, '[% "nom" %] ([% "code" %])', (10, 6, 277, 10), 18, True, "titre")
    add_label(layout, "%s — [%% \"periode\" %%]" % text.page_text("title", language), (10, 16, 277, 6), 10,
              item_id="sous_titre")
    add_label(layout, '[% "titre_carte" %]', (10, 23, 150, 6), 10, True, "titre_carte")
    crs = layers["zones"].crs()
    cover = add_map(layout, [layers["outline"], layers["cover"]], (10, 30, 150, 108), crs, "carte_occupation")
    cover.zoomToExtent(extent)
    cover.setAtlasDriven(True)
    cover.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    cover.setAtlasMargin(0.10)
    add_picture(layout, (148, 32, 10, 15), path=NORTH_ARROW, item_id="nord")
    add_scale_bar(layout, cover, language)
    add_legend(layout, cover, layers["cover"])
    add_label(layout, text.page_text("location", language), (225, 23, 62, 6), 10, True, "titre_situation")
    location = add_map(layout, [layers["zones"]], (225, 30, 62, 50), crs, "carte_situation")
    location.zoomToExtent(extent)
    add_label(layout, text.page_text("figures", language), (165, 23, 58, 6), 10, True, "titre_chiffres")
    add_label(layout, '[% "chiffres" %]', (165, 30, 58, 50), 9, item_id="chiffres")
    add_label(layout, '[% "phrase_occupation" %]\n\n[% "phrase_conso" %]\n\n[% "phrase_zan" %]\n\n'
                      '[% "phrase_rang" %]', (165, 84, 122, 50), 9, item_id="phrases")
    add_picture(layout, (165, 136, 60, 38), field="graphique")
    add_picture(layout, (227, 136, 60, 38), field="graphique_zan")
    add_label(layout, footer, (10, 198, 277, 8), 7, item_id="sources")
    extras = {key: layers[key] for key in ("changes", "heat", "friches", "outline") if key in layers}
    add_theme_page(layout, language, extras, extent)
    if "transitions" in layers:
        add_change_page(layout, language, layers)
    return layout


def add_table(layout, layer, columns, rect, size=8, item_id=""):
    """An attribute table of ``layer`` showing the rows of the atlas zone (``"zone" = its code``) in a frame at
    ``rect``; ``columns`` = [(heading, expression, alignment)]."""
    from qgis.core import QgsTextFormat

    table = QgsLayoutItemAttributeTable.create(layout)
    layout.addMultiFrame(table)
    table.setVectorLayer(layer)
    table.setDisplayOnlyVisibleFeatures(False)
    table.setFilterFeatures(True)
    table.setFeatureFilter("\"zone\" = attribute(@atlas_feature, 'code')")
    table.setMaximumNumberOfFeatures(100)
    out = []
    for heading, expression, alignment in columns:
        column = QgsLayoutTableColumn()
        column.setHeading(heading)
        column.setAttribute(expression)
        column.setHAlignment(alignment)
        out.append(column)
    table.setColumns(out)
    for setter, bold in ((table.setHeaderTextFormat, True), (table.setContentTextFormat, False)):
        font = QFont("DejaVu Sans", size)
        font.setBold(bold)
        text_format = QgsTextFormat()
        text_format.setFont(font)
        text_format.setSize(size)
        setter(text_format)
    table.setCellMargin(1.0)
    frame = QgsLayoutFrame(layout, table)
    frame.setId(item_id)
    frame.attemptResize(_size(rect[2], rect[3]))
    frame.attemptMove(_mm(rect[0], rect[1]), page=rect[4] if len(rect) > 4 else 0)
    table.addFrame(frame)
    return table


def _lang(language):
    return "fr" if language == "fr" else "en"


def _number(field, lang):
    """The expression of a transition table cell: ``field`` in ha, 2 decimals under 1 ha, else 1."""
    return "format_number(\"%s\", if(abs(\"%s\") > 0 and abs(\"%s\") < 1, 2, 1), '%s')" % (
        field, field, field, lang)


def _heading(layer, field):
    return layer.attributeAlias(layer.fields().lookupField(field)) or field


def add_change_page(layout, language, layers):
    """The third page: the transition table first → last and the gains and losses per class (from the same
    figures as the ENAF consumption), the ZAN trajectory, the comparison with the territory and the ranks."""
    page = QgsLayoutItemPage(layout)
    page.setPageSize("A4", QgsLayoutItemPage.Landscape)
    layout.pageCollection().addPage(page)
    index = layout.pageCollection().pageCount() - 1
    add_label(layout, '[% "nom" %] ([% "code" %])', (10, 6, 277, 10, index), 18, True, "titre_page3")
    first = '[% left("periode", strpos("periode", \'-\') - 1) %]'     # the vintages of the atlas zone's row
    last = '[% substr("periode", strpos("periode", \'-\') + 1) %]'
    add_label(layout, text.change_text("transitions", language, a=first, b=last), (10, 20, 165, 6, index), 10, True,
              "titre_transitions")
    transitions = layers["transitions"]
    lang = _lang(language)

    columns = [(text.change_text("from_to", language), '"de"', Qt.AlignLeft)]
    for field in transitions.fields().names():
        if field.startswith("c_"):
            columns.append((_heading(transitions, field), _number(field, lang), Qt.AlignRight))
    columns.append((_heading(transitions, "total"), _number("total", lang), Qt.AlignRight))
    add_table(layout, transitions, columns, (10, 27, 165, 40, index), item_id="tableau_transitions")
    add_picture(layout, (10, 72, 165, 62, index), field="graphique_bilan")
    add_label(layout, text.change_text("comparison", language), (10, 124, 165, 6, index), 10, True,
              "titre_comparaison")
    add_table(layout, layers["comparaison"], [
        (text.change_text("indicator", language), '"indicateur"', Qt.AlignLeft),
        (text.change_text("zone", language), '"valeur"', Qt.AlignRight),
        (text.change_text("territory", language), '"territoire"', Qt.AlignRight),
        (text.change_text("rank", language), '"rang"', Qt.AlignRight)], (10, 131, 165, 55, index),
        item_id="tableau_comparaison")
    add_picture(layout, (182, 20, 105, 80, index), field="graphique_trajectoire")
    add_label(layout, '[% "phrase_zan" %]', (182, 104, 105, 24, index), 9, item_id="phrase_zan")
    return page


def add_theme_page(layout, language, extras, extent):
    """The second page: a map of each layer of ``extras`` = {"changes"|"heat"|"friches": layer} around the atlas
    zone (the types of change first → last; HEAT and FRICHES when given), each in its own style, with its legend
    filtered to the map."""
    page = QgsLayoutItemPage(layout)
    page.setPageSize("A4", QgsLayoutItemPage.Landscape)
    layout.pageCollection().addPage(page)
    add_label(layout, '[% "nom" %] ([% "code" %])', (10, 6, 277, 10, 1), 18, True, "titre_page2")
    keys = [k for k in ("changes", "heat", "friches") if k in extras]
    width = (277.0 - 7 * (len(keys) - 1)) / len(keys)
    for index, key in enumerate(keys):
        x = 10 + index * (width + 7)
        layer = extras[key]
        title = text.page_text(key, language) + (' [% "periode" %]' if key == "changes" else "")
        suffix = THEME_IDS[key]
        add_label(layout, title, (x, 20, width, 6, 1), 10, True, "titre_" + suffix)
        item = add_map(layout, [extras["outline"], layer], (x, 28, width, 95, 1), layer.crs(), "carte_" + suffix)
        item.zoomToExtent(extent)
        item.setAtlasDriven(True)
        item.setAtlasScalingMode(QgsLayoutItemMap.Auto)
        item.setAtlasMargin(0.10)
        add_legend(layout, item, layer, (x, 126, 1), "legende_" + suffix)
        if key in THEME_TEXTS:
            add_label(layout, '[%% "%s" %%]' % THEME_TEXTS[key], (x, 166, width, 40, 1), 9, item_id=THEME_TEXTS[key])
    return page


def read_template(path):
    """The QDomDocument of the ``.qpt`` template ``path``; ValueError when it is not a print layout template
    (read before any layout or project is made)."""
    with open(path, encoding="utf-8") as handle:
        content = handle.read()
    document = QDomDocument()
    parsed = document.setContent(content)   # PyQt: (ok, message, line, column)
    if not (parsed[0] if isinstance(parsed, tuple) else parsed):
        raise ValueError(parsed[1] if isinstance(parsed, tuple) else path)
    if document.documentElement().tagName() != "Layout":
        raise ValueError("not a print layout template")
    return document


def _table_name(source):
    """The GeoPackage table of a layer source (``…/atlas.gpkg|layername=zones`` → ``zones``), or ""."""
    return source.split("layername=")[-1].split("|")[0] if "layername=" in source else ""


def default_template(language):
    """The shipped template of the default portrait (scripts/make_layouts.py)."""
    return os.path.join(LAYOUTS, "portrait_%s.qpt" % _lang(language))


def _elements(document, tag):
    nodes = document.elementsByTagName(tag)
    return [nodes.at(index).toElement() for index in range(nodes.count())]


def relink_template(document, project, roles=None):
    """Point the layers a template names (the ``<Layer>`` of its maps, the layers of its legends, the layer of
    its attribute tables) to the layers of ``project``: the layer whose role (a key of ``roles`` = {role: layer},
    as the shipped templates name them) is the template's layer id, else the layer of the same ``atlas.gpkg``
    table (and, for two layers of one table, of the same name): a template saved from the project of another
    atlas folder names the layers of that folder. Pictures ``ocs_toolbox:<file>`` are the files of
    resources/layouts/."""
    roles = roles or {}
    layers = {}
    for layer in project.mapLayers().values():
        layers.setdefault(_table_name(layer.source()), []).append(layer)

    def match(layer_id, source, name):
        if layer_id in roles:
            return roles[layer_id]
        found = layers.get(_table_name(source)) or []
        named = [layer for layer in found if layer.name() == name]
        return (named or found or [None])[0]
    for element in _elements(document, "Layer"):
        if not element.firstChild().isText():
            continue
        layer = match(element.text(), element.attribute("source"), element.attribute("name"))
        if layer is not None:
            element.setAttribute("source", layer.source())
            element.setAttribute("name", layer.name())
            element.firstChild().toText().setData(layer.id())
    for element in _elements(document, "layer-tree-layer"):
        layer = match(element.attribute("id"), element.attribute("source"), element.attribute("name"))
        if layer is not None:
            element.setAttribute("id", layer.id())
            element.setAttribute("source", layer.source())
            element.setAttribute("name", layer.name())
    for element in _elements(document, "LayoutMultiFrame"):
        layer = match(element.attribute("vectorLayer"), element.attribute("vectorLayerSource"),
                      element.attribute("vectorLayerName"))
        if element.hasAttribute("vectorLayer") and layer is not None:
            element.setAttribute("vectorLayer", layer.id())
            element.setAttribute("vectorLayerSource", layer.source())
            element.setAttribute("vectorLayerName", layer.name())
    for element in _elements(document, "LayoutItem"):
        if element.attribute("file").startswith(PLUGIN_PREFIX):
            element.setAttribute("file", os.path.join(LAYOUTS, element.attribute("file")[len(PLUGIN_PREFIX):]))


def set_footer(project, **values):
    """The project variables of the footer (FOOTER_VARIABLES: ``@ocs_sources``, ``@ocs_years``, ``@ocs_date``)."""
    for key, name in FOOTER_VARIABLES.items():
        QgsExpressionContextUtils.setProjectVariable(project, name, values[key])


def load_template(project, document, layers=None, language="fr"):
    """A print layout of ``project`` from a template read by ``read_template``: its layers relinked to those of
    ``project`` (``layers`` = {role: layer} of this run), then fitted to this run (``fit_template``)."""
    layers = layers or {}
    relink_template(document, project, layers)
    layout = QgsPrintLayout(project)
    layout.loadFromTemplate(document, QgsReadWriteContext())
    if layers:
        fit_template(layout, layers, language)
    if not layout.name():
        layout.setName(text.page_text("title", language))
    return layout


def _item(layout, item_id):
    return layout.itemById(item_id)


def fit_template(layout, layers, language):
    """The rules a template follows (README, help): the items of page 2 of an absent theme (HEAT, FRICHES) are
    removed and the remaining columns share the width; each map takes the CRS of its last layer; a map not
    driven by the atlas shows every zone; the class columns of a table on ``transitions`` are this run's."""
    _fit_theme_columns(layout, [key for key in THEME_IDS if key in layers])
    extent = layers["zones"].extent()
    for item in layout.items():
        if isinstance(item, QgsLayoutItemMap):
            if item.layers():
                item.setCrs(item.layers()[-1].crs())
            item.zoomToExtent(extent)       # the atlas moves the maps it drives
    scale = _item(layout, "echelle")
    if isinstance(scale, QgsLayoutItemScaleBar) and scale.linkedMap() is not None:
        _default_scale_size(scale, language)
    transitions = layers.get("transitions")
    for table in layout.multiFrames():
        if isinstance(table, QgsLayoutItemAttributeTable) and transitions is not None and \
                table.vectorLayer() is not None and table.vectorLayer().id() == transitions.id():
            _fit_transition_columns(table, transitions, language)


def _theme_items(layout, key):
    suffix = THEME_IDS[key]
    ids = ["titre_" + suffix, "carte_" + suffix, "legende_" + suffix] + \
        ([THEME_TEXTS[key]] if key in THEME_TEXTS else [])
    return [item for item in (_item(layout, i) for i in ids) if item is not None]


def _fit_theme_columns(layout, present):
    """Remove the items of the themes not in ``present``; when the template has the three maps
    ``carte_changements``, ``carte_chaleur``, ``carte_friches`` side by side, the columns left share their span."""
    maps = [_item(layout, "carte_" + THEME_IDS[key]) for key in THEME_IDS]
    columns = None
    if all(item is not None for item in maps):
        spans = [(item.pagePositionWithUnits().x(), item.sizeWithUnits().width()) for item in maps]
        left, right = spans[0][0], spans[-1][0] + spans[-1][1]
        columns = (spans, left, right, spans[1][0] - (spans[0][0] + spans[0][1]))
    for key in THEME_IDS:
        if key not in present:
            for item in _theme_items(layout, key):
                layout.removeLayoutItem(item)
    if columns is None or len(present) in (0, len(THEME_IDS)):
        return
    spans, left, right, gap = columns
    width = (right - left - gap * (len(present) - 1)) / len(present)
    for new, key in enumerate(present):
        old_x, old_width = spans[list(THEME_IDS).index(key)]
        ratio = width / old_width
        for item in _theme_items(layout, key):
            position = item.pagePositionWithUnits()
            x = left + new * (width + gap) + (position.x() - old_x) * ratio
            item.attemptMove(_mm(x, position.y()), page=item.page())
            if not isinstance(item, QgsLayoutItemLegend):
                item.attemptResize(_size(item.sizeWithUnits().width() * ratio, item.sizeWithUnits().height()))


def _fit_transition_columns(table, layer, language):
    """The class columns (``c_*``) of ``table`` replaced, where the first one stood, by one per class column of
    ``layer`` (their order); headings of the class and total columns = the aliases of this run."""
    lang = _lang(language)
    columns, classes = [], None
    for column in table.columns():
        field = re.search(r'"(c_[^"]+|total)"', column.attribute())
        if field and field.group(1).startswith("c_"):
            if classes is None:
                classes = len(columns)
                columns.append(None)
            continue
        if field and field.group(1) == "total":
            column.setHeading(_heading(layer, "total"))
        columns.append(column)
    if classes is None:
        return
    fresh = []
    for field in layer.fields().names():
        if field.startswith("c_"):
            column = QgsLayoutTableColumn()
            column.setHeading(_heading(layer, field))
            column.setAttribute(_number(field, lang))
            column.setHAlignment(Qt.AlignRight)
            fresh.append(column)
    table.setColumns(columns[:classes] + fresh + columns[classes + 1:])


def enable_atlas(layout, zones):
    atlas = layout.atlas()
    atlas.setEnabled(True)
    atlas.setCoverageLayer(zones)
    atlas.setHideCoverage(False)
    atlas.setSortFeatures(True)
    atlas.setSortExpression('"code"')
    atlas.setFilenameExpression('"fichier"')
    return atlas


def pdf_settings():
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.textRenderFormat = compat.TEXT_ALWAYS_TEXT
    settings.dpi = 150
    return settings


class PageLegends:
    """The legends filtered by the content of their map, filtered here page by page during an export (a context
    manager around it): QGIS's filter (``QgsMapHitTest``) writes the symbol of every feature of the map's extent
    to a string, 0.15–0.25 s a legend and page for the 1,000–1,500 pieces of a commune; here, the legend keys of
    the same features (``legendKeysForFeature`` of the layer's renderer, in the map's extent of the page, as the
    hit test reads them) choose the legend nodes kept (the node order of the layer node, as the layout
    designer's "remove item"), one pass per map and layer shared by the legends of that map. On exit, every
    legend is as it was (filter by map content on, node order restored): the ``.qgz`` holds QGIS's filter.
    Legends QGIS filters otherwise (by the atlas feature, by expression, a map following a theme or with style
    overrides, a legend on the project's layer tree) keep QGIS's filter."""

    ORDER = "legend/node-order"

    def __init__(self, layout):
        self.layout = layout
        # [(legend, [(layer node, its node order property or None, [(index, rule key or None: always kept)]
        # of the nodes of its node order)])]
        self.legends = []
        for item in layout.items():
            if isinstance(item, QgsLayoutItemLegend) and self.handled(item):
                self.legends.append((item, [(node, node.customProperty(self.ORDER), self.keys(node))
                                            for node in item.model().rootGroup().findLayers()]))

    @staticmethod
    def keys(node):
        """[(index, rule key)] of the legend nodes of the layer node ``node`` in its node order (index: among
        the layer's own legend nodes; rule key None, never filtered, for an embedded widget and the nodes of a
        layer other than vector, as QGIS's filter); None for a layer without a legend."""
        layer = node.layer()
        if layer is None or layer.legend() is None:
            return None
        own = layer.legend().createLayerTreeModelLegendNodes(node)
        out = []
        for index in QgsMapLayerLegendUtils.legendNodeOrder(node):
            if 0 <= index < len(own):
                kept = not isinstance(layer, QgsVectorLayer) or own[index].data(
                    QgsLayerTreeModelLegendNode.NodeTypeRole) == QgsLayerTreeModelLegendNode.EmbeddedWidget
                out.append((index, None if kept else own[index].data(QgsLayerTreeModelLegendNode.RuleKeyRole)))
        return out

    @staticmethod
    def handled(legend):
        linked = legend.linkedMap()
        return bool(legend.legendFilterByMapEnabled() and linked is not None and not legend.autoUpdateModel()
                    and not legend.legendFilterOutAtlas()
                    and not QgsLayerTreeUtils.hasLegendFilterExpression(legend.model().rootGroup())
                    and not linked.followVisibilityPreset() and not linked.layerStyleOverrides())

    def __enter__(self):
        for legend, _nodes in self.legends:
            legend.setLegendFilterByMapEnabled(False)
        if self.legends:
            self.layout.atlas().featureChanged.connect(self.filter)
        return self

    def __exit__(self, *_error):
        if self.legends:
            self.layout.atlas().featureChanged.disconnect(self.filter)
        for legend, nodes in self.legends:
            for node, saved, _order in nodes:
                if saved is None:
                    node.removeCustomProperty(self.ORDER)
                else:
                    node.setCustomProperty(self.ORDER, saved)
                legend.model().refreshLayerLegend(node)
            legend.setLegendFilterByMapEnabled(True)
            legend.adjustBoxSize()
        return False

    def filter(self, *_feature):
        """The legends of the atlas feature's page (a slot: on an error, QGIS's filter again for the rest of
        the export, an exception must not leave a slot)."""
        if not self.legends:
            return
        try:
            self._filter()
        except Exception:   # noqa: BLE001 - QGIS's own filter is always right, only slower
            self.__exit__()
            self.legends = []

    def _filter(self):
        done = {}   # map item id → (its settings, {layer id: legend keys})
        for legend, nodes in self.legends:
            linked = legend.linkedMap()
            if linked.uuid() not in done:
                done[linked.uuid()] = (map_settings(linked), {})
            settings, per_layer = done[linked.uuid()]
            model = legend.model()
            for node, _saved, order in nodes:
                if order is None:
                    continue
                layer = node.layer()
                if layer.id() not in per_layer:
                    per_layer[layer.id()] = legend_keys(settings, layer)
                shown = per_layer[layer.id()]
                kept = [] if shown is None else [index for index, key in order if key is None or key in shown]
                QgsMapLayerLegendUtils.setLegendNodeOrder(node, kept)
                model.refreshLayerLegend(node)
            legend.adjustBoxSize()


def map_settings(item):
    """The map settings of the map item ``item`` for the current page, as a legend filtered by it reads them
    (QgsLayoutItemLegend: the requested extent at the layout's dpi)."""
    layout = item.layout()
    dpi = layout.renderContext().dpi()
    extent = item.requestedExtent()
    factor = layout.convertFromLayoutUnits(item.mapUnitsToLayoutUnits(), compat.LAYOUT_MM).length() * dpi / 25.4
    return item.mapSettings(extent, QSizeF(extent.width() * factor, extent.height() * factor), dpi, True)


def legend_keys(settings, layer):
    """The legend keys of the features of ``layer`` drawn with ``settings`` (those of QgsMapHitTest: every
    feature whose box meets the visible extent, its keys from the layer's renderer); None when the map does not
    draw ``layer`` (QGIS's filter then hides all its legend); an empty set out of the layer's scale range and for
    a layer other than vector."""
    if layer.id() not in [drawn.id() for drawn in settings.layers()]:
        return None
    if not isinstance(layer, QgsVectorLayer) or layer.renderer() is None:
        return set()
    if layer.hasScaleBasedVisibility() and not layer.isInScaleRange(settings.scale()):
        return set()
    context = QgsRenderContext.fromMapSettings(settings)
    context.setCoordinateTransform(settings.layerTransform(layer))
    extent = settings.outputExtentToLayerExtent(layer, settings.visibleExtent())
    context.setExtent(extent)
    context.expressionContext().appendScope(QgsExpressionContextUtils.layerScope(layer))
    renderer = layer.renderer().clone()
    renderer.startRender(context, layer.fields())
    request = QgsFeatureRequest(extent)
    request.setSubsetOfAttributes(renderer.usedAttributes(context), layer.fields())
    keys = set()
    try:
        for feature in layer.getFeatures(request):
            context.expressionContext().setFeature(feature)
            keys.update(renderer.legendKeysForFeature(feature, context))
    finally:
        renderer.stopRender(context)
    return keys


def export_pages(layout, folder, feedback, progress=(0, 100)):
    """One PDF per atlas feature, ``<fichier>.pdf`` in ``folder``; progress per zone; on cancel, stops after
    the current page. Returns {fichier: path} of the pages written."""
    atlas = layout.atlas()
    exporter = QgsLayoutExporter(layout)
    settings = pdf_settings()
    written = {}
    if not atlas.beginRender():
        return written
    count = atlas.count()
    with PageLegends(layout):
        for index in range(count):
            if feedback.isCanceled():
                break
            if not atlas.seekTo(index):
                continue
            stem = str(layout.reportContext().feature()["fichier"])
            path = os.path.join(folder, stem + ".pdf")
            result = exporter.exportToPdf(path, settings)
            if result != QgsLayoutExporter.Success:
                feedback.reportError(translate("AtlasAlgorithm", "Could not write {0}: {1}").format(
                    path, getattr(exporter, "errorMessage", lambda: result)()), False)
                continue
            written[stem] = path
            feedback.setProgress(progress[0] + (progress[1] - progress[0]) * (index + 1) / max(count, 1))
    atlas.endRender()
    return written


def export_single(layout, path):
    """Every zone in one PDF; returns an error message or ""."""
    with PageLegends(layout):
        result, error = QgsLayoutExporter.exportToPdf(layout.atlas(), path, pdf_settings())
    return "" if result == QgsLayoutExporter.Success else (error or str(result))


def new_project(layers):
    project = QgsProject()
    project.addMapLayers(layers)
    return project
