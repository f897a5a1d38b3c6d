"""ocs:friches — friche candidates from land-use history, their characteristics, Mutafriches indices and vocation."""
from qgis.core import (
    QgsProcessing,
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
from . import base, inputs
from ..engines import friches as engine
from ..engines import landcover, styling


class FrichesAlgorithm(base.OcsAlgorithm):
    NAME = "friches"
    GROUP = "friches"
    INPUT = "INPUT"
    NOMENCLATURE = "NOMENCLATURE"
    VINTAGES = "VINTAGES"
    INVENTORY = "INVENTORY"
    MIN_AREA_M2 = "MIN_AREA_M2"
    ZONES = "ZONES"
    ZONE_FIELD = "ZONE_FIELD"
    TOWN_HALLS = "TOWN_HALLS"
    STATIONS = "STATIONS"
    SERVICES = "SERVICES"
    SERVICES_TYPE_FIELD = "SERVICES_TYPE_FIELD"
    FLOOD = "FLOOD"
    ZONING = "ZONING"
    ZONING_TYPE_FIELD = "ZONING_TYPE_FIELD"
    PROTECTED = "PROTECTED"
    POLLUTION = "POLLUTION"
    OUTPUT = "OUTPUT"
    OUTPUT_CSV = "OUTPUT_CSV"

    def tr(self, text):
        return QCoreApplication.translate("FrichesAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Friches: candidates, characteristics, mutability and vocation")

    def initAlgorithm(self, config=None):  # noqa: N802
        polygon, point, any_geometry = (compat.TYPE_VECTOR_POLYGON,), (QgsProcessing.TypeVectorPoint,), \
            (compat.TYPE_VECTOR_ANY,)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (multi-date if possible)"), list(polygon)))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, self.tr("Nomenclature"), base.nomenclature_options(), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.VINTAGES, self.tr("Vintages (e.g. 2005,2015,2021; empty = every vintage detected)"), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INVENTORY, self.tr("Friche inventory (CNIG friches standard, e.g. Cartofriches)"),
            list(any_geometry), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_AREA_M2, self.tr("Minimum area of a site (m²)"), compat.NUMBER_DOUBLE, defaultValue=1000.0,
            minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONES, self.tr("Communes (INSEE code of each site)"), list(polygon), optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.ZONE_FIELD, self.tr("INSEE code field"), parentLayerParameterName=self.ZONES, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.TOWN_HALLS, self.tr("Town halls (points; town centre = within 1 km)"), list(point), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.STATIONS, self.tr("Railway stations and public transport stops (points)"), list(point),
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SERVICES, self.tr("Shops and services (points, e.g. BPE)"), list(point), optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.SERVICES_TYPE_FIELD, self.tr("BPE type field of the services"),
            parentLayerParameterName=self.SERVICES, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.FLOOD, self.tr("Flood areas (polygons)"), list(polygon), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONING, self.tr("Zoning (PLU zones, polygons)"), list(polygon), optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.ZONING_TYPE_FIELD, self.tr("Zone type field (CNIG typezone: U, AUc, AUs, A, N)"),
            parentLayerParameterName=self.ZONING, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PROTECTED, self.tr("Protected natural areas (polygons)"), list(polygon), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.POLLUTION, self.tr("Polluted sites (points or polygons, e.g. BASOL, SIS)"), list(any_geometry),
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Friches"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CSV, self.tr("CNIG friches CSV"), self.tr("CSV files (*.csv)"), optional=True,
            createByDefault=False))

    # -- run -------------------------------------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        cover = inputs.land_cover(self, parameters, context, feedback)
        if len(cover.vintages) == 1:
            feedback.reportError(self.tr("One vintage only: candidates come from the current usage codes; the "
                                         "history, the abandonment period and reconverted friches need several "
                                         "vintages."), False)
        min_area = self.parameterAsDouble(parameters, self.MIN_AREA_M2, context)
        sites = engine.run(cover, min_area, self._layers(parameters, context, feedback), context, feedback)
        if sites is None:
            return {}
        crs = engine.working_crs(cover)
        if cover.transform is not None:
            feedback.pushInfo(self.tr("The sites are written in {0}, the CRS of the measures.").format(
                landcover.crs_label(crs)))
        fields = engine.output_fields()
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields, compat.WKB_MULTIPOLYGON,
                                                 crs)
        rows, vocations = engine.write(sites, fields, sink)
        del sink
        feedback.pushInfo(self.tr("{0} sites written; vocations: {1}.").format(
            len(rows), ", ".join("%s %d" % (k, v) for k, v in sorted(vocations.items(), key=lambda kv: str(kv[0])))))
        base.name_output(context, destination, self.tr("Friches {0}").format(base.vintage_span(cover.years())))
        styling.style_output(context, feedback, destination, "vocation", "friche_vocation")
        results = {self.OUTPUT: destination}
        path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        if path:
            engine.write_csv(path, rows)
            feedback.pushInfo(self.tr("CNIG friches CSV written to {0} (coordinates in {1}).").format(
                path, crs.authid()))
            results[self.OUTPUT_CSV] = path
        return results

    def _source(self, parameters, name, context):
        """The source of an optional layer, or None."""
        if parameters.get(name) in (None, ""):
            return None
        return self.parameterAsSource(parameters, name, context)

    def _layers(self, parameters, context, feedback):
        zones = inputs.zones(self, parameters, context, feedback, guess=False)
        return engine.Layers(
            inventory=self._source(parameters, self.INVENTORY, context),
            town_halls=self._source(parameters, self.TOWN_HALLS, context),
            stations=self._source(parameters, self.STATIONS, context),
            services=self._source(parameters, self.SERVICES, context),
            services_type_field=self.parameterAsString(parameters, self.SERVICES_TYPE_FIELD, context),
            flood=self._source(parameters, self.FLOOD, context),
            zoning=self._source(parameters, self.ZONING, context),
            zoning_type_field=self.parameterAsString(parameters, self.ZONING_TYPE_FIELD, context),
            protected=self._source(parameters, self.PROTECTED, context),
            pollution=self._source(parameters, self.POLLUTION, context),
            zones=zones.source if zones is not None else None,
            zone_field=zones.field if zones is not None else "")
