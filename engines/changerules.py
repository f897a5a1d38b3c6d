"""The OCS2D spatial rules inside the change tools (ocs:changedetection, ocs:transitionmatrix,
ocs:territoryflows, ocs:zantrajectory): the same overrides as ocs:reclassify, computed once per input layer.

A piece of land is classified by its (cs, us) pair (core.changes.SideClassifier). For the polygons that an OCS2D
spatial rule overrides (US7.0.0 whose point on surface lies within 20 m of an espace urbanisé; agricultural
structures within 50 m of the enveloppe urbaine of their vintage), ``engines.spatialrules.spatial_rules`` gives
the pair's PairResult, and ``rules.Reclassifier.near_values`` the values ocs:reclassify writes for them; they are
handed to the side classifier as the precomputed values of the target and of the ENAF class, as if the input had
been reclassified first. Fields already written by ocs:reclassify (``p4_``/``p21_``/``enaf_``/``naf_``) win.
"""
import gc
import multiprocessing
import os
import threading

from qgis.PyQt.QtCore import QCoreApplication

from ..core import nomenclature as nom
from ..core import rules
from ..fastpath import gpkg, pg
from . import landcover, spatialrules

translate = QCoreApplication.translate

# Targets of core.changes whose code a spatial rule can move (artificialisation cannot: the rules leave it).
RULE_TARGETS = ("p4", "p21", "enaf", "naf")
# What the spatial rules are computed for (the targets of ocs:reclassify whose values they override).
RECLASSIFY_TARGETS = ["p4", "p21", "enaf"]


def years_needing_rules(key, target, statuses, indexes):
    """The vintages whose sides depend on an OCS2D spatial rule and are not precomputed: on an OCS2D layer
    (``key``), those without a field of ocs:reclassify for the compared ``target`` (4 postes, 21 postes, ENAF,
    NAF) or, when the caller uses the statuses (``statuses``: type of change, flows), without ``enaf_<yyyy>``.
    ``indexes``: {year: (cs, us, target field, enaf field, artif field indexes)} (-1: no such field)."""
    if key == nom.OCSGE:
        return []
    years = []
    for year, (_cs, _us, pre_code, pre_enaf, _artif) in indexes.items():
        if (target in RULE_TARGETS and pre_code < 0) or (statuses and pre_enaf < 0):
            years.append(year)
    return years


def near_values(classifier, result, target):
    """(value of ``target`` or None, ENAF code) of a pair once a spatial rule fired on it (``result``: its
    PairResult from ``classifier``, a rules.Reclassifier of RECLASSIFY_TARGETS)."""
    values = {field.key: value for field, value in zip(classifier.fields, classifier.near_values(result))
              if not field.is_label}
    return (values.get(target) if target in RULE_TARGETS else None), values.get("enaf")


def overrides(land_cover, target, feedback, gpkg_layer=None, pg_relation=None):
    """{(fid, year): (value of ``target`` or None, ENAF code)} of the polygons of ``land_cover`` (a
    landcover.LandCover with the vintages to compute) that an OCS2D spatial rule overrides; None when cancelled.

    ``gpkg_layer``: (path, layer name) when the source is a whole GeoPackage layer, ``pg_relation``: the
    fastpath.pg.PgRelation of a whole PostgreSQL layer: the codes are read with one SQL GROUP BY and only the
    geometries the rules need are read (as ocs:reclassify's fast path and push-down do)."""
    return Overrides(land_cover, target, feedback, gpkg_layer, pg_relation).result()


class Overrides:
    """``overrides`` in steps: ``result`` reads the codes then computes the geometric part; or ``start`` does both
    aside (when ``can_run_aside``: a whole GeoPackage or PostgreSQL layer in a metric CRS, whose codes and
    geometries are then read with SQL, never through QGIS), in a forked process or on a thread, while the caller
    reads the layer, ``may_change`` telling which features to hold back; ``result`` collects (the messages said
    then). Whatever goes wrong aside (a forked process that dies), ``result`` computes them here: the same
    overrides."""

    # the rules of core.rules that override a pair by where its polygon lies
    RULES = ("us7_near_urban", "agri_structure_near_envelope")

    def __init__(self, land_cover, target, feedback, gpkg_layer=None, pg_relation=None):
        self.land_cover = land_cover
        self.target = target
        self.feedback = feedback
        self.sql = (gpkg_layer, pg_relation)
        self.classifier = rules.Reclassifier(land_cover.nomenclature, RECLASSIFY_TARGETS)
        self.sets = self.store = self.near = self.error = self.thread = self.log = None
        self.process = self.receiver = None

    def can_run_aside(self):
        return (self.sql[0] is not None or self.sql[1] is not None) and self.land_cover.transform is None

    def start(self, fork=False):
        """Read the codes and compute the geometric part aside (``can_run_aside`` must hold): in a forked process
        (``fork``: Linux, not QGIS Desktop; no GIL shared with the caller), else on a thread. When no SQL store of
        the geometries can be opened there, the geometric part is left to ``result``."""
        self.log = RecordingFeedback(self.feedback)
        if fork:
            context = multiprocessing.get_context("fork")
            self.receiver, sender = context.Pipe(duplex=False)
            gc.freeze()     # the collector's passes in the forked process would copy the pages of every object
            try:
                self.process = context.Process(target=self._forked, args=(sender, os.getpid()),
                                               name="ocs-spatial-rules", daemon=True)
                self.process.start()
            finally:
                gc.unfreeze()
                sender.close()
            return
        self.thread = threading.Thread(target=self._aside, name="ocs-spatial-rules", daemon=True)
        self.thread.start()

    def _forked(self, sender, parent):
        """In the forked process: send (messages, overrides of ``result``) or None when they were not computed."""
        found = None
        # the read end copied into this process: closed, so that a caller gone away breaks the pipe instead of
        # leaving this process blocked on a full one
        self.receiver.close()
        self.log.parent = parent
        try:
            self._aside()
            if self.error is None and self.near is not None:
                found = (self.log.messages, self._values())
        finally:
            try:
                sender.send(found)
            except OSError:     # the caller is gone
                pass
            sender.close()

    def _collect(self):
        """The overrides from the forked process (its messages said), or None when it did not compute them (or
        the run is cancelled meanwhile: the process is stopped)."""
        found = None
        try:
            while not self.receiver.poll(0.2):
                if self.feedback.isCanceled() or not self.process.is_alive() and not self.receiver.poll(0):
                    self.process.terminate()
                    break
            else:
                found = self.receiver.recv()
        except (EOFError, OSError):
            found = None
        self.receiver.close()
        self.process.join()
        self.process = self.receiver = None
        if found is None:
            return None
        self.log.messages = found[0]
        self.log.replay()
        return found[1]

    def may_change(self):
        """A test of a feature's attributes (a full row, by field index): True when one of its vintages has a pair
        that a spatial rule may override (US7.0.0, agricultural structure). Exactly the features whose values
        ``result`` may change; classified by pair with a classifier of its own (the thread has one)."""
        classifier = rules.Reclassifier(self.land_cover.nomenclature, RECLASSIFY_TARGETS)
        indexes = [i for pair in self.land_cover.indexes() for i in pair]
        count = len(indexes) // 2
        ruled = self.RULES
        memo = {}

        def compute(values):
            return any(classifier.classify(values[2 * v], values[2 * v + 1]).spatial_rule in ruled
                       for v in range(count))

        def test(attributes):
            values = tuple(map(attributes.__getitem__, indexes))
            try:
                return memo[values]
            except KeyError:
                found = memo[values] = compute(values)
                return found
            except TypeError:   # an unhashable value
                return compute(values)
        return test

    def _read_codes(self, feedback):
        by_codes, self.store = _sql_reading(self.land_cover, self.sql[0], self.sql[1], feedback)
        self.sets = spatialrules.rule_sets(self.land_cover, self.classifier, feedback, by_codes)

    def _geometric(self, feedback):
        try:
            self.near = {} if self.sets is None else \
                spatialrules.overridden(self.land_cover, self.sets, feedback, self.store)
        finally:
            self.sets = None
            self._close()

    def _aside(self):
        try:
            self._read_codes(self.log)
            if self.store is not None:
                self._geometric(self.log)
        except BaseException as error:  # raised on the caller's thread
            self.error = error
            self._close()

    def _close(self):
        if self.store is not None:
            self.store.close()
            self.store = None

    def wait(self):
        """Wait for the thread, stop the forked process, if any (when the caller stops early)."""
        if self.thread is not None:
            self.thread.join()
        if self.process is not None:
            self.process.terminate()
            self.process.join()
            self.receiver.close()
            self.process = self.receiver = None

    def result(self):
        """{(fid, year): (value of the target or None, ENAF code)}, None when cancelled (see ``overrides``)."""
        if self.process is not None:
            found = self._collect()
            if found is not None or self.feedback.isCanceled():
                return None if self.feedback.isCanceled() else found
            self.log = None     # nothing came back: everything here
        try:
            if self.thread is None:
                self._read_codes(self.feedback)
            else:
                self.thread.join()
                self.log.replay()
                if self.error is not None:
                    raise self.error
            if self.near is None:   # not computed aside: read through QGIS here
                self._geometric(self.feedback)
        finally:
            self._close()
        if self.feedback.isCanceled() or self.near is None:
            return None
        return self._values()

    def _values(self):
        values = {}
        found = {}
        years = self.land_cover.years()
        for (fid, v_index), result in self.near.items():
            pair = values.get(id(result))
            if pair is None:
                pair = values[id(result)] = near_values(self.classifier, result, self.target)
            found[(fid, years[v_index])] = pair
        self.near = None
        return found


class RecordingFeedback:
    """What the spatial rules call on a feedback, from another thread: the messages are kept and said on the
    caller's thread (``replay``), the progress is left to the caller's own work, cancelling is the caller's."""

    def __init__(self, feedback):
        self.feedback = feedback
        self.messages = []
        self.parent = None  # in a forked process: the caller's process id (gone away: cancelled)

    def isCanceled(self):  # noqa: N802
        return self.feedback.isCanceled() or (self.parent is not None and os.getppid() != self.parent)

    def setProgress(self, _progress):  # noqa: N802
        pass

    def pushInfo(self, text):  # noqa: N802
        self.messages.append(("pushInfo", (text,)))

    def pushDebugInfo(self, text):  # noqa: N802
        self.messages.append(("pushDebugInfo", (text,)))

    def pushWarning(self, text):  # noqa: N802
        self.messages.append(("pushWarning", (text,)))

    def reportError(self, text, fatal=False):  # noqa: N802
        self.messages.append(("reportError", (text, fatal)))

    def replay(self):
        for method, arguments in self.messages:
            getattr(self.feedback, method)(*arguments)
        self.messages = []


def _sql_reading(land_cover, gpkg_layer, pg_relation, feedback):
    """(by_codes or None, GpkgGeometries / PgGeometries or None) of a whole GeoPackage or PostgreSQL layer in a
    metric CRS; (None, None) when it does not qualify (the spatial rules then read the source through QGIS, with
    the same results)."""
    if (gpkg_layer is None and pg_relation is None) or land_cover.transform is not None:
        return None, None
    try:
        reader = gpkg.GpkgReclassifier(*gpkg_layer) if gpkg_layer is not None else pg.PgReclassifier(pg_relation)
        try:
            fields = [f for v in land_cover.vintages for f in (v.cs_field, v.us_field)]
            if gpkg_layer is not None:
                if not all(reader.is_text(f) for f in fields):
                    return None, None
            else:
                reader.check(fields)
            combinations = reader.combinations(fields, with_fids=True)
            store = reader.geometries()
        finally:
            reader.close()
    except (gpkg.FastPathUnavailable, RuntimeError) as reason:
        feedback.pushDebugInfo("SQL reading not used for the spatial rules: %s" % reason)
        return None, None
    return {values: fids for values, _count, fids in combinations}, store
