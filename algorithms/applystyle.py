"""ocs:applystyle — style a layer with an official template and store it as the layer's default style."""
import os

from qgis.core import (
    QgsFeatureRequest,
    QgsProcessingException,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterEnum,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import styles
from . import base
from ..engines import postgis, styling


class ApplyStyleAlgorithm(base.OcsAlgorithm):
    NAME = "applystyle"
    GROUP = "styles"
    INPUT = "INPUT"
    FIELD = "FIELD"
    TEMPLATE = "TEMPLATE"
    OUTPUT_QML = "OUTPUT_QML"
    OUTPUT = "OUTPUT"

    def tr(self, text):
        return QCoreApplication.translate("ApplyStyleAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Apply an official style")

    def flags(self):
        # The renderer of a project layer is changed: run in the main thread.
        return super().flags() | compat.FLAG_NO_THREADING

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.INPUT, self.tr("Layer to style"), [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterField(
            self.FIELD, self.tr("Field holding the codes"), parentLayerParameterName=self.INPUT))
        self.addParameter(QgsProcessingParameterEnum(
            self.TEMPLATE, self.tr("Template"), [self.tr("Auto-detect from the field name")] + styles.template_keys(),
            defaultValue=0))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_QML, self.tr("Style file (QML)"), self.tr("QGIS style files (*.qml)"), optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputVectorLayer(self.OUTPUT, self.tr("Styled layer")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        if layer is None:
            raise QgsProcessingException(self.tr("Invalid or missing input layer."))
        field = self.parameterAsString(parameters, self.FIELD, context)
        if layer.fields().lookupField(field) < 0:
            raise QgsProcessingException(self.tr("Field {0} not found in {1}. Fields found: {2}.").format(
                field, layer.name(), ", ".join(layer.fields().names())))
        index = self.parameterAsEnum(parameters, self.TEMPLATE, context)
        if index == 0:
            request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry).setLimit(2000)
            request.setSubsetOfAttributes([layer.fields().lookupField(field)])
            values = [f[field] for f in layer.getFeatures(request)]
            key = styles.template_for_field(field, values)
            if key is None:
                raise QgsProcessingException(self.tr(
                    "Cannot tell which template fits field {0}; choose one in TEMPLATE.").format(field))
            feedback.pushInfo(self.tr("Template detected: {0}").format(key))
        else:
            key = styles.template_keys()[index - 1]
        template = styling.style_layer(layer, field, key)
        qml = self.parameterAsFileOutput(parameters, self.OUTPUT_QML, context)
        results = {self.OUTPUT: layer.id()}
        if qml:
            message, ok = layer.saveNamedStyle(qml)
            if not ok:
                raise QgsProcessingException(self.tr("Could not write {0}: {1}").format(qml, message))
            results[self.OUTPUT_QML] = qml
        source = layer.source().split("|")[0]
        if (layer.providerType() == "ogr" and source.lower().endswith(".gpkg")) or \
                layer.providerType() == postgis.PROVIDER:
            # the layer_styles table of the GeoPackage or the database, as QGIS's "Save as default" does
            error = styling.save_style_in_database(layer, field, template.title, True)
            where = styling.layer_title(layer)
            if error:
                feedback.reportError(self.tr("Could not store the style in {0}: {1}").format(where, error), False)
            else:
                feedback.pushInfo(self.tr("Style stored as the default style of {0}").format(where))
        elif layer.providerType() == "ogr" and os.path.exists(source):
            message, ok = layer.saveDefaultStyle()
            if ok:
                feedback.pushInfo(self.tr("Style stored as the default style of {0}").format(source))
            else:
                feedback.reportError(self.tr("Could not store the style in {0}: {1}").format(source, message), False)
        else:
            feedback.pushInfo(self.tr("The style is applied to the layer but not stored: a {0} layer keeps no "
                                      "default style (write it to a file with OUTPUT_QML).").format(
                layer.providerType()))
        return results
