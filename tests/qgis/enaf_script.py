"""A literal transcription, in QgsGeometry (GEOS) calls, of the enveloppe urbaine and of the agricultural
structures of Geo2France's ENAF script (geo2france/ocs2d, indicateurs/enaf/calcul_enaf_ocs2d_multidate.sql),
statement by statement, to check the plugin's faster computation against. Test code only: slow and plain.

PostGIS ↔ QGIS: ST_Buffer(g, d) = g.buffer(d, 8) (8 segments a quarter circle, round joins: PostGIS's defaults);
'join=bevel' = Qgis.JoinStyle.Bevel; ST_Union / ST_UnaryUnion = QgsGeometry.unaryUnion; ST_Dump = the polygons of
the collection; ST_MakeValid = makeValid (GEOS MakeValid, linework method, as PostGIS); ST_Area = area() in the
projected CRS; ST_DWithin(a, b, 50) = a.distance(b) <= 50.
"""
from decimal import ROUND_HALF_UP, Decimal

from qgis.core import Qgis, QgsGeometry, QgsWkbTypes


def st_buffer(geometry, distance, bevel=False):
    if not bevel:
        return geometry.buffer(distance, 8)
    return geometry.buffer(distance, 8, Qgis.EndCapStyle.Round, Qgis.JoinStyle.Bevel, 5.0)


def st_dump(geometry):
    """The polygons of a (multi)polygon or collection."""
    if geometry.isNull() or geometry.isEmpty():
        return []
    parts = geometry.asGeometryCollection() if geometry.isMultipart() else [geometry]
    return [p for p in parts if QgsWkbTypes.flatType(p.wkbType()) == QgsWkbTypes.Polygon and not p.isEmpty()]


def round_ha(area_m2):
    """ROUND((area / 10000)::numeric, 2): float8 → numeric keeps 15 significant digits; ROUND is half away from 0."""
    return Decimal("%.15g" % (area_m2 / 10000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def n_rings(geometry):
    return sum(1 + p.constGet().numInteriorRings() for p in st_dump(geometry))


def envelope(members, buffer=50, min_ha=10):
    """The rows (geometry, surface_ha) of wip.ocs2d_enveloppe_urbaine_yyyy for the member polygons of a vintage."""
    # Phase 1
    dilated = st_buffer(QgsGeometry.unaryUnion([st_buffer(m, buffer) for m in members]), 0.0, bevel=True)
    rows = []
    for d in st_dump(dilated):
        eroded = QgsGeometry.unaryUnion([st_buffer(d, -buffer, bevel=True)]).makeValid()
        if round_ha(eroded.area()) >= min_ha:
            rows.append(eroded)
    # Phase 2: rows with holes (ST_NRings > number of parts) → ST_Collect(ST_MakePolygon(ST_ExteriorRing(part)))
    for gid, geometry in enumerate(rows):
        parts = st_dump(geometry)
        if n_rings(geometry) > 1 and n_rings(geometry) > len(parts):
            rows[gid] = QgsGeometry.collectGeometry([QgsGeometry.fromPolygonXY([p.asPolygon()[0]]) for p in parts])
    # Phase 2.5: rows that have parts of at least 10 ha (100000 m², not rounded) keep those only
    for gid, geometry in enumerate(rows):
        kept = [p for p in st_dump(geometry) if p.area() >= min_ha * 10000]
        if kept:
            rows[gid] = QgsGeometry.collectGeometry(kept)
    # Phase 3
    for gid, geometry in enumerate(rows):
        if not geometry.isGeosValid():
            rows[gid] = geometry.makeValid()
    return [(geometry, round_ha(geometry.makeValid().area())) for geometry in rows]


def structures(polygons):
    """wip.structure_agricole_yyyy: ST_Dump(ST_Buffer(ST_Union(geom), 0.0))."""
    return st_dump(QgsGeometry.unaryUnion(list(polygons)).buffer(0.0, 8))


def contexts(polygons, rows, distance=50):
    """{fid: set of the values of ``contexte`` that bati_agricole_yyyy may give the polygon}: the rows of
    ``ocs LEFT JOIN structure ON ST_Intersects LEFT JOIN envelope ON ST_DWithin(structure, envelope, 50)``, of
    which DISTINCT ON (fid) keeps any one; and {fid: the value its own structure (the one holding it) gives}."""
    found = structures(polygons.values())
    near = [any(s.distance(row) <= distance for row, _ha in rows) for s in found]
    possible, own = {}, {}
    for fid, polygon in polygons.items():
        possible[fid] = {near[k] for k, s in enumerate(found) if s.intersects(polygon)} or {False}
        inside = polygon.pointOnSurface()
        own[fid] = next(near[k] for k, s in enumerate(found) if s.intersects(inside))
    return possible, own
