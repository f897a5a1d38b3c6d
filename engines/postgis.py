"""PostGIS as a home for inputs and outputs (issue #17): source strings, output tables, their key, index and style.

- Inputs: the layer source a QGIS user copies from the Desktop (``dbname='x' host=… table="s"."t" (geom)``) is
  given the ``postgres://`` prefix Processing needs to load it; when it still cannot be loaded, ``diagnose`` says
  why: the connection failed (libpq's reason: authentication, unknown host or database) or the table is not there.
- Outputs (``postgis:…`` or ``postgres://…`` destinations): ``prepare_destination`` names the primary key ``fid``
  (as a GeoPackage's; QGIS would add ``id``, or ``id_0`` beside an ``id`` field), drops the geometry column of a
  table without geometry (a matrix given as ``… table="s"."t" (geom)`` failed and left an empty table) and says in
  the log that an existing table is replaced; ``finish_destination`` adds the spatial index and analyses the table;
  the style goes to the database's ``layer_styles`` (engines/styling.py).
"""
import os
import re
import uuid

from osgeo import gdal
from qgis.core import (
    QgsDataSourceUri,
    QgsException,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingUtils,
    QgsProviderConnectionException,
    QgsProviderRegistry,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QVariant

from . import landcover

from ..fastpath import pg
from ..fastpath.gpkg import FastPathUnavailable, GpkgReclassifier, remove_gpkg

translate = QCoreApplication.translate

PROVIDER = "postgres"
# what QGIS's connection API raises (a QgsException on 3.22, a QgsProviderConnectionException of its own on 3.40)
CONNECTION_ERRORS = (QgsException, QgsProviderConnectionException)
KEY = "fid"
PREFIXES = ("postgres://", "postgis:")
_CONNECTION_RE = re.compile(r"(^|\s)(dbname|service)\s*=")
_TABLE_RE = re.compile(r"(^|\s)table\s*=")
_PASSWORD_RE = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)")


def without_password(text):
    """``text`` with the value of any ``password=`` hidden (for messages)."""
    return _PASSWORD_RE.sub(r"\1***", text)


def is_source_string(text):
    """True for a PostgreSQL layer source without a prefix, as the Desktop shows it (dbname/service and table)."""
    return isinstance(text, str) and not text.startswith(PREFIXES) and \
        bool(_CONNECTION_RE.search(text)) and bool(_TABLE_RE.search(text))


def source_string(text):
    """The layer source of ``text`` without its prefix when it names a PostgreSQL table, else None."""
    if not isinstance(text, str):
        return None
    for prefix in PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix):]
    return text if is_source_string(text) else None


def loadable(text):
    """``text`` as Processing loads it: a Desktop source string gets the ``postgres://`` prefix."""
    return PREFIXES[0] + text if is_source_string(text) else text


def table_name(uri):
    """'"schema"."table" (database x)' for messages."""
    return translate("OcsPostGIS", '"{0}"."{1}" (database {2})').format(
        uri.schema() or "public", uri.table(), uri.database() or uri.service())


def connection(uri):
    """A QgsAbstractDatabaseProviderConnection to the database of ``uri`` (QgsDataSourceUri)."""
    metadata = QgsProviderRegistry.instance().providerMetadata(PROVIDER)
    connection_uri = QgsDataSourceUri(uri.uri(False))
    connection_uri.setDataSource("", "", "")
    return metadata.createConnection(connection_uri.uri(False), {})


def diagnose(text):
    """Why the PostgreSQL layer ``text`` cannot be loaded: a translated sentence, or None when it is not one."""
    source = source_string(text)
    if source is None:
        return None
    uri = QgsDataSourceUri(source)
    try:
        conn = connection(uri)
        conn.executeSql("SELECT 1")
    except CONNECTION_ERRORS as error:
        reason = libpq_error(uri) or without_password(str(error)).strip()
        return translate("OcsPostGIS", "Cannot connect to the PostgreSQL database {0}: {1}").format(
            uri.database() or uri.service(), reason)
    if not uri.table():
        return translate("OcsPostGIS", "The PostgreSQL source names no table: {0}").format(without_password(source))
    schema = uri.schema() or "public"
    try:
        exists = conn.tableExists(schema, uri.table())
    except CONNECTION_ERRORS:
        exists = False
    if not exists:
        return translate("OcsPostGIS", "Table {0} not found.").format(table_name(uri))
    return translate("OcsPostGIS", "Table {0} exists but QGIS cannot read it as a layer (geometry column '{1}', "
                     "key '{2}').").format(table_name(uri), uri.geometryColumn(), uri.keyColumn())


def libpq_error(uri):
    """libpq's reason why the database of ``uri`` refuses a connection ("password authentication failed for user
    …", "database … does not exist", "could not connect"), asked through GDAL (QGIS's connection API keeps it in
    its message log only); "" when GDAL connects."""
    gdal.PushErrorHandler("CPLQuietErrorHandler")
    gdal.ErrorReset()
    try:
        dataset = gdal.OpenEx("PG:" + uri.connectionInfo(True), gdal.OF_VECTOR)
        message = "" if dataset is not None else gdal.GetLastErrorMsg()
    except RuntimeError as error:
        message = str(error)
    finally:
        gdal.PopErrorHandler()
    lines = [line.strip() for line in message.splitlines() if line.strip() and "PQconnectdb failed" not in line]
    return without_password(" ".join(lines))


def destination_uri(text):
    """(prefix, QgsDataSourceUri) of a PostGIS output destination, or None for another format."""
    if not isinstance(text, str):
        return None
    for prefix in PREFIXES:
        if text.startswith(prefix):
            return prefix, QgsDataSourceUri(text[len(prefix):])
    return None


def prepare_destination(text, has_geometry, feedback):
    """The destination ``text`` to give Processing: key ``fid`` unless one is named, no geometry column for a
    table, and a log line when the table exists already (Processing replaces it). Other formats: unchanged.

    The prefix becomes ``postgres://`` (both write the same table): QGIS 3.22 cannot load a ``postgis:`` output
    in the project after the run, nor can a next step read it."""
    found = destination_uri(text)
    if found is None:
        return text
    prefix, uri = PREFIXES[0], found[1]
    if not uri.keyColumn():
        uri.setKeyColumn(KEY)
    if not has_geometry and uri.geometryColumn():
        uri.setDataSource(uri.schema(), uri.table(), "", uri.sql(), uri.keyColumn())
    if uri.table() and table_exists(uri):
        feedback.pushInfo(translate("OcsPostGIS", "Table {0} exists: it is replaced by this output.").format(
            table_name(uri)))
    return prefix + uri.uri(False)


def table_exists(uri):
    try:
        return connection(uri).tableExists(uri.schema() or "public", uri.table())
    except CONNECTION_ERRORS:
        return False   # Processing reports the connection failure when it creates the table


def quoted(name):
    return '"%s"' % name.replace('"', '""')


def finish_destination(text, feedback):
    """After the output table is written: a GiST index on its geometry column, then ANALYZE. Returns the SQL
    error, or "" (also for other formats)."""
    found = destination_uri(text)
    if found is None or not found[1].table():
        return ""
    uri = found[1]
    table = "%s.%s" % (quoted(uri.schema() or "public"), quoted(uri.table()))
    statements = []
    if uri.geometryColumn():
        index = quoted(pg.index_name(uri.table(), uri.geometryColumn()))
        statements.append("CREATE INDEX IF NOT EXISTS %s ON %s USING GIST (%s)" % (
            index, table, quoted(uri.geometryColumn())))
    statements.append("ANALYZE %s" % table)
    try:
        conn = connection(uri)
        for statement in statements:
            conn.executeSql(statement)
    except CONNECTION_ERRORS as error:
        message = translate("OcsPostGIS", "Could not index {0}: {1}").format(table_name(uri), str(error).strip())
        feedback.reportError(message, False)
        return message
    say_indexed(text, feedback)
    return ""


def say_indexed(text, feedback):
    """The log line of the spatial index of the PostGIS destination ``text`` (when it has a geometry column)."""
    uri = destination_uri(text)[1]
    if uri.geometryColumn():
        feedback.pushInfo(translate("OcsPostGIS", "Spatial index on {0} of {1}.").format(
            uri.geometryColumn(), table_name(uri)))


def pushdown_output(relation, destination, wkb_type):
    """(fastpath.pg.PgReclassifier of ``relation``, fastpath.pg.PgTable of the output) when the output of a
    push-down, QgsDataSourceUri ``destination``, can be written by PostgreSQL from ``relation`` (a PgRelation
    whose geometries are of ``wkb_type``); raise FastPathUnavailable otherwise: another database, the input itself,
    curved or Z/M geometries."""
    if not pg.same_database(relation, destination):
        raise FastPathUnavailable("the output is in another database")
    out = pg.output_table(destination)
    if relation.reads(out):
        raise FastPathUnavailable("the output is the input")
    if not landcover.is_plain(wkb_type):
        raise FastPathUnavailable("geometry type with curves, Z or M")
    return pg.PgReclassifier(relation), out


def pushdown_relation(layer):
    """The fastpath.pg.PgRelation of a PostgreSQL layer (the whole layer: the caller checks that no selection,
    filter or limit applies) whose feature ids are the values of an integer primary key; else raise
    FastPathUnavailable with the reason."""
    if layer is None or layer.providerType() != PROVIDER:
        raise FastPathUnavailable("not a PostgreSQL layer")
    keys = layer.dataProvider().pkAttributeIndexes()
    if len(keys) != 1:
        raise FastPathUnavailable("no single-column primary key")
    field = layer.fields().at(keys[0])
    if field.type() not in (QVariant.Int, QVariant.LongLong):
        raise FastPathUnavailable("primary key %s is not an integer" % field.name())
    uri = QgsDataSourceUri(layer.source())
    return pg.relation(uri, field.name(), uri.sql())


# -- bulk copies through a temporary GeoPackage (where the push-down does not apply) ---------------------------

def temporary_gpkg(stem):
    """A new path for a temporary GeoPackage in Processing's temporary folder."""
    return os.path.join(QgsProcessingUtils.tempFolder(), "ocs_%s_%s.gpkg" % (stem, uuid.uuid4().hex[:12]))


def bulk_input(relation, source, wkb_type):
    """Raise FastPathUnavailable unless PostgreSQL relation ``relation`` (a PgRelation, integer key, subset string
    applied) with QgsFeatureSource ``source`` (its fields) and geometries of ``wkb_type`` can be copied to a
    GeoPackage whose fids are what the feature-by-feature path gives: plain polygons, and no field named ``fid``
    or ``geom`` but the key."""
    if not landcover.is_plain(wkb_type):
        raise FastPathUnavailable("geometry type with curves, Z or M")
    names = source.fields().names()
    if "fid" in names and relation.key != "fid":
        raise FastPathUnavailable("a field fid that is not the key")
    if "geom" in names:
        raise FastPathUnavailable("a field named geom")


def copy_input(relation, source, crs, feedback):
    """Copy PgRelation ``relation`` (the rows of QgsFeatureSource ``source``, CRS ``crs``) to a temporary
    GeoPackage with GDAL (fids: the key when it is named fid, else 1, 2, … in the key's order, as the
    feature-by-feature path numbers a GeoPackage output). Returns (path, layer name, (QgsProcessingFeatureSource
    of it, its QgsVectorLayer and QgsProcessingContext, to keep while the source is read))."""
    path = temporary_gpkg("input")
    feedback.pushInfo(translate("OcsPostGIS", "Copying the PostgreSQL input to a temporary GeoPackage (GDAL)…"))
    try:
        srs = crs.authid() if crs.authid().upper().startswith("EPSG:") else crs.toWkt()
        count = pg.copy_to_gpkg(relation, source.fields().names(), path, "input", srs)
    except RuntimeError as error:
        remove_gpkg(path)
        raise FastPathUnavailable("GDAL could not copy the input: %s" % without_password(str(error)).strip())
    layer = QgsVectorLayer("%s|layername=input" % path, source.sourceName(), "ogr")
    if not layer.isValid():
        remove_gpkg(path)
        raise FastPathUnavailable("the copy of the input cannot be read")
    feedback.pushInfo(translate("OcsPostGIS", "{0} features copied.").format(count))
    context = QgsProcessingContext()
    return path, "input", (QgsProcessingFeatureSource(layer, context, False), layer, context)


def copy_land_cover(relation, cover, feedback):
    """``copy_input`` of PgRelation ``relation``, the PostgreSQL source of landcover.LandCover ``cover``, once
    ``bulk_input`` says it qualifies (else FastPathUnavailable): (path, layer name, what to keep while it is read)."""
    bulk_input(relation, cover.source, cover.source.wkbType())
    return copy_input(relation, cover.source, cover.crs, feedback)


def load_output(path, layer_name, destination, feedback):
    """Load GeoPackage layer ``layer_name`` of ``path`` into the PostGIS destination ``destination`` (text, as
    ``prepare_destination`` gives it) in bulk, with GDAL (COPY): key ``fid``, geometry column of the destination
    (``geom`` unless named), then its spatial index and ANALYZE (``finish_destination``). The count and area of
    the table are checked against the GeoPackage layer's."""
    written = GpkgReclassifier(path, layer_name)
    try:
        measured = written.feature_count(), written.area()
    finally:
        written.close()
    uri = destination_uri(destination)[1]
    out = pg.output_table(uri)
    feedback.pushInfo(translate("OcsPostGIS", "Loading the output into {0} in bulk (GDAL, COPY)…").format(
        table_name(uri)))
    try:
        count, area = pg.load_gpkg(uri.connectionInfo(True), path, layer_name, out)
    except (RuntimeError, FastPathUnavailable) as error:
        raise QgsProcessingException(translate("OcsPostGIS", "Could not write {0}: {1}").format(
            table_name(uri), without_password(str(error)).strip()))
    if count != measured[0] or abs(area - measured[1]) > 1e-9 * max(measured[1], 1.0):
        raise QgsProcessingException(translate("OcsPostGIS", "{0}: {1} features loaded instead of {2}.").format(
            table_name(uri), count, measured[0]))
    _finish_written(uri, out, feedback)


def write_output(write, destination, feedback, message):
    """Write the PostGIS destination ``destination`` (text, as ``prepare_destination`` gives it) with ``write(conninfo,
    out)``, which creates fastpath.pg.PgTable ``out`` (replaced), checks it and returns (row count, area), or raises
    FastPathUnavailable leaving no table (raised on); then the log line ``message`` ({0}: the table) and
    the spatial index and ANALYZE (``finish_destination``). Returns the row count."""
    uri = destination_uri(destination)[1]
    out = pg.output_table(uri)
    count, _area = write(uri.connectionInfo(True), out)
    feedback.pushInfo(message.format(table_name(uri)))
    _finish_written(uri, out, feedback)
    return count


def _finish_written(uri, out, feedback):
    """``finish_destination`` of the table PgTable ``out`` written for QgsDataSourceUri ``uri`` (its geometry
    column named as written when the destination did not name one)."""
    if not uri.geometryColumn():
        uri.setGeometryColumn(out.geometry)
    finish_destination(PREFIXES[0] + uri.uri(False), feedback)
