"""ocs:zantrajectory — ENAF consumption per zone against the 2021–2031 allowance of the loi Climat et Résilience."""
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import changes as ch
from ..core import nomenclature as nom
from ..core import zan
from . import base
from ..engines import landcover
from .changes import ChangeJob

TOTAL = "total"
DESTINATIONS = ("habitat", "activite", "infra", "autre")
KIND_BY_ENAF = {"Uh": "habitat", "Ue": "activite", "Ui": "infra", "Ua": "autre"}
MAP_PIECES = 3000       # flow polygons drawn per zone in the report (the largest)


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

    def tr(self, text):
        return QCoreApplication.translate("ZanTrajectoryAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("ZAN trajectory per territory (ENAF consumption 2021-2031)")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (multi-date, or the first vintage)"), [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT_AFTER, self.tr("Second vintage layer (optional)"), [compat.TYPE_VECTOR_POLYGON],
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONES, self.tr("Zones (e.g. communes, optional)"), [compat.TYPE_VECTOR_POLYGON], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.ZONE_FIELD, self.tr("Zone field (e.g. INSEE code)"), parentLayerParameterName=self.ZONES,
            optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.REFERENCE_START, self.tr("Reference period: start"), defaultValue=zan.REFERENCE[0]))
        self.addParameter(QgsProcessingParameterString(
            self.REFERENCE_END, self.tr("Reference period: end (start of the objective decade)"),
            defaultValue=zan.REFERENCE[1]))
        self.addParameter(QgsProcessingParameterNumber(
            self.REDUCTION_PCT, self.tr("Reduction of the consumption (%)"), compat.NUMBER_DOUBLE,
            defaultValue=zan.REDUCTION_PCT, minValue=0.0, maxValue=100.0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.OFFICIAL_CONSUMPTION, self.tr("Official consumption of the reference period (table, optional)"),
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
                official[zone_key(zone)] = official.get(zone_key(zone), 0.0) + float(value) * factor
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
        reduction = self.parameterAsDouble(parameters, self.REDUCTION_PCT, context)
        objective = (end, str(int(end) + 10))
        official = self._official(parameters, context, feedback)
        if official is not None and parameters.get(self.ZONES) in (None, ""):
            feedback.reportError(self.tr("OFFICIAL_CONSUMPTION is given without ZONES: the official figures are per "
                                         "zone, so they are not used."), False)
            official = None
        job = ChangeJob(self, parameters, context, feedback, True, fixed={
            "target": "naf", "dimension": "cs", "from": "", "to": "", "nomenclature": 0, "min_area": 0.0,
            "consecutive": True})
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        pieces = {}

        def collect(geometry, zone, before, after, area):
            if before.naf == "NAF" and after.naf == "Non-NAF":
                pieces.setdefault(zone, []).append((area, KIND_BY_ENAF.get(after.enaf, "autre"), geometry))

        transitions = ch.Transitions()
        if not job.run(transitions, collect if report_path else None, Ellipsis):
            return {}
        periods = job.periods
        zones = transitions.zones() if job.zones is not None else []
        rows = [(zone, zone) for zone in zones] + [(TOTAL, Ellipsis)]
        figures = {}
        for label, key in rows:
            figures[label] = self._figures(transitions, periods, key, label, start, end, objective, reduction,
                                           official, figures, zones)
        fields, columns = self._fields(periods, end)
        geometry_type = compat.WKB_MULTIPOLYGON if job.zones is not None else compat.WKB_NOGEOMETRY
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields, geometry_type, job.crs)
        outlines = self._outlines(job)
        features = []
        for label, _key in rows:
            feature = QgsFeature(fields)
            geometry = outlines.get(label)
            if geometry is not None:
                feature.setGeometry(geometry)
            feature.setAttributes([figures[label].get(name) for name in columns])
            features.append(feature)
        sink.addFeatures(features, QgsFeatureSink.FastInsert)
        total = figures[TOTAL]
        feedback.pushInfo(self.tr("Territory: reference {0} ha ({1}); allowance {2}-{3}: {4} ha; remaining: {5}.")
                          .format(_fmt(total["conso_reference_ha"]), total["methode"], objective[0], objective[1],
                                  _fmt(total["enveloppe_ha"]), _fmt(total["reste_ha"])))
        results = {self.OUTPUT: destination}
        if report_path:
            self._report(report_path, job, figures, rows, periods, pieces, outlines, start, end, objective,
                         reduction, feedback)
            results[self.REPORT] = report_path
        return results

    def _figures(self, transitions, periods, key, label, start, end, objective, reduction, official, figures,
                 zones):
        result = {"zone": label, "surface_ha": transitions.total(periods[0], key) / 1e4}
        consumption = {}
        for period in periods:
            flows = ch.flow_values(transitions.zone_flows(period, key))
            years = ch.years_between(period)
            suffix = "%s_%s" % period
            result["annees_" + suffix] = years
            conso = flows["conso_enaf"] / 1e4
            consumption[period] = conso
            result["conso_enaf_%s_ha" % suffix] = conso
            result["conso_enaf_%s_ha_an" % suffix] = conso / years if years else None
            for destination in DESTINATIONS:
                result["conso_%s_%s_ha" % (destination, suffix)] = flows["conso_" + destination] / 1e4
            if years and int(period[0]) >= int(end):
                result["artif_%s_ha" % suffix] = flows["artif"] / 1e4
                result["desartif_%s_ha" % suffix] = flows["desartif"] / 1e4
                result["artif_net_%s_ha" % suffix] = flows["artif_net"] / 1e4
        usable = {p: v for p, v in consumption.items() if ch.years_between(p)}
        if label == TOTAL and zones:
            parts = [figures[z] for z in zones]
            known = [p["conso_reference_ha"] for p in parts if p["conso_reference_ha"] is not None]
            reference = sum(known) if known else None       # no measurable period anywhere: NULL, not 0
            # the land outside every zone is never in an official table: it does not make the total "mixte"
            sources = {p["source_reference"] for p in parts if p["zone"] != ch.OUTSIDE_ZONES} or {"OCS"}
            source = sources.pop() if len(sources) == 1 else "mixte"
            method = self.tr_method("sum of the zones") if source != "OCS" else zan.reference_estimate(
                usable, start, end)[1]
        elif official is not None and zone_key(label) in official:
            reference = official[zone_key(label)]
            source, method = "officiel", "chiffre officiel fourni (OFFICIAL_CONSUMPTION)"
        else:
            reference, method = zan.reference_estimate(usable, start, end)
            source = "OCS"
            if official is not None and label not in (TOTAL, ch.OUTSIDE_ZONES):
                method += " ; zone absente de la table officielle"
        observed, observed_method = zan.since(usable, objective[0], objective[1])
        allowance = zan.allowance(reference, reduction)
        span = int(end) - int(start)
        result.update({
            "periode_reference": "%s-%s" % (start, end), "conso_reference_ha": reference,
            "conso_reference_ha_an": reference / span if reference is not None else None,
            "source_reference": source, "methode": method, "reduction_pct": reduction,
            "periode_objectif": "%s-%s" % objective, "enveloppe_ha": allowance,
            "enveloppe_ha_an": allowance / 10.0 if allowance is not None else None,
            "conso_objectif_ha": observed, "methode_objectif": observed_method,
            "reste_ha": zan.remaining(allowance, observed)})
        result["_consumption"] = consumption
        return result

    @staticmethod
    def tr_method(text):
        return {"sum of the zones": "somme des zones (officiel ou estimé selon la zone)"}[text]

    @staticmethod
    def _fields(periods, end):
        fields = QgsFields()
        columns = ["zone", "surface_ha"]
        kinds = {"zone": "str", "surface_ha": "double"}
        for period in periods:
            suffix = "%s_%s" % period
            names = ["annees_" + suffix, "conso_enaf_%s_ha" % suffix, "conso_enaf_%s_ha_an" % suffix]
            names += ["conso_%s_%s_ha" % (d, suffix) for d in DESTINATIONS]
            if ch.years_between(period) and int(period[0]) >= int(end):
                names += ["artif_%s_ha" % suffix, "desartif_%s_ha" % suffix, "artif_net_%s_ha" % suffix]
            for name in names:
                kinds[name] = "int" if name.startswith("annees_") else "double"
            columns += names
        for name, kind in (("periode_reference", "str"), ("conso_reference_ha", "double"),
                           ("conso_reference_ha_an", "double"), ("source_reference", "str"), ("methode", "str"),
                           ("reduction_pct", "double"), ("periode_objectif", "str"), ("enveloppe_ha", "double"),
                           ("enveloppe_ha_an", "double"), ("conso_objectif_ha", "double"),
                           ("methode_objectif", "str"), ("reste_ha", "double")):
            kinds[name] = kind
            columns.append(name)
        for name in columns:
            fields.append(compat.make_field(name, kinds[name]))
        return fields, columns

    @staticmethod
    def _outlines(job):
        """{zone value: multipolygon} and the union for the total row (zones given), else {}."""
        if job.zones is None:
            return {}
        grouped = {}
        for value, geometry in zip(job.zones.values, job.zones.geometries):
            if value is not None:
                grouped.setdefault(value, []).append(geometry)
        outlines = {}
        for value, parts in grouped.items():
            geometry = QgsGeometry.unaryUnion(parts) if len(parts) > 1 else QgsGeometry(parts[0])
            if not QgsWkbTypes.isMultiType(geometry.wkbType()):
                geometry.convertToMultiType()
            outlines[value] = geometry
        total = QgsGeometry.unaryUnion(job.zones.geometries)
        if not QgsWkbTypes.isMultiType(total.wkbType()):
            total.convertToMultiType()
        outlines[TOTAL] = total
        return outlines

    # -- report --------------------------------------------------------------------------------------------
    def _report(self, path, job, figures, rows, periods, pieces, outlines, start, end, objective, reduction,
                feedback):
        from ..core import zanreport

        sections = []
        for label, key in rows:
            data = figures[label]
            period_rows = []
            for period in periods:
                suffix = "%s_%s" % period
                period_rows.append({
                    "period": period, "years": data["annees_" + suffix],
                    "conso_ha": data["conso_enaf_%s_ha" % suffix], "conso_ha_an": data["conso_enaf_%s_ha_an" % suffix],
                    "by_destination": {d: data["conso_%s_%s_ha" % (d, suffix)] for d in DESTINATIONS},
                    "artif_net_ha": data.get("artif_net_%s_ha" % suffix)})
            zone_pieces = pieces.get(key) if key is not Ellipsis else [p for v in pieces.values() for p in v]
            sections.append({
                "zone": None if label == TOTAL else "%s %s" % (job.zone_field, label),
                "area_ha": data["surface_ha"], "periods": period_rows,
                "reference": {"period": (start, end), "conso_ha": data["conso_reference_ha"],
                              "source": data["source_reference"], "methode": data["methode"]},
                "objective": {"period": objective, "reduction_pct": reduction, "allowance_ha": data["enveloppe_ha"],
                              "observed_ha": data["conso_objectif_ha"], "observed_methode": data["methode_objectif"],
                              "remaining_ha": data["reste_ha"]},
                "map": _map(outlines.get(label), zone_pieces or [])})
        title = self.tr("ZAN trajectory — {0}").format(job.before.source.sourceName())
        subtitle = self.tr("ENAF consumption per period (CoTech 2024 method on OCS2D; [derived] usage rule on "
                           "OCS GE) against the {0}-{1} allowance: {2} % less than {3}-{4}. OCS Toolbox, "
                           "ocs:zantrajectory.").format(objective[0], objective[1], "%g" % reduction, start, end)
        html = zanreport.build_zan_report(title, sections, language=base.help_language(), subtitle=subtitle)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(html)
        feedback.pushInfo(self.tr("Report written to {0}").format(path))


def zone_key(value):
    """Zone code as compared between the zone layer and the official table: text without spaces, '59350.0' →
    '59350', and a 4-digit number padded to 5 ('2001' → '02001', an INSEE code stored as a number)."""
    key = str(value).strip()
    if key.endswith(".0") and key[:-2].isdigit():
        key = key[:-2]
    if key.isdigit() and len(key) == 4:
        key = key.zfill(5)
    return key


def _rings(geometry):
    rings = []
    for part in geometry.asGeometryCollection() if geometry.isMultipart() else [geometry]:
        polygon = part.asPolygon()
        for ring in polygon:
            rings.append([(p.x(), p.y()) for p in ring])
    return rings


def _map(outline, zone_pieces):
    """The ``map`` entry of a report section: zone outline and the largest consumption pieces, simplified."""
    if outline is None and not zone_pieces:
        return None
    zone_pieces = sorted(zone_pieces, key=lambda p: -p[0])[:MAP_PIECES]
    box = outline.boundingBox() if outline is not None else None
    for _area, _kind, geometry in zone_pieces:
        if box is None:
            box = geometry.boundingBox()
        else:
            box.combineExtentWith(geometry.boundingBox())
    tolerance = max(box.width(), box.height()) / 2000.0
    flows = []
    for _area, kind, geometry in zone_pieces:
        simple = geometry.simplify(tolerance)
        if simple is None or simple.isEmpty():
            simple = geometry
        flows.append({"kind": kind, "rings": _rings(simple)})
    zone_rings = _rings(outline.simplify(tolerance)) if outline is not None else []
    return {"extent": (box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()), "zone": zone_rings,
            "flows": flows}


def _fmt(value):
    return "-" if value is None else "%.4f" % value
