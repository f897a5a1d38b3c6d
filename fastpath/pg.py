"""The PostGIS push-down of ocs:reclassify (issue #17): the attribute rules as one SQL statement run by PostgreSQL.

As the GeoPackage fast path (gpkg.py) does in SQLite: the distinct code tuples are read with one GROUP BY,
classified once in Python (by the caller, with the core rules), and sent back as a lookup table (VALUES) joined
in one ``CREATE TABLE … AS SELECT`` when input and output are in the same database; the spatial rules read the
boxes of every polygon and the geometries of the few they need, and their changes are applied as UPDATEs. The
connection is GDAL's PG driver (``ExecuteSQL``): no other client library.

Used only where it gives what the feature-by-feature path gives: a table, view or query layer with an integer
primary key (QGIS's feature ids are its values), read whole (a subset string is applied as a WHERE), 2D Polygon or
MultiPolygon geometries, text code fields, an output table in the same database. Everything else goes through
the generic path.
"""
import collections
import dataclasses
from concurrent.futures import ThreadPoolExecutor

import numpy

from osgeo import gdal, ogr
from .gpkg import FastPathUnavailable, ThreadConnections, joined_rows, literal, quote_identifier
from .gpkgwrite import KINDS

INTEGER_TYPES = ("int2", "int4", "int8", "integer", "bigint", "smallint", "serial", "bigserial")


@dataclasses.dataclass
class PgRelation:
    """A PostgreSQL relation read by the push-down: ``conninfo`` (libpq, authentication expanded), the SQL of
    the relation (``relation``: a quoted table or a parenthesised query, with the subset string applied), its
    integer key column and geometry column, and ``database`` (host, port, database, service, user) to compare
    two connections."""

    conninfo: str
    relation: str
    key: str
    geometry: str
    database: tuple
    table: str = ""       # the quoted table or view read ("" for a query layer)
    query: str = ""       # the query of a query layer

    def reads(self, out):
        """True when writing PgTable ``out`` (dropped first) could touch what this relation reads: the same
        table, or a query that names it."""
        if self.table:
            return self.table == out.name
        return out.table.lower() in self.query.lower()


@dataclasses.dataclass
class Grouping:
    """How the polygons of a relation are grouped (PgReclassifier.change_groups): by the values of ``columns``
    and by override numbers given per vintage (``overrides``: one list per vintage with, for the rows of ``keys``
    (input key values), a number or None)."""

    columns: list
    keys: list
    overrides: list


@dataclasses.dataclass
class PgTable:
    """An output table: schema, table, key column and geometry column (quoted when used)."""

    schema: str
    table: str
    key: str
    geometry: str

    @property
    def name(self):
        return "%s.%s" % (quote_identifier(self.schema), quote_identifier(self.table))


def database(uri):
    """What tells two databases apart in a QgsDataSourceUri: (host, port, database, service, user)."""
    return (uri.host(), uri.port() or "5432", uri.database(), uri.service(), uri.username())


def relation(uri, key, subset=""):
    """The PgRelation of QgsDataSourceUri ``uri`` (a table, view, or ``(SELECT …)`` query layer) with integer
    key column ``key``; ``subset``: the layer's subset string (PostgreSQL SQL), applied as a WHERE."""
    if not uri.geometryColumn():
        raise FastPathUnavailable("no geometry column")
    table = uri.table()
    if table.startswith("("):
        source, named, query = table, "", table
    else:
        source = named = "%s.%s" % (quote_identifier(uri.schema() or "public"), quote_identifier(table))
        query = ""
    if subset:
        source = "(SELECT * FROM %s s WHERE %s)" % (source, subset)
    return PgRelation(uri.connectionInfo(True), source, key, uri.geometryColumn(), database(uri), named, query)


def index_name(table, geometry):
    """The name of the GiST index of ``table``'s geometry column (unquoted, at most 63 bytes as PostgreSQL keeps)."""
    return ("%s_%s_idx" % (table, geometry))[:63]


def output_table(uri):
    """The PgTable of a destination QgsDataSourceUri (key ``fid`` unless named, geometry ``geom`` unless named)."""
    if not uri.table() or uri.table().startswith("("):
        raise FastPathUnavailable("the destination names no table")
    return PgTable(uri.schema() or "public", uri.table(), uri.keyColumn() or "fid", uri.geometryColumn() or "geom")


class Connection:
    """One GDAL PG connection (not shared between threads)."""

    def __init__(self, conninfo):
        gdal.UseExceptions()
        gdal.PushErrorHandler("CPLQuietErrorHandler")
        try:
            self.dataset = gdal.OpenEx("PG:" + conninfo, gdal.OF_VECTOR | gdal.OF_UPDATE,
                                       open_options=["LIST_ALL_TABLES=NO"])
        except RuntimeError as error:
            raise FastPathUnavailable("GDAL cannot connect: %s" % str(error).strip())
        finally:
            gdal.PopErrorHandler()
        if self.dataset is None:
            raise FastPathUnavailable("GDAL cannot connect")

    def query(self, sql):
        """The rows of ``sql`` (a SELECT), each a list of field values then the geometry as WKB (None when NULL
        or empty) if any."""
        result = self.dataset.ExecuteSQL(sql)
        if result is None:
            return []
        try:
            rows = []
            for feature in result:
                row = [feature.GetField(i) for i in range(feature.GetFieldCount())]
                if result.GetLayerDefn().GetGeomFieldCount():
                    geometry = feature.GetGeometryRef()   # owned by the feature: as WKB before it goes
                    row.append(None if geometry is None or geometry.IsEmpty() else
                               bytes(geometry.ExportToIsoWkb()))
                rows.append(row)
            return rows
        finally:
            self.dataset.ReleaseResultSet(result)

    def execute(self, sql):
        """Run a statement that returns no rows (committed at once)."""
        result = self.dataset.ExecuteSQL(sql)
        if result is not None:
            self.dataset.ReleaseResultSet(result)

    def close(self):
        self.dataset = None


def missing_geometries(source):
    """The number of rows of PgRelation ``source`` without a geometry (NULL or empty), counted by PostgreSQL."""
    connection = Connection(source.conninfo)
    try:
        geometry = "l.%s" % quote_identifier(source.geometry)
        return connection.query("SELECT count(*) AS n FROM %s l WHERE %s IS NULL OR ST_IsEmpty(%s)" % (
            source.relation, geometry, geometry))[0][0]
    finally:
        connection.close()


def lookup_cte(width, rows):
    """The common table expression ``lut(k, c0 … c<width - 1>)`` of ``rows`` (SQL texts ``(key, values…)``); with
    no row, an empty one of text columns."""
    names = ",".join(["k"] + ["c%d" % i for i in range(width)])
    if rows:
        return "lut(%s) AS (VALUES %s)" % (names, ",".join(rows))
    return "lut(%s) AS (SELECT %s WHERE false)" % (names, ",".join(["NULL::text"] * (width + 1)))


def pair_key_sql(fields):
    """The PostgreSQL expression of the look-up key of a row ``l`` (gpkg.pair_key, SEPARATOR = chr(31)): the
    values of the text columns ``fields``, NULL as ''."""
    return " || chr(31) || ".join("coalesce(l.%s, '')" % quote_identifier(f) for f in fields)


class PgReclassifier:
    """Runs the attribute rules of a Reclassifier on a PgRelation, in its database; writes the output tables of
    the push-downs (``write``: a look-up on the code tuples; ``write_values``: values per key)."""

    def __init__(self, source):
        self.source = source
        self.connection = Connection(source.conninfo)
        self.key = quote_identifier(source.key)
        self.geometry = quote_identifier(source.geometry)

    def close(self):
        self.connection.close()

    def column_types(self):
        """{column: PostgreSQL type name} of the relation."""
        result = self.connection.dataset.ExecuteSQL("SELECT * FROM %s l LIMIT 0" % self.source.relation)
        try:
            definition = result.GetLayerDefn()
            return {definition.GetFieldDefn(i).GetName(): definition.GetFieldDefn(i).GetType()
                    for i in range(definition.GetFieldCount())}
        finally:
            self.connection.dataset.ReleaseResultSet(result)

    def check(self, text_fields):
        """Raise FastPathUnavailable unless ``text_fields`` are text columns and the key is unique."""
        types = self.column_types()
        for field in text_fields:
            if types.get(field) != ogr.OFTString:
                raise FastPathUnavailable("%s is not a text column" % field)
        rows = self.connection.query("SELECT count(*) AS n, count(DISTINCT %s) AS d FROM %s l" % (self.key, self.source.relation))
        if rows[0][0] != rows[0][1]:
            raise FastPathUnavailable("key %s is not unique" % self.source.key)

    def feature_count(self):
        return self.connection.query("SELECT count(*) AS n FROM %s l" % self.source.relation)[0][0]

    def area(self):
        """Sum of the planar areas, in layer units."""
        return self.connection.query("SELECT sum(ST_Area(%s)) AS a FROM %s l" % (
            self.geometry, self.source.relation))[0][0] or 0.0

    def combinations(self, fields, with_fids=False):
        """[(values, count)] (with ``with_fids``: [(values, count, [keys])]): the distinct tuples of ``fields``
        with their feature counts, from one GROUP BY."""
        names = ", ".join("l.%s" % quote_identifier(f) for f in fields)
        positions = ", ".join(str(i + 1) for i in range(len(fields)))
        extra = ", string_agg(l.%s::text, ',') AS ocs_keys" % self.key if with_fids else ""
        rows = self.connection.query("SELECT %s, count(*) AS ocs_count%s FROM %s l GROUP BY %s" % (
            names, extra, self.source.relation, positions))
        width = len(fields)
        if not with_fids:
            return [(tuple(row[:width]), row[width]) for row in rows]
        return [(tuple(row[:width]), row[width], [int(x) for x in row[width + 1].split(",")]) for row in rows]

    def write(self, out, lookup, fields, combinations):
        """Create table ``out`` (``create``) with the joined columns of ``lookup`` (a gpkg.Lookup), in one
        statement. ``combinations``: the distinct tuples of the code fields."""
        codes = [field for pair in lookup.vintages for field in pair]
        rows = joined_rows(lookup, combinations)
        selects = []
        position = 0
        for vintage_columns in lookup.columns:
            for name, kind in vintage_columns:
                selects.append("CAST(lut.c%d AS %s) AS %s" % (position, "integer" if kind == "int" else
                                                              "varchar(254)", quote_identifier(name)))
                position += 1
        lut = lookup_cte(position, rows)
        self.create(out, fields, "WITH %s" % lut, "LEFT JOIN lut ON lut.k = (%s)" % pair_key_sql(codes), selects)

    def write_values(self, out, fields, keys, columns):
        """Create table ``out`` (``create``) with integer ``columns`` [(name, [value or None per key])] given for
        the rows of ``keys`` (values of the input's key), joined from arrays in one statement."""
        arrays = ["'{%s}'::bigint[]" % ",".join(str(int(k)) for k in keys)]
        arrays += ["'{%s}'::integer[]" % ",".join("NULL" if v is None else str(int(v)) for v in values)
                   for _name, values in columns]
        names = ["c%d" % i for i in range(len(columns))]
        given = "WITH v AS (SELECT * FROM unnest(%s) AS v(k, %s))" % (", ".join(arrays), ", ".join(names))
        self.create(out, fields, given, "LEFT JOIN v ON v.k = l.%s" % self.key,
                    ["v.%s AS %s" % (c, quote_identifier(name)) for c, (name, _v) in zip(names, columns)])

    def change_groups(self, groups):
        """The groups of the non-empty polygons sharing the values of ``groups.columns`` and their override
        numbers (a Grouping), from one GROUP BY: [(key, values, override numbers, count, area in layer units)];
        ``key`` is the text _change_key_sql gives the group (write_changes joins on it)."""
        columns, keys, overrides = groups.columns, groups.keys, groups.overrides
        width = len(overrides)
        names = ["l.%s" % quote_identifier(c) for c in columns] + ["v.o%d" % i for i in range(width)]
        rows = self.connection.query(
            "WITH %s SELECT %s AS ocs_k, %s, count(*) AS ocs_n, sum(ST_Area(l.%s)) AS ocs_a FROM %s l "
            "LEFT JOIN v ON v.k = l.%s WHERE l.%s IS NOT NULL AND NOT ST_IsEmpty(l.%s) GROUP BY %s" % (
                self._overrides_sql(keys, overrides), self._change_key_sql(columns, width), ", ".join(names),
                self.geometry, self.source.relation, self.key, self.geometry, self.geometry,
                ", ".join(str(i + 1) for i in range(len(names) + 1))))
        n = len(columns)
        return [(row[0], tuple(row[1:1 + n]), tuple(row[1 + n:1 + n + width]), row[1 + n + width],
                 row[2 + n + width] or 0.0) for row in rows]

    def write_changes(self, out, groups, values, kinds, area_column, factor):
        """Create table ``out`` (``create``, no input field copied) of the non-empty polygons whose group (see
        change_groups, of the same Grouping ``groups``) is in ``values`` {group key: [value per column of
        ``kinds``]}: ``kinds`` [(name, str | int | double)]; ``area_column``, the area of each polygon (planar,
        times ``factor``) instead of a value."""
        lut = lookup_cte(len(kinds), ["(%s)" % ",".join([literal(key)] + [literal(x) for x in row])
                                      for key, row in values.items()])
        types = {"str": "varchar", "int": "integer", "double": "double precision"}
        selects = []
        for i, (name, kind) in enumerate(kinds):
            if name == area_column:
                selects.append("ST_Area(l.%s) * %r AS %s" % (self.geometry, float(factor), quote_identifier(name)))
            else:
                selects.append("CAST(lut.c%d AS %s) AS %s" % (i, types[kind], quote_identifier(name)))
        g = "l.%s" % self.geometry
        self.create(out, [], "WITH %s, %s" % (self._overrides_sql(groups.keys, groups.overrides), lut),
                    "LEFT JOIN v ON v.k = l.%s JOIN lut ON lut.k = (%s) WHERE %s IS NOT NULL AND NOT ST_IsEmpty(%s)" % (
                        self.key, self._change_key_sql(groups.columns, len(groups.overrides)), g, g), selects)

    @staticmethod
    def _overrides_sql(keys, overrides):
        """The common table expression ``v(k, o0, o1…)``: the override numbers of the rows of ``keys``."""
        names = ", ".join(["k"] + ["o%d" % i for i in range(len(overrides))])
        if not keys:
            return "v(%s) AS (SELECT %s WHERE false)" % (
                names, ", ".join(["NULL::bigint"] + ["NULL::integer"] * len(overrides)))
        arrays = ["'{%s}'::bigint[]" % ",".join(str(int(k)) for k in keys)]
        arrays += ["'{%s}'::integer[]" % ",".join("NULL" if x is None else str(int(x)) for x in numbers)
                   for numbers in overrides]
        return "v AS (SELECT * FROM unnest(%s) AS v(%s))" % (", ".join(arrays), names)

    @staticmethod
    def _change_key_sql(columns, width):
        """The text naming a group: the values of ``columns`` and of the ``width`` override numbers."""
        parts = ["coalesce(l.%s::text, chr(30))" % quote_identifier(c) for c in columns]
        parts += ["coalesce(v.o%d::text, chr(30))" % i for i in range(width)]
        return " || chr(31) || ".join(parts)

    def create(self, out, fields, with_sql, join, selects):
        """Create table ``out`` (a PgTable, dropped first if it exists) as the relation ``l`` ``join``ed (with the
        common table expressions ``with_sql``): key ``out.key`` (the input field of that name when there is one,
        else numbered in the input key's order), geometry as MultiPolygon, then ``fields`` (the input's, but that
        key), then the ``selects``; then its primary key and GiST index (index_name), and ANALYZE."""
        key = "l.%s" % quote_identifier(out.key) if out.key in fields else \
            "row_number() OVER (ORDER BY l.%s)" % self.key
        srid = self.srid()
        columns = ["%s AS %s" % (key, quote_identifier(out.key)),
                   "ST_Multi(l.%s)::geometry(MultiPolygon, %d) AS %s" % (self.geometry, srid,
                                                                         quote_identifier(out.geometry))]
        columns += ["l.%s" % quote_identifier(f) for f in fields if f != out.key] + selects
        self.connection.execute("DROP TABLE IF EXISTS %s" % out.name)
        self.connection.execute("CREATE TABLE %s AS %s SELECT %s FROM %s l %s" % (
            out.name, with_sql, ", ".join(columns), self.source.relation, join))
        self.connection.execute("ALTER TABLE %s ADD PRIMARY KEY (%s)" % (out.name, quote_identifier(out.key)))
        self.connection.execute("CREATE INDEX %s ON %s USING GIST (%s)" % (
            quote_identifier(index_name(out.table, out.geometry)), out.name, quote_identifier(out.geometry)))
        self.connection.execute("ANALYZE %s" % out.name)
        if out.key not in fields:   # numbered here: later inserts (QGIS editing) number on
            self.connection.execute("ALTER TABLE %s ALTER COLUMN %s ADD GENERATED BY DEFAULT AS IDENTITY" % (
                out.name, quote_identifier(out.key)))
            self.connection.query("SELECT setval(pg_get_serial_sequence(%s, %s), greatest(max(%s), 1)) AS v "
                                  "FROM %s" % (literal(out.name), literal(out.key), quote_identifier(out.key),
                                               out.name))

    def srid(self):
        """The SRID of the relation's geometries (the first non-NULL one), 0 without any."""
        rows = self.connection.query("SELECT ST_SRID(%s) AS srid FROM %s l WHERE %s IS NOT NULL LIMIT 1" % (
            self.geometry, self.source.relation, self.geometry))
        return int(rows[0][0]) if rows else 0

    def output_measures(self, out):
        """(feature count, area) of the written table ``out``."""
        return measures(self.connection, out)

    def update(self, out, changes):
        """UPDATE the written table: ``changes`` = [(input keys, {column: value})], the rows found by the input's
        key column (the output's key, or a field of the output), in one transaction."""
        changes = [(fids, assignments) for fids, assignments in changes if fids and assignments]
        if not changes:
            return
        statements = []
        for fids, assignments in changes:
            sets = ", ".join("%s = %s" % (quote_identifier(k), literal(v)) for k, v in assignments.items())
            ids = sorted(int(i) for i in fids)
            for start in range(0, len(ids), 20000):
                statements.append("UPDATE %s SET %s WHERE %s = ANY('{%s}'::bigint[])" % (
                    out.name, sets, self.key, ",".join(map(str, ids[start:start + 20000]))))
        self.connection.execute("BEGIN; %s; COMMIT" % "; ".join(statements))

    def drop(self, out):
        self.connection.execute("DROP TABLE IF EXISTS %s" % out.name)

    def geometries(self):
        return PgGeometries(self.source)


class PgGeometries(ThreadConnections):
    """The bounding boxes and geometries (WKB) of a relation's rows by key, one GDAL connection per thread (the
    interface of gpkg.GpkgGeometries, for engines/spatialrules.py)."""

    REMOTE = True   # each row read is a round of the server: spatialrules keeps what it reads again

    def __init__(self, source):
        super().__init__()
        self.source = source
        self.key = quote_identifier(source.key)
        self.geometry = quote_identifier(source.geometry)

    def _open(self):
        return Connection(self.source.conninfo)

    def boxes(self):
        """(keys, boxes) of the non-empty geometries, sorted by key; boxes as (xmin, ymin, xmax, ymax) rows, read
        as four arrays (no geometry leaves the server)."""
        g = "l.%s" % self.geometry
        # one aggregation: the five arrays receive the rows in the same order; sorted by key here (one sort)
        rows = self._connection().query(
            "SELECT array_agg(k) AS k, array_agg(x0) AS x0, array_agg(y0) AS y0, array_agg(x1) AS x1, "
            "array_agg(y1) AS y1 FROM (SELECT l.%s::bigint AS k, ST_XMin(b) AS x0, "
            "ST_YMin(b) AS y0, ST_XMax(b) AS x1, ST_YMax(b) AS y1 FROM (SELECT l.%s, Box2D(%s) AS b FROM %s l "
            "WHERE %s IS NOT NULL AND NOT ST_IsEmpty(%s)) l) boxes" % (
                self.key, self.key, g, self.source.relation, g, g))
        if not rows or rows[0][0] is None:
            return numpy.zeros(0, dtype=numpy.int64), numpy.zeros((0, 4), dtype=float)
        fids = numpy.array(rows[0][0], dtype=numpy.int64)
        order = numpy.argsort(fids, kind="stable")
        boxes = numpy.stack([numpy.array(column, dtype=float)[order] for column in rows[0][1:5]], axis=1)
        return fids[order], numpy.ascontiguousarray(boxes)

    def wkb(self, fids):
        """{key: WKB} of ``fids`` (non-empty geometries only). The geometry comes as a ``bytea`` of ISO WKB
        (``ST_AsBinary``), read with GetFieldAsBinary: GDAL does not build an OGR geometry per row to export it
        again."""
        found = {}
        dataset = self._connection().dataset
        for batch in self.batches(fids):
            result = dataset.ExecuteSQL(
                "SELECT l.%s::bigint AS k, ST_AsBinary(l.%s, 'NDR') AS w FROM %s l WHERE l.%s = ANY('{%s}'::bigint[]) "
                "AND l.%s IS NOT NULL AND NOT ST_IsEmpty(l.%s)" % (
                    self.key, self.geometry, self.source.relation, self.key, ",".join(map(str, batch)),
                    self.geometry, self.geometry))
            if result is None:
                continue
            try:
                for feature in result:
                    found[feature.GetFieldAsInteger64(0)] = bytes(feature.GetFieldAsBinary(1))
            finally:
                dataset.ReleaseResultSet(result)
        return found


def same_database(source, destination_uri):
    """True when the destination QgsDataSourceUri is in the database of PgRelation ``source``."""
    return database(destination_uri) == source.database


# -- bulk copies between PostgreSQL and a GeoPackage (GDAL's PG driver; used where the push-down does not apply) --

def _translate(destination, source, options):
    """gdal.VectorTranslate with GDAL's errors raised (RuntimeError) and its warnings silent; the result closed."""
    gdal.UseExceptions()
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    try:
        result = gdal.VectorTranslate(destination, source, options=options)
        if result is None:
            raise RuntimeError(gdal.GetLastErrorMsg() or "GDAL could not copy the layer")
    finally:
        gdal.PopErrorHandler()
    result = None


def copy_to_gpkg(source, fields, path, layer_name, srs_wkt):
    """Copy PgRelation ``source`` to a new GeoPackage ``path``, layer ``layer_name``, with one SELECT read by GDAL's
    PG driver: ``fields`` (the relation's columns but the geometry, in order), the geometry as a 2D MultiPolygon
    ``geom`` in the SRS ``srs_wkt`` (assigned, not reprojected), an R-tree; the fid is the key when the key is
    named ``fid``, else the rows numbered 1, 2, … in the key's order. Returns the number of rows copied."""
    fid = "l.%s" % quote_identifier(source.key) if source.key == "fid" else \
        "row_number() OVER (ORDER BY l.%s)" % quote_identifier(source.key)
    columns = ["%s AS fid" % fid] + ["l.%s" % quote_identifier(f) for f in fields if f != "fid"] + \
        ["ST_Multi(l.%s) AS geom" % quote_identifier(source.geometry)]
    sql = "SELECT %s FROM %s l ORDER BY 1" % (", ".join(columns), source.relation)
    connection = Connection(source.conninfo)
    try:
        options = gdal.VectorTranslateOptions(
            format="GPKG", SQLStatement=sql, layerName=layer_name, geometryType="MULTIPOLYGON", dim="XY",
            dstSRS=srs_wkt, reproject=False, layerCreationOptions=["FID=fid", "GEOMETRY_NAME=geom"])
        _translate(path, connection.dataset, options)
    finally:
        connection.close()
    copied = gdal.OpenEx(path, gdal.OF_VECTOR)
    try:
        return copied.GetLayerByName(layer_name).GetFeatureCount()
    finally:
        copied = None


_COLUMN_TYPES = {ogr.OFTInteger: "integer", ogr.OFTInteger64: "bigint", ogr.OFTReal: "double precision",
                 ogr.OFTDate: "date", ogr.OFTTime: "time", ogr.OFTDateTime: "timestamp with time zone",
                 ogr.OFTBinary: "bytea"}
_SUBTYPES = {(ogr.OFTInteger, ogr.OFSTBoolean): "boolean", (ogr.OFTInteger, ogr.OFSTInt16): "smallint",
             (ogr.OFTReal, ogr.OFSTFloat32): "real"}


def _column_type(field):
    """The PostgreSQL type of an OGR field definition as GDAL's PG driver makes it (text: varchar, of the field's
    width when it has one), or None for a type this does not map."""
    kind = field.GetType()
    if kind == ogr.OFTString:
        return "varchar(%d)" % field.GetWidth() if field.GetWidth() > 0 else "varchar"
    return _SUBTYPES.get((kind, field.GetSubType())) or _COLUMN_TYPES.get(kind)


def _create_table(connection, path, layer_name, out):
    """``create_table`` for GeoPackage layer ``layer_name`` of ``path``: its fields with their types, its EPSG
    SRID. False (nothing created) when the layer is not a 2D MultiPolygon layer in an EPSG SRS, or has a field
    type not mapped here."""
    dataset = gdal.OpenEx(path, gdal.OF_VECTOR)
    try:
        layer = dataset.GetLayerByName(layer_name)
        definition = layer.GetLayerDefn()
        fields = [definition.GetFieldDefn(i) for i in range(definition.GetFieldCount())]
        columns = [(f.GetName(), _column_type(f)) for f in fields]
        srs = layer.GetSpatialRef()
        geometry_type = layer.GetGeomType()
    finally:
        dataset = None
    if geometry_type != ogr.wkbMultiPolygon:
        return False
    srid = epsg_srid(srs)
    return srid is not None and create_table(connection, out, srid, columns)


def epsg_srid(srs):
    """The EPSG code of osr.SpatialReference ``srs`` (identified when it has none), or None."""
    if srs is None:
        return None
    srs = srs.Clone()
    srs.AutoIdentifyEPSG()
    if srs.GetAuthorityName(None) != "EPSG" or not srs.GetAuthorityCode(None):
        return None
    return int(srs.GetAuthorityCode(None))


def column_type(name, kind):
    """The PostgreSQL type of a field (name, 'int' | 'double' | 'str') of gpkgwrite's layers, as GDAL's PG driver
    makes it from the GeoPackage layer (``_column_type``)."""
    return _column_type(ogr.FieldDefn(name, KINDS[kind]))


def create_table(connection, out, srid, columns):
    """Create PgTable ``out`` in the order of the generic path's tables: the key (bigint, primary key, numbered
    on by an identity), the geometry column (MultiPolygon of EPSG SRID ``srid``), then ``columns`` [(name,
    PostgreSQL type)]. False (nothing created) when a type is None, a column is named as the key or the geometry,
    or PostGIS does not know the SRID."""
    if any(t is None for _n, t in columns) or out.key in [n for n, _t in columns] or \
            out.geometry in [n for n, _t in columns]:
        return False
    if not connection.query("SELECT 1 AS known FROM spatial_ref_sys WHERE srid = %d" % srid):
        return False
    definitions = ["%s bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" % quote_identifier(out.key),
                   "%s geometry(MultiPolygon, %d)" % (quote_identifier(out.geometry), srid)]
    definitions += ["%s %s" % (quote_identifier(name), kind) for name, kind in columns]
    connection.execute("CREATE TABLE %s (%s)" % (out.name, ", ".join(definitions)))
    return True


def number_on(connection, out):
    """The identity of the key of PgTable ``out`` set to number on after its largest key (as a table GDAL
    creates)."""
    connection.query("SELECT setval(pg_get_serial_sequence(%s, %s), greatest(max(%s), 1)) AS v FROM %s" % (
        literal(out.name), literal(out.key), quote_identifier(out.key), out.name))


def measures(connection, out):
    """(row count, sum of the planar areas) of PgTable ``out``."""
    row = connection.query("SELECT count(*) AS n, sum(ST_Area(%s)) AS a FROM %s" % (
        quote_identifier(out.geometry), out.name))[0]
    return row[0], row[1] or 0.0


def load_gpkg(conninfo, path, layer_name, out):
    """Load GeoPackage layer ``layer_name`` of ``path`` into PgTable ``out`` (dropped first if it exists) with
    GDAL's PG driver in bulk (COPY): the key ``out.key`` (bigint, primary key, numbered on) holds the layer's
    fids, then the geometry column ``out.geometry``, then the fields with their names and types (the table made
    by ``_create_table``; by GDAL, the geometry column last, when that one declines); no spatial index (the
    caller adds it and analyses the table). Returns (row count, sum of the planar areas) of the table."""
    connection = Connection(conninfo)
    try:
        connection.execute("DROP TABLE IF EXISTS %s" % out.name)
        created = _create_table(connection, path, layer_name, out)
    finally:
        connection.close()
    if created:
        options = gdal.VectorTranslateOptions(
            format="PostgreSQL", accessMode="append", layerName="%s.%s" % (out.schema, out.table),
            options=["-preserve_fid"], layers=[layer_name])
    else:
        options = gdal.VectorTranslateOptions(
            format="PostgreSQL", layerName=out.table, options=["-preserve_fid"], layers=[layer_name],
            layerCreationOptions=["SCHEMA=%s" % out.schema, "FID=%s" % out.key, "FID64=YES",
                                  "GEOMETRY_NAME=%s" % out.geometry, "SPATIAL_INDEX=NONE", "LAUNDER=NO"])
    previous = gdal.GetConfigOption("PG_USE_COPY")
    gdal.SetConfigOption("PG_USE_COPY", "YES")
    try:
        _translate("PG:" + conninfo, path, options)
    finally:
        gdal.SetConfigOption("PG_USE_COPY", previous)
    connection = Connection(conninfo)
    try:
        if created:
            number_on(connection, out)
        return measures(connection, out)
    finally:
        connection.close()


# -- tables written from arrays (ocs:heatisland's grid) ------------------------------------------------------

def _integers(values):
    """The elements of a PostgreSQL array literal of the integers ``values`` (numpy array or list; None as NULL)."""
    values = values.tolist() if isinstance(values, numpy.ndarray) else list(values)
    return repr(values)[1:-1].replace("None", "NULL")


def _doubles(values):
    """(the elements of a float8 array literal of the distinct values of ``values``, numpy array or list, each
    written with repr: read back by the server to the bit; the elements of an integer array literal of the 1-based
    index of each value in it, NULL for NaN and None). -0.0 is written 0.0, as SQLite stores it. A grid's columns
    repeat their values (shares of 400 pixels, a few thousand scores in 20,000 cells): each distinct value is
    written and parsed once."""
    if isinstance(values, list):
        values = [numpy.nan if v is None else v for v in values]
    values = numpy.asarray(values, dtype=numpy.float64) + 0.0
    known = ~numpy.isnan(values)
    distinct, inverse = numpy.unique(values[known], return_inverse=True)
    index = numpy.zeros(len(values), dtype=numpy.int64)
    index[known] = inverse.reshape(-1) + 1
    indexes = index.tolist() if known.all() else [i or None for i in index.tolist()]
    return repr(distinct.tolist())[1:-1].replace("inf", "Infinity"), _integers(indexes)


def unnest_sql(columns):
    """(``unnest(…) AS v(c0, c1…)``, [SQL expression of the value of each column]) of ``columns`` [(kind, values)]
    with kind 'int' (an array of the values), 'double' (``_doubles``: an array of indexes in the array of the
    distinct values) or 'str' (the index of each value in the array of its distinct values, NULL for None)."""
    arrays, values = [], []
    for i, (kind, column) in enumerate(columns):
        if kind == "str":
            labels = sorted({x for x in column if x is not None})
            index = {x: n + 1 for n, x in enumerate(labels)}
            arrays.append("'{%s}'::integer[]" % _integers([None if x is None else index[x] for x in column]))
            values.append("(%s)[v.c%d]" % ("ARRAY[%s]::varchar[]" % ",".join(literal(x) for x in labels)
                                            if labels else "'{}'::varchar[]", i))
        elif kind == "int":
            arrays.append("'{%s}'::bigint[]" % _integers(column))
            values.append("v.c%d" % i)
        else:
            distinct, indexes = _doubles(column)
            arrays.append("'{%s}'::integer[]" % indexes)
            values.append("('{%s}'::float8[])[v.c%d]" % (distinct, i))
    names = ", ".join("c%d" % i for i in range(len(columns)))
    return "unnest(%s) AS v(%s)" % (", ".join(arrays), names), values


def fill_table(conninfo, out, srid, columns, statements, expected, workers=2):
    """Create PgTable ``out`` (dropped first if it exists) as ``create_table`` does (key, MultiPolygon of EPSG SRID
    ``srid``, ``columns`` [(name, PostgreSQL type)]) and fill it with the SQL statements ``statements`` (an
    iterable: each text is made while the server runs the previous ones), run by ``workers`` connections at once,
    each in one transaction committed once every statement ran; then the table must hold ``expected`` (row count,
    sum of the planar areas, to 1e-9); the key numbered on after the largest. No spatial index (the caller adds it
    and analyses the table). Raise FastPathUnavailable, the table dropped, when create_table declines, the server
    refuses a statement or the measures differ."""
    connection = Connection(conninfo)
    try:
        connection.execute("DROP TABLE IF EXISTS %s" % out.name)
        if not create_table(connection, out, srid, columns):
            raise FastPathUnavailable("a column type, a column name or SRID %d not supported" % srid)
        try:
            _Writers(conninfo).run(statements, workers)
            number_on(connection, out)
            count, area = measures(connection, out)
            if count != expected[0] or abs(area - expected[1]) > 1e-9 * max(expected[1], 1.0):
                raise FastPathUnavailable("%d rows (area %r) written instead of %d (area %r)" % (
                    count, area, expected[0], expected[1]))
        except BaseException as error:
            try:
                connection.execute("DROP TABLE IF EXISTS %s" % out.name)
            except RuntimeError:
                pass
            if isinstance(error, RuntimeError):
                raise FastPathUnavailable("PostgreSQL refused the rows: %s" % str(error).strip()[:300])
            raise
        return count, area
    finally:
        connection.close()


class _Writers(ThreadConnections):
    """Connections that run statements from threads, each connection in one transaction."""

    def __init__(self, conninfo):
        super().__init__()
        self.conninfo = conninfo

    def _open(self):
        connection = Connection(self.conninfo)
        connection.dataset.StartTransaction()
        return connection

    def _execute(self, statement):
        self._connection().execute(statement)

    def run(self, statements, workers):
        """Run ``statements`` with ``workers`` threads (GDAL releases the GIL while the server works), the next
        text being made meanwhile; the transactions committed when every statement ran, else rolled back."""
        pool = ThreadPoolExecutor(max_workers=workers)
        pending = collections.deque()
        done = False
        try:
            for statement in statements:
                if len(pending) >= workers:
                    pending.popleft().result()
                pending.append(pool.submit(self._execute, statement))
            while pending:
                pending.popleft().result()
            done = True
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            failed = None
            for connection in self.connections:   # every transaction ended before the caller may drop the table
                try:
                    if done and failed is None:
                        connection.dataset.CommitTransaction()
                    else:
                        _rollback(connection.dataset)
                except RuntimeError as error:
                    failed = error
            self.close()
        if failed is not None:
            raise failed


def _rollback(dataset):
    try:
        dataset.RollbackTransaction()
    except RuntimeError:
        pass
