"""ocs:zantrajectory — ENAF consumption per zone against the 2021–2031 allowance of the loi Climat et Résilience."""
import dataclasses

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import changes as ch
from ..core import nomenclature as nom
from ..core import styles, zan, zanreport
from ..engines import changes, landcover, styling
from ..engines import zan as zanmaps
from . import base
from .changes import change_inputs, name_field_parameter, spatial_rules_parameter
from ..language import number as local_number

TOTAL = zan.TOTAL
KIND_BY_ENAF = {"Uh": "habitat", "Ue": "activite", "Ui": "infra", "Ua": "autre"}


class ZanTrajectoryAlgorithm(base.OcsAlgorithm):
    NAME = "zantrajectory"
    GROUP = "zan"
    INPUT = "INPUT"
    INPUT_AFTER = "INPUT_AFTER"
    ZONES = "ZONES"
    ZONE_FIELD = "ZONE_FIELD"
    REFERENCE_START = "REFERENCE_START"
    REFERENCE_END = "REFERENCE_END"
    REDUCTION_PCT = "REDUCTION_PCT"
    OFFICIAL_CONSUMPTION = "OFFICIAL_CONSUMPTION"
    CONSUMPTION_ZONE_FIELD = "CONSUMPTION_ZONE_FIELD"
    CONSUMPTION_FIELD = "CONSUMPTION_FIELD"
    CONSUMPTION_UNIT = "CONSUMPTION_UNIT"
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"
    SPATIAL_RULES = "SPATIAL_RULES"
    NAME_FIELD = "NAME_FIELD"

    def tr(self, text):
        return QCoreApplication.translate("ZanTrajectoryAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("ZAN trajectory per territory (ENAF consumption 2021-2031)")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (multi-date, or the first vintage)"), [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT_AFTER, self.tr("Second vintage layer"), [compat.TYPE_VECTOR_POLYGON],
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONES, self.tr("Zones (e.g. communes)"), [compat.TYPE_VECTOR_POLYGON], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.ZONE_FIELD, self.tr("Zone field (e.g. INSEE code)"), parentLayerParameterName=self.ZONES,
            optional=True))
        self.addParameter(name_field_parameter(self.NAME_FIELD, self.ZONES))
        self.addParameter(QgsProcessingParameterString(
            self.REFERENCE_START, self.tr("Reference period: start"), defaultValue=zan.REFERENCE[0]))
        self.addParameter(QgsProcessingParameterString(
            self.REFERENCE_END, self.tr("Reference period: end (start of the objective decade)"),
            defaultValue=zan.REFERENCE[1]))
        self.addParameter(QgsProcessingParameterNumber(
            self.REDUCTION_PCT, self.tr("Reduction of the consumption (%)"), compat.NUMBER_DOUBLE,
            defaultValue=zan.REDUCTION_PCT, minValue=0.0, maxValue=100.0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.OFFICIAL_CONSUMPTION, self.tr("Official consumption of the reference period (table)"),
            [compat.TYPE_VECTOR], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.CONSUMPTION_ZONE_FIELD, self.tr("Zone field of the official table"),
            parentLayerParameterName=self.OFFICIAL_CONSUMPTION, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.CONSUMPTION_FIELD, self.tr("Consumption field of the official table"),
            parentLayerParameterName=self.OFFICIAL_CONSUMPTION, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.CONSUMPTION_UNIT, self.tr("Unit of the official consumption"),
            [self.tr("hectares"), self.tr("square metres (Cerema files)")], defaultValue=0))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("ZAN trajectory"), compat.TYPE_VECTOR_ANY))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.REPORT, self.tr("HTML report"), self.tr("HTML files (*.html)"), optional=True,
            createByDefault=False))
        self.addParameter(spatial_rules_parameter(self.SPATIAL_RULES))

    # -- parameters ----------------------------------------------------------------------------------------
    def _years(self, parameters, context):
        start = self.parameterAsString(parameters, self.REFERENCE_START, context).strip()
        end = self.parameterAsString(parameters, self.REFERENCE_END, context).strip()
        for name, value in ((self.REFERENCE_START, start), (self.REFERENCE_END, end)):
            if not (value.isdigit() and len(value) == 4):
                raise QgsProcessingException(self.tr("{0}: '{1}' is not a year such as 2011.").format(name, value))
        if int(end) <= int(start):
            raise QgsProcessingException(self.tr("The reference period must end after it starts ({0}-{1}).").format(
                start, end))
        return start, end

    def _official(self, parameters, context, feedback):
        """{zone value: ha} from the official table, or None."""
        if parameters.get(self.OFFICIAL_CONSUMPTION) in (None, ""):
            return None
        table = self.parameterAsSource(parameters, self.OFFICIAL_CONSUMPTION, context)
        zone_field = self.parameterAsString(parameters, self.CONSUMPTION_ZONE_FIELD, context)
        value_field = self.parameterAsString(parameters, self.CONSUMPTION_FIELD, context)
        names = table.fields().names()
        for name, value in ((self.CONSUMPTION_ZONE_FIELD, zone_field), (self.CONSUMPTION_FIELD, value_field)):
            if not value or value not in names:
                raise QgsProcessingException(self.tr(
                    "{0} must name a field of the official table. Fields: {1}.").format(name, ", ".join(names)))
        factor = 1e-4 if self.parameterAsEnum(parameters, self.CONSUMPTION_UNIT, context) == 1 else 1.0
        zone_index, value_index = names.index(zone_field), names.index(value_field)
        official, bad = {}, 0
        for feature in landcover.features(table):
            attributes = feature.attributes()
            zone, value = attributes[zone_index], attributes[value_index]
            if nom.is_null(zone):
                bad += 1
                continue
            try:
                official[zan.zone_key(zone)] = official.get(zan.zone_key(zone), 0.0) + float(value) * factor
            except (TypeError, ValueError):
                bad += 1
        if bad:
            feedback.reportError(self.tr("{0} rows of the official table have no zone or no number: ignored.")
                                 .format(bad), False)
        feedback.pushInfo(self.tr("Official consumption read for {0} zones.").format(len(official)))
        return official

    # -- run -------------------------------------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        start, end = self._years(parameters, context)
        trajectory = zan.Trajectory(start, end, self.parameterAsDouble(parameters, self.REDUCTION_PCT, context))
        official = self._official(parameters, context, feedback)
        if official is not None and parameters.get(self.ZONES) in (None, ""):
            feedback.reportError(self.tr("OFFICIAL_CONSUMPTION is given without ZONES: the official figures are per "
                                         "zone, so they are not used."), False)
            official = None
        options = changes.ChangeOptions(target="naf", target_label=self.tr("NAF / non-NAF"), dimension="cs", consecutive=True, all_periods=True,
                                        spatial_rules=self.parameterAsBoolean(parameters, self.SPATIAL_RULES,
                                                                              context))
        job = changes.ChangeJob(change_inputs(self, parameters, context, feedback), options, context, feedback)
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        pieces = {}

        def collect(geometry, zone, before, after, area):
            if before.naf == "NAF" and after.naf == "Non-NAF":
                pieces.setdefault(zone, []).append((area, KIND_BY_ENAF.get(after.enaf, "autre"), geometry))

        transitions = ch.Transitions()
        if not job.run(transitions, collect if report_path else None, Ellipsis):
            return {}
        rows = zan.figures_per_zone(transitions, job.periods, trajectory, official, zoned=job.zones is not None)
        columns = zan.output_columns(job.periods, end)
        fields = QgsFields()
        for name, kind in columns:
            fields.append(compat.make_field(name, kind))
        geometry_type = compat.WKB_MULTIPOLYGON if job.zones is not None else compat.WKB_NOGEOMETRY
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields, geometry_type, job.crs)
        outlines = zanmaps.zone_outlines(job.zones, TOTAL)
        features = []
        for label, _key, figures in rows:
            feature = QgsFeature(fields)
            # the total row has no geometry: the territory's outline would cover the zones on the map
            geometry = outlines.get(label) if label != TOTAL else None
            if geometry is not None:
                feature.setGeometry(geometry)
            values = figures.attributes()
            feature.setAttributes([values.get(name) for name, _kind in columns])
            features.append(feature)
        sink.addFeatures(features, QgsFeatureSink.FastInsert)
        del sink  # flush and close the file before storing its style
        self._finish_output(parameters, context, feedback, job, destination, trajectory)
        total = rows[-1][2]
        feedback.pushInfo(self.tr("Territory: reference {0} ha ({1}); allowance {2}-{3}: {4} ha; remaining: {5}.")
                          .format(_fmt(total.reference.conso_ha), total.reference.method, *trajectory.objective,
                                  _fmt(total.allowance_ha), _fmt(total.remaining_ha)))
        results = {self.OUTPUT: destination}
        if report_path:
            self._report(report_path, ZanRun(job, trajectory, rows, pieces, outlines), feedback)
            results[self.REPORT] = report_path
        return results

    def _finish_output(self, parameters, context, feedback, job, destination, trajectory):
        """Layer name ("ZAN trajectory 2005–2021 (communes)") and, with zones, the style: the remaining allowance
        of the objective decade (ha)."""
        base.name_output(context, destination, self.tr("ZAN trajectory {0}").format(base.periods_span(job.periods)),
                         base.zones_name(self, parameters, context))
        if job.zones is not None:
            styling.style_output(context, feedback, destination, "reste_ha",
                                 styles.zone_template("reste", trajectory.objective, styling.legend_language()))

    # -- report --------------------------------------------------------------------------------------------
    def _report(self, path, run, feedback):
        sections = []
        for label, key, figures in run.rows:
            pieces = run.pieces.get(key) if key is not Ellipsis else [p for v in run.pieces.values() for p in v]
            zone = None if label == TOTAL else run.job.zone_title(label)
            sections.append(zanreport.figures_section(
                figures, zone, zanmaps.report_map(run.outlines.get(label), pieces or [])))
        trajectory = run.trajectory
        title = self.tr("ZAN trajectory — {0}").format(run.job.before.source.sourceName())
        subtitle = self.tr("ENAF consumption per period (CoTech 2024 method on OCS2D; [derived] usage rule on "
                           "OCS GE) against the {0}-{1} allowance: {2} % less than {3}-{4}. OCS Toolbox, "
                           "ocs:zantrajectory.").format(trajectory.objective[0], trajectory.objective[1],
                                                        local_number(trajectory.reduction_pct, None), trajectory.start,
                                                        trajectory.end)
        html = zanreport.build_zan_report(title, sections, language=base.help_language(), subtitle=subtitle)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(html)
        feedback.pushInfo(self.tr("Report written to {0}").format(path))


@dataclasses.dataclass
class ZanRun:
    """What the report of one run is made of."""

    job: object                 # engines.changes.ChangeJob (zone field, first layer's name)
    trajectory: object          # core.zan.Trajectory
    rows: list                  # [(zone, key, core.zan.ZoneFigures)] from core.zan.figures_per_zone
    pieces: dict                # {zone: [(m², kind, geometry)]} of the NAF → non-NAF pieces
    outlines: dict              # {zone: multipolygon} (engines.zan.zone_outlines)


def _fmt(value):
    return "-" if value is None else local_number(value, 4)
