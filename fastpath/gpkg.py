"""The GeoPackage fast path of ocs:reclassify: the attribute rules as one SQL join run by GDAL.

A land-cover layer holds few distinct (couverture, usage) pairs (a few hundred) for hundreds of thousands of
polygons. The pairs are read with one GROUP BY, classified once in Python, and written into the SQL statement
as a lookup table (a VALUES common table expression); GDAL then copies the layer with the joined columns at
the speed of a plain copy. The spatial rules, which change few polygons, are applied afterwards as UPDATEs.

Used only where it gives exactly what the feature-by-feature path gives: a whole GeoPackage layer (no
selection, filter or feature limit) in a projected CRS, text code fields, a new GeoPackage as output and no
output column that already exists. Everything else goes through the generic path.
"""
import dataclasses
import os
import pathlib
import sqlite3
import struct
import threading

import numpy

from osgeo import gdal, ogr
from qgis.core import QgsProviderRegistry

from ..core import nomenclature as nom

SEPARATOR = "\x1f"
MAX_JOINED_COMBINATIONS = 20000   # above: one lookup table per vintage (smaller SQL)


class FastPathUnavailable(Exception):
    """The input or output does not qualify; the generic path is used."""


def quote_identifier(name):
    return '"%s"' % name.replace('"', '""')


def literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'%s'" % str(value).replace("'", "''")


def gpkg_input(layer):
    """(path, layer name) when ``layer`` (a QgsVectorLayer, the whole layer: the caller checks that no selection,
    filter or limit applies) is a plain GeoPackage layer, else raise FastPathUnavailable."""
    if layer is None or layer.providerType() != "ogr" or layer.subsetString():
        raise FastPathUnavailable("not a plain OGR layer")
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    path = parts.get("path") or ""
    if not path.lower().endswith(".gpkg") or not os.path.isfile(path):
        raise FastPathUnavailable("not a GeoPackage file")
    layer_name = parts.get("layerName")
    dataset = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
    if dataset is None:
        raise FastPathUnavailable("GDAL cannot open it")
    if not layer_name:
        layer_id = parts.get("layerId")
        index = int(layer_id) if layer_id not in (None, "") else 0
        if index >= dataset.GetLayerCount():
            raise FastPathUnavailable("no such layer")
        layer_name = dataset.GetLayer(index).GetName()
    if dataset.GetLayerByName(layer_name) is None:
        raise FastPathUnavailable("no such layer")
    return path, layer_name


def geometry_type(path, layer_name):
    """(geometry type name, z, m) of a GeoPackage layer as gpkg_geometry_columns declares it ('POLYGON', 0, 0), or
    None when it cannot be read. The blobs follow it (GDAL writes what the layer declares)."""
    try:
        connection = sqlite3.connect(pathlib.Path(path).absolute().as_uri() + "?mode=ro", uri=True)
        try:
            row = connection.execute("SELECT upper(geometry_type_name), z, m FROM gpkg_geometry_columns WHERE "
                                     "lower(table_name) = lower(?)", (layer_name,)).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return None if row is None else (row[0], int(row[1] or 0), int(row[2] or 0))


def require_plain_polygons(path, layer_name, allow_zm=False):
    """Raise FastPathUnavailable unless the layer is declared POLYGON or MULTIPOLYGON, 2D unless ``allow_zm``:
    the fast paths read the blobs as such (GDAL's rasterizer burns no curve, and burns Z/M polygons flat; the
    numpy dissolve reads 2D WKB only), and the other layers go through the generic path, which segmentizes curves
    and drops Z/M."""
    declared = geometry_type(path, layer_name)
    if declared is None or declared[0] not in ("POLYGON", "MULTIPOLYGON") or \
            (not allow_zm and (declared[1] or declared[2])):
        raise FastPathUnavailable("geometry type %s (curves, Z or M): generic path" % (declared,))


def missing_geometries(path, layer_name):
    """The number of NULL or empty geometries of a GeoPackage layer: its feature count less the entries of its
    R-tree (which holds one per non-empty geometry, GeoPackage 1.x §F.3), else from the blob headers (the empty
    flag, §2.1.3); None when it cannot be read."""
    try:
        connection = sqlite3.connect(pathlib.Path(path).absolute().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        column = connection.execute("SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = "
                                    "lower(?)", (layer_name,)).fetchone()
        if column is None:
            return None
        table, geometry = quote_identifier(layer_name), quote_identifier(column[0])
        rtree = "rtree_%s_%s" % (layer_name, column[0])
        registered = connection.execute(
            "SELECT COUNT(*) FROM gpkg_extensions WHERE lower(table_name) = lower(?) AND lower(column_name) = "
            "lower(?) AND extension_name = 'gpkg_rtree_index'", (layer_name, column[0])).fetchone()[0]
        if registered and connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                             (rtree + "_rowid",)).fetchone():
            total = None
            if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_ogr_contents'").fetchone():
                row = connection.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE lower(table_name) = "
                                         "lower(?)", (layer_name,)).fetchone()
                total = row[0] if row is not None else None
            if total is None:
                total = connection.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]
            return total - connection.execute("SELECT COUNT(*) FROM %s" % quote_identifier(
                rtree + "_rowid")).fetchone()[0]
        return connection.execute("SELECT COUNT(*) FROM %s WHERE %s IS NULL OR length(%s) < 8 OR "
                                  "(unicode(substr(%s, 4, 1)) & 16)" % (table, geometry, geometry, geometry)
                                  ).fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        connection.close()


def gpkg_output(destination, source_path, whole_file=False):
    """(path, layer name) when the output is a GeoPackage file other than the input. ``whole_file``: the caller
    writes a new file, so a layer named into an existing GeoPackage that holds other layers does not qualify."""
    path, _sep, options = destination.partition("|")
    if not path.lower().endswith(".gpkg"):
        raise FastPathUnavailable("output is not a GeoPackage")
    layer_name = os.path.splitext(os.path.basename(path))[0]
    if options:
        key, _eq, value = options.partition("=")
        if key.strip().lower() != "layername" or "|" in value:
            raise FastPathUnavailable("output options")
        layer_name = value.strip()
    if source_path and os.path.exists(path) and os.path.samefile(path, source_path):
        raise FastPathUnavailable("output is the input")
    if whole_file and options and os.path.exists(path):
        # a layer named into an existing GeoPackage that holds others: for the generic path, which adds or
        # replaces that one layer
        dataset = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
        others = [] if dataset is None else [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())]
        dataset = None
        if any(name.lower() not in (layer_name.lower(), "layer_styles") for name in others):
            raise FastPathUnavailable("the output GeoPackage holds other layers")
    return path, layer_name


def remove_gpkg(path):
    """Delete a GeoPackage file and its SQLite companions (journal, WAL) if present."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


class _NotSqlite(Exception):
    """The SQLite writer cannot write this layer exactly as GDAL would."""


def _field_copy(field):
    """A copy of an OGR field definition (type, subtype, width, precision, nullability, default)."""
    copy = ogr.FieldDefn(field.GetName(), field.GetType())
    copy.SetSubType(field.GetSubType())
    copy.SetWidth(field.GetWidth())
    copy.SetPrecision(field.GetPrecision())
    copy.SetNullable(field.IsNullable())
    copy.SetUnique(field.IsUnique())
    if field.GetDefault() is not None:
        copy.SetDefault(field.GetDefault())
    return copy


@dataclasses.dataclass
class Lookup:
    """The columns joined to a layer by GpkgReclassifier.write: ``vintages`` = [(cs_field, us_field)];
    ``columns`` = [[(name, kind)]] per vintage, kind 'int'/'str'; ``tables`` = [{pair_key: values tuple}] per
    vintage."""

    vintages: list
    columns: list
    tables: list


@dataclasses.dataclass
class _Copy:
    """The SQL of a copy: its lookup tables (``ctes``), [(SQL expression on the input row "l", output column
    name, kind)] (``selects``), its joins, and the whole SELECT (``sql``, GDAL's dialect)."""

    ctes: list
    selects: list
    joins: list
    sql: str = ""


@dataclasses.dataclass
class _Layout:
    """The result of a copy's SELECT as GDAL types it: field definitions and names (``kept``: those of the
    input), fid and geometry columns and SRS."""

    fields: list
    names: list
    kept: list
    fid_name: str
    geometry_name: str
    srs: object


def joined_rows(lookup, combinations):
    """The rows of the look-up keyed on the whole tuple of code fields of every vintage (a Lookup), as SQL
    ``VALUES`` rows "(key, values…)", one per distinct key of the tuples ``combinations``: NULL and '' give the same
    key, as the join sees it (SQLite here, PostgreSQL in fastpath/pg.py)."""
    rows = {}
    for values in combinations:
        key = SEPARATOR.join("" if x is None else x for x in values)
        if key not in rows:
            row = [literal(key)]
            for v, table in enumerate(lookup.tables):
                row.extend(literal(x) for x in table[pair_key(values[2 * v], values[2 * v + 1])])
            rows[key] = "(%s)" % ",".join(row)
    return list(rows.values())


def _joined_copy(lookup, combinations):
    """One lookup table keyed on the whole tuple of code fields of every vintage."""
    fields = [field for pair in lookup.vintages for field in pair]
    width = sum(len(c) for c in lookup.columns)
    rows = joined_rows(lookup, combinations)
    ctes = ["lut(%s) AS (VALUES %s)" % (",".join(["k"] + ["c%d" % i for i in range(width)]),
                                         ",".join(rows))]
    selects = []
    position = 0
    for vintage_columns in lookup.columns:
        for name, kind in vintage_columns:
            selects.append(("lut.c%d" % position, name, kind))
            position += 1
    joins = ["LEFT JOIN lut ON lut.k = (%s)" % " || char(31) || ".join(
        "ifnull(l.%s, '')" % quote_identifier(f) for f in fields)]
    return _Copy(ctes, selects, joins)


def _per_vintage_copy(lookup):
    """One lookup table per vintage, keyed on its (cs, us) pair."""
    ctes, selects, joins = [], [], []
    for v, ((cs_field, us_field), vintage_columns, table) in enumerate(zip(lookup.vintages, lookup.columns,
                                                                           lookup.tables)):
        alias = "lut%d" % v
        names = ["k"] + ["c%d" % i for i in range(len(vintage_columns))]
        rows = ",".join("(%s)" % ",".join([literal(key)] + [literal(x) for x in values])
                        for key, values in table.items())
        ctes.append("%s(%s) AS (VALUES %s)" % (alias, ",".join(names), rows))
        for i, (name, kind) in enumerate(vintage_columns):
            selects.append(("%s.c%d" % (alias, i), name, kind))
        joins.append("LEFT JOIN %s ON %s.k = %s" % (alias, alias, pair_key_sql(cs_field, us_field, "l.")))
    return _Copy(ctes, selects, joins)


def _create_layer(out_path, out_layer, layout):
    """A new GeoPackage ``out_path`` with the empty MultiPolygon layer GDAL makes for ``layout`` (no spatial
    index)."""
    dataset = gdal.GetDriverByName("GPKG").Create(out_path, 0, 0, 0, gdal.GDT_Unknown)
    layer = dataset.CreateLayer(out_layer, layout.srs, ogr.wkbMultiPolygon, options=[
        "GEOMETRY_NAME=%s" % layout.geometry_name, "FID=%s" % layout.fid_name, "SPATIAL_INDEX=NO"])
    for field in layout.fields:
        if layer.CreateField(field) != 0:
            raise RuntimeError("GDAL could not create field %s" % field.GetName())
    layer.SyncToDisk()
    dataset = layer = None


def _geometry_sql(connection, srs_id, g):
    """The SQL expression of the output blob of input blob ``g``: the header's SRS id replaced, a Polygon
    wrapped in a one-part MultiPolygon; any other blob stops the statement (ocs_refuse, registered on
    ``connection``)."""
    def refuse(_blob):
        raise _NotSqlite("a geometry blob that is not a 2D little-endian Polygon/MultiPolygon with an "
                         "XY envelope")

    connection.create_function("ocs_refuse", 1, refuse)
    srs_hex = struct.pack("<i", srs_id).hex()
    header = "x'47500003' || x'%s'" % srs_hex
    empty = "x'47500011%s010600000000000000'" % srs_hex   # GDAL's empty MultiPolygon (no envelope)
    return (
        "CASE WHEN %(g)s IS NULL THEN NULL "
        "WHEN substr(%(g)s, 1, 4) <> x'47500003' THEN "
        "  CASE WHEN substr(%(g)s, 1, 4) = x'47500011' AND substr(%(g)s, 9) IN "
        "    (x'010300000000000000', x'010600000000000000') THEN %(e)s ELSE ocs_refuse(%(g)s) END "
        "WHEN substr(%(g)s, 41, 5) = x'0106000000' THEN CAST(%(h)s || substr(%(g)s, 9) AS BLOB) "
        "WHEN substr(%(g)s, 41, 5) = x'0103000000' THEN "
        "  CAST(%(h)s || substr(%(g)s, 9, 32) || x'010600000001000000' || substr(%(g)s, 41) AS BLOB) "
        "ELSE ocs_refuse(%(g)s) END" % {"g": g, "h": header, "e": empty})


def _finish_layer(connection, out_layer, extent, triggers):
    """The layer's extent and feature count as GDAL writes them, its ``triggers`` put back; committed."""
    # the extent as GDAL writes it: formatted by SQLite's printf (%.18g: 16 digits before SQLite 3.43)
    extent = [None if value is None else connection.execute(
        "SELECT CAST(printf('%.18g', ?) AS REAL)", (value,)).fetchone()[0] for value in extent]
    connection.execute("UPDATE main.gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                       "last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = ?",
                       (*extent, out_layer))
    connection.execute("UPDATE main.gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM main.%s) "
                       "WHERE table_name = ?" % quote_identifier(out_layer), (out_layer,))
    for _name, sql in triggers:
        connection.execute(sql)
    connection.execute("COMMIT")


class GpkgReclassifier:
    """Runs the attribute rules of a Reclassifier on a GeoPackage layer through GDAL."""

    def __init__(self, path, layer_name):
        self.path = path
        self.layer_name = layer_name
        gdal.UseExceptions()
        self.dataset = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_READONLY)
        self.layer = self.dataset.GetLayerByName(layer_name)
        self.table = quote_identifier(layer_name)

    def close(self):
        """Close the GDAL dataset (before another connection writes the file)."""
        self.layer = self.dataset = None

    def query(self, sql):
        """The rows of ``sql`` run by GDAL on the layer's dataset (GDAL's SQL dialect: SQLite's for a GeoPackage)."""
        result = self.dataset.ExecuteSQL(sql, dialect="")
        try:
            return [[feature.GetField(i) for i in range(feature.GetFieldCount())] for feature in result]
        finally:
            self.dataset.ReleaseResultSet(result)

    def is_text(self, field):
        definition = self.layer.GetLayerDefn()
        index = definition.GetFieldIndex(field)
        return index >= 0 and definition.GetFieldDefn(index).GetType() == ogr.OFTString

    def feature_count(self):
        return self.layer.GetFeatureCount()

    def geometries(self):
        """A GpkgGeometries reading this layer with SQLite, or None when it has no geometry column, is not declared
        2D POLYGON/MULTIPOLYGON (its blobs are read as such) or SQLite cannot open the file."""
        column = self.layer.GetGeometryColumn()
        try:
            require_plain_polygons(self.path, self.layer_name)
            return GpkgGeometries(self.path, self.layer_name, column) if column else None
        except (sqlite3.Error, FastPathUnavailable):
            return None

    def area(self, probe=False):
        """Sum of planar areas in layer units (SpatiaLite's ST_Area through GDAL); with ``probe``, the area of one
        feature only, to find out whether GDAL's SQL has ST_Area. FastPathUnavailable when it has not."""
        geometry = quote_identifier(self.layer.GetGeometryColumn())
        sql = "SELECT ST_Area(%s) FROM %s LIMIT 1" if probe else "SELECT SUM(ST_Area(%s)) FROM %s"
        try:
            return self.query(sql % (geometry, self.table))[0][0] or 0.0
        except RuntimeError as error:
            raise FastPathUnavailable("no ST_Area: %s" % error)

    def combinations(self, fields, with_fids=False):
        """[(values, count)]: the distinct tuples of ``fields`` (the code fields of every vintage) with their
        feature counts, from one scan and one sort of the table (instead of one GROUP BY per vintage);
        [(values, count, [fids])] with ``with_fids``."""
        names = ", ".join(quote_identifier(f) for f in fields)
        positions = ", ".join(str(i + 1) for i in range(len(fields)))
        if not with_fids:
            return [(tuple(row[:-1]), row[-1]) for row in self.query(
                "SELECT %s, COUNT(*) FROM %s GROUP BY %s" % (names, self.table, positions))]
        fid = quote_identifier(self.layer.GetFIDColumn() or "fid")
        rows = self.query("SELECT %s, COUNT(*), group_concat(%s) FROM %s GROUP BY %s" % (
            names, fid, self.table, positions))
        return [(tuple(row[:-2]), row[-2], [int(x) for x in row[-1].split(",")]) for row in rows]

    def write(self, out_path, out_layer, lookup, feedback=None, combinations=None):
        """Copy the layer with the joined columns of ``lookup`` (a Lookup).

        ``combinations`` (optional) = the distinct tuples (cs, us of the first vintage, cs, us of the second, …)
        of the layer, as ``combinations`` gives them: when there are not too many, one lookup table keyed on the
        whole tuple is joined (one search per feature instead of one per vintage). Without ``feedback``, no
        progress callback: the copy runs without the GIL from start to end (another thread can run Python
        meanwhile).
        """
        if combinations is not None and len(combinations) <= MAX_JOINED_COMBINATIONS:
            copy = _joined_copy(lookup, combinations)
        else:
            copy = _per_vintage_copy(lookup)
        copy.sql = "WITH %s SELECT l.*, %s FROM %s l %s" % (
            ",".join(copy.ctes), ", ".join("CAST(%s AS %s) AS %s" % (
                expression, "INTEGER" if kind == "int" else "VARCHAR", quote_identifier(name))
                for expression, name, kind in copy.selects), self.table, " ".join(copy.joins))
        remove_gpkg(out_path)

        index = self._spatial_index()
        written = self._write_sqlite(out_path, out_layer, copy, feedback, index[0]) if index else False
        if written is None:   # cancelled
            return
        if written or self._write_gdal(out_path, out_layer, copy.sql, feedback, index):
            if index:
                copy_spatial_index(self.path, index[0], index[1], out_path, out_layer)

    def _write_gdal(self, out_path, out_layer, sql, feedback, index):
        """The copy by ``gdal.VectorTranslate`` (without spatial index when ``index``, which is copied after);
        False when cancelled through the progress callback (nothing written)."""
        last = [-1]

        def progress(done, _message, _data):
            if feedback is None:
                return 1
            percent = int(100 * done)
            if percent != last[0]:
                last[0] = percent
                feedback.setProgress(percent)
            return 0 if feedback.isCanceled() else 1

        gdal.PushErrorHandler("CPLQuietErrorHandler")  # warnings only ("progress turned off"); errors raise
        try:
            result = gdal.VectorTranslate(
                out_path, self.dataset, format="GPKG", SQLStatement=sql, layerName=out_layer,
                geometryType="PROMOTE_TO_MULTI", options=["-preserve_fid"],
                callback=progress if feedback is not None else None,
                layerCreationOptions=["SPATIAL_INDEX=NO"] if index else [])
        except RuntimeError:
            if feedback is None or not feedback.isCanceled():
                raise
            result = None   # cancelled through the progress callback: nothing written
            remove_gpkg(out_path)
            return False
        finally:
            gdal.PopErrorHandler()
        if result is None:
            raise RuntimeError(gdal.GetLastErrorMsg() or "GDAL could not write %s" % out_path)
        result = None  # close
        return True

    def _write_sqlite(self, out_path, out_layer, copy, feedback, index):
        """Write what ``gdal.VectorTranslate`` would write for ``copy.sql`` (PROMOTE_TO_MULTI, fids kept, no
        spatial index) with one INSERT … SELECT in SQLite, about three times faster. GDAL creates the layer (its
        fields are those of the statement's result, as GDAL types them) and SQLite fills it from the attached
        input; the geometry blobs are copied with their header's SRS id replaced by the output's and, for a
        Polygon, the WKB wrapped in a one-part MultiPolygon (its envelope stays the same). The layer's extent is
        that of the geometries, as GDAL computes it (see ``_extent``); ``index`` is the input's R-tree (checked).

        Only for 2D Polygon/MultiPolygon layers whose blobs are all little-endian with an XY envelope, or empty
        (written as GDAL writes an empty MultiPolygon): any other blob stops the INSERT, which is rolled back,
        and False is returned (GDAL then writes the layer). True when written, None when cancelled (nothing
        written). With ``feedback``, the INSERT runs in 20 slices of fids, for progress and cancellation;
        without, in one statement (SQLite runs without the GIL)."""
        layout = self._result_layout(copy)
        if layout is None:
            return False
        connection = None
        try:
            _create_layer(out_path, out_layer, layout)
            connection = sqlite3.connect(pathlib.Path(out_path).absolute().as_uri(), uri=True,
                                         check_same_thread=False)
            connection.execute("ATTACH DATABASE ? AS src",
                               (pathlib.Path(self.path).absolute().as_uri() + "?mode=ro",))
            out_columns = [r[1] for r in connection.execute("SELECT * FROM main.pragma_table_info(?)", (out_layer,))]
            in_columns = [r[1] for r in connection.execute("SELECT * FROM src.pragma_table_info(?)",
                                                           (self.layer_name,))]
            if out_columns != [layout.fid_name, layout.geometry_name] + layout.names or \
                    in_columns != [layout.fid_name, layout.geometry_name] + layout.kept:
                raise _NotSqlite("columns differ")
            srs_id = connection.execute("SELECT srs_id FROM main.gpkg_geometry_columns WHERE table_name = ?",
                                        (out_layer,)).fetchone()[0]
            extent = _extent(connection, index, self.table, quote_identifier(layout.fid_name),
                             quote_identifier(layout.geometry_name))
            values = ", ".join(["l.%s" % quote_identifier(layout.fid_name),
                                _geometry_sql(connection, srs_id, "l.%s" % quote_identifier(layout.geometry_name))] +
                               ["l.%s" % quote_identifier(c) for c in layout.kept] +
                               ["CAST(%s AS %s)" % (expression, "INTEGER" if kind == "int" else "TEXT")
                                for expression, _name, kind in copy.selects])
            insert = "INSERT INTO main.%s (%s) WITH %s SELECT %s FROM src.%s l %s" % (
                quote_identifier(out_layer), ", ".join(quote_identifier(c) for c in out_columns),
                ",".join(copy.ctes), values, self.table, " ".join(copy.joins))
            triggers = self._insert(connection, insert, out_layer, layout.fid_name, feedback)
            _finish_layer(connection, out_layer, extent, triggers)
        except (_NotSqlite, sqlite3.Error, RuntimeError) as reason:
            if connection is not None:
                connection.close()
                connection = None
            remove_gpkg(out_path)
            if feedback is not None:
                feedback.pushDebugInfo("SQLite write not used: %s" % reason)
            return None if str(reason) == "cancelled" else False
        finally:
            if connection is not None:
                connection.close()
        return True

    def _result_layout(self, copy):
        """The _Layout of the copy's result as GDAL types it, or None when the SQLite writer cannot write it
        (not a Polygon/MultiPolygon, or not the input's fid and geometry columns followed by the new ones)."""
        result = self.dataset.ExecuteSQL(copy.sql, dialect="")
        try:
            definition = result.GetLayerDefn()
            fields = [_field_copy(definition.GetFieldDefn(i)) for i in range(definition.GetFieldCount())]
            geometry_type = result.GetGeomType()
            fid_name = result.GetFIDColumn()
            geometry_name = result.GetGeometryColumn()
            srs = result.GetSpatialRef()
            srs = srs.Clone() if srs is not None else None
        finally:
            self.dataset.ReleaseResultSet(result)
        names = [f.GetName() for f in fields]
        kept = names[:len(names) - len(copy.selects)]
        if geometry_type not in (ogr.wkbPolygon, ogr.wkbMultiPolygon) or not fid_name or not geometry_name or \
                geometry_name != self.layer.GetGeometryColumn() or fid_name != self.layer.GetFIDColumn() or \
                names[len(kept):] != [name for _e, name, _k in copy.selects]:
            return None
        return _Layout(fields, names, kept, fid_name, geometry_name, srs)

    def _insert(self, connection, insert, out_layer, fid_name, feedback):
        """Run ``insert`` in a transaction left open (in 20 slices of fids with ``feedback``, for progress and
        cancellation: _NotSqlite('cancelled')). GDAL's triggers keeping gpkg_ogr_contents.feature_count would
        fire once per row (a third of the time): they are dropped for the INSERT and returned as [(name, SQL)],
        for ``_finish_layer`` to put back, the count being set once."""
        bounds = connection.execute("SELECT (SELECT min(%s) FROM src.%s), (SELECT max(%s) FROM src.%s)" % (
            quote_identifier(fid_name), self.table, quote_identifier(fid_name), self.table)).fetchone()
        steps = 1 if feedback is None or bounds[0] is None else 20
        triggers = connection.execute(
            "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND "
            "name IN (?, ?)",
            (out_layer, "trigger_insert_feature_count_" + out_layer,
             "trigger_delete_feature_count_" + out_layer)).fetchall()
        connection.execute("PRAGMA main.synchronous = OFF")
        connection.execute("BEGIN")
        for name, _sql in triggers:
            connection.execute("DROP TRIGGER main.%s" % quote_identifier(name))
        if steps == 1:
            connection.execute(insert)
        else:
            low, high = bounds
            cut = [low + (high - low + 1) * i // steps for i in range(steps + 1)]
            for i in range(steps):
                if feedback.isCanceled():
                    raise _NotSqlite("cancelled")
                connection.execute("%s WHERE l.%s >= %d AND l.%s < %d" % (
                    insert, quote_identifier(fid_name), cut[i], quote_identifier(fid_name),
                    cut[i + 1] if i + 1 < steps else high + 1))
                feedback.setProgress(100 * (i + 1) // steps)
        return triggers

    def _spatial_index(self):
        """(R-tree name, entries) of the layer's GeoPackage spatial index when it can serve the output too
        (the geometries are copied unchanged, with the same fids, so its entries are the output's), else None:
        registered, a plain 2D R-tree, and holding one entry per non-empty geometry."""
        geometry = self.layer.GetGeometryColumn()
        if not geometry:
            return None
        name = "rtree_%s_%s" % (self.layer_name, geometry)
        try:
            registered = self.query(
                "SELECT COUNT(*) FROM gpkg_extensions WHERE lower(table_name) = lower(%s) AND "
                "lower(column_name) = lower(%s) AND extension_name = 'gpkg_rtree_index'" % (
                    literal(self.layer_name), literal(geometry)))[0][0]
            definition = self.query("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s" % (
                literal(name)))
            if not registered or not definition or \
                    "".join((definition[0][0] or "").lower().split()).find("usingrtree(") < 0:
                return None
            entries = self.query('SELECT COUNT(*) FROM %s' % quote_identifier(name + "_rowid"))[0][0]
            column = quote_identifier(geometry)
            geometries = self.query("SELECT COUNT(*) FROM %s WHERE %s NOT NULL AND NOT ST_IsEmpty(%s)" % (
                self.table, column, column))[0][0]
        except RuntimeError:
            return None
        return (name, entries) if entries == geometries else None

    @staticmethod
    def update(out_path, out_layer, changes):
        """UPDATE the written layer: ``changes`` = [(fids, {column: value})], all in one transaction."""
        changes = [(fids, assignments) for fids, assignments in changes if fids and assignments]
        if not changes:
            return
        dataset = gdal.OpenEx(out_path, gdal.OF_VECTOR | gdal.OF_UPDATE)
        layer = dataset.GetLayerByName(out_layer)
        fid = quote_identifier(layer.GetFIDColumn() or "fid")
        dataset.StartTransaction()
        for fids, assignments in changes:
            sets = ", ".join("%s = %s" % (quote_identifier(k), literal(v)) for k, v in assignments.items())
            ids = sorted(fids)
            for start in range(0, len(ids), 5000):
                chunk = ",".join(str(int(i)) for i in ids[start:start + 5000])
                dataset.ExecuteSQL("UPDATE %s SET %s WHERE %s IN (%s)" % (
                    quote_identifier(out_layer), sets, fid, chunk))
        dataset.CommitTransaction()
        dataset = None


class ThreadConnections:
    """One database connection per thread, opened by ``_open`` on first use, so that threads can read at once;
    ``close`` closes them all (call once the threads are done). The base of GpkgGeometries and
    pg.PgGeometries."""

    BATCH = 10000   # keys per query of ``batches``

    def __init__(self):
        self.local = threading.local()
        self.connections = []
        self.lock = threading.Lock()

    def _open(self):
        raise NotImplementedError

    def _connection(self):
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = self._open()
            with self.lock:
                self.connections.append(connection)
        return connection

    @classmethod
    def batches(cls, fids):
        """The integer keys ``fids`` sorted, in lists of at most BATCH."""
        fids = sorted(int(f) for f in fids)
        return [fids[start:start + cls.BATCH] for start in range(0, len(fids), cls.BATCH)]

    def close(self):
        """Close the connections of every thread (call once the threads are done)."""
        for connection in self.connections:
            connection.close()
        self.connections = []
        self.local = threading.local()


class GpkgGeometries(ThreadConnections):
    """The bounding boxes and geometries (WKB) of a GeoPackage layer's features by fid, read straight from the
    geometry blobs with SQLite, read-only; one connection per thread, so that threads can read at once."""

    def __init__(self, path, layer_name, geometry_column):
        super().__init__()
        self.uri = pathlib.Path(path).absolute().as_uri() + "?mode=ro"
        self.table = quote_identifier(layer_name)
        self.geometry = quote_identifier(geometry_column)
        self.fid = quote_identifier(_primary_key(self._connection(), layer_name))

    def _open(self):
        return sqlite3.connect(self.uri, uri=True, check_same_thread=False)

    def boxes(self):
        """(fids, boxes) of the non-empty geometries, sorted by fid; boxes as (xmin, ymin, xmax, ymax) rows.

        The envelope stored in each blob's header is the geometry's own (GeoPackage 1.x, §2.1.3): only the first
        40 bytes of each blob are read. A blob without an envelope, or in big-endian order, is measured from its
        WKB instead."""
        rows = self._connection().execute("SELECT %s, substr(%s, 1, 40) FROM %s WHERE %s IS NOT NULL" % (
            self.fid, self.geometry, self.table, self.geometry)).fetchall()
        usual = [(fid, head) for fid, head in rows if len(head) == 40 and head[:2] == b"GP" and
                 (head[3] & 0x11) == 0x01 and 1 <= (head[3] >> 1) & 7 <= 4]
        fids = numpy.fromiter((fid for fid, _head in usual), dtype=numpy.int64, count=len(usual))
        heads = numpy.frombuffer(b"".join(head for _fid, head in usual), dtype=numpy.uint8).reshape(-1, 40)
        envelope = numpy.frombuffer(heads[:, 8:40].tobytes(), dtype="<f8").reshape(-1, 4)  # minx maxx miny maxy
        boxes = envelope[:, [0, 2, 1, 3]]
        if len(usual) < len(rows):
            seen = set(fids.tolist())
            others = [fid for fid, _head in rows if fid not in seen]
            extra = [(fid, _wkb_box(wkb)) for fid, wkb in self.wkb(others).items()]
            extra = [(fid, box) for fid, box in extra if box is not None]
            if extra:
                fids = numpy.concatenate([fids, numpy.array([f for f, _b in extra], dtype=numpy.int64)])
                boxes = numpy.concatenate([boxes, numpy.array([b for _f, b in extra], dtype=float)])
        order = numpy.argsort(fids, kind="stable")
        return fids[order], numpy.ascontiguousarray(boxes[order])

    def extent(self, rtree):
        """(xmin, ymin, xmax, ymax) of the geometries to the bit, or None when there is none. The R-tree
        ``rtree`` (quoted name) holds float32 boxes rounded outward, so the features holding each bound are among
        those whose R-tree box has that bound's extreme value; their WKB gives the exact one."""
        connection = self._connection()
        bounds = connection.execute("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM %s" % rtree).fetchone()
        if bounds[0] is None:
            return None
        ids = set()
        for column, value in zip(("minx", "miny", "maxx", "maxy"), bounds):
            ids.update(row[0] for row in connection.execute("SELECT id FROM %s WHERE %s = ?" % (rtree, column),
                                                            (value,)))
        boxes = [box for box in (_wkb_box(wkb) for wkb in self.wkb(sorted(ids)).values()) if box is not None]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                max(b[3] for b in boxes))

    def wkb(self, fids):
        """{fid: WKB} of ``fids`` (non-empty geometries only)."""
        found = {}
        connection = self._connection()
        for batch in self.batches(fids):
            sql = "SELECT %s, %s FROM %s WHERE %s IN (%s)" % (
                self.fid, self.geometry, self.table, self.fid, ",".join(map(str, batch)))
            for fid, blob in connection.execute(sql):
                wkb = gpkg_wkb(blob)
                if wkb is not None:
                    found[fid] = wkb
        return found


ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _extent(connection, index, table, fid, geometry):
    """(min_x, min_y, max_x, max_y) of the non-empty geometries of ``src.table``, exactly (from the envelopes in
    the blob headers), or (None,) * 4 when there are none. The R-tree ``src.index`` (one entry per non-empty
    geometry) holds the envelopes in single precision, rounded outward: its bounds are within a float32 step of
    the exact ones, so only the few entries that close to a bound are read from the blobs."""
    bounds = connection.execute("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM src.%s" % (
        quote_identifier(index))).fetchone()
    if bounds[0] is None:
        return (None,) * 4
    extent = []
    for position, (column, bound) in enumerate(zip(("minx", "miny", "maxx", "maxy"), bounds)):
        slack = max(1.0, abs(bound) * 1e-6)   # float32: a step is < 1.2e-7 of the value
        condition = "%s <= %r" % (column, bound + slack) if position < 2 else "%s >= %r" % (column, bound - slack)
        ids = [row[0] for row in connection.execute("SELECT id FROM src.%s WHERE %s" % (
            quote_identifier(index), condition))]
        values = []
        for start in range(0, len(ids), 10000):
            for (head,) in connection.execute("SELECT substr(%s, 1, 40) FROM src.%s WHERE %s IN (%s)" % (
                    geometry, table, fid, ",".join(map(str, ids[start:start + 10000])))):
                if head is None or len(head) < 40 or head[:4] != b"GP\x00\x03":
                    raise _NotSqlite("a blob without an XY envelope")
                minx, maxx, miny, maxy = struct.unpack("<4d", head[8:40])
                values.append((minx, miny, maxx, maxy)[position])
        if not values:
            raise _NotSqlite("the R-tree does not match the geometries")
        extent.append(min(values) if position < 2 else max(values))
    return tuple(extent)


def _wkb_box(wkb):
    """(xmin, ymin, xmax, ymax) of a WKB geometry, None when empty or unreadable."""
    geometry = ogr.CreateGeometryFromWkb(wkb)
    if geometry is None or geometry.IsEmpty():
        return None
    xmin, xmax, ymin, ymax = geometry.GetEnvelope()
    return (xmin, ymin, xmax, ymax)


def gpkg_wkb(blob):
    """The WKB of a GeoPackage geometry blob; None for NULL, empty or not a GeoPackage blob."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    if flags & 0x10:      # empty geometry
        return None
    size = ENVELOPE_BYTES.get((flags >> 1) & 7)
    if size is None:
        return None
    return bytes(blob[8 + size:])


def copy_spatial_index(source_path, source_index, entries, out_path, out_layer):
    """Give ``out_layer`` (written without spatial index) the R-tree ``source_index`` of ``source_path``.

    The tables, triggers and extension row are those GDAL writes for a layer of that name (taken from an empty
    layer GDAL creates in memory); the R-tree's nodes are copied from the source (its shadow tables), which is
    far faster than inserting a million boxes one by one. Checked (``rtreecheck`` and the number of entries);
    if anything fails, GDAL builds the index from the geometries instead.
    """
    dataset = gdal.OpenEx(out_path, gdal.OF_VECTOR | gdal.OF_UPDATE)
    layer = dataset.GetLayerByName(out_layer)
    geometry = layer.GetGeometryColumn()
    name = "rtree_%s_%s" % (out_layer, geometry)
    copied = False
    try:
        statements = _index_statements(out_layer, geometry, layer.GetSpatialRef())
        has_extensions = _rows(dataset, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                                        "name = 'gpkg_extensions'")[0][0]
        dataset.StartTransaction()
        for kind, sql in statements:
            if kind != "extensions" or not has_extensions:
                dataset.ExecuteSQL(sql)
        dataset.CommitTransaction()
        dataset = layer = None
        connection = sqlite3.connect(pathlib.Path(out_path).absolute().as_uri(), uri=True)
        try:
            source_uri = pathlib.Path(source_path).absolute().as_uri() + "?mode=ro"
            connection.execute("ATTACH DATABASE ? AS src", (source_uri,))
            connection.execute("BEGIN")
            for suffix, columns in (("node", "nodeno, data"), ("parent", "nodeno, parentnode"),
                                    ("rowid", "rowid, nodeno")):
                target = quote_identifier("%s_%s" % (name, suffix))
                connection.execute("DELETE FROM %s" % target)
                connection.execute("INSERT INTO %s (%s) SELECT %s FROM src.%s" % (
                    target, columns, columns, quote_identifier("%s_%s" % (source_index, suffix))))
            check = connection.execute("SELECT rtreecheck(?)", (name,)).fetchone()[0]
            count = connection.execute("SELECT COUNT(*) FROM %s" % quote_identifier(name + "_rowid")).fetchone()[0]
            copied = check == "ok" and count == entries
            connection.execute("COMMIT" if copied else "ROLLBACK")
            connection.execute("DETACH DATABASE src")
        finally:
            connection.close()
    except (RuntimeError, sqlite3.Error):
        copied = False
    dataset = layer = None
    if not copied:
        dataset = gdal.OpenEx(out_path, gdal.OF_VECTOR | gdal.OF_UPDATE)
        arguments = "%s, %s" % (literal(out_layer), literal(geometry))
        if _rows(dataset, "SELECT HasSpatialIndex(%s)" % arguments)[0][0]:
            _rows(dataset, "SELECT DisableSpatialIndex(%s)" % arguments)
        if not _rows(dataset, "SELECT CreateSpatialIndex(%s)" % arguments)[0][0]:
            raise RuntimeError("GDAL could not create the spatial index of %s" % out_path)
        dataset = None


def _rows(dataset, sql):
    result = dataset.ExecuteSQL(sql, dialect="")
    try:
        return [[feature.GetField(i) for i in range(feature.GetFieldCount())] for feature in result]
    finally:
        dataset.ReleaseResultSet(result)


def _index_statements(layer_name, geometry, srs):
    """[(kind, SQL)] creating the spatial index of a GeoPackage layer as GDAL does: the gpkg_extensions table
    ('extensions'), the R-tree ('rtree'), its triggers ('trigger') and its extension row ('row'), read from an
    empty layer of that name that GDAL creates in memory."""
    path = "/vsimem/ocs_rtree_%d_%d.gpkg" % (os.getpid(), id(srs))
    dataset = gdal.GetDriverByName("GPKG").Create(path, 0, 0, 0, gdal.GDT_Unknown)
    dataset.CreateLayer(layer_name, srs, ogr.wkbMultiPolygon,
                        options=["GEOMETRY_NAME=%s" % geometry, "SPATIAL_INDEX=YES"])
    dataset = None
    try:
        dataset = gdal.OpenEx(path, gdal.OF_VECTOR)
        name = "rtree_%s_%s" % (layer_name, geometry)
        statements = [("extensions", sql) for (sql,) in _rows(
            dataset, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_extensions'")]
        statements += [("rtree", sql) for (sql,) in _rows(
            dataset, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s" % literal(name))]
        statements += [("trigger", sql) for (sql,) in _rows(
            dataset, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, %d) = %s" % (
                len(name), literal(name)))]
        statements += [("row", "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, "
                               "scope) VALUES (%s)" % ", ".join(literal(x) for x in row)) for row in _rows(
            dataset, "SELECT table_name, column_name, extension_name, definition, scope FROM gpkg_extensions "
                     "WHERE table_name = %s AND extension_name = 'gpkg_rtree_index'" % literal(layer_name))]
        dataset = None
    finally:
        gdal.Unlink(path)
    if [kind for kind, _sql in statements].count("rtree") != 1 or not any(k == "row" for k, _s in statements):
        raise RuntimeError("GDAL did not create a spatial index for the template layer")
    return statements


def pair_key(cs, us):
    return "%s%s%s" % ("" if nom.is_null(cs) else cs, SEPARATOR, "" if nom.is_null(us) else us)


def pair_key_sql(cs_field, us_field, prefix=""):
    return "(ifnull(%s%s, '') || char(31) || ifnull(%s%s, ''))" % (
        prefix, quote_identifier(cs_field), prefix, quote_identifier(us_field))


def feature_rows(path, layer_name, columns, batch=20000):
    """Batches of rows (value of each of ``columns``…, WKB or None, envelope or None) of a GeoPackage layer, read
    straight from the file with SQLite, read-only (ocs:carbon's fast path). WKB None: NULL or empty geometry;
    envelope (xmin, ymin, xmax, ymax) from the blob header when it holds one (GeoPackage 1.x §2.1.3), else None."""
    connection = sqlite3.connect(pathlib.Path(path).absolute().as_uri() + "?mode=ro", uri=True)
    try:
        geometry = connection.execute("SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = "
                                      "lower(?)", (layer_name,)).fetchone()
        if geometry is None:
            raise FastPathUnavailable("no geometry column")
        cursor = connection.execute("SELECT %s, %s FROM %s" % (
            ", ".join(quote_identifier(c) for c in columns), quote_identifier(geometry[0]),
            quote_identifier(layer_name)))
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                break
            yield [row[:-1] + (gpkg_wkb(row[-1]), _header_box(row[-1])) for row in rows]
    except sqlite3.Error as error:
        raise FastPathUnavailable("SQLite: %s" % error)
    finally:
        connection.close()


def fid_column(path, layer_name):
    """The name of the primary-key column of a GeoPackage layer (its feature ids), read-only; FastPathUnavailable
    when SQLite cannot tell it."""
    try:
        connection = sqlite3.connect(pathlib.Path(path).absolute().as_uri() + "?mode=ro", uri=True)
        try:
            name = _primary_key(connection, layer_name)
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise FastPathUnavailable("SQLite: %s" % error)
    if name is None:
        raise FastPathUnavailable("no primary key")
    return name


def _primary_key(connection, layer_name):
    """The name of the primary-key column of table ``layer_name`` (an SQLite connection), or None."""
    row = connection.execute("SELECT name FROM pragma_table_info(%s) WHERE pk = 1" % literal(layer_name)).fetchone()
    return row[0] if row is not None else None


def _header_box(blob):
    """(xmin, ymin, xmax, ymax) of the XY envelope of a little-endian GeoPackage blob header, else None."""
    if blob is None or len(blob) < 40 or blob[:2] != b"GP" or blob[3] & 0x10 or (blob[3] >> 1) & 7 == 0 or \
            not blob[3] & 0x01:
        return None
    minx, maxx, miny, maxy = struct.unpack_from("<4d", blob, 8)
    return minx, miny, maxx, maxy
