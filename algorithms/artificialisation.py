"""ocs:artificialisation — artificialised or not per décret n° 2023-1096: matrix, then the reference thresholds."""

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import nomenclature as nom
from ..core import zan
from . import base, inputs
from ..engines import artificialisation as engine
from ..engines import postgis, styling
from ..fastpath import gpkg
from ..language import number as local_number


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
        cover = inputs.land_cover(self, parameters, context, feedback)
        options = engine.Options(
            thresholds=self.parameterAsBoolean(parameters, self.APPLY_THRESHOLDS, context),
            built_min=self.parameterAsDouble(parameters, self.BUILT_MIN_M2, context),
            other_min=self.parameterAsDouble(parameters, self.OTHER_MIN_M2, context),
            parks=self.parameterAsBoolean(parameters, self.EXEMPT_PARKS, context),
            pv=self.parameterAsBoolean(parameters, self.EXEMPT_PV, context))
        dissolve = self.parameterAsBoolean(parameters, self.DISSOLVE, context)
        if (options.parks or options.pv) and cover.nomenclature == nom.OCSGE:
            feedback.reportError(self.tr(
                "The exemptions need OCS2D codes (US3.2.1 parks, US2.1.4 or photovolYY solar panels): OCS GE has "
                "no code for them, so they change nothing here (the official OCS GE measure does not apply them "
                "either)."), False)
        if cover.nomenclature != nom.OCSGE:
            feedback.pushInfo(self.tr(
                "OCS2D is measured through the OCS2D → OCS GE crosswalk with three choices "
                "(resources/matrices/ocs2d_artif_crosswalk_choices.csv): US6.2.3 counts as agriculture, US6.1.2 "
                "as a zone in transition, US7.0.0 as sans usage. This is an approximation of the official measure, "
                "which exists for OCS GE only."))
        pushdown, reason = self._pushdown(parameters, context, cover, dissolve)
        copied, load = (None, False) if pushdown is not None or dissolve else \
            self._bulk(parameters, context, feedback, cover)
        if reason is not None:
            base.pushdown_not_used(feedback, reason, bulk=copied is not None or load)
        route = engine.Route(dissolve, pushdown, load)
        try:
            if copied is not None:
                cover, (path, _kept) = engine.copied_input(cover, copied, feedback)
                route.temporary.append(path)
            result = engine.classify(cover, options, feedback)
            if result is None:
                return {}
            return self._write(parameters, context, feedback, cover, result, route)
        finally:
            engine.remove_temporary(route.temporary)

    # -- output -----------------------------------------------------------------------------------------------
    def _write(self, parameters, context, feedback, cover, result, route):
        source, vintages = cover.source, cover.vintages
        dissolve, pushdown, load = route.dissolve, route.pushdown, route.load
        layout = engine.layout(source.fields(), vintages, dissolve, feedback)
        wkb_type = QgsWkbTypes.multiType(source.wkbType())
        target = None
        if pushdown is not None:
            destination = self.postgis_output_layer(parameters, self.OUTPUT, context)
            self._write_pushdown(pushdown, cover, result, layout, feedback)
            postgis.say_indexed(destination, feedback)
        elif dissolve:
            target = engine.memory_target(layout, wkb_type, cover.crs)
            sink = target.dataProvider()
        elif load:   # a temporary GeoPackage, loaded into PostGIS in bulk once written
            destination = self.postgis_output_layer(parameters, self.OUTPUT, context)
            sink, path = engine.temporary_output(layout, wkb_type, cover.crs)
            route.temporary.append(path)
        else:
            sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, layout.fields, wkb_type,
                                                     cover.crs)
        if pushdown is None and not engine.write(source, vintages, result, layout, sink, feedback,
                                                 target.fields() if target is not None else None):
            return {}
        area_in = sum(result.areas.values())
        if dissolve:
            destination = engine.dissolve(
                target, layout, area_in,
                lambda fields, wkb, crs: self.parameterAsSink(parameters, self.OUTPUT, context, fields, wkb, crs),
                context, feedback, cover.meter)
        elif pushdown is None:
            del sink
            if load:
                postgis.load_output(path, "output", destination, feedback)
            feedback.pushInfo(self.tr("{0} features written, {1} ha in and out (geometries copied unchanged).")
                              .format(len(result.areas), local_number(area_in / 1e4, 4)))
        base.name_output(context, destination, self.tr("Artificialisation {0}").format(
            base.vintage_list(v.vintage for v in vintages)))
        main = "artif_%s" % vintages[-1].vintage
        extra = [("artif_%s" % v.vintage, "artif") for v in vintages[:-1]]
        styling.style_output(context, feedback, destination, main, "artif", extra=extra)
        return {self.OUTPUT: destination}

    def _pushdown(self, parameters, context, cover, dissolve):
        """((writer, output table), None) when the output is a PostGIS table PostgreSQL can write from the PostGIS
        input (same database, integer key, not dissolved, measured in the layer's CRS, no output column in the
        input); (None, the reason) for another PostGIS output; (None, None) for any other output."""
        found = postgis.destination_uri(base.destination_text(parameters.get(self.OUTPUT), context))
        if found is None:
            return None, None
        try:
            if dissolve:
                raise gpkg.FastPathUnavailable("dissolved output")
            if cover.transform is not None or cover.crs.isGeographic():
                raise gpkg.FastPathUnavailable("measured in another CRS")
            if set(engine.output_names(cover.vintages)) & set(cover.source.fields().names()):
                raise gpkg.FastPathUnavailable("an output column exists in the input")
            relation = base.pg_input(self, parameters, self.INPUT, context)
            return postgis.pushdown_output(relation, found[1], cover.source.wkbType()), None
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            return None, reason

    def _bulk(self, parameters, context, feedback, cover):
        """(PgRelation of the PostgreSQL input to copy to a temporary GeoPackage first, or None; True when the
        output is a PostGIS table to load in bulk from a temporary GeoPackage), where the push-down does not
        apply; the reason said when a PostgreSQL input cannot be copied."""
        load = postgis.destination_uri(base.destination_text(parameters.get(self.OUTPUT), context)) is not None
        try:
            relation = base.pg_input(self, parameters, self.INPUT, context)
        except (gpkg.FastPathUnavailable, RuntimeError):
            return None, load
        try:
            postgis.bulk_input(relation, cover.source, cover.source.wkbType())
        except gpkg.FastPathUnavailable as reason:
            base.bulk_not_used(feedback, reason)
            return None, load
        return relation, load

    def _write_pushdown(self, pushdown, cover, result, layout, feedback):
        """The output table written by PostgreSQL, its count and area checked and said."""
        writer, out = pushdown
        feedback.pushInfo(base.pushdown_writing(out.name))
        try:
            count_out, area_out = engine.write_pushdown(writer, out, cover.source.fields().names(), cover.vintages,
                                                        result, layout)
        finally:
            writer.close()
        area_in, area_out = sum(result.areas.values()), area_out * cover.meter.factor
        if count_out != len(result.areas) or abs(area_out - area_in) > 1e-6 * max(area_in, 1.0):
            raise QgsProcessingException(self.tr("{0} features and {1} ha read but {2} features and {3} ha "
                                                 "written.").format(len(result.areas), local_number(area_in / 1e4, 4),
                                                                    count_out, local_number(area_out / 1e4, 4)))
        feedback.pushInfo(self.tr("{0} features written, {1} ha in and out (geometries copied unchanged).")
                          .format(count_out, local_number(area_in / 1e4, 4)))
