"""ocs:transitionmatrix — transition matrix (table) per period and zone, with an optional HTML report."""
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import changes as ch
from ..core import report
from . import base
from .changes import ChangeAlgorithm, spatial_rules_parameter
from ..language import number as local_number

# Matrices of up to this many codes are written whole (zero cells included); larger ones keep the non-zero
# cells and the diagonal of every code.
FULL_MATRIX_CODES = 25


def report_sections(transitions, job, zones=True):
    """Sections of core.report for the territory and each zone, period by period."""
    sections = []
    for period in job.periods:
        zone_list = [Ellipsis] + ([z for z in transitions.zones()] if zones and job.zones is not None else [])
        for zone in zone_list:
            cells = transitions.matrix(period, zone)
            codes = ch.order_codes([c for pair in cells for c in pair])
            classes = [(code,) + tuple(transitions.classes.get(code, (code, None))) for code in codes]
            sections.append({
                "zone": None if zone is Ellipsis else job.zone_title(zone),
                "period": period,
                "classes": classes,
                "cells": {key: area / 1e4 for key, area in cells.items()},
            })
    return sections


def write_report(path, transitions, job, source_name, feedback):
    title = QCoreApplication.translate("TransitionMatrixAlgorithm", "Land cover transitions — {0}").format(
        source_name)
    subtitle = QCoreApplication.translate(
        "TransitionMatrixAlgorithm", "Compared: {0}. Areas in hectares. OCS Toolbox, ocs:transitionmatrix.").format(
        job.target_label)
    html = report.build_report(title, report_sections(transitions, job), language=base.help_language(),
                               subtitle=subtitle)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(html)
    feedback.pushInfo(QCoreApplication.translate("TransitionMatrixAlgorithm", "Report written to {0}").format(path))


class TransitionMatrixAlgorithm(ChangeAlgorithm):
    NAME = "transitionmatrix"
    USES_STATUSES = False   # the matrix and its report show the codes of the target only
    OUTPUT = "OUTPUT"
    REPORT = "REPORT"

    def tr(self, text):
        return QCoreApplication.translate("TransitionMatrixAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Transition matrix")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_common_parameters()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Transition matrix"), compat.TYPE_VECTOR))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.REPORT, self.tr("HTML report"), self.tr("HTML files (*.html)"), optional=True,
            createByDefault=False))
        self.addParameter(spatial_rules_parameter(self.SPATIAL_RULES))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        job = self.job(parameters, context, feedback, all_periods=True)
        transitions = ch.Transitions()
        if not job.run(transitions):
            return {}
        fields = QgsFields()
        for name, kind in (("periode", "str"), ("zone", "str"), ("code_avant", "str"), ("libelle_avant", "str"),
                           ("code_apres", "str"), ("libelle_apres", "str"), ("surface_ha", "double")):
            if name == "zone" and job.zones is None:
                continue
            fields.append(compat.make_field(name, kind))
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields, compat.WKB_NOGEOMETRY)
        rows = 0
        zones = transitions.zones() if job.zones is not None else [Ellipsis]
        for period in job.periods:
            all_cells = transitions.matrix(period)
            codes = ch.order_codes([c for pair in all_cells for c in pair])
            batch = []
            for zone in zones:
                cells = transitions.matrix(period, zone)
                for code_from, code_to, area in ch.matrix_rows(cells, codes, FULL_MATRIX_CODES):
                    feature = QgsFeature(fields)
                    values = [ch.period_label(period)]
                    if job.zones is not None:
                        values.append(zone)
                    values += [code_from, transitions.classes[code_from][0], code_to,
                               transitions.classes[code_to][0], area / 1e4]
                    feature.setAttributes(values)
                    batch.append(feature)
            sink.addFeatures(batch, QgsFeatureSink.FastInsert)
            rows += len(batch)
            changed = sum(a for (f, t), a in all_cells.items() if f != t)
            feedback.pushInfo(self.tr("{0}: {1} codes, {2} ha compared, {3} ha changed.").format(
                ch.period_label(period), len(codes), local_number(sum(all_cells.values()) / 1e4, 4),
                local_number(changed / 1e4, 4)))
        feedback.pushInfo(self.tr("{0} matrix rows written.").format(rows))
        base.name_output(context, destination, self.tr("Transition matrix {0}").format(
            base.periods_span(job.periods)), base.zones_name(self, parameters, context))
        results = {self.OUTPUT: destination}
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        if report_path:
            write_report(report_path, transitions, job, job.before.source.sourceName(), feedback)
            results[self.REPORT] = report_path
        return results
