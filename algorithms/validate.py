"""ocs:validate — quality control of a land-cover layer before any figure is computed from it (issue #18)."""
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import validation as val
from ..core import validationreport
from ..engines import landcover, styling
from ..engines import validation as engine
from . import base, inputs
from ..language import number as local_number


class ValidateAlgorithm(base.OcsAlgorithm):
    NAME = "validate"
    GROUP = "control"
    INPUT = "INPUT"
    NOMENCLATURE = "NOMENCLATURE"
    VINTAGES = "VINTAGES"
    TERRITORY = "TERRITORY"
    CHECKS = "CHECKS"
    MIN_AREA_M2 = "MIN_AREA_M2"
    OUTPUT = "OUTPUT"
    OUTPUT_SUMMARY = "OUTPUT_SUMMARY"
    REPORT = "REPORT"
    FIXED = "FIXED"

    def tr(self, text):
        return QCoreApplication.translate("ValidateAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Validate a land cover layer (quality control)")

    def check_options(self):
        """The labels of CHECKS, in core.validation.CHECKS order."""
        return [self.tr("Geometry (invalid, empty, duplicates)"), self.tr("Coverage (overlaps and gaps)"),
                self.tr("Codes (missing, unknown)"), self.tr("Couverture × usage pairs"),
                self.tr("Neighbours with identical codes"), self.tr("Minimum mapping unit"),
                self.tr("Transitions between vintages")]

    def initAlgorithm(self, config=None):  # noqa: N802
        inputs.add_source(self, self.INPUT, self.tr("Land cover layer (OCS2D or OCS GE)"))
        inputs.add_nomenclature(self, self.tr("Nomenclature"))
        inputs.add_vintages(self, self.tr("Vintages (e.g. 2015,2021; empty = every vintage detected)"))
        inputs.add_source(self, self.TERRITORY, self.tr("Territory the layer must cover"),
                          optional=True)
        self.addParameter(QgsProcessingParameterEnum(
            self.CHECKS, self.tr("Checks"), self.check_options(), allowMultiple=True,
            defaultValue=list(range(len(val.CHECKS))), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_AREA_M2, self.tr("Minimum mapping unit (m²; empty = the producer's specification)"),
            compat.NUMBER_DOUBLE, optional=True, minValue=0.0))
        # optional (created by default): a model can run the checks first without making its callers name them
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Problems"), compat.TYPE_VECTOR_POLYGON, optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_SUMMARY, self.tr("Summary"), compat.TYPE_VECTOR, optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.REPORT, self.tr("HTML report"), self.tr("HTML files (*.html)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.FIXED, self.tr("Corrected copy"), compat.TYPE_VECTOR_POLYGON, optional=True,
            createByDefault=False))

    def options(self, parameters, context, land_cover):
        try:
            checks = val.checks_from_indexes(self.parameterAsEnums(parameters, self.CHECKS, context))
        except ValueError as error:
            raise QgsProcessingException(self.tr("CHECKS: {0} is not a check.").format(error.args[0]))
        minimum = None
        if parameters.get(self.MIN_AREA_M2) not in (None, ""):
            minimum = self.parameterAsDouble(parameters, self.MIN_AREA_M2, context)
        territory = None
        if parameters.get(self.TERRITORY) not in (None, ""):
            territory = self.territory(parameters, context, land_cover)
        return engine.ValidationOptions(tuple(checks), minimum, territory)

    def territory(self, parameters, context, land_cover):
        """The union of TERRITORY's polygons in the CRS of INPUT."""
        source = base.require_polygon_source(self, parameters, self.TERRITORY, context)
        transform = landcover.reprojection(source.sourceCrs(), land_cover.crs, context)
        parts = [g for _f, g in landcover.geometries(source, transform)]
        if not parts:
            raise QgsProcessingException(self.tr("TERRITORY '{0}' holds no polygon.").format(source.sourceName()))
        union = QgsGeometry.unaryUnion([g.makeValid() if not g.isGeosValid() else g for g in parts])
        if union.isNull() or union.isEmpty():
            raise QgsProcessingException(self.tr("TERRITORY '{0}' holds no polygon.").format(source.sourceName()))
        return union

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        land_cover = inputs.land_cover(self, parameters, context, feedback)
        options = self.options(parameters, context, land_cover)
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, engine.output_fields(),
                                                 compat.WKB_MULTIPOLYGON, land_cover.crs)
        if sink is None and parameters.get(self.OUTPUT) not in (None, ""):
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        emitter = engine.Emitter(sink)
        result = engine.validate(land_cover, options, emitter, feedback)
        emitter.sink = None
        del sink   # closes the output, so that its style can be stored in it
        if result is None:   # cancelled
            return {}
        results = {}
        if destination:
            styling.style_output(context, feedback, destination, "controle", "controle")
            base.name_output(context, destination, self.tr("Quality control {0}").format(
                base.vintage_list(v.vintage for v in land_cover.vintages)))
            results[self.OUTPUT] = destination
        if parameters.get(self.OUTPUT_SUMMARY) not in (None, ""):
            results[self.OUTPUT_SUMMARY] = self.write_summary(parameters, context, result)
        self.log_summary(result, feedback)
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        if report_path:
            validationreport.write(report_path, self.report_data(land_cover, result), base.help_language())
            feedback.pushInfo(self.tr("Report written to {0}").format(report_path))
            results[self.REPORT] = report_path
        if parameters.get(self.FIXED) not in (None, ""):
            sink, fixed = self.fixed_sink(parameters, context, land_cover)
            counts = engine.write_fixed(land_cover, result, sink, feedback)
            del sink
            if counts is None:
                return {}
            feedback.pushInfo(self.tr("Corrected copy: {0} features left out without a geometry, {1} duplicates "
                                      "left out, {2} geometries repaired, {3} overlaps cut, {4} groups of "
                                      "neighbours merged.").format(counts["empty"], counts["duplicate"],
                                                                   counts["repaired"], counts["overlap"],
                                                                   counts["merged"]))
            results[self.FIXED] = fixed
        return results

    @staticmethod
    def report_data(land_cover, result):
        examples = {controle: [(p.fid, p.millesime, p.area_m2, p.message) for p in problems]
                    for controle, problems in result.examples.items()}
        box = land_cover.source.sourceExtent()
        return validationreport.ReportData(land_cover.name, result.summary, examples, result.points,
                                           result.territory_m2, result.in_several, result.excess_m2,
                                           (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()))

    def fixed_sink(self, parameters, context, land_cover):
        sink, destination = self.parameterAsSink(parameters, self.FIXED, context, land_cover.source.fields(),
                                                 compat.WKB_MULTIPOLYGON, land_cover.crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.FIXED))
        return sink, destination

    def write_summary(self, parameters, context, result):
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT_SUMMARY, context, engine.summary_fields(),
                                                 compat.WKB_NOGEOMETRY)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT_SUMMARY))
        fields = engine.summary_fields()
        for row in result.summary:
            feature = QgsFeature(fields)
            feature.setAttributes([row.controle, row.gravite, row.nombre, round(row.surface_m2, 4),
                                   None if row.part_territoire_pct is None else round(row.part_territoire_pct, 4)])
            sink.addFeature(feature, QgsFeatureSink.FastInsert)
        return destination

    def log_summary(self, result, feedback):
        for row in result.summary:
            if row.controle == val.TOTAL:
                continue
            feedback.pushInfo(self.tr("{0} ({1}): {2} problems, {3} ha.").format(
                row.controle, row.gravite, row.nombre, local_number(row.surface_m2 / 1e4, 2)))
        total = result.summary[-1]
        if total.nombre:
            feedback.reportError(self.tr("{0} problems in all, {1} ha ({2} features are in several problems and "
                                         "counted in each).").format(total.nombre, local_number(total.surface_m2 / 1e4, 2),
                                                                     result.in_several), False)
        else:
            feedback.pushInfo(self.tr("No problem found."))
