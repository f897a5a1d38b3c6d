"""Geometry steps shared by the algorithms: enveloppe urbaine and the spatial rules of the OCS2D methods.

All distances are in metres: callers hand over geometries already in a metric CRS.
"""
from qgis.core import QgsFeature, QgsGeometry, QgsRectangle, QgsSpatialIndex

from ..compat import GEOMETRY_POLYGON

US7_DISTANCE = 20.0        # US7.0.0 point-on-surface within 20 m of 4 postes = 1 (CLS 2023 method)
AGRI_DISTANCE = 50.0       # agricultural structures within 50 m of the enveloppe urbaine (CoTech 2024)
ENVELOPE_BUFFER = 50.0     # enveloppe urbaine: +50 m, union, −50 m
ENVELOPE_MIN_AREA_HA = 10.0
BUFFER_SEGMENTS = 8


def repaired(geometry, counter=None):
    """A valid copy of ``geometry`` (makeValid when needed), counting repairs in ``counter['invalid']``."""
    if geometry is None or geometry.isNull() or geometry.isEmpty():
        return None
    if geometry.isGeosValid():
        return geometry
    if counter is not None:
        counter["invalid"] = counter.get("invalid", 0) + 1
    fixed = geometry.makeValid()
    if fixed.isNull() or fixed.isEmpty():
        return None
    return polygonal_part(fixed)


def polygonal_part(geometry):
    """Keep only the polygons of a geometry collection produced by makeValid or an overlay."""
    if geometry.type() == GEOMETRY_POLYGON:
        return geometry
    polygons = [part for part in geometry.asGeometryCollection()
                if part.type() == GEOMETRY_POLYGON and not part.isEmpty()]
    if not polygons:
        return None
    if len(polygons) == 1:
        return polygons[0]
    return QgsGeometry.collectGeometry(polygons)


def _index(geometries):
    """QgsSpatialIndex over {id: geometry}."""
    index = QgsSpatialIndex()
    for identifier, geometry in geometries.items():
        feature = QgsFeature(identifier)
        feature.setGeometry(geometry)
        index.addFeature(feature)
    return index


def envelope_parts(geometries, buffer=ENVELOPE_BUFFER, min_area_m2=ENVELOPE_MIN_AREA_HA * 1e4,
                   feedback=None):
    """Enveloppe urbaine from member polygons: union, +buffer, −buffer, parts ≥ min area, holes filled.

    ``buffer(union(P), d) = union(buffer(p, d))`` for d > 0, so the members are dissolved first (cheap on a
    tessellation, whose members share edges) and buffered once.
    Returns a list of polygon geometries (single parts, no holes).
    """
    geometries = [g for g in geometries if g is not None and not g.isEmpty()]
    if not geometries:
        return []
    union = QgsGeometry.unaryUnion(geometries)
    if union.isNull():
        raise RuntimeError(union.lastError() or "union failed")
    if feedback is not None and feedback.isCanceled():
        return []
    grown = union.buffer(buffer, BUFFER_SEGMENTS)
    shrunk = grown.buffer(-buffer, BUFFER_SEGMENTS)
    parts = []
    for part in shrunk.asGeometryCollection():
        if part.type() != GEOMETRY_POLYGON or part.area() < min_area_m2:
            continue
        parts.append(part.removeInteriorRings())
    return parts


def points_near_polygons(points, polygon_stream, distance):
    """Ids of ``points`` ({id: point geometry}) lying within ``distance`` of a polygon of ``polygon_stream``.

    The polygons are streamed (only the few candidate points are indexed), so memory stays small.
    """
    if not points:
        return set()
    index = _index(points)
    near = set()
    for polygon in polygon_stream:
        box = polygon.boundingBox()
        box.grow(distance)
        for identifier in index.intersects(box):
            if identifier in near:
                continue
            if polygon.distance(points[identifier]) <= distance:
                near.add(identifier)
    return near


def clusters(geometries):
    """Groups of ids of ``geometries`` ({id: geometry}) that touch or overlap, transitively (union-find)."""
    parent = {identifier: identifier for identifier in geometries}

    def find(identifier):
        while parent[identifier] != identifier:
            parent[identifier] = parent[parent[identifier]]
            identifier = parent[identifier]
        return identifier

    index = _index(geometries)
    for identifier, geometry in geometries.items():
        box = QgsRectangle(geometry.boundingBox())
        box.grow(1e-6)
        for other in index.intersects(box):
            if other == identifier or find(other) == find(identifier):
                continue
            if geometry.intersects(geometries[other]):
                parent[find(other)] = find(identifier)
    groups = {}
    for identifier in geometries:
        groups.setdefault(find(identifier), []).append(identifier)
    return list(groups.values())


def clusters_near(geometries, targets, distance):
    """Ids of ``geometries`` whose cluster (contiguous members) has a member within ``distance`` of ``targets``."""
    if not geometries or not targets:
        return set()
    target_index = _index(dict(enumerate(targets)))
    near = set()
    for group in clusters(geometries):
        for identifier in group:
            geometry = geometries[identifier]
            box = geometry.boundingBox()
            box.grow(distance)
            if any(geometry.distance(targets[t]) <= distance for t in target_index.intersects(box)):
                near.update(group)
                break
    return near
