"""ocs:changedetection — change polygons between two vintages, with the type of change."""
import os

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessing,
    QgsProcessingParameterBoolean,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterFeatureSink,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import changes as ch
from ..engines import changes, styling
from ..fastpath import gpkg
from . import base
from .changes import ChangeAlgorithm, spatial_rules_parameter
from ..language import number as local_number

BATCH = 2000
COLUMNS = [("code_avant", "str"), ("code_apres", "str"), ("libelle_avant", "str"), ("libelle_apres", "str"),
           ("surface_m2", "double"), ("type_changement", "str"), ("millesime_avant", "str"),
           ("millesime_apres", "str"), ("artif_avant", "int"), ("artif_apres", "int"), ("enaf_avant", "str"),
           ("enaf_apres", "str")]


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
        columns = ([(job.zone_field, "str")] if job.zone_field else []) + COLUMNS
        fields = QgsFields()
        for name, kind in columns:
            fields.append(compat.make_field(name, kind))
        writer = self._gpkg_writer(parameters, job, columns, feedback)
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
                change = ch.change_type(before, after)
                entry = values_of[(before, after)] = (
                    change, not only_changes or before.code != after.code,
                    (before.code, after.code, before.label, after.label),
                    (change, period[0], period[1], before.artif, after.artif, before.enaf, after.enaf))
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
                batch.append(self._feature(fields, geometry, list(values)))
            if len(batch) >= BATCH:
                write(batch)
                del batch[:]

        def write(features):
            if writer is not None:
                writer.add(features)
            else:
                sink.addFeatures(features, QgsFeatureSink.FastInsert)

        transitions = ch.Transitions()
        done = False
        try:
            done = job.run(transitions, consumer, period, raw=writer is not None)
            if done and batch:
                write(batch)
        finally:
            if writer is not None:
                writer.close() if done else writer.abort()
        if not done:
            return {}
        if writer is None:
            del sink  # flush and close the file before storing its style
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

    @staticmethod
    def _feature(fields, geometry, attributes):
        feature = QgsFeature(fields)
        if not QgsWkbTypes.isMultiType(geometry.wkbType()):    # the overlay's cut pieces already are
            geometry = QgsGeometry(geometry)
            geometry.convertToMultiType()
        feature.setGeometry(geometry)
        feature.setAttributes(attributes)
        return feature

    def _gpkg_writer(self, parameters, job, columns, feedback):
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
            feedback.pushDebugInfo("Output written through the sink: %s" % reason)
            return None
