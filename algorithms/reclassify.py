"""ocs:reclassify — OCS2D / OCS GE couverture × usage to levels, OCS GE, 4 postes, 21 postes, ENAF, artif…"""
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import rules, tables
from . import base, inputs
from ..fastpath import gpkg
from ..engines import postgis, reclassify, styling

DEFAULT_TARGETS = {nom.OCS2D_2021: ("p4", "p21", "enaf"), nom.OCS2D_NPDC: ("p4", "p21", "enaf"),
                   nom.OCSGE: ("ocsge", "artif", "impermeable")}
CUSTOM_HEADERS = tables.CUSTOM_HEADERS
matrix_rows = tables.matrix_rows


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
        land_cover = inputs.land_cover(self, parameters, context, feedback, overrides=True)
        classifier = self._classifier(parameters, context, land_cover.nomenclature)
        names = dict(zip(rules.TARGETS, self.target_options()))
        feedback.pushInfo(self.tr("Targets: {0}").format(", ".join(names.get(t, t) for t in classifier.targets)))
        job = reclassify.Reclassification(land_cover, classifier)

        pushdown, reason = self._pushdown_target(parameters, context, job)
        target = None if pushdown is not None else self._fast_target(parameters, context, job, feedback)
        if reason is not None:
            base.pushdown_not_used(feedback, reason, bulk=target is not None)
        if pushdown is not None:
            destination = self.postgis_output_layer(parameters, self.OUTPUT, context)
            done = reclassify.run_pushdown(job, pushdown, feedback)
            if done is not None:
                postgis.say_indexed(destination, feedback)
        elif target is not None and (target.copy is not None or target.load):
            destination = self.postgis_output_layer(parameters, self.OUTPUT, context) if target.load else \
                self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
            if target.load:
                target.load = destination
            done = reclassify.run_bulk(job, target, feedback)
        elif target is not None:
            destination = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
            done = reclassify.run_fast(job, target, feedback)
        else:
            source = land_cover.source
            fields, slots = reclassify.output_fields(source.fields(), classifier, land_cover.vintages, feedback)
            sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                                     QgsWkbTypes.multiType(source.wkbType()), land_cover.crs)
            if sink is None:
                raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
            done = reclassify.run_generic(job, sink, fields, slots, feedback)
            del sink  # flush and close the file before storing its style
        if done is None:  # cancelled
            return {}

        base.name_output(context, destination, self.tr("Reclassified {0}").format(
            base.vintage_list(land_cover.years())))
        code_fields = [(f.name(v.vintage), f.style) for v in reversed(land_cover.vintages) for f in classifier.fields
                       if not f.is_label and f.style]
        if code_fields:
            main_field, main_key = code_fields[0]
            styling.style_output(context, feedback, destination, main_field, main_key, classifier.custom,
                                 extra=code_fields[1:])
        return {self.OUTPUT: destination}

    def _classifier(self, parameters, context, key):
        """The rules.Reclassifier of the TARGETS (and CUSTOM_TABLE) asked for a layer of nomenclature ``key``."""
        targets = self._targets(parameters, context, key)
        custom_rows = self._custom_rows(parameters, context)
        if key == nom.OCSGE and any(t in rules.OCS2D_ONLY for t in targets):
            raise QgsProcessingException(self.tr(
                "4 postes, 21 postes and ENAF are defined by the Hauts-de-France methods on OCS2D codes only; "
                "this layer is OCS GE. Choose other targets, or force the nomenclature if the layer is OCS2D."))
        if "custom" in targets and not custom_rows:
            raise QgsProcessingException(self.tr("The custom target needs a CUSTOM_TABLE."))
        try:
            return rules.Reclassifier(key, targets, custom_rows)
        except ValueError as error:
            raise QgsProcessingException(self.tr("CUSTOM_TABLE: {0}").format(error))

    def _pushdown_target(self, parameters, context, job):
        """(reclassify.PushDown, None) when the output is a PostGIS table in the input's database and PostgreSQL
        can run the rules; (None, the reason it cannot) for another PostGIS output; (None, None) otherwise."""
        found = postgis.destination_uri(base.destination_text(parameters.get(self.OUTPUT), context))
        if found is None:
            return None, None
        try:
            if not reclassify.fast_path_possible(job.land_cover, job.classifier):
                raise gpkg.FastPathUnavailable("geographic CRS or an output column that exists in the input")
            relation = base.pg_input(self, parameters, self.INPUT, context)
            return reclassify.pushdown_target(relation, found[1], job.land_cover), None
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            return None, reason

    def _fast_target(self, parameters, context, job, feedback):
        """A reclassify.FastTarget when the GeoPackage fast path gives the same result, else None: from a
        GeoPackage layer, or from a PostgreSQL relation copied to a GeoPackage first (said in the log, with the
        reason when it cannot be), to a GeoPackage file or to a PostGIS table loaded in bulk."""
        output = base.destination_text(parameters.get(self.OUTPUT), context)
        if not output or not reclassify.fast_path_possible(job.land_cover, job.classifier):
            return None
        relation = None
        try:
            path, layer_name = base.gpkg_input(self, parameters, self.INPUT, context)
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            try:
                relation = base.pg_input(self, parameters, self.INPUT, context)
            except (gpkg.FastPathUnavailable, RuntimeError):
                feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
                return None
            path = layer_name = None
        try:
            return reclassify.bulk_target(output, job.land_cover, path, layer_name, relation)
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            if relation is not None and postgis.destination_uri(output) is None:
                base.bulk_not_used(feedback, reason)
            else:
                feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
            return None
