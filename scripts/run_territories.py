#!/usr/bin/env python3
"""Run one OCS Toolbox algorithm over many territories as parallel qgis_process jobs, then merge the outputs.

    DB="dbname='ocs' host=db.example user='obs'"
    python3 scripts/run_territories.py ocs:territoryflows --territories 59,62,80 --workers 2 --out-dir runs \\
        --param "INPUT=$DB table=\\"public\\".\\"ocsge\\" (geom) sql=\\"dep\\" = '{territory}'" \\
        --param "ZONES=$DB table=\\"public\\".\\"communes\\" (geom) sql=\\"dep\\" = '{territory}'" \\
        --param ZONE_FIELD=insee --param TARGET=7 --output OUTPUT --merged flows.gpkg

A territory is a code substituted for ``{territory}`` in every --param (a filter ``sql=`` on a PostGIS table, a
file name, a layer name...). Each territory runs as its own ``qgis_process.bin run`` (QT_QPA_PLATFORM=offscreen, a
throwaway profile with the plugin enabled, QGIS_PLUGINPATH), ``--workers`` at a time, and writes each --output to
``OUT_DIR/<territory>/<OUTPUT>.gpkg`` with its log in ``OUT_DIR/<territory>/log.txt``. A failed territory is
reported (its return code and the end of its log) and the others go on; their outputs are kept, and running the same
command again runs only the territories without a ``done.json`` (``--force``: all). ``OUT_DIR/summary.json`` lists
every job (status, return code, start and end, pid) and how many ran at once.

When every territory succeeded, the outputs are merged into ``--merged`` (a GeoPackage, one layer per output named
after it in lower case), rows of the same key added up:
- key: the text and integer columns (``zone``, ``periode``, ``code_avant``, ``code_apres``, labels, ``annees``);
  rows found in one territory only (a commune) are copied as they are; rows found in several (``total``,
  ``hors zones``, a matrix cell) are added;
- additive (sums): areas and stocks, columns ending in ``_ha``, ``_m2``, ``_tc``, ``_tco2e``, optionally followed
  by ``_an`` (per year over the same period) and a vintage ``_YYYY`` (``artif_2005_2021_ha``, ``conso_enaf_…_ha_an``,
  ``p4_1_2021_ha``, ``sol_tc_2021``, ``cultures_ha_2021``); a column missing in a territory is 0 there (a class it
  does not have);
- not additive, recomputed from the sums: ``…_pct`` = 100 × ``…_ha`` / ``surface_ha``; ``total_tc_ha_YYYY`` =
  ``total_tc_YYYY`` / the sum of the areas per category of YYYY (``…_ha_YYYY``);
- any other decimal column stops the merge with its name (never a silently wrong figure).
``--output NAME:append`` concatenates instead (change polygons, reclassified polygons) with a column ``territoire``.

Territories must partition the input (each polygon in exactly one, e.g. a filter on its département code): the
spatial rules that look at neighbours (US7.0.0 within 20 m, the enveloppe urbaine, the artificialisation thresholds
on patches) see no polygon across a territory's border. Standard library and GDAL's Python bindings only.
"""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

PLACEHOLDER = "{territory}"
ADDITIVE = re.compile(r"(_ha|_m2|_tc|_tco2e)(_an)?(_\d{4})?$")
PCT = re.compile(r"^(.+)_pct$")
PER_HA = re.compile(r"^total_tc_ha_(\d{4})$")
CATEGORY_AREA = re.compile(r"^(.+)_ha_(\d{4})$")


class MergeError(RuntimeError):
    pass


# -- the jobs ------------------------------------------------------------------------------------------------

def default_plugin_path():
    """QGIS_PLUGINPATH, or the folder holding this repository when it is named ocs_toolbox."""
    if os.environ.get("QGIS_PLUGINPATH"):
        return os.environ["QGIS_PLUGINPATH"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.dirname(root) if os.path.basename(root) == "ocs_toolbox" else None


def profile(folder):
    """A throwaway QGIS profile with the plugin enabled (one per job: qgis_process writes it at exit)."""
    ini = os.path.join(folder, "profiles", "default", "QGIS", "QGIS3.ini")
    os.makedirs(os.path.dirname(ini), exist_ok=True)
    with open(ini, "w", encoding="utf-8") as handle:
        handle.write("[PythonPlugins]\nocs_toolbox=true\n")
    return folder


class Runner:
    """Runs the jobs, at most ``workers`` at once, and records them."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.running = 0
        self.max_running = 0
        self.origin = time.monotonic()

    def command(self, territory):
        folder = os.path.join(self.args.out_dir, territory)
        command = [self.args.qgis_process, "run", self.args.algorithm]
        for text in self.args.param:
            command.append("--" + text.replace(PLACEHOLDER, territory))
        for name, _mode in self.args.outputs:
            command.append("--%s=%s" % (name, os.path.join(folder, "%s.gpkg" % name)))
        return command

    def environment(self, scratch):
        env = dict(os.environ)
        env.update({"QT_QPA_PLATFORM": "offscreen", "QGIS_PLUGINPATH": self.args.plugin_path,
                    "QGIS_CUSTOM_CONFIG_PATH": profile(scratch)})
        return env

    def run(self, territory):
        folder = os.path.join(self.args.out_dir, territory)
        done = os.path.join(folder, "done.json")
        if os.path.exists(done) and not self.args.force:
            with open(done, encoding="utf-8") as handle:
                return dict(json.load(handle), status="already done")
        if os.path.isdir(folder):
            shutil.rmtree(folder)               # a failed or forced run: start clean
        os.makedirs(folder)
        scratch = tempfile.mkdtemp(prefix="ocs_territory_")
        record = {"territory": territory, "log": os.path.join(folder, "log.txt")}
        try:
            with open(record["log"], "w", encoding="utf-8") as log:
                with self.lock:
                    self.running += 1
                    self.max_running = max(self.max_running, self.running)
                    record["start"] = round(time.monotonic() - self.origin, 3)
                try:
                    process = subprocess.Popen(self.command(territory), env=self.environment(scratch), stdout=log,
                                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
                    record["pid"] = process.pid
                    record["returncode"] = process.wait()
                except OSError as error:        # qgis_process not found, not executable
                    log.write("%s: %s\n" % (self.args.qgis_process, error))
                    record["returncode"] = -1
                finally:
                    with self.lock:
                        self.running -= 1
                        record["end"] = round(time.monotonic() - self.origin, 3)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        record["status"] = "done" if record["returncode"] == 0 else "failed"
        if record["status"] == "done":
            with open(done, "w", encoding="utf-8") as handle:
                json.dump(record, handle, indent=1)
        return record


def tail(path, lines=15):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except OSError:
        return ""


def run_all(args):
    """Every territory's job; returns the records in the order of the territories."""
    runner = Runner(args)
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        records = list(pool.map(runner.run, args.territories))
    summary = {"algorithm": args.algorithm, "workers": args.workers, "max_running": runner.max_running,
               "jobs": records}
    with open(os.path.join(args.out_dir, "summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=1)
    for record in records:
        print("%-12s %s%s" % (record["territory"], record["status"],
                              "" if record["status"] != "failed" else " (return code %d, log %s)" % (
                                  record["returncode"], record["log"])))
        if record["status"] == "failed":
            print("    " + tail(record["log"]).replace("\n", "\n    ").rstrip())
    return records


# -- the merge -----------------------------------------------------------------------------------------------

def read_layer(path):
    """(fields [(name, OGR type)], rows [(geometry WKB or None, {name: value})], geometry type, srs WKT)."""
    from osgeo import ogr

    dataset = ogr.Open(path)
    if dataset is None:
        raise MergeError("%s cannot be opened" % path)
    layer = dataset.GetLayer(0)
    definition = layer.GetLayerDefn()
    fields = [(definition.GetFieldDefn(i).GetName(), definition.GetFieldDefn(i).GetType())
              for i in range(definition.GetFieldCount())]
    rows = []
    for feature in layer:
        geometry = feature.GetGeometryRef()
        rows.append((geometry.ExportToWkb() if geometry is not None and not geometry.IsEmpty() else None,
                     {name: feature.GetField(name) for name, _t in fields}))
    srs = layer.GetSpatialRef()
    return fields, rows, layer.GetGeomType(), srs.ExportToWkt() if srs is not None else None


def union_fields(tables):
    """The columns of every territory, each new one placed after the column it follows where it first appears."""
    order, kinds = [], {}
    for fields, _rows, _g, _s in tables:
        previous = None
        for name, kind in fields:
            if name not in kinds:
                kinds[name] = kind
                order.insert(order.index(previous) + 1 if previous is not None else 0, name)
            previous = name
    return [(name, kinds[name]) for name in order]


def measure_kind(name, kind):
    """'key' (text, integer), 'ratio' or 'sum' for a decimal column; MergeError for a decimal it does not know."""
    from osgeo import ogr

    if kind != ogr.OFTReal:
        return "key"
    if PCT.match(name) or PER_HA.match(name):
        return "ratio"
    if ADDITIVE.search(name):
        return "sum"
    raise MergeError("column %s: not known to be additive (areas, stocks) nor a ratio recomputed from them; "
                     "merge it by hand" % name)


def add_rows(tables, fields):
    """{key: [geometries, {column: sum or None}]} in the order the keys first appear."""
    kinds = {name: measure_kind(name, kind) for name, kind in fields}
    keys = [name for name, _k in fields if kinds[name] == "key"]
    merged = {}
    for table_fields, rows, _g, _s in tables:
        present = {name for name, _k in table_fields}
        for geometry, values in rows:
            key = tuple(values.get(name) for name in keys)
            entry = merged.setdefault(key, [[], {name: None for name, _k in fields if kinds[name] == "sum"}, 0])
            if geometry is not None:
                entry[0].append(geometry)
            entry[2] += 1
            if entry[2] == 1:
                entry.append(dict(values))        # a row of one territory keeps its own ratios
            for name in entry[1]:
                value = values.get(name) if name in present else 0.0    # a class the territory does not have
                if value is not None:
                    entry[1][name] = (entry[1][name] or 0.0) + value
    return keys, kinds, merged


def ratio(name, sums):
    """A non-additive column recomputed from the sums of its row (None when the denominator is 0 or unknown)."""
    match = PCT.match(name)
    if match:
        part, whole = sums.get(match.group(1) + "_ha"), sums.get("surface_ha")
        return 100.0 * part / whole if part is not None and whole else None
    year = PER_HA.match(name).group(1)
    areas = [v for n, v in sums.items() if v is not None and CATEGORY_AREA.match(n)
             and CATEGORY_AREA.match(n).group(2) == year and not PER_HA.match(n)]
    total = sums.get("total_tc_%s" % year)
    return total / sum(areas) if total is not None and areas and sum(areas) else None


def merged_geometry(blobs):
    from osgeo import ogr

    if not blobs:
        return None
    geometry = ogr.CreateGeometryFromWkb(blobs[0])
    for blob in blobs[1:]:
        geometry = geometry.Union(ogr.CreateGeometryFromWkb(blob))
    return geometry


def create_layer(dataset, name, fields, geometry_type, srs_wkt):
    from osgeo import ogr, osr

    srs = None
    if srs_wkt:
        srs = osr.SpatialReference()
        srs.ImportFromWkt(srs_wkt)
    layer = dataset.CreateLayer(name, srs, geometry_type, ["GEOMETRY_NAME=geom", "FID=fid"])
    for field, kind in fields:
        layer.CreateField(ogr.FieldDefn(field, kind))
    return layer


def write_sum(dataset, name, tables):
    from osgeo import ogr

    fields = union_fields(tables)
    keys, kinds, merged = add_rows(tables, fields)
    geometry_type = next((t[2] for t in tables if t[2] != ogr.wkbNone), ogr.wkbNone)
    layer = create_layer(dataset, name, fields, geometry_type, next((t[3] for t in tables if t[3]), None))
    last = keys.index("zone") if "zone" in keys else None      # the row of the whole territory comes last
    ordered = sorted(merged.items(), key=lambda item: last is not None and item[0][last] == "total")
    layer.StartTransaction()
    for key, (blobs, sums, count, *single) in ordered:
        feature = ogr.Feature(layer.GetLayerDefn())
        for field, _kind in fields:
            if kinds[field] == "key":
                value = dict(zip(keys, key))[field]
            elif kinds[field] == "sum":
                value = sums[field]
            else:
                value = single[0].get(field) if count == 1 else ratio(field, sums)
            if value is not None:
                feature.SetField(field, value)
        geometry = merged_geometry(blobs)
        if geometry is not None:
            multi = geometry_type in (ogr.wkbMultiPolygon, ogr.wkbMultiPolygon25D)
            feature.SetGeometry(ogr.ForceToMultiPolygon(geometry) if multi else geometry)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    return len(merged)


def write_append(dataset, name, tables, territories):
    from osgeo import ogr

    fields = [("territoire", ogr.OFTString)] + union_fields(tables)
    geometry_type = next((t[2] for t in tables if t[2] != ogr.wkbNone), ogr.wkbNone)
    layer = create_layer(dataset, name, fields, geometry_type, next((t[3] for t in tables if t[3]), None))
    layer.StartTransaction()
    count = 0
    for territory, (_f, rows, _g, _s) in zip(territories, tables):
        for blob, values in rows:
            feature = ogr.Feature(layer.GetLayerDefn())
            feature.SetField("territoire", territory)
            for field, value in values.items():
                if value is not None:
                    feature.SetField(field, value)
            if blob is not None:
                feature.SetGeometry(ogr.CreateGeometryFromWkb(blob))
            layer.CreateFeature(feature)
            count += 1
    layer.CommitTransaction()
    return count


def copy_styles(source, target, layer_name):
    """The styles stored with the first territory's output, stored for the merged layer."""
    with sqlite3.connect(source) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'layer_styles'").fetchone():
            return 0
        rows = db.execute("SELECT f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description "
                          "FROM layer_styles").fetchall()
    with sqlite3.connect(target) as db:
        db.execute("CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog "
                   "TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), "
                   "styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, "
                   "owner TEXT(30), ui TEXT(30), update_time DATETIME DEFAULT CURRENT_TIMESTAMP)")
        db.executemany("INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                       "styleName, styleQML, styleSLD, useAsDefault, description) VALUES ('', '', ?, ?, ?, ?, ?, ?, "
                       "?)", [(layer_name,) + tuple(r) for r in rows])
    return len(rows)


def merge(args):
    """Every output of every territory merged into args.merged; returns {layer: rows written}."""
    from osgeo import ogr

    if os.path.exists(args.merged):
        os.remove(args.merged)
    written = {}
    driver = ogr.GetDriverByName("GPKG")
    dataset = driver.CreateDataSource(args.merged)
    for name, mode in args.outputs:
        paths = [os.path.join(args.out_dir, t, "%s.gpkg" % name) for t in args.territories]
        tables = [read_layer(p) for p in paths]
        layer_name = name.lower()
        if mode == "append":
            written[layer_name] = write_append(dataset, layer_name, tables, args.territories)
        else:
            written[layer_name] = write_sum(dataset, layer_name, tables)
    dataset = None
    for name, _mode in args.outputs:
        copy_styles(os.path.join(args.out_dir, args.territories[0], "%s.gpkg" % name), args.merged, name.lower())
    return written


# -- the command line ----------------------------------------------------------------------------------------

def output_spec(text):
    name, _sep, mode = text.partition(":")
    if mode not in ("", "sum", "append"):
        raise argparse.ArgumentTypeError("--output %s: the mode is sum (default) or append" % text)
    return name, mode or "sum"


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("algorithm", help="algorithm id, e.g. ocs:territoryflows")
    parser.add_argument("--territories", required=True, type=lambda t: [c.strip() for c in t.split(",") if c.strip()],
                        help="comma-separated codes, substituted for {territory} in every --param")
    parser.add_argument("--param", action="append", default=[], help="NAME=VALUE given to qgis_process (repeat)")
    parser.add_argument("--output", dest="outputs", action="append", type=output_spec, required=True,
                        help="an output parameter written per territory and merged: NAME or NAME:append (repeat)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="jobs at once (default: cores)")
    parser.add_argument("--out-dir", required=True, help="one folder per territory: outputs, log, done.json")
    parser.add_argument("--merged", help="GeoPackage of the merged outputs (default OUT_DIR/merged.gpkg)")
    parser.add_argument("--force", action="store_true", help="run again the territories already done")
    parser.add_argument("--qgis-process", default=os.environ.get("OCS_QGIS_PROCESS", "/usr/bin/qgis_process.bin"))
    parser.add_argument("--plugin-path", default=default_plugin_path(),
                        help="the folder holding ocs_toolbox (default: QGIS_PLUGINPATH)")
    args = parser.parse_args(argv)
    if not args.plugin_path:
        parser.error("--plugin-path: the folder holding ocs_toolbox is not known (set it or QGIS_PLUGINPATH)")
    if len(set(args.territories)) != len(args.territories) or not args.territories:
        parser.error("--territories: give each territory once")
    args.merged = args.merged or os.path.join(args.out_dir, "merged.gpkg")
    args.workers = max(1, args.workers)
    return args


def main(argv=None):
    args = parse(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    records = run_all(args)
    failed = [r["territory"] for r in records if r["status"] == "failed"]
    if failed:
        print("%d of %d territories failed (%s): nothing merged. Fix them and run the same command again: the "
              "territories already done are not run again." % (len(failed), len(records), ", ".join(failed)))
        return 1
    try:
        written = merge(args)
    except MergeError as error:
        print("Merge failed: %s" % error)
        return 2
    print("Merged into %s: %s." % (args.merged, ", ".join("%s %d rows" % kv for kv in written.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
