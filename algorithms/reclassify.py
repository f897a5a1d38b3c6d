"""ocs:reclassify — OCS2D / OCS GE couverture × usage to levels, OCS GE, 4 postes, 21 postes, ENAF, artif…"""
import functools
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy
from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsGeometry,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMatrix,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import rules, tables
from . import base
from ..fastpath import gpkg
from ..engines import landcover, spatial, styling

DEFAULT_TARGETS = {nom.OCS2D_2021: ("p4", "p21", "enaf"), nom.OCS2D_NPDC: ("p4", "p21", "enaf"),
                   nom.OCSGE: ("ocsge", "artif", "impermeable")}
CUSTOM_HEADERS = tables.CUSTOM_HEADERS
matrix_rows = tables.matrix_rows


def _from_wkb(wkb):
    geometry = QgsGeometry()
    geometry.fromWkb(wkb)
    return geometry


def _pair_order(item):
    """SQLite's order of ((cs, us), count) items: NULL first, then text in code-point order."""
    (cs, us), _count = item
    return (cs is not None, cs or "", us is not None, us or "")


class ReclassifyAlgorithm(base.OcsAlgorithm):
    NAME = "reclassify"
    GROUP = "nomenclatures"
    INPUT = "INPUT"
    NOMENCLATURE = "NOMENCLATURE"
    VINTAGES = "VINTAGES"
    CS_FIELD = "CS_FIELD"
    US_FIELD = "US_FIELD"
    TARGETS = "TARGETS"
    CUSTOM_TABLE = "CUSTOM_TABLE"
    OUTPUT = "OUTPUT"

    def tr(self, text):
        return QCoreApplication.translate("ReclassifyAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Reclassify land cover / land use")

    def target_options(self):
        return [self.tr("Level 1 (couverture and usage)"), self.tr("Level 2 (couverture and usage)"),
                self.tr("Level 3 (couverture and usage)"), self.tr("OCS GE equivalent"), self.tr("4 postes"),
                self.tr("21 postes"), self.tr("ENAF (and NAF / non-NAF)"),
                self.tr("Artificialisation (decree 2023-1096, matrix step)"), self.tr("Imperméabilisation"),
                self.tr("Custom table")]

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (OCS2D or OCS GE)"), [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, self.tr("Nomenclature"), base.nomenclature_options(), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.VINTAGES, self.tr("Vintages (e.g. 2015,2021; empty = every vintage detected)"),
            optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.CS_FIELD, self.tr("Couverture field (override, one vintage)"),
            parentLayerParameterName=self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.US_FIELD, self.tr("Usage field (override, one vintage)"),
            parentLayerParameterName=self.INPUT, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.TARGETS, self.tr("Targets (empty = 4 postes, 21 postes, ENAF for OCS2D; OCS GE equivalent, "
                                  "artificialisation, imperméabilisation for OCS GE)"),
            self.target_options(), allowMultiple=True, optional=True, defaultValue=[]))
        self.addParameter(QgsProcessingParameterMatrix(
            self.CUSTOM_TABLE, self.tr("Custom table (source code → class code, label, colour)"),
            headers=CUSTOM_HEADERS, hasFixedNumberRows=False, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Reclassified"), QgsProcessing.TypeVectorPolygon))

    # -- parameters -------------------------------------------------------------------------------------
    def _targets(self, parameters, context, key):
        indexes = self.parameterAsEnums(parameters, self.TARGETS, context) or []
        targets = [rules.TARGETS[i] for i in indexes]
        return targets or list(DEFAULT_TARGETS[key])

    def _custom_rows(self, parameters, context):
        try:
            return matrix_rows(self.parameterAsMatrix(parameters, self.CUSTOM_TABLE, context))
        except ValueError as error:
            raise QgsProcessingException(
                self.tr("CUSTOM_TABLE must have 4 columns (source, code, label, colour); got {0} values.")
                .format(error.args[0]))

    # -- run ----------------------------------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = base.require_polygon_source(self, parameters, self.INPUT, context)
        if source.featureCount() == 0:
            raise QgsProcessingException(self.tr("The input layer '{0}' is empty.").format(source.sourceName()))
        vintages = landcover.resolve_vintages(
            source, self.parameterAsString(parameters, self.VINTAGES, context),
            self.parameterAsString(parameters, self.CS_FIELD, context) or None,
            self.parameterAsString(parameters, self.US_FIELD, context) or None, feedback)
        key = landcover.choose_nomenclature(source, vintages,
                                       self.parameterAsEnum(parameters, self.NOMENCLATURE, context), feedback)
        targets = self._targets(parameters, context, key)
        custom_rows = self._custom_rows(parameters, context)
        if key == nom.OCSGE and any(t in rules.OCS2D_ONLY for t in targets):
            raise QgsProcessingException(self.tr(
                "4 postes, 21 postes and ENAF are defined by the Hauts-de-France methods on OCS2D codes only; "
                "this layer is OCS GE. Choose other targets, or force the nomenclature if the layer is OCS2D."))
        if "custom" in targets and not custom_rows:
            raise QgsProcessingException(self.tr("The custom target needs a CUSTOM_TABLE."))
        try:
            classifier = rules.Reclassifier(key, targets, custom_rows)
        except ValueError as error:
            raise QgsProcessingException(self.tr("CUSTOM_TABLE: {0}").format(error))
        feedback.pushInfo(self.tr("Targets: {0}").format(", ".join(classifier.targets)))

        input_fields = source.fields()
        indexes = [(input_fields.lookupField(v.cs_field), input_fields.lookupField(v.us_field)) for v in vintages]
        spatial_needed = key != nom.OCSGE and any(t in classifier.targets for t in ("p4", "p21", "enaf"))
        counters = {"cs": Counter(), "us": Counter(), "null": Counter(), "unclassified": Counter()}

        fast = self._fast_path(parameters, context, source, classifier, vintages, feedback)
        if fast is not None:
            destination = self._run_fast(fast, parameters, context, feedback, source, classifier, vintages,
                                         indexes, spatial_needed, counters)
        else:
            destination = self._run_generic(parameters, context, feedback, source, classifier, vintages,
                                            indexes, spatial_needed, counters)
        if destination is None:  # cancelled
            return {}

        code_fields = [(f.name(v.vintage), f.style) for v in reversed(vintages) for f in classifier.fields
                       if not f.is_label and f.style]
        if code_fields:
            main_field, main_key = code_fields[0]
            styling.style_output(context, feedback, destination, main_field, main_key, classifier.custom,
                                 extra=code_fields[1:])
        return {self.OUTPUT: destination}

    def _run_generic(self, parameters, context, feedback, source, classifier, vintages, indexes,
                     spatial_needed, counters):
        """Feature by feature through the QGIS API: any input, any output format."""
        fields, slots = self._output_fields(source.fields(), classifier, vintages, feedback)
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                                 QgsWkbTypes.multiType(source.wkbType()), source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        near = {}
        if spatial_needed:
            near = self._spatial_rules(source, context, feedback, classifier, vintages, indexes)
            if feedback.isCanceled():
                return None
        input_count = len(source.fields())
        total = source.featureCount() or 1
        area_meter = landcover.AreaMeter(source.sourceCrs(), context)
        area_in = 0.0
        written = 0
        width = fields.count()
        batch = []
        count = -1
        for count, feature in enumerate(landcover.features(source)):
            if feedback.isCanceled():
                return None
            attributes = feature.attributes() + [None] * (width - input_count)
            fid = feature.id()
            for v_index, (cs_index, us_index) in enumerate(indexes):
                cs_raw, us_raw = attributes[cs_index], attributes[us_index]
                result = classifier.classify(cs_raw, us_raw)
                self._count(counters, result, vintages[v_index], cs_raw, us_raw, 1)
                values = classifier.near_values(result) if (fid, v_index) in near else result.values
                for slot, value in zip(slots[v_index], values):
                    attributes[slot] = value
            out = QgsFeature(fields, fid)
            geometry = feature.geometry()
            if not geometry.isNull() and not geometry.isMultipart():
                geometry.convertToMultiType()
            out.setGeometry(geometry)
            out.setAttributes(attributes[:width])
            area_in += area_meter.area(geometry)
            batch.append(out)
            if len(batch) >= 5000:
                written += self._flush(sink, batch)
                batch = []
                feedback.setProgress(100.0 * count / total)
        if batch:
            written += self._flush(sink, batch)
        if written != count + 1:
            raise QgsProcessingException(self.tr("{0} features read but {1} written.").format(count + 1, written))
        feedback.pushInfo(self.tr("{0} features read and written, {1:.4f} ha in and out (geometries copied "
                                  "unchanged).").format(written, area_in / 1e4))
        self._report(feedback, counters)
        del sink  # flush and close the file before storing its style
        return destination

    def _flush(self, sink, batch):
        if not sink.addFeatures(batch, QgsFeatureSink.FastInsert):
            raise QgsProcessingException(self.tr("Could not write to the output: {0}").format(sink.lastError()))
        return len(batch)

    def _fast_path(self, parameters, context, source, classifier, vintages, feedback):
        """A GpkgReclassifier when the GeoPackage fast path gives the same result, else None."""
        value = parameters.get(self.OUTPUT)
        if isinstance(value, QgsProcessingOutputLayerDefinition):
            value = value.sink.staticValue()
        if not isinstance(value, str) or source.sourceCrs().isGeographic():
            return None
        names = set(source.fields().names())
        if any(f.name(v.vintage) in names for v in vintages for f in classifier.fields):
            return None
        try:
            path, layer_name = base.gpkg_input(self, parameters, self.INPUT, context)
            out_path, out_layer = gpkg.gpkg_output(value, path, whole_file=True)
            reader = gpkg.GpkgReclassifier(path, layer_name)
            for vintage in vintages:
                for field in (vintage.cs_field, vintage.us_field):
                    if not reader.is_text(field):
                        raise gpkg.FastPathUnavailable("%s is not a text field" % field)
            reader.area(probe=True)
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
            return None
        reader.out_path, reader.out_layer = out_path, out_layer
        return reader

    def _run_fast(self, reader, parameters, context, feedback, source, classifier, vintages, indexes,
                  spatial_needed, counters):
        """The attribute rules as one SQL join (GDAL), then the spatial rules as UPDATEs."""
        destination = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        count_in = reader.feature_count()
        # one GROUP BY over the code fields of every vintage, then the (cs, us) pairs of each vintage from it
        combinations = reader.combinations([f for v in vintages for f in (v.cs_field, v.us_field)],
                                           with_fids=spatial_needed)
        tables = []
        for v, vintage in enumerate(vintages):
            pairs = Counter()
            for values, count, *_fids in combinations:
                pairs[values[2 * v], values[2 * v + 1]] += count
            table = {}
            for (cs_raw, us_raw), count in sorted(pairs.items(), key=_pair_order):  # as GROUP BY cs, us
                result = classifier.classify(cs_raw, us_raw)
                self._count(counters, result, vintage, cs_raw, us_raw, count)
                table[gpkg.pair_key(cs_raw, us_raw)] = result.values
            tables.append(table)
        columns = [[(f.name(v.vintage), "int" if f.kind == rules.INT else "str") for f in classifier.fields]
                   for v in vintages]
        write = functools.partial(reader.write, reader.out_path, reader.out_layer,
                                  [(v.cs_field, v.us_field) for v in vintages], columns, tables)

        def write_and_measure(progress, distinct):
            """(input area, output count, output area): the output written, then measured (the UPDATEs of the
            spatial rules change attributes only)."""
            source_reader = gpkg.GpkgReclassifier(reader.path, reader.layer_name)
            try:
                area_in = source_reader.area()
            finally:
                source_reader.close()
            write(progress, distinct)
            if feedback.isCanceled():
                return None
            written = gpkg.GpkgReclassifier(reader.out_path, reader.out_layer)
            try:
                return area_in, written.feature_count(), written.area()
            finally:
                written.close()

        feedback.pushInfo(self.tr("Writing {0}…").format(reader.out_path))
        near = {}
        if spatial_needed:
            # The attribute rules' output is written (and measured) on a thread of its own (SQLite and GDAL
            # release the GIL) while the spatial rules are computed; their few changes are applied afterwards
            # as UPDATEs. That write reports no progress (a Python callback would take the GIL for every
            # feature) and, when the run is cancelled, is waited for.
            pool = ThreadPoolExecutor(max_workers=1)
            written = pool.submit(write_and_measure, None, [c[0] for c in combinations])
            store = reader.geometries()
            try:
                near = self._spatial_rules(source, context, feedback, classifier, vintages, indexes,
                                           {values: fids for values, _count, fids in combinations}, store)
            finally:
                combinations = None
                if store is not None:
                    store.close()
                pool.shutdown(wait=True)
            measured = written.result()
        else:
            measured = write_and_measure(feedback, [c[0] for c in combinations])
        if feedback.isCanceled() or measured is None:
            gpkg.remove_gpkg(reader.out_path)   # written without the spatial rules: not an output
            return None
        groups = {}
        for (fid, v_index), result in near.items():
            groups.setdefault((v_index, id(result)), (result, []))[1].append(fid)
        changes = []
        for (v_index, _id), (result, fids) in groups.items():
            values = classifier.near_values(result)
            changes.append((fids, {name: value for (name, _kind), value, old in zip(columns[v_index], values,
                                                                                   result.values) if value != old}))
        reader.update(reader.out_path, reader.out_layer, changes)
        area_in, count_out, area_out = measured
        if count_out != count_in:
            raise QgsProcessingException(self.tr("{0} features read but {1} written.").format(count_in, count_out))
        factor = landcover.AreaMeter(source.sourceCrs(), context).factor
        if abs(area_out - area_in) > 1e-9 * max(area_in, 1.0):
            raise QgsProcessingException(self.tr("Area not conserved: {0:.4f} ha in, {1:.4f} ha out.").format(
                area_in * factor / 1e4, area_out * factor / 1e4))
        feedback.pushInfo(self.tr("{0} features read and written, {1:.4f} ha in and out (geometries copied "
                                  "unchanged).").format(count_out, area_out * factor / 1e4))
        self._report(feedback, counters)
        return destination

    def _output_fields(self, input_fields, classifier, vintages, feedback):
        fields = QgsFields(input_fields)
        slots = []
        for vintage in vintages:
            vintage_slots = []
            for field in classifier.fields:
                name = field.name(vintage.vintage)
                existing = fields.lookupField(name)
                if existing >= 0:
                    feedback.reportError(self.tr("Field {0} already exists in the input: its values are replaced.")
                                         .format(name), False)
                    vintage_slots.append(existing)
                    continue
                kind = "int" if field.kind == rules.INT else "str"
                fields.append(compat.make_field(name, kind, 0 if kind == "int" else 254))
                vintage_slots.append(fields.count() - 1)
            slots.append(vintage_slots)
        return fields, slots

    @staticmethod
    def _count(counters, result, vintage, cs_raw, us_raw, count):
        """Count NULL, unknown and unclassified pairs (``count`` features at once)."""
        if result.cs_state == "ok" and result.us_state == "ok":
            for target in result.unclassified:
                counters["unclassified"]["%s %s/%s" % (target, cs_raw, us_raw)] += count
            return
        if result.cs_state == "null" or result.us_state == "null":
            counters["null"][vintage.vintage] += count
        if result.cs_state == "unknown":
            counters["cs"]["%s=%s" % (vintage.cs_field, cs_raw)] += count
        if result.us_state == "unknown":
            counters["us"]["%s=%s" % (vintage.us_field, us_raw)] += count

    def _report(self, feedback, counters):
        landcover.report_counts(feedback, self.tr("{0} feature-vintages have an unknown couverture code; their "
                                             "targets are NULL."), counters["cs"])
        landcover.report_counts(feedback, self.tr("{0} feature-vintages have an unknown usage code; targets that need "
                                             "it are NULL."), counters["us"])
        landcover.report_counts(feedback, self.tr("{0} feature-vintages have a NULL couverture or usage code; their "
                                             "targets are NULL."), counters["null"])
        landcover.report_counts(feedback, self.tr("{0} feature-vintages are left unclassified by the published method "
                                             "for their pair (NULL)."), counters["unclassified"])

    # -- spatial rules --------------------------------------------------------------------------------------
    def _spatial_rules(self, source, context, feedback, classifier, vintages, indexes, by_codes=None, store=None):
        """{(fid, vintage index): PairResult} of the polygons whose values an OCS2D spatial rule overrides.

        ``by_codes`` (optional): {(cs, us of every vintage): [fids]}, when the caller has it already (fast path).
        ``store`` (optional): a gpkg.GpkgGeometries of the source, to read only the geometries needed.
        """
        envelope_member = rules.envelope_predicate(classifier.key)
        us7 = [{} for _ in vintages]
        agri = [{} for _ in vintages]
        urban = [set() for _ in vintages]
        members = [set() for _ in vintages]
        env_cache = {}
        feedback.pushInfo(self.tr("Spatial rules: reading the codes…"))
        if by_codes is None:
            request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)
            flat = [i for pair in indexes for i in pair]
            request.setSubsetOfAttributes(flat)
            by_codes = {}
            for feature in landcover.features(source, request):
                if feedback.isCanceled():
                    return {}
                attributes = feature.attributes()
                by_codes.setdefault(tuple(attributes[i] for i in flat), []).append(feature.id())
        for codes, fids in by_codes.items():
            for v_index in range(len(vintages)):
                cs_raw, us_raw = codes[2 * v_index], codes[2 * v_index + 1]
                result = classifier.classify(cs_raw, us_raw)
                if result.lookup is None:
                    continue
                rule = result.spatial_rule
                if rule == "us7_near_urban":
                    us7[v_index].update(dict.fromkeys(fids, result))
                elif rule == "agri_structure_near_envelope":
                    agri[v_index].update(dict.fromkeys(fids, result))
                if result.lookup.p4 == 1:
                    urban[v_index].update(fids)
                pair = (nom.plain(cs_raw), nom.plain(us_raw))
                is_member = env_cache.get(pair)
                if is_member is None:
                    is_member = envelope_member(nom.normalise_code(cs_raw), nom.normalise_code(us_raw))
                    env_cache[pair] = is_member
                if is_member:
                    members[v_index].update(fids)
        by_codes = None
        if not any(us7) and not any(agri):
            return {}
        transform = landcover.metric_transform(source.sourceCrs(), source.sourceExtent(), context)
        repairs = {}

        def metric(geometry, repair):
            if repair:
                geometry = spatial.repaired(geometry, repairs)
            if geometry is not None and not geometry.isNull() and transform is not None:
                geometry = type(geometry)(geometry)
                geometry.transform(transform)
            return geometry

        candidate_fids = set()
        for v in range(len(vintages)):
            candidate_fids.update(us7[v], agri[v])
        points = {}       # point on surface of the US7.0.0 polygons
        agri_geoms = {}   # the agricultural structures
        us7_fids, agri_fids = set().union(*us7), set().union(*agri)
        for feature in landcover.features(source, QgsFeatureRequest().setFilterFids(list(candidate_fids))
                                     .setNoAttributes()):
            geometry = metric(feature.geometry(), True)
            if geometry is not None:
                if feature.id() in us7_fids:
                    points[feature.id()] = geometry.pointOnSurface()
                if feature.id() in agri_fids:
                    agri_geoms[feature.id()] = geometry
        searches = [spatial.PointSearch({fid: points[fid] for fid in us7[v] if fid in points}, spatial.US7_DISTANCE)
                    for v in range(len(vintages))]
        points = None

        def in_envelope(fid):
            return any(agri[v] and fid in members[v] for v in range(len(vintages)))

        if store is not None and transform is None:
            members_of = self._scan_gpkg(store, feedback, vintages, searches, urban, members, repairs, in_envelope)
        else:
            members_of = self._scan_source(source, feedback, vintages, searches, urban, members, in_envelope, metric)
        if members_of is None:
            return {}
        near = {}
        # the envelope groups of every vintage are submitted to the closing threads first (a group with the same
        # members near the same structures as in another vintage is closed once), then collected vintage by vintage
        closer = spatial.GroupCloser(feedback=feedback)
        try:
            handles = []
            for v in range(len(vintages)):
                handle = None
                if agri[v]:
                    structures = {fid: agri_geoms[fid] for fid in agri[v] if fid in agri_geoms}
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
        if feedback.isCanceled():
            return {}
        for v, vintage in enumerate(vintages):
            hits = searches[v].found
            parts, agri_near = found[v]
            feedback.pushInfo(self.tr(
                "{0}: {1} of {2} US7.0.0 polygons lie within 20 m of espaces urbanisés; {3} of {4} agricultural "
                "structures lie within 50 m of the enveloppe urbaine ({5} parts near them).").format(
                vintage.vintage, len(hits), len(us7[v]), len(agri_near), len(agri[v]), len(parts)))
            for fid in hits:
                near[(fid, v)] = us7[v][fid]
            for fid in agri_near:
                near[(fid, v)] = agri[v][fid]
        invalid = repairs.get("invalid", 0) + len(repairs.get("fids", set()) - candidate_fids)
        if invalid:
            feedback.reportError(self.tr("{0} invalid geometries were repaired for the spatial rules.").format(
                invalid), False)
        return near

    def _scan_source(self, source, feedback, vintages, searches, urban, members, in_envelope, metric):
        """Stream every geometry of ``source``: the US7.0.0 distance tests (``searches``), and the envelope members
        kept as WKB. Returns members_of(v) → (fids, boxes, geometries(indexes)) for envelope_parts_by_group, or
        None when cancelled."""
        member_wkb = {}
        member_box = {}
        feedback.pushInfo(self.tr("Spatial rules: reading the geometries…"))
        total = source.featureCount() or 1
        for count, feature in enumerate(landcover.features(source, QgsFeatureRequest().setNoAttributes())):
            if feedback.isCanceled():
                return None
            if count % 10000 == 0:
                feedback.setProgress(100.0 * count / total)
            fid = feature.id()
            near_points = [v for v in range(len(vintages)) if searches[v] and fid in urban[v]]
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

    def _scan_gpkg(self, store, feedback, vintages, searches, urban, members, repairs, in_envelope):
        """``_scan_source`` for a GeoPackage in a metric CRS, without reading every geometry: the boxes come from
        the blobs' headers; the US7.0.0 points are matched with the boxes of the urban polygons in numpy, and only
        the polygons of those pairs are read for the exact distance; the envelope members are read group by group
        when (and on the thread where) their group is closed. Same results as ``_scan_source``."""
        feedback.pushInfo(self.tr("Spatial rules: reading the geometries…"))
        fids_all, boxes_all = store.boxes()
        repaired = repairs.setdefault("fids", set())   # fids repaired here and on the closing threads
        pairs = []
        for v, search in enumerate(searches):
            if not search:
                continue
            point_fids = numpy.fromiter(search.points, dtype=numpy.int64, count=len(search.points))
            xy = numpy.array([(p.x(), p.y()) for p in (search.points[f].asPoint() for f in point_fids.tolist())],
                             dtype=float).reshape(-1, 2)
            is_urban = numpy.isin(fids_all, numpy.fromiter(urban[v], dtype=numpy.int64, count=len(urban[v])))
            urban_fids = fids_all[is_urban]
            b, p = spatial.box_point_pairs(boxes_all[is_urban], xy, spatial.US7_DISTANCE)
            pairs.append(numpy.stack([urban_fids[b], numpy.full(len(b), v), point_fids[p]], axis=1))
        pairs = numpy.concatenate(pairs) if pairs else numpy.zeros((0, 3), dtype=numpy.int64)
        pairs = pairs[numpy.argsort(pairs[:, 0], kind="stable")]
        polygons = numpy.unique(pairs[:, 0])
        starts = numpy.searchsorted(pairs[:, 0], polygons, "left")
        ends = numpy.searchsorted(pairs[:, 0], polygons, "right")
        step = 20000
        for chunk in range(0, len(polygons), step):
            if feedback.isCanceled():
                return None
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
                        if in_envelope(fid):   # as _scan_source: members are tested once repaired
                            fixed = spatial.repaired(geometry)
                            if fixed is not geometry:
                                repaired.add(fid)
                            geometry = fixed
                            if geometry is None:
                                break
                    if geometry.distance(searches[v].points[point]) <= searches[v].distance:
                        found.add(point)
        valid = set()   # fids known valid
        fixed = {}      # fid: WKB of the repaired geometry (None: nothing left)

        def members_of(v):
            is_member = numpy.isin(fids_all, numpy.fromiter(members[v], dtype=numpy.int64, count=len(members[v])))
            fids = fids_all[is_member]

            def geometries(indexes):
                """The members ``indexes`` as WKB, repaired (called on the closing threads)."""
                ids = fids[indexes]
                wkbs = store.wkb(ids)
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
