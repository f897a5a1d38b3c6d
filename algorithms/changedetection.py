"""ocs:changedetection — change polygons between two vintages, with the type of change."""
import os

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import changes as ch
from ..engines import changepushdown, changes, postgis, styling
from ..fastpath import gpkg
from . import base
from .changes import ChangeAlgorithm, spatial_rules_parameter
from ..language import number as local_number

BATCH = 2000


class ChangeDetectionAlgorithm(ChangeAlgorithm):
    NAME = "changedetection"
    ONLY_CHANGES = "ONLY_CHANGES"
    OUTPUT = "OUTPUT"

    def tr(self, text):
        return QCoreApplication.translate("ChangeDetectionAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Change detection between two vintages")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_common_parameters()
        self.addParameter(QgsProcessingParameterBoolean(
            self.ONLY_CHANGES, self.tr("Keep only the polygons that changed"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Change polygons"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(spatial_rules_parameter(self.SPATIAL_RULES))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        job = self.job(parameters, context, feedback, all_periods=False)
        only_changes = self.parameterAsBoolean(parameters, self.ONLY_CHANGES, context)
        period = job.periods[0]
        transitions = ch.Transitions()
        pushdown = self._pushdown(parameters, context, job, feedback)
        if pushdown is not None:
            destination = self.postgis_output_layer(parameters, self.OUTPUT, context)
            feedback.pushInfo(base.pushdown_writing(pushdown.out.name))
            done = changepushdown.run(job, pushdown, only_changes, transitions, feedback)
            if done is None:
                return {}
            kept, type_areas = done[:2], done[2]
            postgis.say_indexed(destination, feedback)
        else:
            destination, kept, type_areas = self._write(parameters, context, job, only_changes, transitions)
            if destination is None:
                return {}
        changed = sum(area for (code_from, code_to), area in transitions.matrix(period).items()
                      if code_from != code_to)
        feedback.pushInfo(self.tr("{0} polygons written ({1} ha); land changed {2} ha of {3} ha compared.").format(
            kept[0], local_number(kept[1] / 1e4, 4), local_number(changed / 1e4, 4),
            local_number(transitions.total(period) / 1e4, 4)))
        for name, _colour in ch.CHANGE_TYPES:
            if type_areas.get(name):
                feedback.pushInfo("  %s: %.4f ha" % (name, type_areas[name] / 1e4))
        base.name_output(context, destination, self.tr("Changes {0}").format(base.periods_span(job.periods)),
                         base.zones_name(self, parameters, context))
        styling.style_output(context, feedback, destination, "type_changement", "type_changement")
        return {self.OUTPUT: destination}

    def _pushdown(self, parameters, context, job, feedback):
        """A changepushdown.DetectionPushDown when the output is a PostGIS table in the database of a PostGIS
        input that PostgreSQL can classify and write (said in the log, with the reason when it cannot), else
        None."""
        found = postgis.destination_uri(base.destination_text(parameters.get(self.OUTPUT), context))
        if found is None:
            return None
        try:
            relation = base.pg_input(self, parameters, self.INPUT, context)
            return changepushdown.pushdown_target(job, relation, found[1])
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            base.pushdown_not_used(feedback, reason)
            return None

    def _write(self, parameters, context, job, only_changes, transitions):
        """The feature-by-feature path: (destination, [count, area m²] written, {type of change: area m²}), or
        (None, None, None) when cancelled. A GeoPackage output of two layers is written straight from the pieces'
        WKB with SQLite (changes.PieceWriter), any other through the sink."""
        period = job.periods[0]
        columns = ([(job.zone_field, "str")] if job.zone_field else []) + list(ch.DETECTION_FIELDS)
        fields = QgsFields()
        for name, kind in columns:
            fields.append(compat.make_field(name, kind))
        writer = self._gpkg_writer(parameters, job, columns)
        if writer is not None:
            destination = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        else:
            sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                                     compat.WKB_MULTIPOLYGON, job.crs)
        batch = []
        kept = [0, 0.0]
        type_areas = {}
        values_of = {}      # (Side before, Side after) → (type, written, values before the area, values after)

        def consumer(geometry, zone, before, after, area):
            entry = values_of.get((before, after))
            if entry is None:
                values = ch.detection_values(before, after, 0.0, period)
                entry = values_of[(before, after)] = (
                    values[5], not only_changes or before.code != after.code, tuple(values[:4]), tuple(values[5:]))
            change, written, head, tail = entry
            type_areas[change] = type_areas.get(change, 0.0) + area
            if not written:
                return
            values = head + (area,) + tail
            if job.zone_field is not None:
                values = (zone,) + values
            kept[0] += 1
            kept[1] += area
            if writer is not None:      # geometry: (WKB, box), see ChangeJob.run
                batch.append(writer.row(kept[0], geometry, values))
            else:
                batch.append(_feature(fields, geometry, list(values)))
            if len(batch) >= BATCH:
                writer.add(batch) if writer is not None else sink.addFeatures(batch, QgsFeatureSink.FastInsert)
                del batch[:]

        done = False
        try:
            done = job.run(transitions, consumer, period, raw=writer is not None)
            if done and batch:
                writer.add(batch) if writer is not None else sink.addFeatures(batch, QgsFeatureSink.FastInsert)
        finally:
            if writer is not None:
                writer.close() if done else writer.abort()
        if not done:
            return None, None, None
        if writer is None:
            del sink  # flush and close the file before storing its style
        return destination, kept, type_areas

    def _gpkg_writer(self, parameters, job, columns):
        """A changes.PieceWriter when the pieces can be written straight to a GeoPackage file with SQLite (two
        layers, OUTPUT a GeoPackage file that is not an input; see PieceWriter), else None (the sink)."""
        value = parameters.get(self.OUTPUT)
        if isinstance(value, QgsProcessingOutputLayerDefinition):
            value = value.sink.staticValue()
        try:
            if job.mode != "overlay":
                raise gpkg.FastPathUnavailable("one multi-date layer")
            if not isinstance(value, str):
                raise gpkg.FastPathUnavailable("output is not a file")
            inputs = [layer.gpkg_layer[0] for layer in job.layers() if layer.gpkg_layer]
            path, layer_name = gpkg.gpkg_output(value, inputs[0] if inputs else "")
            if len(inputs) > 1 and os.path.exists(path) and os.path.samefile(path, inputs[1]):
                raise gpkg.FastPathUnavailable("output is the input")
            return changes.PieceWriter(job, path, layer_name, columns)
        except gpkg.FastPathUnavailable as reason:
            job.feedback.pushDebugInfo("Output written through the sink: %s" % reason)
            return None


def _feature(fields, geometry, attributes):
    feature = QgsFeature(fields)
    if not QgsWkbTypes.isMultiType(geometry.wkbType()):    # the overlay's cut pieces already are
        geometry = QgsGeometry(geometry)
        geometry.convertToMultiType()
    feature.setGeometry(geometry)
    feature.setAttributes(attributes)
    return feature
