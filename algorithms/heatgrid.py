"""Fast path of ocs:heatisland for a square grid: the grid is read off the raster instead of being built and burnt.

When CELL_SIZE is a whole number n of RESOLUTION pixels and the coarse step k of the distances divides n, a grid
cell is an n × n block of pixels and k × k blocks of coarse cells: the classes are burnt band by band straight
from the layer's GeoPackage (one SQL statement per band, the look-up of the classes as a join, the R-tree as the
band filter), counted per coarse cell and class (core/heat.py coarse_histogram), and every figure per cell is a
block sum of those counts. The cells and their ids are those of native:creategrid on the layer's extent
(rectangles, numbered column by column from the top-left corner), so the result is the one of the generic path.
The output GeoPackage is written with SQLite in one transaction (geometries encoded with numpy).
"""
import math
import os
import collections
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy
from osgeo import gdal, ogr

from . import sqlfast

GPKG_CELL = numpy.dtype([
    ("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("envelope", "<f8", (4,)),
    ("multi_order", "u1"), ("multi_type", "<u4"), ("parts", "<u4"),
    ("order", "u1"), ("type", "<u4"), ("rings", "<u4"), ("points", "<u4"), ("xy", "<f8", (10,))])


class ClassSource:
    """Class ids of the vintages burnt band by band from a GeoPackage layer (one SQL statement per band).

    ``expressions`` = one SQL expression per vintage giving the class id (0–255) of a row ``l`` of ``table``;
    ``prefix`` = the WITH clause and ``joins`` the joins those expressions need. Up to four vintages are packed in
    one 32-bit attribute, so the geometries are read once per band."""

    def __init__(self, path, table, expressions, prefix="", joins=""):
        self.arguments = (path, table, expressions, prefix, joins)
        self.dataset = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
        layer = self.dataset.GetLayerByName(table)
        if layer is None:
            raise sqlfast.FastPathUnavailable("no layer %s" % table)
        self.table = sqlfast._quote_identifier(table)
        self.geometry = sqlfast._quote_identifier(layer.GetGeometryColumn() or "geom")
        self.fid = sqlfast._quote_identifier(layer.GetFIDColumn() or "fid")
        rtree = "rtree_%s_%s" % (table, layer.GetGeometryColumn() or "geom")
        found = self.dataset.ExecuteSQL("SELECT name FROM sqlite_master WHERE name = %s" % sqlfast._literal(rtree))
        try:
            if found is None or found.GetFeatureCount() == 0:
                raise sqlfast.FastPathUnavailable("no spatial index")
        finally:
            if found is not None:
                self.dataset.ReleaseResultSet(found)
        self.rtree = sqlfast._quote_identifier(rtree)
        self.expressions = list(expressions)
        self.prefix, self.joins = prefix, joins
        self.memory = gdal.GetDriverByName("MEM")

    def burn(self, xmin, ymax, width, height, res, vintages=None):
        """[uint8 array (height, width) of class ids] for the vintages (indexes; all by default)."""
        chosen = list(range(len(self.expressions))) if vintages is None else list(vintages)
        out = []
        for start in range(0, len(chosen), 4):
            group = chosen[start:start + 4]
            packed = " + ".join("(%s) * %d" % (self.expressions[v], 1 << (8 * i)) for i, v in enumerate(group))
            box = (xmin + width * res, xmin, ymax, ymax - height * res)
            sql = ("%s SELECT l.%s AS geom, %s AS v FROM %s l %s WHERE l.%s IN (SELECT id FROM %s WHERE "
                   "minx <= %r AND maxx >= %r AND miny <= %r AND maxy >= %r)") % (
                self.prefix, self.geometry, packed, self.table, self.joins, self.fid, self.rtree, *box)
            kind = gdal.GDT_Byte if len(group) == 1 else gdal.GDT_UInt32
            raster = self.memory.Create("", width, height, 1, kind)
            raster.SetGeoTransform((xmin, res, 0.0, ymax, 0.0, -res))
            layer = self.dataset.ExecuteSQL(sql)
            try:
                gdal.RasterizeLayer(raster, [1], layer, options=["ATTRIBUTE=v"])
            finally:
                self.dataset.ReleaseResultSet(layer)
            values = raster.GetRasterBand(1).ReadAsArray()
            raster = None
            if len(group) == 1:
                out.append(values.astype(numpy.uint8, copy=False))
            else:
                planes = values.astype("<u4", copy=False).view(numpy.uint8).reshape(height, width, 4)
                out.extend(numpy.ascontiguousarray(planes[:, :, i]) for i in range(len(group)))
        return out

    def close(self):
        self.dataset = None

    def bands(self, xmin, ymax, width, height, res, rows, workers=2, ahead=4):
        """Yield (first pixel row, arrays) for the bands of ``rows`` pixel rows of a raster of ``width`` ×
        ``height`` pixels, in order, burnt by ``workers`` threads (GDAL releases the GIL; each thread reads through its own
        connection), at most ``ahead`` bands in advance. Closing the generator cancels what is pending."""
        local = threading.local()
        clones = []
        lock = threading.Lock()

        def burn(start):
            source = getattr(local, "source", None)
            if source is None:
                source = local.source = ClassSource(*self.arguments)
                with lock:
                    clones.append(source)
            return source.burn(xmin, ymax - start * res, width, min(rows, height - start), res)

        pool = ThreadPoolExecutor(max_workers=max(1, workers))
        pending = collections.deque()
        try:
            queue = iter(range(0, height, rows))
            for start in queue:
                pending.append((start, pool.submit(burn, start)))
                if len(pending) >= ahead:
                    break
            while pending:
                start, future = pending.popleft()
                arrays = future.result()
                following = next(queue, None)
                if following is not None:
                    pending.append((following, pool.submit(burn, following)))
                yield start, arrays
        finally:
            for _start, future in pending:
                future.cancel()
            pool.shutdown(wait=True)
            for source in clones:
                source.close()


def grid_size(extent, cell):
    """(columns, rows) of native:creategrid on ``extent`` with square cells of ``cell``."""
    return (max(1, int(math.ceil(extent.width() / cell))), max(1, int(math.ceil(extent.height() / cell))))


def by_id(array):
    """Per-cell array (rows, cols, …) → in the order of the grid ids (column by column, top to bottom)."""
    return numpy.ascontiguousarray(array.swapaxes(0, 1)).reshape((array.shape[0] * array.shape[1],)
                                                                    + array.shape[2:])


def cell_boxes(ids, x0, y0, cell, rows):
    """(left, right, bottom, top) arrays of the grid cells ``ids`` (1-based, creategrid order)."""
    index = numpy.asarray(ids, dtype=numpy.int64) - 1
    col, row = index // rows, index % rows
    left, top = x0 + col * cell, y0 - row * cell
    return left, left + cell, top - cell, top


def cell_blobs(ids, x0, y0, cell, rows, srs_id):
    """GeoPackage geometry blobs (MultiPolygon with its envelope) of the grid cells ``ids``."""
    left, right, bottom, top = cell_boxes(ids, x0, y0, cell, rows)
    cells = numpy.zeros(len(left), dtype=GPKG_CELL)
    cells["magic"], cells["version"], cells["flags"], cells["srs_id"] = b"GP", 0, 3, srs_id
    cells["envelope"] = numpy.stack([left, right, bottom, top], axis=1)
    cells["multi_order"], cells["multi_type"], cells["parts"] = 1, 6, 1
    cells["order"], cells["type"], cells["rings"], cells["points"] = 1, 3, 1, 5
    cells["xy"] = numpy.stack([left, top, right, top, right, bottom, left, bottom, left, top], axis=1)
    data = cells.tobytes()
    size = GPKG_CELL.itemsize
    return [data[i:i + size] for i in range(0, len(data), size)]


def _rows(fids, blobs, columns, chunk=20000):
    """Row tuples for executemany, converting the numpy columns to Python values a chunk at a time (a list of
    Python floats per column would take about 32 bytes per value)."""
    for start in range(0, len(blobs), chunk):
        end = start + chunk
        parts = [c[start:end].tolist() if isinstance(c, numpy.ndarray) else c[start:end] for c in columns]
        yield from zip(fids[start:end], blobs[start:end], *parts)


class GridWriter:
    """The output GeoPackage of the grid cells, fid = cell id.

    GDAL creates the layer, its R-tree and its triggers when the run starts; a background thread then fills the
    R-tree with every cell of the grid (SQLite inserts, the slow part of writing a GeoPackage) while the scores
    are computed. ``write`` inserts the rows with SQLite in one transaction, the layer's triggers set aside
    meanwhile (they call GDAL's SQL functions) and put back as GDAL wrote them, and removes from the R-tree the
    cells left out. An existing file is replaced, or only the layer of that name when the file holds other
    layers."""

    def __init__(self, path, layer_name, srs, fields, x0, y0, cell, cols, rows):
        self.path, self.layer_name, self.fields = path, layer_name, fields
        self.x0, self.y0, self.cell, self.cols, self.rows = x0, y0, cell, cols, rows
        for suffix in ("-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        dataset = None
        self.new_file = True
        if os.path.exists(path):
            dataset = ogr.Open(path, 1)
            names = [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())] if dataset else []
            if any(name != layer_name for name in names):
                self.new_file = False
                self._drop_layer(dataset)
            else:
                dataset = None
                os.remove(path)
        if dataset is None:
            dataset = ogr.GetDriverByName("GPKG").CreateDataSource(path)
        if dataset is None:
            raise RuntimeError(gdal.GetLastErrorMsg() or "GDAL could not create %s" % path)
        layer = dataset.CreateLayer(layer_name, srs, ogr.wkbMultiPolygon, ["FID=fid", "GEOMETRY_NAME=geom"])
        kinds = {"int": ogr.OFTInteger, "double": ogr.OFTReal, "str": ogr.OFTString}
        for name, kind in fields:
            layer.CreateField(ogr.FieldDefn(name, kinds[kind]))
        layer = dataset = None
        self.rtree = "rtree_%s_geom" % layer_name
        self.error = None
        self.thread = threading.Thread(target=self._fill_rtree, daemon=True)
        self.thread.start()

    def _fill_rtree(self):
        try:
            db = sqlite3.connect(self.path, timeout=600)
            try:
                if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (self.rtree,)).fetchone():
                    return
                ids = numpy.arange(1, self.cols * self.rows + 1)
                boxes = cell_boxes(ids, self.x0, self.y0, self.cell, self.rows)
                db.executemany("INSERT INTO %s VALUES (?, ?, ?, ?, ?)" % sqlfast._quote_identifier(self.rtree),
                               zip(ids.tolist(), *(b.tolist() for b in boxes)))
                db.commit()
            finally:
                db.close()
        except Exception as error:      # noqa: BLE001 - reported by write(), which then fills the R-tree itself
            self.error = error

    def write(self, ids, columns):
        """Rows of the cells ``ids`` (sorted, 1-based) with the ``columns`` of ``fields`` (numpy arrays or
        lists)."""
        self.thread.join()
        q = sqlfast._quote_identifier
        db = sqlite3.connect(self.path, timeout=600)
        try:
            srs_id = db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
                                (self.layer_name,)).fetchone()[0]
            blobs = cell_blobs(ids, self.x0, self.y0, self.cell, self.rows, srs_id)
            fids = numpy.asarray(ids).tolist()
            triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                  (self.layer_name,)).fetchall()
            for name, _sql in triggers:
                db.execute("DROP TRIGGER %s" % q(name))
            names = ", ".join(q(n) for n in ["fid", "geom"] + [name for name, _k in self.fields])
            marks = ", ".join("?" * (len(self.fields) + 2))
            db.executemany("INSERT INTO %s (%s) VALUES (%s)" % (q(self.layer_name), names, marks),
                           _rows(fids, blobs, columns))
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (self.rtree,)).fetchone():
                if self.error is not None:
                    db.execute("DELETE FROM %s" % q(self.rtree))
                    boxes = cell_boxes(ids, self.x0, self.y0, self.cell, self.rows)
                    db.executemany("INSERT INTO %s VALUES (?, ?, ?, ?, ?)" % q(self.rtree),
                                   zip(fids, *(b.tolist() for b in boxes)))
                else:
                    left_out = numpy.setdiff1d(numpy.arange(1, self.cols * self.rows + 1), ids).tolist()
                    db.executemany("DELETE FROM %s WHERE id = ?" % q(self.rtree), ((i,) for i in left_out))
            left, right, bottom, top = cell_boxes(ids, self.x0, self.y0, self.cell, self.rows)
            if len(fids):
                db.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? "
                           "WHERE table_name = ?", (float(left.min()), float(bottom.min()), float(right.max()),
                                                    float(top.max()), self.layer_name))
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
                db.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)",
                           (len(fids), self.layer_name))
            for _name, sql in triggers:
                db.execute(sql)
            db.commit()
        finally:
            db.close()

    def _drop_layer(self, dataset):
        for index in range(dataset.GetLayerCount()):
            if dataset.GetLayer(index).GetName() == self.layer_name:
                dataset.DeleteLayer(index)
                return

    def discard(self):
        """Remove what was created (the run failed or was cancelled)."""
        self.thread.join()
        if not self.new_file:
            dataset = ogr.Open(self.path, 1)
            if dataset is not None:
                self._drop_layer(dataset)
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
