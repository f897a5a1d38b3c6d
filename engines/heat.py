"""The raster engine of ocs:heatisland: surchauffe score per unit (grid, hexagons, zones or the input polygons).

GDAL and numpy, tile by tile so that memory stays small on a whole département:
1. the land-cover classes of every vintage and the unit ids are burnt at the resolution (5 m) into tiles of
   TILE × TILE pixels; pixel counts per unit and class give the shares and the local indices (core/heat.py);
2. green and blue areas are kept on a coarser grid (COARSE_MIN m, ≥ the resolution), sieved to patches of at
   least the minimum green area, and GDAL's proximity gives the distance of every coarse cell to the nearest
   patch; each unit takes the nearest distance over its coarse cells.
A square grid whose cells are whole blocks of pixels is read off the raster instead (``burn_grid``,
engines/heatgrid.py). The areas of every class burnt are compared with the vector areas (conservation, in the log).

No Processing parameter is read here: the algorithm gives plain values (``HeatOptions``, ``ClassesInput``), a
``make_sink(fields, wkb_type, crs) -> (sink, destination)`` callable for the outputs written through a sink, or a
file path for the GeoPackage grid and the raster.
"""
import dataclasses
import math
import os

import numpy
from osgeo import gdal, ogr, osr

from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsRectangle,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import heat
from ..fastpath import gpkg, pg
from . import heatgrid, landcover
from ..language import number as local_number

translate = QCoreApplication.translate
TILE = 2000                 # pixels per tile side
COARSE_MIN = 20.0           # metres: resolution of the green areas and of the distances
UNITS = ("grid", "hexagons", "zones", "polygons")


@dataclasses.dataclass
class HeatOptions:
    """What the engine computes: the CRS (metric) of the computation and the output, the pixel size (m), the
    coefficient table, the vintages (years, in order), a scratch folder, the cooling distance (m), the minimum
    area of a cooling patch (ha), the kind of units (one of UNITS) and the grid cell size (m)."""

    crs: object                                     # QgsCoordinateReferenceSystem
    resolution: float
    coefficients: heat.Coefficients
    years: list
    workdir: str
    cooling_distance: float = heat.COOLING_DISTANCE
    min_green: float = heat.MIN_GREEN_AREA_HA
    units: str = "grid"
    cell: float = heat.CELL_SIZE


@dataclasses.dataclass
class ClassesInput:
    """The land cover to burn: the source, its vintages (detection.VintageFields), the transform to the CRS of
    the computation (None: same CRS) and, for the GeoPackage fast path, (path, layer name) of the whole layer."""

    source: object                                  # QgsFeatureSource
    vintages: list
    transform: object = None                        # QgsCoordinateTransform or None
    gpkg: tuple = None


@dataclasses.dataclass
class Tile:
    """A tile of the generic path: its first pixel (column tx, row ty), its size padded to whole coarse cells
    (pw × ph pixels) and the file holding its arrays between the two passes."""

    tx: int
    ty: int
    pw: int
    ph: int
    path: str


class HeatEngine:
    """Vector → tiles → counts per unit and class, distances to green areas, scores."""

    def __init__(self, options, context, feedback):
        self.options = options
        self.workdir = options.workdir
        self.tiles = []             # Tile
        self.context = context
        self.feedback = feedback
        self.crs = options.crs
        self.res = options.resolution
        self.coefficients = options.coefficients
        self.years = options.years
        self.n_ids = len(self.coefficients.classes) + 1
        self.vector_area = {year: numpy.zeros(self.n_ids) for year in self.years}
        self.extent = None
        self.srs = osr.SpatialReference()
        self.srs.ImportFromWkt(self.crs.toWkt())
        self.classes_path = None
        self.class_source = None
        self.unit_path = None
        self.unit_field = "uid"
        self.unit_layer_fields = None
        self.zone_attributes = None
        self.unit_ids = None
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

    def prepare_classes(self, land):
        """The classes GeoPackage (classes.gpkg in the scratch folder; by GDAL when ``land.gpkg`` qualifies, else
        feature by feature); False when cancelled."""
        path = os.path.join(self.workdir, "classes.gpkg")
        if land.gpkg is not None and self.write_classes_sql(land.gpkg[0], land.gpkg[1], land.vintages,
                                                            land.source, path):
            return True
        return self.write_classes(land.source, land.vintages, land.transform, path)

    def grid_class_source(self, land):
        """A heatgrid.ClassSource of the classes for ``burn_grid``: straight from the input GeoPackage when it
        qualifies, else from the classes GeoPackage written in the scratch folder; None when cancelled."""
        path = os.path.join(self.workdir, "classes.gpkg")
        class_source = None
        if land.gpkg is not None:
            class_source = self.sql_class_source(land.gpkg[0], land.gpkg[1], land.vintages, land.source)
        if class_source is None:
            if not self.write_classes(land.source, land.vintages, land.transform, path):
                return None
            class_source = heatgrid.ClassSource(path, "classes", ['"cls_%s"' % y for y in self.years])
        return class_source

    def write_classes(self, source, vintages, transform, path):
        """One GeoPackage holding the geometry and the class id of every vintage (cls_<year>)."""
        meter = landcover.AreaMeter(self.crs, self.context)
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
        None when the layer does not qualify (text code fields, a Polygon/MultiPolygon layer without curves)."""
        try:
            # GDAL burns no curve (curved layers go feature by feature); Z and M polygons burn flat
            gpkg.require_plain_polygons(path, layer_name, allow_zm=True)
        except gpkg.FastPathUnavailable as reason:
            self.feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
            return None
        reader = gpkg.GpkgReclassifier(path, layer_name)
        if not all(reader.is_text(f) for v in vintages for f in (v.cs_field, v.us_field)):
            return None
        q = gpkg.quote_identifier
        geometry = q(reader.layer.GetGeometryColumn())
        # one scan of the layer for every vintage: the areas of its distinct (cs, us, cs, us…) combinations
        fields = [q(f) for v in vintages for f in (v.cs_field, v.us_field)]
        combinations = reader.query("SELECT %s, SUM(ST_Area(%s)) FROM %s GROUP BY %s" % (
            ", ".join(fields), geometry, reader.table, ", ".join(str(i + 1) for i in range(len(fields)))))
        ctes, expressions, joins = [], [], []
        for position, (entry, table) in enumerate(zip(vintages, self.class_lookups(combinations, vintages))):
            alias = "lut%d" % position
            rows = ",".join("(%s,%d)" % (gpkg.literal(key), value) for key, value in table.items())
            ctes.append("%s(k, c) AS (VALUES %s)" % (alias, rows))
            expressions.append("CAST(ifnull(%s.c, 0) AS INTEGER)" % alias)
            joins.append("LEFT JOIN %s ON %s.k = %s" % (alias, alias, gpkg.pair_key_sql(
                entry.cs_field, entry.us_field, "l.")))
        return reader, "WITH " + ",".join(ctes), " ".join(joins), expressions

    def class_lookups(self, combinations, vintages):
        """[{pair key: class id}] per vintage from ``combinations``, the rows (cs, us of every vintage…, area) of
        the layer's distinct code tuples; the vector area of every class is summed on the way, and the unknown
        pairs are reported."""
        tables = []
        unknown = 0
        for position, entry in enumerate(vintages):
            year = entry.vintage
            table, pairs = {}, {}
            for row in combinations:
                cs, us, area = row[2 * position], row[2 * position + 1], row[-1]
                if (cs, us) not in pairs:
                    pairs[cs, us] = class_id = self.coefficients.class_id(cs, us)
                    table[gpkg.pair_key(cs, us)] = class_id
                    unknown += class_id == 0
                self.vector_area[year][pairs[cs, us]] += area or 0.0
            tables.append(table)
        if unknown:
            self.feedback.reportError(translate("HeatIslandAlgorithm", "{0} (couverture, usage) pairs have a NULL "
                                                "or unknown couverture code: their polygons are left out of the "
                                                "covered part.").format(unknown), False)
        return tables

    def pg_class_source(self, relation, vintages, source):
        """A heatgrid.PgClassSource reading the classes of PostgreSQL relation ``relation`` (a pg.PgRelation whose
        rows ``source`` gives) band by band, without copying it; the extent is that of the geometries' exact
        boxes. None when it does not qualify (said in the log): then the generic path reads it."""
        fields = [f for v in vintages for f in (v.cs_field, v.us_field)]
        try:
            if not landcover.is_plain(source.wkbType()):
                raise gpkg.FastPathUnavailable("geometry type with curves, Z or M")
            reader = pg.PgReclassifier(relation)
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            self.feedback.pushDebugInfo("PostgreSQL classes not read in place: %s" % reason)
            return None
        try:
            types = reader.column_types()
            if any(types.get(f) != ogr.OFTString for f in fields):
                self.feedback.pushDebugInfo("PostgreSQL classes not read in place: code fields not all text")
                return None
            names = ", ".join("l.%s" % pg.quote_identifier(f) for f in fields)
            combinations = reader.connection.query("SELECT %s, SUM(ST_Area(l.%s)) AS a FROM %s l GROUP BY %s" % (
                names, reader.geometry, relation.relation, ", ".join(str(i + 1) for i in range(len(fields)))))
            box = reader.connection.query(
                "SELECT min(ST_XMin(b)) AS x0, min(ST_YMin(b)) AS y0, max(ST_XMax(b)) AS x1, max(ST_YMax(b)) AS y1 "
                "FROM (SELECT Box2D(l.%s) AS b FROM %s l) e" % (reader.geometry, relation.relation))[0]
            srid = reader.srid()
        finally:
            reader.close()
        if box[0] is None:
            return None
        joins, expressions = [], []
        for position, (entry, table) in enumerate(zip(vintages, self.class_lookups(combinations, vintages))):
            alias = "lut%d" % position
            rows = ",".join("(%s,%d)" % (pg.literal(key), value) for key, value in table.items())
            joins.append("LEFT JOIN (VALUES %s) AS %s(k, c) ON %s.k = %s" % (
                rows or "(NULL::text, 0)", alias, alias, pg.pair_key_sql((entry.cs_field, entry.us_field))))
            expressions.append("coalesce(%s.c, 0)::bigint" % alias)
        try:
            class_source = heatgrid.PgClassSource(relation, srid, expressions, " ".join(joins))
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            self.feedback.pushDebugInfo("PostgreSQL classes not read in place: %s" % reason)
            self.vector_area = {year: numpy.zeros(self.n_ids) for year in self.years}
            return None
        self.extent = QgsRectangle(*box)
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "Classes read by GDAL straight from PostgreSQL."))
        return class_source

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
        self.max_uid = int(reader.query("SELECT MAX(%s) FROM %s" % (fid, reader.table))[0][0] or 0)
        self.unit_ids = None        # uid = the input feature's id
        self.classes_path = out_path
        self.extent = QgsRectangle(source.sourceExtent())
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "Classes written by GDAL (GeoPackage fast path)."))
        return True

    def sql_class_source(self, path, layer_name, vintages, source):
        """A heatgrid.ClassSource reading the classes straight from the input GeoPackage, or None."""
        try:
            heatgrid.spatial_index(path, layer_name)   # before class_sql scans the layer
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            self.feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
            return None
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
        # the geometries' exact extent, as the generic path and PostgreSQL's Box2D give it
        exact = heatgrid.exact_extent(path, layer_name)
        self.extent = QgsRectangle(*exact) if exact is not None else QgsRectangle(source.sourceExtent())
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "Classes read by GDAL (GeoPackage fast path)."))
        return class_source

    def make_grid(self, path):
        """The square or hexagonal grid of ``options.cell`` on the extent of the classes (native:creategrid)."""
        import processing

        extent = self.extent
        extent_text = "%f,%f,%f,%f [%s]" % (extent.xMinimum(), extent.xMaximum(), extent.yMinimum(),
                                            extent.yMaximum(), self.crs.authid())
        cell = self.options.cell
        processing.run("native:creategrid", {
            "TYPE": 2 if self.options.units == "grid" else 4, "EXTENT": extent_text, "HSPACING": cell,
            "VSPACING": cell, "HOVERLAY": 0, "VOVERLAY": 0, "CRS": self.crs, "OUTPUT": path},
            context=self.context, feedback=None, is_child_algorithm=True)
        self.unit_path = path
        self.unit_field = "id"
        self.unit_layer_fields = None

    def write_units(self, source, transform, path):
        """The zones of ``source`` (in the CRS of ``transform``) as the units; the output keeps their fields."""
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
    def burn(self):
        """First pass over the tiles (counts, green coarse cells, units of every coarse cell), the distances, the
        conservation check and the second pass (``_cool``); False when cancelled."""
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
        self.counts = [numpy.zeros(self.n_units * self.n_ids, dtype=numpy.int64) for _y in self.years]
        self.outside = [numpy.zeros(self.n_ids, dtype=numpy.int64) for _y in self.years]
        self.coarse_green = [numpy.zeros((self.coarse_h, self.coarse_w), dtype=numpy.uint8) for _y in self.years]
        # (unit, coarse cell) pairs: the units present in each coarse cell (lowest and highest id of the cell)
        pairs_unit, pairs_cell = [], []
        tiles = [(tx, ty) for ty in range(0, self.height, tile) for tx in range(0, self.width, tile)]
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0} × {1} pixels of {2} m in {3} tiles; {4} units.").format(
            self.width, self.height, local_number(res, None), len(tiles), self.n_units))
        for number, (tx, ty) in enumerate(tiles):
            if self.feedback.isCanceled():
                return False
            self.feedback.setProgress(25.0 + 55.0 * number / len(tiles))
            tw, th = min(tile, self.width - tx), min(tile, self.height - ty)
            # pad to whole coarse cells
            pw, ph = int(math.ceil(tw / self.k)) * self.k, int(math.ceil(th / self.k)) * self.k
            found = self._burn_tile(Tile(tx, ty, pw, ph, os.path.join(self.workdir, "tile_%d.npz" % number)),
                                    class_layer, unit_layer)
            for units_of, cells_of in found:
                pairs_unit.append(units_of)
                pairs_cell.append(cells_of)
        class_layer.SetSpatialFilter(None)
        unit_layer.SetSpatialFilter(None)
        self.pairs = (numpy.concatenate(pairs_unit), numpy.concatenate(pairs_cell))
        self.distances = []
        self.coarse_distance = {}
        for position, year in enumerate(self.years):
            self.distances.append(self._distances(position))
        self._conservation()
        return self._cool()

    def _burn_tile(self, tile, class_layer, unit_layer):
        """Burn the classes and the units of one tile, add its counts and green coarse cells, save its arrays for
        the second pass; its (unit, coarse cell) pairs (core/heat.py unit_cell_pairs)."""
        res, k, n_years = self.res, self.k, len(self.years)
        tx, ty, pw, ph = tile.tx, tile.ty, tile.pw, tile.ph
        green = self.coefficients.arrays()[2]
        xmin, ymax = self.x0 + tx * res, self.y0 - ty * res
        raster = gdal.GetDriverByName("MEM").Create("", pw, ph, n_years + 1, gdal.GDT_Int32)
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
            cy, cx = ty // k, tx // k
            sub = self.coarse_green[position][cy:cy + ph // k, cx:cx + pw // k]
            sub[...] = heat.green_blocks(green[cls], k)[:sub.shape[0], :sub.shape[1]]
        found = heat.unit_cell_pairs(uid, k, (ty // k, tx // k), (self.coarse_h, self.coarse_w))
        # the tile's arrays, for the second pass once the distances are known
        numpy.savez(tile.path, uid=uid, **{"cls%d" % position: raster.GetRasterBand(position + 1).ReadAsArray()
                                           .astype(numpy.uint8) for position in range(n_years)})
        self.tiles.append(tile)
        raster = None
        return found

    def _cool(self):
        """Second pass: per pixel, H = 1 − max(1 − h, CC_GREEN · cooling(distance of its coarse cell)); per unit,
        the sums of H by day and by night and of the cooling factor over the covered pixels."""
        cooling_distance = self.options.cooling_distance
        h_jour, h_nuit, _green, _group = self.coefficients.arrays()
        self.sums = []
        for position in range(len(self.years)):
            self.sums.append({name: numpy.zeros(self.n_units) for name in ("jour", "nuit", "cooling")})
        for number, tile in enumerate(self.tiles):
            if self.feedback.isCanceled():
                return False
            self.feedback.setProgress(80.0 + 15.0 * number / max(1, len(self.tiles)))
            arrays = numpy.load(tile.path)
            uid = arrays["uid"]
            rows = numpy.minimum((numpy.arange(tile.ph) + tile.ty) // self.k, self.coarse_h - 1)
            cols = numpy.minimum((numpy.arange(tile.pw) + tile.tx) // self.k, self.coarse_w - 1)
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
            os.remove(tile.path)
        return True

    # -- square grid read off the raster (engines/heatgrid.py) ----------------------------------------------
    def burn_grid(self, class_source, steps):
        """Counts, distances and cooled sums per cell of the square grid of native:creategrid on the extent,
        without building the grid: a cell is an n × n block of pixels (``steps`` = (n, k), core/heat.py
        grid_steps), a coarse cell a k × k block. False when cancelled."""
        n, k = steps
        extent = self.extent
        self.cell = self.options.cell
        self.x0, self.y0 = extent.xMinimum(), extent.yMaximum()
        self.grid_cols, self.grid_rows = heatgrid.grid_size(extent, self.cell)
        self.width, self.height = self.grid_cols * n, self.grid_rows * n
        self.k = k
        self.coarse_w, self.coarse_h = self.width // k, self.height // k
        self.n_units = self.grid_cols * self.grid_rows
        self.class_source = class_source
        histograms = self._grid_histograms(class_source, n)
        if histograms is None:
            return False
        self.counts, self.outside, self.distances, self.sums = [], [], [], []
        self.coarse_distance = {}
        self.coarse_green = [None] * len(self.years)
        for position, year in enumerate(self.years):
            if self.feedback.isCanceled():
                return False
            self.feedback.setProgress(60.0 + 30.0 * position / len(self.years))
            self._grid_figures(position, histograms[position], n // k)
            histograms[position] = None
        self._conservation()
        return True

    def _grid_histograms(self, class_source, n):
        """Per vintage, the class histogram of every coarse cell (coarse rows, coarse columns, n_ids), the classes
        burnt band by band by two threads; None when cancelled."""
        k, res = self.k, self.res
        # cell rows per band: about 3 million pixels (the arrays of a band stay under the 32 MiB above which glibc
        # maps fresh pages for every allocation)
        band_cells = max(1, int(3e6 // (self.width * n)))
        n_bands = -(-self.grid_rows // band_cells)
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0} × {1} pixels of {2} m in {3} bands; {4} cells "
                                         "of {5} m read off the raster.").format(
            self.width, self.height, local_number(res, None), n_bands, self.n_units, local_number(self.cell, None)))
        keys = heat.coarse_keys(band_cells * n, self.width, k, self.n_ids)
        work = numpy.empty(keys.shape, dtype=numpy.int64)
        histograms = [None] * len(self.years)
        window = heatgrid.Window(self.x0, self.y0, self.width, self.height, res)
        burnt = class_source.bands(window, band_cells * n, workers=min(2, os.cpu_count() or 1))
        try:
            for number, (first, arrays) in enumerate(burnt):
                if self.feedback.isCanceled():
                    return None
                self.feedback.setProgress(60.0 * number / n_bands)
                for position, classes in enumerate(arrays):
                    band = heat.coarse_histogram(classes, keys, k, self.n_ids, work)
                    if histograms[position] is None:
                        histograms[position] = numpy.zeros((self.coarse_h, self.coarse_w, self.n_ids),
                                                           dtype=band.dtype)
                    histograms[position][first // k:first // k + band.shape[0]] = band
        finally:
            burnt.close()
        return histograms

    def _grid_figures(self, position, histogram, m):
        """Counts, green coarse cells, distances and cooled sums per grid cell of one vintage from its coarse
        histogram (a grid cell = m × m coarse cells)."""
        h_jour, h_nuit, green, _group = self.coefficients.arrays()
        counts = heat.block_sum(histogram, m)                    # (rows, cols, n_ids)
        self.counts.append(heatgrid.by_id(counts).astype(numpy.int64).ravel())
        self.outside.append(numpy.zeros(self.n_ids, dtype=numpy.int64))
        self.coarse_green[position] = heat.green_cells(histogram, green, self.k)
        distance = self._coarse_distances(position)
        self.distances.append(heatgrid.by_id(heat.block_min(distance, m)))
        (day, night), cooling = heat.cooled_block_sums(histogram, distance, self.options.cooling_distance,
                                                       (h_jour, h_nuit), m)
        self.sums.append({"jour": heatgrid.by_id(day), "nuit": heatgrid.by_id(night),
                          "cooling": heatgrid.by_id(cooling)})

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

    def _distances(self, position):
        """Per unit: distance (m) to the nearest green/blue patch of at least the minimum area (inf: none near)."""
        values = self._coarse_distances(position).ravel()
        per_unit = numpy.full(self.n_units, numpy.inf)
        units, cells = self.pairs
        numpy.minimum.at(per_unit, units, values[cells])
        return per_unit

    def _coarse_distances(self, position):
        """Per coarse cell: distance (m) to the nearest green/blue patch of at least the minimum area (inf: none
        within 3 × the cooling distance)."""
        min_green = self.options.min_green
        coarse = self.res * self.k
        memory = gdal.GetDriverByName("MEM")
        green = memory.Create("", self.coarse_w, self.coarse_h, 2, gdal.GDT_Byte)
        green.SetGeoTransform((self.x0, coarse, 0.0, self.y0, 0.0, -coarse))
        green.GetRasterBand(1).WriteArray(self.coarse_green[position])
        band = green.GetRasterBand(1)
        self._keep_large_patches(green, band, min_green * 1e4)
        patches = band.ReadAsArray()
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0}: {1} ha of green and blue areas in patches of at least {2} ha.").format(
            self.years[position], local_number(patches.sum() * coarse * coarse / 1e4, 2), local_number(min_green, None)))
        distance = memory.Create("", self.coarse_w, self.coarse_h, 1, gdal.GDT_Float32)
        distance.SetGeoTransform((self.x0, coarse, 0.0, self.y0, 0.0, -coarse))
        gdal.ComputeProximity(band, distance.GetRasterBand(1),
                              ["VALUES=1", "DISTUNITS=GEO", "MAXDIST=%f" % (self.options.cooling_distance * 3),
                               "NODATA=-1"])
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
        keys = [c.key for c in self.coefficients.classes]
        for position, year in enumerate(self.years):
            burnt = (self.counts[position].reshape(self.n_units, self.n_ids).sum(axis=0)
                     + self.outside[position]) * res2
            vector = self.vector_area[year]
            worst = heat.class_gaps(vector, burnt, keys)
            total_v, total_b = vector[1:].sum(), burnt[1:].sum()
            self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0}: {1} ha of land cover in the input, {2} ha burnt at {3} m ({4} %).")
                                   .format(year, local_number(total_v / 1e4, 2), local_number(total_b / 1e4, 2), local_number(self.res, None),
                                           "%+.3f" % (100.0 * (total_b - total_v) / max(total_v, 1e-9))))
            if total_v - total_b > 0.005 * total_v:
                self.feedback.reportError(translate("HeatIslandAlgorithm", 
                    "{0}: the input polygons overlap or hold overlapping parts: their areas add up to {1} ha more "
                    "than the land they cover. Each pixel holds one class; check the layer (Check validity, "
                    "overlaps).").format(year, local_number((total_v - total_b) / 1e4, 2)), False)
            large = [w for w in worst if w[2] >= 1e4 and w[0] > 0.005]
            if large:
                self.feedback.reportError(translate("HeatIslandAlgorithm", 
                    "{0}: class areas differ by more than 0.5 % between the input and the raster at {1} m ({2}); "
                    "lower RESOLUTION for small or thin polygons.").format(
                    year, local_number(self.res, None), ", ".join("%s %+.1f %%" % (w[1], 100.0 * (w[3] - w[2]) / w[2])
                                                    for w in large[:5])), False)
            outside = self.outside[position][1:].sum() * res2
            if outside > 0.001 * max(total_b, 1.0):
                self.feedback.pushInfo(translate("HeatIslandAlgorithm", "{0}: {1} ha of land cover lie outside every unit.").format(
                    year, local_number(outside / 1e4, 2)))

    # -- output --------------------------------------------------------------------------------------------
    def _scores(self):
        scores = []
        for position, year in enumerate(self.years):
            counts = self.counts[position].reshape(self.n_units, self.n_ids)
            scores.append(heat.unit_scores(counts, self.coefficients, self.sums[position]))
        covered = numpy.max([s["covered"] for s in scores], axis=0)
        return scores, covered

    def _output_fields(self, names):
        """The QgsFields of the output of ``write_output``: the zones' fields or an id, the covered part, the
        score fields ``names``; and the zones' fields (None when the units are not zones)."""
        fields = QgsFields()
        zone_fields = self.unit_layer_fields if self.unit_layer_fields is not None and self.unit_field == "uid" \
            and self.zone_attributes is not None else None
        if zone_fields is not None:
            for field in zone_fields:
                fields.append(field)
        else:
            fields.append(compat.make_field("id", "int"))
        fields.append(compat.make_field("part_couverte", "double"))
        for name, kind in names:
            fields.append(compat.make_field(name, kind))
        return fields, zone_fields

    def write_output(self, make_sink):
        """The units with land cover and their scores, written through the sink of ``make_sink(fields,
        wkb_type, crs) -> (sink, destination)``; (destination, features written)."""
        scores, covered_all = self._scores()
        names, pairs = heat.output_fields(self.years)
        fields, zone_fields = self._output_fields(names)
        sink, destination = make_sink(fields, compat.WKB_MULTIPOLYGON, self.crs)
        units = ogr.Open(self.unit_path)
        layer = units.GetLayer(0)
        res2 = self.res * self.res
        selected = numpy.flatnonzero(covered_all > 0)
        row_of = numpy.full(self.n_units, -1, dtype=numpy.int64)
        row_of[selected] = numpy.arange(len(selected))
        columns = [c.tolist() if isinstance(c, numpy.ndarray) else c
                   for c in heat.score_columns(scores, self.distances, self.years, pairs, selected)]

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
        return destination, written

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

    def _grid_table(self):
        """The grid cells with land cover read off the raster: a heatgrid.Table (fields = id, the covered part
        and the score fields; ids = 1-based creategrid ids)."""
        scores, covered_all = self._scores()
        names, pairs = heat.output_fields(self.years)
        fields = [("id", "int"), ("part_couverte", "double")] + names
        selected = numpy.flatnonzero(covered_all > 0)
        cell = self.cell
        columns = [selected + 1, numpy.minimum(1.0, covered_all[selected] * self.res * self.res / (cell * cell))]
        columns += heat.score_columns(scores, self.distances, self.years, pairs, selected)
        return heatgrid.Table(fields, selected + 1, columns)

    def grid_cells(self):
        """The square grid of ``burn_grid`` (heatgrid.GridCells)."""
        return heatgrid.GridCells(self.x0, self.y0, self.cell, self.grid_rows)

    def write_grid_gpkg(self, path, layer_name):
        """The cells of the square grid read off the raster, written with SQLite into the GeoPackage ``path``
        (heatgrid.write_gpkg); the number of cells written."""
        table = self._grid_table()
        heatgrid.write_gpkg(path, layer_name, self.srs, table, self.grid_cells())
        return len(table.ids)

    def write_grid_pg(self, conninfo, out):
        """The cells of the square grid read off the raster, written straight into PostgreSQL table ``out`` (a
        fastpath.pg.PgTable, replaced) of the database ``conninfo`` (heatgrid.write_pg): (row count, area). Raise
        gpkg.FastPathUnavailable, no table left, when it cannot (the CRS has no EPSG code, the server refuses)."""
        srid = pg.epsg_srid(self.srs)
        if srid is None:
            raise gpkg.FastPathUnavailable("the CRS has no EPSG code")
        return heatgrid.write_pg(conninfo, out, srid, self._grid_table(), self.grid_cells())

    def write_grid_sink(self, make_sink):
        """The cells of the square grid read off the raster, written through the sink of ``make_sink(fields,
        wkb_type, crs) -> (sink, destination)``; (destination, cells written)."""
        table = self._grid_table()
        columns = [c.tolist() if isinstance(c, numpy.ndarray) else c for c in table.columns]
        fields = QgsFields()
        for name, kind in table.fields:
            fields.append(compat.make_field(name, kind))
        sink, destination = make_sink(fields, compat.WKB_MULTIPOLYGON, self.crs)
        rows, cell = self.grid_rows, self.cell
        selected = table.ids - 1

        def features():
            for row, index in enumerate(selected.tolist()):
                col, line = divmod(index, rows)
                left, top = self.x0 + col * cell, self.y0 - line * cell
                geometry = QgsGeometry.fromRect(QgsRectangle(left, top - cell, left + cell, top))
                geometry.convertToMultiType()
                yield self._feature(fields, geometry, [], columns, row)

        self._add_all(sink, features())
        del sink
        return destination, len(selected)

    def write_raster(self, path):
        """Local score (0–100, mean of day and night with the cooling) of the last vintage, per pixel."""
        h_jour, h_nuit, _green, _group = self.coefficients.arrays()
        driver = gdal.GetDriverByName("GTiff")
        raster = driver.Create(path, self.width, self.height, 1, gdal.GDT_Byte,
                               ["COMPRESS=DEFLATE", "TILED=YES", "BIGTIFF=IF_SAFER"])
        raster.SetGeoTransform((self.x0, self.res, 0.0, self.y0, 0.0, -self.res))
        raster.SetProjection(self.srs.ExportToWkt())
        band = raster.GetRasterBand(1)
        band.SetNoDataValue(255)
        class_source = self.class_source
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
                factor = heat.cooling(distance, self.options.cooling_distance)
                band.WriteArray(heat.pixel_scores(cls, factor, h_jour, h_nuit), tx, ty)
        band.FlushCache()
        raster = None
        self.feedback.pushInfo(translate("HeatIslandAlgorithm", "Score raster of {0} written to {1}").format(year, path))

    def close(self):
        """Remove the scratch GeoPackages."""
        for path in (self.classes_path, self.unit_path):
            if path and os.path.exists(path):
                try:
                    os.remove(path)
                except OSError:
                    pass
