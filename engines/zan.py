"""Geometry work of ocs:zantrajectory: the outline of every zone and the map of a report section.

The figures are computed in core/zan.py; the HTML report is built by core/zanreport.py.
Public API: ``zone_outlines(zone_finder)``, ``report_map(outline, pieces, limit=MAP_PIECES)``.
"""
from . import changes

MAP_PIECES = 3000       # flow polygons drawn per zone in the report (the largest)


def zone_outlines(zones, total="total"):
    """{zone value: multipolygon} of a ZoneFinder's zones (the zones without a value left out) and, under
    ``total``, the union of them all; {} when ``zones`` is None."""
    if zones is None:
        return {}
    grouped = {}
    for value, geometry in zip(zones.values, zones.geometries):
        if value is not None:
            grouped.setdefault(value, []).append(geometry)
    outlines = {value: changes.multipolygon(parts) for value, parts in grouped.items()}
    outlines[total] = changes.multipolygon(zones.geometries, union=True)
    return outlines


def rings(geometry):
    """[[(x, y)]] of every ring of a (multi)polygon."""
    found = []
    for part in geometry.asGeometryCollection() if geometry.isMultipart() else [geometry]:
        polygon = part.asPolygon()
        for ring in polygon:
            found.append([(p.x(), p.y()) for p in ring])
    return found


def report_map(outline, pieces, limit=MAP_PIECES):
    """The ``map`` entry of a report section (core/zanreport.py): the zone outline and the ``limit`` largest
    consumption pieces [(m², kind, geometry)], simplified to 1/2000 of the map's extent; None when empty."""
    if outline is None and not pieces:
        return None
    pieces = sorted(pieces, key=lambda p: -p[0])[:limit]
    box = outline.boundingBox() if outline is not None else None
    for _area, _kind, geometry in pieces:
        if box is None:
            box = geometry.boundingBox()
        else:
            box.combineExtentWith(geometry.boundingBox())
    tolerance = max(box.width(), box.height()) / 2000.0
    flows = []
    for _area, kind, geometry in pieces:
        simple = geometry.simplify(tolerance)
        if simple is None or simple.isEmpty():
            simple = geometry
        flows.append({"kind": kind, "rings": rings(simple)})
    zone_rings = rings(outline.simplify(tolerance)) if outline is not None else []
    return {"extent": (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()), "zone": zone_rings,
            "flows": flows}
