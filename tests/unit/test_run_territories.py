"""scripts/run_territories.py: the merge rules of the scale-out (issue #17), on hand-made GeoPackages (GDAL only).

Two territories T1 and T2 as ocs:territoryflows writes them: a commune each, a ``total`` row each. The merged
``total`` adds the hectares (4 + 6 = 10 ha, 1 + 2 = 3 ha consumed) and recomputes the share from the sums
(3 / 10 = 30 %, not the mean 29.17 % of 25 % and 33.3 %); a stock column present in T2 only is 0 in T1.
"""
import importlib.util
import os
import sqlite3
import sys
from types import SimpleNamespace

import pytest
from osgeo import ogr, osr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "run_territories.py")


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("run_territories", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_territories"] = module
    spec.loader.exec_module(module)
    return module


def write(path, fields, rows):
    """A GeoPackage layer: fields [(name, OGR type)], rows [(WKT or None, {name: value})]."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = dataset.CreateLayer("out", srs, ogr.wkbMultiPolygon)
    for name, kind in fields:
        layer.CreateField(ogr.FieldDefn(name, kind))
    for wkt, values in rows:
        feature = ogr.Feature(layer.GetLayerDefn())
        for name, value in values.items():
            feature.SetField(name, value)
        if wkt:
            feature.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        layer.CreateFeature(feature)
    dataset = None


def square(x):
    return "MULTIPOLYGON(((%d 0,%d 0,%d 100,%d 100,%d 0)))" % (x, x + 100, x + 100, x, x)


FLOWS = [("zone", ogr.OFTString), ("surface_ha", ogr.OFTReal), ("annees_2015_2021", ogr.OFTInteger),
         ("conso_enaf_2015_2021_ha", ogr.OFTReal), ("conso_enaf_2015_2021_ha_an", ogr.OFTReal),
         ("conso_enaf_2015_2021_pct", ogr.OFTReal)]


def row(zone, area, consumed):
    return {"zone": zone, "surface_ha": area, "annees_2015_2021": 6, "conso_enaf_2015_2021_ha": consumed,
            "conso_enaf_2015_2021_ha_an": consumed / 6, "conso_enaf_2015_2021_pct": 100.0 * consumed / area}


def territories(tmp_path, extra_t2=()):
    for territory in ("T1", "T2"):
        os.makedirs(str(tmp_path / territory), exist_ok=True)
    write(tmp_path / "T1" / "OUTPUT.gpkg", FLOWS, [(square(0), row("c1", 4.0, 1.0)), (None, row("total", 4.0, 1.0))])
    t2 = [(square(100), row("c2", 6.0, 2.0)), (None, row("total", 6.0, 2.0))]
    for (_wkt, values), extra in zip(t2, ({"p4_3_2021_ha": 5.0}, {"p4_3_2021_ha": 5.0})):
        values.update(extra)
    write(tmp_path / "T2" / "OUTPUT.gpkg", FLOWS + [("p4_3_2021_ha", ogr.OFTReal)] + list(extra_t2), t2)
    return SimpleNamespace(out_dir=str(tmp_path), territories=["T1", "T2"], outputs=[("OUTPUT", "sum")],
                           merged=str(tmp_path / "merged.gpkg"))


def merged_rows(path):
    dataset = ogr.Open(str(path))
    layer = dataset.GetLayerByName("output")
    found = {}
    for feature in layer:
        geometry = feature.GetGeometryRef()
        found[feature["zone"]] = (feature.items(), None if geometry is None else round(geometry.GetArea()))
    return found


def test_sums_and_shares_recomputed(script, tmp_path):
    args = territories(tmp_path)
    assert script.merge(args) == {"output": 3}
    rows = merged_rows(args.merged)
    assert list(rows) == ["c1", "c2", "total"]
    total, geometry = rows["total"]
    assert geometry is None
    assert total["surface_ha"] == 10.0 and total["conso_enaf_2015_2021_ha"] == 3.0
    assert total["conso_enaf_2015_2021_ha_an"] == pytest.approx(0.5)
    assert total["conso_enaf_2015_2021_pct"] == pytest.approx(30.0)
    assert total["annees_2015_2021"] == 6 and total["p4_3_2021_ha"] == 5.0
    # a commune of one territory is copied: its own share, its geometry; the class it lacks is 0 ha
    assert rows["c1"][0]["conso_enaf_2015_2021_pct"] == pytest.approx(25.0) and rows["c1"][1] == 10000
    assert rows["c1"][0]["p4_3_2021_ha"] == 0.0


def test_unknown_decimal_column_stops_the_merge(script, tmp_path):
    args = territories(tmp_path, extra_t2=[("densite", ogr.OFTReal)])
    with pytest.raises(script.MergeError, match="column densite: not known to be additive"):
        script.merge(args)


def test_stock_per_hectare_recomputed(script):
    sums = {"total_tc_2021": 300.0, "cultures_ha_2021": 2.0, "forets_ha_2021": 1.0, "forets_ha_2018": 7.0}
    assert script.ratio("total_tc_ha_2021", sums) == 100.0          # 300 tC / (2 + 1) ha, 2018 left out
    assert script.ratio("artif_2015_2021_pct", {"artif_2015_2021_ha": 1.0, "surface_ha": 0.0}) is None


def test_styles_go_with_the_merged_layer(script, tmp_path):
    args = territories(tmp_path)
    with sqlite3.connect(str(tmp_path / "T1" / "OUTPUT.gpkg")) as db:
        db.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, f_table_catalog TEXT, f_table_schema TEXT, "
                   "f_table_name TEXT, f_geometry_column TEXT, styleName TEXT, styleQML TEXT, styleSLD TEXT, "
                   "useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, update_time DATETIME)")
        db.execute("INSERT INTO layer_styles (f_table_name, f_geometry_column, styleName, styleQML, useAsDefault) "
                   "VALUES ('OUTPUT', 'geom', 'conso', '<qgis/>', 1)")
    script.merge(args)
    with sqlite3.connect(args.merged) as db:
        assert db.execute("SELECT f_table_name, f_geometry_column, styleName, useAsDefault FROM layer_styles"
                          ).fetchall() == [("output", "geom", "conso", 1)]


def test_zone_across_two_territories_is_added_up(script, tmp_path):
    args = territories(tmp_path)
    write(tmp_path / "T2" / "OUTPUT.gpkg", FLOWS, [(square(100), row("c1", 6.0, 2.0)), (None, row("total", 6.0, 2.0))])
    script.merge(args)
    rows = merged_rows(args.merged)
    assert list(rows) == ["c1", "total"]
    c1, area = rows["c1"]
    assert area == 20000                                  # the two squares of 100 m × 100 m
    assert (c1["surface_ha"], c1["conso_enaf_2015_2021_ha"]) == (10.0, 3.0)
    assert c1["conso_enaf_2015_2021_pct"] == pytest.approx(30.0)
    dataset = ogr.Open(args.merged)
    feature = dataset.GetLayerByName("output").GetNextFeature()
    assert feature.GetGeometryRef().GetGeometryType() == ogr.wkbMultiPolygon
