"""The GeoPackage fast path of ocs:reclassify gives exactly what the feature-by-feature path gives."""
from qgis.core import QgsProcessingFeatureSourceDefinition, QgsProject, QgsVectorLayer

from helpers import X0, Y0, box, features_by, is_null, make_layer, run, to_gpkg
from test_reclassify import agri_layout, us7_layout


def values(path):
    layer = QgsVectorLayer(path, "o", "ogr")
    names = [f.name() for f in layer.fields()]
    return {f["id"]: tuple(None if is_null(f[n]) else f[n] for n in names) for f in layer.getFeatures()}, names


def both_paths(layer, tmp_path, parameters):
    source = to_gpkg(layer, tmp_path / "in.gpkg")
    fast, fast_feedback = run("ocs:reclassify", dict(parameters, INPUT=source, OUTPUT=str(tmp_path / "fast.gpkg")))
    generic, generic_feedback = run("ocs:reclassify", dict(parameters, INPUT=layer,
                                                           OUTPUT=str(tmp_path / "generic.gpkg")))
    assert not any("fast path not used" in m for m in fast_feedback.debug), fast_feedback.debug
    assert any("fast path not used" in m for m in generic_feedback.debug)
    return fast, fast_feedback, generic, generic_feedback


def test_same_values_with_spatial_rules(tmp_path):
    for name, layout in (("us7", us7_layout()), ("agri", agri_layout())):
        folder = tmp_path / name
        folder.mkdir()
        fast, fast_fb, generic, generic_fb = both_paths(layout, folder, {"TARGETS": list(range(9))})
        assert values(fast["OUTPUT"]) == values(generic["OUTPUT"])
        assert [m for m in fast_fb.infos if "lie within" in m] == [m for m in generic_fb.infos if "lie within" in m]


def test_same_counts_of_bad_codes(tmp_path):
    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 1, 1), 1, "CS1.1.1", "US5.1.1"), (box(1, 0, 2, 1), 2, None, "US5.1.1"),
        (box(2, 0, 3, 1), 3, "CS9.9.9", "US5.1.1"), (box(3, 0, 4, 1), 4, "CS9.9.9", "US5.1.1"),
        (box(4, 0, 5, 1), 5, " cs 6.3.0", "us1.1.3"), (box(5, 0, 6, 1), 6, "CS4.4.0", "US7.0.0"),
        (box(6, 0, 7, 1), 7, "", "")])
    fast, fast_fb, generic, generic_fb = both_paths(layer, tmp_path, {"TARGETS": [0, 4, 5]})
    assert values(fast["OUTPUT"]) == values(generic["OUTPUT"])
    assert sorted(fast_fb.errors) == sorted(generic_fb.errors)
    errors = "\n".join(fast_fb.errors)
    assert "2 feature-vintages have an unknown couverture code" in errors and "cs21=CS9.9.9 (2)" in errors
    assert "2 feature-vintages have a NULL couverture or usage code" in errors
    assert "1 feature-vintages are left unclassified" in errors
    out = features_by(fast["OUTPUT"], "id")
    assert (out[5]["p4_2021"], out[5]["niv1_cs_2021"]) == (2, "CS6")


def test_area_is_checked_and_reported(tmp_path):
    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"), (box(100, 0, 300, 100), 2, "CS6.3.0", "US1.1.3")])
    fast, feedback, _generic, _ = both_paths(layer, tmp_path, {"TARGETS": [4]})
    assert "2 features read and written, 3.0000 ha in and out (geometries copied unchanged)." in feedback.infos


def test_selection_goes_through_the_generic_path(tmp_path):
    source = QgsVectorLayer(to_gpkg(us7_layout(), tmp_path / "in.gpkg"), "in", "ogr")
    QgsProject.instance().addMapLayer(source)
    try:
        source.selectByIds([1, 2])
        definition = QgsProcessingFeatureSourceDefinition(source.id(), True)
        results, feedback = run("ocs:reclassify", {"INPUT": definition, "OUTPUT": str(tmp_path / "sel.gpkg")})
        assert any("fast path not used" in m for m in feedback.debug)
        assert sorted(features_by(results["OUTPUT"], "id")) == [1, 2]
    finally:
        QgsProject.instance().removeMapLayer(source.id())


def test_output_layer_name_and_style(tmp_path):
    source = to_gpkg(us7_layout(), tmp_path / "in.gpkg")
    results, _ = run("ocs:reclassify", {"INPUT": source, "OUTPUT": str(tmp_path / "named.gpkg|layername=postes")})
    layer = QgsVectorLayer(str(tmp_path / "named.gpkg") + "|layername=postes", "p", "ogr")
    assert layer.isValid() and layer.featureCount() == 5
    assert layer.renderer().classAttribute() == "p4_2021"


def test_spatial_rule_that_changes_nothing(tmp_path):
    # US7.0.0 on built land beside housing: the rule fires but its "near" values equal the far ones.
    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"), (box(100, 0, 130, 100), 2, "CS1.1.1", "US7.0.0")])
    fast, _fb, generic, _gfb = both_paths(layer, tmp_path, {"TARGETS": [4, 5, 6]})
    assert values(fast["OUTPUT"]) == values(generic["OUTPUT"])
    assert features_by(fast["OUTPUT"], "id")[2]["p21_2021"] == 6


def _index_rows(path, layer_name):
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return (connection.execute("SELECT id, minx, maxx, miny, maxy FROM rtree_%s_geom ORDER BY id"
                                   % layer_name).fetchall(),
                connection.execute("SELECT rtreecheck('rtree_%s_geom')" % layer_name).fetchone()[0],
                sorted(r[0] for r in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_%'")),
                connection.execute("SELECT extension_name FROM gpkg_extensions WHERE table_name = ?",
                                   (layer_name,)).fetchall())
    finally:
        connection.close()


def test_spatial_index_of_the_output(tmp_path):
    # The fast path gives the output the input's R-tree (same fids, same geometries): the same entries, tables,
    # triggers and extension row as GDAL builds itself (here on an input without spatial index, rebuilt by GDAL).
    from osgeo import gdal

    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(10 * i, 5 * (i % 3), 10 * i + 8, 5 * (i % 3) + 7), i, "CS1.1.1", "US5.1.1") for i in range(1, 400)])
    source = to_gpkg(layer, tmp_path / "in.gpkg", "ocs")
    bare = str(tmp_path / "bare.gpkg")
    gdal.VectorTranslate(bare, source, format="GPKG", layerCreationOptions=["SPATIAL_INDEX=NO"])
    reused, _ = run("ocs:reclassify", {"INPUT": source, "TARGETS": [4], "OUTPUT": str(tmp_path / "a.gpkg")})
    rebuilt, _ = run("ocs:reclassify", {"INPUT": bare, "TARGETS": [4], "OUTPUT": str(tmp_path / "b.gpkg")})
    a, b = _index_rows(reused["OUTPUT"], "a"), _index_rows(rebuilt["OUTPUT"], "b")
    assert len(a[0]) == 399 and a[0] == b[0] and a[1] == b[1] == "ok"
    assert [n.replace("rtree_a_", "") for n in a[2]] == [n.replace("rtree_b_", "") for n in b[2]] and a[2]
    assert a[3] == b[3] == [("gpkg_rtree_index",)]
    out = QgsVectorLayer(reused["OUTPUT"], "o", "ogr")
    assert out.hasSpatialIndex() == 2   # QgsFeatureSource.SpatialIndexPresent
    from qgis.core import QgsFeatureRequest, QgsRectangle
    from helpers import X0, Y0
    request = QgsFeatureRequest(QgsRectangle(X0 + 95, Y0, X0 + 125, Y0 + 20))
    assert sorted(f["id"] for f in out.getFeatures(request)) == [9, 10, 11, 12]


def test_stale_spatial_index_is_not_reused(tmp_path):
    import sqlite3

    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(10 * i, 0, 10 * i + 8, 8), i, "CS1.1.1", "US5.1.1") for i in range(1, 50)])
    source = to_gpkg(layer, tmp_path / "in.gpkg", "ocs")
    connection = sqlite3.connect(source)
    connection.execute("DELETE FROM rtree_ocs_geom WHERE id = 7")        # an index that lost an entry
    connection.commit()
    connection.close()
    results, _ = run("ocs:reclassify", {"INPUT": source, "TARGETS": [4], "OUTPUT": str(tmp_path / "out.gpkg")})
    rows, check, _triggers, _ext = _index_rows(results["OUTPUT"], "out")
    assert len(rows) == 49 and check == "ok"


def test_spatial_index_built_by_gdal_when_the_copy_fails(tmp_path, monkeypatch):
    import sqlite3

    from ocs_toolbox.fastpath import gpkg as sqlfast

    def broken(*_args, **_kwargs):
        raise sqlite3.OperationalError("no rtree module")

    monkeypatch.setattr(sqlfast.sqlite3, "connect", broken)
    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(10 * i, 0, 10 * i + 8, 8), i, "CS1.1.1", "US5.1.1") for i in range(1, 30)])
    source = to_gpkg(layer, tmp_path / "in.gpkg", "ocs")
    results, feedback = run("ocs:reclassify", {"INPUT": source, "TARGETS": [4], "OUTPUT": str(tmp_path / "out.gpkg")})
    assert not any("fast path not used" in m for m in feedback.debug)
    monkeypatch.undo()
    rows, check, triggers, extensions = _index_rows(results["OUTPUT"], "out")
    assert len(rows) == 29 and check == "ok" and len(triggers) >= 6 and extensions == [("gpkg_rtree_index",)]


def _dump(path, layer_name):
    """Everything of a written layer that a reader sees: rows (every column, geometry blobs byte for byte),
    table definition, GeoPackage metadata rows and triggers; the layer name replaced by "T"."""
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        rows = connection.execute('SELECT * FROM "%s" ORDER BY fid' % layer_name).fetchall()
        schema = sorted((sql or "").replace(layer_name, "T") for (sql,) in connection.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? OR name LIKE ?", (layer_name, "rtree_%")))
        meta = [connection.execute(sql, (layer_name,)).fetchall() for sql in (
            "SELECT data_type, description, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents "
            "WHERE table_name = ?",
            "SELECT column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = ?",
            "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?",
            "SELECT column_name, extension_name FROM gpkg_extensions WHERE table_name = ?")]
        check = connection.execute("SELECT rtreecheck(?)", ("rtree_%s_geom" % layer_name,)).fetchone()[0]
    finally:
        connection.close()
    return rows, schema, meta, check


def _both_writers(tmp_path, monkeypatch, source, targets):
    """(SQLite writer's output, GDAL writer's output, what the SQLite writer returned) for one input."""
    from ocs_toolbox.fastpath import gpkg as sqlfast

    returned = []
    sqlite_writer = sqlfast.GpkgReclassifier._write_sqlite

    def spy(*args, **kwargs):
        returned.append(sqlite_writer(*args, **kwargs))
        return returned[-1]

    monkeypatch.setattr(sqlfast.GpkgReclassifier, "_write_sqlite", spy)
    first, _ = run("ocs:reclassify", {"INPUT": source, "TARGETS": targets,
                                      "OUTPUT": str(tmp_path / "first_out.gpkg")})
    monkeypatch.setattr(sqlfast.GpkgReclassifier, "_write_sqlite", lambda *args, **kwargs: False)
    second, _ = run("ocs:reclassify", {"INPUT": source, "TARGETS": targets,
                                       "OUTPUT": str(tmp_path / "second_out.gpkg")})
    monkeypatch.undo()
    return _dump(first["OUTPUT"], "first_out"), _dump(second["OUTPUT"], "second_out"), returned


def test_sqlite_writer_writes_what_gdal_writes(tmp_path, monkeypatch):
    # Polygon and MultiPolygon layers, a two-part polygon, an empty and a NULL geometry, NULL and unknown codes,
    # with and without spatial rules: the SQLite writer's output is GDAL's, byte for byte (geometry blobs
    # promoted to MultiPolygon included).
    from osgeo import gdal

    rows = [(box(10 * i, 0, 10 * i + 8, 8), i, "CS1.1.1" if i % 3 else "CS2.2.1", "US5.1.1" if i % 2 else "US1.1.1")
            for i in range(1, 40)]
    rows += [(None, 40, "CS1.1.1", "US5.1.1"), (box(500, 0, 510, 10), 41, None, "US5.1.1"),
             (box(510, 0, 520, 10), 42, "CS9.9.9", "US2.1.1"), (box(520, 0, 530, 10), 44, "CS1.1.1", "US5.1.1")]
    for geometry, targets in (("Polygon", [0, 4, 6, 7]), ("MultiPolygon", [0, 4, 6, 7]), ("Polygon", [7, 8])):
        folder = tmp_path / ("%s_%d" % (geometry, len(targets)))
        folder.mkdir()
        layer_rows = list(rows)
        if geometry == "MultiPolygon":
            layer_rows.append(("MULTIPOLYGON(((%f %f,%f %f,%f %f,%f %f)),((%f %f,%f %f,%f %f,%f %f)))" % (
                X0, Y0 + 100, X0 + 10, Y0 + 100, X0 + 10, Y0 + 110, X0, Y0 + 100,
                X0 + 20, Y0 + 100, X0 + 30, Y0 + 100, X0 + 30, Y0 + 110, X0 + 20, Y0 + 100), 43, "CS1.1.1", "US5.1.1"))
        layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], layer_rows,
                           geometry=geometry)
        source = to_gpkg(layer, folder / "in.gpkg", "ocs")
        dataset = gdal.OpenEx(source, gdal.OF_VECTOR | gdal.OF_UPDATE)
        dataset.ExecuteSQL("UPDATE ocs SET geom = NULL WHERE id = 44")
        dataset = None
        sqlite_out, gdal_out, returned = _both_writers(folder, monkeypatch, source, targets)
        assert returned == [True]
        assert sqlite_out == gdal_out
        rows_out, schema, meta, check = sqlite_out
        assert len(rows_out) == len(layer_rows) and check == "ok"
        assert meta[1] == [("geom", "MULTIPOLYGON", 2154, 0, 0)] and meta[2] == [(len(layer_rows),)]
        assert any("trigger_insert_feature_count_T" in s for s in schema)
        by_id = {r[2]: r[1] for r in rows_out}
        assert by_id[44] is None
        assert by_id[40] == b"GP\x00\x11" + (2154).to_bytes(4, "little") + b"\x01\x06" + b"\x00" * 7   # empty
        assert by_id[1][:8] == b"GP\x00\x03" + (2154).to_bytes(4, "little")
        assert by_id[1][40:45] == b"\x01\x06\x00\x00\x00"


def test_sqlite_writer_leaves_unusual_blobs_to_gdal(tmp_path, monkeypatch):
    # A geometry blob the SQLite writer does not rewrite (here a polygon without envelope in its header, flags
    # 0x01, valid GeoPackage) stops its INSERT; GDAL writes the layer instead, and the result is GDAL's.
    from osgeo import gdal, ogr

    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(10 * i, 0, 10 * i + 8, 8), i, "CS1.1.1", "US5.1.1") for i in range(1, 20)])
    source = to_gpkg(layer, tmp_path / "in.gpkg", "ocs")
    wkb = ogr.CreateGeometryFromWkt(box(40, 0, 48, 8)).ExportToWkb(ogr.wkbNDR)
    dataset = gdal.OpenEx(source, gdal.OF_VECTOR | gdal.OF_UPDATE)   # GDAL: its R-tree triggers need its functions
    dataset.ExecuteSQL("UPDATE ocs SET geom = X'47500001%s%s' WHERE id = 5" % (
        (2154).to_bytes(4, "little").hex(), bytes(wkb).hex()))
    dataset = None
    for targets in ([7], [4]):   # attribute rules only (progress in slices), spatial rules (one INSERT, on a thread)
        folder = tmp_path / str(targets[0])
        folder.mkdir()
        sqlite_out, gdal_out, returned = _both_writers(folder, monkeypatch, source, targets)
        assert returned == [False]
        assert sqlite_out == gdal_out and len(sqlite_out[0]) == 19
        assert sqlite_out[0][4][1][:4] == b"GP\x00\x03"    # GDAL's blob for it, with an envelope


def test_sqlite_writer_stops_when_cancelled(tmp_path):
    # Attribute rules only: the SQLite writer inserts in 20 slices of fids, reports progress after each and stops
    # at the next one when the run is cancelled; the half-written output is removed and nothing is returned.
    import processing
    from qgis.core import QgsProcessingContext

    from helpers import Feedback

    class CancelAfterFirstSlice(Feedback):
        def setProgress(self, progress):  # noqa: N802
            super().setProgress(progress)
            if progress >= 5:
                self.cancel()

    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(10 * i, 0, 10 * i + 8, 8), i, "CS1.1.1", "US5.1.1") for i in range(1, 200)])
    source = to_gpkg(layer, tmp_path / "in.gpkg", "ocs")
    feedback = CancelAfterFirstSlice()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    out = tmp_path / "out.gpkg"
    results = processing.run("ocs:reclassify", {"INPUT": source, "TARGETS": [7], "OUTPUT": str(out)},
                             feedback=feedback, context=context)
    assert "SQLite write not used: cancelled" in feedback.debug
    assert feedback.isCanceled() and not out.exists() and not results.get("OUTPUT")


def test_named_layer_into_a_geopackage_with_other_layers_keeps_them(tmp_path):
    # "file.gpkg|layername=out" into an existing file that holds another layer: not the fast path (it writes
    # whole files); into a file that holds only that layer (a run done again): the fast path replaces it.
    from osgeo import ogr

    layer = make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(10 * i, 0, 10 * i + 8, 8), i, "CS1.1.1", "US5.1.1") for i in range(1, 20)])
    source = to_gpkg(layer, tmp_path / "in.gpkg", "ocs")
    shared = tmp_path / "shared.gpkg"
    to_gpkg(layer, shared, "keep")
    _results, feedback = run("ocs:reclassify", {"INPUT": source, "TARGETS": [7],
                                                "OUTPUT": str(shared) + "|layername=out"})
    assert any("the output GeoPackage holds other layers" in m for m in feedback.debug)
    dataset = ogr.Open(str(shared))
    assert "keep" in [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())]
    dataset = None
    again = tmp_path / "again.gpkg"
    for _run in range(2):
        _results, feedback = run("ocs:reclassify", {"INPUT": source, "TARGETS": [7],
                                                    "OUTPUT": str(again) + "|layername=out"})
        assert not any("fast path not used" in m for m in feedback.debug), feedback.debug
    assert len(features_by(str(again) + "|layername=out", "id")) == 19
