"""ocs:territoryflows — stocks and flows per zone (artificialisation, ENAF consumption…), in ha and ha/year."""
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingParameterFeatureSink,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import changes as ch
from ..core import styles
from ..engines import changes, styling
from . import base
from .changes import ChangeAlgorithm, spatial_rules_parameter
from ..language import number as local_number

# Stock columns are written for targets with at most this many classes (use ocs:transitionmatrix beyond).
MAX_STOCK_CLASSES = 60
TOTAL = "total"


def zone_rows(job, transitions):
    """[(zone, [geometries] or None)] of the output rows: each zone of ``transitions`` then the total, without
    geometry (the territory's outline would cover the zones on the map)."""
    rows = []
    if job.zones is not None:
        geometries = {}
        for value, geometry in zip(job.zones.values, job.zones.geometries):
            geometries.setdefault(value, []).append(geometry)
        for zone in transitions.zones():
            rows.append((zone, geometries.get(None if zone == ch.OUTSIDE_ZONES else zone)))
    rows.append((TOTAL, None))
    return rows


def stock_column(target, code, year):
    token = ch.field_token(code)
    if not token[0].isalpha() or target in ("p4", "p21", "enaf", "naf", "artif"):
        token = "%s_%s" % (target, token)
    return "%s_%s_ha" % (token, year)


class TerritoryFlowsAlgorithm(ChangeAlgorithm):
    NAME = "territoryflows"
    OUTPUT = "OUTPUT"

    def tr(self, text):
        return QCoreApplication.translate("TerritoryFlowsAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Flows per territory (artificialisation, ENAF consumption)")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_common_parameters()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Flows per zone"), compat.TYPE_VECTOR_ANY))
        self.addParameter(spatial_rules_parameter(self.SPATIAL_RULES))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        job = self.job(parameters, context, feedback, all_periods=True)
        transitions = ch.Transitions()
        if not job.run(transitions):
            return {}
        columns = self._columns(job, transitions, feedback)
        fields = QgsFields()
        fields.append(compat.make_field("zone", "str"))
        fields.append(compat.make_field("surface_ha", "double"))
        for name, kind, _f in columns:
            fields.append(compat.make_field(name, kind))
        geometry_type = compat.WKB_MULTIPOLYGON if job.zones is not None else compat.WKB_NOGEOMETRY
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields, geometry_type, job.crs)
        features = []
        for zone, parts in zone_rows(job, transitions):
            key = Ellipsis if zone == TOTAL else zone
            feature = QgsFeature(fields)
            if parts and zone != ch.OUTSIDE_ZONES:
                feature.setGeometry(changes.multipolygon(parts))
            area = transitions.total(job.periods[0], key)
            values = [zone, area / 1e4] + [function(key) for _n, _k, function in columns]
            feature.setAttributes(values)
            features.append(feature)
        sink.addFeatures(features, QgsFeatureSink.FastInsert)
        del sink  # flush and close the file before storing its style
        self._finish_output(parameters, context, feedback, job, destination)
        for period in job.periods:
            flows = ch.flow_values(transitions.zone_flows(period))
            feedback.pushInfo(self.tr("{0}: artificialisation {1} ha, désartificialisation {2} ha, ENAF consumed "
                                      "{3} ha.").format(ch.period_label(period), local_number(flows["artif"] / 1e4, 4),
                                                        local_number(flows["desartif"] / 1e4, 4),
                                                        local_number(flows["conso_enaf"] / 1e4, 4)))
        return {self.OUTPUT: destination}

    def _finish_output(self, parameters, context, feedback, job, destination):
        """Layer name ("Flows 2015–2021 (communes)") and, with zones, the style: ENAF consumed over the last period
        (first → last vintage) in % of the zone, and in ha/year as a second named style when the vintages are
        years."""
        base.name_output(context, destination, self.tr("Flows {0}").format(base.periods_span(job.periods)),
                         base.zones_name(self, parameters, context))
        if job.zones is None:
            return
        period = job.periods[-1]
        language = styling.legend_language()
        extra = []
        if ch.years_between(period):
            extra.append(("conso_enaf_%s_%s_ha_an" % period, styles.zone_template("conso_ha_an", period, language)))
        styling.style_output(context, feedback, destination, "conso_enaf_%s_%s_pct" % period,
                             styles.zone_template("conso_pct", period, language), extra=extra)

    def _columns(self, job, transitions, feedback):
        """[(name, kind, function(zone) → value)]: stocks per vintage and class (unless too many classes), then
        the flows of every period."""
        # stock classes per vintage, from the first period holding the vintage
        stock_period = {}
        for period in job.periods:
            for year in period:
                stock_period.setdefault(year, period)
        codes = transitions.codes()
        stocks_ok = len(codes) <= MAX_STOCK_CLASSES
        if not stocks_ok:
            feedback.reportError(self.tr("{0} classes: the stock columns are left out (use Transition matrix).")
                                 .format(len(codes)), False)
        columns = []
        stock_cache = {}
        if stocks_ok:
            for year in job.years:
                period = stock_period[year]
                side = 0 if period[0] == year else 1
                for code in codes:
                    columns.append((stock_column(job.target, code, year), "double",
                                    self._stock(stock_cache, transitions, period, side, code)))
        for period in job.periods:
            years = ch.years_between(period)
            suffix = "%s_%s" % period
            columns.append(("annees_%s" % suffix, "int", lambda zone, y=years: y))
            for flow in ch.FLOW_COLUMNS:
                for unit in ("ha", "ha_an", "pct"):
                    columns.append(("%s_%s_%s" % (flow, suffix, unit), "double",
                                    self._flow(transitions, period, flow, unit)))
        return columns

    @staticmethod
    def _stock(cache, transitions, period, side, code):
        def value(zone):
            if (period, zone) not in cache:
                cache[(period, zone)] = transitions.stocks(period, zone)
            return cache[(period, zone)][side].get(code, 0.0) / 1e4
        return value

    @staticmethod
    def _flow(transitions, period, flow, unit):
        """Flow in ha ('ha'), ha/year ('ha_an', NULL when the vintages are not years) or % of the zone ('pct')."""
        years = ch.years_between(period)

        def value(zone):
            flows = transitions.zone_flows(period, zone)
            area = ch.flow_values(flows)[flow]
            if unit == "pct":
                total = flows.get("total", 0.0)
                return 100.0 * area / total if total else None
            if unit == "ha_an":
                return area / 1e4 / years if years else None
            return area / 1e4
        return value
