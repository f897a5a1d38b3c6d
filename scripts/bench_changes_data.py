#!/usr/bin/env python3
"""Inputs of the change benchmarks of scripts/bench.py: communes over the bench territory, and a pair of
single-vintage layers.

    python scripts/bench_changes_data.py --communes 1000000     # .build/bench/communes_1000000.gpkg
    python scripts/bench_changes_data.py --pair 200000          # .build/bench/pair_a_200000.gpkg, pair_b_200000.gpkg
    python scripts/bench_changes_data.py --pair 200000 --force --check

Deterministic (same N, same files); cached in .build/bench/ like scripts/bench_data.py. QGIS geometry classes
(GEOS) are used without starting a QgsApplication; files are written with OGR.

**Communes** (``communes_<n>.gpkg``, layer ``communes``, field ``insee_com``, EPSG:2154): a Voronoi diagram of
seeds on a jittered grid (one seed per 8 km², each seed moved by up to ±35 % of the grid step), over the extent
of ``ocs2d_<n>.gpkg`` (its bounding box rounded outwards to the metre). Every Voronoi edge inside the extent is
densified to a vertex every 25 m and bent by a smooth deterministic wave (a few harmonics, amplitude up to 5 % of
the edge length and at most 150 m, zero at both ends) plus a ±3 m jitter per vertex; the bent edges and the
sides of the extent (cut at the edge ends) are polygonized once, so neighbouring communes share exactly the same
vertices: no gap, no overlap, and the communes cover the extent (hence every polygon of the layer) exactly.
Codes are 5 characters (``59001``…), numbered from north-west to south-east.

**Pair** (``pair_a_<m>.gpkg`` layer ``pair_a`` with ``cs15``/``us15``; ``pair_b_<m>.gpkg`` layer ``pair_b`` with
``cs21``/``us21``), from ``ocs2d_<m>.gpkg`` of scripts/bench_data.py (generated when missing):

* A: every polygon of the source, with its 2015 codes;
* B: the same polygons with their 2021 codes, except that every 20th polygon of the source (fid ≡ 0 mod 20) and
  the neighbour sharing the longest border with it (one not already taken) are merged and re-cut in two
  (QgsGeometry.splitGeometry) by a chord between two vertices of the merged polygon, those whose bearing from its
  centroid is closest to a deterministic angle θ and θ + π (θ + k·π/8 if the chord leaves the polygon or a piece
  would be under 5 %); the chord ends on existing vertices, so there is no T-junction and B covers exactly the
  land of A. Every piece takes the 2021 codes of the original polygon it overlaps most. About 10 % of A's
  polygons are thus redrawn in B with borders that cross theirs; the other ~90 % have exactly the same geometry
  (same WKB) in both layers. Counts are written to ``pair_<m>.json``.

**Independent second layer** (``pair_b_indep_<m>.gpkg``, layer ``pair_b_indep``, fields ``cs21``/``us21``): a
tessellation drawn independently of A over the extent of ``ocs2d_<m>.gpkg`` (its bounding box rounded outwards
to the metre): the Voronoi diagram (GEOS) of about M seeds on a jittered grid (each seed moved by up to ±45 % of
the grid step, deterministic), cells clipped to the extent. Irregular convex polygons whose borders cross those
of A everywhere: no polygon is shared with A, so the overlay A × B-indep is the general case (two deliveries of
different producers). Codes: the 2021 (cs21, us21) pair of the source polygon under a point inside the cell (its
``pointOnSurface``), so that the land cover is the same territory's (towns where the towns are: the OCS2D spatial
rules of ocs:changedetection meet the usual urban envelopes, not housing scattered at random). Counts are written
to ``pair_indep_<m>.json``.
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
import bench_data  # noqa: E402

BENCH_DIR = bench_data.BENCH_DIR
COMMUNES_LAYER = "communes"
ZONE_FIELD = "insee_com"
KM2_PER_COMMUNE = 8.0
SEED_JITTER = 0.35          # fraction of the grid step
VERTEX_SPACING = 25.0       # m, along the bent edges
WAVE_SHARE = 0.05           # amplitude / edge length
WAVE_MAX = 150.0            # m
VERTEX_JITTER = 3.0         # m
DEPARTEMENTS = ("59", "62", "80", "60", "02")

PAIR_LAYERS = ("pair_a", "pair_b")
PAIR_FIELDS = (("cs15", "us15"), ("cs21", "us21"))
RECUT_EVERY = 20
SEED = 20240918
INDEP_LAYER = "pair_b_indep"
INDEP_JITTER = 0.45         # fraction of the grid step


def communes_path(n):
    return os.path.join(BENCH_DIR, "communes_%d.gpkg" % n)


def pair_paths(m):
    return (os.path.join(BENCH_DIR, "pair_a_%d.gpkg" % m), os.path.join(BENCH_DIR, "pair_b_%d.gpkg" % m),
            os.path.join(BENCH_DIR, "pair_%d.json" % m))


# -- writing -----------------------------------------------------------------------------------------------------

def _write(path, layer_name, fields, rows, width=10):
    """GeoPackage of polygons: ``rows`` = [(wkb, [values])]; written to a .part file, then renamed."""
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds, layer, tmp = bench_data.part_layer(path, layer_name, fields, width)
    defn = layer.GetLayerDefn()
    layer.StartTransaction()
    for count, (wkb, values) in enumerate(rows):
        feature = ogr.Feature(defn)
        feature.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb))
        for i, value in enumerate(values):
            feature.SetField(i, value)
        layer.CreateFeature(feature)
        if count % 100_000 == 99_999:
            layer.CommitTransaction()
            layer.StartTransaction()
    layer.CommitTransaction()
    ds = None
    os.replace(tmp, path)


# -- communes ----------------------------------------------------------------------------------------------------

def _extent(path):
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds = ogr.Open(path)
    xmin, xmax, ymin, ymax = ds.GetLayer(0).GetExtent(force=1)
    return math.floor(xmin), math.floor(ymin), math.ceil(xmax), math.ceil(ymax)


def _clip(p, q, rect):
    """Liang–Barsky: the part of segment p→q inside rect (xmin, ymin, xmax, ymax), or None."""
    xmin, ymin, xmax, ymax = rect
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, x0 - xmin), (dx, xmax - x0), (-dy, y0 - ymin), (dy, ymax - y0)):
        if pk == 0:
            if qk < 0:
                return None
            continue
        t = qk / pk
        if pk < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None

    a = p if t0 == 0.0 else _snap_border((x0 + t0 * dx, y0 + t0 * dy), rect)
    b = q if t1 == 1.0 else _snap_border((x0 + t1 * dx, y0 + t1 * dy), rect)
    if a == b:
        return None
    return a, b


def _snap_border(point, rect):
    """A clip point: exactly on a side of rect, the other coordinate rounded to the mm."""
    xmin, ymin, xmax, ymax = rect
    x, y = point
    distances = [(abs(x - xmin), 0, xmin), (abs(x - xmax), 0, xmax), (abs(y - ymin), 1, ymin),
                 (abs(y - ymax), 1, ymax)]
    _d, side, value = min(distances)
    return (value, round(y, 3)) if side == 0 else (round(x, 3), value)


def _bend(a, b, rng, amplitude_factor):
    """Points of edge a→b densified and bent (ends unchanged)."""
    (x0, y0), (x1, y1) = a, b
    length = math.hypot(x1 - x0, y1 - y0)
    k = int(length // VERTEX_SPACING)
    harmonics = np.array([1.0, 2.0, 3.0, 5.0])
    weights = 1.0 / harmonics
    phases = rng.uniform(0, 2 * math.pi, harmonics.size)
    sign = rng.choice([-1.0, 1.0])
    jitter = rng.uniform(-1.0, 1.0, max(k, 1))
    if k < 2 or amplitude_factor == 0:
        return [a, b]
    t = np.arange(1, k + 1) / (k + 1.0)
    envelope = np.sin(math.pi * t) ** 2
    wave = (weights[None, :] * np.sin(2 * math.pi * harmonics[None, :] * t[:, None] + phases[None, :])).sum(1)
    wave = sign * wave / weights.sum()
    amplitude = min(WAVE_SHARE * length, WAVE_MAX) * amplitude_factor
    offset = envelope * (amplitude * wave + VERTEX_JITTER * amplitude_factor * jitter[:k])
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    xs = np.round(x0 + (x1 - x0) * t + nx * offset, 3)
    ys = np.round(y0 + (y1 - y0) * t + ny * offset, 3)
    return [a] + list(zip(xs.tolist(), ys.tolist())) + [b]


def build_communes(rect, seed):
    """[(insee_com, QgsGeometry)] covering rect = (xmin, ymin, xmax, ymax) exactly."""
    from qgis.core import QgsGeometry, QgsPointXY, QgsRectangle

    xmin, ymin, xmax, ymax = rect
    width, height = xmax - xmin, ymax - ymin
    step = math.sqrt(KM2_PER_COMMUNE * 1e6)
    nx, ny = max(1, int(round(width / step))), max(1, int(round(height / step)))
    sx, sy = width / nx, height / ny
    rng = np.random.default_rng(seed)
    gi, gj = np.meshgrid(np.arange(nx), np.arange(ny))
    px = xmin + (gi.ravel() + 0.5 + rng.uniform(-SEED_JITTER, SEED_JITTER, gi.size)) * sx
    py = ymin + (gj.ravel() + 0.5 + rng.uniform(-SEED_JITTER, SEED_JITTER, gj.size)) * sy
    sites = QgsGeometry.fromMultiPointXY([QgsPointXY(x, y) for x, y in zip(px.tolist(), py.tolist())])
    frame = QgsGeometry.fromRect(QgsRectangle(xmin - 2 * step, ymin - 2 * step, xmax + 2 * step, ymax + 2 * step))
    diagram = sites.voronoiDiagram(frame, 0.0, True)
    edges = []
    for line in diagram.asMultiPolyline():
        for p, q in zip(line[:-1], line[1:]):
            clipped = _clip((round(p.x(), 3), round(p.y(), 3)), (round(q.x(), 3), round(q.y(), 3)), rect)
            if clipped is not None:
                edges.append(clipped)
    # the sides of the extent, cut at the edge ends lying on them
    on_side = {0: {ymin, ymax}, 1: {ymin, ymax}, 2: {xmin, xmax}, 3: {xmin, xmax}}
    for a, b in edges:
        for x, y in (a, b):
            if x == xmin:
                on_side[0].add(y)
            if x == xmax:
                on_side[1].add(y)
            if y == ymin:
                on_side[2].add(x)
            if y == ymax:
                on_side[3].add(x)
    border = []
    for side, values in on_side.items():
        values = sorted(values)
        for u, v in zip(values[:-1], values[1:]):
            if side == 0:
                border.append([(xmin, u), (xmin, v)])
            elif side == 1:
                border.append([(xmax, u), (xmax, v)])
            elif side == 2:
                border.append([(u, ymin), (v, ymin)])
            else:
                border.append([(u, ymax), (v, ymax)])
    expected = nx * ny
    area = width * height
    factor = 1.0
    while True:
        bend_rng = np.random.default_rng(seed + 1)
        lines = [_bend(a, b, bend_rng, factor) for a, b in edges] + border
        network = QgsGeometry.fromMultiPolylineXY([[QgsPointXY(x, y) for x, y in line] for line in lines])
        faces = [part for part in QgsGeometry.polygonize([network]).asGeometryCollection()]
        total = sum(face.area() for face in faces)
        ok = (network.isSimple() and len(faces) == expected and abs(total - area) <= 1e-9 * area
              and all(face.isGeosValid() for face in faces))
        if ok or factor == 0.0:
            break
        factor = factor / 2.0 if factor > 0.1 else 0.0
    if not ok:
        raise SystemExit("bench_changes_data: the Voronoi communes do not tile the extent (%d faces for %d seeds, "
                         "area %.1f for %.1f)" % (len(faces), expected, total, area))
    keyed = []
    for face in faces:
        point = face.pointOnSurface().asPoint()
        keyed.append((int((ymax - point.y()) // sy), point.x(), face))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [(DEPARTEMENTS[i // 999] + "%03d" % (i % 999 + 1), face) for i, (_r, _x, face) in enumerate(keyed)], factor


def ensure_communes(n, force=False, log=print):
    """Path of communes_<n>.gpkg over the extent of ocs2d_<n>.gpkg, generated when missing (or ``force``)."""
    path = communes_path(n)
    if os.path.exists(path) and not force:
        return path
    start = time.perf_counter()
    source = bench_data.ensure(n, log=log)
    rect = _extent(source)
    communes, factor = build_communes(rect, SEED + n)
    _write(path, COMMUNES_LAYER, [ZONE_FIELD], ((bytes(geometry.asWkb()), [code]) for code, geometry in communes),
           width=5)
    log("bench_changes_data: %d communes over %.0f × %.0f m (%.1f km² each on average, waves × %.2f) in %s, "
        "%.1f s" % (len(communes), rect[2] - rect[0], rect[3] - rect[1],
                    (rect[2] - rect[0]) * (rect[3] - rect[1]) / 1e6 / len(communes), factor, path,
                    time.perf_counter() - start))
    return path


# -- pair ----------------------------------------------------------------------------------------------------

def _recut(union, angle):
    """Two pieces of ``union`` cut by a chord between two of its vertices, roughly through its centroid at
    ``angle`` (the chord ends on existing vertices: no new vertex on the border, so no T-junction with the
    neighbours), or None."""
    import warnings

    from qgis.core import QgsGeometry

    if union.isMultipart():
        parts = union.asGeometryCollection()
        if len(parts) != 1:
            return None
        union = parts[0]
    ring = union.asPolygon()[0][:-1]
    centre = union.centroid()
    if not union.contains(centre):
        centre = union.pointOnSurface()
    c = centre.asPoint()
    bearings = np.array([math.atan2(p.y() - c.y(), p.x() - c.x()) for p in ring])
    area = union.area()
    for attempt in range(8):
        wanted = angle + attempt * math.pi / 8.0
        ends = []
        for direction in (wanted, wanted + math.pi):
            gap = np.abs((bearings - direction + math.pi) % (2 * math.pi) - math.pi)
            ends.append(int(np.argmin(gap)))
        k, m = ends
        if k == m or not union.contains(QgsGeometry.fromPolylineXY([ring[k], ring[m]])):
            continue
        geometry = QgsGeometry(union)
        with warnings.catch_warnings():   # the QgsPointXY signature is the one QGIS 3.22 exposes to Python
            warnings.simplefilter("ignore", DeprecationWarning)
            result, others, _points = geometry.splitGeometry([ring[k], ring[m]], False)
        if int(result) != 0 or len(others) != 1:
            continue
        pieces = [geometry, others[0]]
        if any(piece.isMultipart() or piece.area() < 0.05 * area for piece in pieces):
            continue
        return pieces
    return None


def cached_stats(paths, stats_path, force=False):
    """The stats stored beside generated files (``paths`` and ``stats_path`` all present and not ``force``), or
    None: they are to be generated."""
    if force or not all(os.path.exists(p) for p in tuple(paths) + (stats_path,)):
        return None
    with open(stats_path, encoding="utf-8") as handle:
        return json.load(handle)


def store_stats(stats_path, stats):
    with open(stats_path, "w", encoding="utf-8") as handle:
        json.dump(stats, handle, indent=1, sort_keys=True)


def ensure_pair(m, force=False, log=print):
    """(path A, path B, stats) of the pair built from ocs2d_<m>.gpkg, generated when missing (or ``force``)."""
    a_path, b_path, stats_path = pair_paths(m)
    stats = cached_stats((a_path, b_path), stats_path, force)
    if stats is not None:
        return a_path, b_path, stats
    from osgeo import gdal, ogr
    from qgis.core import QgsGeometry, QgsRectangle, QgsSpatialIndex

    gdal.UseExceptions()
    start = time.perf_counter()
    source = bench_data.ensure(m, log=log)
    ds = ogr.Open(source)
    layer = ds.GetLayer(bench_data.LAYER)
    fids, wkbs, codes, boxes = [], [], [], []
    for feature in layer:
        geometry = feature.GetGeometryRef()
        fids.append(feature.GetFID())
        wkbs.append(bytes(geometry.ExportToWkb(ogr.wkbNDR)))
        codes.append(tuple(feature.GetField(name) for name in ("cs15", "us15", "cs21", "us21")))
        boxes.append(geometry.GetEnvelope())
    ds = None
    index = QgsSpatialIndex()
    for i, (x0, x1, y0, y1) in enumerate(boxes):
        index.addFeature(i, QgsRectangle(x0, y0, x1, y1))

    def geometry_of(i):
        geometry = QgsGeometry()
        geometry.fromWkb(wkbs[i])
        return geometry

    used = set()
    replaced = {}          # first index of a group → [(wkb, (cs21, us21))]; the neighbour's slot is dropped
    dropped = set()
    failed = 0
    for i, fid in enumerate(fids):
        if fid % RECUT_EVERY or i in used:
            continue
        seed_geometry = geometry_of(i)
        seed_boundary = QgsGeometry(seed_geometry.constGet().boundary())
        best, best_length = None, 1.0
        for j in index.intersects(seed_geometry.boundingBox()):
            if j == i or j in used:
                continue
            candidate = geometry_of(j)     # kept alive while its constGet() is used
            shared = seed_boundary.intersection(QgsGeometry(candidate.constGet().boundary())).length()
            if shared > best_length:
                best, best_length = j, shared
        if best is None:
            failed += 1
            continue
        other_geometry = geometry_of(best)
        union = seed_geometry.combine(other_geometry)
        pieces = None
        if not union.isMultipart() or len(union.asGeometryCollection()) == 1:
            angle = float(bench_data.hash_u(np.array([fid]), np.array([best]), 900)[0]) * math.pi
            pieces = _recut(union, angle)
        if pieces is None:
            failed += 1
            continue
        rows = []
        for piece in pieces:
            a = piece.intersection(seed_geometry).area()
            b = piece.intersection(other_geometry).area()
            cs21, us21 = (codes[i] if a >= b else codes[best])[2:4]
            rows.append((bytes(piece.asWkb()), (cs21, us21)))
        used.update((i, best))
        first, second = min(i, best), max(i, best)
        replaced[first] = rows
        dropped.add(second)

    def rows_b():
        for i in range(len(fids)):
            if i in dropped:
                continue
            if i in replaced:
                for wkb, values in replaced[i]:
                    yield wkb, list(values)
            else:
                yield wkbs[i], list(codes[i][2:4])

    _write(a_path, PAIR_LAYERS[0], PAIR_FIELDS[0], ((wkbs[i], list(codes[i][0:2])) for i in range(len(fids))))
    _write(b_path, PAIR_LAYERS[1], PAIR_FIELDS[1], rows_b())
    pieces_b = sum(len(rows) for rows in replaced.values())
    changed_codes = sum(1 for c in codes if c[0:2] != c[2:4])
    stats = {
        "source": os.path.relpath(source, bench_data.REPO), "a_features": len(fids),
        "b_features": len(fids) - 2 * len(replaced) + pieces_b, "groups": len(replaced),
        "a_redrawn": 2 * len(replaced), "b_pieces": pieces_b, "groups_skipped": failed,
        "identical_geometry_share": round(1.0 - 2.0 * len(replaced) / len(fids), 4),
        "code_changes_share": round(changed_codes / float(len(fids)), 4),
        "a_mb": round(os.path.getsize(a_path) / 1e6, 1), "b_mb": round(os.path.getsize(b_path) / 1e6, 1),
    }
    store_stats(stats_path, stats)
    log("bench_changes_data: pair of %d / %d polygons (%d groups of 2 re-cut into %d pieces, %d skipped) in "
        "%.1f s" % (stats["a_features"], stats["b_features"], len(replaced), pieces_b, failed,
                    time.perf_counter() - start))
    return a_path, b_path, stats


def indep_paths(m):
    return (os.path.join(BENCH_DIR, "pair_b_indep_%d.gpkg" % m), os.path.join(BENCH_DIR, "pair_indep_%d.json" % m))


def ensure_indep(m, force=False, log=print):
    """(path, stats) of the independent tessellation over the extent of ocs2d_<m>.gpkg (generated when missing)."""
    path, stats_path = indep_paths(m)
    stats = cached_stats((path,), stats_path, force)
    if stats is not None:
        return path, stats
    from osgeo import gdal, ogr
    from qgis.core import QgsGeometry, QgsPointXY, QgsRectangle, QgsSpatialIndex

    gdal.UseExceptions()
    start = time.perf_counter()
    source = bench_data.ensure(m, log=log)
    xmin, ymin, xmax, ymax = _extent(source)
    ds = ogr.Open(source)
    layer = ds.GetLayer(bench_data.LAYER)
    index = QgsSpatialIndex()
    polygons, codes = [], []
    for k, feature in enumerate(layer):
        geometry = QgsGeometry()
        geometry.fromWkb(bytes(feature.GetGeometryRef().ExportToWkb(ogr.wkbNDR)))
        polygons.append(geometry)
        codes.append((feature.GetField("cs21"), feature.GetField("us21")))
        index.addFeature(k, geometry.boundingBox())
    ds = None

    def code_under(cell):
        point = cell.pointOnSurface()
        box = point.boundingBox()
        for k in index.intersects(box):
            if polygons[k].contains(point):
                return codes[k]
        nearest = index.nearestNeighbor(point.asPoint(), 1)
        return codes[nearest[0]] if nearest else codes[0]
    width, height = xmax - xmin, ymax - ymin
    step = math.sqrt(width * height / float(m))
    nx, ny = max(1, int(round(width / step))), max(1, int(round(height / step)))
    sx, sy = width / nx, height / ny
    rng = np.random.default_rng(SEED + 7 * m)
    gi, gj = np.meshgrid(np.arange(nx), np.arange(ny))
    px = xmin + (gi.ravel() + 0.5 + rng.uniform(-INDEP_JITTER, INDEP_JITTER, gi.size)) * sx
    py = ymin + (gj.ravel() + 0.5 + rng.uniform(-INDEP_JITTER, INDEP_JITTER, gj.size)) * sy
    sites = QgsGeometry.fromMultiPointXY([QgsPointXY(x, y) for x, y in zip(px.tolist(), py.tolist())])
    rect = QgsRectangle(xmin, ymin, xmax, ymax)
    frame = QgsGeometry.fromRect(QgsRectangle(xmin - 2 * step, ymin - 2 * step, xmax + 2 * step,
                                              ymax + 2 * step))
    cells = sites.voronoiDiagram(frame, 0.0, False).asGeometryCollection()
    box = QgsGeometry.fromRect(rect)
    rows = []
    total = 0.0
    for cell in cells:
        if not rect.contains(cell.boundingBox()):
            cell = cell.intersection(box)
            if cell.isEmpty() or cell.area() <= 0:
                continue
        total += cell.area()
        rows.append((bytes(cell.asWkb()), list(code_under(cell))))
    _write(path, INDEP_LAYER, PAIR_FIELDS[1], rows)
    stats = {"source": os.path.relpath(source, bench_data.REPO), "b_features": len(rows), "seeds": nx * ny,
             "extent_m2": width * height, "area_m2": round(total, 1), "jitter": INDEP_JITTER,
             "codes": "cs21/us21 of the source polygon under each cell's pointOnSurface",
             "b_mb": round(os.path.getsize(path) / 1e6, 1)}
    store_stats(stats_path, stats)
    log("bench_changes_data: independent tessellation of %d polygons over %.0f × %.0f m in %.1f s" % (
        len(rows), width, height, time.perf_counter() - start))
    return path, stats


# -- checks ------------------------------------------------------------------------------------------------------

def check(path):
    """Count, validity, area sum vs. area of the union (gaps / overlaps)."""
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    invalid = 0
    total = 0.0
    collection = ogr.Geometry(ogr.wkbMultiPolygon)
    for feature in layer:
        geometry = feature.GetGeometryRef()
        invalid += not geometry.IsValid()
        total += geometry.GetArea()
        collection.AddGeometry(geometry)
    union = collection.UnionCascaded()
    xmin, xmax, ymin, ymax = layer.GetExtent()
    print("%s: %d features, %d invalid, sum of areas %.1f m², area of the union %.1f m² (overlaps %.3g m²), "
          "extent %.1f m², holes in the union %d" % (
              path, layer.GetFeatureCount(), invalid, total, union.GetArea(), total - union.GetArea(),
              (xmax - xmin) * (ymax - ymin), sum(union.GetGeometryRef(i).GetGeometryCount() - 1
                                                 for i in range(union.GetGeometryCount()))
              if union.GetGeometryType() == ogr.wkbMultiPolygon else union.GetGeometryCount() - 1))
    return invalid == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communes", type=int, default=None, help="communes over ocs2d_<N>.gpkg")
    parser.add_argument("--pair", type=int, default=None, help="pair built from ocs2d_<M>.gpkg")
    parser.add_argument("--indep", type=int, default=None,
                        help="independent tessellation over the extent of ocs2d_<M>.gpkg")
    parser.add_argument("--force", action="store_true", help="rebuild even if the cached files exist")
    parser.add_argument("--check", action="store_true", help="check validity, gaps and overlaps")
    args = parser.parse_args(argv)
    ok = True
    if args.communes:
        path = ensure_communes(args.communes, args.force)
        print(path)
        if args.check:
            ok = check(path) and ok
    if args.pair:
        a_path, b_path, stats = ensure_pair(args.pair, args.force)
        print(a_path, b_path, json.dumps(stats, sort_keys=True))
        if args.check:
            ok = check(a_path) and check(b_path) and ok
    if args.indep:
        path, stats = ensure_indep(args.indep, args.force)
        print(path, json.dumps(stats, sort_keys=True))
        if args.check:
            ok = check(path) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
