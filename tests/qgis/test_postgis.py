"""PostGIS as a home for inputs and outputs (issue #17), on a real PostgreSQL/PostGIS (fixture ``postgis``).

Every main algorithm gives from a PostGIS table the figures it gives from a GeoPackage (the hand-computed values
of test_reclassify, test_artificialisation and test_changes); outputs written to PostGIS have the primary key
``fid`` and no other key column, a spatial index, their style in the database's ``layer_styles``; tables (the
transition matrix, flows without zones) can be written there; the source string a QGIS user copies from the
Desktop is accepted, and a refused connection is reported as such.
"""
import sqlite3
from contextlib import closing

import pytest
from osgeo import gdal
from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingException,
    QgsProviderRegistry,
    QgsVectorLayer,
)

import test_artificialisation as ta
import test_changes as tc
import test_reclassify as tr
from ocs_toolbox.core import changes as ch
from helpers import box, is_null, run, to_gpkg


# -- the database ----------------------------------------------------------------------------------------

def sql(conninfo, statement):
    """Rows of ``statement`` run in the test database (QGIS's connection API: both legs have it)."""
    connection = QgsProviderRegistry.instance().providerMetadata("postgres").createConnection(conninfo, {})
    return connection.executeSql(statement)


def load(conninfo, layer, table, tmp_path, key=None):
    """Copy a memory layer to PostGIS as ogr2ogr does (table ``public.<table>``, geometry ``geom``, GiST index);
    ``key``: the name of the primary key, taken from the field of that name (as an OCS delivery's ``id``).
    Returns the layer source as the QGIS Desktop shows it (no ``postgres://`` prefix)."""
    gpkg = to_gpkg(layer, tmp_path / ("%s_in.gpkg" % table), table)
    done = gdal.VectorTranslate("PG:" + conninfo, gpkg, layerName=table,
                                layerCreationOptions=["GEOMETRY_NAME=geom", "OVERWRITE=YES", "LAUNDER=NO"])
    assert done is not None
    done = None
    if key:
        columns_in = columns(conninfo, table)
        generated = [c for c in columns_in if c not in layer.fields().names() and c != "geom"]
        assert len(generated) == 1, columns_in
        sql(conninfo, 'ALTER TABLE public."%s" DROP COLUMN "%s"' % (table, generated[0]))
        sql(conninfo, 'ALTER TABLE public."%s" ADD PRIMARY KEY ("%s")' % (table, key))
    return "%s table=\"public\".\"%s\" (geom)" % (conninfo, table)


def out(conninfo, table, geometry=True):
    return "postgis:%s table=\"public\".\"%s\"%s" % (conninfo, table, " (geom)" if geometry else "")


def pg_layer(conninfo, table, geometry=True):
    uri = QgsDataSourceUri(conninfo)
    uri.setDataSource("public", table, "geom" if geometry else "", "", "fid")
    layer = QgsVectorLayer(uri.uri(False), table, "postgres")
    assert layer.isValid(), table
    return layer


def columns(conninfo, table):
    return [r[0] for r in sql(conninfo, "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                        "'public' AND table_name = '%s' ORDER BY ordinal_position" % table)]


def primary_key(conninfo, table):
    return [r[0] for r in sql(conninfo, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                                        "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND "
                                        "i.indrelid = 'public.%s'::regclass" % table)]


def gist_indexes(conninfo, table):
    return [r[0] for r in sql(conninfo, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
                                        "tablename = '%s' AND indexdef LIKE '%%USING gist%%'" % table)]


def default_styles(conninfo, table):
    return [(r[0], r[1]) for r in sql(conninfo, "SELECT stylename, f_geometry_column FROM public.layer_styles "
                                                "WHERE f_table_name = '%s' AND useasdefault" % table)]


def value(v):
    if is_null(v):
        return None
    return round(v, 6) if isinstance(v, float) else v


def rows_by(layer, key):
    """{key value: ({field: value} without fid, area in m² to the cm²)}."""
    found = {}
    for feature in layer.getFeatures():
        attributes = {name: value(feature[name]) for name in layer.fields().names() if name != "fid"}
        area = round(feature.geometry().area(), 2) if feature.hasGeometry() else None
        found[feature[key]] = (attributes, area)
    return found


def check_output(conninfo, table, style=None, geometry=True):
    """Key ``fid`` and no other key column, spatial index, default style ``style`` in layer_styles."""
    names = columns(conninfo, table)
    assert primary_key(conninfo, table) == ["fid"]
    assert not {"id_0", "ogc_fid"} & set(names)
    assert (len(gist_indexes(conninfo, table)) == 1) is geometry
    assert ("geom" in names) is geometry
    if style:
        assert default_styles(conninfo, table) == [(style, "geom" if geometry else "")]
    return names


# -- the same figures as from a GeoPackage ----------------------------------------------------------------

def test_reclassify_postgis_to_postgis(postgis, tmp_path):
    layout = tr.us7_layout()
    source = load(postgis, layout, "us7", tmp_path, key="id")     # the delivery's key "id" is the table's key
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": out(postgis, "us7_reclass")})
    layer = pg_layer(postgis, "us7_reclass")
    tr.check_us7({f["id"]: f for f in layer.getFeatures()})       # the hand-known 4 postes, 21 postes, ENAF
    assert any("2 of 4 US7.0.0" in m for m in feedback.infos)
    names = check_output(postgis, "us7_reclass", style="p4_2021")
    # the table's key "id" read as a field and written as one; "fid" is the output's key (no "id_0")
    assert names[:3] == ["fid", "geom", "id"]
    # the same rows as GeoPackage → GeoPackage (the SQLite fast path)
    reference = run("ocs:reclassify", {"INPUT": to_gpkg(layout, tmp_path / "us7.gpkg"),
                                       "OUTPUT": str(tmp_path / "us7_out.gpkg")})[0]["OUTPUT"]
    assert rows_by(layer, "id") == rows_by(QgsVectorLayer(reference, "ref", "ogr"), "id")
    assert any("Spatial index on geom" in m for m in feedback.infos)
    assert any('stored as the default style of "public"."us7_reclass"' in m for m in feedback.infos)
    # run by PostgreSQL (push-down), the spatial rules included
    assert any('Attribute rules run by PostgreSQL (push-down): writing "public"."us7_reclass"' in m
               for m in feedback.infos)


def test_reclassify_pushdown_two_vintages_agricultural_structures(postgis, tmp_path):
    """Two vintages and the enveloppe urbaine (its members read from the database on the closing threads): the
    table PostgreSQL writes holds the GeoPackage fast path's rows, under the input's key values; area in = out
    (16 ha + 900 + 1,200 + 2,400 + 900 m² = 16.54 ha)."""
    layout = tr.agri_layout()
    source = load(postgis, layout, "agri", tmp_path, key="id")
    results, feedback = run("ocs:reclassify", {"INPUT": source, "TARGETS": [4, 6],
                                               "OUTPUT": out(postgis, "agri_reclass")})
    assert any("push-down" in m and '"public"."agri_reclass"' in m for m in feedback.infos)
    layer = pg_layer(postgis, "agri_reclass")
    assert {f["id"]: f["enaf_2021"] for f in layer.getFeatures()} == {1: "Uh", 2: "Ue", 3: "Ue", 4: "Ue", 5: "A"}
    assert {f["id"]: f["enaf_2015"] for f in layer.getFeatures()} == {1: "A", 2: "A", 3: "A", 4: "A", 5: "A"}
    assert any("2021: 0 of 0 US7.0.0" in m and "3 of 4 agricultural" in m for m in feedback.infos)
    assert "5 features read and written, 16.5400 ha in and out (geometries copied unchanged)." in feedback.infos
    reference = run("ocs:reclassify", {"INPUT": to_gpkg(layout, tmp_path / "agri.gpkg"), "TARGETS": [4, 6],
                                       "OUTPUT": str(tmp_path / "agri_out.gpkg")})[0]["OUTPUT"]
    assert rows_by(layer, "id") == rows_by(QgsVectorLayer(reference, "ref", "ogr"), "id")
    names = check_output(postgis, "agri_reclass", style="p4_2021")
    assert names[:3] == ["fid", "geom", "id"]
    # the key is numbered in the input key's order and goes on for rows added later (QGIS editing)
    assert sql(postgis, "SELECT fid, id FROM public.agri_reclass ORDER BY fid") == [[i, i] for i in range(1, 6)]
    sql(postgis, "INSERT INTO public.agri_reclass (id) VALUES (6)")
    assert sql(postgis, "SELECT fid FROM public.agri_reclass WHERE id = 6") == [[6]]


def test_reclassify_pushdown_query_layer_with_subset(postgis, tmp_path):
    """A query layer with a key, and a subset string: PostgreSQL runs both; the rows are those of the
    feature-by-feature path from the same layer to a GeoPackage."""
    load(postgis, tr.us7_layout(), "us7_q", tmp_path, key="id")
    source = "%s key='id' table=\"(SELECT * FROM public.us7_q WHERE id <> 3)\" (geom) sql=\"id\" <> 5" % postgis
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": out(postgis, "us7_q_out")})
    assert any("push-down" in m for m in feedback.infos)
    layer = pg_layer(postgis, "us7_q_out")
    reference, generic = run("ocs:reclassify", {"INPUT": source, "OUTPUT": str(tmp_path / "q.gpkg")})
    assert not any("push-down" in m for m in generic.infos)
    expected = rows_by(QgsVectorLayer(reference["OUTPUT"], "ref", "ogr"), "id")
    assert sorted(expected) == [1, 2, 4]
    assert rows_by(layer, "id") == expected
    assert {f["id"]: f["p21_2021"] for f in layer.getFeatures()} == {1: 1, 2: 13, 4: 14}


def test_missing_geometries_counted_by_postgresql(postgis, tmp_path):
    """A row without geometry (NULL) and one empty: counted in SQL and said, copied by the push-down, no area."""
    from helpers import box, make_layer

    layer = make_layer(tr.OCS2D, [(box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"), (None, 2, "CS1.2.1", "US7.0.0"),
                                  (box(200, 0, 250, 100), 3, "CS2.2.1", "US1.1.1")])
    source = load(postgis, layer, "holes", tmp_path, key="id")
    sql(postgis, "UPDATE public.holes SET geom = NULL WHERE id = 2")
    sql(postgis, "UPDATE public.holes SET geom = 'SRID=2154;POLYGON EMPTY'::geometry WHERE id = 3")
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": out(postgis, "holes_out")})
    assert any("2 features have no geometry (NULL or empty)" in m for m in feedback.errors)
    assert any("push-down" in m for m in feedback.infos)
    assert "3 features read and written, 1.0000 ha in and out (geometries copied unchanged)." in feedback.infos
    assert sql(postgis, "SELECT id, geom IS NULL, ST_IsEmpty(geom) FROM public.holes_out ORDER BY id") == [
        [1, False, False], [2, True, None], [3, False, True]]


def test_reclassify_pushdown_falls_back_with_its_reason(postgis, tmp_path):
    """A feature limit cannot be pushed down: the log says why, the generic path writes the same table."""
    from qgis.core import QgsProcessingFeatureSourceDefinition

    source = load(postgis, tr.us7_layout(), "us7_limit", tmp_path, key="id")
    limited = QgsProcessingFeatureSourceDefinition("postgres://" + source, False, 3)
    results, feedback = run("ocs:reclassify", {"INPUT": limited, "OUTPUT": out(postgis, "us7_limit_out")})
    assert "PostGIS push-down not used (selection, filter or limit): feature by feature." in feedback.infos
    assert not any("run by PostgreSQL" in m for m in feedback.infos)
    assert pg_layer(postgis, "us7_limit_out").featureCount() == 3
    check_output(postgis, "us7_limit_out", style="p4_2021")


# -- where the push-down does not apply: the GeoPackage fast path, PostgreSQL read or written in bulk --------

BULK = "through a temporary GeoPackage, PostgreSQL read or written in bulk."


def other_database(conninfo):
    """The connection string of a second database of the test cluster (``ocs_other``, with PostGIS)."""
    if not sql(conninfo, "SELECT 1 FROM pg_database WHERE datname = 'ocs_other'"):
        sql(conninfo, "CREATE DATABASE ocs_other")
    other = conninfo.replace("dbname='ocs_test'", "dbname='ocs_other'")
    assert other != conninfo
    # through GDAL: a QGIS connection opened before PostGIS is there would be pooled and reused without it
    from ocs_toolbox.fastpath import pg

    connection = pg.Connection(other)
    connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    connection.close()
    return other


def column_types(conninfo, table):
    return {r[0]: r[1] for r in sql(conninfo, "SELECT column_name, data_type FROM information_schema.columns "
                                              "WHERE table_schema = 'public' AND table_name = '%s'" % table)}


def test_reclassify_gpkg_to_postgis_loaded_in_bulk(postgis, tmp_path):
    """GeoPackage → PostGIS: the fast path writes a temporary GeoPackage, GDAL loads it (COPY); the table holds
    the GeoPackage output's rows (the hand-known classes, the spatial rules included), under its fids, with key
    fid, GiST index and default style; integer codes stay integer, text stays text; replaced when run again."""
    layout = tr.us7_layout()
    source = to_gpkg(layout, tmp_path / "us7_b.gpkg")
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": out(postgis, "us7_bulk")})
    assert "PostGIS push-down not used (not a PostgreSQL layer): " + BULK in feedback.infos
    assert 'Loading the output into "public"."us7_bulk" (database ocs_test) in bulk (GDAL, COPY)…' in \
        feedback.infos
    assert "5 features read and written, 2.2000 ha in and out (geometries copied unchanged)." in feedback.infos
    assert 'Spatial index on geom of "public"."us7_bulk" (database ocs_test).' in feedback.infos
    assert not any("password" in m for m in feedback.infos)
    layer = pg_layer(postgis, "us7_bulk")
    tr.check_us7({f["id"]: f for f in layer.getFeatures()})
    names = check_output(postgis, "us7_bulk", style="p4_2021")
    reference = run("ocs:reclassify", {"INPUT": source, "OUTPUT": str(tmp_path / "us7_b_out.gpkg")})[0]["OUTPUT"]
    reference = QgsVectorLayer(reference, "ref", "ogr")
    assert names[:2] == ["fid", "geom"] and names[2:] == reference.fields().names()[1:]   # the generic order
    assert rows_by(layer, "id") == rows_by(reference, "id")
    # the key holds the GeoPackage's fids (here 1 to 5 as the ids)
    assert sql(postgis, "SELECT fid, id FROM public.us7_bulk ORDER BY fid") == [[i, i] for i in range(1, 6)]
    sql(postgis, "INSERT INTO public.us7_bulk (id) VALUES (6)")         # numbered on (QGIS editing)
    assert sql(postgis, "SELECT fid FROM public.us7_bulk WHERE id = 6") == [[6]]
    sql(postgis, "DELETE FROM public.us7_bulk WHERE id = 6")
    types = column_types(postgis, "us7_bulk")
    assert types["fid"] == "bigint" and types["id"] == "integer"
    assert types["p4_2021"] == types["p21_2021"] == "integer"
    assert types["p4_2021_lib"] == types["enaf_2021"] == types["cs21"] == "character varying"
    assert sql(postgis, "SELECT character_maximum_length FROM information_schema.columns WHERE table_name = "
                        "'us7_bulk' AND column_name = 'cs21'") == [[255]]       # the input's width kept
    assert sql(postgis, "SELECT Find_SRID('public', 'us7_bulk', 'geom'), GeometryType(geom) FROM "
                        "public.us7_bulk LIMIT 1") == [[2154, "MULTIPOLYGON"]]
    _results, again = run("ocs:reclassify", {"INPUT": source, "OUTPUT": out(postgis, "us7_bulk")})
    assert 'Table "public"."us7_bulk" (database ocs_test) exists: it is replaced by this output.' in again.infos
    assert pg_layer(postgis, "us7_bulk").featureCount() == 5
    assert len(default_styles(postgis, "us7_bulk")) == 1
    assert len(gist_indexes(postgis, "us7_bulk")) == 1


def test_bulk_paths_never_log_the_password(postgis, tmp_path):
    """A destination and an input with a password (role ocs_pw): loaded and copied, the password in no log line."""
    uri = QgsDataSourceUri(postgis)
    secret = "dbname='%s' host=%s port=%s user='ocs_pw' password='ocs-secret'" % (uri.database(), uri.host(),
                                                                                 uri.port())
    source = to_gpkg(tr.us7_layout(), tmp_path / "us7_pw.gpkg")
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": out(secret, "us7_pw")})
    assert any("Loading the output into" in m for m in feedback.infos)
    load(postgis, tr.us7_layout(), "us7_pw_in", tmp_path, key="id")
    sql(postgis, "GRANT SELECT ON public.us7_pw_in TO ocs_pw")
    results, copied = run("ocs:reclassify", {"INPUT": "%s table=\"public\".\"us7_pw_in\" (geom)" % secret,
                                             "OUTPUT": str(tmp_path / "us7_pw_back.gpkg")})
    assert "5 features copied." in copied.infos
    tr.check_us7({f["id"]: f for f in QgsVectorLayer(results["OUTPUT"], "back", "ogr").getFeatures()})
    tr.check_us7({f["id"]: f for f in pg_layer(postgis, "us7_pw").getFeatures()})
    for log in (feedback, copied):     # but Processing's own echo of the output's value, as on any path
        assert [m for m in log.infos + log.errors + log.debug if "ocs-secret" in m and
                not m.startswith("Results: ")] == []


def test_bulk_load_of_a_layer_it_does_not_map(postgis, tmp_path):
    """A layer declared Polygon (not MultiPolygon): the table is created by GDAL (geometry column last), same
    rows and key."""
    from ocs_toolbox.fastpath import pg

    path = to_gpkg(tr.us7_layout(), tmp_path / "poly.gpkg", "poly")
    count, area = pg.load_gpkg(postgis, path, "poly", pg.PgTable("public", "poly_loaded", "fid", "geom"))
    assert (count, round(area, 6)) == (5, 22000.0)
    assert columns(postgis, "poly_loaded")[:2] == ["fid", "id"] and columns(postgis, "poly_loaded")[-1] == "geom"
    assert primary_key(postgis, "poly_loaded") == ["fid"]
    assert sql(postgis, "SELECT fid, id FROM public.poly_loaded ORDER BY fid") == [[i, i] for i in range(1, 6)]


def test_reclassify_postgis_to_gpkg_through_a_copy(postgis, tmp_path):
    """PostGIS → GeoPackage: the relation is copied once to a temporary GeoPackage (GDAL) and the fast path runs
    on it; the output is the GeoPackage → GeoPackage one, numbered 1, 2, … in the key's order with the key kept
    as a field (as the feature-by-feature path numbers it); two vintages, agricultural structures near the
    envelope (16.54 ha)."""
    layout = tr.agri_layout()
    source = load(postgis, layout, "agri_copy", tmp_path, key="id")
    sql(postgis, "UPDATE public.agri_copy SET id = 60 - 10 * id")        # keys 50, 40, 30, 20, 10
    results, feedback = run("ocs:reclassify", {"INPUT": source, "TARGETS": [4, 6],
                                               "OUTPUT": str(tmp_path / "agri_copy.gpkg")})
    assert "Copying the PostgreSQL input to a temporary GeoPackage (GDAL)…" in feedback.infos
    assert "5 features copied." in feedback.infos
    assert "5 features read and written, 16.5400 ha in and out (geometries copied unchanged)." in feedback.infos
    assert any("2021: 0 of 0 US7.0.0" in m and "3 of 4 agricultural" in m for m in feedback.infos)
    layer = QgsVectorLayer(results["OUTPUT"], "out", "ogr")
    assert {f["id"]: f["enaf_2021"] for f in layer.getFeatures()} == {50: "Uh", 40: "Ue", 30: "Ue", 20: "Ue",
                                                                      10: "A"}
    assert {f.id(): f["id"] for f in layer.getFeatures()} == {1: 10, 2: 20, 3: 30, 4: 40, 5: 50}
    reference = run("ocs:reclassify", {"INPUT": to_gpkg(layout, tmp_path / "agri_c.gpkg"), "TARGETS": [4, 6],
                                       "OUTPUT": str(tmp_path / "agri_c_out.gpkg")})[0]["OUTPUT"]
    reference = QgsVectorLayer(reference, "ref", "ogr")
    assert layer.fields().names() == reference.fields().names()
    expected = {60 - 10 * k: v for k, v in rows_by(reference, "id").items()}
    for attributes, _area in expected.values():
        attributes["id"] = 60 - 10 * attributes["id"]
    assert rows_by(layer, "id") == expected
    assert [f.type() for f in layer.fields()] == [f.type() for f in reference.fields()]
    # styled and spatially indexed as the GeoPackage output
    with closing(sqlite3.connect(results["OUTPUT"])) as connection:
        assert connection.execute("SELECT count(*) FROM gpkg_extensions WHERE extension_name = "
                                  "'gpkg_rtree_index'").fetchone() == (1,)


def test_reclassify_copy_keeps_a_key_named_fid(postgis, tmp_path):
    """A table keyed by fid (as ogr2ogr loads one): the output's fids are the key's values, as the
    feature-by-feature path writes a field fid."""
    source = load(postgis, tr.us7_layout(), "us7_fidkey", tmp_path)
    sql(postgis, "UPDATE public.us7_fidkey SET fid = fid + 100")
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": str(tmp_path / "fidkey.gpkg")})
    assert "5 features copied." in feedback.infos
    layer = QgsVectorLayer(results["OUTPUT"], "out", "ogr")
    assert {f.id(): f["id"] for f in layer.getFeatures()} == {100 + i: i for i in range(1, 6)}
    tr.check_us7({f["id"]: f for f in layer.getFeatures()})


def test_reclassify_query_layer_with_subset_copied(postgis, tmp_path):
    """A query layer with a subset string: the copy reads what the layer shows (ids 1, 2, 4)."""
    load(postgis, tr.us7_layout(), "us7_qc", tmp_path, key="id")
    source = "%s key='id' table=\"(SELECT * FROM public.us7_qc WHERE id <> 3)\" (geom) sql=\"id\" <> 5" % postgis
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": str(tmp_path / "qc.gpkg")})
    assert "3 features copied." in feedback.infos
    layer = QgsVectorLayer(results["OUTPUT"], "out", "ogr")
    assert {f["id"]: f["p21_2021"] for f in layer.getFeatures()} == {1: 1, 2: 13, 4: 14}


def test_reclassify_postgis_to_another_database(postgis, tmp_path):
    """PostGIS → PostGIS in another database: copied, fast path, loaded in bulk; the GeoPackage output's rows."""
    layout = tr.agri_layout()
    source = load(postgis, layout, "agri_db", tmp_path, key="id")
    other = other_database(postgis)
    results, feedback = run("ocs:reclassify", {"INPUT": source, "TARGETS": [4, 6],
                                               "OUTPUT": out(other, "agri_db_out")})
    assert "PostGIS push-down not used (the output is in another database): " + BULK in feedback.infos
    assert "5 features copied." in feedback.infos
    assert 'Loading the output into "public"."agri_db_out" (database ocs_other) in bulk (GDAL, COPY)…' in \
        feedback.infos
    assert 'Spatial index on geom of "public"."agri_db_out" (database ocs_other).' in feedback.infos
    layer = pg_layer(other, "agri_db_out")
    assert {f["id"]: f["enaf_2021"] for f in layer.getFeatures()} == {1: "Uh", 2: "Ue", 3: "Ue", 4: "Ue", 5: "A"}
    assert {f["id"]: f["p4_2015"] for f in layer.getFeatures()} == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}
    reference = run("ocs:reclassify", {"INPUT": to_gpkg(layout, tmp_path / "agri_d.gpkg"), "TARGETS": [4, 6],
                                       "OUTPUT": str(tmp_path / "agri_d_out.gpkg")})[0]["OUTPUT"]
    assert rows_by(layer, "id") == rows_by(QgsVectorLayer(reference, "ref", "ogr"), "id")
    check_output(other, "agri_db_out", style="p4_2021")
    assert sql(other, "SELECT fid, id FROM public.agri_db_out ORDER BY fid") == [[i, i] for i in range(1, 6)]
    assert sum(f.geometry().area() for f in layer.getFeatures()) == pytest.approx(165400.0)


def test_reclassify_copy_refused_with_its_reason(postgis, tmp_path):
    """A field fid that is not the key: the copy could not give the feature-by-feature numbering; said, and the
    generic path writes the same classes."""
    sql(postgis, "CREATE TABLE public.with_fid (id integer PRIMARY KEY, fid integer, cs21 varchar, us21 varchar, "
                 "geom geometry(Polygon, 2154))")
    sql(postgis, "INSERT INTO public.with_fid VALUES (1, 7, 'CS1.1.1', 'US5.1.1', "
                 "ST_MakeEnvelope(700000, 7030000, 700100, 7030100, 2154)), (2, 8, 'CS1.2.1', 'US7.0.0', "
                 "ST_MakeEnvelope(700500, 7030000, 700530, 7030100, 2154))")
    source = "%s table=\"public\".\"with_fid\" (geom)" % postgis
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": str(tmp_path / "with_fid.gpkg")})
    assert "PostgreSQL input not copied for the GeoPackage fast path (a field fid that is not the key): feature " \
           "by feature." in feedback.infos
    out_layer = QgsVectorLayer(results["OUTPUT"], "out", "ogr")
    assert {f["id"]: f["p21_2021"] for f in out_layer.getFeatures()} == {1: 1, 2: 21}
    assert {f.id(): f["id"] for f in out_layer.getFeatures()} == {7: 1, 8: 2}     # the field fid as the fid


def test_artificialisation_postgis_to_postgis(postgis, tmp_path):
    layout = ta.layout()
    source = load(postgis, layout, "artif_in", tmp_path)
    results, feedback = run("ocs:artificialisation", {"INPUT": "postgres://" + source,
                                                      "OUTPUT": out(postgis, "artif_out")})
    layer = pg_layer(postgis, "artif_out")
    checked = 0
    for feature in layer.getFeatures():       # the thresholds agree with IGN's product, as from a GeoPackage
        if is_null(feature["ign_artif"]):
            assert is_null(feature["artif_2021"])
            continue
        expected = 1 if feature["ign_artif"] == "artif" else 0
        assert (feature["artif_2021"], feature["crit_seuil_2021"]) == (expected, feature["ign_crit"])
        checked += 1
    assert checked == 40
    assert any("make 1 polygons (0.1600 ha) artificialised and 3 polygons (0.3200 ha) non-artificialised; "
               "1 built polygons" in m for m in feedback.infos)
    check_output(postgis, "artif_out", style="artif_2021")
    # written by PostgreSQL (push-down): the input's rows and geometries copied there, the statuses joined by key
    assert 'Run by PostgreSQL (push-down): writing "public"."artif_out"…' in feedback.infos
    assert any("features written" in m and "ha in and out" in m for m in feedback.infos)
    reference = run("ocs:artificialisation", {"INPUT": to_gpkg(layout, tmp_path / "a.gpkg"),
                                              "OUTPUT": str(tmp_path / "a_out.gpkg")})[0]["OUTPUT"]
    assert by_part(rows_by(layer, "fid")) == by_part(rows_by(QgsVectorLayer(reference, "ref", "ogr"), "fid"))


def by_part(rows):
    """rows_by's rows by (case, part) of test_artificialisation's layout."""
    return {(a["case"], a["part"]): (a, area) for a, area in rows.values()}


def test_artificialisation_gpkg_to_postgis_loaded_in_bulk(postgis, tmp_path):
    """GeoPackage → PostGIS: the features written to a temporary GeoPackage, loaded by GDAL (COPY); the rows of
    the GeoPackage output (the thresholds as IGN's product), under its fids, with key, index and style."""
    source = to_gpkg(ta.layout(), tmp_path / "ab.gpkg")
    results, feedback = run("ocs:artificialisation", {"INPUT": source, "OUTPUT": out(postgis, "artif_bulk")})
    assert "PostGIS push-down not used (not a PostgreSQL layer): " + BULK in feedback.infos
    assert 'Loading the output into "public"."artif_bulk" (database ocs_test) in bulk (GDAL, COPY)…' in \
        feedback.infos
    assert 'Spatial index on geom of "public"."artif_bulk" (database ocs_test).' in feedback.infos
    layer = pg_layer(postgis, "artif_bulk")
    reference = run("ocs:artificialisation", {"INPUT": source, "OUTPUT": str(tmp_path / "ab_out.gpkg")})[0]
    reference = QgsVectorLayer(reference["OUTPUT"], "ref", "ogr")
    assert rows_by(layer, "fid") == rows_by(reference, "fid")       # the same fids too
    assert sum(1 for f in layer.getFeatures() if f["artif_2021"] == 1) == \
        sum(1 for f in reference.getFeatures() if f["artif_2021"] == 1) > 0
    assert check_output(postgis, "artif_bulk", style="artif_2021")[:2] == ["fid", "geom"]
    types = column_types(postgis, "artif_bulk")
    assert types["artif_2021"] == types["crit_seuil_2021"] == "integer"


def test_artificialisation_postgis_copied_to_gpkg_and_to_another_database(postgis, tmp_path):
    """PostGIS → GeoPackage: read from a temporary GeoPackage copy; PostGIS → PostGIS in another database: the
    same, loaded in bulk. Both give the GeoPackage → GeoPackage rows."""
    layout = ta.layout()
    source = load(postgis, layout, "artif_copy", tmp_path)
    reference = run("ocs:artificialisation", {"INPUT": to_gpkg(layout, tmp_path / "ac.gpkg"),
                                              "OUTPUT": str(tmp_path / "ac_out.gpkg")})[0]["OUTPUT"]
    expected = by_part(rows_by(QgsVectorLayer(reference, "ref", "ogr"), "fid"))
    results, feedback = run("ocs:artificialisation", {"INPUT": source, "OUTPUT": str(tmp_path / "ac_pg.gpkg")})
    assert "Copying the PostgreSQL input to a temporary GeoPackage (GDAL)…" in feedback.infos
    assert any("make 1 polygons (0.1600 ha) artificialised and 3 polygons (0.3200 ha) non-artificialised; "
               "1 built polygons" in m for m in feedback.infos)
    copied = QgsVectorLayer(results["OUTPUT"], "copied", "ogr")
    assert copied.crs().authid() == "EPSG:2154"
    assert by_part(rows_by(copied, "fid")) == expected
    other = other_database(postgis)
    results, feedback = run("ocs:artificialisation", {"INPUT": source, "OUTPUT": out(other, "artif_other")})
    assert "PostGIS push-down not used (the output is in another database): " + BULK in feedback.infos
    assert any("features copied." in m for m in feedback.infos)
    assert by_part(rows_by(pg_layer(other, "artif_other"), "fid")) == expected
    check_output(other, "artif_other", style="artif_2021")


def test_artificialisation_dissolved_is_not_pushed_down(postgis, tmp_path):
    """DISSOLVE builds new polygons: the generic path writes them, and the log says why."""
    source = load(postgis, ta.layout(), "artif_d", tmp_path)
    results, feedback = run("ocs:artificialisation", {"INPUT": source, "DISSOLVE": True,
                                                      "OUTPUT": out(postgis, "artif_d_out")})
    assert "PostGIS push-down not used (dissolved output): feature by feature." in feedback.infos
    assert not any("Run by PostgreSQL" in m for m in feedback.infos)
    layer = pg_layer(postgis, "artif_d_out")
    assert layer.featureCount() > 0
    assert "surface_ha" in layer.fields().names()


def test_change_tools_postgis_to_postgis(postgis, tmp_path):
    source = load(postgis, tc.grid_layer(), "grid", tmp_path)
    # the transition matrix is a table: written to PostGIS although the destination names a geometry column
    results, feedback = run("ocs:transitionmatrix", {"INPUT": source, "TARGET": 7,
                                                     "OUTPUT": out(postgis, "grid_matrix")})
    # no zones: the polygons grouped by their codes in PostgreSQL, no geometry read
    assert "Polygons grouped by their codes by PostgreSQL: no geometry read but for the spatial rules." in \
        feedback.infos
    matrix = pg_layer(postgis, "grid_matrix", geometry=False)
    assert matrix.featureCount() == 3 * 16
    cells = {}
    for feature in matrix.getFeatures():
        key = (feature["periode"], feature["code_avant"], feature["code_apres"])
        cells[key] = cells.get(key, 0.0) + feature["surface_ha"]
    assert {k[1:]: round(v, 6) for k, v in cells.items() if v and k[0] == "2005-2021"} == {
        ("2", "1"): 6.0, ("3", "3"): 2.0, ("1", "1"): 5.0, ("4", "4"): 2.0, ("3", "2"): 3.0}
    assert {k[1:]: round(v, 6) for k, v in cells.items() if v and k[0] == "2015-2021"} == {
        ("2", "1"): 1.0, ("1", "1"): 10.0, ("3", "3"): 2.0, ("4", "4"): 2.0, ("2", "2"): 3.0}
    assert check_output(postgis, "grid_matrix", geometry=False) == [
        "fid", "periode", "code_avant", "libelle_avant", "code_apres", "libelle_apres", "surface_ha"]

    results, _feedback = run("ocs:changedetection", {"INPUT": source, "TARGET": 7,
                                                      "OUTPUT": out(postgis, "grid_changes")})
    layer = pg_layer(postgis, "grid_changes")
    found = sorted((f["code_avant"], f["code_apres"], f["type_changement"], round(f["surface_m2"]))
                   for f in layer.getFeatures())
    assert found == [("2", "1", "artificialisation", 10000), ("2", "1", "artificialisation", 10000),
                     ("2", "1", "artificialisation", 10000), ("2", "1", "consommation ENAF", 30000),
                     ("3", "2", "mutation agricole/naturelle", 30000)]
    assert sum(f.geometry().area() for f in layer.getFeatures()) == pytest.approx(9e4)
    check_output(postgis, "grid_changes", style="type_changement")

    # flows without zones: one row "total" without geometry, a table
    results, feedback = run("ocs:territoryflows", {"INPUT": source, "TARGET": 7,
                                                   "OUTPUT": out(postgis, "grid_flows")})
    assert any(m.startswith("Polygons grouped by their codes by PostgreSQL") for m in feedback.infos)
    flows = {f["zone"]: f for f in pg_layer(postgis, "grid_flows", geometry=False).getFeatures()}
    assert list(flows) == ["total"]
    assert flows["total"]["surface_ha"] == pytest.approx(18.0)
    assert flows["total"]["artif_2005_2021_ha"] == pytest.approx(3.0)
    assert flows["total"]["conso_enaf_2005_2021_ha"] == pytest.approx(6.0)
    assert flows["total"]["artif_net_2015_2021_ha"] == pytest.approx(-1.0)
    check_output(postgis, "grid_flows", geometry=False)


def test_zones_from_postgis(postgis, tmp_path):
    source = load(postgis, tc.grid_layer(), "grid_z", tmp_path)
    zones = load(postgis, tc.zones_layer(), "communes", tmp_path)
    results, feedback = run("ocs:transitionmatrix", {
        "INPUT": source, "TARGET": 7, "FROM_VINTAGE": "2005", "TO_VINTAGE": "2021", "ZONES": zones,
        "ZONE_FIELD": "insee", "OUTPUT": out(postgis, "grid_z_matrix", geometry=False)})
    assert not any(m.startswith("Polygons grouped by their codes") for m in feedback.infos)   # zones: read
    cells = {}
    for feature in pg_layer(postgis, "grid_z_matrix", geometry=False).getFeatures():
        key = (feature["zone"], feature["code_avant"], feature["code_apres"])
        cells[key] = cells.get(key, 0.0) + feature["surface_ha"]
    assert {k[1:]: round(v, 6) for k, v in cells.items() if v and k[0] == "B"} == {
        ("3", "3"): 1.0, ("1", "1"): 3.5, ("4", "4"): 1.0, ("2", "1"): 2.5, ("3", "2"): 2.5}
    assert {k[1:]: round(v, 6) for k, v in cells.items() if v and k[0] == "hors zones"} == {
        ("2", "1"): 0.5, ("1", "1"): 0.5, ("3", "2"): 0.5}


def test_existing_table_replaced_with_a_message(postgis, tmp_path):
    source = load(postgis, tr.us7_layout(), "us7_twice", tmp_path)
    _results, first = run("ocs:reclassify", {"INPUT": source, "OUTPUT": out(postgis, "us7_twice_out")})
    assert not any("exists" in m for m in first.infos)
    _results, second = run("ocs:reclassify", {"INPUT": source, "OUTPUT": out(postgis, "us7_twice_out")})
    assert 'Table "public"."us7_twice_out" (database ocs_test) exists: it is replaced by this output.' in \
        second.infos
    assert pg_layer(postgis, "us7_twice_out").featureCount() == 5       # replaced, not appended
    assert len(default_styles(postgis, "us7_twice_out")) == 1


# -- source strings ----------------------------------------------------------------------------------------

def test_refused_connection_is_not_reported_as_not_found(postgis, tmp_path):
    load(postgis, tr.us7_layout(), "us7_auth", tmp_path)
    uri = QgsDataSourceUri(postgis)
    wrong = "dbname='%s' host=%s port=%s user='ocs_pw' password='wrong-secret' table=\"public\".\"us7_auth\" " \
            "(geom)" % (uri.database(), uri.host(), uri.port())
    for given in (wrong, "postgres://" + wrong):
        with pytest.raises(QgsProcessingException) as raised:
            run("ocs:reclassify", {"INPUT": given, "OUTPUT": str(tmp_path / "never.gpkg")})
        message = str(raised.value)
        assert "Cannot connect to the PostgreSQL database ocs_test" in message
        assert 'password authentication failed for user "ocs_pw"' in message
        assert "not found" not in message and "wrong-secret" not in message


def test_missing_table_is_reported_as_not_found(postgis, tmp_path):
    with pytest.raises(QgsProcessingException) as raised:
        run("ocs:reclassify", {"INPUT": "%s table=\"public\".\"no_such_table\" (geom)" % postgis,
                               "OUTPUT": str(tmp_path / "never.gpkg")})
    assert 'Could not load INPUT: Table "public"."no_such_table" (database ocs_test) not found.' in \
        str(raised.value)


def test_applystyle_stores_the_style_in_the_database(postgis, tmp_path):
    source = load(postgis, tr.us7_layout(), "us7_style", tmp_path)
    results, feedback = run("ocs:reclassify", {"INPUT": source, "OUTPUT": str(tmp_path / "r.gpkg")})
    load(postgis, QgsVectorLayer(results["OUTPUT"], "r", "ogr"), "us7_to_style", tmp_path)
    assert default_styles(postgis, "us7_to_style") == []
    results, feedback = run("ocs:applystyle", {"INPUT": "%s table=\"public\".\"us7_to_style\" (geom)" % postgis,
                                               "FIELD": "enaf_2021"})
    assert default_styles(postgis, "us7_to_style") == [("enaf_2021", "geom")]
    assert 'Style stored as the default style of "public"."us7_to_style" (database ocs_test)' in feedback.infos
    styled = pg_layer(postgis, "us7_to_style")
    styled.loadDefaultStyle()
    assert styled.renderer().classAttribute() == "enaf_2021"


def test_gui_loads_a_postgis_output(postgis, tmp_path):
    """As the dialog does: an output to PostGIS with the project to load it in is loaded once, named and styled."""
    import processing
    from processing.gui.Postprocessing import handleAlgorithmResults
    from qgis.core import QgsProcessingContext, QgsProcessingOutputLayerDefinition, QgsProject

    from helpers import Feedback

    source = load(postgis, tc.grid_layer(), "grid_gui", tmp_path)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    before = set(QgsProject.instance().mapLayers())
    loaded = []
    processing.run("ocs:changedetection", {
        "INPUT": source, "TARGET": 7,
        "OUTPUT": QgsProcessingOutputLayerDefinition(out(postgis, "grid_gui_changes"), QgsProject.instance())},
        onFinish=lambda alg, ctx, feedback: loaded.append(handleAlgorithmResults(alg, ctx, feedback)),
        feedback=Feedback(), context=context)
    assert loaded == [True]
    new = [QgsProject.instance().mapLayer(i) for i in set(QgsProject.instance().mapLayers()) - before]
    try:
        assert len(new) == 1
        assert new[0].providerType() == "postgres" and new[0].featureCount() == 5
        assert new[0].renderer().classAttribute() == "type_changement"
    finally:
        QgsProject.instance().removeMapLayers([layer.id() for layer in new])
    check_output(postgis, "grid_gui_changes", style="type_changement")


def test_pushdown_never_writes_over_what_it_reads():
    """The push-down drops the output table first: an output that is the input table (with or without a subset
    string), or that a query layer reads, is left to the generic path."""
    from ocs_toolbox.fastpath import pg

    table = QgsDataSourceUri("dbname='x' key='id' table=\"public\".\"ocs\" (geom)")
    other = QgsDataSourceUri("dbname='x' table=\"public\".\"ocs_out\" (geom)")
    query = QgsDataSourceUri("dbname='x' key='id' table=\"(SELECT * FROM public.OCS_out)\" (geom)")
    assert pg.relation(table, "id").reads(pg.output_table(table))
    assert pg.relation(table, "id", "\"id\" > 1").reads(pg.output_table(table))
    assert not pg.relation(table, "id", "\"id\" > 1").reads(pg.output_table(other))
    assert pg.relation(query, "id").reads(pg.output_table(other))
    assert pg.output_table(other) == pg.PgTable("public", "ocs_out", "fid", "geom")


def test_changedetection_pushdown(postgis, tmp_path):
    """ocs:changedetection PostGIS → PostGIS in one database (the push-down): the spatial rules read from the
    database (the agricultural structures 2, 3, 4 near the town's enveloppe urbaine are ENAF "Ue" in 2021), the
    polygons classified by groups and written by PostgreSQL: the rows of the GeoPackage → GeoPackage run on the
    same table; a NULL code and a missing geometry counted as there."""
    source = load(postgis, tr.agri_layout(), "agri_ch", tmp_path, key="id")
    sql(postgis, "INSERT INTO public.agri_ch (id, cs15, us15, cs21, us21, geom) VALUES "
                 "(6, NULL, 'US1.1.3', 'CS1.1.1', 'US1.1.7', ST_GeomFromText('%s', 2154)), "
                 "(7, 'CS1.1.1', 'US1.1.7', 'CS1.1.1', 'US1.1.7', NULL)" % box(2000, 0, 2010, 10))
    sql(postgis, "UPDATE public.agri_ch SET cs15 = cs15 WHERE id = 1")   # the town's row now last on disk
    assert [r[0] for r in sql(postgis, "SELECT id FROM public.agri_ch")][-1] == 1
    results, feedback = run("ocs:changedetection", {"INPUT": source, "ONLY_CHANGES": False,
                                                    "OUTPUT": out(postgis, "agri_changes")})
    assert any('Run by PostgreSQL (push-down): writing "public"."agri_changes"' in m for m in feedback.infos)
    layer = pg_layer(postgis, "agri_changes")
    found = sorted((str(value(f["enaf_avant"])), f["enaf_apres"], f["type_changement"], round(f["surface_m2"], 2))
                   for f in layer.getFeatures())
    assert found == sorted([("A", "A", "aucun changement", 900.0),
                            ("A", "Uh", "artificialisation", 160000.0),
                            ("A", "Ue", "aucun changement", 1200.0),
                            ("A", "Ue", "aucun changement", 2400.0),
                            ("A", "Ue", "artificialisation", 900.0),
                            ("None", "A", "inconnu", 100.0)])
    assert "1 features without geometry (or emptied by the repair) carry no area and are left out." in \
        feedback.errors
    assert any(m.startswith("1 features with a NULL or unknown code") for m in feedback.errors)
    assert any("16.5500 ha" in m for m in feedback.infos)          # 16.54 ha + the 100 m² of polygon 6
    names = check_output(postgis, "agri_changes", style="type_changement")
    assert names == ["fid", "geom"] + [name for name, _kind in ch.DETECTION_FIELDS]
    assert sql(postgis, "SELECT min(fid), max(fid) FROM public.agri_changes") == [[1, 6]]
    # the same rows as the feature-by-feature path on a GeoPackage copy of the table
    copy = str(tmp_path / "agri_ch.gpkg")
    assert gdal.VectorTranslate(copy, "PG:" + postgis, layers=["public.agri_ch"], layerName="agri_ch") is not None
    reference = run("ocs:changedetection", {"INPUT": copy + "|layername=agri_ch", "ONLY_CHANGES": False,
                                            "OUTPUT": str(tmp_path / "agri_changes.gpkg")})[0]["OUTPUT"]
    assert sorted(rows_by(layer, "fid").values(), key=repr) == sorted(
        rows_by(QgsVectorLayer(reference, "ref", "ogr"), "fid").values(), key=repr)
    # only the changes (the default): the two artificialised polygons and the unknown one
    results, feedback = run("ocs:changedetection", {"INPUT": source, "OUTPUT": out(postgis, "agri_changes")})
    assert 'Table "public"."agri_changes" (database ocs_test) exists: it is replaced by this output.' in feedback.infos
    assert sorted(round(f["surface_m2"]) for f in pg_layer(postgis, "agri_changes").getFeatures()) == [
        100, 900, 160000]


def test_changedetection_pushdown_not_used_with_zones(postgis, tmp_path):
    source = load(postgis, tc.grid_layer(), "grid_cz", tmp_path)
    zones = load(postgis, tc.zones_layer(), "communes_cz", tmp_path)
    results, feedback = run("ocs:changedetection", {"INPUT": source, "TARGET": 7, "ZONES": zones,
                                                    "ZONE_FIELD": "insee", "OUTPUT": out(postgis, "grid_cz_out")})
    assert "PostGIS push-down not used (zones): feature by feature." in feedback.infos
    layer = pg_layer(postgis, "grid_cz_out")
    assert sum(f.geometry().area() for f in layer.getFeatures()) == pytest.approx(9e4)
    assert {f["insee"] for f in layer.getFeatures()} >= {"A", "B"}


def test_changedetection_pushdown_us7_near_urban(postgis, tmp_path):
    """The 4 postes moved by a spatial rule (US7.0.0 within 20 m of an espace urbanisé: B and D are 1 in 2021,
    not 3 as C and E): in 2015 every polygon is a far US7.0.0 (3). Changed: A, B, D, 3 → 1; 10,000 + 3,000 +
    3,000 m²."""
    source = load(postgis, tr.us7_layout(), "us7_ch", tmp_path, key="id")
    sql(postgis, "ALTER TABLE public.us7_ch ADD COLUMN cs15 varchar, ADD COLUMN us15 varchar")
    sql(postgis, "UPDATE public.us7_ch SET cs15 = 'CS1.2.1', us15 = 'US7.0.0'")
    results, feedback = run("ocs:changedetection", {"INPUT": source, "OUTPUT": out(postgis, "us7_changes")})
    assert any("push-down" in m and '"public"."us7_changes"' in m for m in feedback.infos)
    layer = pg_layer(postgis, "us7_changes")
    assert sorted((f["code_avant"], f["code_apres"], round(f["surface_m2"])) for f in layer.getFeatures()) == [
        ("3", "1", 3000), ("3", "1", 3000), ("3", "1", 10000)]
    copy = str(tmp_path / "us7_ch.gpkg")
    assert gdal.VectorTranslate(copy, "PG:" + postgis, layers=["public.us7_ch"], layerName="us7_ch") is not None
    reference = run("ocs:changedetection", {"INPUT": copy + "|layername=us7_ch",
                                            "OUTPUT": str(tmp_path / "us7_changes.gpkg")})[0]["OUTPUT"]
    assert sorted(rows_by(layer, "fid").values(), key=repr) == sorted(
        rows_by(QgsVectorLayer(reference, "ref", "ogr"), "fid").values(), key=repr)


def test_matrix_and_flows_by_groups_equal_the_geopackage(postgis, tmp_path):
    """ocs:transitionmatrix and ocs:territoryflows from a PostGIS layer without zones read the polygons by groups
    (codes and the spatial rules' overrides, with a NULL code and a missing geometry): the same rows as from a
    GeoPackage copy of the table."""
    source = load(postgis, tr.agri_layout(), "agri_m", tmp_path, key="id")
    sql(postgis, "INSERT INTO public.agri_m (id, cs15, us15, cs21, us21, geom) VALUES "
                 "(6, NULL, 'US1.1.3', 'CS1.1.1', 'US1.1.7', ST_GeomFromText('%s', 2154)), "
                 "(7, 'CS1.1.1', 'US1.1.7', 'CS1.1.1', 'US1.1.7', NULL)" % box(2000, 0, 2010, 10))
    copy = str(tmp_path / "agri_m.gpkg")
    assert gdal.VectorTranslate(copy, "PG:" + postgis, layers=["public.agri_m"], layerName="agri_m") is not None
    for algorithm, target in (("ocs:transitionmatrix", 6), ("ocs:transitionmatrix", 7), ("ocs:territoryflows", 7)):
        results, feedback = run(algorithm, {"INPUT": source, "TARGET": target,
                                            "OUTPUT": str(tmp_path / ("pg_%s_%d.gpkg" % (algorithm[4:], target)))})
        assert any(m.startswith("Polygons grouped by their codes by PostgreSQL") for m in feedback.infos)
        assert "1 features without geometry (or emptied by the repair) carry no area and are left out." in \
            feedback.errors
        reference = run(algorithm, {"INPUT": copy + "|layername=agri_m", "TARGET": target,
                                    "OUTPUT": str(tmp_path / ("ref_%s_%d.gpkg" % (algorithm[4:], target)))})[0]["OUTPUT"]
        found = sorted(rows_by(QgsVectorLayer(results["OUTPUT"], "pg", "ogr"), "fid").values(), key=repr)
        assert found == sorted(rows_by(QgsVectorLayer(reference, "ref", "ogr"), "fid").values(), key=repr)
        assert len(found) == (1 if algorithm == "ocs:territoryflows" else {6: 16, 7: 9}[target])


GRID_STRAIGHT = ('Grid written straight into "public"."%s" (database ocs_test) by PostgreSQL (squares built from '
                 "the cells' columns and rows, no temporary GeoPackage).")


def test_heatisland_postgis_to_postgis_in_bulk(postgis, tmp_path):
    """ocs:heatisland on the square grid from and to PostGIS: the classes burnt band by band by GDAL straight from
    PostgreSQL (no copy of the input), the grid written straight into the table by PostgreSQL (no temporary
    GeoPackage): cell by cell the scores of GeoPackage → GeoPackage (the town of test_heatisland: 74 cells of 100 m,
    the wood cooling its neighbours)."""
    import test_heatisland as th

    two, path = th._town(tmp_path)
    source = load(postgis, two, "town", tmp_path)
    results, feedback = run("ocs:heatisland", {"INPUT": source, "CELL_SIZE": 100.0,
                                               "OUTPUT": out(postgis, "town_heat")})
    assert "Classes read by GDAL straight from PostgreSQL." in feedback.infos
    assert not any("copied" in m for m in feedback.infos)
    assert GRID_STRAIGHT % "town_heat" in feedback.infos
    assert not any(m.startswith("Loading the output into") for m in feedback.infos)
    check_output(postgis, "town_heat", style="classe_2021")
    layer = pg_layer(postgis, "town_heat")
    found = {f["id"]: [None if is_null(f[n]) or f[n] == "" else (round(f[n], 9) if isinstance(f[n], float)
                                                                 else f[n]) for n in th.SCORE_FIELDS]
             for f in layer.getFeatures()}
    reference = run("ocs:heatisland", {"INPUT": path, "CELL_SIZE": 100.0, "OUTPUT": str(tmp_path / "h.gpkg")})[0]
    expected = th._rows(reference["OUTPUT"])
    assert len(found) == 74 and found == expected
    assert sum(1 for row in found.values() if row[th.SCORE_FIELDS.index("refroidissement_2021")]) > 10


def _shifted_town():
    """The town of test_heatisland moved by (0.37, 0.81) m: (memory layer, (0.37, 0.81)); 1,050 × 620 m."""
    import test_heatisland as th
    from helpers import make_layer

    x0, y0 = 0.37, 0.81
    rows = [((0, 0, 1000, 200), th.ASPHALT + th.ASPHALT), ((0, 200, 300, 620), th.BUILT + th.BUILT),
            ((300, 200, 650, 620), th.TREES + th.TREES), ((650, 200, 1050, 620), th.WATER + th.GRASS),
            ((1000, 0, 1050, 200), th.GRASS + th.GRASS)]
    layer = make_layer([("CS_2018", "string"), ("US_2018", "string"), ("CS_2021", "string"), ("US_2021", "string")],
                       [(box(x0 + a, y0 + b, x0 + c, y0 + d),) + codes for (a, b, c, d), codes in rows])
    return layer, (x0, y0)


def test_heatisland_postgis_grid_origin_is_exact(postgis, tmp_path):
    """The grid's origin is the corner of the exact extent of the geometries: a town whose corners are no float32
    values (x0 = 700,000.37, y0 = 7,030,000.81; PostGIS's cached boxes are float32) gives the cells of the
    GeoPackage path, at the same places: 11 × 7 = 77 cells of 100 m from (700,000.37, 7,030,620.81)."""
    from helpers import X0, Y0

    layer, (x0, y0) = _shifted_town()
    source = load(postgis, layer, "shifted", tmp_path)
    results, feedback = run("ocs:heatisland", {"INPUT": source, "CELL_SIZE": 100.0,
                                               "OUTPUT": out(postgis, "shifted_heat")})
    assert "Classes read by GDAL straight from PostgreSQL." in feedback.infos
    assert GRID_STRAIGHT % "shifted_heat" in feedback.infos
    found = pg_layer(postgis, "shifted_heat")
    reference = QgsVectorLayer(run("ocs:heatisland", {
        "INPUT": to_gpkg(layer, tmp_path / "shifted.gpkg"), "CELL_SIZE": 100.0,
        "OUTPUT": str(tmp_path / "shifted_heat.gpkg")})[0]["OUTPUT"], "ref", "ogr")
    cells = {f["id"]: f.geometry().boundingBox() for f in found.getFeatures()}
    assert len(cells) == 77
    assert (cells[1].xMinimum(), cells[1].yMaximum()) == (X0 + x0, Y0 + y0 + 620.0)
    assert cells == {f["id"]: f.geometry().boundingBox() for f in reference.getFeatures()}
    assert rows_by(found, "id") == rows_by(reference, "id")


def column_definitions(conninfo, table):
    """[(column, type, identity)] of ``public.<table>`` in order (the geometry as geometry(type, SRID))."""
    return [(r[0], r[1], r[2]) for r in sql(
        conninfo, "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity FROM pg_attribute a WHERE "
                  "a.attrelid = 'public.%s'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum" % table)]


def test_heatisland_postgis_grid_straight_is_the_loaded_table(postgis, tmp_path, monkeypatch):
    """The grid written straight by PostgreSQL is the table the temporary GeoPackage loaded with COPY makes (that
    fallback forced here, and said in the log): the same columns, types, key (bigint identity, primary key),
    MultiPolygon geometry of SRID 2154 and GiST index; row by row the same keys, texts and squares (WKB to the
    byte); the doubles are those of the GeoPackage output to the bit (GDAL's COPY writes 15 significant digits:
    within 1e-14 there). Cell 9 of the shifted town's 11 × 7 grid is the cell of column 1, row 1: the square from
    its top-left corner (x0 + 100, y0 + 620 - 100) = (700,100.37, 7,030,520.81) clockwise, 100 m a side."""
    import struct

    from helpers import X0, Y0
    from ocs_toolbox.engines import heat as heat_engine
    from ocs_toolbox.fastpath.gpkg import FastPathUnavailable

    layer, (x0, y0) = _shifted_town()
    source = load(postgis, layer, "shifted_b", tmp_path)
    parameters = {"INPUT": source, "CELL_SIZE": 100.0}
    feedback = run("ocs:heatisland", dict(parameters, OUTPUT=out(postgis, "shifted_straight")))[1]
    assert GRID_STRAIGHT % "shifted_straight" in feedback.infos

    def refuse(_engine, _conninfo, _out):
        raise FastPathUnavailable("refused by the test")

    with monkeypatch.context() as patch:
        patch.setattr(heat_engine.HeatEngine, "write_grid_pg", refuse)
        feedback = run("ocs:heatisland", dict(parameters, OUTPUT=out(postgis, "shifted_copied")))[1]
    assert "Grid not written straight into PostgreSQL: refused by the test" in feedback.debug
    assert any(m.startswith('Loading the output into "public"."shifted_copied"') for m in feedback.infos)
    types = column_definitions(postgis, "shifted_straight")
    assert types == column_definitions(postgis, "shifted_copied")
    assert types[:4] == [("fid", "bigint", "d"), ("geom", "geometry(MultiPolygon,2154)", ""),
                         ("id", "integer", ""), ("part_couverte", "double precision", "")]
    assert ("classe_2021", "character varying", "") in types
    for table in ("shifted_straight", "shifted_copied"):
        check_output(postgis, table, style="classe_2021")
    doubles = [name for name, kind, _i in types if kind == "double precision"]
    others = [name for name, kind, _i in types if kind != "double precision" and name != "geom"]
    differ = " OR ".join(["a.%s IS DISTINCT FROM b.%s" % (quoted, quoted) for quoted in map(pg_name, others)] +
                         ["ST_AsBinary(a.geom) <> ST_AsBinary(b.geom)"] +
                         ["(a.{0} IS NULL) <> (b.{0} IS NULL) OR abs(a.{0} - b.{0}) > 1e-14 * abs(a.{0})".format(
                             pg_name(n)) for n in doubles])
    assert sql(postgis, "SELECT count(*), count(a.fid), count(b.fid), count(*) FILTER (WHERE %s) FROM "
                        "public.shifted_straight a FULL JOIN public.shifted_copied b USING (fid)" % differ) == [
        [77, 77, 77, 0]]
    # the doubles to the bit: those of the GeoPackage output
    reference = run("ocs:heatisland", dict(parameters, INPUT=to_gpkg(layer, tmp_path / "shifted_b.gpkg"),
                                           OUTPUT=str(tmp_path / "shifted_b_heat.gpkg")))[0]["OUTPUT"]
    with closing(sqlite3.connect(reference.split("|")[0])) as db:
        (grid,), = db.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchall()
        expected = {row[0]: list(row[1:]) for row in db.execute(
            "SELECT fid, %s FROM %s" % (", ".join(map(pg_name, doubles)), pg_name(grid)))}
    found = {int(row[0]): [None if not row[i] else struct.unpack(">d", bytes.fromhex(row[i]))[0]
                           for i in range(1, len(row))]
             for row in sql(postgis, "SELECT fid, %s FROM public.shifted_straight" % ", ".join(
                 "encode(float8send(%s), 'hex')" % pg_name(n) for n in doubles))}
    assert len(found) == 77 and found == expected
    left, top = X0 + x0 + 100.0, Y0 + y0 + 620.0 - 100.0
    square = struct.pack("<BIIBIII10d", 1, 6, 1, 1, 3, 1, 5, left, top, left + 100.0, top, left + 100.0,
                         top - 100.0, left, top - 100.0, left, top)
    assert sql(postgis, "SELECT encode(ST_AsBinary(geom, 'NDR'), 'hex') FROM public.shifted_straight WHERE "
                        "fid = 9") == [[square.hex()]]
    assert (left, top) == (700100.37, 7030520.81)


def pg_name(name):
    return '"%s"' % name


def test_heatisland_postgis_grid_in_chunks_and_refused(postgis, tmp_path, monkeypatch):
    """The town's 74 cells sent 20 at a time (4 INSERTs run by two connections) make the table of one INSERT, row
    by row; when the server refuses the third INSERT, the table is dropped and the grid goes the temporary
    GeoPackage's way (the reason in the log), whole: 74 rows, the same."""
    import functools

    import test_heatisland as th
    from ocs_toolbox.engines import heatgrid

    two, _path = th._town(tmp_path)
    source = load(postgis, two, "town_c_in", tmp_path)
    run("ocs:heatisland", {"INPUT": source, "CELL_SIZE": 100.0, "OUTPUT": out(postgis, "town_one")})
    sent = []
    insert = heatgrid.pg_insert

    def counted(*args):
        sent.append(args[-1])
        return insert(*args)

    monkeypatch.setattr(heatgrid, "write_pg", functools.partial(heatgrid.write_pg, chunk=20))
    monkeypatch.setattr(heatgrid, "pg_insert", counted)
    feedback = run("ocs:heatisland", {"INPUT": source, "CELL_SIZE": 100.0, "OUTPUT": out(postgis, "town_chunks")})[1]
    assert GRID_STRAIGHT % "town_chunks" in feedback.infos
    assert sent == [slice(0, 20), slice(20, 40), slice(40, 60), slice(60, 80)]
    same = "SELECT count(*) FROM public.town_one a FULL JOIN public.%s b USING (fid) WHERE a.* IS DISTINCT FROM b.*"
    assert sql(postgis, same % "town_chunks") == [[0]]

    def refused(*args):
        return "SELECT no_such_column FROM public.town_one" if args[-1].start == 40 else insert(*args)

    monkeypatch.setattr(heatgrid, "pg_insert", refused)
    feedback = run("ocs:heatisland", {"INPUT": source, "CELL_SIZE": 100.0, "OUTPUT": out(postgis, "town_refused")})[1]
    assert any(m.startswith("Grid not written straight into PostgreSQL: PostgreSQL refused the rows: ") and
               "no_such_column" in m for m in feedback.debug)
    assert any(m.startswith('Loading the output into "public"."town_refused"') for m in feedback.infos)
    assert sql(postgis, "SELECT count(*) FROM public.town_refused") == [[74]]
    differ = "SELECT count(*) FROM public.town_one a FULL JOIN public.town_refused b USING (fid) WHERE " \
             "ST_AsBinary(a.geom) <> ST_AsBinary(b.geom) OR a.classe_2021 IS DISTINCT FROM b.classe_2021 OR " \
             "abs(a.score_2021 - b.score_2021) > 1e-12"
    assert sql(postgis, differ) == [[0]]


def test_grid_values_sent_as_indexes_in_their_distinct_values(postgis):
    """How heat's grid values travel (fastpath/pg.unnest_sql): integers as they are; doubles as 1-based indexes in
    the array of their distinct values written with repr (0.1 + 0.2 = 0.30000000000000004 comes back to the bit, NaN
    is NULL, -0.0 is 0.0 as SQLite stores it); texts as indexes in their distinct values, None as NULL."""
    import numpy
    from ocs_toolbox.fastpath import pg

    given, values = pg.unnest_sql([("int", numpy.array([3, 4, 5, 6])),
                                   ("double", numpy.array([0.1 + 0.2, numpy.nan, -0.0, 0.1 + 0.2])),
                                   ("str", ["b", None, "a", "b"])])
    assert given == ("unnest('{3, 4, 5, 6}'::bigint[], '{2, NULL, 1, 2}'::integer[], '{2, NULL, 1, 2}'::integer[]) "
                     "AS v(c0, c1, c2)")
    assert values == ["v.c0", "('{0.0, 0.30000000000000004}'::float8[])[v.c1]", "(ARRAY['a','b']::varchar[])[v.c2]"]
    rows = sql(postgis, "SELECT %s, encode(float8send(%s), 'hex') FROM %s" % (", ".join(values), values[1], given))
    assert [[r[0], None if is_null(r[1]) else r[1], None if is_null(r[2]) else r[2], None if is_null(r[3]) else r[3]]
            for r in rows] == [[3, 0.30000000000000004, "b", "3fd3333333333334"],
                               [4, None, None, None], [5, 0.0, "a", "0000000000000000"],
                               [6, 0.30000000000000004, "b", "3fd3333333333334"]]


def test_heatisland_postgis_subset_read_in_place(postgis, tmp_path):
    """A subset string on the PostGIS layer (the 1,000 × 200 m asphalt strip along the south left out): the classes
    read in place are those of the rows it keeps: cell by cell the GeoPackage path on a layer without the strip
    (the 20 cells of the strip's two rows left without land cover: 54 cells written of 74)."""
    import test_heatisland as th
    from helpers import make_layer

    two, _path = th._town(tmp_path)
    source = load(postgis, two, "town_sub", tmp_path) + " sql=\"US_2018\" <> 'US4.1.1'"
    results, feedback = run("ocs:heatisland", {"INPUT": source, "CELL_SIZE": 100.0,
                                               "OUTPUT": out(postgis, "town_sub_heat")})
    assert "Classes read by GDAL straight from PostgreSQL." in feedback.infos
    assert GRID_STRAIGHT % "town_sub_heat" in feedback.infos
    kept = make_layer([(f.name(), "string") for f in two.fields()],
                      [(f.geometry().asWkt(),) + tuple(f.attributes()) for f in two.getFeatures()
                       if f["US_2018"] != "US4.1.1"])
    reference = run("ocs:heatisland", {"INPUT": to_gpkg(kept, tmp_path / "kept.gpkg"), "CELL_SIZE": 100.0,
                                       "OUTPUT": str(tmp_path / "kept_heat.gpkg")})[0]["OUTPUT"]
    found = {f["id"]: [None if is_null(f[n]) or f[n] == "" else (round(f[n], 9) if isinstance(f[n], float)
                                                                 else f[n]) for n in th.SCORE_FIELDS]
             for f in pg_layer(postgis, "town_sub_heat").getFeatures()}
    expected = th._rows(reference)
    assert len(found) == 54
    assert found == expected


def test_carbon_from_postgis_through_a_copy(postgis, tmp_path):
    """ocs:carbon from a PostGIS layer: copied to a temporary GeoPackage (GDAL) for the SQLite fast path; the stocks
    and flows by hand of test_carbon (59002: 50 → 30 tC; 62001: 140.205 → 121.705 tC, −14.1 tC ploughed)."""
    import test_carbon as tca

    source = load(postgis, tca.land(), "carbon_in", tmp_path)
    zones = load(postgis, tca.communes(), "carbon_communes", tmp_path)
    results, feedback = run("ocs:carbon", {"INPUT": source, "ZONES": zones, "ZONE_FIELD": "insee_com",
                                           "OUTPUT": str(tmp_path / "s.gpkg"), "OUTPUT_FLOWS": str(tmp_path / "f.gpkg")})
    assert "3 features copied." in feedback.infos
    # only the first check declined (the input is not a GeoPackage); the engine's fast path read the copy
    assert [m for m in feedback.debug if "fast path not used" in m] == [
        "GeoPackage fast path not used: not a plain OGR layer"]
    stocks = {f["zone"]: f for f in QgsVectorLayer(results["OUTPUT"], "s", "ogr").getFeatures()}
    assert stocks["59002"]["sol_tc_2015"] == pytest.approx(50.0)
    assert stocks["59002"]["sol_tc_2021"] == pytest.approx(30.0)
    assert stocks["62001"]["total_tc_2015"] == pytest.approx(140.205)
    assert stocks["62001"]["total_tc_2021"] == pytest.approx(121.705)
    flows = {(f["zone"], f["periode"]): f for f in QgsVectorLayer(results["OUTPUT_FLOWS"], "f", "ogr").getFeatures()}
    assert flows[("62001", "2015-2021")]["total_tc"] == pytest.approx(-14.1)
    assert flows[("total", "2015-2021")]["total_tc"] == pytest.approx(-34.1)
