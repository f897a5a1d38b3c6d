#!/usr/bin/env python3
"""Context layers of the friches benchmark of scripts/bench.py (ocs:friches with every context layer).

    python scripts/bench_context_data.py --n 1000000          # .build/bench/context_1000000.gpkg
    python scripts/bench_context_data.py --n 200000 --force

Deterministic (same N, same file); cached in .build/bench/ like scripts/bench_data.py; GDAL/OGR only. Built from
``ocs2d_<n>.gpkg`` (scripts/bench_data.py) and ``communes_<n>.gpkg`` (scripts/bench_changes_data.py), both
generated when missing. One GeoPackage, EPSG:2154, seven layers named as in the sample
(scripts/make_sample_context.py):

* ``mairies`` (points; ``insee_com``, ``nom``): one town hall per commune, at its point on surface;
* ``gares`` (points; ``nom``, ``insee_com``): one station for every 5th commune (in ``insee_com`` order), at its
  centroid (its point on surface when the centroid falls outside);
* ``services`` (points; ``typequ``): N/50 points (20,000 at 10⁶), at the point on surface of urban polygons of
  2021 (us21 US2*, US3*, US5*) chosen by a hash of their fid; ``typequ`` drawn by a hash among the 12 BPE codes
  Mutafriches counts as shops and services and 8 codes it does not count (so about 60 % count);
* ``inondation`` (polygons; ``id``, ``axe``): bands 300 m wide (150 m each side) along 4 sinuous lines across
  the territory (2 west → east, 2 south → north; a vertex every 100 m), cut into pieces of 4 km along the line
  (the pieces overlap at their ends, like the sheets of a flood-risk plan);
* ``plu`` (polygons; ``insee_com``, ``typezone``): one zone per commune (its polygon), ``typezone`` cycling U, AU,
  A, N in ``insee_com`` order;
* ``protege`` (polygons; ``nom``, ``insee_com``): every 7th commune (in ``insee_com`` order), its polygon;
* ``pollution`` (points; ``id``): the point on surface of every POLLUTION_EVERY-th friche-candidate polygon (the
  rule of core/friches.py ``is_candidate`` for OCS2D, on cs/us of 2005, 2015, 2021), about 1 point per 50
  candidate sites of ocs:friches (MIN_AREA_M2 = 1000).

Counts are written to ``context_<n>.json``.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_changes_data  # noqa: E402
import bench_data  # noqa: E402

BENCH_DIR = bench_data.BENCH_DIR
LAYERS = {"TOWN_HALLS": "mairies", "STATIONS": "gares", "SERVICES": "services", "FLOOD": "inondation",
          "ZONING": "plu", "PROTECTED": "protege", "POLLUTION": "pollution"}
SERVICES_FIELD = "typequ"
ZONING_FIELD = "typezone"
# BPE codes Mutafriches counts as shops and services (engines/friches.py BPE_SERVICES), and others.
BPE_COUNTED = ("B104", "B105", "B201", "B202", "B204", "B206", "B207", "A203", "A206", "A207", "A208", "D307")
BPE_OTHER = ("A101", "A104", "A504", "C101", "C201", "D201", "E107", "F101")
SERVICES_PER_POLYGON = 1.0 / 50.0      # services points per polygon of the layer
STATION_EVERY = 5
PROTECTED_EVERY = 7
TYPEZONES = ("U", "AU", "A", "N")
FLOOD_HALF_WIDTH = 150.0               # m: bands of 300 m
FLOOD_STEP = 100.0                     # m between the vertices of the lines
FLOOD_PIECE = 4000.0                   # m of line per polygon
POLLUTION_EVERY = 46                   # candidate polygons per polluted point: ≈ 1 per 50 sites (0.92 site per candidate polygon)
URBAN = ("US2", "US3", "US5")
SALT = 7301


def context_path(n):
    return os.path.join(BENCH_DIR, "context_%d.gpkg" % n), os.path.join(BENCH_DIR, "context_%d.json" % n)


def _role(us):
    """core/friches.py role() for OCS2D."""
    if us in ("US6.2.1", "US6.2.2"):
        return "friche"
    if us in ("US6.1.1", "US6.1.2"):
        return "transition"
    if us == "US7.0.0":
        return "sans_usage"
    if us and us[:3] in ("US2", "US3", "US4", "US5"):
        return "urbain"
    return "autre"


def is_candidate(history):
    """core/friches.py is_candidate() for OCS2D: ``history`` = [(cs, us)] of 2005, 2015, 2021."""
    roles = [_role(us) for _cs, us in history]
    if "friche" in roles or history[-1][1] == "US6.1.2":
        return True
    earlier_urban = "urbain" in roles[:-1]
    if roles[-1] == "transition" and earlier_urban:
        return True
    return roles[-1] == "sans_usage" and earlier_urban and (history[-1][0] or "").startswith("CS1.1")


def _pick(fids, count, salt):
    """``count`` fids of ``fids`` chosen by a hash (deterministic), in fid order."""
    fids = np.asarray(fids, dtype=np.int64)
    if count >= fids.size:
        return fids
    order = np.argsort(bench_data.hash_u(fids, np.zeros_like(fids), salt), kind="stable")
    return np.sort(fids[order[:count]])


def _flood_lines(rect):
    """4 sinuous lines across rect = (xmin, ymin, xmax, ymax): [(name, [(x, y)])]."""
    xmin, ymin, xmax, ymax = rect
    width, height = xmax - xmin, ymax - ymin
    lines = []
    for k, (kind, share, amplitude, period, phase) in enumerate((
            ("ouest-est", 0.28, 0.04, 0.35, 0.3), ("ouest-est", 0.71, 0.05, 0.27, 1.9),
            ("sud-nord", 0.22, 0.05, 0.31, 0.8), ("sud-nord", 0.63, 0.04, 0.42, 2.6))):
        along = width if kind == "ouest-est" else height
        across = height if kind == "ouest-est" else width
        count = int(along // FLOOD_STEP) + 1
        t = np.linspace(0.0, along, count)
        offset = across * (share + amplitude * np.sin(2 * math.pi * t / (period * along) + phase)
                           + 0.4 * amplitude * np.sin(2 * math.pi * t / (0.11 * along) + 2 * phase))
        if kind == "ouest-est":
            points = list(zip((xmin + t).tolist(), (ymin + offset).tolist()))
        else:
            points = list(zip((xmin + offset).tolist(), (ymin + t).tolist()))
        lines.append(("%s %d" % (kind, k + 1), points))
    return lines


def _create(ds, name, srs, geometry_type, fields):
    from osgeo import ogr

    layer = ds.CreateLayer(name, srs, geometry_type, options=["FID=fid", "GEOMETRY_NAME=geom"])
    for field_name in fields:
        layer.CreateField(ogr.FieldDefn(field_name, ogr.OFTString))
    return layer


def _add(layer, geometry, values):
    from osgeo import ogr

    feature = ogr.Feature(layer.GetLayerDefn())
    feature.SetGeometry(geometry)
    for i, value in enumerate(values):
        feature.SetField(i, value)
    layer.CreateFeature(feature)


def ensure_context(n, force=False, log=print):
    """(path of context_<n>.gpkg, stats), generated when missing (or ``force``)."""
    path, stats_path = context_path(n)
    stats = bench_changes_data.cached_stats((path,), stats_path, force)
    if stats is not None:
        return path, stats
    from osgeo import gdal, ogr, osr

    gdal.UseExceptions()
    start = time.perf_counter()
    source = bench_data.ensure(n, log=log)
    communes_file = bench_changes_data.ensure_communes(n, log=log)

    # communes, in insee_com order
    ds = ogr.Open(communes_file)
    layer = ds.GetLayer(0)
    communes = sorted(((f.GetField(bench_changes_data.ZONE_FIELD), f.GetGeometryRef().Clone()) for f in layer),
                      key=lambda item: item[0])
    ds = None
    rect = bench_changes_data._extent(source)

    # the layer: urban polygons of 2021 and friche candidates, attributes only
    ds = ogr.Open(source)
    layer = ds.GetLayer(bench_data.LAYER)
    layer.SetIgnoredFields(["OGR_GEOMETRY"])
    urban, candidates = [], []
    names = [name for pair in zip(("cs05", "cs15", "cs21"), ("us05", "us15", "us21")) for name in pair]
    for feature in layer:
        codes = [feature.GetField(name) for name in names]
        history = [(codes[0], codes[1]), (codes[2], codes[3]), (codes[4], codes[5])]
        if (codes[5] or "")[:3] in URBAN:
            urban.append(feature.GetFID())
        if is_candidate(history):
            candidates.append(feature.GetFID())
    count = layer.GetFeatureCount()
    layer.SetIgnoredFields([])
    services_fids = _pick(urban, int(round(count * SERVICES_PER_POLYGON)), SALT)
    candidates = np.asarray(candidates, dtype=np.int64)
    order = np.argsort(bench_data.hash_u(candidates, np.ones_like(candidates), SALT), kind="stable")
    pollution_fids = np.sort(candidates[order[::POLLUTION_EVERY]])

    def points_on_surface(fids):
        for fid in fids.tolist():
            feature = layer.GetFeature(int(fid))     # kept alive while its geometry is used
            yield fid, feature.GetGeometryRef().PointOnSurface()

    tmp = path[:-len(".gpkg")] + ".part.gpkg"
    if os.path.exists(tmp):
        os.remove(tmp)
    out = ogr.GetDriverByName("GPKG").CreateDataSource(tmp)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    stats = {"source": os.path.relpath(source, bench_data.REPO),
             "communes": os.path.relpath(communes_file, bench_data.REPO), "polygons": count,
             "urban_polygons_2021": len(urban), "candidate_polygons": int(candidates.size)}

    target = _create(out, LAYERS["TOWN_HALLS"], srs, ogr.wkbPoint, ["insee_com", "nom"])
    target.StartTransaction()
    for code, geometry in communes:
        _add(target, geometry.PointOnSurface(), [code, "Mairie %s" % code])
    target.CommitTransaction()
    stats["mairies"] = len(communes)

    target = _create(out, LAYERS["STATIONS"], srs, ogr.wkbPoint, ["nom", "insee_com"])
    target.StartTransaction()
    stations = 0
    for i, (code, geometry) in enumerate(communes):
        if i % STATION_EVERY:
            continue
        point = geometry.Centroid()
        if not point.Within(geometry):
            point = geometry.PointOnSurface()
        _add(target, point, ["Gare %s" % code, code])
        stations += 1
    target.CommitTransaction()
    stats["gares"] = stations

    target = _create(out, LAYERS["SERVICES"], srs, ogr.wkbPoint, [SERVICES_FIELD])
    codes = BPE_COUNTED + BPE_OTHER
    draws = bench_data.hash_u(services_fids, np.full_like(services_fids, 2), SALT)
    target.StartTransaction()
    counted = 0
    for (fid, point), draw in zip(points_on_surface(services_fids), draws.tolist()):
        code = codes[int(draw * len(codes))]
        counted += code in BPE_COUNTED
        _add(target, point, [code])
    target.CommitTransaction()
    stats["services"] = int(services_fids.size)
    stats["services_counted"] = counted

    target = _create(out, LAYERS["FLOOD"], srs, ogr.wkbPolygon, ["id", "axe"])
    target.StartTransaction()
    pieces = 0
    per_piece = int(FLOOD_PIECE // FLOOD_STEP)
    for name, points in _flood_lines(rect):
        for first in range(0, len(points) - 1, per_piece):
            line = ogr.Geometry(ogr.wkbLineString)
            for x, y in points[first:first + per_piece + 1]:
                line.AddPoint_2D(x, y)
            pieces += 1
            _add(target, line.Buffer(FLOOD_HALF_WIDTH, 8), ["PPRI-%03d" % pieces, name])
    target.CommitTransaction()
    stats["inondation"] = pieces

    target = _create(out, LAYERS["ZONING"], srs, ogr.wkbMultiPolygon, ["insee_com", ZONING_FIELD])
    target.StartTransaction()
    for i, (code, geometry) in enumerate(communes):
        _add(target, ogr.ForceToMultiPolygon(geometry), [code, TYPEZONES[i % len(TYPEZONES)]])
    target.CommitTransaction()
    stats["plu"] = len(communes)

    target = _create(out, LAYERS["PROTECTED"], srs, ogr.wkbMultiPolygon, ["nom", "insee_com"])
    target.StartTransaction()
    protected = 0
    for i, (code, geometry) in enumerate(communes):
        if i % PROTECTED_EVERY:
            continue
        _add(target, ogr.ForceToMultiPolygon(geometry), ["Zone protégée %s" % code, code])
        protected += 1
    target.CommitTransaction()
    stats["protege"] = protected

    target = _create(out, LAYERS["POLLUTION"], srs, ogr.wkbPoint, ["id"])
    target.StartTransaction()
    for fid, point in points_on_surface(pollution_fids):
        _add(target, point, ["BASOL-%d" % fid])
    target.CommitTransaction()
    stats["pollution"] = int(pollution_fids.size)
    out = None
    ds = None
    os.replace(tmp, path)
    stats["mb"] = round(os.path.getsize(path) / 1e6, 1)
    bench_changes_data.store_stats(stats_path, stats)
    log("bench_context_data: %s in %.1f s: %s" % (path, time.perf_counter() - start, json.dumps(stats)))
    return path, stats


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=bench_data.DEFAULT_N, help="polygons of the layer")
    parser.add_argument("--force", action="store_true", help="rebuild even if the cached file exists")
    args = parser.parse_args(argv)
    path, stats = ensure_context(args.n, args.force)
    print(path, json.dumps(stats, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
