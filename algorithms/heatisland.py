"""ocs:heatisland — surchauffe score per unit (grid, hexagons, zones or the input polygons) from land cover.

Raster engine (GDAL, numpy), tile by tile so that memory stays small on a whole département:
1. the land-cover classes of every vintage and the unit ids are burnt at RESOLUTION (5 m) into tiles of
   TILE × TILE pixels; pixel counts per unit and class give the shares and the local indices (core/heat.py);
2. green and blue areas are kept on a coarser grid (COARSE_MIN m, ≥ RESOLUTION), sieved to patches of at least
   MIN_GREEN_AREA_HA, and GDAL's proximity gives the distance of every coarse cell to the nearest patch; each
   unit takes the nearest distance over its coarse cells.
The areas of every class burnt into the tiles are compared with the vector areas (conservation, in the log).
"""
import math
import os
import uuid

import numpy
from osgeo import gdal, ogr, osr

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterString,
    QgsProcessingUtils,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import heat
from ..core.tables import matrix_rows
from ..core import nomenclature as nom
from . import base
from ..fastpath import gpkg
from ..engines import heatgrid, landcover, styling

translate = QCoreApplication.translate
TILE = 2000                 # pixels per tile side
COARSE_MIN = 20.0           # metres: resolution of the green areas and of the distances
UNITS = ("grid", "hexagons", "zones", "polygons")


class HeatIslandAlgorithm(base.OcsAlgorithm):
    NAME = "heatisland"
    GROUP = "climate"
    INPUT = "INPUT"
    NOMENCLATURE = "NOMENCLATURE"
    VINTAGES = "VINTAGES"
    UNITS = "UNITS"
    CELL_SIZE = "CELL_SIZE"
    ZONES = "ZONES"
    COEFFICIENTS = "COEFFICIENTS"
    COOLING_DISTANCE = "COOLING_DISTANCE"
    MIN_GREEN_AREA_HA = "MIN_GREEN_AREA_HA"
    RESOLUTION = "RESOLUTION"
    OUTPUT = "OUTPUT"
    OUTPUT_RASTER = "OUTPUT_RASTER"

    def tr(self, text):
        return QCoreApplication.translate("HeatIslandAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Heat island (surchauffe) score")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (OCS2D or OCS GE)"), [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, self.tr("Nomenclature"), base.nomenclature_options(), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.VINTAGES, self.tr("Vintages (e.g. 2005,2021; empty = every vintage detected)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.UNITS, self.tr("Units"), [self.tr("Square grid"), self.tr("Hexagonal grid"),
                                           self.tr("Zones layer"), self.tr("Input polygons")], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.CELL_SIZE, self.tr("Grid cell size (m)"), compat.NUMBER_DOUBLE, defaultValue=heat.CELL_SIZE,
            minValue=1.0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONES, self.tr("Zones (e.g. îlots, IRIS) when Units = zones"), [compat.TYPE_VECTOR_POLYGON],
            optional=True))
        self.addParameter(QgsProcessingParameterMatrix(
            self.COEFFICIENTS, self.tr("Coefficients (class or code, h_jour, h_nuit; empty = defaults)"),
            headers=["class", "h_jour", "h_nuit"], hasFixedNumberRows=False, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.COOLING_DISTANCE, self.tr("Cooling distance of green and blue areas (m)"), compat.NUMBER_DOUBLE,
            defaultValue=heat.COOLING_DISTANCE, minValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_GREEN_AREA_HA, self.tr("Minimum area of a cooling green or blue area (ha)"),
            compat.NUMBER_DOUBLE, defaultValue=heat.MIN_GREEN_AREA_HA, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.RESOLUTION, self.tr("Internal raster resolution (m)"), compat.NUMBER_DOUBLE,
            defaultValue=heat.RESOLUTION, minValue=0.1))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Surchauffe score"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_RASTER, self.tr("Score raster (GeoTIFF, optional)"), optional=True, createByDefault=False))

    # -- parameters ---------------------------------------------------------------------------------------
    def _coefficients(self, parameters, context, key, feedback):
        try:
            rows = matrix_rows(self.parameterAsMatrix(parameters, self.COEFFICIENTS, context), 3)
        except ValueError as error:
            raise QgsProcessingException(self.tr("COEFFICIENTS must have 3 columns (class, h_jour, h_nuit); got "
                                                 "{0} values.").format(error.args[0]))
        try:
            coefficients = heat.Coefficients(key, rows)
        except ValueError as error:
            raise QgsProcessingException(self.tr(
                "COEFFICIENTS: '{0}' is neither a class (bati, impermeable, mineral, composite, sol_nu, eau, "
                "feuillus, coniferes, mixte, arbustif, vigne, herbace…) nor a known couverture code, or a value "
                "is not between 0 and 1.").format(error.args[0]))
        if coefficients.overridden:
            feedback.pushInfo(self.tr("Coefficients overridden: {0}").format(", ".join(coefficients.overridden)))
        return coefficients

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = base.require_polygon_source(self, parameters, self.INPUT, context)
        if source.featureCount() == 0:
            raise QgsProcessingException(self.tr("The input layer '{0}' is empty.").format(source.sourceName()))
        vintages = landcover.resolve_vintages(source, self.parameterAsString(parameters, self.VINTAGES, context),
                                         None, None, feedback)
        key = landcover.choose_nomenclature(source, vintages,
                                       self.parameterAsEnum(parameters, self.NOMENCLATURE, context), feedback)
        coefficients = self._coefficients(parameters, context, key, feedback)
        units = UNITS[self.parameterAsEnum(parameters, self.UNITS, context)]
        cell = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        cooling_distance = self.parameterAsDouble(parameters, self.COOLING_DISTANCE, context)
        min_green = self.parameterAsDouble(parameters, self.MIN_GREEN_AREA_HA, context)
        resolution = self.parameterAsDouble(parameters, self.RESOLUTION, context)
        zones = None
        if units == "zones":
            if parameters.get(self.ZONES) in (None, ""):
                raise QgsProcessingException(self.tr("Units = zones needs a ZONES layer."))
            zones = base.require_polygon_source(self, parameters, self.ZONES, context)
        transform = landcover.metric_transform(source.sourceCrs(), source.sourceExtent(), context)
        crs = transform.destinationCrs() if transform is not None else source.sourceCrs()
        if transform is not None:
            feedback.pushInfo(self.tr("Geographic CRS: the score is computed and written in {0}.").format(
                crs.authid()))
        workdir = os.path.join(QgsProcessingUtils.tempFolder(), "ocs_heat_" + uuid.uuid4().hex[:8])
        os.makedirs(workdir, exist_ok=True)
        years = [v.vintage for v in vintages]

        engine = HeatEngine(self, context, feedback, crs, resolution, coefficients, years, workdir)
        classes_path = os.path.join(workdir, "classes.gpkg")
        fast = None
        if transform is None:
            try:
                fast = base.gpkg_input(self, parameters, self.INPUT, context)
            except (gpkg.FastPathUnavailable, RuntimeError) as reason:
                feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
        steps = heat.grid_steps(cell, resolution, COARSE_MIN) if units == "grid" else None
        if steps is not None:
            return self._run_grid(parameters, context, engine, fast, steps, vintages, source, transform,
                                  classes_path, cell, cooling_distance, min_green)
        if fast is not None and engine.write_classes_sql(fast[0], fast[1], vintages, source, classes_path):
            pass
        elif not engine.write_classes(source, vintages, transform, classes_path):
            return {}
        if units in ("grid", "hexagons"):
            engine.make_grid(units, cell, os.path.join(workdir, "units.gpkg"))
        elif units == "zones":
            engine.write_units(zones, self._transform_to(zones, crs, context), os.path.join(workdir, "units.gpkg"),
                               keep_fields=True)
        else:
            engine.use_classes_as_units()
        if not engine.burn(cooling_distance, min_green):
            return {}
        results = {self.OUTPUT: engine.write_output(parameters, self, cooling_distance)}
        raster = self.parameterAsOutputLayer(parameters, self.OUTPUT_RASTER, context)
        if raster:
            engine.write_raster(raster, cooling_distance)
            results[self.OUTPUT_RASTER] = raster
        engine.close()
        return results

    def _run_grid(self, parameters, context, engine, fast, steps, vintages, source, transform, classes_path, cell,
                  cooling_distance, min_green):
        """Square grid whose cells are whole blocks of pixels: read off the raster (algorithms/heatgrid.py)."""
        class_source = None
        if fast is not None:
            class_source = engine.sql_class_source(fast[0], fast[1], vintages, source)
        if class_source is None:
            if not engine.write_classes(source, vintages, transform, classes_path):
                return {}
            class_source = heatgrid.ClassSource(classes_path, "classes", ['"cls_%s"' % y for y in engine.years])
        if not engine.burn_grid(class_source, cell, steps, cooling_distance, min_green):
            return {}
        results = {self.OUTPUT: engine.write_grid_output(parameters, self, fast[0] if fast else None)}
        raster = self.parameterAsOutputLayer(parameters, self.OUTPUT_RASTER, context)
        if raster:
            engine.write_raster(raster, cooling_distance)
            results[self.OUTPUT_RASTER] = raster
        class_source.close()
        engine.close()
        return results

    @staticmethod
    def _transform_to(source, crs, context):
        if source.sourceCrs() == crs:
            return None
        return QgsCoordinateTransform(source.sourceCrs(), crs, context.transformContext())


class HeatEngine:
    """Vector → tiles → counts per unit and class, distances to green areas, scores."""

    def __init__(self, alg, context, feedback, crs, resolution, coefficients, years, workdir):
        self.alg = alg
        self.workdir = workdir
        self.tiles = []             # (tx, ty, pw, ph, file of the tile's arrays)
        self.context = context
        self.feedback = feedback
        self.crs = crs
        self.res = resolution
        self.coefficients = coefficients
        self.years = years
        self.n_ids = len(coefficients.classes) + 1
        self.vector_area = {year: numpy.zeros(self.n_ids) for year in years}
        self.extent = None
        self.srs = osr.SpatialReference()
        self.srs.ImportFromWkt(crs.toWkt())
        self.unit_path = None
        self.unit_field = "uid"
        self.unit_layer_fields = None
        self.max_uid = 0
        self.units_are_input = False

    # -- vector preparation -----------------------------------------------------------------------------
    def _create(self, path, name, fields):
        driver = ogr.GetDriverByName("GPKG")
        dataset = driver.CreateDataSource(path)
        layer = dataset.CreateLayer(name, self.srs, ogr.wkbUnknown, ["SPATIAL_INDEX=YES"])
        for field_name in fields:
            layer.CreateField(ogr.FieldDefn(field_name, ogr.OFTInteger))
        return dataset, layer

    def write_classes(self, source, vintages, transform, path):
        """One GeoPackage holding the geometry and the class id of every vintage (cls_<year>)."""
        meter_crs = self.crs
        meter = landcover.AreaMeter(meter_crs, self.context)
        dataset, layer = self._create(path, "classes", ["uid"] + ["cls_%s" % y for y in self.years])
        definition = layer.GetLayerDefn()
        fields = source.fields()
        indexes = [(v.vintage, fields.lookupField(v.cs_field), fields.lookupField(v.us_field)) for v in vintages]
        request = QgsFeatureRequest().setSubsetOfAttributes([i for _y, a, b in indexes for i in (a, b)])
        extent = compat.null_rectangle()
        unknown = 0
        total = source.featureCount() or 1
        step = max(1, total // 50)
        dataset.StartTransaction()
        self.unit_ids = []
        # uid = position among the features with a geometry, so that unit_ids[uid - 1] is the feature's id
        for count, (feature, geometry) in enumerate(landcover.geometries(source, transform, request)):
            if count % step == 0:
                if self.feedback.isCanceled():
                    return False
                self.feedback.setProgress(25.0 * count / total)
            extent.combineExtentWith(geometry.boundingBox())
            out = ogr.Feature(definition)
            out.SetGeometry(ogr.CreateGeometryFromWkb(bytes(geometry.asWkb())))
            out.SetField(0, count + 1)
            self.max_uid = count + 1
            attributes = feature.attributes()
            area = meter.area(geometry)
            for position, (year, cs_index, us_index) in enumerate(indexes, start=1):
                class_id = self.coefficients.class_id(attributes[cs_index], attributes[us_index])
                if class_id == 0:
                    unknown += 1
                out.SetField(position, class_id)
                self.vector_area[year][class_id] += area
            layer.CreateFeature(out)
            self.unit_ids.append(feature.id())
            if count % 50000 == 49999:
                dataset.CommitTransaction()
                dataset.StartTransaction()
        dataset.CommitTransaction()
        dataset = None
        if unknown:
            self.feedback.reportError(translate("HeatIslandAlgorithm", "{0} feature-vintages have a NULL or unknown couverture code: they are "
                                              "left out of the covered part.").format(unknown), False)
        self.classes_path = path
        self.extent = extent
        return True

    def class_sql(self, path, layer_name, vintages):
        """(reader, WITH clause, joins, [class id expression per vintage]) giving the class ids of a GeoPackage
        layer in SQL (a join on its distinct (cs, us) pairs); the vector area of every class is summed on the way.
        None when the layer does not qualify (text code fields)."""
        reader = gpkg.GpkgReclassifier(path, layer_name)
        if not all(reader.is_text(f) for v in vintages for f in (v.cs_field, v.us_field)):
            return None
        q = gpkg.quote_identifier
        geometry = q(reader.layer.GetGeometryColumn())
        ctes, expressions, joins = [], [], []
        unknown = 0
        for position, entry in enumerate(vintages):
            year = entry.vintage
            table = {}
            for cs, us, area in reader._query("SELECT %s, %s, SUM(ST_Area(%s)) FROM %s GROUP BY 1, 2" % (
                    q(entry.cs_field), q(entry.us_field), geometry, reader.table)):
                class_id = self.coefficients.class_id(cs, us)
                table[gpkg.pair_key(cs, us)] = class_id
                self.vector_area[year][class_id] += area or 0.0
                if class_id == 0:
                    unknown += 1
            alias = "lut%d" % position
            rows = ",".join("(%s,%d)" % (gpkg.literal(key), value) for key, value in table.items())
            ctes.append("%s(k, c) AS (VALUES %s)" % (alias, rows))
            expressions.append("CAST(ifnull(%s.c, 0) AS INTEGER)" % alias)
            joins.append("LEFT JOIN %s ON %s.k = %s" % (alias, alias, gpkg.pair_key_sql(
                entry.cs_field, entry.us_field, "l.")))
        if unknown:
            self.feedback.reportError(translate("HeatIslandAlgorithm", "{0} (couverture, usage) pairs have a NULL "
                                                "or unknown couverture code: their polygons are left out of the "
                                                "covered part.").format(unknown), False)
        return reader, "WITH " + ",".join(ctes), " ".join(joins), expressions

    def write_classes_sql(self, path, layer_name, vintages, source, out_path):
        """The classes GeoPackage written by GDAL in one SQL statement (a join on the distinct (cs, us) pairs);
        False when the layer does not qualify (then the feature-by-feature path runs)."""
        found = self.class_sql(path, layer_name, vintages)
        if found is None:
            return False
        reader, prefix, joins, expressions = found
        q = gpkg.quote_identifier
        geometry = q(reader.layer.GetGeometryColumn())
        fid = q(reader.layer.GetFIDColumn() or "fid")
        # "+ 0" makes uid a plain field (a bare fid column would become the FID of the result)
        selects = ["l.%s AS geom" % geometry, "(l.%s + 0) AS uid" % fid]
        selects += ["%s AS %s" % (e, q("cls_%s" % v.vintage)) for e, v in zip(expressions, vintages)]
        sql = "%s SELECT %s FROM %s l %s" % (prefix, ", ".join(selects), reader.table, joins)
        result = gdal.VectorTranslate(out_path, reader.dataset, format="GPKG", SQLStatement=sql,
                                      layerName="classes", options=["-nlt", "GEOMETRY"])
        if result is None:
            return False
        result = None
        self.max_uid = int(reader._query("SELECT MAX(%s) FROM %s" % (fid, reader.table))[0][0] or 0)
        self.unit_ids = None        # uid = the input feature's id
        self.classes_path = out_path
        self.extent = QgsRectangle(source.sourceExtent())
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "Classes written by GDAL (GeoPackage fast path)."))
        return True

    def sql_class_source(self, path, layer_name, vintages, source):
        """A heatgrid.ClassSource reading the classes straight from the input GeoPackage, or None."""
        found = self.class_sql(path, layer_name, vintages)
        if found is None:
            return None
        reader, prefix, joins, expressions = found
        try:
            class_source = heatgrid.ClassSource(path, layer_name, expressions, prefix, joins)
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            self.feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
            self.vector_area = {year: numpy.zeros(self.n_ids) for year in self.years}
            return None
        self.extent = QgsRectangle(source.sourceExtent())
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "Classes read by GDAL (GeoPackage fast path)."))
        return class_source

    def make_grid(self, kind, cell, path):
        import processing

        extent = self.extent
        extent_text = "%f,%f,%f,%f [%s]" % (extent.xMinimum(), extent.xMaximum(), extent.yMinimum(),
                                            extent.yMaximum(), self.crs.authid())
        processing.run("native:creategrid", {
            "TYPE": 2 if kind == "grid" else 4, "EXTENT": extent_text, "HSPACING": cell, "VSPACING": cell,
            "HOVERLAY": 0, "VOVERLAY": 0, "CRS": self.crs, "OUTPUT": path},
            context=self.context, feedback=None, is_child_algorithm=True)
        self.unit_path = path
        self.unit_field = "id"
        self.unit_layer_fields = None

    def write_units(self, source, transform, path, keep_fields):
        dataset, layer = self._create(path, "units", ["uid"])
        definition = layer.GetLayerDefn()
        dataset.StartTransaction()
        self.zone_attributes = []
        self.unit_layer_fields = source.fields()
        uid = 0
        for feature, geometry in landcover.geometries(source, transform):
            uid += 1
            out = ogr.Feature(definition)
            out.SetGeometry(ogr.CreateGeometryFromWkb(bytes(geometry.asWkb())))
            out.SetField(0, uid)
            layer.CreateFeature(out)
            self.zone_attributes.append(feature.attributes())
        self.max_uid = uid
        dataset.CommitTransaction()
        dataset = None
        self.unit_path = path
        self.unit_field = "uid"

    def use_classes_as_units(self):
        self.unit_path = self.classes_path
        self.unit_field = "uid"
        self.unit_layer_fields = None
        self.units_are_input = True

    # -- tiles -------------------------------------------------------------------------------------------------
    def burn(self, cooling_distance, min_green):
        res = self.res
        extent = self.extent
        self.x0, self.y0 = extent.xMinimum(), extent.yMaximum()
        self.width = max(1, int(math.ceil(extent.width() / res)))
        self.height = max(1, int(math.ceil(extent.height() / res)))
        self.k = max(1, int(round(max(COARSE_MIN, res) / res)))
        tile = TILE - TILE % self.k
        self.coarse_w = int(math.ceil(self.width / self.k))
        self.coarse_h = int(math.ceil(self.height / self.k))
        units = ogr.Open(self.unit_path)
        unit_layer = units.GetLayer(0)
        self.n_units = self.max_uid if self.unit_field == "uid" else self._max_id(unit_layer)
        classes = ogr.Open(self.classes_path)
        class_layer = classes.GetLayer(0)
        n_years = len(self.years)
        self.counts = [numpy.zeros(self.n_units * self.n_ids, dtype=numpy.int64) for _y in self.years]
        self.outside = [numpy.zeros(self.n_ids, dtype=numpy.int64) for _y in self.years]
        _h_jour, _h_nuit, green, _group = self.coefficients.arrays()
        self.green_lookup = green
        self.coarse_green = [numpy.zeros((self.coarse_h, self.coarse_w), dtype=numpy.uint8) for _y in self.years]
        # (unit, coarse cell) pairs: the units present in each coarse cell (lowest and highest id of the cell)
        pairs_unit, pairs_cell = [], []
        tiles = [(tx, ty) for ty in range(0, self.height, tile) for tx in range(0, self.width, tile)]
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0} × {1} pixels of {2} m in {3} tiles; {4} units.").format(
            self.width, self.height, "%g" % res, len(tiles), self.n_units))
        memory = gdal.GetDriverByName("MEM")
        for number, (tx, ty) in enumerate(tiles):
            if self.feedback.isCanceled():
                return False
            self.feedback.setProgress(25.0 + 55.0 * number / len(tiles))
            tw, th = min(tile, self.width - tx), min(tile, self.height - ty)
            # pad to whole coarse cells
            pw, ph = int(math.ceil(tw / self.k)) * self.k, int(math.ceil(th / self.k)) * self.k
            xmin, ymax = self.x0 + tx * res, self.y0 - ty * res
            raster = memory.Create("", pw, ph, n_years + 1, gdal.GDT_Int32)
            raster.SetGeoTransform((xmin, res, 0.0, ymax, 0.0, -res))
            raster.SetProjection(self.srs.ExportToWkt())
            box = (xmin, ymax - ph * res, xmin + pw * res, ymax)
            class_layer.SetSpatialFilterRect(*box)
            for band, year in enumerate(self.years, start=1):
                gdal.RasterizeLayer(raster, [band], class_layer, options=["ATTRIBUTE=cls_%s" % year])
            unit_layer.SetSpatialFilterRect(*box)
            gdal.RasterizeLayer(raster, [n_years + 1], unit_layer, options=["ATTRIBUTE=%s" % self.unit_field])
            uid = raster.GetRasterBand(n_years + 1).ReadAsArray()
            # pixels beyond the territory's extent (padding) hold no class and no unit
            inside_unit = uid > 0
            unit_index = uid[inside_unit].astype(numpy.int64) - 1
            for position, year in enumerate(self.years):
                cls = raster.GetRasterBand(position + 1).ReadAsArray()
                self.counts[position] += numpy.bincount(unit_index * self.n_ids + cls[inside_unit],
                                                        minlength=self.n_units * self.n_ids)
                self.outside[position] += numpy.bincount(cls[~inside_unit].ravel(), minlength=self.n_ids)
                self.outside[position][0] = 0     # padding and gaps: no land cover
                blocks = green[cls].reshape(ph // self.k, self.k, pw // self.k, self.k).mean(axis=(1, 3))
                cy, cx = ty // self.k, tx // self.k
                sub = self.coarse_green[position][cy:cy + ph // self.k, cx:cx + pw // self.k]
                sub[...] = (blocks[:sub.shape[0], :sub.shape[1]] >= 0.5)
            blocks = uid.reshape(ph // self.k, self.k, pw // self.k, self.k)
            masked = numpy.where(blocks > 0, blocks, numpy.iinfo(numpy.int32).max)
            lowest = masked.min(axis=(1, 3))
            highest = blocks.max(axis=(1, 3))
            rows, cols = numpy.indices(lowest.shape)
            cells = (rows + ty // self.k) * self.coarse_w + (cols + tx // self.k)
            valid = (rows + ty // self.k < self.coarse_h) & (cols + tx // self.k < self.coarse_w)
            for ids, extra in ((lowest, None), (highest, highest != lowest)):
                keep = valid & (ids > 0) & (ids < numpy.iinfo(numpy.int32).max)
                if extra is not None:
                    keep &= extra       # most coarse cells hold one unit: store it once
                pairs_unit.append((ids[keep] - 1).astype(numpy.int32))
                pairs_cell.append(cells[keep].astype(numpy.int64))
            # the tile's arrays, for the second pass once the distances are known
            tile_path = os.path.join(self.workdir, "tile_%d.npz" % number)
            numpy.savez(tile_path, uid=uid, **{"cls%d" % position: raster.GetRasterBand(position + 1).ReadAsArray()
                                                .astype(numpy.uint8) for position in range(n_years)})
            self.tiles.append((tx, ty, pw, ph, tile_path))
            raster = None
        class_layer.SetSpatialFilter(None)
        unit_layer.SetSpatialFilter(None)
        self.pairs = (numpy.concatenate(pairs_unit), numpy.concatenate(pairs_cell))
        self.distances = []
        self.coarse_distance = {}
        for position, year in enumerate(self.years):
            self.distances.append(self._distances(position, cooling_distance, min_green))
        self._conservation()
        return self._cool(cooling_distance)

    def _cool(self, cooling_distance):
        """Second pass: per pixel, H = 1 − max(1 − h, CC_GREEN · cooling(distance of its coarse cell)); per unit,
        the sums of H by day and by night and of the cooling factor over the covered pixels."""
        h_jour, h_nuit, _green, _group = self.coefficients.arrays()
        self.sums = []
        for position in range(len(self.years)):
            self.sums.append({name: numpy.zeros(self.n_units) for name in ("jour", "nuit", "cooling")})
        for number, (tx, ty, pw, ph, path) in enumerate(self.tiles):
            if self.feedback.isCanceled():
                return False
            self.feedback.setProgress(80.0 + 15.0 * number / max(1, len(self.tiles)))
            arrays = numpy.load(path)
            uid = arrays["uid"]
            rows = numpy.minimum((numpy.arange(ph) + ty) // self.k, self.coarse_h - 1)
            cols = numpy.minimum((numpy.arange(pw) + tx) // self.k, self.coarse_w - 1)
            for position in range(len(self.years)):
                cls = arrays["cls%d" % position]
                covered = (uid > 0) & (cls > 0)
                index = uid[covered].astype(numpy.int64) - 1
                distance = self.coarse_distance[position][numpy.ix_(rows, cols)][covered]
                factor = heat.cooling(distance, cooling_distance)
                ids = cls[covered]
                sums = self.sums[position]
                sums["jour"] += numpy.bincount(index, heat.final_index(h_jour[ids], factor), self.n_units)
                sums["nuit"] += numpy.bincount(index, heat.final_index(h_nuit[ids], factor), self.n_units)
                sums["cooling"] += numpy.bincount(index, factor, self.n_units)
            arrays = None
            os.remove(path)
        return True

    # -- square grid read off the raster (algorithms/heatgrid.py) -------------------------------------------
    def burn_grid(self, class_source, cell, steps, cooling_distance, min_green):
        """Counts, distances and cooled sums per cell of the square grid of native:creategrid on the extent,
        without building the grid: a cell is an n × n block of pixels, a coarse cell a k × k block."""
        n, k = steps
        m = n // k
        res = self.res
        extent = self.extent
        self.cell = cell
        self.x0, self.y0 = extent.xMinimum(), extent.yMaximum()
        self.grid_cols, self.grid_rows = heatgrid.grid_size(extent, cell)
        self.width, self.height = self.grid_cols * n, self.grid_rows * n
        self.k = k
        self.coarse_w, self.coarse_h = self.width // k, self.height // k
        self.n_units = self.grid_cols * self.grid_rows
        self.class_source = class_source
        n_years = len(self.years)
        h_jour, h_nuit, green, _group = self.coefficients.arrays()
        # cell rows per band: about 3 million pixels (the arrays of a band stay under the 32 MiB above which glibc
        # maps fresh pages for every allocation)
        band_cells = max(1, int(3e6 // (self.width * n)))
        n_bands = -(-self.grid_rows // band_cells)
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0} × {1} pixels of {2} m in {3} bands; {4} cells "
                                         "of {5} m read off the raster.").format(
            self.width, self.height, "%g" % res, n_bands, self.n_units, "%g" % cell))
        keys = heat.coarse_keys(band_cells * n, self.width, k, self.n_ids)
        work = numpy.empty(keys.shape, dtype=numpy.int64)
        histograms = [None] * n_years
        burnt = class_source.bands(self.x0, self.y0, self.width, self.height, res, band_cells * n,
                                   workers=min(2, os.cpu_count() or 1))
        try:
            for number, (first, arrays) in enumerate(burnt):
                if self.feedback.isCanceled():
                    return False
                self.feedback.setProgress(60.0 * number / n_bands)
                for position, classes in enumerate(arrays):
                    band = heat.coarse_histogram(classes, keys, k, self.n_ids, work)
                    if histograms[position] is None:
                        histograms[position] = numpy.zeros((self.coarse_h, self.coarse_w, self.n_ids),
                                                           dtype=band.dtype)
                    histograms[position][first // k:first // k + band.shape[0]] = band
        finally:
            burnt.close()
        self.counts, self.outside, self.distances, self.sums = [], [], [], []
        self.coarse_distance = {}
        self.coarse_green = [None] * n_years
        green_ids = [c for c in range(self.n_ids) if green[c]]
        for position, year in enumerate(self.years):
            if self.feedback.isCanceled():
                return False
            self.feedback.setProgress(60.0 + 30.0 * position / n_years)
            histogram = histograms[position]
            counts = heat.block_sum(histogram, m)                    # (rows, cols, n_ids)
            self.counts.append(heatgrid.by_id(counts).astype(numpy.int64).ravel())
            self.outside.append(numpy.zeros(self.n_ids, dtype=numpy.int64))
            green_pixels = numpy.zeros((self.coarse_h, self.coarse_w), dtype=numpy.int32)
            for c in green_ids:
                green_pixels += histogram[..., c]
            self.coarse_green[position] = (2 * green_pixels >= k * k).astype(numpy.uint8)
            green_pixels = None
            distance = self._coarse_distances(position, cooling_distance, min_green)
            self.distances.append(heatgrid.by_id(heat.block_min(distance, m)))
            (day, night), cooling = heat.cooled_block_sums(histogram, distance, cooling_distance, (h_jour, h_nuit), m)
            self.sums.append({"jour": heatgrid.by_id(day), "nuit": heatgrid.by_id(night),
                              "cooling": heatgrid.by_id(cooling)})
            histograms[position] = None
        self._conservation()
        return True

    @staticmethod
    def _max_id(layer):
        """Highest grid id (native:creategrid numbers its cells from 1)."""
        result = layer.GetDataset().ExecuteSQL('SELECT MAX("id") FROM "%s"' % layer.GetName()) \
            if hasattr(layer, "GetDataset") else None
        if result is not None:
            try:
                feature = result.GetNextFeature()
                return int(feature.GetField(0) or 0)
            finally:
                layer.GetDataset().ReleaseResultSet(result)
        layer.ResetReading()
        highest = max((feature.GetFieldAsInteger("id") for feature in layer), default=0)
        layer.ResetReading()
        return highest

    def _distances(self, position, cooling_distance, min_green):
        """Per unit: distance (m) to the nearest green/blue patch of at least ``min_green`` ha (inf: none near)."""
        values = self._coarse_distances(position, cooling_distance, min_green).ravel()
        per_unit = numpy.full(self.n_units, numpy.inf)
        units, cells = self.pairs
        numpy.minimum.at(per_unit, units, values[cells])
        return per_unit

    def _coarse_distances(self, position, cooling_distance, min_green):
        """Per coarse cell: distance (m) to the nearest green/blue patch of at least ``min_green`` ha (inf: none
        within 3 × the cooling distance)."""
        coarse = self.res * self.k
        memory = gdal.GetDriverByName("MEM")
        green = memory.Create("", self.coarse_w, self.coarse_h, 2, gdal.GDT_Byte)
        green.SetGeoTransform((self.x0, coarse, 0.0, self.y0, 0.0, -coarse))
        green.GetRasterBand(1).WriteArray(self.coarse_green[position])
        band = green.GetRasterBand(1)
        self._keep_large_patches(green, band, min_green * 1e4)
        patches = band.ReadAsArray()
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0}: {1} ha of green and blue areas in patches of at least {2} ha.").format(
            self.years[position], "%.2f" % (patches.sum() * coarse * coarse / 1e4), "%g" % min_green))
        distance = memory.Create("", self.coarse_w, self.coarse_h, 1, gdal.GDT_Float32)
        distance.SetGeoTransform((self.x0, coarse, 0.0, self.y0, 0.0, -coarse))
        gdal.ComputeProximity(band, distance.GetRasterBand(1),
                              ["VALUES=1", "DISTUNITS=GEO", "MAXDIST=%f" % (cooling_distance * 3), "NODATA=-1"])
        values = distance.GetRasterBand(1).ReadAsArray()         # float32
        values[values < 0] = numpy.inf
        self.coarse_distance[position] = values
        return values

    def _keep_large_patches(self, dataset, band, min_area):
        """Keep in ``band`` (1 = green or blue) only the 8-connected patches of at least ``min_area`` m²."""
        if min_area <= 0:
            return
        vectors = ogr.GetDriverByName("Memory").CreateDataSource("patches")
        layer = vectors.CreateLayer("patches", self.srs, ogr.wkbPolygon)
        layer.CreateField(ogr.FieldDefn("value", ogr.OFTInteger))
        # one polygon per 8-connected patch of green pixels (the mask leaves the other pixels out)
        gdal.Polygonize(band, band, layer, 0, ["8CONNECTED=8"])
        # OGR's special field OGR_GEOM_AREA: the patches large enough, without a Python loop over them
        layer.SetAttributeFilter("OGR_GEOM_AREA >= %r" % (min_area - 1e-6))
        band.Fill(0)
        gdal.RasterizeLayer(dataset, [1], layer, burn_values=[1])
        vectors = None

    def _conservation(self):
        res2 = self.res * self.res
        for position, year in enumerate(self.years):
            burnt = (self.counts[position].reshape(self.n_units, self.n_ids).sum(axis=0)
                     + self.outside[position]) * res2
            vector = self.vector_area[year]
            worst = []
            for class_id in range(1, self.n_ids):
                if vector[class_id] <= 0 and burnt[class_id] <= 0:
                    continue
                gap = abs(burnt[class_id] - vector[class_id]) / max(vector[class_id], 1e-9)
                worst.append((gap, self.coefficients.classes[class_id - 1].key, vector[class_id], burnt[class_id]))
            worst.sort(reverse=True)
            total_v, total_b = vector[1:].sum(), burnt[1:].sum()
            self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0}: {1} ha of land cover in the input, {2} ha burnt at {3} m ({4} %).")
                                   .format(year, "%.2f" % (total_v / 1e4), "%.2f" % (total_b / 1e4), "%g" % self.res,
                                           "%+.3f" % (100.0 * (total_b - total_v) / max(total_v, 1e-9))))
            if total_v - total_b > 0.005 * total_v:
                self.feedback.reportError(translate("HeatIslandAlgorithm", 
                    "{0}: the input polygons overlap or hold overlapping parts: their areas add up to {1} ha more "
                    "than the land they cover. Each pixel holds one class; check the layer (Check validity, "
                    "overlaps).").format(year, "%.2f" % ((total_v - total_b) / 1e4)), False)
            large = [w for w in worst if w[2] >= 1e4 and w[0] > 0.005]
            if large:
                self.feedback.reportError(translate("HeatIslandAlgorithm", 
                    "{0}: class areas differ by more than 0.5 % between the input and the raster at {1} m ({2}); "
                    "lower RESOLUTION for small or thin polygons.").format(
                    year, "%g" % self.res, ", ".join("%s %+.1f %%" % (w[1], 100.0 * (w[3] - w[2]) / w[2])
                                                    for w in large[:5])), False)
            outside = self.outside[position][1:].sum() * res2
            if outside > 0.001 * max(total_b, 1.0):
                self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0}: {1} ha of land cover lie outside every unit.").format(
                    year, "%.2f" % (outside / 1e4)))

    # -- output --------------------------------------------------------------------------------------------
    def _output_fields(self):
        """([(name, kind)] of the score fields, [(first, last)] vintage pairs of the deltas)."""
        names = []
        for year in self.years:
            for group in heat.GROUPS:
                names.append(("part_%s_%s" % (group, year), "double"))
            names += [("h_jour_%s" % year, "double"), ("h_nuit_%s" % year, "double"),
                      ("dist_espace_vert_m_%s" % year, "double"), ("refroidissement_%s" % year, "double"),
                      ("score_jour_%s" % year, "double"), ("score_nuit_%s" % year, "double"),
                      ("score_%s" % year, "double"), ("classe_%s" % year, "str")]
        pairs = [(self.years[i], self.years[i + 1]) for i in range(len(self.years) - 1)]
        if len(self.years) > 2:
            pairs.append((self.years[0], self.years[-1]))
        for first, last in pairs:
            names.append(("delta_score_%s_%s" % (first, last), "double"))
        return names, pairs

    def _columns(self, scores, pairs, selected):
        """Values of the score fields (``_output_fields`` order) of the units ``selected`` (0-based indexes), one
        numpy array (numbers) or list (labels) per field; NaN or None = NULL (a vintage without land cover in the
        unit is NULL throughout)."""
        columns = []
        for position, year in enumerate(self.years):
            s = scores[position]
            empty = s["covered"][selected] <= 0
            values = [s["shares"][g][selected] for g in heat.GROUPS]
            distance = numpy.asarray(self.distances[position], dtype=float)[selected]
            distance = numpy.where(numpy.isinf(distance) | empty, numpy.nan, distance)
            values += [s["h_jour"][selected], s["h_nuit"][selected], distance, s["refroidissement"][selected],
                       s["score_jour"][selected], s["score_nuit"][selected], s["score"][selected]]
            for array in values:
                columns.append(numpy.where(empty, numpy.nan, array))
            columns.append(heat.classes_of(numpy.where(empty, numpy.nan, s["score"][selected])))
        for first, last in pairs:
            a = scores[self.years.index(first)]["score"][selected]
            b = scores[self.years.index(last)]["score"][selected]
            columns.append(b - a)
        return columns

    def _scores(self):
        scores = []
        for position, year in enumerate(self.years):
            counts = self.counts[position].reshape(self.n_units, self.n_ids)
            scores.append(heat.unit_scores(counts, self.coefficients, self.sums[position]))
        covered = numpy.max([s["covered"] for s in scores], axis=0)
        return scores, covered

    def write_output(self, parameters, alg, cooling_distance):
        scores, covered_all = self._scores()
        names, pairs = self._output_fields()
        fields = QgsFields()
        zone_fields = self.unit_layer_fields if self.unit_layer_fields is not None and self.unit_field == "uid" \
            and hasattr(self, "zone_attributes") else None
        if zone_fields is not None:
            for field in zone_fields:
                fields.append(field)
        else:
            fields.append(compat.make_field("id", "int"))
        fields.append(compat.make_field("part_couverte", "double"))
        for name, kind in names:
            fields.append(compat.make_field(name, kind))
        sink, destination = alg.parameterAsSink(parameters, alg.OUTPUT, self.context, fields,
                                                compat.WKB_MULTIPOLYGON, self.crs)
        units = ogr.Open(self.unit_path)
        layer = units.GetLayer(0)
        res2 = self.res * self.res
        selected = numpy.flatnonzero(covered_all > 0)
        row_of = numpy.full(self.n_units, -1, dtype=numpy.int64)
        row_of[selected] = numpy.arange(len(selected))
        columns = [c.tolist() if isinstance(c, numpy.ndarray) else c for c in self._columns(scores, pairs, selected)]

        def features():
            for feature in layer:
                uid = feature.GetFieldAsInteger(self.unit_field)
                index = uid - 1
                if index < 0 or index >= self.n_units or row_of[index] < 0:
                    continue
                geometry = QgsGeometry()
                geometry.fromWkb(bytes(feature.GetGeometryRef().ExportToIsoWkb()))
                unit_area = geometry.area()
                if not QgsWkbTypes.isMultiType(geometry.wkbType()):
                    geometry.convertToMultiType()
                if zone_fields is not None:
                    values = list(self.zone_attributes[index])
                elif self.units_are_input:
                    values = [self.unit_ids[index] if self.unit_ids is not None else uid]   # the input feature's id
                else:
                    values = [uid]
                values.append(float(min(1.0, covered_all[index] * res2 / unit_area)) if unit_area > 0 else None)
                yield self._feature(fields, geometry, values, columns, row_of[index])

        written = self._add_all(sink, features())
        del sink
        units = None
        return self._finish_output(destination, written)

    @staticmethod
    def _add_all(sink, features, batch_size=5000):
        """Add the features to the sink in batches; their count."""
        count, batch = 0, []
        for feature in features:
            batch.append(feature)
            if len(batch) >= batch_size:
                sink.addFeatures(batch, QgsFeatureSink.FastInsert)
                count += len(batch)
                batch = []
        if batch:
            sink.addFeatures(batch, QgsFeatureSink.FastInsert)
            count += len(batch)
        return count

    @staticmethod
    def _feature(fields, geometry, values, columns, row):
        out = QgsFeature(fields)
        out.setGeometry(geometry)
        for column in columns:
            value = column[row]
            values.append(None if value is None or (isinstance(value, float) and math.isnan(value)) else value)
        out.setAttributes(values)
        return out

    def _finish_output(self, destination, written):
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0} units with land cover written.").format(written))
        last = self.years[-1]
        extra = [("classe_%s" % y, "heat_classe") for y in self.years[:-1]]
        extra += [("%s_%s" % (name, y), "heat_score") for y in self.years for name in ("score", "score_jour",
                                                                                       "score_nuit")]
        styling.style_output(self.context, self.feedback, destination, "classe_%s" % last, "heat_classe",
                             extra=extra)
        return destination

    def write_grid_output(self, parameters, alg, source_path):
        """The cells of the square grid read off the raster: written with SQLite when the output is a GeoPackage
        file (heatgrid.write_gpkg), else through the Processing sink."""
        scores, covered_all = self._scores()
        names, pairs = self._output_fields()
        fields = [("id", "int"), ("part_couverte", "double")] + names
        selected = numpy.flatnonzero(covered_all > 0)
        cell = self.cell
        columns = [selected + 1, numpy.minimum(1.0, covered_all[selected] * self.res * self.res / (cell * cell))]
        columns += self._columns(scores, pairs, selected)
        value = parameters.get(alg.OUTPUT)
        if isinstance(value, QgsProcessingOutputLayerDefinition):
            value = value.sink.staticValue()
        try:
            if not isinstance(value, str):
                raise gpkg.FastPathUnavailable("output is not a file")
            out_path, out_layer = gpkg.gpkg_output(value, source_path or "")
        except gpkg.FastPathUnavailable as reason:
            self.feedback.pushDebugInfo("Output written through the sink: %s" % reason)
            columns = [c.tolist() if isinstance(c, numpy.ndarray) else c for c in columns]
            return self._write_grid_sink(parameters, alg, fields, columns, selected)
        destination = alg.parameterAsOutputLayer(parameters, alg.OUTPUT, self.context)
        heatgrid.write_gpkg(out_path, out_layer, self.srs, fields, selected + 1, columns, self.x0, self.y0, cell,
                            self.grid_rows)
        return self._finish_output(destination, len(selected))

    def _write_grid_sink(self, parameters, alg, all_fields, columns, selected):
        fields = QgsFields()
        for name, kind in all_fields:
            fields.append(compat.make_field(name, kind))
        sink, destination = alg.parameterAsSink(parameters, alg.OUTPUT, self.context, fields,
                                                compat.WKB_MULTIPOLYGON, self.crs)
        rows, cell = self.grid_rows, self.cell

        def features():
            for row, index in enumerate(selected.tolist()):
                col, line = divmod(index, rows)
                left, top = self.x0 + col * cell, self.y0 - line * cell
                geometry = QgsGeometry.fromRect(QgsRectangle(left, top - cell, left + cell, top))
                geometry.convertToMultiType()
                yield self._feature(fields, geometry, [], columns, row)

        self._add_all(sink, features())
        del sink
        return self._finish_output(destination, len(selected))

    def write_raster(self, path, cooling_distance):
        """Local score (0–100, mean of day and night with the cooling) of the last vintage, per pixel."""
        h_jour, h_nuit, _green, _group = self.coefficients.arrays()
        driver = gdal.GetDriverByName("GTiff")
        raster = driver.Create(path, self.width, self.height, 1, gdal.GDT_Byte,
                               ["COMPRESS=DEFLATE", "TILED=YES", "BIGTIFF=IF_SAFER"])
        raster.SetGeoTransform((self.x0, self.res, 0.0, self.y0, 0.0, -self.res))
        raster.SetProjection(self.srs.ExportToWkt())
        band = raster.GetRasterBand(1)
        band.SetNoDataValue(255)
        class_source = getattr(self, "class_source", None)
        if class_source is None:
            class_source = heatgrid.ClassSource(self.classes_path, "classes", ['"cls_%s"' % y for y in self.years])
        year = self.years[-1]
        coarse_distance = self.coarse_distance[len(self.years) - 1]
        tile = TILE - TILE % self.k
        for ty in range(0, self.height, tile):
            for tx in range(0, self.width, tile):
                tw, th = min(tile, self.width - tx), min(tile, self.height - ty)
                xmin, ymax = self.x0 + tx * self.res, self.y0 - ty * self.res
                cls = class_source.burn(xmin, ymax, tw, th, self.res, [len(self.years) - 1])[0]
                rows = (numpy.arange(th) + ty) // self.k
                cols = (numpy.arange(tw) + tx) // self.k
                distance = coarse_distance[numpy.ix_(rows, cols)]
                factor = heat.cooling(distance, cooling_distance)
                score = 50.0 * (heat.final_index(h_jour[cls], factor) + heat.final_index(h_nuit[cls], factor))
                out = numpy.where(cls > 0, numpy.round(score), 255).astype(numpy.uint8)
                band.WriteArray(out, tx, ty)
        band.FlushCache()
        raster = None
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "Score raster of {0} written to {1}").format(year, path))

    def close(self):
        for path in (getattr(self, "classes_path", None), self.unit_path):
            if path and os.path.exists(path):
                try:
                    os.remove(path)
                except OSError:
                    pass
