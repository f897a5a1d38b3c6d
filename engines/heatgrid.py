"""Fast path of ocs:heatisland for a square grid: the grid is read off the raster instead of being built and burnt.

When CELL_SIZE is a whole number n of RESOLUTION pixels and the coarse step k of the distances divides n, a grid
cell is an n × n block of pixels and k × k blocks of coarse cells: the classes are burnt band by band straight
from the layer's GeoPackage (one SQL statement per band, the look-up of the classes as a join, the R-tree as the
band filter), counted per coarse cell and class (core/heat.py coarse_histogram), and every figure per cell is a
block sum of those counts. The cells and their ids are those of native:creategrid on the layer's extent
(rectangles, numbered column by column from the top-left corner), so the result is the one of the generic path.
The output GeoPackage is written with SQLite in one transaction (geometries encoded with numpy, the R-tree
written packed).
"""
import collections
import dataclasses
import math
import struct
from concurrent.futures import ThreadPoolExecutor

import numpy
from osgeo import gdal

from ..fastpath import gpkg, gpkgwrite, pg

GPKG_CELL = numpy.dtype([
    ("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("envelope", "<f8", (4,)),
    ("multi_order", "u1"), ("multi_type", "<u4"), ("parts", "<u4"),
    ("order", "u1"), ("type", "<u4"), ("rings", "<u4"), ("points", "<u4"), ("xy", "<f8", (10,))])


@dataclasses.dataclass
class Window:
    """A raster window: its top-left corner (xmin, ymax), its size in pixels and the pixel size."""

    xmin: float
    ymax: float
    width: int
    height: int
    res: float


@dataclasses.dataclass
class GridCells:
    """The square grid of native:creategrid read off the raster: top-left corner, cell size and number of rows
    (ids numbered column by column from the top-left corner, from 1)."""

    x0: float
    y0: float
    cell: float
    rows: int


@dataclasses.dataclass
class Table:
    """Rows to write: ``fields`` = [(name, 'int' | 'double' | 'str')], the sorted 1-based grid ``ids`` of the
    rows (numpy array) and one column (numpy array or list) per field."""

    fields: list
    ids: object
    columns: list


def spatial_index(dataset, table):
    """The name of the R-tree of layer ``table`` of a GeoPackage (a GDAL dataset, or a path); raise
    FastPathUnavailable when the layer or its R-tree is missing (checked before any scan of the layer)."""
    if isinstance(dataset, str):
        dataset = gdal.OpenEx(dataset, gdal.OF_VECTOR | gdal.OF_READONLY)
    layer = dataset.GetLayerByName(table) if dataset is not None else None
    if layer is None:
        raise gpkg.FastPathUnavailable("no layer %s" % table)
    rtree = "rtree_%s_%s" % (table, layer.GetGeometryColumn() or "geom")
    found = dataset.ExecuteSQL("SELECT name FROM sqlite_master WHERE name = %s" % gpkg.literal(rtree))
    try:
        if found is None or found.GetFeatureCount() == 0:
            raise gpkg.FastPathUnavailable("no spatial index")
    finally:
        if found is not None:
            dataset.ReleaseResultSet(found)
    return rtree


def exact_extent(path, table):
    """(xmin, ymin, xmax, ymax) of the geometries of GeoPackage layer ``table`` to the bit (not the float32 boxes
    of its R-tree, nor the extent GDAL reports, which may be a unit in the last place off), or None."""
    dataset = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
    rtree = spatial_index(dataset, table)
    column = dataset.GetLayerByName(table).GetGeometryColumn() or "geom"
    dataset = None
    store = gpkg.GpkgGeometries(path, table, column)
    try:
        return store.extent(gpkg.quote_identifier(rtree))
    finally:
        store.close()


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
            raise gpkg.FastPathUnavailable("no layer %s" % table)
        self.table = gpkg.quote_identifier(table)
        self.geometry = gpkg.quote_identifier(layer.GetGeometryColumn() or "geom")
        self.fid = gpkg.quote_identifier(layer.GetFIDColumn() or "fid")
        self.rtree = gpkg.quote_identifier(spatial_index(self.dataset, table))
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
            sql = self.band_sql(packed, (xmin, ymax - height * res, xmin + width * res, ymax))
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

    def band_sql(self, packed, box):
        """The SELECT of the geometries whose R-tree box meets ``box`` (xmin, ymin, xmax, ymax), with the packed
        class ids ``packed`` as ``v``."""
        xmin, ymin, xmax, ymax = box
        return ("%s SELECT l.%s AS geom, %s AS v FROM %s l %s WHERE l.%s IN (SELECT id FROM %s WHERE "
                "minx <= %r AND maxx >= %r AND miny <= %r AND maxy >= %r)") % (
            self.prefix, self.geometry, packed, self.table, self.joins, self.fid, self.rtree, xmax, xmin, ymax, ymin)

    def close(self):
        self.dataset = None

    def bands(self, window, rows, workers=2, ahead=4):
        """Yield (first pixel row, arrays) for the bands of ``rows`` pixel rows of the raster ``window`` (a
        Window), in order, burnt by ``workers`` threads (GDAL releases the GIL; each thread reads through its own
        connection), at most ``ahead`` bands in advance. Closing the generator cancels what is pending."""
        xmin, ymax, width, height, res = window.xmin, window.ymax, window.width, window.height, window.res
        clones = _Clones(type(self), self.arguments)

        def burn(start):
            return clones.connection().burn(xmin, ymax - start * res, width, min(rows, height - start), res)

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
            clones.close()


class _Clones(gpkg.ThreadConnections):
    """One class source per thread (its own GDAL connection): ``kind`` (ClassSource or PgClassSource) opened with
    the same ``arguments``."""

    def __init__(self, kind, arguments):
        super().__init__()
        self.kind = kind
        self.arguments = arguments

    def _open(self):
        return self.kind(*self.arguments)

    def connection(self):
        return self._connection()


class PgClassSource(ClassSource):
    """``ClassSource`` of a PostgreSQL relation (fastpath.pg.PgRelation ``relation``, geometries of SRID
    ``srid``), read by GDAL's PG driver band by band: the band is the GiST index's ``&&`` on its rectangle, the
    look-ups of the classes are ``VALUES`` lists joined in ``joins`` (``expressions`` read them)."""

    def __init__(self, relation, srid, expressions, joins=""):
        self.arguments = (relation, srid, expressions, joins)
        self.connection = pg.Connection(relation.conninfo)
        self.dataset = self.connection.dataset
        self.relation, self.srid = relation, int(srid)
        self.geometry = pg.quote_identifier(relation.geometry)
        self.expressions = list(expressions)
        self.joins = joins
        self.memory = gdal.GetDriverByName("MEM")

    def band_sql(self, packed, box):
        return "SELECT l.%s AS geom, %s AS v FROM %s l %s WHERE l.%s && ST_MakeEnvelope(%r, %r, %r, %r, %d)" % (
            self.geometry, packed, self.relation.relation, self.joins, self.geometry, *box, self.srid)

    def close(self):
        self.dataset = None
        self.connection.close()


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


def cell_blobs(boxes, srs_id):
    """GeoPackage geometry blobs (MultiPolygon with its envelope) of the cells whose ``cell_boxes`` are given."""
    left, right, bottom, top = boxes
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


def write_gpkg(path, layer_name, srs, table, grid):
    """The output GeoPackage layer of the cells of ``grid`` (GridCells) whose rows are ``table`` (a Table: the
    cells ``table.ids``, sorted, 1-based, fid = id, with the ``table.columns`` of ``table.fields``), written with
    SQLite (gpkgwrite.LayerWriter: geometries encoded with numpy, the R-tree written packed). An existing file is
    replaced, or only the layer of that name when the file holds other layers."""
    writer = gpkgwrite.LayerWriter(path, layer_name, srs, table.fields)
    try:
        boxes = cell_boxes(table.ids, grid.x0, grid.y0, grid.cell, grid.rows)
        blobs = cell_blobs(boxes, writer.srs_id)
        fids = numpy.asarray(table.ids).tolist()
        writer.add(_rows(fids, blobs, table.columns))
    except BaseException:
        writer.abort()
        raise
    writer.close(table.ids, numpy.stack(boxes, axis=1))


def square_template(cell, srid):
    """The hex EWKB of the MultiPolygon square of side ``cell`` whose top-left corner is (0, 0), its ring as
    ``cell_blobs`` writes it (top-left, top-right, bottom-right, bottom-left): moved by (left, top) with
    ST_Translate, its corners are left + 0, left + cell, top + 0, top - cell to the bit."""
    ring = (0.0, 0.0, cell, 0.0, cell, -cell, 0.0, -cell, 0.0, 0.0)
    return struct.pack("<BIiIBIII10d", 1, 6 | 0x20000000, srid, 1, 1, 3, 1, 5, *ring).hex()


def pg_insert(out, table, grid, srid, rows):
    """The INSERT into PgTable ``out`` of the cells ``rows`` (a slice) of ``table`` (a Table): the key and the
    fields as arrays (fastpath.pg.unnest_sql), the square of each cell built by PostgreSQL from its column and row
    (the corner computed as ``cell_boxes`` does, in doubles)."""
    ids = numpy.asarray(table.ids)[rows]
    given, values = pg.unnest_sql([("int", ids)] + [(kind, column[rows])
                                                    for (_name, kind), column in zip(table.fields, table.columns)])
    corner = "float8 '%r' + ((v.c0 - 1) / %d)::float8 * float8 '%r', float8 '%r' - ((v.c0 - 1) %% %d)::float8 * " \
             "float8 '%r'" % (grid.x0, grid.rows, grid.cell, grid.y0, grid.rows, grid.cell)
    names = [out.key, out.geometry] + [name for name, _kind in table.fields]
    return "INSERT INTO %s (%s) SELECT v.c0, ST_Translate('%s'::geometry, %s), %s FROM %s" % (
        out.name, ", ".join(pg.quote_identifier(n) for n in names), square_template(grid.cell, srid), corner,
        ", ".join(values[1:]), given)


def write_pg(conninfo, out, srid, table, grid, chunk=20000):
    """The cells of ``grid`` (GridCells) whose rows are ``table`` (a Table: the cells ``table.ids``, sorted, 1-based,
    key = id) written straight into PgTable ``out`` of EPSG SRID ``srid`` (fastpath.pg.fill_table: the table of
    fastpath.pg.load_gpkg from ``write_gpkg``'s layer, without the GeoPackage), ``chunk`` cells per INSERT; (row
    count, area). Raise FastPathUnavailable, no table left, when it cannot."""
    columns = [(name, pg.column_type(name, kind)) for name, kind in table.fields]
    left, right, bottom, top = cell_boxes(table.ids, grid.x0, grid.y0, grid.cell, grid.rows)
    expected = (len(left), float(numpy.sum((right - left) * (top - bottom))))
    statements = (pg_insert(out, table, grid, srid, slice(start, start + chunk))
                  for start in range(0, len(left), chunk))
    return pg.fill_table(conninfo, out, srid, columns, statements, expected)
