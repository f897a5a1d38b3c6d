#!/usr/bin/env python3
"""Build the plugin's sample territory: a synthetic, deterministic OCS2D / OCS GE data set.

Usage::

    /usr/bin/python3 scripts/make_sample.py OUTDIR [--force]

Needs only GDAL's Python bindings (``osgeo.ogr``/``osr``) and numpy: no QGIS, no shapely. Everything is drawn
from a fixed seed, so two runs give the same polygons and the same attributes. Existing outputs are kept unless
``--force`` is given.

What it writes, all in EPSG:2154 (Lambert-93), on a ~5 km x 4 km territory near x=700000, y=7030000
(Lens / Hénin-Beaumont area, Pas-de-Calais):

``communes.gpkg`` (layer ``communes``)
    five communes (``insee_com``, ``nom_com``) that tile the territory. Each commune is the union of whole
    OCS2D polygons, so every OCS2D polygon lies in exactly one commune.
``ocs2d_sample.gpkg`` (layer ``ocs2d``)
    an OCS2D-like tessellation (Voronoi cells of jittered seeds, small in towns, large in fields, cut by the
    canal, the river, the railway, the roads and a pond), with ``cs05, us05, cs15, us15, cs21, us21`` in the
    OCS2D Hauts-de-France 2021 nomenclature and ``surf_m2``. Three towns, an activity zone, farmland, a wood,
    farms, friches and urban sprawl between the vintages.
``ocsge_2018.gpkg`` / ``ocsge_2021.gpkg`` (layer ``occupation_sol``)
    an OCS GE-like layer per vintage on a different, coarser tessellation of the same territory. Codes are
    the OCS2D 2015 (for 2018) or 2021 state at each polygon's point-on-surface, translated with the
    ``ocsge_equiv_geo2france`` crosswalk of ``resources/nomenclatures`` (US6.2.3 -> US1.1), plus a few
    changes of OCS GE's own between 2018 and 2021.

The data are invented: commune codes and names are real communes of the area, shapes and land cover are not.

How the tessellation is built: OGR (GDAL 3.6) has a Delaunay triangulation but no Voronoi diagram, so the
Voronoi edges are computed from the triangles' circumcentres. Those edges, the territory outline and the
outlines of the linear features are noded together in one union and polygonized: neighbouring polygons share
exactly the same vertices, so there is no gap, no overlap and unions (communes) are clean. Corridor faces are
then merged into pieces a few hundred metres long, and slivers under 10 m² into a neighbour.
"""
import argparse
import csv
import math
import os
import sys
import time

import numpy as np
from osgeo import gdal, ogr, osr

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from core.rules import envelope_predicate  # noqa: E402  (plain Python, no QGIS import)

_OCS2D_ENVELOPE = envelope_predicate("ocs2d_2021")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOMENCLATURES = os.path.join(ROOT, "resources", "nomenclatures")

EPSG = 2154
SEED = 62498
X0, Y0 = 697500.0, 7028000.0          # south-west corner of the territory (Lambert-93)
WIDTH, HEIGHT = 5000.0, 4000.0
MARGIN = 450.0                          # seeds and lines go this far outside the territory

OUTPUTS = (
    ("communes.gpkg", "communes"),
    ("ocs2d_sample.gpkg", "ocs2d"),
    ("ocsge_2018.gpkg", "occupation_sol"),
    ("ocsge_2021.gpkg", "occupation_sol"),
)
VINTAGES = ("05", "15", "21")
OCSGE_US_OVERRIDES = {"US6.2.3": "US1.1"}   # espaces agricoles non exploités stay agriculture in OCS GE

# insee, name, seed of the commune (local metres from the south-west corner)
COMMUNES = (
    ("62498", "Lens", (1300.0, 3250.0)),
    ("62510", "Liévin", (850.0, 1500.0)),
    ("62065", "Avion", (2550.0, 800.0)),
    ("62570", "Méricourt", (3050.0, 3150.0)),
    ("62427", "Hénin-Beaumont", (4250.0, 1650.0)),
)

# Towns: centre, mean radius, harmonics (k, amplitude, phase) of the outline, habitat codes core/mid/outer.
TOWNS = {
    "A": dict(centre=(1600.0, 2500.0), radius=640.0,
              harmonics=((2, 0.08, 0.6), (3, 0.06, 2.1), (5, 0.03, 0.3)),
              habitat=("US5.1.1", "US5.2.1", "US5.2.2"), streets=7, ring=True),
    "B": dict(centre=(4150.0, 1900.0), radius=520.0,
              harmonics=((2, 0.09, 1.9), (3, 0.05, 0.4), (4, 0.03, 2.8)),
              habitat=("US5.1.2", "US5.2.2", "US5.2.3"), streets=6, ring=True),
    "C": dict(centre=(2450.0, 760.0), radius=330.0,
              harmonics=((2, 0.07, 0.2), (3, 0.05, 1.3)),
              habitat=("US5.1.3", "US5.2.3", "US5.2.3"), streets=4, ring=False),
}
TOWN_FINE = 1.25        # fine seeds (small polygons) up to this normalised distance from a town centre
ACTIVITY = dict(centre=(2950.0, 2450.0), rx=330.0, ry=210.0, angle=math.radians(8.0))
ACTIVITY_FINE = 1.35
WOOD = dict(centre=(650.0, 760.0), radius=430.0, harmonics=((2, 0.10, 1.0), (3, 0.07, 2.5)))
FARMS = {  # isolated farmsteads, far from every town
    "F1": (3750.0, 3190.0),
    "F2": (4760.0, 760.0),
    "F3": (560.0, 3230.0),
}
FARM_RADIUS = 80.0

# Linear features (local metres); they run past the territory edge so that their ends fall outside it.
CANAL = [(-500, 3560), (1200, 3500), (2500, 3610), (3800, 3560), (5500, 3660)]
RIVER = [(1900, -500), (2040, 300), (1960, 800), (2150, 1250), (2350, 1700), (2430, 2200), (2460, 2700),
         (2520, 3150), (2485, 3602)]
RAILWAY = [(-500, 2300), (1000, 2370), (2200, 2410), (3300, 2340), (4300, 2470), (5500, 2630)]
MAIN_ROADS = [
    [(-500, 2700), (800, 2620), (1600, 2500), (2300, 2560), (2950, 2680), (3600, 2300), (4150, 1900),
     (4800, 1650), (5500, 1500)],
    [(1450, 4500), (1550, 3300), (1600, 2500), (2000, 1500), (2450, 760), (2600, -500)],
]
SECONDARY_ROADS = [
    [(2450, 760), (3300, 1050), (3800, 1450), (4150, 1900)],
    [(1600, 2500), (1100, 1900), (700, 1400), (250, 600), (-500, 200)],
    [(2950, 2450), (3500, 2950), (4300, 3250), (5500, 3350)],
    [(4150, 1900), (4550, 900), (4800, 300), (5500, -300)],
    [(800, 2620), (600, 3150), (450, 3900), (300, 4500)],
]
POND = dict(centre=(1750.0, 1300.0), rx=75.0, ry=45.0, angle=math.radians(25.0))

# Corridor classes in priority order where they overlap (bridges: roads over rail over water).
CORRIDORS = (
    ("main_road", ("CS1.1.2", "US4.1.1")),
    ("railway", ("CS1.2.1", "US4.2.1")),
    ("secondary_road", ("CS1.1.2", "US4.1.2")),
    ("canal", ("CS3.1.2", "US4.4.0")),
    ("river", ("CS3.1.2", "US7.0.0")),
    ("pond", ("CS3.1.1", "US7.0.0")),
)
HALF_WIDTH = {"main_road": 7.0, "railway": 8.0, "secondary_road": 4.5, "street": 4.0, "canal": 12.0,
              "river": 5.0}

CORRIDOR_PIECE = 320.0      # corridors are cut into pieces about this long
MIN_FACE = 10.0             # m²: smaller faces (slivers) are merged into a neighbour

ARABLE = ("CS6.3.0", "US1.1.3")
PRAIRIE = ("CS6.1.1", "US1.1.1")


# -- nomenclatures ---------------------------------------------------------------------------------------

def read_table(name):
    path = os.path.join(NOMENCLATURES, name)
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter=";"))


def load_code_lists():
    """OCS2D 2021 codes, the OCS2D -> OCS GE crosswalk and the OCS GE leaf codes."""
    couvert = read_table("ocs2d_couvert_2021.csv")
    usage = read_table("ocs2d_usage_2021.csv")
    lists = {
        "cs": {row["code3"] for row in couvert},
        "us": {row["code3"] for row in usage},
        "cs_to_ge": {row["code3"]: row["ocsge_equiv_geo2france"] for row in couvert},
        "us_to_ge": {row["code3"]: row["ocsge_equiv_geo2france"] for row in usage},
        "ge_cs": {row["code"] for row in read_table("ocsge_couverture.csv") if row["is_leaf"] == "1"},
        "ge_us": {row["code"] for row in read_table("ocsge_usage.csv") if row["is_leaf"] == "1"},
    }
    lists["us_to_ge"].update(OCSGE_US_OVERRIDES)
    return lists


# -- small geometry helpers ------------------------------------------------------------------------------

def world(points):
    """Local metres -> Lambert-93."""
    array = np.asarray(points, dtype=float)
    return array + np.array([X0, Y0])


def chaikin(points, iterations=3):
    """Smooth a polyline, keeping its end points."""
    pts = np.asarray(points, dtype=float)
    for _ in range(iterations):
        q = 0.75 * pts[:-1] + 0.25 * pts[1:]
        r = 0.25 * pts[:-1] + 0.75 * pts[1:]
        middle = np.empty((2 * len(q), 2))
        middle[0::2] = q
        middle[1::2] = r
        pts = np.vstack([pts[:1], middle, pts[-1:]])
    return pts


def resample(points, step):
    pts = np.asarray(points, dtype=float)
    seg = np.hypot(*np.diff(pts, axis=0).T)
    dist = np.concatenate([[0.0], np.cumsum(seg)])
    samples = np.linspace(0.0, dist[-1], max(2, int(dist[-1] / step) + 1))
    return np.column_stack([np.interp(samples, dist, pts[:, 0]), np.interp(samples, dist, pts[:, 1])]), samples


def meander(points, amplitude, wavelength, phase):
    """Sinusoidal side offsets along a polyline, fading out at both ends."""
    pts, along = resample(points, 15.0)
    tangent = np.gradient(pts, axis=0)
    tangent /= np.hypot(tangent[:, 0], tangent[:, 1])[:, None]
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    fade = np.clip(np.minimum(along, along[-1] - along) / 150.0, 0.0, 1.0)
    offset = amplitude * fade * (np.sin(2 * math.pi * along / wavelength + phase)
                                 + 0.4 * np.sin(2 * math.pi * along / (0.37 * wavelength) + 2 * phase))
    return pts + normal * offset[:, None]


def line_geometry(points):
    line = ogr.Geometry(ogr.wkbLineString)
    for x, y in points:
        line.AddPoint_2D(float(x), float(y))
    return line


def polygon_geometry(points):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in points:
        ring.AddPoint_2D(float(x), float(y))
    ring.CloseRings()
    polygon = ogr.Geometry(ogr.wkbPolygon)
    polygon.AddGeometry(ring)
    return polygon


def distance_to_polyline(points, line):
    """Distance of each point (n, 2) to a polyline (m, 2), with numpy."""
    pts = np.asarray(points, dtype=float)
    line = np.asarray(line, dtype=float)
    a, b = line[:-1], line[1:]
    ab = b - a
    length2 = np.maximum((ab ** 2).sum(axis=1), 1e-12)
    best = np.full(len(pts), np.inf)
    for start in range(0, len(pts), 2000):
        p = pts[start:start + 2000, None, :]
        t = np.clip(((p - a) * ab).sum(axis=2) / length2, 0.0, 1.0)
        d = np.hypot(*(a + t[..., None] * ab - p).transpose(2, 0, 1))
        best[start:start + 2000] = d.min(axis=1)
    return best


def shape_rho(points, centre, radius, harmonics):
    """Normalised distance to a star-shaped outline (1 on the outline) and the angle around its centre."""
    d = np.asarray(points, dtype=float) - np.asarray(centre, dtype=float)
    theta = np.arctan2(d[:, 1], d[:, 0])
    r = np.full(len(d), radius)
    for k, amplitude, phase in harmonics:
        r = r + radius * amplitude * np.cos(k * theta + phase)
    return np.hypot(d[:, 0], d[:, 1]) / r, theta


def ellipse_rho(points, spec):
    d = np.asarray(points, dtype=float) - np.asarray(spec["centre"])
    c, s = math.cos(spec["angle"]), math.sin(spec["angle"])
    u = d[:, 0] * c + d[:, 1] * s
    v = -d[:, 0] * s + d[:, 1] * c
    return np.hypot(u / spec["rx"], v / spec["ry"]), np.arctan2(v, u)


def outline_points(centre, radius, harmonics, scale=1.0, n=96):
    theta = np.linspace(-math.pi, math.pi, n, endpoint=False)
    r = np.full(n, radius)
    for k, amplitude, phase in harmonics:
        r = r + radius * amplitude * np.cos(k * theta + phase)
    r *= scale
    return np.column_stack([centre[0] + r * np.cos(theta), centre[1] + r * np.sin(theta)])


def ellipse_points(spec, n=40):
    t = np.linspace(0.0, 2 * math.pi, n, endpoint=False)
    c, s = math.cos(spec["angle"]), math.sin(spec["angle"])
    u, v = spec["rx"] * np.cos(t), spec["ry"] * np.sin(t)
    return np.column_stack([spec["centre"][0] + u * c - v * s, spec["centre"][1] + u * s + v * c])


def value_noise(rng, points, cell):
    """Smooth random field in [0, 1] (bilinear interpolation of a random grid)."""
    nx = int((WIDTH + 2 * MARGIN) / cell) + 3
    ny = int((HEIGHT + 2 * MARGIN) / cell) + 3
    grid = rng.random((ny, nx))
    fx = (points[:, 0] + MARGIN) / cell
    fy = (points[:, 1] + MARGIN) / cell
    ix = np.clip(fx.astype(int), 0, nx - 2)
    iy = np.clip(fy.astype(int), 0, ny - 2)
    tx = np.clip(fx - ix, 0.0, 1.0)
    ty = np.clip(fy - iy, 0.0, 1.0)
    tx = tx * tx * (3 - 2 * tx)
    ty = ty * ty * (3 - 2 * ty)
    return ((grid[iy, ix] * (1 - tx) + grid[iy, ix + 1] * tx) * (1 - ty)
            + (grid[iy + 1, ix] * (1 - tx) + grid[iy + 1, ix + 1] * tx) * ty)


# -- seeds and tessellation ------------------------------------------------------------------------------

def jittered_grid(rng, x_min, y_min, x_max, y_max, spacing, jitter=0.38):
    xs = np.arange(x_min, x_max + spacing, spacing)
    ys = np.arange(y_min, y_max + spacing, spacing)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    return pts + rng.uniform(-jitter * spacing, jitter * spacing, pts.shape)


def thin(points, min_distance):
    """Drop points closer than ``min_distance`` to an earlier one (keeps the order)."""
    cells = {}
    kept = []
    for index, (x, y) in enumerate(points):
        cx, cy = int(x // min_distance), int(y // min_distance)
        ok = True
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in cells.get((cx + dx, cy + dy), ()):
                    if (points[j, 0] - x) ** 2 + (points[j, 1] - y) ** 2 < min_distance ** 2:
                        ok = False
                        break
                if not ok:
                    break
            if not ok:
                break
        if ok:
            cells.setdefault((cx, cy), []).append(index)
            kept.append(index)
    return points[kept]


def voronoi_edges(seeds):
    """Finite Voronoi edges of the seeds (world coordinates) as an (n, 2, 2) array, via Delaunay triangles."""
    multipoint = ogr.Geometry(ogr.wkbMultiPoint)
    for x, y in seeds:
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(float(x), float(y))
        multipoint.AddGeometry(point)
    triangles = multipoint.DelaunayTriangulation()
    index = {(float(x), float(y)): i for i, (x, y) in enumerate(seeds)}
    tri = np.empty((triangles.GetGeometryCount(), 3), dtype=np.int64)
    for k in range(triangles.GetGeometryCount()):
        ring = triangles.GetGeometryRef(k).GetGeometryRef(0)
        tri[k] = [index[ring.GetPoint_2D(j)] for j in range(3)]
    # circumcentres, computed relative to the first vertex for precision
    a, b, c = seeds[tri[:, 0]], seeds[tri[:, 1]], seeds[tri[:, 2]]
    bx, by = (b - a).T
    cx, cy = (c - a).T
    d = 2.0 * (bx * cy - by * cx)
    ux = (cy * (bx ** 2 + by ** 2) - by * (cx ** 2 + cy ** 2)) / d
    uy = (bx * (cx ** 2 + cy ** 2) - cx * (bx ** 2 + by ** 2)) / d
    centres = a + np.column_stack([ux, uy])
    # Delaunay edges shared by two triangles -> Voronoi edge between their circumcentres
    n = len(seeds)
    pairs = np.concatenate([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
    pairs.sort(axis=1)
    owner = np.tile(np.arange(len(tri)), 3)
    key = pairs[:, 0] * n + pairs[:, 1]
    order = np.argsort(key, kind="stable")
    key, owner = key[order], owner[order]
    shared = key[1:] == key[:-1]
    edges = np.stack([centres[owner[:-1][shared]], centres[owner[1:][shared]]], axis=1)
    length = np.hypot(*(edges[:, 1] - edges[:, 0]).T)
    return edges[length > 1e-6]


def multilinestring_wkt(edges):
    parts = ["(%r %r,%r %r)" % (float(e[0, 0]), float(e[0, 1]), float(e[1, 0]), float(e[1, 1])) for e in edges]
    return "MULTILINESTRING(" + ",".join(parts) + ")"


def polygonize(edges, extra_lines, territory):
    """Node the Voronoi edges with the extra lines and the territory outline; faces inside the territory."""
    lines = ogr.CreateGeometryFromWkt(multilinestring_wkt(edges))
    boundary = territory.GetBoundary()
    for geometry in [boundary] + list(extra_lines):
        for part in explode_lines(geometry):
            lines.AddGeometry(part)
    # A union with a piece of the outline itself nodes every line against every other one.
    first = boundary if boundary.GetGeometryType() == ogr.wkbLineString else boundary.GetGeometryRef(0)
    probe = line_geometry([first.GetPoint_2D(0), first.GetPoint_2D(1)])
    noded = lines.Union(probe)
    faces = noded.Polygonize()
    prepared = territory.CreatePreparedGeometry()
    result = []
    for k in range(faces.GetGeometryCount()):
        face = faces.GetGeometryRef(k).Clone()
        point = face.PointOnSurface()
        if prepared.Contains(point):
            result.append((face, point.GetX(), point.GetY()))
    return result


def explode_lines(geometry):
    kind = ogr.GT_Flatten(geometry.GetGeometryType())
    if kind in (ogr.wkbLineString, ogr.wkbLinearRing):
        yield line_geometry([geometry.GetPoint_2D(i) for i in range(geometry.GetPointCount())])
    else:
        for k in range(geometry.GetGeometryCount()):
            yield from explode_lines(geometry.GetGeometryRef(k))


def line_length(geometry):
    """Total length of the linear parts of a geometry (points and empty parts count 0)."""
    if geometry is None or geometry.IsEmpty():
        return 0.0
    kind = ogr.GT_Flatten(geometry.GetGeometryType())
    if kind in (ogr.wkbLineString, ogr.wkbLinearRing):
        return geometry.Length()
    if kind in (ogr.wkbMultiLineString, ogr.wkbGeometryCollection):
        return sum(line_length(geometry.GetGeometryRef(k)) for k in range(geometry.GetGeometryCount()))
    return 0.0


def nearest(points, seeds):
    """Index of the nearest seed for each point (brute force in chunks)."""
    points = np.asarray(points, dtype=float)
    result = np.empty(len(points), dtype=np.int64)
    for start in range(0, len(points), 500):
        p = points[start:start + 500]
        d = ((p[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
        result[start:start + 500] = d.argmin(axis=1)
    return result


class GridIndex:
    """Bucket index of polygon envelopes for point look-ups."""

    def __init__(self, geometries, size=100.0):
        self.size = size
        self.geometries = geometries
        self.buckets = {}
        for index, geometry in enumerate(geometries):
            x_min, x_max, y_min, y_max = geometry.GetEnvelope()
            for bx in range(int(x_min // size), int(x_max // size) + 1):
                for by in range(int(y_min // size), int(y_max // size) + 1):
                    self.buckets.setdefault((bx, by), []).append(index)

    def near(self, geometry):
        """Indexes of the geometries whose envelope meets the envelope of ``geometry``."""
        x_min, x_max, y_min, y_max = geometry.GetEnvelope()
        found = set()
        for bx in range(int(x_min // self.size), int(x_max // self.size) + 1):
            for by in range(int(y_min // self.size), int(y_max // self.size) + 1):
                found.update(self.buckets.get((bx, by), ()))
        result = []
        for index in sorted(found):
            a_min, a_max, b_min, b_max = self.geometries[index].GetEnvelope()
            if a_min <= x_max and x_min <= a_max and b_min <= y_max and y_min <= b_max:
                result.append(index)
        return result

    def find(self, x, y):
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(x, y)
        for index in self.buckets.get((int(x // self.size), int(y // self.size)), ()):
            geometry = self.geometries[index]
            x_min, x_max, y_min, y_max = geometry.GetEnvelope()
            if x_min <= x <= x_max and y_min <= y <= y_max and geometry.Contains(point):
                return index
        return None


# -- the scene -------------------------------------------------------------------------------------------

def make_territory(rng):
    """Rectangle-like outline with wobbly sides (vertices every 250 m)."""
    pts = []
    step = 250.0
    sides = [((0, 0), (WIDTH, 0)), ((WIDTH, 0), (WIDTH, HEIGHT)), ((WIDTH, HEIGHT), (0, HEIGHT)),
             ((0, HEIGHT), (0, 0))]
    for (xa, ya), (xb, yb) in sides:
        length = math.hypot(xb - xa, yb - ya)
        n = int(round(length / step))
        nx, ny = (yb - ya) / length, -(xb - xa) / length      # outward normal (counter-clockwise ring)
        for i in range(n):
            t = i / n
            offset = 0.0 if i == 0 else float(np.clip(rng.normal(0.0, 20.0), -45.0, 45.0))
            pts.append((xa + (xb - xa) * t + nx * offset, ya + (yb - ya) * t + ny * offset))
    pts.append(pts[0])
    return polygon_geometry(world(pts))


def town_streets(spec, rng):
    """Radial streets and a ring street inside a town (local coordinates)."""
    cx, cy = spec["centre"]
    lines = []
    n = spec["streets"]
    start_angle = rng.uniform(0, 2 * math.pi)
    for k in range(n):
        theta = start_angle + 2 * math.pi * k / n + rng.uniform(-0.25, 0.25)
        r_edge = spec["radius"] * (1 + sum(a * math.cos(h * theta + p) for h, a, p in spec["harmonics"]))
        radii = np.linspace(0.12 * spec["radius"], 0.93 * r_edge, 8)
        wobble = rng.normal(0.0, 0.04, len(radii))
        pts = [(cx + r * math.cos(theta + w), cy + r * math.sin(theta + w)) for r, w in zip(radii, wobble)]
        lines.append(chaikin(pts, 2))
    if spec["ring"]:
        ring = outline_points(spec["centre"], spec["radius"], spec["harmonics"], 0.55, 48)
        lines.append(chaikin(np.vstack([ring, ring[:1]]), 2))
    return lines


def build_corridors(rng):
    """Corridor polygons (world coordinates) by class, and the centre lines used for distances."""
    centre_lines = {
        "canal": chaikin(CANAL, 3),
        "river": chaikin(meander(RIVER, 22.0, 320.0, 0.7), 2),
        "railway": chaikin(RAILWAY, 3),
    }
    buffers = {
        "canal": [line_geometry(world(centre_lines["canal"])).Buffer(HALF_WIDTH["canal"], 4)],
        "river": [line_geometry(world(centre_lines["river"])).Buffer(HALF_WIDTH["river"], 4)],
        "railway": [line_geometry(world(centre_lines["railway"])).Buffer(HALF_WIDTH["railway"], 4)],
        "main_road": [line_geometry(world(chaikin(r, 3))).Buffer(HALF_WIDTH["main_road"], 4)
                      for r in MAIN_ROADS],
        "secondary_road": [line_geometry(world(chaikin(r, 3))).Buffer(HALF_WIDTH["secondary_road"], 4)
                           for r in SECONDARY_ROADS],
        "pond": [polygon_geometry(world(np.vstack([ellipse_points(POND), ellipse_points(POND)[:1]])))],
    }
    for key in sorted(TOWNS):
        for street in town_streets(TOWNS[key], rng):
            buffers["secondary_road"].append(line_geometry(world(street)).Buffer(HALF_WIDTH["street"], 4))
    polygons = {}
    for name, pieces in buffers.items():
        multi = ogr.Geometry(ogr.wkbMultiPolygon)
        for piece in pieces:
            multi.AddGeometry(piece)
        polygons[name] = multi.UnionCascaded() if len(pieces) > 1 else pieces[0]
    return polygons, centre_lines


def make_seeds(rng):
    """Seeds of the OCS2D tessellation (local coordinates): fine in towns, coarse in the fields."""
    fine = []
    for key in sorted(TOWNS):
        spec = TOWNS[key]
        cx, cy = spec["centre"]
        extent = spec["radius"] * 1.6
        pts = jittered_grid(rng, cx - extent, cy - extent, cx + extent, cy + extent, 40.0)
        rho, _ = shape_rho(pts, spec["centre"], spec["radius"], spec["harmonics"])
        fine.append(pts[rho < TOWN_FINE])
    cx, cy = ACTIVITY["centre"]
    pts = jittered_grid(rng, cx - 500, cy - 500, cx + 500, cy + 500, 52.0)
    fine.append(pts[ellipse_rho(pts, ACTIVITY)[0] < ACTIVITY_FINE])
    for key in sorted(FARMS):
        fx, fy = FARMS[key]
        pts = jittered_grid(rng, fx - FARM_RADIUS, fy - FARM_RADIUS, fx + FARM_RADIUS, fy + FARM_RADIUS, 30.0)
        fine.append(pts[np.hypot(pts[:, 0] - fx, pts[:, 1] - fy) < FARM_RADIUS])
    fine = np.vstack(fine)
    coarse = jittered_grid(rng, -MARGIN, -MARGIN, WIDTH + MARGIN, HEIGHT + MARGIN, 108.0)
    keep = np.ones(len(coarse), dtype=bool)
    for key in sorted(TOWNS):
        spec = TOWNS[key]
        rho, _ = shape_rho(coarse, spec["centre"], spec["radius"], spec["harmonics"])
        keep &= rho > TOWN_FINE + 45.0 / spec["radius"]
    keep &= ellipse_rho(coarse, ACTIVITY)[0] > ACTIVITY_FINE + 0.2
    for fx, fy in FARMS.values():
        keep &= np.hypot(coarse[:, 0] - fx, coarse[:, 1] - fy) > FARM_RADIUS + 45.0
    return thin(np.vstack([fine, coarse[keep]]), 8.0)


# -- land cover and land use -----------------------------------------------------------------------------

def pick(u, choices):
    """choices: ((threshold, value), ...) with increasing thresholds ending at 1."""
    for threshold, value in choices:
        if u < threshold:
            return value
    return choices[-1][1]


CORE_CS = ((0.70, "CS1.1.1"), (0.88, "CS1.1.2"), (1.0, "CS6.1.1"))
MID_CS = ((0.50, "CS1.1.1"), (0.62, "CS1.1.2"), (0.93, "CS6.1.1"), (1.0, "CS4.1.2"))
OUTER_CS = ((0.40, "CS1.1.1"), (0.50, "CS1.1.2"), (0.88, "CS6.1.1"), (0.94, "CS4.1.2"), (1.0, "CS6.6.0"))
ACTIVITY_CS = ((0.45, "CS1.1.1"), (0.82, "CS1.1.2"), (1.0, "CS6.6.0"))
BUILT_CS = ((0.55, "CS1.1.1"), (1.0, "CS1.1.2"))

# Sites inside towns: (town, local centre, radius, usage, couverture choices[, what changes])
SERVICES = (
    ("A", (1850, 2760), 55, "US3.1.1", ((0.5, "CS1.1.1"), (0.8, "CS1.1.2"), (1.0, "CS6.6.0"))),
    ("A", (1290, 2700), 70, "US3.1.2", ((0.55, "CS1.1.1"), (0.85, "CS1.1.2"), (1.0, "CS6.1.1"))),
    ("A", (1900, 2150), 55, "US3.1.3", ((0.6, "CS6.6.0"), (0.95, "CS1.1.2"), (1.0, "CS1.1.1"))),
    ("A", (1480, 2910), 70, "US3.2.1", ((0.6, "CS6.1.1"), (0.85, "CS4.1.2"), (1.0, "CS1.1.2"))),
    ("A", (1130, 2080), 80, "US2.2.0", ((0.5, "CS1.1.1"), (1.0, "CS1.1.2"))),
    ("A", (2000, 2520), 85, "US5.3.1", ((0.5, "CS1.1.1"), (0.7, "CS1.1.2"), (1.0, "CS6.1.1"))),
    ("B", (3990, 1690), 45, "US3.1.3", ((0.6, "CS6.6.0"), (1.0, "CS1.1.2"))),
    ("B", (4420, 2080), 80, "US3.2.2", ((0.7, "CS6.6.0"), (0.9, "CS1.1.2"), (1.0, "CS1.1.1"))),
    ("B", (4210, 1780), 45, "US3.1.1", ((0.5, "CS1.1.1"), (0.8, "CS1.1.2"), (1.0, "CS6.6.0"))),
    ("B", (4110, 1980), 30, "US3.1.4", ((1.0, "CS1.1.2"),)),
    ("C", (2460, 790), 32, "US3.1.6", ((0.6, "CS1.1.1"), (1.0, "CS1.1.2"))),
    ("C", (2340, 560), 60, "US3.2.2", ((0.75, "CS6.6.0"), (1.0, "CS1.1.2"))),
)
# Old friche (mine yard) at the edge of town B, the same in the three vintages.
OLD_FRICHE = ((3820, 2150), 80, ((0.5, "CS6.6.0"), (0.8, "CS1.1.2"), (1.0, "CS1.1.1")))
DESARTIF = ((1330, 2290), 40)             # parking in 2005/2015, grass park in 2021
STATION = ((1500, 2420), 55)              # station buildings beside the railway in town A
FRICHE_REBUILT = ((2790, 2520), 75)       # activity 2005 -> friche 2015 -> collective housing 2021
FRICHE_RENATURED = ((3120, 2370), 65)     # activity 2005 -> friche 2015 -> spontaneous vegetation 2021
CLEARCUT = ((800, 600), 120)              # wood 2005 -> cut 2015 -> young plantation 2021
TERRIL = ((3550, 380), 140)               # spoil heap under scrub, far from the towns
FAR_US7 = (((4850, 3150), "CS6.6.0"), ((350, 2050), "CS1.2.1"))
FALLOW = (1050, 3850)                     # the US6.2.3 field
# (town, angle range in degrees, rho range, kind): sprawl and other edge sites.
EDGE_SITES = (
    ("A", (200, 250), (1.0, 1.2), "chantier_then_habitat"),
    ("A", (40, 75), (1.0, 1.15), "prairie_then_habitat"),
    ("B", (95, 150), (1.0, 1.22), "habitat_2015"),
    ("C", (-40, 30), (1.0, 1.22), "chantier_2021"),
    ("A", (165, 185), (1.0, 1.12), "us7_near"),
    ("B", (255, 280), (1.0, 1.1), "us7_near_mineral"),
    ("C", (-85, -55), (1.0, 1.12), "farm_near"),
    ("B", (-20, 5), (1.0, 1.1), "farm_near_hangar"),
)


def in_angle(theta_deg, lo, hi):
    t = (theta_deg - lo) % 360.0
    return t <= (hi - lo) % 360.0


def classify_cells(seeds, rng, centre_lines):
    """For every cell (local seed coordinates), its [(cs, us) 2005, (cs, us) 2015, (cs, us) 2021].

    Later rules win: farmland, wood, towns, town edges (sprawl, US7.0.0 and farms beside the towns),
    services, the activity zone and its friches, isolated farms, then single cells placed by position.
    """
    n = len(seeds)
    u = rng.random((n, 4))
    noise_field = value_noise(rng, seeds, 420.0)
    noise_change1 = value_noise(rng, seeds, 380.0)
    noise_change2 = value_noise(rng, seeds, 380.0)
    d_river = distance_to_polyline(seeds, centre_lines["river"])
    town_rho = {}
    for key in sorted(TOWNS):
        spec = TOWNS[key]
        rho, theta = shape_rho(seeds, spec["centre"], spec["radius"], spec["harmonics"])
        town_rho[key] = (rho, np.degrees(theta))
    act_rho, act_theta = ellipse_rho(seeds, ACTIVITY)
    wood_rho, _ = shape_rho(seeds, WOOD["centre"], WOOD["radius"], WOOD["harmonics"])

    def within(site, i):
        (x, y), radius = site[0], site[1]
        return math.hypot(seeds[i, 0] - x, seeds[i, 1] - y) < radius

    def nearest_cell(x, y, allowed):
        d = np.hypot(seeds[:, 0] - x, seeds[:, 1] - y)
        d[~allowed] = np.inf
        return int(d.argmin())

    near_town = np.zeros(n, dtype=bool)
    for key in TOWNS:
        near_town |= town_rho[key][0] < 1.6
    states = []
    for i in range(n):
        u0, u1, u2, _ = u[i]
        # farmland: arable, with prairies in blocks, more of them near the river and the towns
        prairie_share = 0.20 + 0.12 * near_town[i] + 0.45 * (d_river[i] < 130)
        first = PRAIRIE if noise_field[i] < prairie_share else ARABLE
        second = first
        if first == PRAIRIE and noise_change1[i] < 0.22:
            second = ARABLE                       # ploughed prairie
        elif first == ARABLE and noise_change1[i] > 0.93:
            second = PRAIRIE
        third = second
        if second == PRAIRIE and noise_change2[i] < 0.17:
            third = ARABLE
        elif second == ARABLE and noise_change2[i] > 0.92:
            third = PRAIRIE
        state = [first, second, third]
        if d_river[i] < 60 and u0 < 0.35:
            state = [("CS6.1.2", "US1.1.1")] * 3  # wet meadow
        elif d_river[i] < 90 and u0 > 0.85:
            state = [("CS4.1.2", "US1.2.2")] * 3  # poplars
        rho_c = town_rho["C"][0][i]
        if 1.25 < rho_c < 2.0 and u1 < 0.10:
            state = [("CS4.4.0", "US1.1.5")] * 3  # orchard near the village
        # wood
        if wood_rho[i] < 1.0:
            cs = pick(u0, ((0.78, "CS4.1.2"), (0.95, "CS4.3.2"), (1.0, "CS4.2.2")))
            state = [(cs, "US1.2.4")] * 3
            if within(CLEARCUT, i):
                state = [("CS4.1.2", "US1.2.4"), ("CS6.6.0", "US1.2.1"), ("CS5.1.1", "US1.2.3")]
        # spoil heap far from the towns
        if within(TERRIL, i):
            state = [(pick(u0, ((0.8, "CS5.1.1"), (1.0, "CS6.6.0"))), "US7.0.0")] * 3
        # towns
        for key in sorted(TOWNS):
            spec = TOWNS[key]
            rho, theta = town_rho[key][0][i], town_rho[key][1][i]
            if rho < 1.0:
                if rho < 0.4:
                    usage, cs = spec["habitat"][0], pick(u0, CORE_CS)
                elif rho < 0.7:
                    usage, cs = spec["habitat"][1], pick(u0, MID_CS)
                else:
                    usage, cs = spec["habitat"][2], pick(u0, OUTER_CS)
                state = [(cs, usage)] * 3
                if rho < 0.7 and u1 < 0.04:
                    state = [(pick(u2, BUILT_CS), "US2.2.0")] * 3        # shops
                elif rho < 0.7 and u1 < 0.06:
                    state = [("CS1.1.1", "US3.1.6")] * 3
                elif rho < 0.45 and u1 < 0.08:
                    state = [("CS1.1.2", "US3.1.4")] * 3
                elif cs == "CS6.1.1" and u2 < 0.05:
                    state = [(cs, usage), ("CS1.1.1", usage), ("CS1.1.1", usage)]   # house in a garden
                elif cs == "CS6.1.1" and u2 < 0.09:
                    state = [(cs, usage), (cs, usage), ("CS1.1.1", usage)]
            elif rho < 1.25:
                for town, (lo, hi), (r_lo, r_hi), kind in EDGE_SITES:
                    if town != key or not (r_lo <= rho < r_hi) or not in_angle(theta, lo, hi):
                        continue
                    if kind == "chantier_then_habitat":
                        state = [ARABLE, (pick(u0, ((0.8, "CS1.2.1"), (1.0, "CS6.6.0"))), "US6.1.1"),
                                 (pick(u1, OUTER_CS[:3]), "US5.2.2")]
                    elif kind == "prairie_then_habitat":
                        state = [PRAIRIE, PRAIRIE, (pick(u1, OUTER_CS[:3]), "US5.2.2")]
                    elif kind == "habitat_2015":
                        habitat = (pick(u1, OUTER_CS), "US5.2.3")
                        state = [ARABLE, habitat, habitat]
                    elif kind == "chantier_2021":
                        state = [ARABLE, ARABLE, ("CS1.2.1", "US6.1.1")]
                    elif kind == "us7_near":
                        state = [(pick(u0, ((0.5, "CS6.6.0"), (1.0, "CS5.1.1"))), "US7.0.0")] * 3
                    elif kind == "us7_near_mineral":
                        state = [("CS1.2.1", "US7.0.0")] * 3
                    elif kind == "farm_near":
                        state = [(pick(u0, ((0.5, "CS1.1.1"), (1.0, "CS1.1.2"))), "US1.1.7")] * 3
                    elif kind == "farm_near_hangar":
                        state = [(pick(u0, ((0.5, "CS1.1.1"), (1.0, "CS1.1.2"))),
                                  pick(u1, ((0.5, "US1.1.3"), (1.0, "US1.1.7"))))] * 3
        for town, (x, y), radius, usage, choices in SERVICES:
            if within(((x, y), radius), i) and town_rho[town][0][i] < 1.0:
                state = [(pick(u0, choices), usage)] * 3
        if within(OLD_FRICHE, i):
            state = [(pick(u0, OLD_FRICHE[2]), "US6.2.1")] * 3
        if within(DESARTIF, i):
            state = [("CS1.1.2", "US3.1.4"), ("CS1.1.2", "US3.1.4"), ("CS6.1.1", "US3.2.1")]
        if within(STATION, i) and town_rho["A"][0][i] < 1.0:
            state = [(pick(u0, ((0.6, "CS1.1.1"), (1.0, "CS1.1.2"))), "US4.2.1")] * 3
        # activity zone, its extension and its two friches
        if act_rho[i] < 1.0:
            cs = pick(u0, ACTIVITY_CS)
            state = [(cs, "US2.1.1")] * 3
            if within(FRICHE_REBUILT, i):
                cs15 = "CS6.6.0" if cs == "CS1.1.2" and u1 < 0.3 else cs
                state = [(cs, "US2.1.1"), (cs15, "US6.2.1"),
                         (pick(u2, ((0.45, "CS1.1.1"), (0.7, "CS1.1.2"), (1.0, "CS6.1.1"))), "US5.3.2")]
            elif within(FRICHE_RENATURED, i):
                cs15 = "CS6.6.0" if cs == "CS1.1.2" and u1 < 0.5 else cs
                state = [(cs, "US2.1.1"), (cs15, "US6.2.1"),
                         (pick(u2, ((0.5, "CS5.1.1"), (0.85, "CS6.6.0"), (1.0, "CS1.2.1"))), "US7.0.0")]
        elif act_rho[i] < ACTIVITY_FINE and math.cos(act_theta[i]) > 0.2:
            built = (pick(u0, ACTIVITY_CS[:2]), "US2.1.1")
            if math.sin(act_theta[i]) > 0:
                state = [ARABLE, built, built]
            else:
                state = [ARABLE, ("CS1.2.1", "US6.1.1"), built]
        # isolated farmsteads
        for key in sorted(FARMS):
            fx, fy = FARMS[key]
            d = math.hypot(seeds[i, 0] - fx, seeds[i, 1] - fy)
            if d < 32:
                state = [(pick(u0, ((0.45, "CS1.1.1"), (1.0, "CS1.1.2"))),
                          pick(u1, ((0.8, "US1.1.7"), (1.0, "US1.1.3"))))] * 3
            elif d < FARM_RADIUS:
                state = [PRAIRIE if u0 < 0.6 else ARABLE] * 3
                if key == "F1" and u1 < 0.25:
                    state = [state[0], state[1], ("CS1.1.1", "US1.1.7")]    # new farm shed
        states.append(state)

    # single cells chosen by position among farmland cells
    farmland = np.array([s[0] in (ARABLE, PRAIRIE) and s[2] in (ARABLE, PRAIRIE) for s in states])
    for (x, y), cs in FAR_US7:
        states[nearest_cell(x, y, farmland)] = [(cs, "US7.0.0")] * 3
    states[nearest_cell(FALLOW[0], FALLOW[1], farmland)] = [ARABLE, ("CS6.6.0", "US6.2.3"),
                                                           ("CS6.6.0", "US6.2.3")]
    return states


def ocs2d_envelope(cs, us):
    """Is the polygon part of the urban fabric? The plugin's own rule (core/rules.py, plain Python)."""
    return _OCS2D_ENVELOPE(cs, us)


# -- output ----------------------------------------------------------------------------------------------

def to_multi(geometry):
    if ogr.GT_Flatten(geometry.GetGeometryType()) == ogr.wkbMultiPolygon:
        return geometry
    multi = ogr.Geometry(ogr.wkbMultiPolygon)
    multi.AddGeometry(geometry)
    return multi


def write_layer(path, layer_name, fields, rows):
    """rows: (geometry, {field: value}). Written to a temporary file, then renamed."""
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, "." + name[:-len(".gpkg")] + ".tmp.gpkg")
    if os.path.exists(tmp):
        os.remove(tmp)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(tmp)
    layer = ds.CreateLayer(layer_name, srs, ogr.wkbMultiPolygon, options=["GEOMETRY_NAME=geom", "FID=fid"])
    for name, kind, width in fields:
        definition = ogr.FieldDefn(name, kind)
        if width:
            definition.SetWidth(width)
        layer.CreateField(definition)
    defn = layer.GetLayerDefn()
    layer.StartTransaction()
    for geometry, values in rows:
        feature = ogr.Feature(defn)
        for name, value in values.items():
            feature.SetField(name, value)
        feature.SetGeometry(to_multi(geometry))
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    ds = None
    os.replace(tmp, path)


def union(geometries):
    multi = ogr.Geometry(ogr.wkbMultiPolygon)
    for geometry in geometries:
        if ogr.GT_Flatten(geometry.GetGeometryType()) == ogr.wkbMultiPolygon:
            for k in range(geometry.GetGeometryCount()):
                multi.AddGeometry(geometry.GetGeometryRef(k))
        else:
            multi.AddGeometry(geometry)
    return multi.UnionCascaded()


def parts(geometry):
    if ogr.GT_Flatten(geometry.GetGeometryType()) == ogr.wkbPolygon:
        return [geometry]
    return [geometry.GetGeometryRef(k) for k in range(geometry.GetGeometryCount())]


def assemble_ocs2d(faces, seeds_world, states, corridor_polygons, rng):
    """Give each face its cell's or its corridor's codes, then merge faces into the output polygons.

    Faces of one Voronoi cell keep the cell's codes; corridor faces (roads, railway, water) are merged along
    the corridor into pieces a few hundred metres long (cut where the pieces of a coarse grid meet, and at
    commune borders); slivers under MIN_FACE m² join the neighbour they share the longest edge with.
    """
    cells = nearest(np.array([(x, y) for _, x, y in faces]), seeds_world)
    commune_seeds = world([c[2] for c in COMMUNES])
    cell_commune = nearest(seeds_world, commune_seeds)
    cut_seeds = world(jittered_grid(rng, -MARGIN, -MARGIN, WIDTH + MARGIN, HEIGHT + MARGIN, CORRIDOR_PIECE))
    cuts = nearest(np.array([(x, y) for _, x, y in faces]), cut_seeds)
    prepared = [(name, pair, corridor_polygons[name].CreatePreparedGeometry(),
                 corridor_polygons[name].GetEnvelope()) for name, pair in CORRIDORS]
    keys, info = [], {}
    for (face, x, y), cell, cut in zip(faces, cells, cuts):
        commune = int(cell_commune[cell])
        key = ("cell", int(cell))
        info[key] = (states[cell], commune, None)
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(x, y)
        for name, pair, geometry, (x_min, x_max, y_min, y_max) in prepared:
            if x_min <= x <= x_max and y_min <= y <= y_max and geometry.Contains(point):
                key = (name, commune) if name == "pond" else (name, int(cut), commune)
                info[key] = ([pair] * 3, commune, name)
                break
        keys.append(key)
    # slivers join a neighbour
    geometries = [face for face, _, _ in faces]
    index = GridIndex(geometries, 50.0)
    for k, face in enumerate(geometries):
        if face.GetArea() >= MIN_FACE:
            continue
        best, best_length = None, 0.0
        for j in index.near(face):
            if j == k or geometries[j].GetArea() < MIN_FACE:
                continue
            length = line_length(face.Intersection(geometries[j]))
            if length > best_length:
                best, best_length = j, length
        if best is not None:
            keys[k] = keys[best]
    groups = {}
    for k, key in enumerate(keys):
        groups.setdefault(key, []).append(geometries[k])
    ocs2d = []
    for key in sorted(groups, key=str):
        members = groups[key]
        merged = members[0] if len(members) == 1 else union(members)
        state, commune, corridor = info[key]
        for part in parts(merged):
            polygon = part.Clone()
            point = polygon.PointOnSurface()
            ocs2d.append(dict(geometry=polygon, state=state, commune=commune, corridor=corridor,
                              x=point.GetX(), y=point.GetY()))
    ocs2d.sort(key=lambda item: (round(item["y"], 3), round(item["x"], 3)))   # south to north
    return ocs2d


def build_ocsge(territory, ocs2d, codes):
    """OCS GE-like polygons on another, coarser Voronoi tessellation, coded from the OCS2D underneath.

    2018 takes the OCS2D 2015 state at the polygon's point-on-surface, 2021 the OCS2D 2021 state, both
    through the Geo2France crosswalk; then a few polygons get changes of OCS GE's own in 2021.
    Returns (polygons, number of own changes).
    """
    rng_ge = np.random.default_rng(SEED + 1)
    ge_seeds = jittered_grid(rng_ge, -MARGIN, -MARGIN, WIDTH + MARGIN, HEIGHT + MARGIN, 92.0, 0.42)
    ge_fine = []
    for key in sorted(TOWNS):
        spec = TOWNS[key]
        cx, cy = spec["centre"]
        extent = spec["radius"] * 1.3
        pts = jittered_grid(rng_ge, cx - extent, cy - extent, cx + extent, cy + extent, 66.0, 0.42)
        rho, _ = shape_rho(pts, spec["centre"], spec["radius"], spec["harmonics"])
        ge_fine.append(pts[rho < 1.05])
    keep = np.ones(len(ge_seeds), dtype=bool)
    for key in sorted(TOWNS):
        spec = TOWNS[key]
        rho, _ = shape_rho(ge_seeds, spec["centre"], spec["radius"], spec["harmonics"])
        keep &= rho > 1.05 + 40.0 / spec["radius"]
    ge_seeds = thin(np.vstack(ge_fine + [ge_seeds[keep]]), 10.0)
    ge_faces = polygonize(voronoi_edges(world(ge_seeds)), [], territory)
    ge_faces.sort(key=lambda f: (round(f[2], 3), round(f[1], 3)))
    index = GridIndex([item["geometry"] for item in ocs2d])
    u_ge = rng_ge.random(len(ge_faces))
    ocsge = []
    for k, (face, x, y) in enumerate(ge_faces):
        hit = index.find(x, y)
        if hit is None:
            raise SystemExit("make_sample: no OCS2D polygon under OCS GE point %.2f %.2f" % (x, y))
        item = ocs2d[hit]
        (_, _), (cs15, us15), (cs21, us21) = item["state"]
        pair18 = [codes["cs_to_ge"][cs15], codes["us_to_ge"][us15]]
        pair21 = [codes["cs_to_ge"][cs21], codes["us_to_ge"][us21]]
        ossature = 1 if item["corridor"] is not None else 0
        ocsge.append(dict(geometry=face, pairs={"2018": pair18, "2021": pair21}, ossature=ossature, x=x, y=y,
                          u=u_ge[k], extra=None))
    # a few changes of OCS GE's own between 2018 and 2021
    extra = 0
    for item in ocsge:
        p18, p21 = item["pairs"]["2018"], item["pairs"]["2021"]
        if p18 != p21 or item["ossature"]:
            continue
        if p18 == ["CS1.1.1.2", "US2"] and item["u"] < 0.08:
            p21[0] = "CS1.1.1.1"                      # new building on a yard of the activity zone
        elif p18 == ["CS2.2.1", "US5"] and item["u"] < 0.03:
            p21[0] = "CS1.1.1.1"                      # house built in a garden
        elif p18 == ["CS2.2.1", "US1.1"] and item["u"] < 0.004:
            p21[:] = ["CS1.1.2.1", "US6.1"]           # earthworks in a field
        else:
            continue
        item["extra"] = True
        extra += 1
    return ocsge, extra


def generate(outdir):
    started = time.time()
    codes = load_code_lists()
    rng = np.random.default_rng(SEED)
    territory = make_territory(rng)
    corridor_polygons, centre_lines = build_corridors(rng)

    # OCS2D tessellation
    seeds = make_seeds(rng)
    seeds_world = world(seeds)
    edges = voronoi_edges(seeds_world)
    corridor_lines = [corridor_polygons[name].GetBoundary() for name, _ in CORRIDORS]
    faces = polygonize(edges, corridor_lines, territory)
    states = classify_cells(seeds, rng, centre_lines)
    ocs2d = assemble_ocs2d(faces, seeds_world, states, corridor_polygons, rng)

    # checks on the OCS2D polygons
    problems = []
    for item in ocs2d:
        for cs, us in item["state"]:
            if cs not in codes["cs"]:
                problems.append("unknown OCS2D couverture %s" % cs)
            if us not in codes["us"]:
                problems.append("unknown OCS2D usage %s" % us)
        if not item["geometry"].IsValid():
            problems.append("invalid OCS2D polygon at %.1f %.1f" % (item["x"], item["y"]))
    if problems:
        raise SystemExit("make_sample: " + "; ".join(sorted(set(problems))[:10]))

    # communes: union of their OCS2D polygons
    communes = []
    for index, (insee, name, _) in enumerate(COMMUNES):
        geometry = union(item["geometry"] for item in ocs2d if item["commune"] == index)
        communes.append((insee, name, geometry))

    ocsge, extra = build_ocsge(territory, ocs2d, codes)
    for item in ocsge:
        for year in ("2018", "2021"):
            cs, us = item["pairs"][year]
            if cs not in codes["ge_cs"] or us not in codes["ge_us"]:
                problems.append("OCS GE code not a leaf: %s %s" % (cs, us))
        if not item["geometry"].IsValid():
            problems.append("invalid OCS GE polygon at %.1f %.1f" % (item["x"], item["y"]))
    if problems:
        raise SystemExit("make_sample: " + "; ".join(sorted(set(problems))[:10]))

    # write
    os.makedirs(outdir, exist_ok=True)
    write_layer(os.path.join(outdir, "communes.gpkg"), "communes",
                [("insee_com", ogr.OFTString, 5), ("nom_com", ogr.OFTString, 0)],
                [(g, {"insee_com": insee, "nom_com": name}) for insee, name, g in communes])
    fields = [("%s%s" % (dim, year), ogr.OFTString, 0) for year in VINTAGES for dim in ("cs", "us")]
    fields.append(("surf_m2", ogr.OFTReal, 0))
    rows = []
    for item in ocs2d:
        values = {}
        for year, (cs, us) in zip(VINTAGES, item["state"]):
            values["cs" + year] = cs
            values["us" + year] = us
        values["surf_m2"] = round(item["geometry"].GetArea(), 2)
        rows.append((item["geometry"], values))
    write_layer(os.path.join(outdir, "ocs2d_sample.gpkg"), "ocs2d", fields, rows)
    ge_fields = [("ID", ogr.OFTString, 24), ("CODE_CS", ogr.OFTString, 9), ("CODE_US", ogr.OFTString, 7),
                 ("MILLESIME", ogr.OFTString, 4), ("SOURCE", ogr.OFTString, 0), ("OSSATURE", ogr.OFTInteger, 0),
                 ("ID_ORIGINE", ogr.OFTString, 0), ("CODE_OR", ogr.OFTString, 0)]
    for year in ("2018", "2021"):
        rows = []
        for k, item in enumerate(ocsge):
            cs, us = item["pairs"][year]
            rows.append((item["geometry"], {
                "ID": "OCSGE%015d%s" % (1002643 + k, year),
                "CODE_CS": cs, "CODE_US": us, "MILLESIME": year, "SOURCE": "calcul",
                "OSSATURE": item["ossature"], "ID_ORIGINE": "NC", "CODE_OR": "NC"}))
        write_layer(os.path.join(outdir, "ocsge_%s.gpkg" % year), "occupation_sol", ge_fields, rows)
    elapsed = time.time() - started
    summary(outdir, territory, communes, ocs2d, ocsge, extra, elapsed)


def summary(outdir, territory, communes, ocs2d, ocsge, extra, elapsed):
    ha = 1e-4
    total = territory.GetArea()
    print("Sample territory in %s (EPSG:%d), built in %.1f s" % (outdir, EPSG, elapsed))
    print("  territory: %.2f ha" % (total * ha))
    print("  communes.gpkg / communes: %d communes, %.2f ha" % (
        len(communes), sum(g.GetArea() for _, _, g in communes) * ha))
    ocs2d_area = sum(item["geometry"].GetArea() for item in ocs2d)
    print("  ocs2d_sample.gpkg / ocs2d: %d polygons, %.2f ha" % (len(ocs2d), ocs2d_area * ha))
    for a, b in ((0, 1), (1, 2), (0, 2)):
        changed = [item for item in ocs2d if item["state"][a] != item["state"][b]]
        area = sum(item["geometry"].GetArea() for item in changed)
        print("    changes 20%s -> 20%s: %d polygons, %.2f ha (%.1f %%)" % (
            VINTAGES[a], VINTAGES[b], len(changed), area * ha, 100.0 * area / ocs2d_area))
    for year in ("2018", "2021"):
        area = sum(item["geometry"].GetArea() for item in ocsge)
        print("  ocsge_%s.gpkg / occupation_sol: %d polygons, %.2f ha" % (year, len(ocsge), area * ha))
    changed = [item for item in ocsge if item["pairs"]["2018"] != item["pairs"]["2021"]]
    print("    changes 2018 -> 2021: %d polygons, %.2f ha (%d of OCS GE's own)" % (
        len(changed), sum(item["geometry"].GetArea() for item in changed) * ha, extra))
    ge_by_commune = [0.0] * len(communes)
    for item in ocsge:
        for k, (_, _, g) in enumerate(communes):
            if item["geometry"].Intersects(g):
                ge_by_commune[k] += item["geometry"].Intersection(g).GetArea()
    print("  per commune (ha):   commune    ocs2d    ocsge")
    for k, (insee, name, g) in enumerate(communes):
        area2d = sum(item["geometry"].GetArea() for item in ocs2d if item["commune"] == k)
        print("    %s %-16s %8.2f %8.2f %8.2f  (%d OCS2D polygons)" % (
            insee, name, g.GetArea() * ha, area2d * ha, ge_by_commune[k] * ha,
            sum(1 for item in ocs2d if item["commune"] == k)))

    # spatial-rule cases, measured on the 2021 state
    urban = union(item["geometry"] for item in ocs2d if ocs2d_envelope(*item["state"][2]))
    closed = urban.Buffer(50.0, 4).Buffer(-50.0, 4)
    envelope = [p.Clone() for p in parts(closed) if p.GetArea() >= 100000.0]
    envelope_union = union(envelope)
    print("  enveloppe urbaine 2021 (+50 m, union, -50 m, parts >= 10 ha): %s ha" % ", ".join(
        "%.1f" % (p.GetArea() * ha) for p in sorted(envelope, key=lambda p: -p.GetArea())))
    near, far = {}, {}
    for item in ocs2d:
        cs, us = item["state"][2]
        if us == "US7.0.0" and cs in ("CS1.2.1", "CS6.6.0", "CS5.1.1"):
            d = item["geometry"].Distance(urban)
            if d <= 20.0:
                near[cs] = near.get(cs, 0) + 1
            elif d > 200.0:
                far[cs] = far.get(cs, 0) + 1
    agri_near = agri_far = 0
    for item in ocs2d:
        cs, us = item["state"][2]
        if cs in ("CS1.1.1", "CS1.1.2") and us in ("US1.1.7", "US1.1.3"):
            d = item["geometry"].Distance(envelope_union)
            agri_near += d < 50.0
            agri_far += d > 300.0
    counts = [", ".join("%s %d" % kv for kv in sorted(found.items())) or "none" for found in (near, far)]
    print("  US7.0.0 polygons (2021) within 20 m of urban polygons: %s; beyond 200 m: %s" % tuple(counts))
    print("  agricultural structures (2021): %d within 50 m of the enveloppe, %d beyond 300 m"
          % (agri_near, agri_far))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the OCS Toolbox sample territory (deterministic).")
    parser.add_argument("outdir", help="output folder")
    parser.add_argument("--force", action="store_true", help="rebuild even if the outputs exist")
    args = parser.parse_args(argv)
    gdal.UseExceptions()
    ogr.UseExceptions()
    osr.UseExceptions()
    # a fixed gpkg_contents.last_change, so that two runs give byte-identical files
    gdal.SetConfigOption("OGR_CURRENT_DATE", "2024-01-01T00:00:00.000Z")
    paths = [os.path.join(args.outdir, name) for name, _ in OUTPUTS]
    if not args.force and all(os.path.exists(p) for p in paths):
        print("Sample territory already in %s (use --force to rebuild)" % args.outdir)
        return 0
    generate(args.outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
