"""Pairs of overlapping bounding boxes found in bulk with numpy (the overlay of two layers, engines/changes.py).

Both sets of boxes are spread over a grid of square cells (about twice the median box side); the boxes sharing
a cell are joined by sorting, and a pair is kept in the one cell holding the lower-left corner of the
intersection of its two boxes, so every pair comes out exactly once. No per-box index query.
"""
import numpy

EMPTY = numpy.zeros(0, dtype=numpy.int64)
MAX_CELLS = 4_000_000   # cells of the grid at most (the cell grows beyond)
CHUNK = 50_000          # boxes of the first set joined at once (bounds the memory)


def _cells(boxes, origin, cell):
    """(box index, cell key) of every cell each box covers; keys are (column, row) packed in one int64."""
    ix0 = numpy.floor((boxes[:, 0] - origin[0]) / cell).astype(numpy.int64)
    iy0 = numpy.floor((boxes[:, 1] - origin[1]) / cell).astype(numpy.int64)
    ix1 = numpy.floor((boxes[:, 2] - origin[0]) / cell).astype(numpy.int64)
    iy1 = numpy.floor((boxes[:, 3] - origin[1]) / cell).astype(numpy.int64)
    width = ix1 - ix0 + 1
    counts = width * (iy1 - iy0 + 1)
    owner = numpy.repeat(numpy.arange(len(boxes), dtype=numpy.int64), counts)
    offset = numpy.arange(int(counts.sum()), dtype=numpy.int64) - numpy.repeat(numpy.cumsum(counts) - counts, counts)
    width = width[owner]
    return owner, (ix0[owner] + offset % width) * (1 << 31) + iy0[owner] + offset // width


def overlapping_pairs(boxes_a, boxes_b):
    """(ia, ib): the indexes of the pairs of boxes (rows xmin, ymin, xmax, ymax) that share some interior (not
    only a side), each pair once, sorted by ia then ib."""
    a = numpy.asarray(boxes_a, dtype=float).reshape(-1, 4)
    b = numpy.asarray(boxes_b, dtype=float).reshape(-1, 4)
    if not len(a) or not len(b):
        return EMPTY, EMPTY
    both = numpy.concatenate([a, b])
    origin = (float(both[:, 0].min()), float(both[:, 1].min()))
    span = max(float(both[:, 2].max()) - origin[0], float(both[:, 3].max()) - origin[1], 1e-9)
    sides = numpy.maximum(both[:, 2] - both[:, 0], both[:, 3] - both[:, 1])
    cell = max(2.0 * float(numpy.median(sides)), span / numpy.sqrt(MAX_CELLS), 1e-9)
    owner_b, key_b = _cells(b, origin, cell)
    order = numpy.argsort(key_b, kind="stable")
    owner_b, key_b = owner_b[order], key_b[order]
    found = [_join(a[start:start + CHUNK], b, (owner_b, key_b), origin, cell) for start in range(0, len(a), CHUNK)]
    return (numpy.concatenate([ia + start for start, (ia, _ib) in zip(range(0, len(a), CHUNK), found)]),
            numpy.concatenate([ib for _ia, ib in found]))


def _join(a, b, cells_b, origin, cell):
    """overlapping_pairs of the boxes ``a`` (a slice) with ``b`` spread over the grid (``cells_b``: owners and keys,
    sorted by key)."""
    owner_b, key_b = cells_b
    owner_a, key_a = _cells(a, origin, cell)
    low = numpy.searchsorted(key_b, key_a, "left")
    counts = numpy.searchsorted(key_b, key_a, "right") - low
    entry = numpy.repeat(numpy.arange(len(key_a), dtype=numpy.int64), counts)
    position = numpy.repeat(low, counts) + numpy.arange(int(counts.sum()), dtype=numpy.int64) - \
        numpy.repeat(numpy.cumsum(counts) - counts, counts)
    ia, ib, key = owner_a[entry], owner_b[position], key_a[entry]
    box_a, box_b = a[ia], b[ib]
    keep = (box_a[:, 0] < box_b[:, 2]) & (box_b[:, 0] < box_a[:, 2]) & \
        (box_a[:, 1] < box_b[:, 3]) & (box_b[:, 1] < box_a[:, 3])
    # the cell of the lower-left corner of the two boxes' intersection: one cell per pair
    corner_x = numpy.maximum(box_a[:, 0], box_b[:, 0])
    corner_y = numpy.maximum(box_a[:, 1], box_b[:, 1])
    corner = numpy.floor((corner_x - origin[0]) / cell).astype(numpy.int64) * (1 << 31) + \
        numpy.floor((corner_y - origin[1]) / cell).astype(numpy.int64)
    keep &= corner == key
    ia, ib = ia[keep], ib[keep]
    order = numpy.lexsort((ib, ia))
    return ia[order], ib[order]
