"""ocs:artificialisation — artificialised or not per décret n° 2023-1096: matrix, then the reference thresholds."""
from collections import Counter

from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsSpatialIndex,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import rules
from ..core import zan
from . import base
from ..engines import landcover, spatial, styling

BATCH = 5000


class ArtificialisationAlgorithm(base.OcsAlgorithm):
    NAME = "artificialisation"
    GROUP = "zan"
    INPUT = "INPUT"
    NOMENCLATURE = "NOMENCLATURE"
    VINTAGES = "VINTAGES"
    APPLY_THRESHOLDS = "APPLY_THRESHOLDS"
    BUILT_MIN_M2 = "BUILT_MIN_M2"
    OTHER_MIN_M2 = "OTHER_MIN_M2"
    EXEMPT_PARKS = "EXEMPT_PARKS"
    EXEMPT_PV = "EXEMPT_PV"
    DISSOLVE = "DISSOLVE"
    OUTPUT = "OUTPUT"

    def tr(self, text):
        return QCoreApplication.translate("ArtificialisationAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Artificialisation (decree 2023-1096, with thresholds)")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (OCS GE or OCS2D)"), [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, self.tr("Nomenclature"), base.nomenclature_options(), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.VINTAGES, self.tr("Vintages (e.g. 2015,2021; empty = every vintage detected)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.APPLY_THRESHOLDS, self.tr("Apply the reference thresholds (step 2)"), defaultValue=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.BUILT_MIN_M2, self.tr("Threshold for built surfaces (m²)"), compat.NUMBER_DOUBLE,
            defaultValue=zan.BUILT_MIN_M2, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.OTHER_MIN_M2, self.tr("Threshold for the other surfaces (m²)"), compat.NUMBER_DOUBLE,
            defaultValue=zan.OTHER_MIN_M2, minValue=0.0))
        self.addParameter(QgsProcessingParameterBoolean(
            self.EXEMPT_PARKS, self.tr("Exemption: vegetated public parks and gardens count as non-artificialised"),
            defaultValue=False))
        self.addParameter(QgsProcessingParameterBoolean(
            self.EXEMPT_PV, self.tr("Exemption: ground-mounted solar panels that keep the soil's functions"),
            defaultValue=False))
        self.addParameter(QgsProcessingParameterBoolean(
            self.DISSOLVE, self.tr("Dissolve the result by status"), defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Artificialisation"), QgsProcessing.TypeVectorPolygon))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = base.require_polygon_source(self, parameters, self.INPUT, context)
        if source.featureCount() == 0:
            raise QgsProcessingException(self.tr("The input layer '{0}' is empty.").format(source.sourceName()))
        vintages = landcover.resolve_vintages(source, self.parameterAsString(parameters, self.VINTAGES, context),
                                         None, None, feedback)
        key = landcover.choose_nomenclature(source, vintages, self.parameterAsEnum(parameters, self.NOMENCLATURE,
                                                                              context), feedback)
        thresholds = self.parameterAsBoolean(parameters, self.APPLY_THRESHOLDS, context)
        built_min = self.parameterAsDouble(parameters, self.BUILT_MIN_M2, context)
        other_min = self.parameterAsDouble(parameters, self.OTHER_MIN_M2, context)
        parks = self.parameterAsBoolean(parameters, self.EXEMPT_PARKS, context)
        pv = self.parameterAsBoolean(parameters, self.EXEMPT_PV, context)
        dissolve = self.parameterAsBoolean(parameters, self.DISSOLVE, context)
        if (parks or pv) and key == nom.OCSGE:
            feedback.reportError(self.tr(
                "The exemptions need OCS2D codes (US3.2.1 parks, US2.1.4 or photovolYY solar panels): OCS GE has "
                "no code for them, so they change nothing here (the official OCS GE measure does not apply them "
                "either)."), False)
        if key != nom.OCSGE:
            feedback.pushInfo(self.tr(
                "OCS2D is measured through the OCS2D → OCS GE crosswalk with three choices "
                "(resources/matrices/ocs2d_artif_crosswalk_choices.csv): US6.2.3 counts as agriculture, US6.1.2 "
                "as a zone in transition, US7.0.0 as sans usage. This is an approximation of the official measure, "
                "which exists for OCS GE only."))

        fields = source.fields()
        indexes = []
        for entry in vintages:
            photovol = fields.lookupField("photovol%s" % entry.vintage[2:])
            indexes.append((entry.vintage, fields.lookupField(entry.cs_field), fields.lookupField(entry.us_field),
                            photovol))
        classifier = rules.Reclassifier(key, ["artif"])
        data, status, built = self._read(source, context, feedback, key, classifier, indexes, parks, pv,
                                         thresholds)
        if data is None:
            return {}
        geometries, areas = data
        changed = {}
        if thresholds:
            changed = self._thresholds(geometries, areas, status, built, [v.vintage for v in vintages],
                                       built_min, other_min, source.sourceCrs().isGeographic(), feedback)
            if changed is None:
                return {}
        geometries.clear()
        return self._write(parameters, context, feedback, source, vintages, areas, status, changed, dissolve)

    # -- reading and step 1 --------------------------------------------------------------------------------
    def _read(self, source, context, feedback, key, classifier, indexes, parks, pv, thresholds):
        meter = landcover.AreaMeter(source.sourceCrs(), context)
        geometries, areas = {}, {}
        status = {vintage: {} for vintage, *_rest in indexes}
        built = {vintage: {} for vintage, *_rest in indexes}
        exempt = {vintage: set() for vintage, *_rest in indexes}
        self.exempt = exempt
        unknown = Counter()
        exempted = Counter()
        exempted_area = Counter()
        cache = {}
        total = source.featureCount() or 1
        step = max(1, total // 100)
        for count, feature in enumerate(landcover.features(source)):
            if count % step == 0:
                if feedback.isCanceled():
                    return None, None, None
                feedback.setProgress(40.0 * count / total)
            fid = feature.id()
            geometry = feature.geometry()
            values = feature.attributes()
            area = meter.area(geometry)
            areas[fid] = area
            if thresholds:
                geometries[fid] = geometry
            for vintage, cs_index, us_index, pv_index in indexes:
                raw = (values[cs_index], values[us_index], values[pv_index] if pv_index >= 0 else None)
                found = cache.get(raw)
                if found is None:
                    cs, us = nom.normalise_code(raw[0]), nom.normalise_code(raw[1])
                    result = classifier.classify(raw[0], raw[1])
                    value = classifier.artif_value(cs, us) if result.cs_state == "ok" and \
                        result.us_state == "ok" else None
                    reason = None
                    if value == 1:
                        reason = zan.exemption(key, cs, us, _true(raw[2]), parks, pv)
                        if reason:
                            value = 0
                    found = cache[raw] = (value, reason, zan.is_built(key, cs) if result.cs_state == "ok" else False)
                value, reason, is_built = found
                status[vintage][fid] = value
                if is_built:
                    built[vintage][fid] = area
                if value is None:
                    unknown["%s %s/%s" % (vintage, raw[0], raw[1])] += 1
                if reason:
                    exempt[vintage].add(fid)
                    exempted[(vintage, reason)] += 1
                    exempted_area[(vintage, reason)] += area
        landcover.report_counts(feedback, self.tr(
            "{0} feature-vintages have a NULL or unknown code: artif and crit_seuil are NULL for them."), unknown)
        for (vintage, reason), count in sorted(exempted.items()):
            feedback.pushInfo(self.tr("{0}: exemption '{1}' applied to {2} polygons ({3} ha).").format(
                vintage, reason, count, "%.4f" % (exempted_area[(vintage, reason)] / 1e4)))
        return (geometries, areas), status, built

    # -- step 2 ----------------------------------------------------------------------------------------------
    def _thresholds(self, geometries, areas, status, built, vintages, built_min, other_min, geographic, feedback):
        """{(fid, vintage): new status} for the polygons whose status the thresholds change."""
        feedback.pushInfo(self.tr("Thresholds: indexing {0} polygons…").format(len(geometries)))
        index = QgsSpatialIndex()
        for fid, geometry in geometries.items():
            if geometry is not None and not geometry.isNull():
                index.addFeature(fid, geometry.boundingBox())
        small = [fid for fid, area in areas.items() if area < other_min and geometries.get(fid) is not None
                 and not geometries[fid].isNull()]
        feedback.pushInfo(self.tr("Thresholds: {0} polygons under {1} m², neighbours…").format(
            len(small), "%g" % other_min))
        counters = {}
        neighbours = {}
        total = len(small) or 1
        step = max(1, total // 50)
        for count, fid in enumerate(small):
            if count % step == 0:
                if feedback.isCanceled():
                    return None
                feedback.setProgress(40.0 + 40.0 * count / total)
            geometry = spatial.repaired(geometries[fid], counters)
            if geometry is None:
                continue
            if geometry is not geometries[fid]:
                geometries[fid] = geometry
            engine = QgsGeometry.createGeometryEngine(geometry.constGet())
            engine.prepareGeometry()
            found = []
            for other in index.intersects(geometry.boundingBox()):
                if other != fid and engine.intersects(geometries[other].constGet()):
                    found.append(other)
            neighbours[fid] = found
        if counters.get("invalid"):
            feedback.reportError(self.tr("{0} invalid small polygons were repaired for the neighbour tests.").format(
                counters["invalid"]), False)
        small_set = set(neighbours)
        exposed = {}
        tolerance = 1e-9 if geographic else 0.01

        def is_exposed(fid):
            """Part of the polygon's boundary is shared with no other polygon: edge of the layer, or a gap."""
            if fid not in exposed:
                geometry = geometries[fid]
                boundary = QgsGeometry(geometry.constGet().boundary())
                others = [geometries[o] for o in neighbours[fid]]
                if not others:
                    exposed[fid] = True
                else:
                    rest = boundary.difference(QgsGeometry.unaryUnion(others))
                    exposed[fid] = rest.length() > tolerance + 1e-6 * boundary.length()
            return exposed[fid]

        changed = {}
        for vintage in vintages:
            states = status[vintage]
            patches = zan.Patches()
            big = set()
            for fid in small_set:
                value = states.get(fid)
                if value is None:
                    continue
                patches.add(fid)
                for other in neighbours[fid]:
                    if states.get(other) != value:
                        continue
                    if other in small_set:
                        patches.add(other)
                        patches.union(fid, other)
                    else:
                        big.add(fid)
            to_artif = to_natural = kept_built = 0
            area_artif = area_natural = 0.0
            for members in patches.groups():
                value = states[members[0]]
                patch_area = sum(areas[m] for m in members)
                if patch_area >= other_min or any(m in big for m in members):
                    continue
                surrounded = all(states.get(o) == 1 - value for m in members for o in neighbours[m]
                                 if states.get(o) != value) and not any(is_exposed(m) for m in members)
                if not surrounded:
                    continue
                for member in members:
                    if member in self.exempt[vintage]:
                        continue    # an exemption of the decree is not undone by the thresholds
                    new = zan.threshold_status(value, patch_area, True, built[vintage].get(member), built_min,
                                               other_min)
                    if new != value:
                        changed[(member, vintage)] = new
                        if new == 1:
                            to_artif += 1
                            area_artif += areas[member]
                        else:
                            to_natural += 1
                            area_natural += areas[member]
                    elif value == 1:
                        kept_built += 1
            feedback.pushInfo(self.tr(
                "{0}: the thresholds make {1} polygons ({2} ha) artificialised and {3} polygons ({4} ha) "
                "non-artificialised; {5} built polygons of at least {6} m² stay artificialised.").format(
                vintage, to_artif, "%.4f" % (area_artif / 1e4), to_natural, "%.4f" % (area_natural / 1e4),
                kept_built, "%g" % built_min))
        return changed

    # -- output -----------------------------------------------------------------------------------------------
    def _write(self, parameters, context, feedback, source, vintages, areas, status, changed, dissolve):
        input_fields = source.fields()
        out_fields = QgsFields()
        slots = []
        if not dissolve:
            for field in input_fields:
                out_fields.append(field)
        added = []
        for entry in vintages:
            for name in ("artif_%s" % entry.vintage, "crit_seuil_%s" % entry.vintage):
                position = out_fields.lookupField(name)
                if position >= 0:
                    feedback.pushInfo(self.tr("Field {0} already exists in the input: its values are replaced.")
                                      .format(name))
                else:
                    out_fields.append(compat.make_field(name, "int"))
                    position = out_fields.count() - 1
                added.append(name)
                slots.append(position)
        if dissolve:
            out_fields.append(compat.make_field("surface_ha", "double"))
        wkb_type = QgsWkbTypes.multiType(source.wkbType())
        if dissolve:
            target = QgsVectorLayer("%s?crs=%s" % (QgsWkbTypes.displayString(wkb_type),
                                                  source.sourceCrs().authid() or "EPSG:2154"), "artif", "memory")
            target.dataProvider().addAttributes(out_fields.toList()[:-1])
            target.updateFields()
            sink = target.dataProvider()
        else:
            sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, out_fields, wkb_type,
                                                     source.sourceCrs())
        batch = []
        request = QgsFeatureRequest()
        total = len(areas) or 1
        step = max(1, total // 20)
        for count, feature in enumerate(landcover.features(source, request)):
            if count % step == 0:
                if feedback.isCanceled():
                    return {}
                feedback.setProgress(80.0 + 20.0 * count / total)
            fid = feature.id()
            if dissolve:
                values = [None] * (out_fields.count() - 1)
            else:
                values = feature.attributes() + [None] * (out_fields.count() - input_fields.count())
            slot = 0
            for entry in vintages:
                value = status[entry.vintage].get(fid)
                new = changed.get((fid, entry.vintage), value)
                values[slots[slot]] = new
                values[slots[slot + 1]] = None if value is None else int(new != value)
                slot += 2
            out = QgsFeature(out_fields if not dissolve else target.fields())
            geometry = feature.geometry()
            if not geometry.isNull() and not QgsWkbTypes.isMultiType(geometry.wkbType()):
                geometry = QgsGeometry(geometry)
                geometry.convertToMultiType()
            out.setGeometry(geometry)
            out.setAttributes(values)
            batch.append(out)
            if len(batch) >= BATCH:
                sink.addFeatures(batch, QgsFeatureSink.FastInsert)
                batch = []
        if batch:
            sink.addFeatures(batch, QgsFeatureSink.FastInsert)
        area_in = sum(areas.values())
        if dissolve:
            destination = self._dissolve(parameters, context, feedback, target, added, out_fields, area_in)
        else:
            del sink
            feedback.pushInfo(self.tr("{0} features written, {1} ha in and out (geometries copied unchanged).")
                              .format(len(areas), "%.4f" % (area_in / 1e4)))
        main = "artif_%s" % vintages[-1].vintage
        extra = [("artif_%s" % v.vintage, "artif") for v in vintages[:-1]]
        styling.style_output(context, feedback, destination, main, "artif", extra=extra)
        return {self.OUTPUT: destination}

    def _dissolve(self, parameters, context, feedback, layer, fields, out_fields, area_in):
        import processing

        result = processing.run("native:dissolve", {"INPUT": layer, "FIELD": fields, "OUTPUT": "memory:"},
                                context=context, feedback=None, is_child_algorithm=True)
        dissolved = context.getMapLayer(result["OUTPUT"]) if isinstance(result["OUTPUT"], str) else result["OUTPUT"]
        meter = landcover.AreaMeter(layer.crs(), context)
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, out_fields,
                                                 QgsWkbTypes.multiType(layer.wkbType()), layer.crs())
        area_out = 0.0
        features = []
        for feature in dissolved.getFeatures():
            area = meter.area(feature.geometry())
            area_out += area
            out = QgsFeature(out_fields)
            out.setGeometry(feature.geometry())
            out.setAttributes([feature[name] for name in fields] + [area / 1e4])
            features.append(out)
        sink.addFeatures(features, QgsFeatureSink.FastInsert)
        del sink
        feedback.pushInfo(self.tr("Dissolved by status: {0} features, {1} ha in, {2} ha out.").format(
            len(features), "%.4f" % (area_in / 1e4), "%.4f" % (area_out / 1e4)))
        if abs(area_out - area_in) > 1e-4 * max(area_in, 1.0):
            feedback.reportError(self.tr("The dissolved area differs from the input area by more than 0.01 % "
                                         "(overlapping or invalid polygons)."), False)
        return destination


def _true(value):
    if nom.is_null(value):
        return False
    return str(value).strip().lower() in ("1", "true", "t", "oui", "o", "yes", "y", "vrai")
