"""Which zone holds a polygon, in numpy, from the border segments of the zones (ocs:carbon's fast path).

The rings of the zones are cut into segments, filed by the cells of a fine grid that their boxes cover. A polygon
whose edges touch no border segment lies in one face of the zones: the zone of its first vertex, found from the
node of the grid at the corner of the vertex's cell (its zone told by the crossings of its grid line with the
rings: even-odd, zone by zone) and the borders between the node and the vertex (each crossed border toggles its
zone). A polygon across borders is cut by measure only: the area of its piece in a zone is the integral of x dy
along the piece's outline, its own edges inside the zone and the zone's border inside it, both cut where they cross
(Green's theorem). Any doubt (a touch, a vertex on a border, a node on a border, zones that overlap, a zone ring
small enough to lie inside the polygon, land outside every zone, pieces that do not add up) gives no answer: the
caller asks GEOS.
"""
import typing

import numpy

from .spatial import flat_rings, ranks, signed_areas_flat

CROSSES = -1        # an edge of the polygon meets a border: cut it (BorderGrid.shares, else GEOS)
UNKNOWN = -2        # no answer from the grid: ask GEOS
BORDER = -3         # a box in cells that hold border segments: look at the polygon's edges (BorderGrid.zones)
TOLERANCE = 1e-6    # m: closer than this to a border counts as touching it
MAX_NODES = 1 << 24
# cells between the grid's origin and the zones' lower-left corner, in x and y
NODE_OFFSET = numpy.array([1.3819660112501051, 1.6180339887498949])


def _cross(ax, ay, bx, by):
    return ax * by - ay * bx


class BorderGrid:
    """The border segments of zones (``wkbs``: WKB of each zone, index = zone id) filed in cells of ``cell`` m."""

    def __init__(self, wkbs, cell):
        flat = flat_rings(list(wkbs), members=True)
        if flat is None:
            raise ValueError("zones that are not plain polygons")
        points, sizes, exterior, owner = flat
        edges = numpy.maximum(sizes - 1, 0)
        starts = numpy.cumsum(sizes) - sizes
        first = numpy.repeat(starts, edges) + ranks(edges)
        a, b = points[first], points[first + 1]
        zone = numpy.repeat(owner, edges)
        keep = (a != b).any(axis=1)
        self.a, self.b, self.zone = a[keep], b[keep], zone[keep]
        self.stride = int(self.zone.max()) + 1 if len(self.zone) else 1
        # +1 where a segment runs with its zone on its left (exterior rings counter-clockwise, holes clockwise)
        signed = signed_areas_flat(points, sizes)
        self.segment_factor = numpy.repeat(numpy.where(exterior == (signed > 0), 1.0, -1.0), edges)[keep]
        low = points.min(axis=0)
        high = points.max(axis=0)
        cell = max(float(cell), 1e-3, float((high - low).max()) / 4096.0)
        while ((high - low) / cell + 3).prod() > MAX_NODES:
            cell *= 2.0
        self.cell = cell
        # nodes off the round coordinates that zone vertices often have (a node on a border tells nothing)
        self.origin = low - cell * NODE_OFFSET
        self.shape = numpy.floor((high - self.origin) / cell).astype(numpy.int64) + 2    # cells in x, y
        # ring boxes: a ring small enough to lie inside a polygon's box is a doubt
        filled = starts[sizes > 0]
        self.ring_boxes = numpy.zeros((0, 4))
        if len(filled):
            self.ring_boxes = numpy.hstack([numpy.minimum.reduceat(points, filled),
                                            numpy.maximum.reduceat(points, filled)])
        self._file_segments()
        self._label_nodes()
        filed = numpy.zeros(int(self.shape[0]) * int(self.shape[1]), dtype=numpy.int64)
        filed[self.keys] = 1
        self.filed_sums = numpy.zeros((int(self.shape[0]) + 1, int(self.shape[1]) + 1), dtype=numpy.int64)
        self.filed_sums[1:, 1:] = filed.reshape(self.shape).cumsum(axis=0).cumsum(axis=1)

    # -- construction -----------------------------------------------------------------------------------------
    def _cells_of(self, low, high):
        """(item index, cell key) of every cell that the boxes (low, high: (n, 2)) cover."""
        lo = numpy.floor((low - self.origin) / self.cell)
        hi = numpy.floor((high - self.origin) / self.cell)
        # cells outside the grid hold no segment
        lo = numpy.maximum(lo, 0).astype(numpy.int64)
        hi = numpy.minimum(hi, self.shape - 1).astype(numpy.int64)
        span = numpy.maximum(hi - lo + 1, 0)
        count = span[:, 0] * span[:, 1]
        item = numpy.repeat(numpy.arange(len(low)), count)
        rank = ranks(count)
        cx = lo[item, 0] + rank % span[item, 0]
        cy = lo[item, 1] + rank // span[item, 0]
        return item, cx * self.shape[1] + cy

    def _file_segments(self):
        low = numpy.minimum(self.a, self.b)
        high = numpy.maximum(self.a, self.b)
        segment, key = self._cells_of(low, high)
        order = numpy.argsort(key, kind="stable")
        key, self.filed = key[order], segment[order]
        new = numpy.concatenate([[True], key[1:] != key[:-1]]) if len(key) else numpy.zeros(0, dtype=bool)
        self.keys = key[new]
        self.starts = numpy.flatnonzero(new)
        self.stops = numpy.concatenate([self.starts[1:], [len(key)]]).astype(numpy.int64)

    def _label_nodes(self):
        """The zone of each node of the grid (nx + 1, ny + 1): zone id, −1 outside every zone, UNKNOWN when on a
        border or in several zones."""
        a, b, zone, cell = self.a, self.b, self.zone, self.cell
        ylow = numpy.minimum(a[:, 1], b[:, 1])
        yhigh = numpy.maximum(a[:, 1], b[:, 1])
        k0 = numpy.floor((ylow - self.origin[1]) / cell).astype(numpy.int64)
        k1 = numpy.floor((yhigh - self.origin[1]) / cell).astype(numpy.int64) + 1
        count = k1 - k0 + 1
        segment = numpy.repeat(numpy.arange(len(a)), count)
        line = k0[segment] + ranks(count)
        y = self.origin[1] + line * cell
        # half-open rule: a segment crosses the line y when exactly one end lies above it
        hit = (a[segment, 1] > y) != (b[segment, 1] > y)
        segment, line, y = segment[hit], line[hit], y[hit]
        xa, ya, xb, yb = a[segment, 0], a[segment, 1], b[segment, 0], b[segment, 1]
        x = xa + (y - ya) * (xb - xa) / (yb - ya)
        z = zone[segment]
        # entry or exit of its zone: the rank of the crossing among those of its zone on its line
        order = numpy.lexsort((x, z, line))
        line, x, z = line[order], x[order], z[order]
        group = numpy.concatenate([[True], (line[1:] != line[:-1]) | (z[1:] != z[:-1])]) if len(line) else \
            numpy.zeros(0, dtype=bool)
        rank = numpy.arange(len(line)) - numpy.maximum.accumulate(numpy.where(group, numpy.arange(len(line)), 0)) \
            if len(line) else numpy.zeros(0, dtype=numpy.int64)
        sign = numpy.where(rank % 2 == 0, 1, -1)
        order = numpy.lexsort((x, line))
        line, x, sign, z = line[order], x[order], sign[order], z[order]
        nx, ny = int(self.shape[0]) + 1, int(self.shape[1]) + 1
        labels = numpy.full((nx, ny), -1, dtype=numpy.int32)
        node_x = self.origin[0] + numpy.arange(nx) * cell
        bounds = numpy.searchsorted(line, numpy.arange(ny + 1))
        for k in numpy.flatnonzero(bounds[1:] > bounds[:-1]).tolist():
            s, e = bounds[k], bounds[k + 1]
            xs = x[s:e]
            inside = numpy.concatenate([[0], numpy.cumsum(sign[s:e])])
            total = numpy.concatenate([[0], numpy.cumsum(sign[s:e] * (z[s:e] + 1))])
            left = numpy.searchsorted(xs, node_x - TOLERANCE, "left")
            right = numpy.searchsorted(xs, node_x + TOLERANCE, "right")
            n = inside[left]
            column = numpy.where(n == 1, total[left] - 1, numpy.where(n == 0, -1, UNKNOWN))
            column[right != left] = UNKNOWN
            labels[:, k] = column
        self.labels = labels

    # -- queries ------------------------------------------------------------------------------------------------
    def _pairs(self, low, high, once=False):
        """(item index, segment index) of the segments filed in the cells that each box covers (``once``: each
        pair once, though a box and a segment share several cells)."""
        item, key = self._cells_of(low, high)
        at = numpy.searchsorted(self.keys, key)
        at = numpy.minimum(at, max(len(self.keys) - 1, 0))
        found = (self.keys[at] == key) if len(self.keys) else numpy.zeros(len(key), dtype=bool)
        item, at = item[found], at[found]
        count = self.stops[at] - self.starts[at]
        item, segment = numpy.repeat(item, count), self.filed[numpy.repeat(self.starts[at], count) + ranks(count)]
        if once and len(item):
            pair = numpy.unique(item * len(self.a) + segment)
            item, segment = pair // len(self.a), pair % len(self.a)
        return item, segment

    def _orient(self, p, q, r):
        """Sign of the turn p → q → r, 0 when r lies within TOLERANCE of the line pq."""
        d = q - p
        value = _cross(d[:, 0], d[:, 1], r[:, 0] - p[:, 0], r[:, 1] - p[:, 1])
        length = numpy.hypot(d[:, 0], d[:, 1])
        return numpy.where(numpy.abs(value) <= TOLERANCE * numpy.maximum(length, 1e-300), 0, numpy.sign(value))

    def _meet(self, p, q, segments):
        """(touch or cross, proper cross) of segments pq and the border segments (boxes apart: neither)."""
        c, d = self.a[segments], self.b[segments]
        grown = TOLERANCE
        overlap = (numpy.minimum(p[:, 0], q[:, 0]) <= numpy.maximum(c[:, 0], d[:, 0]) + grown) & \
                  (numpy.minimum(c[:, 0], d[:, 0]) <= numpy.maximum(p[:, 0], q[:, 0]) + grown) & \
                  (numpy.minimum(p[:, 1], q[:, 1]) <= numpy.maximum(c[:, 1], d[:, 1]) + grown) & \
                  (numpy.minimum(c[:, 1], d[:, 1]) <= numpy.maximum(p[:, 1], q[:, 1]) + grown)
        near = numpy.flatnonzero(overlap)
        p, q, c, d = p[near], q[near], c[near], d[near]
        o1, o2 = self._orient(p, q, c), self._orient(p, q, d)
        o3, o4 = self._orient(c, d, p), self._orient(c, d, q)
        touch = numpy.zeros(len(overlap), dtype=bool)
        proper = numpy.zeros(len(overlap), dtype=bool)
        touch[near] = (o1 * o2 <= 0) & (o3 * o4 <= 0)
        proper[near] = (o1 * o2 < 0) & (o3 * o4 < 0)
        return touch, proper

    def box_zones(self, boxes):
        """The zone id of each box ((n, 4): xmin, ymin, xmax, ymax) whose cells hold no border segment (then
        the whole box lies in that zone); BORDER when they hold one (ask ``zones``), UNKNOWN when the box lies
        outside the grid, outside every zone or in several."""
        boxes = numpy.asarray(boxes, dtype=float).reshape(-1, 4)
        lo = numpy.floor((boxes[:, :2] - self.origin) / self.cell)
        hi = numpy.floor((boxes[:, 2:] - self.origin) / self.cell)
        inside = (lo >= 0).all(axis=1) & (hi < self.shape).all(axis=1)
        lo = numpy.where(inside[:, None], lo, 0).astype(numpy.int64)
        hi = numpy.where(inside[:, None], hi, 0).astype(numpy.int64)
        sums = self.filed_sums
        filed = sums[hi[:, 0] + 1, hi[:, 1] + 1] - sums[lo[:, 0], hi[:, 1] + 1] - sums[hi[:, 0] + 1, lo[:, 1]] + \
            sums[lo[:, 0], lo[:, 1]]
        label = self.labels[lo[:, 0], lo[:, 1]]
        result = numpy.where(filed > 0, BORDER, numpy.where(label >= 0, label, UNKNOWN))
        result[~inside] = UNKNOWN
        return result

    def _polygons(self, wkbs):
        """The rings of the polygons and their edges against the border segments, or None (not plain polygons)."""
        flat = flat_rings(list(wkbs), members=True)
        if flat is None:
            return None
        rings = _Rings(len(wkbs), *flat)
        p, q = rings.p, rings.q
        edge, segment = self._pairs(numpy.minimum(p, q) - TOLERANCE, numpy.maximum(p, q) + TOLERANCE, once=True)
        touch, proper = self._meet(p[edge], q[edge], segment)
        rings.touches = numpy.zeros(len(wkbs), dtype=bool)
        rings.touches[rings.edge_owner[edge[touch]]] = True
        rings.unsure = numpy.zeros(len(wkbs), dtype=bool)
        rings.unsure[rings.edge_owner[edge[touch & ~proper]]] = True
        rings.cut = (edge[proper], segment[proper])
        # a zone ring that may lie inside the polygon's box
        low, high = rings.low, rings.high
        small = self.ring_boxes
        if len(small) and len(low):
            small = small[((small[:, 2:] - small[:, :2]) <= (high - low).max(axis=0)).all(axis=1)]
        doubt = rings.parts != 1
        for ring in small:
            doubt |= (low[:, 0] <= ring[0]) & (low[:, 1] <= ring[1]) & (high[:, 0] >= ring[2]) & \
                (high[:, 1] >= ring[3])
        rings.doubt = doubt
        return rings

    def point_zones(self, v):
        """The zone id of each point ((n, 2)): −1 outside every zone, UNKNOWN on a border, in several zones, or
        outside the grid. Each point takes the zone of the lower-left node of its cell, toggled by the borders
        crossed between the node and the point."""
        v = numpy.asarray(v, dtype=float).reshape(-1, 2)
        result = numpy.full(len(v), UNKNOWN, dtype=numpy.int64)
        node = numpy.floor((v - self.origin) / self.cell)
        in_grid = (node >= 0).all(axis=1) & (node < numpy.array(self.labels.shape)).all(axis=1)
        node = numpy.where(in_grid[:, None], node, 0).astype(numpy.int64)
        node_label = numpy.where(in_grid, self.labels[node[:, 0], node[:, 1]], UNKNOWN)
        n = self.origin + node * self.cell
        ask = numpy.flatnonzero(node_label != UNKNOWN)
        item, segment = self._pairs(numpy.minimum(v[ask], n[ask]) - TOLERANCE,
                                    numpy.maximum(v[ask], n[ask]) + TOLERANCE, once=True)
        touch, proper = self._meet(v[ask][item], n[ask][item], segment)
        unsure = numpy.zeros(len(v), dtype=bool)
        unsure[ask[item[touch & ~proper]]] = True
        # zones crossed an odd number of times between the node and the point
        stride = self.stride
        key = ask[item[proper]] * stride + self.zone[segment[proper]]
        unique, times = numpy.unique(key, return_counts=True)
        odd = unique[times % 2 == 1]
        odd_point, odd_zone = odd // stride, odd % stride
        count = numpy.bincount(odd_point, minlength=len(v))
        total = numpy.bincount(odd_point, weights=odd_zone + 1, minlength=len(v))
        flips_node = numpy.zeros(len(v), dtype=bool)
        flips_node[odd_point[odd_zone == node_label[odd_point]]] = True
        base = node_label >= 0
        size = count + numpy.where(base, numpy.where(flips_node, -1, 1), 0)
        label_sum = total + numpy.where(base & ~flips_node, node_label + 1, 0) - \
            numpy.where(base & flips_node, node_label + 1, 0)
        answer = numpy.zeros(len(v), dtype=bool)
        answer[ask] = True
        answer &= ~unsure
        result[answer & (size == 0)] = -1
        one = answer & (size == 1)
        result[one] = numpy.rint(label_sum[one]).astype(numpy.int64) - 1
        return result

    def zones(self, wkbs):
        """The zone id of each polygon (WKB), CROSSES when one of its edges meets a border, UNKNOWN when the
        grid cannot tell; None when one is not a plain 2D (multi)polygon."""
        rings = self._polygons(wkbs)
        if rings is None:
            return None
        result = numpy.full(len(wkbs), UNKNOWN, dtype=numpy.int64)
        has = rings.first_ring >= 0
        ask = numpy.flatnonzero(has & ~rings.touches & ~rings.doubt)
        found = self.point_zones(rings.points[rings.starts[rings.first_ring[ask]]])
        result[ask] = numpy.where(found >= 0, found, UNKNOWN)
        result[rings.touches & (rings.parts == 1)] = CROSSES
        return result

    def shares(self, wkbs):
        """(member, zone, m²) of the pieces of the polygons (WKB) in the zones, and whether each polygon was
        solved. The area of a piece is the integral of x dy along its outline: the polygon's edges inside the
        zone and the zone's border inside the polygon, both cut at their crossings (Green's theorem). Not
        solved (the caller asks GEOS): a touch, a doubt, land outside every zone, or pieces that do not add up
        to the polygon."""
        n = len(wkbs)
        rings = self._polygons(wkbs)
        none = (numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0))
        if rings is None or not len(rings.sizes):
            return none + (numpy.zeros(n, dtype=bool),)
        bad = rings.unsure | rings.doubt | (rings.first_ring < 0)
        ring_zone = self.point_zones(rings.points[rings.starts])
        bad[rings.owner[ring_zone < 0]] = True
        edge, segment = rings.cut
        member = rings.edge_owner[edge]
        stride = self.stride
        keys = numpy.unique(numpy.concatenate([member * stride + self.zone[segment],
                                               rings.owner * stride + numpy.maximum(ring_zone, 0)]))
        cand_m, cand_z = keys // stride, keys % stride
        origin_x = rings.points[rings.starts[numpy.maximum(rings.first_ring, 0)], 0]
        # the polygon's edges inside each candidate zone
        p, q = rings.p[edge], rings.q[edge]
        c, d = self.a[segment], self.b[segment]
        r, w = q - p, d - c
        denominator = _cross(r[:, 0], r[:, 1], w[:, 0], w[:, 1])
        t = _cross(c[:, 0] - p[:, 0], c[:, 1] - p[:, 1], w[:, 0], w[:, 1]) / denominator
        u = _cross(c[:, 0] - p[:, 0], c[:, 1] - p[:, 1], r[:, 0], r[:, 1]) / denominator
        cand = numpy.searchsorted(keys, member * stride + self.zone[segment])
        count = rings.edge_count[cand_m]
        row_cand = numpy.repeat(numpy.arange(len(keys)), count)
        row_start = numpy.cumsum(count) - count
        row_edge = rings.edge_start[cand_m][row_cand] + ranks(count)
        row_ring = rings.edge_ring[row_edge]
        event_row = row_start[cand] + edge - rings.edge_start[member]
        px = rings.p[row_edge, 0] - origin_x[cand_m[row_cand]]
        dx = rings.q[row_edge, 0] - rings.p[row_edge, 0]
        dy = rings.q[row_edge, 1] - rings.p[row_edge, 1]
        group_start = row_start[row_cand] + rings.ring_edge_start[row_ring] - rings.edge_start[cand_m[row_cand]]
        inside = ring_zone[row_ring] == cand_z[row_cand]
        area = _inside_integral(len(keys), _Paths(row_cand, group_start, inside, px, dx, dy,
                                                  rings.ring_factor[row_ring]), event_row, t)
        # the zones' borders inside the polygon
        low, high = rings.low[cand_m], rings.high[cand_m]
        item, seg = self._pairs(low - TOLERANCE, high + TOLERANCE, once=True)
        keep = self.zone[seg] == cand_z[item]
        a, b = self.a[seg], self.b[seg]
        keep &= (numpy.maximum(a, b) >= low[item] - TOLERANCE).all(axis=1) & \
            (numpy.minimum(a, b) <= high[item] + TOLERANCE).all(axis=1)
        item, seg = item[keep], seg[keep]          # sorted by (candidate, segment): _pairs(once=True)
        a, b = a[keep], b[keep]
        run = numpy.ones(len(seg), dtype=bool)
        if len(seg):
            run[1:] = (item[1:] != item[:-1]) | (seg[1:] != seg[:-1] + 1) | (a[1:] != b[:-1]).any(axis=1)
        start = a[run]
        outside = (start < low[item[run]] - TOLERANCE).any(axis=1) | (start > high[item[run]] + TOLERANCE).any(axis=1)
        bad[cand_m[item[run][~outside]]] = True
        run_start = numpy.maximum.accumulate(numpy.where(run, numpy.arange(len(seg)), 0)) if len(seg) else seg
        row_key = item * len(self.a) + seg
        event_key = cand * len(self.a) + segment
        at = numpy.minimum(numpy.searchsorted(row_key, event_key), max(len(row_key) - 1, 0))
        found = row_key[at] == event_key if len(row_key) else numpy.zeros(len(event_key), dtype=bool)
        bad[member[~found]] = True
        dx, dy = b[:, 0] - a[:, 0], b[:, 1] - a[:, 1]
        area += _inside_integral(len(keys), _Paths(item, run_start, numpy.zeros(len(seg), dtype=bool),
                                                   a[:, 0] - origin_x[cand_m[item]], dx, dy, self.segment_factor[seg]),
                                 at[found], u[found])
        # the pieces must add up to the polygon
        total = numpy.bincount(cand_m, weights=area, minlength=n)
        whole = rings.areas
        bad |= numpy.abs(total - whole) > 1e-9 * whole + 1e-6
        bad[cand_m[area < -1e-6]] = True
        solved = ~bad
        keep = solved[cand_m] & (area > 0)
        return cand_m[keep], cand_z[keep], area[keep], solved


class _Paths(typing.NamedTuple):
    """Paths made of straight elements, one row each, laid path by path: the group (a polygon and a zone) of each
    row, the first row of its path, whether the path starts inside the region, the element's start x and steps,
    and its orientation (±1)."""

    group: numpy.ndarray
    run_start: numpy.ndarray
    inside: numpy.ndarray
    px: numpy.ndarray
    dx: numpy.ndarray
    dy: numpy.ndarray
    factor: numpy.ndarray


def _inside_integral(groups, paths, event_row, event_t):
    """Per group, the integral of x dy along the parts of the paths (_Paths) that lie inside a region; events:
    (row, parameter 0..1 along it) where a path crosses the region's outline."""
    group, run_start, inside, px, dx, dy, factor = paths
    order = numpy.lexsort((event_t, event_row))
    event_row, event_t = event_row[order], event_t[order]
    per_row = numpy.bincount(event_row, minlength=len(px))
    before = numpy.cumsum(per_row) - per_row               # events before each row, all paths
    state = inside ^ ((before - before[run_start]) % 2 == 1)
    rank = numpy.arange(len(event_row)) - numpy.searchsorted(event_row, event_row)
    was_inside = state[event_row] ^ (rank % 2 == 1)
    # ∫ x dy from the row's start to the event: dy (px t + dx t² / 2); the inside spans from entry to exit
    f = dy[event_row] * (px[event_row] * event_t + dx[event_row] * event_t * event_t / 2.0)
    value = numpy.where(was_inside, f, -f) * factor[event_row]
    end = state ^ (per_row % 2 == 1)
    whole = numpy.where(end, dy * (px + dx / 2.0), 0.0) * factor
    return numpy.bincount(group[event_row], weights=value, minlength=groups) + \
        numpy.bincount(group, weights=whole, minlength=groups)


class _Rings:
    """The rings of polygons read from WKB, with their edges."""

    def __init__(self, n, points, sizes, exterior, owner):
        self.points, self.sizes, self.exterior, self.owner = points, sizes, exterior, owner
        self.parts = numpy.bincount(owner[exterior], minlength=n)
        self.starts = numpy.cumsum(sizes) - sizes
        edges = numpy.maximum(sizes - 1, 0)
        self.ring_edge_start = numpy.cumsum(edges) - edges
        first = numpy.repeat(self.starts, edges) + ranks(edges)
        self.p, self.q = points[first], points[first + 1]
        self.edge_ring = numpy.repeat(numpy.arange(len(sizes)), edges)
        self.edge_owner = owner[self.edge_ring]
        self.edge_count = numpy.bincount(owner, weights=edges, minlength=n).astype(numpy.int64)
        self.edge_start = numpy.cumsum(self.edge_count) - self.edge_count
        self.first_ring = numpy.full(n, len(sizes), dtype=numpy.int64)
        numpy.minimum.at(self.first_ring, owner, numpy.arange(len(sizes)))
        self.first_ring[self.first_ring == len(sizes)] = -1
        self.low = numpy.full((n, 2), numpy.inf)
        self.high = numpy.full((n, 2), -numpy.inf)
        filled = sizes > 0
        if filled.any():
            numpy.minimum.at(self.low, owner[filled], numpy.minimum.reduceat(points, self.starts[filled]))
            numpy.maximum.at(self.high, owner[filled], numpy.maximum.reduceat(points, self.starts[filled]))
        signed = signed_areas_flat(points, sizes)
        self.ring_factor = numpy.where(exterior == (signed > 0), 1.0, -1.0)
        self.areas = numpy.bincount(owner, weights=numpy.where(exterior, 1.0, -1.0) * numpy.abs(signed), minlength=n)
