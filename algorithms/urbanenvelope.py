"""ocs:urbanenvelope — the enveloppe urbaine of each vintage (regional OCS2D definition)."""
from qgis.core import (
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
from ..core import rules, styles
from . import base, inputs
from ..engines import envelope, styling


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
            self.BUFFER, self.tr("Buffer distance (m)"), compat.NUMBER_DOUBLE, defaultValue=rules.ENVELOPE_BUFFER, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_AREA_HA, self.tr("Minimum area of a part (ha)"), compat.NUMBER_DOUBLE, defaultValue=rules.ENVELOPE_MIN_AREA_HA,
            minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Urban envelope"), QgsProcessing.TypeVectorPolygon))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        land_cover = inputs.land_cover(self, parameters, context, feedback)
        options = envelope.EnvelopeOptions(self.parameterAsDouble(parameters, self.BUFFER, context),
                                           self.parameterAsDouble(parameters, self.MIN_AREA_HA, context) * 1e4)
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, envelope.output_fields(),
                                                 QgsWkbTypes.Polygon, land_cover.crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        written = envelope.write_envelopes(land_cover, options, sink, context, feedback)
        del sink
        if written is None:  # cancelled
            return {}
        base.name_output(context, destination, self.tr("Urban envelope {0}").format(
            base.vintage_list(land_cover.years())))
        template = styles.envelope_template(land_cover.years())
        styling.style_output(context, feedback, destination, "millesime", template)
        return {self.OUTPUT: destination}
