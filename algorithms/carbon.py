"""ocs:carbon — soil, litter and biomass carbon stocks per zone and vintage, and the flows caused by land-cover
change between vintages (ADEME ALDO method on OCS2D / OCS GE).

The Processing wrapper: parameters → engines/carbon.py's CarbonInputs → ledger → sinks, style and report. The
method is in core/carbon.py, the tables in resources/carbon/.
"""
from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingException,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QCoreApplication

translate = QCoreApplication.translate

from .. import compat
from ..core import carbon, carbonreport, detection
from ..core import changes as ch
from ..core.tables import matrix_rows
from ..engines import carbon as engine
from ..engines import changes, styling
from ..fastpath import gpkg
from . import base, inputs
from ..language import number as local_number

TOTAL = "total"
STOCK_TEMPLATE_RANGES = ((0.0, 40.0, "< 40 tC/ha", "#FFF7BC"), (40.0, 60.0, "40 – 60 tC/ha", "#D9F0A3"),
                         (60.0, 80.0, "60 – 80 tC/ha", "#ADDD8E"), (80.0, 120.0, "80 – 120 tC/ha", "#78C679"),
                         (120.0, 160.0, "120 – 160 tC/ha", "#31A354"), (160.0, 1000.0, "≥ 160 tC/ha", "#006837"))


def stock_template():
    """Graduated style of the stock per hectare (tC/ha) of OUTPUT_POLYGONS."""
    from ..core.styles import Template

    return Template("carbon_stock", "Stock de carbone (tC/ha)", True, [], ranges=list(STOCK_TEMPLATE_RANGES))


def stock_fields(years):
    """[(name, kind)] of OUTPUT after zone and surface_ha."""
    fields = []
    for year in years:
        fields += [("sol_tc_%s" % year, "double"), ("litiere_tc_%s" % year, "double"),
                   ("biomasse_tc_%s" % year, "double"), ("total_tc_%s" % year, "double"),
                   ("total_tc_ha_%s" % year, "double"), ("total_tco2e_%s" % year, "double")]
        fields += [("%s_ha_%s" % (category, year), "double") for category in carbon.AREA_CATEGORIES]
    return fields


def stock_values(ledger, zone, years):
    values = []
    for year in years:
        stock = ledger.stock(zone, year)
        values += [stock.soil, stock.litter, stock.biomass, stock.total, stock.per_ha, carbon.to_co2e(stock.total)]
        values += [stock.areas.get(category, 0.0) for category in carbon.AREA_CATEGORIES]
    return values


FLOW_FIELDS = [("periode", "str"), ("annee_debut", "str"), ("annee_fin", "str"), ("annees", "int"),
               ("surface_ha", "double"), ("surface_changee_ha", "double"), ("sol_ponctuel_tc", "double"),
               ("sol_annuel_tc_an", "double"), ("litiere_ponctuel_tc", "double"), ("biomasse_ponctuel_tc", "double"),
               ("biomasse_annuel_tc_an", "double"), ("ponctuel_tc", "double"), ("annuel_tc_an", "double"),
               ("total_tc", "double"), ("total_tco2e", "double"), ("total_tc_an", "double"),
               ("total_tco2e_an", "double")] + \
    [("%s_%s" % (kind, suffix), "double") for kind in carbon.KINDS for suffix in ("ha", "tc", "tco2e")]


def flow_values(period, flow):
    per_year = flow.total_per_year
    values = [ch.period_label(period), period[0], period[1], flow.years or None, flow.area_ha, flow.changed_ha,
              flow.soil_once, flow.soil_yearly, flow.litter_once, flow.biomass_once, flow.biomass_yearly,
              flow.once, flow.yearly, flow.total, carbon.to_co2e(flow.total), per_year,
              carbon.to_co2e(per_year) if per_year is not None else None]
    for kind in carbon.KINDS:
        area, total = flow.kinds[kind]
        values += [area, total, carbon.to_co2e(total)]
    return values


class CarbonAlgorithm(base.OcsAlgorithm):
    NAME = "carbon"
    GROUP = "climate"
    INPUT = "INPUT"
    NOMENCLATURE = "NOMENCLATURE"
    VINTAGES = "VINTAGES"
    ZONES = "ZONES"
    ZONE_FIELD = "ZONE_FIELD"
    COMMUNES = "COMMUNES"
    COMMUNE_FIELD = "COMMUNE_FIELD"
    PEDOCLIMATIC_ZONE = "PEDOCLIMATIC_ZONE"
    MAPPING = "MAPPING"
    OUTPUT = "OUTPUT"
    OUTPUT_FLOWS = "OUTPUT_FLOWS"
    OUTPUT_POLYGONS = "OUTPUT_POLYGONS"
    REPORT = "REPORT"
    ARABLE_SHARE = "ARABLE_SHARE"

    def tr(self, text):
        return QCoreApplication.translate("CarbonAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Carbon stocks and flows (ALDO)")

    def initAlgorithm(self, config=None):  # noqa: N802
        inputs.add_source(self, self.INPUT, self.tr("Land cover layer (OCS2D, OCS GE or reclassified)"))
        inputs.add_nomenclature(self, self.tr("Nomenclature"))
        inputs.add_vintages(self, self.tr("Vintages (e.g. 2015,2021; empty = every vintage detected)"))
        inputs.add_source(self, self.ZONES, self.tr("Zones (report units, e.g. communes or EPCI)"), optional=True)
        inputs.add_field(self, self.ZONE_FIELD, self.tr("Zone field (e.g. INSEE code)"), self.ZONES)
        inputs.add_source(self, self.COMMUNES, self.tr("Communes (INSEE codes: pedo-climatic zone of each polygon)"),
                          optional=True)
        inputs.add_field(self, self.COMMUNE_FIELD, self.tr("Commune INSEE code field"), self.COMMUNES)
        self.addParameter(QgsProcessingParameterString(
            self.PEDOCLIMATIC_ZONE, self.tr("Pedo-climatic zone for the whole layer (e.g. 2_1; without communes)"),
            optional=True))
        self.addParameter(QgsProcessingParameterMatrix(
            self.MAPPING, self.tr("Mapping overrides (couverture, usage, ALDO category; empty = shipped mapping)"),
            headers=["couverture", "usage", "categorie"], hasFixedNumberRows=False, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Carbon stocks per zone"), compat.TYPE_VECTOR_ANY))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_FLOWS, self.tr("Carbon flows per zone and period"), compat.TYPE_VECTOR_ANY))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_POLYGONS, self.tr("Polygons with their ALDO category and stock"),
            compat.TYPE_VECTOR_POLYGON, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.REPORT, self.tr("HTML report"), self.tr("HTML files (*.html)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterNumber(
            self.ARABLE_SHARE, self.tr("Arable share of OCS GE agricultural grassland CS2.2.1 × US1.1 (%; empty = 50)"),
            compat.NUMBER_DOUBLE, optional=True, minValue=0.0, maxValue=100.0))

    # -- parameters ---------------------------------------------------------------------------------------------
    def _mapping_rows(self, parameters, context):
        try:
            rows = matrix_rows(self.parameterAsMatrix(parameters, self.MAPPING, context), 3)
        except ValueError as error:
            raise QgsProcessingException(self.tr("MAPPING must have 3 columns (couverture, usage, categorie); got "
                                                 "{0} values.").format(error.args[0]))
        return [tuple("" if v is None or str(v) == "NULL" else str(v) for v in row) for row in rows]

    def _inputs(self, parameters, context, feedback):
        cover = inputs.land_cover(self, parameters, context, feedback)
        zones = inputs.zones(self, parameters, context, feedback)
        communes = inputs.zones(self, parameters, context, feedback, name=self.COMMUNES,
                                field_name=self.COMMUNE_FIELD)
        share = parameters.get(self.ARABLE_SHARE)
        share = None if share in (None, "") else self.parameterAsDouble(parameters, self.ARABLE_SHARE, context) / 100
        return engine.CarbonInputs(
            cover, zones=(zones.source, zones.field) if zones else None,
            communes=(communes.source, communes.field) if communes else None,
            pedoclimatic_zone=self.parameterAsString(parameters, self.PEDOCLIMATIC_ZONE, context),
            mapping_rows=self._mapping_rows(parameters, context), arable_share=share)

    # -- run --------------------------------------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        carbon_inputs = self._inputs(parameters, context, feedback)
        job = engine.CarbonJob(carbon_inputs, context, feedback)
        years = job.years
        polygons = None
        if parameters.get(self.OUTPUT_POLYGONS) not in (None, ""):
            polygons = PolygonWriter(self, parameters, context, job)
        gpkg_layer, copy = None, None
        if polygons is None:
            gpkg_layer = self._gpkg_layer(parameters, context, feedback)
            cover = carbon_inputs.cover
            if gpkg_layer is None and cover.transform is None and not cover.meter.geographic:
                copy = base.copied_pg_input(self, parameters, self.INPUT, context, feedback, cover)
                gpkg_layer = copy[:2] if copy is not None else None
        try:
            ledger = job.run(polygons.add if polygons else None, all_attributes=polygons is not None,
                             gpkg_layer=gpkg_layer)
        finally:
            if copy is not None:
                gpkg.remove_gpkg(copy[0])
        if ledger is None:
            return {}
        results = {}
        if polygons is not None:
            results[self.OUTPUT_POLYGONS] = polygons.finish(feedback)
        zone_rows = self._zone_rows(job, ledger)
        results[self.OUTPUT] = self._write_stocks(parameters, context, job, ledger, zone_rows, feedback)
        results[self.OUTPUT_FLOWS] = self._write_flows(parameters, context, job, ledger, zone_rows)
        whole = ledger.stock(Ellipsis, years[-1])
        feedback.pushInfo(self.tr("{0}: {1} tC in {2} ha, {3} tC/ha ({4} tCO2e).").format(
            years[-1], local_number(whole.total, 1), local_number(whole.area_ha, 2), local_number(whole.per_ha or 0.0, 2),
            local_number(carbon.to_co2e(whole.total), 1)))
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        if report_path:
            self._report(report_path, job, ledger, zone_rows, feedback)
            results[self.REPORT] = report_path
        return results

    def _gpkg_layer(self, parameters, context, feedback):
        """(path, layer name) of INPUT when it is a whole GeoPackage layer (the engine's fast path), else None."""
        try:
            return base.gpkg_input(self, parameters, self.INPUT, context)
        except (gpkg.FastPathUnavailable, RuntimeError) as reason:
            feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
            return None

    @staticmethod
    def _zone_rows(job, ledger):
        """[(zone value or TOTAL, ledger key, [geometries] or None)]: each zone, then the whole territory."""
        rows = []
        if job.zones is not None:
            geometries = {}
            for value, geometry in zip(job.zones.values, job.zones.geometries):
                geometries.setdefault(value, []).append(geometry)
            for zone in ledger.zones():
                rows.append((zone, zone, geometries.get(zone)))
            rows.append((TOTAL, Ellipsis, None))   # no geometry: the territory would cover the zones on the map
        else:
            rows.append((TOTAL, Ellipsis, None))
        return rows

    def _sink(self, parameters, name, context, specs, job):
        fields = QgsFields()
        for field_name, kind in specs:
            fields.append(compat.make_field(field_name, kind))
        geometry_type = compat.WKB_MULTIPOLYGON if job.zones is not None else compat.WKB_NOGEOMETRY
        sink, destination = self.parameterAsSink(parameters, name, context, fields, geometry_type, job.cover.crs)
        if sink is None:
            raise QgsProcessingException(self.tr("Could not create the output {0}.").format(name))
        return sink, destination, fields

    def _write_stocks(self, parameters, context, job, ledger, zone_rows, feedback):
        sink, destination, fields = self._sink(parameters, self.OUTPUT, context,
                                               [("zone", "str"), ("surface_ha", "double")] +
                                               stock_fields(job.years), job)
        features = []
        for zone, key, parts in zone_rows:
            feature = QgsFeature(fields)
            if parts:
                feature.setGeometry(changes.multipolygon(parts))
            feature.setAttributes([str(zone), ledger.total_area(key)] + stock_values(ledger, key, job.years))
            features.append(feature)
        sink.addFeatures(features, QgsFeatureSink.FastInsert)
        del sink   # flush and close the file before storing its style
        zones = base.zones_name(self, parameters, context)
        base.name_output(context, destination, self.tr("Carbon stocks {0}").format(base.vintage_list(job.years)),
                         zones)
        if job.zones is not None:
            styling.style_output(context, feedback, destination, "total_tc_ha_%s" % job.years[-1],
                                 stock_template())
        return destination

    def _write_flows(self, parameters, context, job, ledger, zone_rows):
        sink, destination, fields = self._sink(parameters, self.OUTPUT_FLOWS, context,
                                               [("zone", "str")] + FLOW_FIELDS, job)
        features = []
        for zone, key, parts in zone_rows:
            geometry = changes.multipolygon(parts) if parts else None
            for period in carbon.periods(job.years):
                feature = QgsFeature(fields)
                if geometry is not None:
                    feature.setGeometry(geometry)
                feature.setAttributes([str(zone)] + flow_values(period, ledger.flow(key, period)))
                features.append(feature)
        sink.addFeatures(features, QgsFeatureSink.FastInsert)
        base.name_output(context, destination, self.tr("Carbon flows {0}").format(
            base.vintage_span(job.years)), base.zones_name(self, parameters, context))
        return destination

    def _report(self, path, job, ledger, zone_rows, feedback):
        titles = zone_titles(job)
        sections = []
        for zone, key, _parts in [zone_rows[-1]] + zone_rows[:-1]:
            sections.append({"zone": None if key is Ellipsis else titles.get(zone, str(zone)),
                             "stocks": [(year, ledger.stock(key, year)) for year in job.years],
                             "flows": [(period, ledger.flow(key, period)) for period in carbon.periods(job.years)]})
        title = self.tr("Carbon stocks and flows — {0}").format(job.cover.name)
        subtitle = self.tr("ADEME ALDO method on {0}; mapping of the codes to ALDO categories proposed by OCS "
                           "Toolbox. OCS Toolbox, ocs:carbon.").format(job.cover.name)
        html = carbonreport.build_carbon_report(title, sections, language=base.help_language(), subtitle=subtitle)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(html)
        feedback.pushInfo(self.tr("Report written to {0}").format(path))


def zone_titles(job):
    """{zone code: "Name (code)"} when the zone layer has a name field (nom_com, NOM…), else {}."""
    if job.inputs.zones is None:
        return {}
    source, field = job.inputs.zones
    names = source.fields().names()
    name_field = detection.find_field(names, inputs.NAME_FIELD_GUESSES)
    if not name_field:
        return {}
    code_index, name_index = names.index(field), names.index(name_field)
    titles = {}
    for feature in source.getFeatures():
        attributes = feature.attributes()
        code, name = attributes[code_index], attributes[name_index]
        if code is not None and name is not None and str(name).strip() and str(code) != "NULL":
            titles.setdefault(str(code).strip(), "%s (%s)" % (str(name).strip(), str(code).strip()))
    return titles


class PolygonWriter:
    """OUTPUT_POLYGONS: the input polygons with categorie_aldo_yyyy and stock_tc_ha_yyyy, written in batches."""

    BATCH = 5000

    def __init__(self, algorithm, parameters, context, job):
        self.job = job
        source = job.cover.source
        self.fields = QgsFields(source.fields())
        for year in job.years:
            self.fields.append(compat.make_field("categorie_aldo_%s" % year, "str"))
            self.fields.append(compat.make_field("stock_tc_ha_%s" % year, "double"))
        self.sink, self.destination = algorithm.parameterAsSink(
            parameters, algorithm.OUTPUT_POLYGONS, context, self.fields, source.wkbType(), job.cover.crs)
        self.context = context
        self.batch = []
        self.count = 0
        self.densities = {}

    def add(self, feature, specs, location):
        values = list(feature.attributes())
        for spec in specs:
            key = (spec, location)
            if key not in self.densities:
                self.densities[key] = (carbon.spec_category(spec), carbon.stock_per_ha(self.job.tables, spec,
                                                                                        location))
            values += list(self.densities[key])
        out = QgsFeature(self.fields)
        out.setGeometry(feature.geometry())
        out.setAttributes(values)
        self.batch.append(out)
        if len(self.batch) >= self.BATCH:
            self._flush()

    def _flush(self):
        self.sink.addFeatures(self.batch, QgsFeatureSink.FastInsert)
        self.count += len(self.batch)
        self.batch = []

    def finish(self, feedback):
        self._flush()
        feedback.pushInfo(translate("CarbonAlgorithm", "{0} polygons written with their ALDO category and stock.")
                          .format(self.count))
        self.sink = None    # flush and close the file before storing its style
        last = self.job.years[-1]
        extra = [("stock_tc_ha_%s" % year, stock_template()) for year in self.job.years[:-1]]
        styling.style_output(self.context, feedback, self.destination, "stock_tc_ha_%s" % last, stock_template(),
                             extra=extra)
        return self.destination
