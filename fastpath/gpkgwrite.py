"""New GeoPackage layers of polygons written with SQLite (ocs:heatisland's grid, ocs:changedetection's pieces).

GDAL creates the layer, its (empty) R-tree and its triggers; the rows are then inserted with SQLite in one
transaction, the layer's triggers set aside meanwhile (they call GDAL's SQL functions, unknown to Python's
sqlite3) and put back as GDAL wrote them, and the R-tree is written packed (``pack_rtree``). The geometry blobs
are built by the caller: ``multipolygon_blob`` gives the one of a WKB polygon with its envelope.
"""
import math
import os
import sqlite3
import struct

import numpy
from osgeo import gdal, ogr

from . import gpkg

KINDS = {"int": ogr.OFTInteger, "double": ogr.OFTReal, "str": ogr.OFTString}
_HEADER = struct.Struct("<2sBBi4d")     # magic, version, flags (little-endian, XY envelope), SRS id, envelope
_ONE_PART = b"\x01\x06\x00\x00\x00\x01\x00\x00\x00"     # little-endian MultiPolygon of one part


def multipolygon_blob(srs_id, wkb, box):
    """The GeoPackage blob (header with its XY envelope) of a 2D little-endian WKB Polygon or MultiPolygon, a
    Polygon wrapped in a one-part MultiPolygon; ``box`` = (xmin, ymin, xmax, ymax). ValueError for other WKB."""
    kind = wkb[:5]
    if kind == b"\x01\x03\x00\x00\x00":
        wkb = _ONE_PART + wkb
    elif kind != b"\x01\x06\x00\x00\x00":
        raise ValueError("not a 2D little-endian Polygon or MultiPolygon")
    return _HEADER.pack(b"GP", 0, 3, srs_id, box[0], box[2], box[1], box[3]) + wkb


_TOWARDS, _AWAY = 1.0 - 1.0 / 8388608.0, 1.0 + 1.0 / 8388608.0
RTREE_CELL = numpy.dtype([("id", ">i8"), ("box", ">f4", (4,))])


def _float32(values, down):
    """SQLite's rounding of R-tree coordinates to 32-bit floats: minima rounded down, maxima up (rtree.c,
    rtreeValueDown / rtreeValueUp), so that a box always holds its geometry."""
    values = numpy.asarray(values, dtype=numpy.float64)
    single = values.astype(numpy.float32)
    wrong = single > values if down else single < values
    if wrong.any():
        v = values[wrong]
        factor = numpy.where(v < 0, _AWAY, _TOWARDS) if down else numpy.where(v < 0, _TOWARDS, _AWAY)
        single[wrong] = (v * factor).astype(numpy.float32)
    return single


def _str_order(boxes, capacity):
    """Sort-Tile-Recursive order of boxes (n, 4 = minx, maxx, miny, maxy) for nodes of ``capacity`` entries: vertical
    slices by centre x, each sorted by centre y."""
    n = len(boxes)
    leaves = -(-n // capacity)
    slices = max(1, int(math.ceil(math.sqrt(leaves))))
    per_slice = slices * capacity
    cx = boxes[:, 0] + boxes[:, 1]
    cy = boxes[:, 2] + boxes[:, 3]
    by_x = numpy.argsort(cx, kind="stable")
    slice_of = numpy.empty(n, dtype=numpy.int64)
    slice_of[by_x] = numpy.arange(n) // per_slice
    return numpy.lexsort((cy, slice_of))


def pack_rtree(db, name, ids, boxes):
    """Fill the empty SQLite R-tree ``name`` (created by GDAL: rtree(id, minx, maxx, miny, maxy)) with the entries
    ``ids`` / ``boxes`` (n, 4 = minx, maxx, miny, maxy) by writing its shadow tables (_node, _parent, _rowid) as a
    packed Sort-Tile-Recursive tree, instead of one insert per entry (SQLite's R*-tree insert is the slow part of
    writing a large GeoPackage). Node layout of SQLite's rtree.c: a 4-byte header (tree depth on the root node,
    then the number of cells, big-endian) and cells of a big-endian 64-bit id and four 32-bit floats, each node
    as long as the root node written by GDAL. Returns False, leaving the R-tree untouched, when it is not empty
    or has another layout; the caller checks the result with SQLite's rtreecheck()."""
    q = gpkg.quote_identifier
    row = db.execute("SELECT length(data) FROM %s WHERE nodeno = 1" % q(name + "_node")).fetchone()
    columns = [r[1] for r in db.execute("PRAGMA table_info(%s)" % q(name + "_rowid"))]
    if row is None or columns != ["rowid", "nodeno"] or \
            db.execute("SELECT COUNT(*) FROM %s" % q(name + "_rowid")).fetchone()[0]:
        return False
    node_size = row[0]
    capacity = (node_size - 4) // RTREE_CELL.itemsize
    if capacity < 2:
        return False
    entries_id = numpy.asarray(ids, dtype=numpy.int64)
    entries_box = numpy.stack([_float32(boxes[:, 0], True), _float32(boxes[:, 1], False),
                               _float32(boxes[:, 2], True), _float32(boxes[:, 3], False)], axis=1)
    nodes, parents, rowids = [], [], []
    next_node, depth = 2, 0
    while True:
        order = _str_order(entries_box.astype(numpy.float64), capacity)
        entries_id, entries_box = entries_id[order], entries_box[order]
        count = len(entries_id)
        groups = -(-count // capacity)
        numbers = numpy.array([1]) if groups == 1 else numpy.arange(next_node, next_node + groups)
        next_node += 0 if groups == 1 else groups
        group_of = numpy.arange(count) // capacity
        if depth == 0:
            rowids.append(numpy.stack([entries_id, numbers[group_of]], axis=1))
        else:
            parents.append(numpy.stack([entries_id, numbers[group_of]], axis=1))
        cells = numpy.zeros(count, dtype=RTREE_CELL)
        cells["id"], cells["box"] = entries_id, entries_box
        data = cells.tobytes()
        size = RTREE_CELL.itemsize
        for g in range(groups):
            first, last = g * capacity, min(count, (g + 1) * capacity)
            header = (depth if groups == 1 else 0).to_bytes(2, "big") + (last - first).to_bytes(2, "big")
            blob = header + data[first * size:last * size]
            nodes.append((int(numbers[g]), blob + bytes(node_size - len(blob))))
        if groups == 1:
            break
        starts = numpy.arange(0, count, capacity)
        entries_box = numpy.stack([numpy.minimum.reduceat(entries_box[:, 0], starts),
                                   numpy.maximum.reduceat(entries_box[:, 1], starts),
                                   numpy.minimum.reduceat(entries_box[:, 2], starts),
                                   numpy.maximum.reduceat(entries_box[:, 3], starts)], axis=1)
        entries_id = numbers
        depth += 1
    db.execute("DELETE FROM %s" % q(name + "_node"))
    db.execute("DELETE FROM %s" % q(name + "_parent"))
    db.executemany("INSERT INTO %s (nodeno, data) VALUES (?, ?)" % q(name + "_node"), nodes)
    for table, pairs in ((name + "_rowid", rowids), (name + "_parent", parents)):
        if pairs:
            pairs = numpy.concatenate(pairs)
            pairs = pairs[numpy.argsort(pairs[:, 0], kind="stable")]     # in key order: appended to the B-tree
            key = "rowid" if table.endswith("_rowid") else "nodeno"
            value = "nodeno" if table.endswith("_rowid") else "parentnode"
            db.executemany("INSERT INTO %s (%s, %s) VALUES (?, ?)" % (q(table), key, value),
                           map(tuple, pairs.tolist()))
    return True


class LayerWriter:
    """A new MultiPolygon layer ``layer_name`` (fid, geom, then ``fields`` = [(name, 'int' | 'double' | 'str')])
    in the GeoPackage ``path``, filled with ``add`` and finished with ``close`` (or dropped with ``abort``). An
    existing file is replaced, or only the layer of that name when the file holds other layers. ``srs``: an
    osr.SpatialReference (None: none). ``srs_id``: the id the geometry blobs must carry."""

    def __init__(self, path, layer_name, srs, fields):
        self.path, self.layer_name = path, layer_name
        _create_layer(path, layer_name, srs, fields)
        q = gpkg.quote_identifier
        self.db = sqlite3.connect(path)
        self.srs_id = self.db.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
                                      (layer_name,)).fetchone()[0]
        self.db.execute("PRAGMA synchronous = OFF")
        self.triggers = self.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                        (layer_name,)).fetchall()
        for name, _sql in self.triggers:
            self.db.execute("DROP TRIGGER %s" % q(name))
        names = ", ".join(q(n) for n in ["fid", "geom"] + [name for name, _k in fields])
        self.insert = "INSERT INTO %s (%s) VALUES (%s)" % (q(layer_name), names, ", ".join("?" * (len(fields) + 2)))

    def add(self, rows):
        """Insert ``rows`` (fid, geometry blob, one value per field)."""
        self.db.executemany(self.insert, rows)

    def close(self, ids, boxes):
        """The R-tree of the rows ``ids`` (their fids) with ``boxes`` (n × 4 array: minx, maxx, miny, maxy), the
        layer's extent and count, its triggers put back; committed and closed."""
        db, q, layer_name = self.db, gpkg.quote_identifier, self.layer_name
        try:
            ids = numpy.asarray(ids, dtype=numpy.int64)
            boxes = numpy.asarray(boxes, dtype=numpy.float64).reshape(-1, 4)
            rtree = "rtree_%s_geom" % layer_name
            if len(ids) and db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (rtree,)).fetchone():
                if not pack_rtree(db, rtree, ids, boxes):
                    db.executemany("INSERT INTO %s VALUES (?, ?, ?, ?, ?)" % q(rtree),
                                   zip(ids.tolist(), *(boxes[:, k].tolist() for k in range(4))))
            if len(ids):
                db.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE "
                           "table_name = ?", (float(boxes[:, 0].min()), float(boxes[:, 2].min()),
                                              float(boxes[:, 1].max()), float(boxes[:, 3].max()), layer_name))
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
                db.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM %s) WHERE "
                           "lower(table_name) = lower(?)" % q(layer_name), (layer_name,))
            for _name, sql in self.triggers:
                db.execute(sql)
            db.commit()
        finally:
            db.close()

    def abort(self):
        """Drop what was written (the file stays, with the empty layer)."""
        self.db.rollback()
        self.db.close()


def _create_layer(path, layer_name, srs, fields):
    for suffix in ("-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    dataset = None
    if os.path.exists(path):
        dataset = ogr.Open(path, 1)
        names = [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())] if dataset else []
        if any(name != layer_name for name in names):
            for index, name in enumerate(names):
                if name == layer_name:
                    dataset.DeleteLayer(index)
                    break
        else:
            dataset = None
            os.remove(path)
    if dataset is None:
        dataset = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    if dataset is None:
        raise RuntimeError(gdal.GetLastErrorMsg() or "GDAL could not create %s" % path)
    layer = dataset.CreateLayer(layer_name, srs, ogr.wkbMultiPolygon, ["FID=fid", "GEOMETRY_NAME=geom"])
    for name, kind in fields:
        layer.CreateField(ogr.FieldDefn(name, KINDS[kind]))
    layer = dataset = None
