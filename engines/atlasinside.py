"""The heat and friches layers of ``ocs:atlas`` (issue #20): computed inside with the engines of
``ocs:heatisland`` and ``ocs:friches`` when HEAT or FRICHES is not given, or the given layer cut to the window of
the zones portrayed.

- heat: the square grid of ocs:heatisland (100 m cells, 5 m pixels, the default coefficients) of the last
  vintage, on the zones' extent grown by the cooling distance (a green area beyond it cools nothing inside);
  the land cover is cut to that window, so that the conservation check of the engine compares the land inside
  the window with the land burnt;
- friches: the sites of ocs:friches (history of every vintage compared, 1,000 m² at least, the zones as
  communes) from the land cover of the zones' extent grown by READ_MARGIN, without the context layers (town
  halls, stations, services, flood areas, zoning, protected areas, polluted sites: ocs:friches takes them).

Plain values in (the engines.changes.Layer of the job, rectangles, the zones), layers out; no Processing
parameter is read here.
"""
import dataclasses
import os
import uuid

from qgis.core import QgsFeatureRequest, QgsProcessingUtils, QgsVectorLayer

from ..core import heat
from . import friches, landcover, styling, window
from . import heat as heat_engine

# Land read around the zones (m): the OCS2D spatial rules (enveloppe urbaine) and the friches sites that cross
# the zones' extent see their neighbours as on the whole layer (ChangeJob of the atlas and friches).
READ_MARGIN = 1000.0
MIN_SITE_M2 = 1000.0        # the default MIN_AREA_M2 of ocs:friches


@dataclasses.dataclass
class Window:
    """The zones portrayed: their extent in the land cover's CRS, their source and code field, and a name for
    the layers."""

    extent: object              # QgsRectangle in ``crs``
    crs: object                 # QgsCoordinateReferenceSystem of the extent (the land cover's)
    zones: object = None        # QgsFeatureSource of the zones (friches: INSEE code of each site)
    zone_field: str = ""


def extent_in(extent, crs, other_crs, context):
    """``extent`` (in ``crs``) as a rectangle of ``other_crs`` (the box of its transform)."""
    transform = landcover.reprojection(crs, other_crs, context)
    return transform.transformBoundingBox(extent) if transform is not None else extent


def around(land, frame, margin, context):
    """The source of ``land`` (engines.changes.Layer) read in the zones' extent grown by ``margin`` (m)."""
    extent = extent_in(frame.extent, frame.crs, land.source.sourceCrs(), context)
    return window.grown(extent, margin)


def workdir():
    path = os.path.join(QgsProcessingUtils.tempFolder(), "ocs_atlas_" + uuid.uuid4().hex[:8])
    os.makedirs(path, exist_ok=True)
    return path


def heat_layer(land, frame, name, context, feedback):
    """The heat island grid of the last vintage of ``land`` (an engines.changes.Layer) over ``frame`` (Window),
    as a styled GeoPackage layer in a scratch folder; None when cancelled."""
    vintage = land.vintages[-1]
    source = window.WindowSource(land.source, around(land, frame, heat.COOLING_DISTANCE, context), clip=True)
    cover = landcover.resolved(source, [vintage], land.key, context)
    crs = cover.transform.destinationCrs() if cover.transform is not None else cover.crs
    folder = workdir()
    options = heat_engine.HeatOptions(crs, heat.RESOLUTION, heat.Coefficients(land.key), [vintage.vintage], folder)
    engine = heat_engine.HeatEngine(options, context, feedback)
    class_source = engine.grid_class_source(heat_engine.ClassesInput(source, [vintage], cover.transform))
    if class_source is None:
        return None
    steps = heat.grid_steps(options.cell, options.resolution, heat_engine.COARSE_MIN)
    try:
        if not engine.burn_grid(class_source, steps):
            return None
        path = os.path.join(folder, "chaleur.gpkg")
        engine.write_grid_gpkg(path, "chaleur")
    finally:
        class_source.close()
        engine.close()
    uri = "%s|layername=chaleur" % path
    layer = QgsVectorLayer(uri, name, "ogr")
    styling.style_layer(layer, "classe_%s" % vintage.vintage, "heat_classe")
    styling.save_style_in_database(layer, "chaleur", name, True)
    # opened again with its default style: the layer that wrote the style counts its features with an error
    # message of SQLite (a connection left in update mode)
    return QgsVectorLayer(uri, name, "ogr")


def friches_layer(land, frame, name, context, feedback):
    """The friches sites of ``land`` (an engines.changes.Layer: its vintages make the history) around ``frame``
    (Window), as a styled memory layer, and their number; (None, 0) when cancelled."""
    source = window.WindowSource(land.source, around(land, frame, READ_MARGIN, context))
    cover = landcover.resolved(source, land.vintages, land.key, context)
    layers = friches.Layers(zones=frame.zones, zone_field=frame.zone_field or "")
    sites = friches.run(cover, MIN_SITE_M2, layers, context, feedback)
    if sites is None:
        return None, 0
    crs = friches.working_crs(cover)
    layer = QgsVectorLayer("MultiPolygon?crs=%s" % (crs.authid() or crs.toWkt()), name, "memory")
    fields = friches.output_fields()
    layer.dataProvider().addAttributes(fields.toList())
    layer.updateFields()
    rows, _vocations = friches.write(sites, fields, layer.dataProvider())
    layer.updateExtents()
    styling.style_layer(layer, "vocation", "friche_vocation")
    return layer, len(rows)


def window_copy(original, frame, context):
    """The features of ``original`` (a given HEAT or FRICHES layer) whose box meets the zones' extent (``frame``),
    in a memory layer carrying the original's style (its default style when it is a file)."""
    extent = extent_in(frame.extent, frame.crs, original.crs(), context)
    if window.contains(extent, original.extent()):
        return original
    copy = original.materialize(QgsFeatureRequest().setFilterRect(extent))
    copy.setName(original.name())
    renderer = styling.stored_renderer(original)
    if renderer is not None:
        copy.setRenderer(renderer)
    return copy
