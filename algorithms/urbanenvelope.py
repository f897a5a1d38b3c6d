"""ocs:urbanenvelope — the enveloppe urbaine of each vintage (regional OCS2D definition)."""
from collections import Counter

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import rules, styles
from . import base
from ..engines import landcover, spatial, styling


class UrbanEnvelopeAlgorithm(base.OcsAlgorithm):
    NAME = "urbanenvelope"
    GROUP = "nomenclatures"
    INPUT = "INPUT"
    VINTAGES = "VINTAGES"
    BUFFER = "BUFFER"
    MIN_AREA_HA = "MIN_AREA_HA"
    OUTPUT = "OUTPUT"

    def tr(self, text):
        return QCoreApplication.translate("UrbanEnvelopeAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Urban envelope (enveloppe urbaine)")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (OCS2D or OCS GE)"), [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterString(
            self.VINTAGES, self.tr("Vintages (e.g. 2015,2021; empty = every vintage detected)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.BUFFER, self.tr("Buffer distance (m)"), compat.NUMBER_DOUBLE, defaultValue=50.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_AREA_HA, self.tr("Minimum area of a part (ha)"), compat.NUMBER_DOUBLE, defaultValue=10.0,
            minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Urban envelope"), QgsProcessing.TypeVectorPolygon))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = base.require_polygon_source(self, parameters, self.INPUT, context)
        if source.featureCount() == 0:
            raise QgsProcessingException(self.tr("The input layer '{0}' is empty.").format(source.sourceName()))
        vintages = landcover.resolve_vintages(source, self.parameterAsString(parameters, self.VINTAGES, context),
                                         None, None, feedback)
        key = landcover.choose_nomenclature(source, vintages, 0, feedback)
        buffer = self.parameterAsDouble(parameters, self.BUFFER, context)
        min_area = self.parameterAsDouble(parameters, self.MIN_AREA_HA, context) * 1e4

        fields = QgsFields()
        fields.append(compat.make_field("id", "int"))
        fields.append(compat.make_field("millesime", "str", 10))
        fields.append(compat.make_field("surface_ha", "double"))
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                                 QgsWkbTypes.Polygon, source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))

        predicate = rules.envelope_predicate(key)
        to_metric = landcover.metric_transform(source.sourceCrs(), source.sourceExtent(), context)
        members = [[] for _ in vintages]
        repairs = {}
        unknown = Counter()
        indexes = [(source.fields().lookupField(v.cs_field), source.fields().lookupField(v.us_field))
                   for v in vintages]
        total = source.featureCount() or 1
        cache = {}
        request = QgsFeatureRequest().setSubsetOfAttributes([i for pair in indexes for i in pair])
        nomen = nom.get_nomenclature(key)
        for count, feature in enumerate(landcover.features(source, request)):
            if feedback.isCanceled():
                return {}
            attributes = feature.attributes()
            geometry = None
            for v, (cs_index, us_index) in enumerate(indexes):
                pair = (nom.plain(attributes[cs_index]), nom.plain(attributes[us_index]))
                member = cache.get(pair)
                if member is None:
                    cs, us = nom.normalise_code(pair[0]), nom.normalise_code(pair[1])
                    known = cs in nomen.cs and us in nomen.us
                    member = predicate(cs, us) if known else "unknown"
                    cache[pair] = member
                if member == "unknown":
                    unknown["%s/%s" % pair] += 1
                    continue
                if not member:
                    continue
                if geometry is None:
                    geometry = spatial.repaired(feature.geometry(), repairs)
                    if geometry is None:
                        break
                    if to_metric is not None:
                        geometry.transform(to_metric)
                members[v].append(geometry)
            if count % 5000 == 0:
                feedback.setProgress(60.0 * count / total)
        landcover.report_counts(feedback, self.tr("{0} feature-vintages have unknown or NULL codes and were not "
                                             "considered for the envelope."), unknown)
        if repairs.get("invalid"):
            feedback.reportError(self.tr("{0} invalid geometries were repaired before the union.").format(
                repairs["invalid"]), False)

        back = None
        if to_metric is not None:
            back = QgsCoordinateTransform(to_metric.destinationCrs(), source.sourceCrs(),
                                          context.transformContext())
        area_meter = landcover.AreaMeter(source.sourceCrs(), context)
        identifier = 0
        for v, vintage in enumerate(vintages):
            if feedback.isCanceled():
                return {}
            try:
                parts = spatial.envelope_parts(members[v], buffer, min_area, feedback)
            except RuntimeError as error:
                raise QgsProcessingException(self.tr("Union failed for vintage {0}: {1}").format(
                    vintage.vintage, error))
            members[v] = None
            total_ha = 0.0
            for part in parts:
                if back is not None:
                    part.transform(back)
                identifier += 1
                feature = QgsFeature(fields)
                feature.setGeometry(part)
                area_ha = area_meter.area(part) / 1e4
                total_ha += area_ha
                feature.setAttributes([identifier, vintage.vintage, round(area_ha, 4)])
                sink.addFeature(feature, QgsFeatureSink.FastInsert)
            feedback.pushInfo(self.tr("{0}: {1} parts, {2:.2f} ha").format(vintage.vintage, len(parts), total_ha))
            feedback.setProgress(60.0 + 40.0 * (v + 1) / len(vintages))
        del sink
        template = styles.envelope_template([v.vintage for v in vintages])
        styling.style_output(context, feedback, destination, "millesime", template)
        return {self.OUTPUT: destination}
