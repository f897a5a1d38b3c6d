"""The spatial rules of the OCS2D methods (ocs:reclassify): which polygons an attribute class does not settle.

- US7.0.0 polygons whose point on surface lies within 20 m of an espace urbanisé (4 postes = 1) take their
  "near" values (CLS 2023 method);
- agricultural structures within 50 m of the enveloppe urbaine of their vintage take theirs (CoTech 2024).

``spatial_rules`` answers {(fid, vintage index): PairResult} for the polygons a rule overrides; the caller
writes ``classifier.near_values(result)`` for them. Distances are measured in the CRS of the measures (the land cover's
transform when its CRS does not measure true metres: landcover.metric_frame).
"""
import dataclasses
import threading

import numpy
from qgis.core import QgsFeatureRequest, QgsGeometry
from qgis.PyQt.QtCore import QCoreApplication

from ..core import nomenclature as nom
from ..core import rules
from . import landcover, spatial

translate = QCoreApplication.translate


@dataclasses.dataclass
class VintageSets:
    """The polygons of one vintage that the spatial rules look at, by fid."""

    us7: dict = dataclasses.field(default_factory=dict)      # {fid: PairResult}: US7.0.0 (rule us7_near_urban)
    agri: dict = dataclasses.field(default_factory=dict)     # {fid: PairResult}: agricultural structures
    urban: set = dataclasses.field(default_factory=set)      # fids of the espaces urbanisés (4 postes = 1)
    members: set = dataclasses.field(default_factory=set)    # fids of the members of the enveloppe urbaine


@dataclasses.dataclass
class Scan:
    """What the geometry scans share: the sets of every vintage, the US7.0.0 distance tests (one
    spatial.PointSearch per vintage), the repair counter and ``in_envelope(fid)`` (a member of some vintage
    that has agricultural structures)."""

    sets: list
    searches: list
    repairs: dict
    in_envelope: object


def _from_wkb(wkb):
    geometry = QgsGeometry()
    geometry.fromWkb(wkb)
    return geometry


def read_codes(source, indexes, feedback):
    """{(cs, us of every vintage): [fids]} of ``source`` (``indexes``: [(cs index, us index)] per vintage), or
    None when cancelled."""
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)
    flat = [i for pair in indexes for i in pair]
    request.setSubsetOfAttributes(flat)
    by_codes = {}
    for feature in landcover.features(source, request):
        if feedback.isCanceled():
            return None
        attributes = feature.attributes()
        by_codes.setdefault(tuple(attributes[i] for i in flat), []).append(feature.id())
    return by_codes


def vintage_sets(by_codes, classifier, count):
    """[VintageSets] of ``count`` vintages from {(cs, us of every vintage): [fids]}."""
    envelope_member = rules.envelope_predicate(classifier.key)
    is_member = landcover.PairMemo(lambda cs, us: envelope_member(nom.normalise_code(cs), nom.normalise_code(us)))
    sets = [VintageSets() for _ in range(count)]
    for codes, fids in by_codes.items():
        for v_index in range(count):
            cs_raw, us_raw = codes[2 * v_index], codes[2 * v_index + 1]
            result = classifier.classify(cs_raw, us_raw)
            if result.lookup is None:
                continue
            rule = result.spatial_rule
            if rule == "us7_near_urban":
                sets[v_index].us7.update(dict.fromkeys(fids, result))
            elif rule == "agri_structure_near_envelope":
                sets[v_index].agri.update(dict.fromkeys(fids, result))
            if result.lookup.p4 == 1:
                sets[v_index].urban.update(fids)
            if is_member(nom.plain(cs_raw), nom.plain(us_raw)):
                sets[v_index].members.update(fids)
    return sets


def spatial_rules(land_cover, classifier, feedback, by_codes=None, store=None):
    """{(fid, vintage index): PairResult} of the polygons of ``land_cover`` (a landcover.LandCover: source,
    vintages, transform) whose values an OCS2D spatial rule of ``classifier`` (a rules.Reclassifier) overrides;
    {} when cancelled.

    ``by_codes`` (optional): {(cs, us of every vintage): [fids]}, when the caller has it already (fast path).
    ``store`` (optional): a gpkg.GpkgGeometries of the source, to read only the geometries needed.
    """
    sets = rule_sets(land_cover, classifier, feedback, by_codes)
    if sets is None:
        return {}
    return overridden(land_cover, sets, feedback, store)


def rule_sets(land_cover, classifier, feedback, by_codes=None):
    """[VintageSets] of every vintage of ``land_cover`` from the codes alone (``by_codes`` as in
    ``spatial_rules``, read here when None); None when cancelled. ``candidates(sets)`` are then the only polygons
    whose values ``overridden(land_cover, sets, …)`` can change."""
    feedback.pushInfo(translate("ReclassifyAlgorithm", "Spatial rules: reading the codes…"))
    if by_codes is None:
        by_codes = read_codes(land_cover.source, land_cover.indexes(), feedback)
        if by_codes is None:
            return None
    return vintage_sets(by_codes, classifier, len(land_cover.vintages))


def candidates(sets):
    """The fids a spatial rule may override (US7.0.0 polygons and agricultural structures of some vintage)."""
    found = set()
    for s in sets:
        found.update(s.us7, s.agri)
    return found


def overridden(land_cover, sets, feedback, store=None):
    """``spatial_rules`` once the [VintageSets] ``sets`` are known (``rule_sets``): the geometric part. With a
    ``store`` (and no transform), no feature is read through QGIS: it may then run on another thread than the
    one reading ``land_cover.source``, given a feedback that may be used from there."""
    if not any(s.us7 for s in sets) and not any(s.agri for s in sets):
        return {}
    source, vintages = land_cover.source, land_cover.vintages
    transform = land_cover.transform
    repairs = {}

    def metric(geometry, repair):
        if repair:
            geometry = spatial.repaired(geometry, repairs)
        if geometry is not None and not geometry.isNull() and transform is not None:
            geometry = type(geometry)(geometry)
            geometry.transform(transform)
        return geometry

    candidate_fids, points, agri_geoms = _candidates(
        source, sets, metric, store if transform is None else None)
    searches = [spatial.PointSearch({fid: points[fid] for fid in s.us7 if fid in points}, spatial.US7_DISTANCE)
                for s in sets]
    points = None
    agri = [s.agri for s in sets]
    members = [s.members for s in sets]

    def in_envelope(fid):
        return any(agri[v] and fid in members[v] for v in range(len(vintages)))

    scan = Scan(sets, searches, repairs, in_envelope)
    if store is not None and transform is None:
        members_of = scan_gpkg(store, scan, feedback)
    else:
        members_of = scan_source(source, scan, metric, feedback)
    if members_of is None:
        return {}
    found = _close_envelopes(sets, agri_geoms, members_of, feedback)
    if feedback.isCanceled():
        return {}
    near = _overridden(vintages, scan, found, feedback)
    invalid = repairs.get("invalid", 0) + len(repairs.get("fids", set()) - candidate_fids)
    if invalid:
        feedback.reportError(translate(
            "ReclassifyAlgorithm", "{0} invalid geometries were repaired for the spatial rules.").format(invalid),
            False)
    return near


def _candidates(source, sets, metric, store=None):
    """(fids, {fid: point on surface} of the US7.0.0 polygons, {fid: geometry} of the agricultural structures)
    of the polygons a rule may change, in the metric CRS (repaired); read from ``store`` (a gpkg.GpkgGeometries
    or pg.PgGeometries of the source, in its CRS, which is then the metric one) when given, else from
    ``source``."""
    candidate_fids = candidates(sets)
    points = {}       # point on surface of the US7.0.0 polygons
    agri_geoms = {}   # the agricultural structures
    us7_fids, agri_fids = set().union(*(s.us7 for s in sets)), set().union(*(s.agri for s in sets))
    for fid, geometry in _candidate_geometries(source, candidate_fids, store):
        geometry = metric(geometry, True)
        if geometry is not None:
            if fid in us7_fids:
                points[fid] = geometry.pointOnSurface()
            if fid in agri_fids:
                agri_geoms[fid] = geometry
    return candidate_fids, points, agri_geoms


def _candidate_geometries(source, fids, store):
    """(fid, QgsGeometry) of the features ``fids`` of ``source``, or of ``store`` by batches when given (no
    QGIS read: any thread)."""
    if store is None:
        for feature in landcover.features(source, QgsFeatureRequest().setFilterFids(list(fids)).setNoAttributes()):
            yield feature.id(), feature.geometry()
        return
    for batch in store.batches(fids):
        for fid, wkb in store.wkb(batch).items():
            yield fid, _from_wkb(wkb)


def _close_envelopes(sets, agri_geoms, members_of, feedback):
    """[(envelope parts, fids of the structures near them)] per vintage (([], set()) for a vintage without
    agricultural structures).

    The envelope groups of every vintage are submitted to the closing threads first (a group with the same
    members near the same structures as in another vintage is closed once), then collected vintage by vintage."""
    closer = spatial.GroupCloser(feedback=feedback)
    try:
        handles = []
        for v, s in enumerate(sets):
            handle = None
            if s.agri:
                structures = {fid: agri_geoms[fid] for fid in s.agri if fid in agri_geoms}
                fids, boxes, geometries = members_of(v)
                handle = (structures, closer.submit(boxes, near=(spatial.BoxSet.of(structures),
                                                                 spatial.AGRI_DISTANCE),
                                                    ids=fids, geometries=geometries))
            handles.append(handle)
        found = []
        for handle in handles:
            parts = closer.parts(handle[1]) if handle else []
            found.append((parts, spatial.clusters_near(handle[0], parts, spatial.AGRI_DISTANCE) if handle
                          else set()))
    finally:
        closer.shutdown()
    return found


def _overridden(vintages, scan, found, feedback):
    """{(fid, vintage index): PairResult} from the searches and the structures found near the envelopes, said
    vintage by vintage in the log."""
    near = {}
    for v, vintage in enumerate(vintages):
        s = scan.sets[v]
        hits = scan.searches[v].found
        parts, agri_near = found[v]
        feedback.pushInfo(translate(
            "ReclassifyAlgorithm",
            "{0}: {1} of {2} US7.0.0 polygons lie within 20 m of espaces urbanisés; {3} of {4} agricultural "
            "structures lie within 50 m of the enveloppe urbaine ({5} parts near them).").format(
            vintage.vintage, len(hits), len(s.us7), len(agri_near), len(s.agri), len(parts)))
        for fid in hits:
            near[(fid, v)] = s.us7[fid]
        for fid in agri_near:
            near[(fid, v)] = s.agri[fid]
    return near


def scan_source(source, scan, metric, feedback):
    """Stream every geometry of ``source``: the US7.0.0 distance tests (``scan.searches``), and the envelope
    members kept as WKB. Returns members_of(v) → (fids, boxes, geometries(indexes)) for
    envelope_parts_by_group, or None when cancelled. ``metric(geometry, repair)``: the geometry in the metric
    CRS, repaired when asked."""
    searches, in_envelope = scan.searches, scan.in_envelope
    urban = [s.urban for s in scan.sets]
    members = [s.members for s in scan.sets]
    count_vintages = len(scan.sets)
    member_wkb = {}
    member_box = {}
    feedback.pushInfo(translate("ReclassifyAlgorithm", "Spatial rules: reading the geometries…"))
    total = source.featureCount() or 1
    for count, feature in enumerate(landcover.features(source, QgsFeatureRequest().setNoAttributes())):
        if feedback.isCanceled():
            return None
        if count % 10000 == 0:
            feedback.setProgress(100.0 * count / total)
        fid = feature.id()
        near_points = [v for v in range(count_vintages) if searches[v] and fid in urban[v]]
        envelope = in_envelope(fid)
        if not near_points and not envelope:
            continue
        # envelope members are repaired for the union; the distance test takes any geometry as it is
        geometry = metric(feature.geometry(), envelope)
        for v in near_points:
            searches[v].check(geometry)
        if geometry is not None and envelope and not geometry.isEmpty():
            member_wkb[fid] = bytes(geometry.asWkb())
            box = geometry.boundingBox()
            member_box[fid] = (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())

    def members_of(v):
        fids = [fid for fid in member_wkb if fid in members[v]]
        return fids, [member_box[fid] for fid in fids], \
            lambda indexes: [_from_wkb(member_wkb[fids[i]]) for i in indexes]
    return members_of


def scan_gpkg(store, scan, feedback):
    """``scan_source`` for a GeoPackage in a metric CRS (``store``: its gpkg.GpkgGeometries), without reading
    every geometry: the boxes come from the blobs' headers; the US7.0.0 points are matched with the boxes of the
    urban polygons in numpy, and only the polygons of those pairs are read for the exact distance; the envelope
    members are read group by group when (and on the thread where) their group is closed. Same results as
    ``scan_source``."""
    feedback.pushInfo(translate("ReclassifyAlgorithm", "Spatial rules: reading the geometries…"))
    fids_all, boxes_all = store.boxes()
    repaired = scan.repairs.setdefault("fids", set())   # fids repaired here and on the closing threads
    pairs = _point_box_pairs(fids_all, boxes_all, scan)
    if not _check_distances(store, pairs, scan, repaired, feedback):
        return None
    return _gpkg_members(store, fids_all, boxes_all, scan, repaired)


def _point_box_pairs(fids_all, boxes_all, scan):
    """(urban polygon fid, vintage index, US7.0.0 point fid) rows, sorted by polygon fid: the pairs whose
    boxes lie within the distance of the US7.0.0 rule."""
    pairs = []
    for v, search in enumerate(scan.searches):
        if not search:
            continue
        urban = scan.sets[v].urban
        point_fids = numpy.fromiter(search.points, dtype=numpy.int64, count=len(search.points))
        xy = numpy.array([(p.x(), p.y()) for p in (search.points[f].asPoint() for f in point_fids.tolist())],
                         dtype=float).reshape(-1, 2)
        is_urban = numpy.isin(fids_all, numpy.fromiter(urban, dtype=numpy.int64, count=len(urban)))
        urban_fids = fids_all[is_urban]
        b, p = spatial.box_point_pairs(boxes_all[is_urban], xy, spatial.US7_DISTANCE)
        pairs.append(numpy.stack([urban_fids[b], numpy.full(len(b), v), point_fids[p]], axis=1))
    pairs = numpy.concatenate(pairs) if pairs else numpy.zeros((0, 3), dtype=numpy.int64)
    return pairs[numpy.argsort(pairs[:, 0], kind="stable")]


def _check_distances(store, pairs, scan, repaired, feedback):
    """The exact distance tests of ``pairs`` (polygons read from ``store`` by chunks); False when cancelled."""
    searches, in_envelope = scan.searches, scan.in_envelope
    polygons = numpy.unique(pairs[:, 0])
    starts = numpy.searchsorted(pairs[:, 0], polygons, "left")
    ends = numpy.searchsorted(pairs[:, 0], polygons, "right")
    step = 20000
    for chunk in range(0, len(polygons), step):
        if feedback.isCanceled():
            return False
        feedback.setProgress(100.0 * chunk / len(polygons))
        wkbs = store.wkb(polygons[chunk:chunk + step])
        for fid, start, end in zip(polygons[chunk:chunk + step].tolist(), starts[chunk:chunk + step].tolist(),
                                   ends[chunk:chunk + step].tolist()):
            geometry = None
            for _fid, v, point in pairs[start:end].tolist():
                found = searches[v].found
                if point in found:
                    continue
                if geometry is None:
                    wkb = wkbs.get(fid)
                    if wkb is None:
                        break
                    geometry = _from_wkb(wkb)
                    if in_envelope(fid):   # as scan_source: members are tested once repaired
                        fixed = spatial.repaired(geometry)
                        if fixed is not geometry:
                            repaired.add(fid)
                        geometry = fixed
                        if geometry is None:
                            break
                if geometry.distance(searches[v].points[point]) <= searches[v].distance:
                    found.add(point)
    return True


def _gpkg_members(store, fids_all, boxes_all, scan, repaired):
    """members_of(v) → (fids, boxes, geometries(indexes)) of the envelope members of vintage ``v``, their
    geometries read from ``store`` and repaired on the closing threads.

    When ``store.REMOTE`` (a database server, where each row read costs far more than a GeoPackage blob), a
    member's WKB is kept from the first read until the last vintage that may close it has: the vintages' groups
    mostly hold the same polygons (about three reads of each at 200,000 polygons), so each is read once."""
    valid = set()   # fids known valid
    fixed = {}      # fid: WKB of the repaired geometry (None: nothing left)
    members = [s.members for s in scan.sets]
    kept = _KeptWkb(members, [bool(s.agri) for s in scan.sets]) if getattr(store, "REMOTE", False) else None

    def members_of(v):
        is_member = numpy.isin(fids_all, numpy.fromiter(members[v], dtype=numpy.int64, count=len(members[v])))
        fids = fids_all[is_member]

        def geometries(indexes):
            """The members ``indexes`` as WKB, repaired (called on the closing threads)."""
            ids = fids[indexes]
            wkbs = store.wkb(ids) if kept is None else kept.wkb(store, ids)
            out = []
            for fid in ids.tolist():
                wkb = wkbs.get(fid)
                if wkb is None:
                    continue
                if fid in fixed:
                    wkb = fixed[fid]
                elif fid not in valid:
                    geometry = _from_wkb(wkb)
                    repaired_geometry = spatial.repaired(geometry)
                    if repaired_geometry is geometry:
                        valid.add(fid)
                    else:
                        repaired.add(fid)
                        wkb = fixed[fid] = None if repaired_geometry is None or repaired_geometry.isEmpty() \
                            else bytes(repaired_geometry.asWkb())
                if wkb is not None:
                    out.append(wkb)
            return out
        return fids, boxes_all[is_member], geometries
    return members_of


class _KeptWkb:
    """The WKB of envelope members read from a remote store, kept while a later vintage may close them again.

    ``uses[fid]``: how many vintages with agricultural structures count the polygon among their members (at most
    that many reads); each read takes one, and the WKB is dropped at the last. A group that is never closed
    (too small, or far from every structure) leaves its members' uses untaken: they are never read either."""

    def __init__(self, members, closing):
        self.uses = {}
        for v, fids in enumerate(members):
            if closing[v]:
                for fid in fids:
                    self.uses[fid] = self.uses.get(fid, 0) + 1
        self.wkbs = {}
        self.lock = threading.Lock()

    def wkb(self, store, ids):
        """{fid: WKB} of ``ids`` (an integer array), read from ``store`` only for those not kept."""
        ids = ids.tolist()
        with self.lock:
            found = {fid: self.wkbs[fid] for fid in ids if fid in self.wkbs}
        missing = [fid for fid in ids if fid not in found]
        if missing:
            found.update(store.wkb(missing))
        with self.lock:
            for fid in ids:
                left = self.uses.get(fid, 1) - 1
                if left > 0:
                    self.uses[fid] = left
                    if fid in found:
                        self.wkbs[fid] = found[fid]
                else:
                    self.uses.pop(fid, None)
                    self.wkbs.pop(fid, None)
        return found
