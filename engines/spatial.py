"""Geometry steps shared by the algorithms: enveloppe urbaine and the spatial rules of the OCS2D methods.

All distances are in metres: callers hand over geometries already in a metric CRS.
"""
import math
import os
import struct
from concurrent.futures import ThreadPoolExecutor

import numpy

from qgis.core import QgsGeometry, QgsRectangle, QgsSpatialIndex

from .. import compat
from ..compat import GEOMETRY_POLYGON
from ..core import rules
from ..core.rules import AGRI_DISTANCE, ENVELOPE_BUFFER, ENVELOPE_MIN_AREA_HA, US7_DISTANCE  # noqa: F401 - the rules

BUFFER_SEGMENTS = rules.ENVELOPE_SEGMENTS


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


class BoxSet:
    """Rectangles with integer ids, searched by rectangle in numpy; read-only, so threads can share it."""

    def __init__(self, ids, boxes):
        self.ids = numpy.asarray(ids, dtype=numpy.int64)
        self.boxes = numpy.asarray(boxes, dtype=float).reshape(-1, 4)

    @classmethod
    def of(cls, geometries):
        """The bounding boxes of {id: geometry}."""
        boxes = [(b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum())
                 for b in (g.boundingBox() for g in geometries.values())]
        return cls(list(geometries), boxes)

    def intersects(self, rectangle):
        """Ids of the rectangles that intersect ``rectangle`` (a QgsRectangle), in id order."""
        b = self.boxes
        hit = (b[:, 0] <= rectangle.xMaximum()) & (b[:, 2] >= rectangle.xMinimum()) & \
              (b[:, 1] <= rectangle.yMaximum()) & (b[:, 3] >= rectangle.yMinimum())
        return sorted(self.ids[hit].tolist())

    def subset(self, ids):
        keep = numpy.isin(self.ids, numpy.asarray(list(ids), dtype=numpy.int64))
        return BoxSet(self.ids[keep], self.boxes[keep])


class Prepared:
    """Polygons (the empty ones left out) with a box index and GEOS engines prepared at their first use."""

    def __init__(self, geometries):
        self.geometries = [g for g in geometries if g is not None and not g.isEmpty()]
        self.index = box_index(dict(enumerate(self.geometries)))
        self.engines = {}

    def engine(self, i):
        if i not in self.engines:
            self.engines[i] = QgsGeometry.createGeometryEngine(self.geometries[i].constGet())
            self.engines[i].prepareGeometry()
        return self.engines[i]

    def intersects(self, geometry):
        return any(self.engine(i).intersects(geometry.constGet())
                   for i in self.index.intersects(geometry.boundingBox()))

    def within_distance(self, geometry, distance):
        box = QgsRectangle(geometry.boundingBox())
        box.grow(distance)
        return any(self.geometries[i].distance(geometry) <= distance for i in self.index.intersects(box))


def box_index(geometries):
    """QgsSpatialIndex of the bounding boxes of {id: geometry} (every query here is by rectangle)."""
    index = QgsSpatialIndex()
    for identifier, geometry in geometries.items():
        index.addFeature(identifier, geometry.boundingBox())
    return index


def envelope_parts(geometries, buffer=ENVELOPE_BUFFER, min_area_m2=ENVELOPE_MIN_AREA_HA * 1e4,
                   feedback=None, near=None):
    """Enveloppe urbaine from member polygons, as the published script computes it (see ``close_group``).

    Faster than one closing of the whole territory, same result:
    - the members are dissolved once (cheap on a tessellation, whose members share edges): since
      ``buffer(union(P), d) = union(buffer(p, d))`` for d > 0, the dissolved parts are buffered instead of the
      members;
    - the parts are grouped so that two parts less than 2 × buffer apart (by bounding boxes, a lower bound of
      their distance) share a group: the dilations of different groups never meet, so the blocks of the whole
      are the blocks of the groups, each computed on a small input;
    - the closing of a group lies within its bounding box grown by ``closing_margin``, so a group whose grown
      box is smaller than the smallest block kept cannot give a part and is skipped.
    ``near`` = (QgsSpatialIndex of rectangles, distance): only the parts that may lie within that distance of
    one of the rectangles are wanted (the agricultural-structure rule), so groups farther away are skipped.
    ``geometries``: QgsGeometry objects, or WKB (bytes) of valid non-empty polygons, which spares a conversion
    per member.
    Returns a list of polygon geometries (single parts).
    """
    geometries = [g for g in geometries if isinstance(g, bytes) or (g is not None and not g.isEmpty())]
    if not geometries:
        return []
    pieces = dissolve(geometries)
    parts = []
    margin = closing_margin(buffer)
    for group in _box_groups([p.boundingBox() for p in pieces], 2.0 * buffer):
        if feedback is not None and feedback.isCanceled():
            return []
        box = QgsRectangle(pieces[group[0]].boundingBox())
        for index in group[1:]:
            box.combineExtentWith(pieces[index].boundingBox())
        if not may_hold_a_block(box.width(), box.height(), buffer, min_area_m2):
            continue
        if near is not None:
            grown = QgsRectangle(box)
            grown.grow(near[1] + margin)
            if not near[0].intersects(grown):
                continue
        parts.extend(close_group([pieces[i] for i in group], buffer, min_area_m2))
    return parts


def closing_margin(buffer):
    """How far (m) the closing of members may reach beyond their bounding box: the +buffer's arcs are polygons
    whose edges lie buffer × (1 − cos(π / 32)) inside the circle (0.24 m at 50 m), which the −buffer carries
    beyond the members' corners; twice that, and 1 cm."""
    return 2.0 * buffer * (1.0 - math.cos(math.pi / (4 * BUFFER_SEGMENTS))) + 0.01


def may_hold_a_block(width, height, buffer, min_area_m2):
    """Whether members whose bounding box is ``width`` × ``height`` may give a block large enough to be kept."""
    margin = 2.0 * closing_margin(buffer)
    return (width + margin) * (height + margin) >= rules.envelope_smallest_block_m2(min_area_m2)


def close_group(pieces, buffer=ENVELOPE_BUFFER, min_area_m2=ENVELOPE_MIN_AREA_HA * 1e4):
    """The enveloppe urbaine of one group of dissolved members, phase by phase as Geo2France's script
    (indicateurs/enaf/calcul_enaf_ocs2d_multidate.sql) computes it:
    1. +buffer with round joins and 8 segments a quarter circle, union; each connected block of the dilation is
       eroded by −buffer with bevel joins; a block is kept when its eroded area (all its pieces) in ha rounded to
       0.01 reaches the minimum (``rules.envelope_block_kept``);
    2. the holes of its pieces are filled;
    2.5 its pieces under the minimum area (not rounded) are dropped, unless none reaches it
       (``rules.envelope_parts_kept``);
    3. made valid: a piece lying in a filled hole of another piece of the block becomes a hole of it (the even-odd
       rule of makeValid, as ST_MakeValid's).
    Returns the polygons of the kept blocks."""
    if buffer > 0:
        dilated = QgsGeometry.collectGeometry(pieces).buffer(buffer, BUFFER_SEGMENTS)
    else:
        dilated = QgsGeometry.unaryUnion(pieces)
    parts = []
    for block in _polygons(dilated):
        eroded = compat.buffer_bevel(block, -buffer, BUFFER_SEGMENTS) if buffer > 0 else block
        parts.extend(_kept_pieces(_polygons(eroded), min_area_m2))
    return parts


def _kept_pieces(pieces, min_area_m2):
    """Phases 1 (area of the block), 2, 2.5 and 3 of ``close_group`` on the eroded pieces of one block."""
    if not pieces or not rules.envelope_block_kept(sum(p.area() for p in pieces), min_area_m2):
        return []
    holed = any(p.constGet().numInteriorRings() for p in pieces)
    if holed:
        pieces = [p.removeInteriorRings() for p in pieces]
    pieces = [pieces[i] for i in rules.envelope_parts_kept([p.area() for p in pieces], min_area_m2)]
    if holed and len(pieces) > 1:
        collection = QgsGeometry.collectGeometry(pieces)
        if not collection.isGeosValid():
            pieces = _polygons(collection.makeValid())
    return pieces


def _polygons(geometry):
    """The non-empty polygons of a geometry (a polygon, multipolygon or collection)."""
    if geometry is None or geometry.isNull() or geometry.isEmpty():
        return []
    if not geometry.isMultipart():
        return [geometry] if geometry.type() == GEOMETRY_POLYGON else []
    return [p for p in geometry.asGeometryCollection() if p.type() == GEOMETRY_POLYGON and not p.isEmpty()]


def envelope_parts_by_group(boxes, geometry, **options):
    """``envelope_parts`` of members given by their bounding boxes (``boxes``: (xmin, ymin, xmax, ymax) each)
    and ``geometry(i)`` (the member of box ``i``), computed group by group (see GroupCloser).
    ``options``: those of GroupCloser (buffer, min_area_m2, feedback, workers, cache: a dict, with ``ids``, of
    the closed groups of earlier calls, reused and added to) and of GroupCloser.submit (near, ids, geometries).
    """
    submit = {key: options.pop(key) for key in ("near", "ids", "geometries") if key in options}
    closer = GroupCloser(**options)
    try:
        return closer.parts(closer.submit(boxes, geometry, **submit))
    finally:
        closer.shutdown()


class GroupCloser:
    """The enveloppe urbaine of member sets (one per vintage), closed group by group on threads (``close_group``).

    Members more than 2 × buffer apart in different groups: their dilations never meet, so the closing of all
    members is the union of the closings of the groups (``grid_groups``), each computed on a small input. A
    group whose box cannot hold a block of the minimum area (``may_hold_a_block``), or (with ``near``) farther
    than ``near[1]`` from every rectangle of ``near[0]`` (a BoxSet), cannot give a wanted part: its geometries
    are never built.
    Groups are closed on ``workers`` threads (default: one per core, at most 2; GEOS, SQLite and numpy release
    the GIL), largest first, while the caller goes on (e.g. grouping the next vintage); ``parts`` waits for them.
    With ``ids`` (an integer identifier per member, e.g. its fid), a group with the same members near the same
    rectangles as a group already submitted (another vintage) is not closed again: its parts are reused
    (``cache``: a dict of them, kept across closers).
    """

    def __init__(self, buffer=ENVELOPE_BUFFER, min_area_m2=ENVELOPE_MIN_AREA_HA * 1e4, feedback=None, workers=None,
                 cache=None):
        self.buffer = buffer
        self.min_area_m2 = min_area_m2
        self.feedback = feedback
        workers = workers or min(2, os.cpu_count() or 1)
        self.pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
        self.done = {} if cache is None else cache    # key: parts
        self.pending = {}                             # key: future

    def _canceled(self):
        return self.feedback is not None and self.feedback.isCanceled()

    def submit(self, boxes, geometry=None, near=None, ids=None, geometries=None):
        """Group and submit members given by their boxes ((xmin, ymin, xmax, ymax) each) and ``geometry(i)`` (the
        member of box ``i``) or ``geometries(indexes)`` (the members of an index array at once, from any thread;
        empty ones may be left out). Returns a handle for ``parts``."""
        boxes = numpy.asarray(boxes, dtype=float).reshape(-1, 4)
        if ids is not None:
            ids = numpy.asarray(ids, dtype=numpy.int64)
        keys = []
        jobs = {}
        for group in grid_groups(boxes, 2.0 * self.buffer):
            if self._canceled():
                return []
            xmin, ymin = boxes[group, 0].min(), boxes[group, 1].min()
            xmax, ymax = boxes[group, 2].max(), boxes[group, 3].max()
            if not may_hold_a_block(xmax - xmin, ymax - ymin, self.buffer, self.min_area_m2):
                continue
            reach = ()
            if near is not None:
                grown = QgsRectangle(xmin, ymin, xmax, ymax)
                grown.grow(near[1] + closing_margin(self.buffer))
                reach = near[0].intersects(grown)
                if not reach:
                    continue
            key = (numpy.sort(ids[group]).tobytes(), tuple(reach)) if ids is not None else object()
            keys.append(key)
            if key not in self.done and key not in self.pending and key not in jobs:
                jobs[key] = (group, None if near is None else (near[0].subset(reach), near[1]))
        for key, (group, near_group) in sorted(jobs.items(), key=lambda job: -len(job[1][0])):
            if self.pool is not None:
                self.pending[key] = self.pool.submit(self._close, group, geometry, geometries, near_group)
            else:
                self.done[key] = self._close(group, geometry, geometries, near_group)
        return keys

    def _close(self, group, geometry, geometries, near):
        if self._canceled():
            return []
        members = geometries(group) if geometries is not None else [geometry(int(i)) for i in group]
        return envelope_parts(members, self.buffer, self.min_area_m2, self.feedback, near)

    def parts(self, handle):
        """The parts of the groups of a ``submit``, in the order of the groups (whatever the threads' order)."""
        parts = []
        for key in handle:
            if key in self.pending:
                self.done[key] = self.pending.pop(key).result()
            parts.extend(self.done[key])
        return [] if self._canceled() else parts

    def shutdown(self):
        """Wait for the threads (also the groups of a cancelled run) and stop them."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None


def ranks(counts):
    """For runs of ``counts[i]`` items laid one after the other, the rank of each item within its run:
    [0, 1, …, counts[0] − 1, 0, 1, …]."""
    counts = numpy.asarray(counts, dtype=numpy.int64)
    return numpy.arange(int(counts.sum())) - numpy.repeat(numpy.cumsum(counts) - counts, counts)


def grid_groups(boxes, gap, cell=None):
    """Indexes of ``boxes`` ((n, 4) array of xmin, ymin, xmax, ymax) in groups such that two boxes at most ``gap``
    apart always share a group (transitively); boxes a little farther apart may share one too.

    Each box grown by gap / 2 is put in the cells of a grid that it covers: two boxes at most ``gap`` apart have
    overlapping grown boxes, so they share a cell, and every cell links its boxes. Boxes covering many cells are
    linked to the boxes they overlap directly. All in numpy, with the components found by hooking and pointer
    jumping. Returns a list of index arrays.
    """
    n = len(boxes)
    if n == 0:
        return []
    half = gap / 2.0
    extent = max(boxes[:, 2].max() - boxes[:, 0].min(), boxes[:, 3].max() - boxes[:, 1].min())
    cell = max(cell or gap, 1e-6, extent / 2 ** 20)   # at most 2^20 cells a side (int64 cell keys)
    lo = numpy.floor((boxes[:, :2] - half) / cell).astype(numpy.int64)
    hi = numpy.floor((boxes[:, 2:] + half) / cell).astype(numpy.int64)
    span = hi - lo + 1
    count = span[:, 0] * span[:, 1]
    large = count > 64
    small = numpy.flatnonzero(~large)
    # (cell, box) pairs of the small boxes
    repeats = count[small]
    box_of = numpy.repeat(small, repeats)
    rank = ranks(repeats)
    cx = lo[box_of, 0] + rank % span[box_of, 0]
    cy = lo[box_of, 1] + rank // span[box_of, 0]
    cx -= cx.min()
    cy -= cy.min()
    key = cx * (cy.max() + 1) + cy
    order = numpy.argsort(key, kind="stable")
    key, box_of = key[order], box_of[order]
    first = numpy.concatenate([[True], key[1:] != key[:-1]])
    head = box_of[first][numpy.cumsum(first) - 1]       # the first box of each pair's cell
    a, b = [head], [box_of]
    grown = boxes + numpy.array([-half, -half, half, half])
    for i in numpy.flatnonzero(large):
        hit = numpy.flatnonzero((grown[:, 0] <= grown[i, 2]) & (grown[:, 2] >= grown[i, 0]) &
                                (grown[:, 1] <= grown[i, 3]) & (grown[:, 3] >= grown[i, 1]))
        a.append(numpy.full(len(hit), i))
        b.append(hit)
    label = _components(n, numpy.concatenate(a), numpy.concatenate(b))
    order = numpy.argsort(label, kind="stable")
    cuts = numpy.flatnonzero(numpy.diff(label[order])) + 1
    return numpy.split(order, cuts)


def box_point_pairs(boxes, points, grow=0.0):
    """(box indexes, point indexes) of every point of ``points`` ((m, 2) array) that lies in a box of ``boxes``
    ((n, 4) array of xmin, ymin, xmax, ymax) grown by ``grow``, edges included; in numpy, through a grid of cells
    about the size of most boxes (a box spanning more than 64 cells is tested against every point)."""
    boxes = numpy.asarray(boxes, dtype=float).reshape(-1, 4) + numpy.array([-grow, -grow, grow, grow])
    points = numpy.asarray(points, dtype=float).reshape(-1, 2)
    if not len(boxes) or not len(points):
        return numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=numpy.int64)
    sides = numpy.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    extent = max(points[:, 0].max() - points[:, 0].min(), points[:, 1].max() - points[:, 1].min())
    cell = max(float(numpy.percentile(sides, 75)), 1e-6, extent / 2 ** 20)
    origin = points.min(axis=0)
    pcell = numpy.floor((points - origin) / cell).astype(numpy.int64)
    rows = int(pcell[:, 1].max()) + 3
    pkey = (pcell[:, 0] + 1) * rows + (pcell[:, 1] + 1)
    porder = numpy.argsort(pkey, kind="stable")
    pkey = pkey[porder]
    lo = numpy.floor((boxes[:, :2] - origin) / cell).astype(numpy.int64)
    hi = numpy.floor((boxes[:, 2:] - origin) / cell).astype(numpy.int64)
    # cells outside the points' grid hold no point: clip to it (one ring of empty cells around)
    lo = numpy.maximum(lo, -1)
    hi[:, 0] = numpy.minimum(hi[:, 0], pcell[:, 0].max() + 1)
    hi[:, 1] = numpy.minimum(hi[:, 1], rows - 2)
    span = numpy.maximum(hi - lo + 1, 0)
    count = span[:, 0] * span[:, 1]
    large = count > 64
    small = numpy.flatnonzero(~large & (count > 0))
    repeats = count[small]
    box_of = numpy.repeat(small, repeats)
    rank = ranks(repeats)
    cx = lo[box_of, 0] + rank % span[box_of, 0]
    cy = lo[box_of, 1] + rank // span[box_of, 0]
    key = (cx + 1) * rows + (cy + 1)
    first = numpy.searchsorted(pkey, key, "left")
    last = numpy.searchsorted(pkey, key, "right")
    hits = last - first
    pair_box = numpy.repeat(box_of, hits)
    pair_point = porder[numpy.repeat(first, hits) + ranks(hits)]
    found_box, found_point = [pair_box], [pair_point]
    for i in numpy.flatnonzero(large):
        inside = numpy.flatnonzero((points[:, 0] >= boxes[i, 0]) & (points[:, 0] <= boxes[i, 2]) &
                                   (points[:, 1] >= boxes[i, 1]) & (points[:, 1] <= boxes[i, 3]))
        found_box.append(numpy.full(len(inside), i, dtype=numpy.int64))
        found_point.append(inside)
    pair_box = numpy.concatenate(found_box).astype(numpy.int64)
    pair_point = numpy.concatenate(found_point).astype(numpy.int64)
    x, y = points[pair_point, 0], points[pair_point, 1]
    keep = (x >= boxes[pair_box, 0]) & (x <= boxes[pair_box, 2]) & (y >= boxes[pair_box, 1]) & \
        (y <= boxes[pair_box, 3])
    return pair_box[keep], pair_point[keep]


def components(n, a, b):
    """Connected components of the graph of ``n`` nodes and edges ``a[k]``–``b[k]`` (numpy arrays): the smallest
    node of its component for each node."""
    return _components(n, numpy.asarray(a, dtype=numpy.int64), numpy.asarray(b, dtype=numpy.int64))


def _components(n, a, b):
    """Connected components of the graph of ``n`` nodes and edges ``a[k]``–``b[k]``: the smallest node of its
    component for each node.

    Rounds of hooking and pointer jumping until nothing changes: every label is a root (a node labelled with
    itself); a root joined by an edge to a smaller root takes one of those (any: plain assignment, several
    times faster than numpy's minimum.at, and as good since a root only ever gets a smaller label), then every
    node jumps to its root. At the end the label of a component is a node of it no larger than its smallest
    node, the smallest node itself."""
    label = numpy.arange(n)
    while True:
        la, lb = label[a], label[b]
        hooked = label.copy()
        down = la > lb
        hooked[la[down]] = lb[down]
        up = lb > la
        hooked[lb[up]] = la[up]
        while True:
            jumped = hooked[hooked]
            if (jumped == hooked).all():
                break
            hooked = jumped
        if (hooked == label).all():
            return label
        label = hooked


def dissolve(geometries):
    """The union of polygons as a list of polygons.

    A land-cover layer is a coverage: neighbours share their edges vertex for vertex. Then the boundary of the
    union is made of the edges used once, and polygonizing them gives the union far faster than an overlay.
    The result is checked (the dissolved faces must hold exactly the members' area); anything that is not such
    a coverage (overlaps, gaps along unmatched vertices, curves, Z) goes through GEOS's unary union instead.
    """
    faces = _coverage_union(geometries)
    if faces is not None:
        return faces
    union = QgsGeometry.unaryUnion([_geometry(g) for g in geometries])
    if union.isNull():
        raise RuntimeError(union.lastError() or "union failed")
    return [p for p in union.asGeometryCollection() if p.type() == GEOMETRY_POLYGON and not p.isEmpty()]


def _wkb_rings(wkb, rings, exterior=None, offsets=None):
    """Append the (n, 2) coordinate arrays of the rings of a 2D WKB (multi)polygon (and to ``exterior``, whether
    each is an exterior ring; to ``offsets``, the byte offset of its coordinates in ``wkb``); False if not one."""
    if not wkb or wkb[0] != 1:
        return False
    (kind,) = struct.unpack_from("<I", wkb, 1)

    def polygon(offset):
        (count,) = struct.unpack_from("<I", wkb, offset)
        offset += 4
        for ring in range(count):
            (points,) = struct.unpack_from("<I", wkb, offset)
            offset += 4
            rings.append(numpy.frombuffer(wkb, dtype="<f8", count=2 * points, offset=offset).reshape(points, 2))
            if exterior is not None:
                exterior.append(ring == 0)
            if offsets is not None:
                offsets.append(offset)
            offset += 16 * points
        return offset

    if kind == 3:
        polygon(5)
    elif kind == 6:
        (count,) = struct.unpack_from("<I", wkb, 5)
        offset = 9
        for _part in range(count):
            if wkb[offset] != 1 or struct.unpack_from("<I", wkb, offset + 1)[0] != 3:
                return False
            offset = polygon(offset + 5)
    else:
        return False
    return True


def flat_rings(wkbs, members=False):
    """(points, sizes, exterior) of 2D WKB polygons and multipolygons, ring after ring in their order: the (n, 2)
    coordinates of every ring one after the other, the number of points of each ring and whether it is an
    exterior ring; None when one is not such a WKB.

    The usual member (one polygon of one ring, as Polygon or one-part MultiPolygon) is read in numpy without a
    Python step per member; others ring by ring. With ``members``, a fourth array: the member of each ring."""
    if not wkbs:
        empty = numpy.zeros((0, 2)), numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=bool)
        return empty + (numpy.zeros(0, dtype=numpy.int64),) if members else empty
    lengths = numpy.fromiter((len(w) for w in wkbs), dtype=numpy.int64, count=len(wkbs))
    blob = b"".join(wkbs) + bytes(32)            # padding: headers are read at fixed offsets below
    data = numpy.frombuffer(blob, dtype=numpy.uint8)
    starts = numpy.cumsum(lengths) - lengths

    def u32(offsets):
        return data[offsets[:, None] + numpy.arange(4)].copy().view("<u4").ravel().astype(numpy.int64)

    kind = u32(starts + 1)
    polygon = (lengths >= 13) & (data[starts] == 1) & (kind == 3) & (u32(starts + 5) == 1)
    polygon &= lengths == 13 + 16 * u32(starts + 9)
    multi = (lengths >= 22) & (data[starts] == 1) & (kind == 6) & (u32(starts + 5) == 1) & \
        (data[starts + 9] == 1) & (u32(starts + 10) == 3) & (u32(starts + 14) == 1)
    multi &= lengths == 22 + 16 * u32(starts + 18)
    simple = polygon | multi
    offset = numpy.where(polygon, starts + 13, starts + 22)
    count = numpy.where(polygon, u32(starts + 9), u32(starts + 18))
    member = numpy.flatnonzero(simple)
    others = []   # (member, rank, byte offset in blob, points, exterior) of the rings of the other members
    for m in numpy.flatnonzero(~simple).tolist():
        rings, exterior, offsets = [], [], []
        if not _wkb_rings(wkbs[m], rings, exterior, offsets):
            return None
        others.extend((m, rank, int(starts[m]) + offset, len(ring), is_exterior)
                      for rank, (ring, is_exterior, offset) in enumerate(zip(rings, exterior, offsets)))
    extra = numpy.array([row[:4] for row in others], dtype=numpy.int64).reshape(-1, 4)
    order = numpy.lexsort((numpy.concatenate([numpy.zeros(len(member), dtype=numpy.int64), extra[:, 1]]),
                           numpy.concatenate([member, extra[:, 0]])))
    ring_offset = numpy.concatenate([offset[simple], extra[:, 2]])[order]
    sizes = numpy.concatenate([count[simple], extra[:, 3]])[order].astype(numpy.int64)
    exterior = numpy.concatenate([numpy.ones(len(member), dtype=bool),
                                  numpy.array([row[4] for row in others], dtype=bool)])[order]
    # the coordinates: 2 doubles per point at byte offsets that need not be multiples of 8, read through one
    # view of the blob per residue
    values = 2 * sizes
    out_start = numpy.cumsum(values) - values
    flat = numpy.empty(int(values.sum()))
    residue = ring_offset % 8
    for r in numpy.unique(residue).tolist():
        pick = residue == r
        view = numpy.frombuffer(blob, dtype="<f8", count=(len(blob) - r) // 8, offset=r)
        n = values[pick]
        within = ranks(n)
        flat[numpy.repeat(out_start[pick], n) + within] = view[numpy.repeat((ring_offset[pick] - r) // 8, n) + within]
    if members:
        owner = numpy.concatenate([member, extra[:, 0]])[order]
        return flat.reshape(-1, 2), sizes, exterior, owner
    return flat.reshape(-1, 2), sizes, exterior


def wkb_areas(wkbs):
    """Planar areas of 2D WKB polygons and multipolygons, as QgsGeometry.area() gives them (exterior rings minus
    holes), read in numpy; None when one of them is not such a WKB."""
    rings = flat_rings(list(wkbs), members=True)
    if rings is None:
        return None
    points, sizes, exterior, owner = rings
    ring_areas = numpy.abs(signed_areas_flat(points, sizes))
    return numpy.bincount(owner, weights=numpy.where(exterior, ring_areas, -ring_areas), minlength=len(wkbs))


def shared_edges(wkbs):
    """How the members (2D WKB polygons and multipolygons) of a layer share their edges, vertex for vertex:
    (pairs, lone), ``pairs`` an (k, 2) array of the member indexes (first < second) that share at least one edge,
    each pair once, ``lone`` whether each member has an edge used by no other ring or by two others or more (an
    edge of the outline, of a gap, of an overlap or of vertices that do not match); None when a WKB is not such
    a polygon. Edges of zero length are ignored."""
    flat = flat_rings(wkbs, members=True)
    if flat is None:
        return None
    points, sizes, _exterior, owner = flat
    lone = numpy.zeros(len(wkbs), dtype=bool)
    if not len(sizes) or (sizes < 2).any():
        return (numpy.zeros((0, 2), dtype=numpy.int64), lone) if not len(sizes) else None
    edges = sizes - 1
    starts = numpy.concatenate([[0], numpy.cumsum(sizes)[:-1]])
    seg_from = numpy.repeat(starts - numpy.concatenate([[0], numpy.cumsum(edges)[:-1]]), edges) \
        + numpy.arange(edges.sum())
    seg_owner = numpy.repeat(owner, edges)
    a, b = points[seg_from], points[seg_from + 1]
    keep = (a != b).any(axis=1)
    a, b, seg_owner = a[keep], b[keep], seg_owner[keep]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    key = numpy.hstack([numpy.where(swap[:, None], b, a), numpy.where(swap[:, None], a, b)])
    order, new, _hashes = _group_equal_rows(key)
    group = numpy.cumsum(new) - 1
    counts = numpy.bincount(group)[group]
    sorted_owner = seg_owner[order]
    lone[sorted_owner[counts != 2]] = True
    twice = numpy.flatnonzero(counts == 2)
    first = twice[new[twice]]                 # the first of each group of two (the second follows it)
    pair = numpy.sort(numpy.stack([sorted_owner[first], sorted_owner[first + 1]], axis=1), axis=1)
    pair = pair[pair[:, 0] != pair[:, 1]]
    if len(pair):
        pair = numpy.unique(pair, axis=0)
    return pair.astype(numpy.int64).reshape(-1, 2), lone


def _geometry(geometry):
    """A QgsGeometry of a QgsGeometry or a WKB."""
    if isinstance(geometry, bytes):
        converted = QgsGeometry()
        converted.fromWkb(geometry)
        return converted
    return geometry


def _coverage_union(geometries):
    """Faces of the union of an edge-matched coverage, or None when the input is not one."""
    flat = flat_rings([g if isinstance(g, bytes) else bytes(g.asWkb()) for g in geometries])
    if flat is None:
        return None
    points, sizes, exterior = flat
    if not len(sizes):
        return []
    if (sizes < 2).any():
        return None
    signed = signed_areas_flat(points, sizes)
    expected = float(numpy.abs(signed[exterior]).sum() - numpy.abs(signed[~exterior]).sum())
    found = _boundary_runs(points, sizes, (signed > 0) == exterior)
    points = sizes = exterior = signed = None
    if found is None:
        return None
    boundary, segments = found
    if boundary is None:
        return []
    lines = QgsGeometry()
    lines.fromWkb(boundary)
    boundary = None
    if not lines.isSimple():
        return None  # boundary edges cross or overlap: not an edge-matched coverage
    polygons = QgsGeometry.polygonize([lines])
    if polygons.isNull():
        return None
    faces = [f for f in polygons.asGeometryCollection() if f.type() == GEOMETRY_POLYGON and not f.isEmpty()]
    inside = _faces_inside(faces, *segments)
    if inside is None:
        return None
    members = [face for face, keep in zip(faces, inside) if keep]
    if not _same_area(expected, sum(f.area() for f in members)):
        return None
    return members


def _faces_inside(faces, keys, swapped, left, hashes):
    """Which polygonized faces lie inside the union (the others fill its holes).

    Every edge of a face is a boundary edge of the union, and the member ring it comes from has the union on
    its left or its right: a face lies inside the union when it lies on that side of its first edge.
    ``keys``: the boundary edges as (m, 4) rows (x1, y1, x2, y2), first point the smaller, in the order of
    ``hashes`` (their ``_row_hashes``, sorted, all different); ``swapped``: whether the member ring runs from the
    second point to the first; ``left``: whether the union lies on the left of the member ring's direction.
    None when a face's first edge is not a boundary edge.
    """
    if not faces:
        return []
    shells = []
    for face in faces:
        rings = []
        if not _wkb_rings(bytes(face.asWkb()), rings) or len(rings[0]) < 3:
            return None
        shells.append(rings[0])
    first = numpy.array([(r[0, 0], r[0, 1], r[1, 0], r[1, 1]) for r in shells], dtype=float)
    ccw = _signed_areas(shells) > 0
    a, b = first[:, :2], first[:, 2:]
    face_swapped = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    face_keys = numpy.where(face_swapped[:, None], numpy.hstack([b, a]), first)
    if not len(keys):
        return None
    edge = numpy.minimum(numpy.searchsorted(hashes, _row_hashes(face_keys)), len(keys) - 1)
    if not (keys[edge] == face_keys).all():
        return None
    union_left = numpy.where(face_swapped == swapped[edge], left[edge], ~left[edge])
    return (ccw == union_left).tolist()


def _row_hashes(rows):
    """A 64-bit hash of each row of a float array (equal rows, -0.0 and 0.0 alike, give equal hashes)."""
    bits = numpy.ascontiguousarray(rows + 0.0, dtype="<f8").view(numpy.uint64)
    value = numpy.zeros(len(rows), dtype=numpy.uint64)
    for column in range(bits.shape[1]):
        value = (value ^ bits[:, column]) * numpy.uint64(0x9E3779B97F4A7C15)
        value ^= value >> numpy.uint64(29)
    return value


def _group_equal_rows(rows):
    """(order, new): an order of the rows of a float array in which equal rows are adjacent, and whether each
    row of that order differs from the previous one. Sorting 64-bit hashes is several times faster than a
    lexicographic sort of the columns; two different rows with the same hash (never seen) fall back to it."""
    hashes = _row_hashes(rows)
    order = numpy.argsort(hashes)
    hashes = hashes[order]
    sorted_rows = rows[order]
    new = numpy.ones(len(rows), dtype=bool)
    new[1:] = (sorted_rows[1:] != sorted_rows[:-1]).any(axis=1)
    if (new[1:] & (hashes[1:] == hashes[:-1])).any():
        order = numpy.lexsort(rows.T[::-1])
        sorted_rows = rows[order]
        new[1:] = (sorted_rows[1:] != sorted_rows[:-1]).any(axis=1)
        return order, new, None
    return order, new, hashes


def _signed_areas(rings):
    """Signed areas (shoelace; > 0 counter-clockwise) of rings given as closed (n, 2) arrays, all at once."""
    sizes = numpy.fromiter((len(r) for r in rings), dtype=numpy.int64, count=len(rings))
    if not len(rings) or not sizes.any():
        return numpy.zeros(len(rings))
    return signed_areas_flat(numpy.concatenate(rings), sizes)


def signed_areas_flat(points, sizes):
    """``_signed_areas`` of rings given as their points one after the other and their numbers of points."""
    areas = numpy.zeros(len(sizes))
    if not len(sizes) or not sizes.any():
        return areas
    x, y = points[:, 0] - points[:, 0].mean(), points[:, 1] - points[:, 1].mean()   # centred: fewer lost digits
    cross = numpy.zeros(len(points))
    cross[:-1] = x[:-1] * y[1:] - x[1:] * y[:-1]
    starts = numpy.concatenate([[0], numpy.cumsum(sizes)[:-1]])
    filled = sizes > 0
    cross[(starts + sizes - 1)[filled]] = 0.0      # the pair (last point of a ring, first of the next) is no edge
    areas[filled] = numpy.add.reduceat(cross, starts[filled]) / 2.0
    return areas


def _same_area(expected, found):
    return abs(expected - found) <= 1e-9 * max(expected, 1.0) + 1e-6


def _boundary_runs(points, ring_sizes, left_of_ring):
    """(lines, edges): the edges used by one ring only, as one MultiLineString WKB of runs of consecutive
    vertices (None when there is none), or None when an edge is used by three rings or more (overlaps). Runs
    keep the rings' own order, so the polygonizer gets a few long lines instead of one line per edge.
    ``edges`` = (keys, swapped, left, hashes) of those edges, as ``_faces_inside`` takes them; ``left_of_ring``:
    whether the polygon lies on the left of each ring. The rings are given as their points one after the other
    (``points``, (n, 2)) and their numbers of points (``ring_sizes``, the closing point included)."""
    sizes = ring_sizes - 1
    ring_start = numpy.concatenate([[0], numpy.cumsum(sizes + 1)[:-1]])
    # segment k of ring r goes from points[ring_start[r] + k] to the next point
    seg_from = numpy.repeat(ring_start - numpy.concatenate([[0], numpy.cumsum(sizes)[:-1]]), sizes) \
        + numpy.arange(sizes.sum())
    a, b = points[seg_from], points[seg_from + 1]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    key = numpy.empty((len(a), 4))
    key[:, :2] = numpy.where(swap[:, None], b, a)
    key[:, 2:] = numpy.where(swap[:, None], a, b)
    del a, b
    order, new, hashes = _group_equal_rows(key)
    key = key[order]
    degenerate = (key[:, :2] == key[:, 2:]).all(axis=1)
    group = numpy.cumsum(new) - 1
    counts = numpy.bincount(group)
    once = counts[group] == 1
    if ((counts[group] > 2) & ~degenerate).any():
        return None
    on_boundary = numpy.empty(len(order), dtype=bool)
    on_boundary[order] = once & ~degenerate
    ring_of = numpy.repeat(numpy.arange(len(sizes)), sizes)
    edge = order[once & ~degenerate]
    boundary_keys = key[once & ~degenerate]
    if hashes is None:   # a hash collision: hash the boundary edges alone, or give up the fast path
        hashes = _row_hashes(boundary_keys)
        by_hash = numpy.argsort(hashes)
        hashes, boundary_keys, edge = hashes[by_hash], boundary_keys[by_hash], edge[by_hash]
        if (hashes[1:] == hashes[:-1]).any():
            return None
    else:
        hashes = hashes[once & ~degenerate]
    edges = (boundary_keys, swap[edge], numpy.asarray(left_of_ring, dtype=bool)[ring_of[edge]], hashes)
    del key, swap, edge, order, group, counts, once, new, degenerate
    # Runs of consecutive boundary segments within a ring, cut at every vertex where more than two boundary
    # segments meet, so that lines of a clean coverage only meet at their ends (what isSimple checks).
    index = numpy.flatnonzero(on_boundary)
    ends = numpy.concatenate([points[seg_from[index]], points[seg_from[index] + 1]])
    order, new, _hashes = _group_equal_rows(ends)
    group = numpy.cumsum(new) - 1
    degree = numpy.bincount(group)[group]
    vertex_degree = numpy.empty(len(ends), dtype=numpy.int64)
    vertex_degree[order] = degree
    del ends, order, new, group, degree
    branching = numpy.zeros(len(on_boundary), dtype=bool)
    branching[index] = vertex_degree[:len(index)] > 2       # the segment starts at a branching vertex
    new_ring = numpy.concatenate([[True], ring_of[1:] != ring_of[:-1]])
    previous_off = numpy.concatenate([[True], ~on_boundary[:-1]])
    starts_run = on_boundary & (new_ring | previous_off | branching)
    next_starts = numpy.concatenate([starts_run[1:] | ~on_boundary[1:] | new_ring[1:], [True]])
    ends_run = on_boundary & next_starts
    return _lines_wkb(points, seg_from[numpy.flatnonzero(starts_run)],
                      seg_from[numpy.flatnonzero(ends_run)] + 2), edges


def _lines_wkb(points, first, stop):
    """MultiLineString WKB of the runs ``points[first[i]:stop[i]]``, built in numpy; a closed run is cut in two
    halves (a closed line has no end points: one touching another line would not be "simple"). None when
    there is no run."""
    if not len(first):
        return None
    length = stop - first
    closed = (length > 2) & (points[first] == points[stop - 1]).all(axis=1)
    middle = length // 2
    pieces = 1 + closed.astype(numpy.int64)
    run = numpy.repeat(numpy.arange(len(first)), pieces)
    second = ranks(pieces) == 1
    start = numpy.where(second, first[run] + middle[run], first[run])
    end = numpy.where(closed[run] & ~second, first[run] + middle[run] + 1, stop[run])
    count = end - start
    coordinates = points[numpy.repeat(start, count) + ranks(count)]
    headers = numpy.zeros((len(count), 9), dtype=numpy.uint8)
    headers[:, 0] = 1                      # little-endian
    headers[:, 1] = 2                      # LineString
    headers[:, 5:] = count.astype("<u4").view(numpy.uint8).reshape(-1, 4)
    size = 9 + 16 * count
    body = numpy.empty(int(size.sum()), dtype=numpy.uint8)
    is_header = numpy.zeros(len(body), dtype=bool)
    is_header[((numpy.cumsum(size) - size)[:, None] + numpy.arange(9)).ravel()] = True
    body[is_header] = headers.ravel()
    body[~is_header] = numpy.ascontiguousarray(coordinates, dtype="<f8").view(numpy.uint8).ravel()
    return struct.pack("<BII", 1, 5, len(count)) + body.tobytes()


def _box_groups(boxes, gap):
    """Indexes of ``boxes`` grouped transitively when two boxes are at most ``gap`` apart (union-find)."""
    joins = _Joins(len(boxes))
    index = QgsSpatialIndex()
    for i, box in enumerate(boxes):
        index.addFeature(i, box)
    grow = max(gap, 1e-6)
    for i, box in enumerate(boxes):
        grown = QgsRectangle(box)
        grown.grow(grow)
        for j in index.intersects(grown):
            joins.join(i, j)
    return joins.groups()


class _Joins:
    """Union-find over ``keys`` (a count n: the indexes 0 … n−1, or an iterable of ids), with path halving."""

    __slots__ = ("parent", "keys")

    def __init__(self, keys):
        if isinstance(keys, int):
            self.keys = range(keys)
            self.parent = list(self.keys)
        else:
            self.keys = list(keys)
            self.parent = {key: key for key in self.keys}

    def find(self, key):
        parent = self.parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(self, a, b):
        """``b``'s group joins ``a``'s."""
        root, other = self.find(a), self.find(b)
        if other != root:
            self.parent[other] = root

    def groups(self, value=None):
        """The groups, in the order of their first key, each the list of its keys (or ``value(key)``)."""
        groups = {}
        for key in self.keys:
            groups.setdefault(self.find(key), []).append(key if value is None else value(key))
        return list(groups.values())


class PointSearch:
    """Which of a few points lie within ``distance`` of polygons streamed one by one (only the points are
    indexed, so memory stays small whatever the number of polygons)."""

    def __init__(self, points, distance):
        self.points = points
        self.distance = distance
        self.found = set()
        self._index = None

    @property
    def index(self):
        """The points' spatial index, built on first use."""
        if self._index is None and self.points:
            self._index = box_index(self.points)
        return self._index

    def __bool__(self):
        return bool(self.points) and len(self.found) < len(self.points)

    def check(self, polygon):
        if polygon is None or polygon.isNull():
            return
        box = polygon.boundingBox()
        box.grow(self.distance)
        for identifier in self.index.intersects(box):
            if identifier not in self.found and polygon.distance(self.points[identifier]) <= self.distance:
                self.found.add(identifier)


def clusters(geometries):
    """Groups of ids of ``geometries`` ({id: geometry}) that touch or overlap, transitively (union-find)."""
    joins = _Joins(geometries)
    index = box_index(geometries)
    for identifier, geometry in geometries.items():
        box = QgsRectangle(geometry.boundingBox())
        box.grow(1e-6)
        for other in index.intersects(box):
            if other == identifier or joins.find(other) == joins.find(identifier):
                continue
            if geometry.intersects(geometries[other]):
                joins.join(identifier, other)
    return joins.groups()


def structures(geometries):
    """The agricultural structures of ``geometries`` ({id: geometry}): the parts of their union, as ``ST_Union``
    then ``ST_Dump`` give them, each as the list of (id, polygon) of the polygons (parts of a multi-polygon taken
    one by one) it is made of.

    Two polygons belong to one part of the union when they overlap or share a boundary of some length, directly or
    through others; polygons that touch at single points only are parts of their own (a valid multipolygon's
    parts may touch at points). A multi-polygon whose parts lie in different structures is in each of them."""
    nodes = [(identifier, part) for identifier, geometry in geometries.items() for part in _polygons(geometry)]
    joins = _Joins(len(nodes))
    index = box_index({i: part for i, (_id, part) in enumerate(nodes)})
    for i, (_id, part) in enumerate(nodes):
        box = QgsRectangle(part.boundingBox())
        box.grow(1e-6)
        engine = None
        for j in index.intersects(box):
            if j <= i or joins.find(j) == joins.find(i):
                continue
            if engine is None:
                engine = QgsGeometry.createGeometryEngine(part.constGet())
                engine.prepareGeometry()
            if not engine.intersects(nodes[j][1].constGet()):
                continue
            matrix = engine.relate(nodes[j][1].constGet())
            if matrix[0] != "F" or matrix[4] == "1":    # interiors meet, or boundaries share a line
                joins.join(i, j)
    return joins.groups(nodes.__getitem__)


def clusters_near(geometries, targets, distance):
    """Ids of ``geometries`` (agricultural structures) whose own structure (``structures``: the part of their
    union that holds the polygon) has a polygon within ``distance`` of ``targets``. A polygon touching another
    structure at a corner only does not take that structure's answer (the script's ``DISTINCT ON (fid)`` after
    ``ST_Intersects`` would pick either).

    Targets are large (envelope parts): each is prepared once for the intersection test, and the exact distance
    is measured to the part clipped to the polygon's box grown by ``distance`` (where any nearer point lies).
    """
    if not geometries or not targets:
        return set()
    target_index = box_index(dict(enumerate(targets)))
    engines = {}

    def engine(t):
        if t not in engines:
            engines[t] = QgsGeometry.createGeometryEngine(targets[t].constGet())
            engines[t].prepareGeometry()
        return engines[t]

    def within(geometry, t, box):
        if engine(t).intersects(geometry.constGet()):
            return True
        clipped = targets[t].clipped(box)
        return not clipped.isEmpty() and clipped.distance(geometry) <= distance

    near = set()
    for group in structures(geometries):
        for _identifier, geometry in group:
            box = geometry.boundingBox()
            box.grow(distance)
            if any(within(geometry, t, box) for t in target_index.intersects(box)):
                near.update(identifier for identifier, _part in group)
                break
    return near
