"""Quality control of a land-cover layer (ocs:validate): geometry, coverage (overlaps and gaps), codes,
couverture × usage pairs, neighbours with identical codes, minimum mapping unit and transitions between vintages.
The rules and tables are in core/validation.py; this engine reads the layer once and writes one feature per
problem through ``emit``.

Speed: one pass over the features (GEOS validity of each, as native:checkvalidity); the coverage is dissolved by
matching the shared edges (spatial.dissolve, as the enveloppe urbaine does) and overlaps are only looked for when
the areas do not add up (the sum of the polygons' areas exceeds the area of their union), then only around the
polygons that have an edge not shared with exactly one other polygon (spatial.shared_edges); neighbours and their
patches come from the shared edges too (numpy), never from a pairwise overlay of every polygon.
"""
import dataclasses
from collections import Counter

import numpy

from qgis.core import QgsFeature, QgsFeatureRequest, QgsFeatureSink, QgsFields, QgsGeometry, QgsPolygon, \
    QgsSpatialIndex
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import validation as val
from . import landcover, spatial
from ..language import number as local_number

translate = QCoreApplication.translate

POINT_RADIUS = 2.0     # m (in the layer's units): the disc drawn around the location of a GEOS validity error
EXAMPLES = 5           # problems kept per controle for the log and the report
MAX_FIDS = 10          # fids listed in a message


def output_fields():
    """The fields of OUTPUT, as the issue names them."""
    fields = QgsFields()
    for name, kind, length in (("controle", "str", 40), ("gravite", "str", 16), ("fid_source", "long", 0),
                               ("millesime", "str", 30), ("code_cs", "str", 20), ("code_us", "str", 20),
                               ("surface_m2", "double", 0), ("message", "str", 254)):
        fields.append(compat.make_field(name, kind, length))
    return fields


def summary_fields():
    fields = QgsFields()
    for name, kind, length in (("controle", "str", 40), ("gravite", "str", 16), ("nombre", "int", 0),
                               ("surface_m2", "double", 0), ("part_territoire_pct", "double", 0)):
        fields.append(compat.make_field(name, kind, length))
    return fields


@dataclasses.dataclass
class ValidationOptions:
    """The checks to run (keys of core.validation.CHECKS), the minimum mapping unit (m², None = the producer's
    specification) and the territory (a QgsGeometry in the layer's CRS, None = the layer's outer boundary)."""

    checks: tuple = val.CHECKS
    min_area_m2: float = None
    territory: object = None


@dataclasses.dataclass
class Problem:
    controle: str
    gravite: str
    fid: object
    millesime: object
    code_cs: object
    code_us: object
    area_m2: float
    message: str
    geometry: object = None

    def feature(self, fields):
        feature = QgsFeature(fields)
        if self.geometry is not None and not self.geometry.isNull():
            geometry = QgsGeometry(self.geometry)
            geometry.convertToMultiType()
            feature.setGeometry(geometry)
        feature.setAttributes([self.controle, self.gravite, self.fid, self.millesime, self.code_cs, self.code_us,
                               round(self.area_m2, 4), self.message[:254]])
        return feature


class Emitter:
    """Writes each problem to the sink (when given), tallies it and keeps the first examples of each controle."""

    def __init__(self, sink=None):
        self.sink = sink
        self.fields = output_fields()
        self.tally = val.Tally()
        self.examples = {}
        self.points = []       # (controle, x, y) of every problem with a geometry, for the report's maps

    def __call__(self, problem):
        self.tally.add(problem.controle, problem.gravite, problem.area_m2, problem.fid)
        kept = self.examples.setdefault(problem.controle, [])
        if len(kept) < EXAMPLES:
            kept.append(problem)
        if problem.geometry is not None and not problem.geometry.isNull():
            box = problem.geometry.boundingBox()
            self.points.append((problem.controle, box.center().x(), box.center().y()))
        if self.sink is not None:
            self.sink.addFeature(problem.feature(self.fields), QgsFeatureSink.FastInsert)


@dataclasses.dataclass
class ValidationResult:
    summary: list               # [core.validation.SummaryRow], the total last
    territory_m2: float         # TERRITORY's area, or the area inside the layer's outer boundary
    in_several: int             # features named by two problems or more
    excess_m2: object           # sum of the polygons' areas minus the area of their union (None: not measured)
    examples: dict              # controle → [Problem]
    points: list                # (controle, x, y)
    layer: object = None        # the Layer read (for the corrected copy)


class Layer:
    """What the single pass over the features keeps: fid, normalised codes per vintage, the geometry as WKB
    (repaired when invalid; None when missing) and its area in m²."""

    def __init__(self):
        self.fids, self.codes, self.wkbs, self.areas = [], [], [], []
        self.invalid = 0
        self.duplicates = set()   # indexes of the copies (the duplicates check)
        self.overlap_pairs = []   # (index kept, index that overlaps it), the lower fid first
        self.groups = []          # [indexes] of the groups of identical neighbours
        self.union_m2 = None
        self.complete = False     # duplicates and overlaps both searched: the copy must cover the union once

    def __len__(self):
        return len(self.fids)


def _codes_text(codes):
    return (codes[0][0], codes[0][1]) if len(codes) == 1 else (None, None)


def _fid_list(fids):
    fids = sorted(fids)
    text = ", ".join(str(f) for f in fids[:MAX_FIDS])
    return text + (" …" if len(fids) > MAX_FIDS else "")


def validate(land_cover, options, emit, feedback):
    """Run the checks of ``options`` on ``land_cover``, each problem given to ``emit`` (an Emitter). Returns a
    ValidationResult, None when cancelled."""
    checks = set(options.checks)
    layer = read(land_cover, checks, emit, feedback)
    if layer is None:
        return None
    edges = None
    if checks & {"coverage", "neighbours", "mmu"}:
        edges = spatial.shared_edges([w for w in layer.wkbs if w is not None])
        edges = _reindex(edges, layer)
        if edges is None:
            feedback.reportError(translate(
                "ValidateAlgorithm", "Some geometries are not plain polygons after repair: neighbours are not "
                                     "searched and overlaps are looked for around every polygon."), False)
    if "geometry" in checks:
        duplicates(layer, land_cover, emit)
    if edges is not None and layer.duplicates and len(edges[0]):
        pairs = edges[0]
        copy = numpy.isin(pairs, numpy.fromiter(layer.duplicates, dtype=numpy.int64)).any(axis=1)
        same = numpy.array([layer.wkbs[a] == layer.wkbs[b] for a, b in pairs[copy].tolist()], dtype=bool)
        drop = numpy.flatnonzero(copy)[same]
        edges = (numpy.delete(pairs, drop, axis=0), edges[1])   # a copy is no neighbour of its original
    feedback.setProgress(40)
    if feedback.isCanceled():
        return None
    if "neighbours" in checks and edges is not None:
        identical_neighbours(layer, edges[0], emit)
    if "mmu" in checks:
        minimum_mapping_unit(layer, land_cover, edges, options.min_area_m2, emit)
    if "transitions" in checks:
        transitions(layer, land_cover, emit, feedback)
    feedback.setProgress(50)
    territory_m2, excess = coverage(layer, land_cover, options, edges, emit, feedback)
    if territory_m2 is None:
        return None
    feedback.setProgress(100)
    return ValidationResult(emit.tally.summary(territory_m2), territory_m2, emit.tally.in_several(), excess,
                            emit.examples, emit.points, layer)


def _reindex(edges, layer):
    """shared_edges of the features with a geometry, in the indexes of ``layer`` (features without one have no
    WKB); None stays None."""
    if edges is None:
        return None
    kept = numpy.flatnonzero(numpy.array([w is not None for w in layer.wkbs], dtype=bool))
    pairs, lone = edges
    full_lone = numpy.zeros(len(layer), dtype=bool)
    full_lone[kept] = lone
    return kept[pairs].reshape(-1, 2), full_lone


# -- the single pass ------------------------------------------------------------------------------------------

def read(land_cover, checks, emit, feedback):
    """The Layer of ``land_cover``; geometry and code problems are emitted on the way. None when cancelled."""
    source = land_cover.source
    indexes = land_cover.indexes()
    years = land_cover.years()
    layer = Layer()
    code_problems = landcover.PairMemo(lambda *raw: _code_problems(land_cover.nomenclature, checks, raw))
    total = source.featureCount() or 1
    flat = [i for pair in indexes for i in pair]
    known = code_problems.values
    request = QgsFeatureRequest().setSubsetOfAttributes(flat)
    for count, feature in enumerate(landcover.features(source, request)):
        if count % 2000 == 0:
            if feedback.isCanceled():
                return None
            feedback.setProgress(40.0 * count / total)
        attributes = feature.attributes()
        try:   # the memo's dict first: no call per feature once the codes are known
            codes, problems = known[tuple(attributes[i] for i in flat)]
        except (KeyError, TypeError):   # a new tuple, or a NULL (QVariant, unhashable)
            raw = tuple(nom.plain(attributes[i]) for i in flat)
            codes, problems = code_problems(*raw)
        geometry = _read_geometry(feature, layer, land_cover, "geometry" in checks, emit)
        layer.fids.append(feature.id())
        layer.codes.append(codes)
        for v, controle, gravite, message in problems:
            emit(Problem(controle, gravite, feature.id(), years[v], codes[v][0], codes[v][1], layer.areas[-1],
                         message, geometry))
    if layer.invalid:
        feedback.pushInfo(translate("ValidateAlgorithm", "{0} invalid geometries were repaired (makeValid) for the "
                                                         "other checks.").format(layer.invalid))
    layer.areas = numpy.asarray(layer.areas, dtype=float)
    return layer


def _read_geometry(feature, layer, land_cover, report, emit):
    """Keep the feature's geometry (repaired when invalid) and its area in ``layer``; emit geometrie_vide and
    geometrie_invalide (when ``report``). Returns the geometry kept (None when missing)."""
    geometry = feature.geometry()
    if geometry is None or geometry.isNull() or geometry.isEmpty():
        layer.wkbs.append(None)
        layer.areas.append(0.0)
        if report:
            emit(Problem("geometrie_vide", val.SEVERITY["geometrie_vide"], feature.id(), None, None, None, 0.0,
                         translate("ValidateAlgorithm", "The feature has no geometry (NULL or empty).")))
        return None
    if geometry.isGeosValid():
        layer.wkbs.append(bytes(geometry.asWkb()))
        layer.areas.append(land_cover.meter.area(geometry))
        return geometry
    layer.invalid += 1
    errors = geometry.validateGeometry(compat.VALIDATOR_GEOS)
    fixed = spatial.repaired(geometry)
    area = land_cover.meter.area(fixed) if fixed is not None else 0.0
    layer.wkbs.append(bytes(fixed.asWkb()) if fixed is not None else None)
    layer.areas.append(area)
    if report:
        where = errors[0].where() if errors and errors[0].hasWhere() else geometry.pointOnSurface().asPoint()
        what = errors[0].what() if errors else ""
        marker = QgsGeometry.fromPointXY(where).buffer(POINT_RADIUS, 4)
        emit(Problem("geometrie_invalide", val.SEVERITY["geometrie_invalide"], feature.id(), None, None, None, area,
                     translate("ValidateAlgorithm", "Invalid geometry (GEOS): {0} at ({1}, {2}); the area "
                                                    "is that of the repaired polygon.").format(what, local_number(where.x(), 2),
                                                                                               local_number(where.y(), 2)),
                     marker))
    return fixed


def _code_problems(key, checks, raw):
    """(normalised (cs, us) per vintage, [(vintage index, controle, gravite, message)]) of raw code values."""
    nomen = nom.get_nomenclature(key)
    codes = tuple((nom.normalise_code(raw[i]), nom.normalise_code(raw[i + 1])) for i in range(0, len(raw), 2))
    problems = []
    for v, (cs, us) in enumerate(codes):
        if "codes" in checks:
            for code, known, raw_value in ((cs, nomen.cs, raw[2 * v]), (us, nomen.us, raw[2 * v + 1])):
                if code is None:
                    problems.append((v, "code_manquant", val.SEVERITY["code_manquant"], translate(
                        "ValidateAlgorithm", "A couverture or usage code is missing (NULL or empty).")))
                elif code not in known:
                    problems.append((v, "code_inconnu", val.SEVERITY["code_inconnu"], translate(
                        "ValidateAlgorithm", "Code '{0}' is not in the nomenclature {1}.").format(
                        raw_value, nom.NOMENCLATURE_LABELS[key])))
        if "pairs" in checks:
            rule = val.incompatible_pair(key, cs, us)
            if rule is not None:
                problems.append((v, "couple_incompatible", rule.gravite, translate(
                    "ValidateAlgorithm", "Couverture {0} with usage {1}: {2} (table of incompatible pairs).").format(
                    cs, us, rule.motif)))
    return codes, problems


# -- duplicates, neighbours, minimum mapping unit ----------------------------------------------------------------

def duplicates(layer, land_cover, emit):
    """Features whose geometry is the same as an earlier one's, vertex for vertex: one problem per copy."""
    first = {}
    for i, wkb in enumerate(layer.wkbs):
        if wkb is None:
            continue
        seen = first.setdefault(wkb, i)
        if seen == i:
            continue
        cs, us = _codes_text(layer.codes[i])
        geometry = QgsGeometry()
        geometry.fromWkb(wkb)
        emit(Problem("doublon", val.SEVERITY["doublon"], layer.fids[i], None, cs, us, float(layer.areas[i]),
                     translate("ValidateAlgorithm", "Same geometry as feature {0}.").format(layer.fids[seen]),
                     geometry))
        layer.duplicates.add(i)


def _code_ids(rows):
    """An integer per distinct value of ``rows`` (a list of hashables), as a numpy array."""
    ids = {}
    return numpy.fromiter((ids.setdefault(r, len(ids)) for r in rows), dtype=numpy.int64, count=len(rows))


def _groups(labels, members):
    """{label: [member indexes]} of the ``members`` (indexes) by their component label."""
    groups = {}
    for i in members.tolist():
        groups.setdefault(int(labels[i]), []).append(i)
    return groups


def _union(layer, members):
    geometries = []
    for i in members:
        geometry = QgsGeometry()
        geometry.fromWkb(layer.wkbs[i])
        geometries.append(geometry)
    return geometries[0] if len(geometries) == 1 else QgsGeometry.unaryUnion(geometries)


def identical_neighbours(layer, pairs, emit):
    """Groups of polygons joined by shared edges whose codes are the same in every vintage: one problem per group
    (its union, the smallest fid, the others in the message)."""
    ids = _code_ids(layer.codes)
    same = pairs[ids[pairs[:, 0]] == ids[pairs[:, 1]]] if len(pairs) else pairs
    if not len(same):
        return
    labels = spatial.components(len(layer), same[:, 0], same[:, 1])
    members = numpy.unique(same.ravel())
    layer.groups = [group for _label, group in sorted(_groups(labels, members).items())]
    for group, union in zip(layer.groups, _group_unions(layer, layer.groups)):
        fids = [layer.fids[i] for i in group]
        cs, us = _codes_text(layer.codes[group[0]])
        emit(Problem("voisins_identiques", val.SEVERITY["voisins_identiques"], min(fids), None, cs, us,
                     float(layer.areas[group].sum()),
                     translate("ValidateAlgorithm", "{0} neighbouring features share edges and have the same codes "
                                                    "in every vintage: {1}.").format(len(fids), _fid_list(fids)),
                     union))


def _box(rectangle):
    return rectangle.xMinimum(), rectangle.yMinimum(), rectangle.xMaximum(), rectangle.yMaximum()


def _group_unions(layer, groups):
    """The union of each group of identical neighbours. Two groups with the same codes never share an edge (they
    would be one group), so the groups of one code are dissolved at once (spatial.dissolve: edge matching) and
    each part given back to the group with the same bounding box (the union's extreme vertices are its
    members'); a group whose box is not matched by exactly one part gets its own union."""
    by_code = {}
    for g, group in enumerate(groups):
        by_code.setdefault(layer.codes[group[0]], []).append(g)
    unions = [None] * len(groups)
    for owners in by_code.values():
        parts = {}
        if len(owners) > 1:
            for part in spatial.dissolve([layer.wkbs[i] for g in owners for i in groups[g]]):
                parts.setdefault(_box(part.boundingBox()), []).append(part)
        boxes = {}
        for g in owners:
            box = None
            for i in groups[g]:
                geometry = QgsGeometry()
                geometry.fromWkb(layer.wkbs[i])
                rectangle = geometry.boundingBox()
                box = rectangle if box is None else box
                box.combineExtentWith(rectangle)
            boxes.setdefault(_box(box), []).append(g)
        for box, same_box in boxes.items():
            found = parts.get(box, [])
            if len(same_box) == 1 and len(found) == 1:
                unions[same_box[0]] = found[0]
            else:
                for g in same_box:
                    unions[g] = _union(layer, groups[g])
    return unions


def minimum_mapping_unit(layer, land_cover, edges, override, emit):
    """Patches (polygons joined by shared edges with the same couverture and usage in the vintage) smaller than
    the minimum mapping unit of their codes: one problem per patch and vintage."""
    key = land_cover.nomenclature
    unit = landcover.PairMemo(lambda cs, us: val.minimum_mapping_unit(key, cs, us, override))
    has_geometry = numpy.array([w is not None for w in layer.wkbs], dtype=bool)
    for v, year in enumerate(land_cover.years()):
        pair_codes = [codes[v] for codes in layer.codes]
        ids = _code_ids(pair_codes)
        labels = numpy.arange(len(layer))
        if edges is not None and len(edges[0]):
            pairs = edges[0]
            same = pairs[ids[pairs[:, 0]] == ids[pairs[:, 1]]]
            if len(same):
                labels = spatial.components(len(layer), same[:, 0], same[:, 1])
        patch_area = numpy.bincount(labels, weights=layer.areas, minlength=len(layer))
        first = numpy.unique(ids, return_index=True)[1]          # a feature of each distinct pair, by id
        threshold = numpy.array([unit(*pair_codes[i]) for i in first.tolist()], dtype=float)[ids]
        small = numpy.flatnonzero(has_geometry & (patch_area[labels] < threshold))
        for label, group in sorted(_groups(labels, small).items()):
            fids = [layer.fids[i] for i in group]
            cs, us = pair_codes[group[0]]
            emit(Problem("sous_unite_minimale", val.SEVERITY["sous_unite_minimale"], min(fids), year, cs, us,
                         float(patch_area[label]),
                         translate("ValidateAlgorithm", "{0} m² with {1} / {2} in {3}, under the minimum mapping "
                                                        "unit of {4} m² (features {5}).").format(
                             local_number(patch_area[label], 1), cs, us, year, local_number(threshold[group[0]], None), _fid_list(fids)),
                         _union(layer, group)))


def transitions(layer, land_cover, emit, feedback):
    """Improbable couverture transitions between consecutive vintages, and codes going A → B → A over three
    consecutive vintages (couverture and usage), as warnings with the polygon's area."""
    years = land_cover.years()
    if len(years) < 2:
        feedback.pushInfo(translate("ValidateAlgorithm", "One vintage: transitions are not checked."))
        return
    key = land_cover.nomenclature
    memo = landcover.PairMemo(lambda codes: _transition_problems(key, years, codes))
    for i, codes in enumerate(layer.codes):
        found = memo(codes)
        if not found:
            continue
        geometry = None
        if layer.wkbs[i] is not None:
            geometry = QgsGeometry()
            geometry.fromWkb(layer.wkbs[i])
        for controle, period, cs, us, message in found:
            emit(Problem(controle, val.SEVERITY[controle], layer.fids[i], period, cs, us, float(layer.areas[i]),
                         message, geometry))


def _transition_problems(key, years, codes):
    found = []
    for v in range(len(years) - 1):
        (before, us_before), (after, us_after) = codes[v], codes[v + 1]
        rule = val.improbable_transition(key, before, after)
        if rule is not None:
            found.append(("transition_improbable", "%s-%s" % (years[v], years[v + 1]), after, us_after, translate(
                "ValidateAlgorithm", "{0} ({1}) → {2} ({3}): {4}.").format(before, years[v], after, years[v + 1],
                                                                         rule.motif)))
    texts = (translate("ValidateAlgorithm", "The couverture goes {0} → {1} → {0} ({2}, {3}, {4})."),
             translate("ValidateAlgorithm", "The usage goes {0} → {1} → {0} ({2}, {3}, {4})."))
    for dimension, text in enumerate(texts):
        series = [c[dimension] for c in codes]
        for v in val.oscillations(series):
            found.append(("oscillation", "%s-%s-%s" % tuple(years[v:v + 3]), codes[v + 2][0], codes[v + 2][1],
                          text.format(series[v], series[v + 1], *years[v:v + 3])))
    return found


# -- coverage: overlaps and gaps ---------------------------------------------------------------------------------

def coverage(layer, land_cover, options, edges, emit, feedback):
    """Overlaps and gaps (when the coverage check runs) and the territory's area. Returns (territory m², excess
    m² or None); (None, None) when cancelled."""
    wkbs = [w for w in layer.wkbs if w is not None]
    union = spatial.dissolve(wkbs) if wkbs else []
    if feedback.isCanceled():
        return None, None
    meter = land_cover.meter
    union_m2 = layer.union_m2 = sum(meter.area(p) for p in union)
    excess = float(layer.areas.sum()) - union_m2
    run = "coverage" in set(options.checks)
    layer.complete = run and "geometry" in set(options.checks)
    if run and excess > val.SLIVER_M2 and not overlaps(layer, land_cover, edges, excess, emit, feedback):
        return None, None
    feedback.setProgress(80)
    if options.territory is not None:
        territory = options.territory
        gaps = spatial.polygonal_part(territory.difference(QgsGeometry.collectGeometry(union))) if union else \
            territory
        territory_m2 = meter.area(territory)
    else:
        gaps = _holes(union)
        territory_m2 = union_m2 + sum(meter.area(g) for g in gaps)
    if run:
        _emit_gaps(gaps, meter, emit, feedback)
        feedback.pushInfo(translate(
            "ValidateAlgorithm", "The polygons' areas add up to {0} ha; their union covers {1} ha: {2} ha "
                                 "are covered more than once.").format(local_number(float(layer.areas.sum()) / 1e4, 2),
                                                                       local_number(union_m2 / 1e4, 2), local_number(max(excess, 0.0) / 1e4, 2)))
    return territory_m2, excess


def _holes(union):
    """The holes of the union's polygons, less the union's polygons lying in them (islands: their box within the
    hole's box and a point of theirs inside the hole)."""
    holes = []
    boxes = None
    for p, part in enumerate(union):
        shape = part.constGet()
        for r in range(shape.numInteriorRings()):
            hole = QgsGeometry(QgsPolygon(shape.interiorRing(r).clone()))
            if boxes is None:
                boxes = spatial.BoxSet.of(dict(enumerate(union)))
            box = hole.boundingBox()
            islands = [union[i] for i in boxes.intersects(box) if i != p and box.contains(union[i].boundingBox())
                       and hole.contains(union[i].pointOnSurface())]
            if islands:
                hole = hole.difference(QgsGeometry.unaryUnion(islands))
            holes.append(hole)
    return holes


def _emit_gaps(gaps, meter, emit, feedback):
    if gaps is None:
        return
    gaps = gaps if isinstance(gaps, list) else [gaps]
    slivers = 0
    for gap in gaps:
        for part in (gap.asGeometryCollection() if gap.isMultipart() else [gap]):
            if part.isEmpty() or part.type() != compat.GEOMETRY_POLYGON:
                continue
            area = meter.area(part)
            if area < val.SLIVER_M2:
                slivers += 1
                continue
            emit(Problem("trou", val.SEVERITY["trou"], None, None, None, None, area, translate(
                "ValidateAlgorithm", "Gap of {0} m² covered by no polygon.").format(local_number(area, 1)), part))
    if slivers:
        feedback.pushInfo(translate("ValidateAlgorithm", "{0} gaps under {1} m² (slivers) are not listed.").format(
            slivers, local_number(val.SLIVER_M2, None)))


def overlaps(layer, land_cover, edges, excess, emit, feedback):
    """The overlap of each pair of polygons whose interiors meet, looked for around the polygons that have an
    edge not shared with exactly one other polygon; around every other polygon too when those overlaps do not
    add up to the ``excess`` area (sum of the areas minus the area of the union; pairwise overlaps add up to at
    least that). Returns False when cancelled."""
    count = len(layer)
    first = numpy.flatnonzero(edges[1]) if edges is not None else numpy.arange(count)
    found = _overlap_pairs(layer, land_cover, first, set(), emit, feedback)
    if found is None:
        return False
    total, slivers = found
    if total + val.SLIVER_M2 * (slivers + 1) + 1e-6 * excess >= excess or len(first) == count:
        return True
    rest = numpy.setdiff1d(numpy.arange(count), first)
    return _overlap_pairs(layer, land_cover, rest, set(first.tolist()), emit, feedback) is not None


def _overlap_pairs(layer, land_cover, candidates, done, emit, feedback):
    """Emit the overlaps between each candidate and the polygons whose boxes meet its box, except those in
    ``done`` (already searched); returns (their total area in m², slivers skipped), None when cancelled."""
    geometries = {}

    def geometry(i):
        if i not in geometries:
            g = QgsGeometry()
            g.fromWkb(layer.wkbs[i])
            geometries[i] = g
        return geometries[i]

    index = QgsSpatialIndex()
    for i, wkb in enumerate(layer.wkbs):
        if wkb is not None:
            index.addFeature(i, geometry(i).boundingBox())
    wanted = set(candidates.tolist())
    total, slivers = 0.0, 0
    for n, i in enumerate(candidates.tolist()):
        if layer.wkbs[i] is None:
            continue
        if n % 200 == 0 and feedback.isCanceled():
            return None
        engine = QgsGeometry.createGeometryEngine(geometry(i).constGet())
        engine.prepareGeometry()
        for j in index.intersects(geometry(i).boundingBox()):
            if j == i or j in done or (j in wanted and j < i) or _duplicate_pair(layer, i, j):
                continue
            if not engine.intersects(geometry(j).constGet()):
                continue
            shared = spatial.polygonal_part(geometry(i).intersection(geometry(j)))
            area = land_cover.meter.area(shared) if shared is not None else 0.0
            if area < val.SLIVER_M2:
                slivers += 1 if area > 0 else 0
                continue
            total += area
            _emit_overlap(layer, sorted((i, j), key=lambda k: layer.fids[k]), area, shared, emit)
    if slivers:
        feedback.pushInfo(translate("ValidateAlgorithm", "{0} overlaps under {1} m² (slivers) are not listed.")
                          .format(slivers, local_number(val.SLIVER_M2, None)))
    return total, slivers


def _duplicate_pair(layer, i, j):
    """A pair already reported as doublon (the same geometry)."""
    return (i in layer.duplicates or j in layer.duplicates) and layer.wkbs[i] == layer.wkbs[j]


def _emit_overlap(layer, pair, area, shared, emit):
    a, b = pair
    layer.overlap_pairs.append((a, b))
    cs, us = _codes_text(layer.codes[a])
    emit(Problem("chevauchement", val.SEVERITY["chevauchement"], layer.fids[a], None, cs, us, area,
                 translate("ValidateAlgorithm", "Features {0} and {1} overlap on {2} m².").format(
                     layer.fids[a], layer.fids[b], local_number(area, 1)), shared))


# -- the corrected copy ---------------------------------------------------------------------------------------

class ChangeLog:
    """The corrections of the copy, each said in the log (the first LOGGED of each kind one by one, then a
    count), never a code changed."""

    LOGGED = 50

    def __init__(self, feedback):
        self.feedback = feedback
        self.counts = Counter()

    def __call__(self, kind, message):
        self.counts[kind] += 1
        if self.counts[kind] <= self.LOGGED:
            self.feedback.pushInfo(message)


def write_fixed(land_cover, result, sink, feedback):
    """Write into ``sink`` (the fields of the input, MultiPolygon in its CRS) the corrected copy of the layer
    checked into ``result``: features without a geometry and copies of another feature's geometry left out,
    invalid geometries repaired (makeValid), each overlap left to the feature of the lower fid (cut out of the
    other), each group of neighbours with identical codes merged into the feature of the lowest fid (its
    attributes kept). Codes are never changed. Returns the Counter of corrections, None when cancelled."""
    layer = result.layer
    log = ChangeLog(feedback)
    index_of = {fid: i for i, fid in enumerate(layer.fids)}
    cut_by = {}
    for a, b in layer.overlap_pairs:
        cut_by.setdefault(b, []).append(a)
    merged_into = {i: group[0] for group in layer.groups for i in group}
    geometries = {}
    for i in sorted(merged_into) + sorted(cut_by):
        if i not in geometries and layer.wkbs[i] is not None:
            geometries[i] = _cut(layer, i, cut_by)
    written_m2 = 0.0
    for count, feature in enumerate(landcover.features(land_cover.source, raw=True)):
        if count % 2000 == 0 and feedback.isCanceled():
            return None
        i = index_of.get(feature.id())
        if i is None or not _kept(layer, i, merged_into, log):
            continue
        geometry = geometries[i] if i in geometries else _cut(layer, i, cut_by)
        if merged_into.get(i) == i:
            group = [g for g in layer.groups if g[0] == i][0]
            geometry = QgsGeometry.unaryUnion([geometries[g] for g in group])
            log("merged", translate("ValidateAlgorithm", "Features {0} merged into feature {1} (identical codes).")
                .format(_fid_list(layer.fids[g] for g in group[1:]), layer.fids[i]))
        if i in cut_by:
            log("overlap", translate("ValidateAlgorithm", "Feature {0}: overlap with feature(s) {1} left to them "
                                                          "(the lower fid keeps an overlap).").format(
                layer.fids[i], _fid_list(layer.fids[a] for a in cut_by[i])))
        if _is_invalid(feature):
            log("repaired", translate("ValidateAlgorithm", "Feature {0}: geometry repaired.").format(layer.fids[i]))
        out = QgsFeature(feature)
        geometry.convertToMultiType()
        out.setGeometry(geometry)
        written_m2 += land_cover.meter.area(geometry)
        sink.addFeature(out, QgsFeatureSink.FastInsert)
    _check_area(layer, written_m2, feedback)
    return log.counts


def _cut(layer, i, cut_by):
    geometry = QgsGeometry()
    geometry.fromWkb(layer.wkbs[i])
    for a in cut_by.get(i, []):
        other = QgsGeometry()
        other.fromWkb(layer.wkbs[a])
        geometry = spatial.polygonal_part(geometry.difference(other)) or QgsGeometry()
    return geometry


def _is_invalid(feature):
    geometry = feature.geometry()
    return not geometry.isNull() and not geometry.isEmpty() and not geometry.isGeosValid()


def _kept(layer, i, merged_into, log):
    fid = layer.fids[i]
    if layer.wkbs[i] is None:
        log("empty", translate("ValidateAlgorithm", "Feature {0} left out: no geometry.").format(fid))
        return False
    if i in layer.duplicates:
        log("duplicate", translate("ValidateAlgorithm", "Feature {0} left out: a copy of another feature's "
                                                        "geometry.").format(fid))
        return False
    return merged_into.get(i, i) == i


def _check_area(layer, written_m2, feedback):
    """Area in = out: the copy covers the union of the input (overlaps counted once, gaps left as they are)."""
    if layer.union_m2 is None or not layer.complete:
        feedback.pushInfo(translate("ValidateAlgorithm", "The corrected copy covers {0} ha (overlaps and "
                                                         "duplicates are only removed when the geometry and "
                                                         "coverage checks run).").format(local_number(written_m2 / 1e4, 4)))
        return
    if abs(written_m2 - layer.union_m2) > 1e-6 * max(layer.union_m2, 1.0) + 0.01:
        feedback.reportError(translate("ValidateAlgorithm", "The corrected copy covers {0} ha, the input "
                                                            "{1} ha.").format(local_number(written_m2 / 1e4, 4),
                                                                                   local_number(layer.union_m2 / 1e4, 4)), False)
    else:
        feedback.pushInfo(translate("ValidateAlgorithm", "The corrected copy covers the {0} ha of the input, "
                                                         "each piece of land once.").format(local_number(written_m2 / 1e4, 4)))
