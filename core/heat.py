"""Surchauffe score from land cover (ocs:heatisland), without QGIS: coefficients, local indices, cooling, classes.

Method (shared/reference/notes/heat_and_friches_methods.md, part A, section A8; every default in
resources/heat/coefficients.csv with its source; docs/method_heatisland.md):
1. every land-cover class has a day and a night heat coefficient h (0 cools the most, 1 heats the most);
2. local index of a unit = the area-weighted mean of h over the unit's covered part (ADEME "Plus fraîche ma
   ville" formula CRU = Σ s_i·c_i / Σ s_i, with h = 1 − CRU);
3. cooling by green and blue areas, as the InVEST urban cooling model: the patches of green/blue classes of at
   least MIN_GREEN_AREA_HA cool the land within COOLING_DISTANCE with an exponential decay,
   cooling = exp(−d / COOLING_DISTANCE) for d ≤ COOLING_DISTANCE, 0 beyond; every pixel keeps the larger of its
   own cooling capacity (1 − h) and the park's (CC_GREEN × cooling): H = 1 − max(1 − h, CC_GREEN·cooling);
4. score_jour, score_nuit = 100 × the mean of H over the unit's covered pixels, by day and by night;
   score = their mean; classe = the five ADEME classes of CRU = 1 − score/100.
"""
import math

import numpy

from . import nomenclature as nom

GROUPS = ("bati", "impermeable", "mineral", "sol_nu", "eau", "arboree", "arbustive", "herbacee")
# Cooling capacity of a green/blue area of at least MIN_GREEN_AREA_HA [PROPOSITION of this project; A8.3 takes
# a distance-weighted mean of the parks' own capacities, simplified here to a constant]: between an
# herbaceous park (1 − 0.45 = 0.55 by day, 0.90 by night) and a wooded one (1.00 / 0.85), water 0.90 / 0.60.
CC_GREEN = 0.8
COOLING_DISTANCE = 300.0
MIN_GREEN_AREA_HA = 2.0
CELL_SIZE = 100.0
RESOLUTION = 5.0
# ADEME classes of CRU = 1 − score/100 (indi-en ranges of "Plus fraîche ma ville", notes A4.2), hottest first.
CLASSES = (
    (0.2, "participe fortement à la surchauffe"),
    (0.4, "participe moyennement à la surchauffe"),
    (0.6, "impact neutre"),
    (0.8, "participe au rafraîchissement"),
    (None, "refuge de fraîcheur"),
)
CLASS_COLOURS = ("#B2182B", "#EF8A62", "#F7F7F7", "#67A9CF", "#2166AC")


class HeatClass:
    __slots__ = ("key", "group", "h_jour", "h_nuit", "green")

    def __init__(self, key, group, h_jour, h_nuit, green):
        self.key, self.group, self.h_jour, self.h_nuit, self.green = key, group, h_jour, h_nuit, green

    def __repr__(self):
        return "HeatClass(%s, %s, %.2f, %.2f, %d)" % (self.key, self.group, self.h_jour, self.h_nuit, self.green)


def family(nomenclature_key):
    return "ocsge" if nomenclature_key == nom.OCSGE else "ocs2d"


class Coefficients:
    """The coefficient table of one nomenclature family, with user overrides, and the (cs, us) → class look-up.

    Class ids: 0 = not covered (or a NULL/unknown code), 1..n = ``self.classes`` in table order. An
    herbaceous class under a park usage (OCS2D US3.2.1; OCS GE US3 [derived], no park code in OCS GE) is its own
    class ``herbace_parc`` with the same coefficients and ``green`` = 1.
    """

    PARK_USAGES = {"ocs2d": ("US3.2.1",), "ocsge": ("US3",)}

    def __init__(self, nomenclature_key, overrides=()):
        self.key = nomenclature_key
        self.family = family(nomenclature_key)
        self.prefixes = []          # (code prefix, class index)
        self.classes = []
        by_key = {}
        for row in nom.read_table("heat/coefficients.csv"):
            if row["nomenclature"] != self.family:
                continue
            if row["classe"] not in by_key:
                by_key[row["classe"]] = len(self.classes)
                self.classes.append(HeatClass(row["classe"], row["groupe"], float(row["h_jour"]),
                                              float(row["h_nuit"]), int(row["espace_vert"])))
            self.prefixes.append((row["code"], by_key[row["classe"]]))
        self.prefixes.sort(key=lambda p: -len(p[0]))
        for index, cls in enumerate(list(self.classes)):
            if cls.key == "herbace":
                by_key[cls.key + "_parc"] = len(self.classes)
                self.classes.append(HeatClass(cls.key + "_parc", cls.group, cls.h_jour, cls.h_nuit, 1))
        self.by_key = by_key
        self.overridden = []
        for row in overrides:
            self.override(*row)
        self._cache = {}
        self._legacy = nom.legacy_to_2021() if nomenclature_key == nom.OCS2D_NPDC else None

    def override(self, name, h_jour, h_nuit=None):
        """Override the coefficients of a class (its key, e.g. ``herbace``) or of the class of a code."""
        name = str(name).strip()
        targets = [i for key, i in self.by_key.items() if key == name or key == name + "_parc"]
        if not targets:
            code = nom.normalise_code(name)
            match = self._match(code) if code else None
            if match is None:
                raise ValueError(name)
            targets = [match]
        for index in targets:
            cls = self.classes[index]
            if h_jour is not None and not nom.is_null(h_jour):
                cls.h_jour = _unit(h_jour, name)
            if h_nuit is not None and not nom.is_null(h_nuit):
                cls.h_nuit = _unit(h_nuit, name)
            self.overridden.append(cls.key)

    def _match(self, cs):
        for prefix, index in self.prefixes:
            if cs == prefix or cs.startswith(prefix + "."):
                return index
        return None

    def class_id(self, cs_raw, us_raw):
        """1-based class id of a raw (cs, us) pair, 0 when the couverture is NULL or unknown."""
        key = (cs_raw, us_raw)
        found = self._cache.get(key)
        if found is None:
            cs, us = nom.normalise_code(cs_raw), nom.normalise_code(us_raw)
            if self._legacy is not None:
                cs, us = self._legacy["cs"].get(cs), self._legacy["us"].get(us)
            index = self._match(cs) if cs else None
            if index is None:
                found = 0
            else:
                cls = self.classes[index]
                if cls.key == "herbace" and us and any(us == p or us.startswith(p + ".")
                                                          for p in self.PARK_USAGES[self.family]):
                    index = self.by_key[cls.key + "_parc"]
                found = index + 1
            self._cache[key] = found
        return found

    def arrays(self):
        """numpy arrays indexed by class id (0 = not covered): h_jour, h_nuit, green, group index."""
        count = len(self.classes) + 1
        h_jour, h_nuit = numpy.zeros(count), numpy.zeros(count)
        green, group = numpy.zeros(count, dtype=bool), numpy.full(count, -1, dtype=int)
        for index, cls in enumerate(self.classes, start=1):
            h_jour[index], h_nuit[index] = cls.h_jour, cls.h_nuit
            green[index] = bool(cls.green)
            group[index] = GROUPS.index(cls.group)
        return h_jour, h_nuit, green, group


def _unit(value, name):
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError("%s: %s is not between 0 and 1" % (name, value))
    return number


def cooling(distance, cooling_distance=COOLING_DISTANCE):
    """exp(−d / d_cool) within d_cool, 0 beyond (numpy arrays or floats; NaN distance = no green area)."""
    distance = numpy.asarray(distance, dtype=float)
    with numpy.errstate(invalid="ignore"):
        result = numpy.where(distance <= cooling_distance, numpy.exp(-distance / cooling_distance), 0.0)
    return numpy.where(numpy.isnan(distance), 0.0, result)


def final_index(h_local, cooling_factor, cc_green=CC_GREEN):
    """H = 1 − max(1 − h_local, CC_GREEN · cooling)."""
    return 1.0 - numpy.maximum(1.0 - numpy.asarray(h_local, dtype=float), cc_green * numpy.asarray(cooling_factor))


def unit_scores(counts, coefficients, sums):
    """Per unit, from pixel counts per class id (array n_units × n_ids, column 0 = not covered) and the sums over
    the unit's covered pixels of H by day (``sums['jour']``), by night (``'nuit'``) and of the cooling factor:

    {'covered': pixels covered, 'shares': {group: share of the covered part}, 'h_jour', 'h_nuit' (local, without
     the cooling, 0–1), 'refroidissement' (mean cooling factor), 'score_jour', 'score_nuit', 'score' (0–100)};
    NaN where a unit has no covered pixel.
    """
    h_jour, h_nuit, _green, group = coefficients.arrays()
    counts = numpy.asarray(counts, dtype=float)
    covered = counts[:, 1:].sum(axis=1)
    with numpy.errstate(invalid="ignore", divide="ignore"):
        local_day = counts @ h_jour / covered
        local_night = counts @ h_nuit / covered
        shares = {}
        for index, name in enumerate(GROUPS):
            shares[name] = counts[:, group == index].sum(axis=1) / covered
        day = numpy.asarray(sums["jour"], dtype=float) / covered
        night = numpy.asarray(sums["nuit"], dtype=float) / covered
        factor = numpy.asarray(sums["cooling"], dtype=float) / covered
    return {"covered": covered, "shares": shares, "h_jour": local_day, "h_nuit": local_night,
            "refroidissement": factor, "score_jour": 100.0 * day, "score_nuit": 100.0 * night,
            "score": 50.0 * (day + night)}


def classe(score):
    """ADEME class label of a score (0–100), None for NaN."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    cru = 1.0 - round(score, 6) / 100.0      # rounded: summation noise must not move a score off a class bound
    for bound, label in CLASSES:
        if bound is None or cru <= bound:
            return label
    return CLASSES[-1][1]


# -- square grid on the raster (the fast path of ocs:heatisland) ----------------------------------------------
def grid_steps(cell_size, resolution, coarse_min):
    """(pixels per cell side n, pixels per coarse cell side k) when the square grid can be read straight off
    the raster (n whole, k dividing n), else None. k is the coarse step of the distances: round(coarse_min /
    resolution) pixels, at least 1."""
    n = cell_size / resolution
    if n < 1 or abs(n - round(n)) > 1e-9:
        return None
    n = int(round(n))
    k = max(1, int(round(max(coarse_min, resolution) / resolution)))
    if n % k:
        return None
    return n, k


def coarse_keys(rows, width, k, n_ids):
    """Key of every pixel of a band of ``rows`` × ``width`` pixels: (coarse cell in the band) × n_ids; add the class
    id and count with numpy.bincount to get the class histogram of every coarse cell."""
    coarse_w = width // k
    row_part = (numpy.arange(rows, dtype=numpy.int64) // k)[:, None] * coarse_w
    col_part = (numpy.arange(width, dtype=numpy.int64) // k)[None, :]
    return (row_part + col_part) * n_ids


def coarse_histogram(classes, keys, k, n_ids, work=None):
    """Pixel count per coarse cell and class id of a band of class ids (rows and width multiples of k):
    array (rows/k, width/k, n_ids), uint8 when k² < 256. ``work``: an int64 array of the shape of ``keys`` to
    reuse between bands."""
    rows, width = classes.shape
    if work is None:
        work = numpy.empty(keys.shape, dtype=numpy.int64)
    numpy.add(keys[:rows], classes, out=work[:rows])
    counts = numpy.bincount(work[:rows].ravel(), minlength=(rows // k) * (width // k) * n_ids)
    dtype = numpy.uint8 if k * k < 256 else numpy.uint32
    return counts.reshape(rows // k, width // k, n_ids).astype(dtype)


def block_sum(array, m):
    """Sums of m × m blocks of the first two axes (their lengths are multiples of m): m² additions of strided
    views, much faster than a reduction over two non-adjacent axes. Integers add up in the smallest unsigned or
    64-bit type that cannot overflow, floats in float64."""
    rows, cols = array.shape[0] // m, array.shape[1] // m
    view = array.reshape((rows, m, cols, m) + array.shape[2:])
    if numpy.issubdtype(array.dtype, numpy.unsignedinteger):
        largest = int(numpy.iinfo(array.dtype).max) * m * m
        dtype = numpy.uint16 if largest < 2 ** 16 else numpy.uint32 if largest < 2 ** 32 else numpy.int64
    elif numpy.issubdtype(array.dtype, numpy.integer):
        dtype = numpy.int64
    else:
        dtype = numpy.float64
    out = numpy.zeros((rows, cols) + array.shape[2:], dtype=dtype)
    for i in range(m):
        for j in range(m):
            out += view[:, i, :, j]
    return out


def block_min(array, m):
    rows, cols = array.shape[0] // m, array.shape[1] // m
    view = array.reshape(rows, m, cols, m)
    out = view[:, 0, :, 0].copy()
    for i in range(m):
        for j in range(m):
            numpy.minimum(out, view[:, i, :, j], out=out)
    return out


def cooled_block_sums(histogram, distance, cooling_distance, h_tables, m, cc_green=CC_GREEN, rows_per_step=None):
    """Per block of m × m coarse cells (a grid cell): for each table h of ``h_tables`` (h per class id), the sum
    over the covered pixels of H = 1 − max(1 − h, CC_GREEN · cooling) = min(h, 1 − CC_GREEN · cooling), and the
    sum of the cooling factor; from the class histogram of every coarse cell (rows, cols, n_ids; id 0 = not
    covered) and its distance to the nearest green area (rows, cols). Computed a strip of rows at a time, so
    that no full-size float array is made."""
    rows, cols, n_ids = histogram.shape
    step = rows_per_step or max(m, (256 // m) * m)
    tables = []
    for h_values in h_tables:
        h_values = numpy.asarray(h_values, dtype=float).copy()
        h_values[0] = 0.0
        tables.append(h_values)
    sums = [numpy.zeros((rows // m, cols // m)) for _t in tables]
    cooling_sum = numpy.zeros((rows // m, cols // m))
    present = [c for c in range(1, n_ids) if histogram[..., c].any()]
    for start in range(0, rows, step):
        part = histogram[start:start + step]
        factor = cooling(distance[start:start + step], cooling_distance)
        ceiling = 1.0 - cc_green * factor
        covered = numpy.zeros(factor.shape, dtype=numpy.int64)
        for c in present:
            covered += part[..., c]
        cooling_sum[start // m:(start + step) // m] = block_sum(factor * covered, m)
        for h_values, out in zip(tables, sums):
            total = numpy.zeros(factor.shape)
            for c in present:
                total += part[..., c] * numpy.minimum(h_values[c], ceiling)
            out[start // m:(start + step) // m] = block_sum(total, m)
    return sums, cooling_sum


def classes_of(scores):
    """``classe`` of every score of an array (list of labels, None for NaN), as ``classe`` does one by one."""
    scores = numpy.asarray(scores, dtype=float)
    bounds = numpy.array([bound for bound, _label in CLASSES[:-1]])
    labels = [label for _bound, label in CLASSES] + [None]
    with numpy.errstate(invalid="ignore"):
        index = numpy.searchsorted(bounds, 1.0 - numpy.round(scores, 6) / 100.0, side="left")
    index[numpy.isnan(scores)] = len(CLASSES)
    return [labels[i] for i in index.tolist()]


# -- figures of the engine (engines/heat.py) on plain numpy arrays --------------------------------------------
def output_fields(years):
    """([(name, kind)] of the score fields of the output, [(first, last)] vintage pairs of the deltas): per
    vintage the shares of the GROUPS, the local indices, the distance to green areas, the cooling, the scores and
    the class; then the delta of the score between consecutive vintages (and first → last when more than two)."""
    names = []
    for year in years:
        for group in GROUPS:
            names.append(("part_%s_%s" % (group, year), "double"))
        names += [("h_jour_%s" % year, "double"), ("h_nuit_%s" % year, "double"),
                  ("dist_espace_vert_m_%s" % year, "double"), ("refroidissement_%s" % year, "double"),
                  ("score_jour_%s" % year, "double"), ("score_nuit_%s" % year, "double"),
                  ("score_%s" % year, "double"), ("classe_%s" % year, "str")]
    pairs = [(years[i], years[i + 1]) for i in range(len(years) - 1)]
    if len(years) > 2:
        pairs.append((years[0], years[-1]))
    for first, last in pairs:
        names.append(("delta_score_%s_%s" % (first, last), "double"))
    return names, pairs


def score_columns(scores, distances, years, pairs, selected):
    """Values of the score fields (``output_fields`` order) of the units ``selected`` (0-based indexes), one
    numpy array (numbers) or list (labels) per field; NaN or None = NULL (a vintage without land cover in the
    unit is NULL throughout). ``scores``: ``unit_scores`` per vintage; ``distances``: per vintage, the distance
    of every unit to the nearest green area (inf: none)."""
    columns = []
    for position, year in enumerate(years):
        s = scores[position]
        empty = s["covered"][selected] <= 0
        values = [s["shares"][g][selected] for g in GROUPS]
        distance = numpy.asarray(distances[position], dtype=float)[selected]
        distance = numpy.where(numpy.isinf(distance) | empty, numpy.nan, distance)
        values += [s["h_jour"][selected], s["h_nuit"][selected], distance, s["refroidissement"][selected],
                   s["score_jour"][selected], s["score_nuit"][selected], s["score"][selected]]
        for array in values:
            columns.append(numpy.where(empty, numpy.nan, array))
        columns.append(classes_of(numpy.where(empty, numpy.nan, s["score"][selected])))
    for first, last in pairs:
        a = scores[years.index(first)]["score"][selected]
        b = scores[years.index(last)]["score"][selected]
        columns.append(b - a)
    return columns


def green_blocks(green_pixels, k):
    """Coarse cells that are green: the k × k blocks of a pixel array (1 = green or blue class; both sides
    multiples of k) of which at least half the pixels are green."""
    rows, cols = green_pixels.shape
    return green_pixels.reshape(rows // k, k, cols // k, k).mean(axis=(1, 3)) >= 0.5


def green_cells(histogram, green, k):
    """Coarse cells that are green from their class histogram (rows, cols, n_ids) and the green flag per class
    id: at least half of their k × k pixels in green or blue classes (uint8 0/1)."""
    green_pixels = numpy.zeros(histogram.shape[:2], dtype=numpy.int32)
    for c in range(histogram.shape[2]):
        if green[c]:
            green_pixels += histogram[..., c]
    return (2 * green_pixels >= k * k).astype(numpy.uint8)


def unit_cell_pairs(uid, k, first_cell, coarse_size):
    """(unit index, coarse cell number) pairs of a tile of unit ids (0 = no unit; both sides multiples of k):
    the units present in each coarse cell, known by its lowest and highest unit id (most coarse cells hold one
    unit: it is given once). ``first_cell`` = (row, column) of the tile's first coarse cell, ``coarse_size`` =
    (rows, columns) of the whole coarse grid (cells beyond it are left out); cell number = row × columns +
    column. Returns [(units int32, cells int64) of the lowest ids, (…) of the highest ids where they differ]."""
    rows_total, cols_total = coarse_size
    ph, pw = uid.shape
    blocks = uid.reshape(ph // k, k, pw // k, k)
    masked = numpy.where(blocks > 0, blocks, numpy.iinfo(numpy.int32).max)
    lowest = masked.min(axis=(1, 3))
    highest = blocks.max(axis=(1, 3))
    rows, cols = numpy.indices(lowest.shape)
    cells = (rows + first_cell[0]) * cols_total + (cols + first_cell[1])
    valid = (rows + first_cell[0] < rows_total) & (cols + first_cell[1] < cols_total)
    found = []
    for ids, extra in ((lowest, None), (highest, highest != lowest)):
        keep = valid & (ids > 0) & (ids < numpy.iinfo(numpy.int32).max)
        if extra is not None:
            keep &= extra
        found.append(((ids[keep] - 1).astype(numpy.int32), cells[keep].astype(numpy.int64)))
    return found


def class_gaps(vector, burnt, keys):
    """[(relative gap, class key, vector area, burnt area)] of the classes (ids 1…; ``keys`` = their keys in id
    order) present in the input or in the raster, the largest gap first."""
    worst = []
    for class_id in range(1, len(vector)):
        if vector[class_id] <= 0 and burnt[class_id] <= 0:
            continue
        gap = abs(burnt[class_id] - vector[class_id]) / max(vector[class_id], 1e-9)
        worst.append((gap, keys[class_id - 1], vector[class_id], burnt[class_id]))
    worst.sort(reverse=True)
    return worst


def pixel_scores(classes, factor, h_jour, h_nuit):
    """Score (0–100, rounded; uint8, 255 = no land cover) of every pixel of class ids ``classes`` whose cooling
    factor is ``factor``: the mean of its day and night final indices."""
    score = 50.0 * (final_index(h_jour[classes], factor) + final_index(h_nuit[classes], factor))
    return numpy.where(classes > 0, numpy.round(score), 255).astype(numpy.uint8)
