"""The stream of pieces shared by ocs:changedetection, ocs:transitionmatrix, ocs:territoryflows and
ocs:zantrajectory.

Three input shapes give the same stream of pieces (geometry, zone, side before, side after, area):
- one multi-date layer (OCS2D csYY/usYY, or an IGN change product CS_2018/CS_2021, cs_avant/cs_apres):
  attributes are compared polygon by polygon, no overlay;
- two layers (``before`` and ``after``): overlaid here. Polygons identical in both vintages (the bulk of a real
  OCS GE pair) are matched by their WKB without any GEOS call; the others are cut pair by pair (``Cutter``: pairs
  from the boxes in bulk, prepared predicates, on Linux in forked processes), and the land covered by one vintage
  only becomes ``hors couverture``; the pieces can be handed on as WKB (``run(raw=True)``), which
  ``PieceWriter`` writes to a GeoPackage with SQLite;
- with zones every piece is split at zone borders: a grid of cells lying inside one zone assigns most polygons
  without a geometry operation.
Domain rules (codes, statuses, type of change, flows) are in core/changes.py.

Public API: ``ChangeInputs`` (the layers), ``ChangeOptions`` (what to compare), ``ChangeJob(inputs, options,
context, feedback)`` then ``job.run(transitions, consumer, period, raw)``; ``PieceWriter``; ``ZoneFinder``;
``multipolygon``.
"""
import array
import dataclasses
import gc
import math
import multiprocessing
import os
import sys
import threading
from collections import Counter

import numpy
from osgeo import osr

from qgis.core import (
    QgsApplication,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProcessingException,
    QgsRectangle,
    QgsSpatialIndex,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import changes as ch
from ..core import nomenclature as nom
from ..fastpath import boxes as box_pairs
from ..fastpath import gpkg, gpkgwrite
from . import changepushdown, changerules, landcover, spatial
from ..language import number as local_number

translate = QCoreApplication.translate

# Residual areas smaller than this share of a polygon are float noise, not land outside the other layer.
RESIDUAL_SHARE = 1e-9


@dataclasses.dataclass
class ChangeInputs:
    """The layers compared: one multi-date layer (``after`` None) or two single-vintage layers, and the zones
    (a polygon source and the field naming them; None: no zones)."""

    before: object                  # QgsFeatureSource: the multi-date layer, or the first vintage
    after: object = None            # QgsFeatureSource of the second vintage (overlay), or None
    zones: object = None            # QgsFeatureSource of the zones, or None
    zone_field: str = None          # field of ``zones`` naming each zone
    name_field: str = None          # field of ``zones`` holding each zone's name (reports), or None
    before_gpkg: tuple = None       # (path, layer name) when ``before`` is a whole GeoPackage layer, else None
    after_gpkg: tuple = None        # the same for ``after``
    before_pg: object = None        # fastpath.pg.PgRelation when ``before`` is a whole PostgreSQL layer, else None
    after_pg: object = None         # the same for ``after``


@dataclasses.dataclass
class ChangeOptions:
    """What to compare. ``from_vintage``/``to_vintage``: normalised years ("" = first / last detected);
    ``nomenclature``: index of the NOMENCLATURE enum (0 = detect) for ``before``; ``all_periods``: every
    consecutive pair and first → last (else first → last only); ``consecutive``: the consecutive pairs only;
    ``spatial_rules``: apply the OCS2D spatial rules where the sides depend on them (False: attributes alone,
    with a warning); ``statuses``: the caller uses the artificialised and ENAF statuses (type of change, flows),
    not only the codes of the target (a transition matrix does not)."""

    target: str = "p4"              # one of core.changes.TARGETS
    target_label: str = ""          # its label in the interface language (logs, reports); "" = the key
    dimension: str = "cs"           # one of core.changes.DIMENSIONS
    min_area: float = 0.0           # overlay pieces smaller than this (m²) are dropped; 0 = keep all
    from_vintage: str = ""
    to_vintage: str = ""
    nomenclature: int = 0
    consecutive: bool = False
    all_periods: bool = True
    spatial_rules: bool = True
    statuses: bool = True
    workers: int = 0                # forked processes of the two-layer overlay (0: one per core but one; 1: none)


class Stream:
    """Where the pieces go: ``transitions`` (core.changes.Transitions) is fed with every piece, and
    ``consumer(geometry, zone, before, after, area)`` receives those of ``period`` (Ellipsis: every period)."""

    __slots__ = ("transitions", "consumer", "period")

    def __init__(self, transitions, consumer, period):
        self.transitions = transitions
        self.consumer = consumer
        self.period = period


def multipolygon(parts, union=False):
    """One multipolygon of the geometries ``parts``: their union (always when ``union``, else only when there
    are several; a single part is copied)."""
    geometry = QgsGeometry.unaryUnion(parts) if union or len(parts) > 1 else QgsGeometry(parts[0])
    if not QgsWkbTypes.isMultiType(geometry.wkbType()):
        geometry.convertToMultiType()
    return geometry


class Layer:
    """One input layer resolved: source, vintages, nomenclature, classifier, field indexes, and the overrides of
    the OCS2D spatial rules (``near``: {(fid, year): (target value, ENAF code)}, filled by ChangeJob.run;
    ``warned``: the years classified by attributes alone where a spatial rule would apply)."""

    def __init__(self, source, vintages, key, classifier, gpkg_layer=None, pg_relation=None):
        self.source = source
        self.vintages = vintages            # [VintageFields]
        self.key = key
        self.classifier = classifier
        self.gpkg_layer = gpkg_layer        # (path, layer name) of a whole GeoPackage layer, or None
        self.pg_relation = pg_relation      # fastpath.pg.PgRelation of a whole PostgreSQL layer, or None
        self.near = {}
        self.warned = set()
        fields = source.fields()
        self.indexes = {}
        for entry in vintages:
            year = entry.vintage
            pre_code = fields.lookupField("%s_%s" % (classifier.target, year)) \
                if classifier.target in ("p4", "p21", "enaf", "naf", "artif") else -1
            pre_enaf = fields.lookupField("enaf_%s" % year)
            pre_artif = fields.lookupField("artif_%s" % year)
            self.indexes[year] = (fields.lookupField(entry.cs_field), fields.lookupField(entry.us_field),
                                  pre_code, pre_enaf, pre_artif)

    def attribute_indexes(self):
        return sorted({i for values in self.indexes.values() for i in values if i >= 0})

    def precomputed(self):
        return [year for year, (_c, _u, pre_code, pre_enaf, pre_artif) in self.indexes.items()
                if pre_code >= 0 or pre_enaf >= 0 or pre_artif >= 0]

    def side(self, attributes, year, fid=None):
        """The Side of a feature (``fid``: its id, for the overrides of the spatial rules) at ``year``."""
        cs_index, us_index, pre_code, pre_enaf, pre_artif = self.indexes[year]
        return self.side_of(year, attributes[cs_index], attributes[us_index],
                            attributes[pre_code] if pre_code >= 0 else None,
                            attributes[pre_enaf] if pre_enaf >= 0 else None,
                            attributes[pre_artif] if pre_artif >= 0 else None,
                            self.near.get((fid, year)) if self.near else None)

    def side_of(self, year, cs, us, code, enaf, artif, override=None):
        """The Side at ``year`` of the values of its fields (None for a field the layer lacks) and of the
        ``override`` of a spatial rule ((value, ENAF code) or None)."""
        if override is not None:    # the fields of ocs:reclassify, when present, win
            _cs, _us, pre_code, pre_enaf, _artif = self.indexes[year]
            code = override[0] if pre_code < 0 else code
            enaf = override[1] if pre_enaf < 0 else enaf
        return self.classifier.classify(cs, us, code, enaf, artif)

    def codes(self, attributes, year):
        """(couverture, usage) values of a feature's ``attributes`` at ``year``."""
        cs_index, us_index = self.indexes[year][:2]
        return attributes[cs_index], attributes[us_index]

    def field_names(self, year):
        """(couverture, usage, target, ENAF, artificialisation) field names of ``year`` ("" for a field the layer
        lacks)."""
        fields = self.source.fields()
        return tuple(fields.at(i).name() if i >= 0 else "" for i in self.indexes[year])

    def by_default(self, side, year):
        """True when ``side`` (of ``year``) took an attribute default where a spatial rule was not applied."""
        return side.by_default and year in self.warned


class ChangeJob:
    """Everything the change algorithms share: inputs resolved, checks, and the stream of pieces.

    After construction: ``years`` (vintages read), ``periods`` [(from, to)], ``crs`` (of ``before``: pieces and
    zones are in it), ``frame`` and ``meter`` (where areas are measured: landcover.measure), ``zone_field`` and ``zones`` (a ZoneFinder; None without zones), ``target``, ``before``
    and ``after`` (Layer; the same one in multi-date mode)."""

    RULES_ASIDE = True      # the spatial rules beside the multi-date stream when they can (see run)
    RULES_FORK = True       # ... in a forked process where processes can be forked (else on a thread)

    def __init__(self, inputs, options, context, feedback):
        self.context = context
        self.feedback = feedback
        self.target = options.target
        self.dimension = options.dimension
        self.min_area = options.min_area or 0.0
        self.spatial_rules = options.spatial_rules
        self.statuses = options.statuses
        self.workers = options.workers
        self.raw = False        # pieces handed on as (WKB, box): see run
        self.counters = {"invalid": 0, "empty": 0, "dropped": 0}
        self.header_boxes = {}  # id(Layer) → {fid: box} from the blob headers (_read_gpkg)
        source = inputs.before
        landcover.require_features(source)
        self.crs = source.sourceCrs()
        self.frame, self.meter = landcover.measure(self.crs, source.sourceExtent(), context, feedback)
        if inputs.after is None:
            self.mode = "multidate"
            self._open_multidate(inputs, options)
        else:
            landcover.require_features(inputs.after)
            self.mode = "overlay"
            self._open_overlay(inputs, options)
        for layer in self.layers():
            if layer.precomputed():
                feedback.pushInfo(translate("ChangeAlgorithm", "Using the values computed by Reclassify or "
                                            "Artificialisation (spatial rules, thresholds) for vintage(s) {0}.").format(
                    ", ".join(layer.precomputed())))
        # every consecutive pair and first → last, unless one period is asked (changedetection, or both ends)
        both_ends = bool(options.from_vintage and options.to_vintage)
        self.periods = ch.periods(self.years) if options.all_periods and not both_ends else \
            [(self.years[0], self.years[-1])]
        if options.consecutive and len(self.periods) > 1:
            self.periods = self.periods[:len(self.years) - 1]
        self.zone_field = inputs.zone_field if inputs.zones is not None else None
        self.zone_names = {}    # zone code → name (NAME_FIELD), for the reports
        self.zones = self._zones(inputs) if inputs.zones is not None else None
        self.target_label = options.target_label or self.target
        feedback.pushInfo(translate("ChangeAlgorithm", "Compared: {0}; periods: {1}").format(
            self.target_label, ", ".join(ch.period_label(p) for p in self.periods)))
        self.dropped_area = 0.0
        self.area_in = {}       # period → m² of land compared (input side)
        self.codes = {"before": Counter(), "after": Counter()}
        self.by_default = 0.0

    # -- inputs ----------------------------------------------------------------------------------------
    def layers(self):
        """The input Layers (one in multi-date mode, two in overlay mode)."""
        return list({id(self.before): self.before, id(self.after): self.after}.values())

    def _open_multidate(self, inputs, options):
        source = inputs.before
        from_vintage, to_vintage = options.from_vintage, options.to_vintage
        vintages = landcover.resolve_vintages(source, "", None, None, self.feedback)
        vintages = self._rename_before_after(vintages, from_vintage, to_vintage)
        vintages = self._select(vintages, from_vintage, to_vintage, source)
        if not options.all_periods or (from_vintage and to_vintage):
            vintages = [vintages[0], vintages[-1]]   # one period: the vintages between are not read
        key = self._nomenclature(source, vintages, options.nomenclature)
        self.before = self.after = Layer(source, vintages, key, self._classifier(key), inputs.before_gpkg,
                                         inputs.before_pg)
        self.years = [v.vintage for v in vintages]
        self.transform_after = None

    def _open_overlay(self, inputs, options):
        source, after = inputs.before, inputs.after
        before_v = self._single_vintage(source, options.from_vintage, "INPUT")
        after_v = self._single_vintage(after, options.to_vintage, "INPUT_AFTER")
        key_before = self._nomenclature(source, [before_v], options.nomenclature)
        key_after = self._nomenclature(after, [after_v], 0)
        if key_before != key_after and self.target not in ch.CROSS_NOMENCLATURE:
            raise QgsProcessingException(translate(
                "ChangeAlgorithm", "The two layers use different nomenclatures ({0} and {1}): compare them on "
                "the OCS GE equivalent, NAF / non-NAF or artificialisation.").format(
                nom.NOMENCLATURE_LABELS[key_before], nom.NOMENCLATURE_LABELS[key_after]))
        if before_v.vintage == after_v.vintage:
            raise QgsProcessingException(translate(
                "ChangeAlgorithm", "Both layers are vintage {0}: give FROM_VINTAGE and TO_VINTAGE.").format(
                before_v.vintage))
        if before_v.vintage.isdigit() and after_v.vintage.isdigit() and \
                int(after_v.vintage) < int(before_v.vintage):
            raise QgsProcessingException(translate(
                "ChangeAlgorithm", "INPUT is vintage {0} and INPUT_AFTER vintage {1}: give the older layer in "
                "INPUT and the newer one in INPUT_AFTER.").format(before_v.vintage, after_v.vintage))
        self.before = Layer(source, [before_v], key_before, self._classifier(key_before), inputs.before_gpkg,
                            inputs.before_pg)
        self.after = Layer(after, [after_v], key_after, self._classifier(key_after), inputs.after_gpkg,
                           inputs.after_pg)
        self.years = [before_v.vintage, after_v.vintage]
        self.transform_after = self._transform(after)

    # -- vintages, nomenclature, zones ---------------------------------------------------------------------
    def _rename_before_after(self, vintages, from_vintage, to_vintage):
        """An IGN change product without years (cs_avant/cs_apres) takes FROM_VINTAGE/TO_VINTAGE as years."""
        names = [v.vintage for v in vintages]
        if sorted(names) == ["apres", "avant"]:
            if not (from_vintage and to_vintage):
                self.feedback.reportError(translate(
                    "ChangeAlgorithm", "The layer has cs_avant/cs_apres fields without years: give FROM_VINTAGE "
                    "and TO_VINTAGE to annualise the flows."), False)
                return sorted(vintages, key=lambda v: v.vintage != "avant")
            for entry in vintages:
                entry.vintage = from_vintage if entry.vintage == "avant" else to_vintage
        return sorted(vintages, key=lambda v: v.vintage)

    def _select(self, vintages, from_vintage, to_vintage, source):
        available = [v.vintage for v in vintages]
        for wanted in (from_vintage, to_vintage):
            if wanted and wanted not in available:
                raise QgsProcessingException(translate(
                    "ChangeAlgorithm", "Vintage {0} not found in '{1}'. Vintages detected: {2}.").format(
                    wanted, source.sourceName(), ", ".join(available)))
        first = available.index(from_vintage) if from_vintage else 0
        last = available.index(to_vintage) if to_vintage else len(available) - 1
        selected = vintages[first:last + 1]
        if len(selected) < 2:
            raise QgsProcessingException(translate(
                "ChangeAlgorithm", "'{0}' holds {1} vintage(s) between FROM_VINTAGE and TO_VINTAGE ({2}): two are "
                "needed. For one layer per vintage, give the second one in INPUT_AFTER.").format(
                source.sourceName(), len(selected), ", ".join(v.vintage for v in selected) or "-"))
        return selected

    def _single_vintage(self, source, wanted, name):
        parameter = "FROM_VINTAGE" if name == "INPUT" else "TO_VINTAGE"
        try:
            vintages = landcover.resolve_vintages(source, wanted, None, None, self.feedback)
        except QgsProcessingException as error:
            if "VINTAGES" not in str(error):
                raise
            raise QgsProcessingException(translate(
                "ChangeAlgorithm", "Cannot tell the vintage of {0} ('{1}'): give its year in {2}.").format(
                name, source.sourceName(), parameter))
        if len(vintages) > 1:
            raise QgsProcessingException(translate(
                "ChangeAlgorithm", "{0} holds several vintages ({1}): give the one to use in {2}.").format(
                name, ", ".join(v.vintage for v in vintages), parameter))
        return vintages[0]

    def _nomenclature(self, source, vintages, enum_index):
        key = landcover.choose_nomenclature(source, vintages, enum_index, self.feedback)
        if key == nom.OCSGE and self.target in ch.OCS2D_ONLY:
            raise QgsProcessingException(translate(
                "ChangeAlgorithm", "4 postes, 21 postes and ENAF are defined on OCS2D codes only; '{0}' is OCS GE. "
                "Compare another target (NAF / non-NAF and artificialisation work on both).").format(
                source.sourceName()))
        return key

    def _classifier(self, key):
        return ch.SideClassifier(key, self.target, self.dimension)

    def _transform(self, other):
        """The transform of ``other`` (the second layer, the zones) to the CRS of the first layer, or None."""
        return landcover.reprojection(other.sourceCrs(), self.crs, self.context, self.feedback, other.sourceName())

    def _zones(self, inputs):
        """The ZoneFinder of the zone polygons named by ``zone_field`` (repaired, in the CRS of the job); their
        names (``name_field``) go to ``zone_names``."""
        zones, field = inputs.zones, inputs.zone_field
        transform = self._transform(zones)
        index = zones.fields().lookupField(field)
        name_index = zones.fields().lookupField(inputs.name_field) if inputs.name_field else -1
        items, nulls = [], 0
        for feature, geometry in landcover.geometries(zones, transform):
            geometry = spatial.repaired(geometry, self.counters)
            if geometry is None:
                continue
            value = feature.attributes()[index]
            if nom.is_null(value):
                nulls += 1
                value = None
            else:
                value = str(value)
                name = feature.attributes()[name_index] if name_index >= 0 else None
                if not nom.is_null(name) and str(name).strip():
                    self.zone_names.setdefault(value, str(name).strip())
            items.append((value, geometry))
        if not items:
            raise QgsProcessingException(translate("ChangeAlgorithm", "The zone layer has no polygon."))
        if nulls:
            self.feedback.reportError(translate(
                "ChangeAlgorithm", "{0} zone(s) have a NULL {1}: their land is counted as '{2}'.").format(
                nulls, field, ch.OUTSIDE_ZONES), False)
        return ZoneFinder(items, self.meter, self.counters)

    def zone_title(self, zone):
        """How a report names a zone: "Lens (62498)" with a name field, else "insee_com 62498"."""
        name = self.zone_names.get(zone)
        return "%s (%s)" % (name, zone) if name else "%s %s" % (self.zone_field, zone)

    # -- the stream of pieces -----------------------------------------------------------------------------
    def run(self, transitions, consumer=None, period_for_output=None, raw=False):
        """Feed ``transitions`` with every piece; ``consumer(geometry, zone, before, after, area)`` receives
        the pieces of ``period_for_output`` (Ellipsis: of every period; geometry in the input CRS). ``raw``: the
        geometry is given as (WKB, (xmin, ymin, xmax, ymax)) instead of a QgsGeometry (the overlay's pieces cut
        in a forked process are then never rebuilt here). Returns False when cancelled."""
        self.raw = raw and consumer is not None
        if consumer is None:
            grouped = changepushdown.run_by_groups(self, transitions, self.feedback)
            if grouped is not None:
                return grouped
        if self.mode == "multidate":
            # without a consumer the pieces a rule may change can wait for the rules, which then run aside
            pending = self._apply_spatial_rules(aside=consumer is None and self.RULES_ASIDE)
            if pending is None:
                return False
            ok = self._run_multidate(Stream(transitions, consumer, period_for_output), pending)
        else:
            ok = self._run_overlay(transitions, consumer, raw)
        if ok:
            self._report(transitions)
        return ok

    def run_groups(self, transitions, groups):
        """The multi-date stream by groups of polygons (the PostGIS push-down, without zones): the spatial rules,
        then ``groups(layer)`` (called with the input Layer, its overrides ``near`` computed) gives
        [(values, overrides, count, area)]: the polygons sharing ``values`` {year: (couverture, usage, target,
        ENAF, artificialisation field values)} and ``overrides`` {year: override of a spatial rule or None},
        their number and their area in layer units. Feeds ``transitions`` and returns [(group, {year: Side})],
        or None when cancelled."""
        if self._apply_spatial_rules() is None:
            return None
        layer = self.before
        years = [v.vintage for v in layer.vintages]
        stream = Stream(transitions, None, None)
        classified = []
        area_in = 0.0
        for group in groups(layer):
            values, overrides, count, area = group[:4]
            area *= self.meter.factor
            sides = {year: layer.side_of(year, *values[year], override=overrides.get(year)) for year in years}
            self._tally(layer, sides, lambda year: values[year][:2], area, count)
            area_in += self._emit(stream, None, area, sides)
            classified.append((group, sides))
        if self.feedback.isCanceled():
            return None
        for period in self.periods:
            self.area_in[period] = area_in
        self._report(transitions)
        return classified

    def _apply_spatial_rules(self, aside=False, defer=False):
        """The overrides of the OCS2D spatial rules of each input layer, computed once per layer for the vintages
        whose sides depend on them (none when the layer carries the fields of ocs:reclassify); with
        ``spatial_rules`` off, those vintages are classified by their attributes and said. Returns the layers
        whose rules still run (``aside``: those that can run on a thread while the layer is read, see
        changerules.Overrides; ``defer``: the others too, not started, computed by ``_finish_spatial_rules``)
        as [(layer, years, Overrides)], to be finished by ``_finish_spatial_rules``; None when cancelled."""
        pending = []
        for layer in self.layers():
            years = changerules.years_needing_rules(layer.key, self.target, self.statuses, layer.indexes)
            if not years:
                continue
            if not self.spatial_rules:
                layer.warned.update(years)
                continue
            vintages = [v for v in layer.vintages if v.vintage in years]
            land_cover = landcover.resolved(layer.source, vintages, layer.key, self.context)
            rules_job = changerules.Overrides(land_cover, self.target, self.feedback, layer.gpkg_layer,
                                              layer.pg_relation)
            if aside and rules_job.can_run_aside():
                rules_job.start(fork=self.RULES_FORK and FORK and not in_desktop())
                pending.append((layer, years, rules_job))
            elif defer:
                pending.append((layer, years, rules_job))
            elif not self._finish_spatial_rules([(layer, years, rules_job)]):
                self._wait(pending)
                return None
        return pending

    def _finish_spatial_rules(self, pending):
        """Collect the overrides of ``pending`` (see ``_apply_spatial_rules``) into their layers; False when
        cancelled."""
        for layer, years, rules_job in pending:
            near = rules_job.result()
            if near is None:
                self._wait(pending)
                return False
            layer.near = near
            self.feedback.pushInfo(translate(
                "ChangeAlgorithm", "OCS2D spatial rules applied to '{0}' ({1}): {2} polygon-vintages take the "
                "values near urban areas or near the enveloppe urbaine, as in Reclassify.").format(
                layer.source.sourceName(), ", ".join(years), len(near)))
        return True

    @staticmethod
    def _wait(pending):
        for _layer, _years, rules_job in pending:
            rules_job.wait()

    def _emit(self, stream, geometry, area, sides):
        """Split one piece by zones and add it for every period; returns its area (repaired if it had to be)."""
        parts, area = self._split(geometry, area)
        self._add(stream, parts, sides)
        return area

    def _split(self, geometry, area):
        """([(zone or None, part, m²)], m²) of one piece: its parts by zones (see ZoneFinder.split)."""
        if self.zones is not None:
            return self.zones.split(geometry, area)
        return ((None, geometry, area),), area

    def _add(self, stream, parts, sides):
        """Add the ``parts`` of one piece (``_split``) for every period."""
        for zone, part, part_area in parts:
            zone = ch.OUTSIDE_ZONES if zone is None and self.zones is not None else zone
            for period in self.periods:
                before, after = sides[period[0]], sides[period[1]]
                stream.transitions.add(period, zone, before, after, part_area)
                if stream.consumer is not None and (stream.period is Ellipsis or period == stream.period):
                    stream.consumer(raw_geometry(part) if self.raw else part, zone, before, after, part_area)

    def _run_multidate(self, stream, pending=()):
        """The stream of one multi-date layer. ``pending``: the spatial rules still running aside (without a
        consumer): the polygons they may override are split by zones as the others but classified and added once
        the rules are done."""
        try:
            return self._stream_multidate(stream, pending)
        finally:
            self._wait(pending)

    def _stream_multidate(self, stream, pending):
        layer = self.before
        source = layer.source
        request = QgsFeatureRequest().setSubsetOfAttributes(layer.attribute_indexes())
        total = source.featureCount() or 1
        step = max(1, total // 100)
        years = [v.vintage for v in layer.vintages]
        area_in = 0.0
        meter = self.meter
        tests = [rules_job.may_change() for _layer, _years, rules_job in pending]
        waits = tests[0] if len(tests) == 1 else (lambda values: any(test(values) for test in tests)) if tests \
            else None
        deferred = []   # (fid, attributes, m², [(zone, None, m²)]) of the polygons a rule may change
        # without overrides a feature's sides depend on the values of its fields only: classified once per tuple
        used = layer.attribute_indexes()
        memo = {} if not layer.near else None
        for count, feature in enumerate(landcover.features(source, request)):
            if count % step == 0:
                if self.feedback.isCanceled():
                    return False
                self.feedback.setProgress(100.0 * count / total)
            geometry = feature.geometry()
            if geometry is None or geometry.isNull() or geometry.isEmpty():
                self.counters["empty"] += 1
                continue
            area = meter.area(geometry)
            attributes = feature.attributes()
            fid = feature.id()
            if waits is not None and waits(attributes):
                parts, split_area = self._split(geometry, area)
                deferred.append((fid, attributes, area, [(zone, None, a) for zone, _part, a in parts]))
                area_in += split_area
                continue
            entry = None
            if memo is not None:
                values = tuple(map(attributes.__getitem__, used))
                try:
                    entry = memo.get(values)
                except TypeError:   # an unhashable value
                    values = None
            if entry is None:
                sides = {year: layer.side(attributes, year, fid) for year in years}
                entry = (sides, any(side.code == ch.UNKNOWN or layer.by_default(side, year)
                                    for year, side in sides.items()))
                if memo is not None and values is not None:
                    memo[values] = entry
            sides, tally = entry
            if tally:
                self._tally(layer, sides, lambda year: layer.codes(attributes, year), area)
            area_in += self._emit(stream, geometry, area, sides)
        if pending and not self._finish_spatial_rules(pending):
            return False
        for fid, attributes, area, parts in deferred:
            sides = {year: layer.side(attributes, year, fid) for year in years}
            self._tally(layer, sides, lambda year: layer.codes(attributes, year), area)
            self._add(stream, parts, sides)
        for period in self.periods:
            self.area_in[period] = area_in
        return True

    def _valid(self, geometry):
        valid = spatial.repaired(geometry, self.counters)
        if valid is None:
            self.counters["empty"] += 1
        return valid

    def _tally(self, layer, sides, codes, area, count=1):
        """Count the NULL or unknown codes of ``sides`` ({year: Side} of ``count`` polygons of ``layer``;
        ``codes(year)``: their couverture and usage values), and add ``area`` to the land that took an attribute
        default where a spatial rule was not applied."""
        by_default = False
        for year, side in sides.items():
            if side.code == ch.UNKNOWN:
                self._count_unknown(layer, year, *codes(year), count=count)
            by_default = by_default or layer.by_default(side, year)
        if by_default:
            self.by_default += area

    def _count_unknown(self, layer, year, cs, us, count=1):
        self.codes["before" if layer is self.before and year == self.years[0] else "after"][
            "%s/%s" % (cs, us)] += count

    def _read(self, layer, transform, progress_from, progress_to):
        """{fid: (geometry, attributes)} of a layer, valid geometries in the input CRS (None when cancelled). A
        whole GeoPackage layer of 2D polygons that needs no transform is read with SQLite (``_read_gpkg``)."""
        if layer.gpkg_layer is not None and transform is None:
            try:
                return self._read_gpkg(layer, progress_from, progress_to)
            except gpkg.FastPathUnavailable as reason:
                self.feedback.pushDebugInfo("'%s' read through QGIS: %s" % (layer.source.sourceName(), reason))
        source = layer.source
        request = QgsFeatureRequest().setSubsetOfAttributes(layer.attribute_indexes())
        items = {}
        total = source.featureCount() or 1
        step = max(1, total // 50)
        for count, (feature, geometry) in enumerate(landcover.geometries(source, transform, request, self.counters)):
            if count % step == 0:
                if self.feedback.isCanceled():
                    return None
                self.feedback.setProgress(progress_from + (progress_to - progress_from) * count / total)
            geometry = self._valid(geometry)
            if geometry is None:
                continue
            items[feature.id()] = (geometry, feature.attributes())
        return items

    def _read_gpkg(self, layer, progress_from, progress_to):
        """``_read`` of a whole GeoPackage layer declared 2D POLYGON or MULTIPOLYGON, straight from the file with
        SQLite (fastpath.gpkg.feature_rows: no QgsFeature per polygon): the same ids, geometries (a blob that is not
        a 2D polygon is made plain as QGIS would read it) and attributes (a list holding the values of the fields
        the layer's vintages use at their field indexes, NULL elsewhere). FastPathUnavailable when the layer does
        not qualify, before anything is read."""
        path, layer_name = layer.gpkg_layer
        gpkg.require_plain_polygons(path, layer_name)
        fid_name = gpkg.fid_column(path, layer_name)
        fields = layer.source.fields()
        indexes = layer.attribute_indexes()
        names = [fields.at(i).name() for i in indexes]
        items = {}
        total = layer.source.featureCount() or 1
        done = 0
        counted = dict(self.counters)
        boxes = self.header_boxes[id(layer)] = {}
        try:
            for rows in gpkg.feature_rows(path, layer_name, [fid_name] + names):
                if self.feedback.isCanceled():
                    return None
                self._read_rows(rows, indexes, fields.count(), items, boxes)
                done += len(rows)
                self.feedback.setProgress(progress_from + (progress_to - progress_from) * done / total)
        except gpkg.FastPathUnavailable:
            self.counters.update(counted)    # read again through QGIS
            raise
        return items

    def _read_rows(self, rows, indexes, width, items, boxes):
        """Add the rows (fid, values of the fields at ``indexes``, WKB, box) of fastpath.gpkg.feature_rows to
        ``items``, and to ``boxes`` the box of the blob's header of the geometries kept as they are."""
        null = compat.null_attribute()     # as QGIS gives a NULL value
        for row in rows:
            wkb = row[-2]
            if wkb is None:
                self.counters["empty"] += 1
                continue
            read = QgsGeometry()
            read.fromWkb(wkb)
            geometry = read if wkb[:5] in _PLAIN_WKB else landcover.plain_geometry(read)
            geometry = self._valid(geometry)
            if geometry is None:
                continue
            if geometry is read and row[-1] is not None:
                boxes[row[0]] = row[-1]
            attributes = [null] * width
            for index, value in zip(indexes, row[1:-2]):
                if value is not None:
                    attributes[index] = value
            items[row[0]] = (geometry, attributes)

    def _run_overlay(self, transitions, consumer, raw):
        """The two-layer overlay; the cuts start (in forked processes) before the OCS2D spatial rules, which the
        sides of the pieces need but the cuts do not. Where the cuts are forked, the rules of a whole GeoPackage
        or PostgreSQL layer are computed aside from the start (changerules.Overrides: a forked process, reading
        the layer with SQL through its own connections), while this one reads the layers; the others once the
        cuts have started."""
        pending = self._apply_spatial_rules(aside=True, defer=True) if self._workers() else None
        try:
            return self._overlay(transitions, consumer, raw, pending)
        finally:
            if pending:
                self._wait(pending)

    def _overlay(self, transitions, consumer, raw, pending):
        before_items = self._read(self.before, None, 0, 15)
        after_items = self._read(self.after, self.transform_after, 15, 30) if before_items is not None else None
        if after_items is None:
            return False
        self.feedback.pushInfo(translate("ChangeAlgorithm", "Overlay of {0} and {1} polygons").format(
            len(before_items), len(after_items)))
        stream = Stream(transitions, consumer, (self.years[0], self.years[1]))
        after_covered = {}
        cutter = self._cutter = Cutter(before_items, after_items, self.meter,
                                       (self.header_boxes.get(id(self.before)), self.header_boxes.get(id(self.after))))
        # without zones to split by, the pieces are not needed as QgsGeometry when written raw or not at all
        form = GEOMETRY if self.zones is not None else NONE if consumer is None else RAW if raw else GEOMETRY
        cuts = cutter.results(self._workers(), form)
        try:
            area_in = self._overlay_first(stream, before_items, after_items, after_covered, cuts) \
                if (self._finish_spatial_rules(pending) if pending is not None
                    else self._apply_spatial_rules() is not None) else None
        finally:
            cuts.close()
        if area_in is None:
            return False
        area_in = self._overlay_second(stream, before_items, after_items, after_covered, area_in)
        self.area_in[stream.period] = area_in
        return True

    def _overlay_first(self, stream, before_items, after_items, after_covered, results):
        """Pieces of every first-vintage polygon (cut by the second vintage, the rest outside it) from
        ``results`` (Cutter.results); m² of land compared, or None when cancelled. ``after_covered``:
        {second-vintage fid: m² covered} is filled."""
        year_before, year_after = stream.period
        cutter = self._cutter
        a_fids, b_fids = cutter.a_fids, cutter.b_fids
        sides = {}      # second-vintage index → its Side (classified once)
        area_in = 0.0
        total = len(a_fids) or 1
        step = max(1, total // 70)
        for count, (i, (area, pieces, rest)) in enumerate(results):
            if count % step == 0:
                if self.feedback.isCanceled():
                    return None
                self.feedback.setProgress(30 + 60.0 * count / total)
            fid = a_fids[i]
            area_in += area
            attributes = before_items[fid][1]
            before = self.before.side(attributes, year_before, fid)
            if before.code == ch.UNKNOWN:
                self._count_unknown(self.before, year_before, *self.before.codes(attributes, year_before))
            for piece, piece_area, j in pieces:
                other = b_fids[j]
                after_covered[other] = after_covered.get(other, 0.0) + piece_area
                after = sides.get(j)
                if after is None:
                    after = sides[j] = self.after.side(after_items[other][1], year_after, other)
                self._piece(stream, piece, piece_area, before, after)
            if rest is not None:
                self._piece(stream, rest[0], rest[1], before, ch.OUTSIDE_SIDE)
        return area_in

    def _workers(self):
        """Processes cutting the polygons beside this one (which cuts too whenever it has no piece to hand on):
        ``workers`` of the options (1: none), else one per core but one (at most 4). None where processes cannot
        be forked (not Linux) or the areas are measured through a transform or on the ellipsoid. None by default
        in QGIS Desktop (a GUI process with its own threads is not forked; qgis_process, scripts and tests
        are)."""
        if self.meter.transform is not None or self.meter.geographic or not FORK:
            return 0
        if self.workers:
            return self.workers if self.workers > 1 else 0
        if in_desktop():
            return 0
        return max(0, min(4, (os.cpu_count() or 1) - 1))

    def _overlay_second(self, stream, before_items, after_items, after_covered, area_in):
        """Pieces of the land of the second vintage outside the first; returns ``area_in`` plus their m² (sets
        ``area_after``)."""
        year_after = stream.period[1]
        cutter = self._cutter
        area_after = 0.0
        uncovered = []
        for j, fid in enumerate(cutter.b_fids):
            geometry, attributes = after_items[fid]
            area = self.meter.area(geometry)
            area_after += area
            after = self.after.side(attributes, year_after, fid)
            if after.code == ch.UNKNOWN:
                self._count_unknown(self.after, year_after, *self.after.codes(attributes, year_after))
            if area - after_covered.get(fid, 0.0) > max(RESIDUAL_SHARE * area, 1e-6):
                uncovered.append((j, after))
        for (j, after), others in zip(uncovered, cutter.neighbours_of_second([j for j, _a in uncovered])):
            rest = self._outside(cutter.b_geometries[j], [cutter.a_geometries[i] for i in others])
            if rest is not None:
                area_in += rest[1]
                # without zones the pieces go to the consumer as they are (raw from the cuts when asked)
                piece = raw_geometry(rest[0]) if self.raw and self.zones is None else rest[0]
                self._piece(stream, piece, rest[1], ch.OUTSIDE_SIDE, after)
        self.area_after = area_after
        return area_in

    def _outside(self, geometry, others):
        """(geometry, m²) of ``geometry`` outside ``others``, or None when nothing (measurable) is left."""
        return outside(geometry, others, self.meter)

    def _piece(self, stream, geometry, area, before, after):
        if self.min_area and area < self.min_area:
            self.counters["dropped"] += 1
            self.dropped_area += area
            return
        period = stream.period
        if (self.before.warned or self.after.warned) and \
                (self.before.by_default(before, period[0]) or self.after.by_default(after, period[1])):
            self.by_default += area
        if self.zones is None:      # two layers: one period, ``stream.period``, and no zone to split by
            stream.transitions.add(period, None, before, after, area)
            if stream.consumer is not None:
                stream.consumer(geometry, None, before, after, area)
            return
        self._emit(stream, geometry, area, {period[0]: before, period[1]: after})

    # -- checks and log -------------------------------------------------------------------------------------
    def _report(self, transitions):
        feedback = self.feedback
        if self.counters["invalid"]:
            feedback.reportError(translate(
                "ChangeAlgorithm", "{0} invalid geometries were repaired (makeValid) before use.").format(
                self.counters["invalid"]), False)
        if self.counters["empty"]:
            feedback.reportError(translate(
                "ChangeAlgorithm", "{0} features without geometry (or emptied by the repair) carry no area and "
                "are left out.").format(self.counters["empty"]), False)
        if self.counters["dropped"]:
            feedback.reportError(translate(
                "ChangeAlgorithm", "MIN_AREA_M2: {0} pieces dropped, {1} m² in all.").format(
                self.counters["dropped"], local_number(self.dropped_area, 2)), False)
        for side in ("before", "after"):
            landcover.report_counts(feedback, translate(
                "ChangeAlgorithm", "{0} features with a NULL or unknown code are counted as 'inconnu'."),
                self.codes[side])
        if self.by_default:
            feedback.reportError(translate(
                "ChangeAlgorithm", "{0} ha depend on a spatial rule of the OCS2D method (US7.0.0 near urban "
                "areas, agricultural structures near the enveloppe urbaine) and were classified by their "
                "attributes alone, as asked (SPATIAL_RULES off). Turn SPATIAL_RULES on, or give the output of "
                "Reclassify (its p4_/p21_/enaf_ fields are used), to apply them.").format(local_number(self.by_default / 1e4, 2)), False)
        for period in self.periods:
            expected = self.area_in.get(period, 0.0) - self.dropped_area
            found = transitions.total(period)
            ok = ch.conserved(expected, found)
            zone_sum = sum(transitions.total(period, zone) for zone in transitions.zones())
            feedback.pushInfo(translate(
                "ChangeAlgorithm", "Conservation {0}: land compared {1} ha, matrix total {2} ha, zones total {3} ha.")
                .format(ch.period_label(period), local_number(expected / 1e4, 4), local_number(found / 1e4, 4),
                        local_number(zone_sum / 1e4, 4)))
            if self.mode == "overlay" and not self.min_area:
                after_found = found - sum(area for (_f, code_to), area in transitions.matrix(period).items()
                                          if code_to == ch.OUTSIDE)
                ok = ok and ch.conserved(self.area_after, after_found)
            if not ok or not ch.conserved(found, zone_sum):
                raise QgsProcessingException(translate(
                    "ChangeAlgorithm", "Area not conserved for {0}: {1} ha in, {2} ha out. Overlapping zones or "
                    "polygons give this; check the inputs (Check validity, overlaps).").format(
                    ch.period_label(period), local_number(expected / 1e4, 4), local_number(found / 1e4, 4)))


class PieceWriter:
    """The pieces of ``ChangeJob.run(raw=True)`` written straight to a new GeoPackage layer with SQLite
    (fastpath.gpkgwrite: no QgsFeature per piece, the R-tree written packed), the same features as the sink would
    write (2D MultiPolygons). ``columns``: [(name, 'int' | 'double' | 'str')] after fid and geom; the fids are 1,
    2, … in the order of ``row``."""

    def __init__(self, job, path, layer_name, columns):
        srs = None
        if job.crs.isValid():
            srs = osr.SpatialReference()
            srs.ImportFromWkt(job.crs.toWkt())
        self.writer = gpkgwrite.LayerWriter(path, layer_name, srs, columns)
        self.srs_id = self.writer.srs_id
        self.boxes = array.array("d")      # minx, maxx, miny, maxy of each row, for the R-tree

    def row(self, fid, geometry, values):
        """The row of a piece: ``geometry`` = (WKB, (xmin, ymin, xmax, ymax)), ``values`` of the columns."""
        wkb, box = geometry
        self.boxes.extend((box[0], box[2], box[1], box[3]))
        try:
            blob = gpkgwrite.multipolygon_blob(self.srs_id, wkb, box)
        except ValueError:      # not a 2D Polygon (a feature unlike its layer's type): as the sink writes it
            plain = QgsGeometry(landcover.plain_geometry(_from_wkb(wkb)))
            plain.convertToMultiType()
            blob = gpkgwrite.multipolygon_blob(self.srs_id, bytes(plain.asWkb()), box)
        return (fid, blob, *values)

    def add(self, rows):
        self.writer.add(rows)

    def close(self):
        boxes = numpy.frombuffer(self.boxes, dtype=float).reshape(-1, 4)
        self.writer.close(numpy.arange(1, len(boxes) + 1), boxes)

    def abort(self):
        self.writer.abort()


def in_desktop():
    """True in QGIS Desktop (QgsApplication.platform() "desktop"), False under qgis_process and in scripts."""
    app = QgsApplication.instance()
    return app is not None and QgsApplication.platform() == "desktop"


def outside(geometry, others, meter):
    """(geometry, m²) of ``geometry`` outside the geometries ``others``, or None when nothing (measurable) is
    left; areas by ``meter`` (landcover.AreaMeter)."""
    box = geometry.boundingBox()
    frame = QgsGeometry.fromRect(box)
    # an exact clip: QgsGeometry.clipped can return an invalid polygon (a border touching the box), whose
    # difference GEOS gets wrong
    clipped = [o.intersection(frame) if not box.contains(o.boundingBox()) else o for o in others]
    clipped = [c for c in clipped if c is not None and not c.isEmpty()]
    if clipped:
        union = QgsGeometry.unaryUnion(clipped)
        rest = spatial.polygonal_part(geometry.difference(union))
    else:
        rest = geometry
    if rest is None or rest.isEmpty():
        return None
    area = meter.area(rest)
    return (rest, area) if area > 0 else None


def _box_rows(geometries, fids=None, known=None):
    """numpy rows (xmin, ymin, xmax, ymax) of the bounding boxes of ``geometries`` (ids ``fids``), those of
    ``known`` ({fid: box}) taken as they are."""
    known = known or {}
    rows = []
    for fid, geometry in zip(fids or [None] * len(geometries), geometries):
        box = known.get(fid)
        if box is None:
            bounds = geometry.boundingBox()
            box = (bounds.xMinimum(), bounds.yMinimum(), bounds.xMaximum(), bounds.yMaximum())
        rows.append(box)
    return numpy.array(rows, dtype=float).reshape(-1, 4)


# little-endian 2D Polygon and MultiPolygon WKB headers: read as they are
_PLAIN_WKB = (b"\x01\x03\x00\x00\x00", b"\x01\x06\x00\x00\x00")
FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
GEOMETRY, RAW, NONE = "geometry", "raw", "none"     # forms of the pieces of Cutter.results
_FORKED = None      # (Cutter, chunks, shared number of the next chunk) of the forked processes, while they start
_FORK_LOCK = threading.Lock()


def _forked_cuts(_task):
    """In a forked process: (k, cuts) of the next chunk k of first-layer polygons that no process took yet, or
    None when none is left; cuts: [(m², [(piece, m², second-layer index)], (rest, m²) or None) as raw_geometry,
    or None for a polygon that is matched (not cut here)]."""
    cutter, chunks, claim, form = _FORKED
    k = _claim(claim, len(chunks))
    if k is None:
        return None
    return k, [None if i in cutter.same else _as_raw(cutter.cut(i), form) for i in range(*chunks[k])]


def _claim(counter, count):
    """The number of the next chunk (taken: the shared ``counter`` moves on), or None when all are taken."""
    with counter.get_lock():
        k = counter.value
        if k >= count:
            return None
        counter.value = k + 1
    return k


def raw_geometry(geometry):
    """(WKB, (xmin, ymin, xmax, ymax)) of a QgsGeometry."""
    box = geometry.boundingBox()
    return bytes(geometry.asWkb()), (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum())


def _as_raw(cut, form=RAW):
    """A cut with its geometries as raw_geometry (``form`` RAW) or None (NONE)."""
    area, pieces, rest = cut
    convert = raw_geometry if form == RAW else _nothing
    return (area, [(convert(piece), piece_area, j) for piece, piece_area, j in pieces],
            None if rest is None else (convert(rest[0]), rest[1]))


def _nothing(_geometry):
    return None


def _from_raw(cut):
    area, pieces, rest = cut
    return (area, [(_multi(_from_wkb(piece[0])), piece_area, j) for piece, piece_area, j in pieces],
            None if rest is None else (_from_wkb(rest[0][0]), rest[1]))


def _from_wkb(wkb):
    geometry = QgsGeometry()
    geometry.fromWkb(wkb)
    return geometry


class _Cuts:
    """The cuts of every first-layer polygon, in order, as Cutter.results gives them. The forked processes start
    at once and take chunks of CHUNK polygons in turn; this process hands the pieces on in order and, whenever
    the next chunk is not ready, takes the next free chunk and cuts it itself, so that every process stays busy
    whatever the share of reading, writing and cutting. ``close`` ends the processes."""

    def __init__(self, cutter, workers, form):
        self.cutter, self.form = cutter, form
        count = len(cutter.a_fids)
        self.chunks = [(start, min(start + cutter.CHUNK, count)) for start in range(0, count, cutter.CHUNK)]
        self.pool = self.forked = None
        self.ready = {}     # chunk number → its cuts, done ahead of their turn
        if workers >= 1 and len(cutter.same) < count:
            global _FORKED
            context = multiprocessing.get_context("fork")
            self.claim = context.Value("q", 0)
            with _FORK_LOCK:    # two jobs at once (threads of QGIS): each pool forks with its own Cutter
                _FORKED = (cutter, self.chunks, self.claim, RAW if form == GEOMETRY else form)
                # the objects read so far out of the collector's reach: its passes in a forked process would
                # otherwise write to every one of them, and copy the pages shared with this process
                gc.freeze()
                try:
                    self.pool = context.Pool(workers)
                finally:
                    gc.unfreeze()
                    _FORKED = None
            self.forked = self.pool.imap_unordered(_forked_cuts, range(len(self.chunks)))

    def _cut(self, i):
        area, pieces, rest = self.cutter.cut(i)
        if self.form != GEOMETRY:
            return _as_raw((area, pieces, rest), self.form)
        if i in self.cutter.same:   # the polygon itself
            return area, pieces, rest
        return area, [(_multi(piece), piece_area, j) for piece, piece_area, j in pieces], rest

    def _here(self, k):
        return [self._cut(i) for i in range(*self.chunks[k])]

    def _take(self, k):
        """The cuts of chunk ``k``: [cut, or None for a polygon to cut here]."""
        if self.pool is None:
            return self._here(k)
        while k not in self.ready:
            try:
                while True:     # what the forked processes have done so far
                    self._store(self.forked.next(timeout=0))
            except (multiprocessing.TimeoutError, StopIteration):
                pass
            if k in self.ready:
                break
            mine = _claim(self.claim, len(self.chunks))
            if mine is not None:
                self.ready[mine] = self._here(mine)
            else:   # every chunk is taken: wait for the forked processes
                self._store(self.forked.next())
        return self.ready.pop(k)

    def _store(self, result):
        if result is not None:
            k, cuts = result
            self.ready[k] = cuts if self.form != GEOMETRY else [None if c is None else _from_raw(c) for c in cuts]

    def __iter__(self):
        for k, (start, end) in enumerate(self.chunks):
            for i, cut in zip(range(start, end), self._take(k)):
                yield i, self._cut(i) if cut is None else cut

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


class Cutter:
    """The two-layer overlay, polygon by polygon of the first layer, optionally in forked processes.

    Polygons identical in both layers (same box, same WKB) are matched first, without any GEOS call. The pairs
    of the others whose boxes overlap come from fastpath.boxes in one pass (no spatial-index query per polygon);
    the box test spares the ``contains`` / ``within`` calls that cannot hold, prepared predicates skip the
    neighbours that only touch, and only the pairs sharing some interior are intersected. ``results(workers,
    form)`` yields (first-layer index, (m², [(piece, m², second-layer index)], rest outside the second layer or
    None)) in the order of the first layer, whatever the number of processes: the pieces are the same.
    ``known_boxes``: ({fid: box} of the first layer, of the second) where the boxes are known already (the blob
    headers of a GeoPackage), or None.
    """

    CHUNK = 256     # first-layer polygons per task

    def __init__(self, before_items, after_items, meter, known_boxes=None):
        self.meter = meter
        self.a_fids, self.b_fids = list(before_items), list(after_items)
        self.a_geometries = [before_items[fid][0] for fid in self.a_fids]
        self.b_geometries = [after_items[fid][0] for fid in self.b_fids]
        known = known_boxes or (None, None)
        self.a_boxes = _box_rows(self.a_geometries, self.a_fids, known[0])
        self.b_boxes = _box_rows(self.b_geometries, self.b_fids, known[1])
        self.b_box_rows = self.b_boxes.tolist()
        # planar areas in metres: QgsGeometry.area itself, without the meter's checks (the pieces are never null)
        self.area = QgsGeometry.area if meter.transform is None and not meter.geographic and meter.factor == 1.0 \
            else meter.area
        ia, ib = box_pairs.overlapping_pairs(self.a_boxes, self.b_boxes)
        self.same = self._identical(ia, ib)
        # a second-layer polygon matched by an identical one only touches the other first-layer polygons (the
        # layers are tessellations): it is not cut again, but it still bounds their rest outside the second layer
        # (overlapping first-layer polygons then break the area check instead of being counted twice)
        self.matched = numpy.zeros(len(self.b_fids), dtype=bool)
        self.matched[list(self.same.values())] = True
        if self.same:
            keep = ~numpy.isin(ia, numpy.fromiter(self.same, dtype=numpy.int64, count=len(self.same)))
            ia, ib = ia[keep], ib[keep]
        self.ib = ib
        everyone = numpy.arange(len(self.a_fids))
        self.starts = numpy.searchsorted(ia, everyone, "left")
        self.ends = numpy.searchsorted(ia, everyone, "right")

    def _identical(self, ia, ib):
        """{first-layer index: second-layer index} of the polygons with the same box and the same WKB, among the
        pairs ``ia``, ``ib`` of overlapping boxes."""
        equal = numpy.flatnonzero((self.a_boxes[ia] == self.b_boxes[ib]).all(axis=1))
        same = {}
        b_wkb = {}
        for i, j in zip(ia[equal].tolist(), ib[equal].tolist()):
            if i in same:
                continue
            other = b_wkb.get(j)
            if other is None:
                other = b_wkb[j] = self.b_geometries[j].asWkb()
            if other == self.a_geometries[i].asWkb():
                same[i] = j
        return same

    def neighbours_of_second(self, indexes):
        """For each second-layer index of ``indexes``, the first-layer indexes whose boxes overlap its box."""
        indexes = numpy.asarray(indexes, dtype=numpy.int64)
        if not len(indexes):
            return []
        ib, ia = box_pairs.overlapping_pairs(self.b_boxes[indexes], self.a_boxes)
        starts = numpy.searchsorted(ib, numpy.arange(len(indexes)), "left")
        ends = numpy.searchsorted(ib, numpy.arange(len(indexes)), "right")
        return [ia[start:end].tolist() for start, end in zip(starts, ends)]

    def results(self, workers=0, form=GEOMETRY):
        """The cuts of every first-layer polygon, in order (an iterable; call its ``close`` when done):
        ``workers`` forked processes, started now, cut the polygons that are not matched while this one goes
        on (0: all here). ``form``: the pieces as QgsGeometry (GEOMETRY: MultiPolygons), as raw_geometry (RAW)
        or None (NONE: not needed). Threads do not pay here: the GIL, taken back after every QGIS call, makes
        them slower than one thread."""
        return _Cuts(self, workers, form)

    def cut(self, i):
        """(m², [(piece, m², second-layer index)], (rest, m²) or None) of first-layer polygon ``i``; a piece is a
        Polygon or a MultiPolygon."""
        geometry = self.a_geometries[i]
        area = self.area(geometry)
        j = self.same.get(i)
        if j is not None:
            return area, [(geometry, area, j)], None
        candidates = self.ib[self.starts[i]:self.ends[i]]
        pieces, covered = self._pieces(geometry, i, candidates[~self.matched[candidates]].tolist())
        candidates = candidates.tolist()
        rest = None
        if area - covered > max(RESIDUAL_SHARE * area, 1e-6):
            rest = outside(geometry, [self.b_geometries[j] for j in candidates], self.meter)
        return area, pieces, rest

    def _pieces(self, geometry, i, candidates):
        """([(piece, m², second-layer index)], m² covered) of first-layer polygon ``i`` by ``candidates``."""
        if not candidates:
            return [], 0.0
        # no ``touches`` call: the intersection of polygons that only touch is a line or a point, dropped
        engine = QgsGeometry.createGeometryEngine(geometry.constGet())
        engine.prepareGeometry()
        ax0, ay0, ax1, ay1 = self.a_boxes[i].tolist()
        area_of, b_geometries, b_boxes = self.area, self.b_geometries, self.b_box_rows
        pieces = []
        covered = 0.0
        for j in candidates:
            other = b_geometries[j]
            other_abstract = other.constGet()
            bx0, by0, bx1, by1 = b_boxes[j]
            if ax0 <= bx0 and ay0 <= by0 and bx1 <= ax1 and by1 <= ay1 and engine.contains(other_abstract):
                piece = other
            elif bx0 <= ax0 and by0 <= ay0 and ax1 <= bx1 and ay1 <= by1 and engine.within(other_abstract):
                piece = geometry
            elif engine.intersects(other_abstract):
                piece = _geometry(engine.intersection(other_abstract))
                if piece is None:
                    continue
            else:
                continue
            piece_area = area_of(piece)
            if piece_area > 0:
                pieces.append((piece, piece_area, j))
                covered += piece_area
        return pieces, covered


def _multi(geometry):
    """``geometry`` as a multipolygon (a copy when it has to be converted), as the outputs write it."""
    if QgsWkbTypes.isMultiType(geometry.wkbType()):
        return geometry
    geometry = QgsGeometry(geometry)
    geometry.convertToMultiType()
    return geometry


def _geometry(abstract):
    """Polygonal QgsGeometry of a geometry-engine result (None when empty or not polygonal)."""
    if abstract is None:
        return None
    geometry = QgsGeometry(abstract)
    if geometry.isEmpty():
        return None
    return spatial.polygonal_part(geometry)


class ZoneFinder:
    """Which zone(s) a polygon lies in, with its parts when it straddles several.

    A grid of cells is classified lazily (the one zone that contains the cell, or mixed): a polygon whose box
    falls in cells of one zone is assigned without any geometry operation.
    """

    def __init__(self, items, meter, counters, cells_per_zone_side=12):
        self.values = [value for value, _g in items]
        self.geometries = [geometry for _v, geometry in items]
        self.meter = meter
        self.counters = counters
        self.index = QgsSpatialIndex()
        extent = compat.null_rectangle()
        for i, geometry in enumerate(self.geometries):
            box = geometry.boundingBox()
            self.index.addFeature(i, box)
            extent.combineExtentWith(box)
        self.extent = extent
        self.origin = (extent.xMinimum(), extent.yMinimum())
        # cells of about 1/12 of a typical zone's side (≈ 240 m for 8 km² communes): most land-cover polygons
        # fall in one to four cells, and a cell is classified once
        mean_area = sum(g.area() for g in self.geometries) / len(self.geometries)
        self.size = math.sqrt(mean_area) / cells_per_zone_side if mean_area > 0 else \
            (max(extent.width(), extent.height()) or 1.0)
        self.engines = {}
        self.cells = {}

    def engine(self, i):
        engine = self.engines.get(i)
        if engine is None:
            engine = self.engines[i] = QgsGeometry.createGeometryEngine(self.geometries[i].constGet())
            engine.prepareGeometry()
        return engine

    def _one_zone(self, ix0, ix1, iy0, iy1):
        """The zone that contains every cell of the block ix0..ix1 × iy0..iy1, or -1."""
        cells = self.cells
        zone = cells.get((ix0, iy0))
        if zone is None:
            zone = self._cell(ix0, iy0)
        if zone < 0:
            return -1
        for ix in range(ix0, ix1 + 1):
            for iy in range(iy0, iy1 + 1):
                other = cells.get((ix, iy))
                if other is None:
                    other = self._cell(ix, iy)
                if other != zone:
                    return -1
        return zone

    def _cell(self, ix, iy):
        key = (ix, iy)
        zone = self.cells.get(key)
        if zone is None:
            x0 = self.extent.xMinimum() + ix * self.size
            y0 = self.extent.yMinimum() + iy * self.size
            rect = QgsRectangle(x0, y0, x0 + self.size, y0 + self.size)
            cell = QgsGeometry.fromRect(rect)
            zone = -1
            for i in self.index.intersects(rect):
                if self.engine(i).contains(cell.constGet()):
                    zone = i
                    break
            self.cells[key] = zone
        return zone

    def split(self, geometry, area):
        """([(zone value or None, geometry, m²)], m² of the polygon) — None for the land outside every zone.

        A polygon that has to be cut is repaired first when invalid (counted); the area returned is then the
        repaired one, which the parts add up to.
        """
        box = geometry.boundingBox()
        x0, y0, size = self.origin[0], self.origin[1], self.size
        ix0, ix1 = int(math.floor((box.xMinimum() - x0) / size)), int(math.floor((box.xMaximum() - x0) / size))
        iy0, iy1 = int(math.floor((box.yMinimum() - y0) / size)), int(math.floor((box.yMaximum() - y0) / size))
        if (ix1 - ix0 + 1) * (iy1 - iy0 + 1) <= 9:
            zone = self._one_zone(ix0, ix1, iy0, iy1)
            if zone >= 0:
                return [(self.values[zone], geometry, area)], area
        candidates = self.index.intersects(box)
        if not candidates:
            return [(None, geometry, area)], area
        valid = spatial.repaired(geometry, self.counters)
        if valid is None:
            self.counters["empty"] += 1
            return [], 0.0
        if valid is not geometry:
            geometry, area = valid, self.meter.area(valid)
        parts = []
        covered = 0.0
        for i in candidates:
            engine = self.engine(i)
            if engine.contains(geometry.constGet()):
                return [(self.values[i], geometry, area)], area
            if not engine.intersects(geometry.constGet()) or engine.touches(geometry.constGet()):
                continue
            piece = _geometry(engine.intersection(geometry.constGet()))
            if piece is None:
                continue
            piece_area = self.meter.area(piece)
            if piece_area > 0:
                parts.append((self.values[i], piece, piece_area))
                covered += piece_area
        if area - covered > max(RESIDUAL_SHARE * area, 1e-6):
            # the land outside every zone is the polygon less its pieces: a zone clipped to the polygon's box
            # (QgsGeometry.clipped) can be invalid where the zone's border touches the box, and GEOS then
            # returned an empty difference, so that land was lost (issue #20: a commune kept by ZONE_FILTER)
            pieces = [piece for _zone, piece, _area in parts]
            rest = spatial.polygonal_part(geometry.difference(QgsGeometry.unaryUnion(pieces))) if pieces \
                else geometry
            if rest is not None and not rest.isEmpty():
                rest_area = self.meter.area(rest)
                if rest_area > 0:
                    parts.append((None, rest, rest_area))
        return parts, area
