"""ocs:heatisland — surchauffe score per unit (grid, hexagons, zones or the input polygons) from land cover.

The Processing wrapper: reads the parameters into engines/heat.py's HeatOptions and ClassesInput, chooses the
square-grid path (read off the raster) or the generic one, gives the engine the sink or the GeoPackage file of
OUTPUT, and styles the output. The method is in engines/heat.py and core/heat.py.
"""
import os
import uuid

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterString,
    QgsProcessingUtils,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import heat
from ..core.tables import matrix_rows
from . import base, inputs
from ..fastpath import gpkg
from ..engines import heat as heat_engine
from ..engines import landcover, postgis, styling


class HeatIslandAlgorithm(base.OcsAlgorithm):
    NAME = "heatisland"
    GROUP = "climate"
    INPUT = "INPUT"
    NOMENCLATURE = "NOMENCLATURE"
    VINTAGES = "VINTAGES"
    UNITS = "UNITS"
    CELL_SIZE = "CELL_SIZE"
    ZONES = "ZONES"
    COEFFICIENTS = "COEFFICIENTS"
    COOLING_DISTANCE = "COOLING_DISTANCE"
    MIN_GREEN_AREA_HA = "MIN_GREEN_AREA_HA"
    RESOLUTION = "RESOLUTION"
    OUTPUT = "OUTPUT"
    OUTPUT_RASTER = "OUTPUT_RASTER"

    def tr(self, text):
        return QCoreApplication.translate("HeatIslandAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Heat island (surchauffe) score")

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (OCS2D or OCS GE)"), [compat.TYPE_VECTOR_POLYGON]))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, self.tr("Nomenclature"), base.nomenclature_options(), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.VINTAGES, self.tr("Vintages (e.g. 2005,2021; empty = every vintage detected)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.UNITS, self.tr("Units"), [self.tr("Square grid"), self.tr("Hexagonal grid"),
                                           self.tr("Zones layer"), self.tr("Input polygons")], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.CELL_SIZE, self.tr("Grid cell size (m)"), compat.NUMBER_DOUBLE, defaultValue=heat.CELL_SIZE,
            minValue=1.0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONES, self.tr("Zones (e.g. îlots, IRIS) when Units = zones"), [compat.TYPE_VECTOR_POLYGON],
            optional=True))
        self.addParameter(QgsProcessingParameterMatrix(
            self.COEFFICIENTS, self.tr("Coefficients (class or code, h_jour, h_nuit; empty = defaults)"),
            headers=["class", "h_jour", "h_nuit"], hasFixedNumberRows=False, optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.COOLING_DISTANCE, self.tr("Cooling distance of green and blue areas (m)"), compat.NUMBER_DOUBLE,
            defaultValue=heat.COOLING_DISTANCE, minValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_GREEN_AREA_HA, self.tr("Minimum area of a cooling green or blue area (ha)"),
            compat.NUMBER_DOUBLE, defaultValue=heat.MIN_GREEN_AREA_HA, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.RESOLUTION, self.tr("Internal raster resolution (m)"), compat.NUMBER_DOUBLE,
            defaultValue=heat.RESOLUTION, minValue=0.1))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Surchauffe score"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_RASTER, self.tr("Score raster (GeoTIFF)"), optional=True, createByDefault=False))

    # -- parameters ---------------------------------------------------------------------------------------
    def _coefficients(self, parameters, context, key, feedback):
        try:
            rows = matrix_rows(self.parameterAsMatrix(parameters, self.COEFFICIENTS, context), 3)
        except ValueError as error:
            raise QgsProcessingException(self.tr("COEFFICIENTS must have 3 columns (class, h_jour, h_nuit); got "
                                                 "{0} values.").format(error.args[0]))
        try:
            coefficients = heat.Coefficients(key, rows)
        except ValueError as error:
            raise QgsProcessingException(self.tr(
                "COEFFICIENTS: '{0}' is neither a class (bati, impermeable, mineral, composite, sol_nu, eau, "
                "feuillus, coniferes, mixte, arbustif, vigne, herbace…) nor a known couverture code, or a value "
                "is not between 0 and 1.").format(error.args[0]))
        if coefficients.overridden:
            feedback.pushInfo(self.tr("Coefficients overridden: {0}").format(", ".join(coefficients.overridden)))
        return coefficients

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        land = inputs.land_cover(self, parameters, context, feedback)
        source = land.source
        coefficients = self._coefficients(parameters, context, land.nomenclature, feedback)
        units = heat_engine.UNITS[self.parameterAsEnum(parameters, self.UNITS, context)]
        zones = None
        if units == "zones":
            if parameters.get(self.ZONES) in (None, ""):
                raise QgsProcessingException(self.tr("Units = zones needs a ZONES layer."))
            zones = base.require_polygon_source(self, parameters, self.ZONES, context)
        crs = land.transform.destinationCrs() if land.transform is not None else land.crs
        if land.transform is not None:
            feedback.pushInfo(self.tr("The score is computed and written in {0}, the CRS of the measures.").format(
                landcover.crs_label(crs)))
        workdir = os.path.join(QgsProcessingUtils.tempFolder(), "ocs_heat_" + uuid.uuid4().hex[:8])
        os.makedirs(workdir, exist_ok=True)
        options = heat_engine.HeatOptions(
            crs, self.parameterAsDouble(parameters, self.RESOLUTION, context), coefficients, land.years(), workdir,
            cooling_distance=self.parameterAsDouble(parameters, self.COOLING_DISTANCE, context),
            min_green=self.parameterAsDouble(parameters, self.MIN_GREEN_AREA_HA, context), units=units,
            cell=self.parameterAsDouble(parameters, self.CELL_SIZE, context))
        engine = heat_engine.HeatEngine(options, context, feedback)
        fast = None
        if land.transform is None:
            try:
                fast = base.gpkg_input(self, parameters, self.INPUT, context)
            except (gpkg.FastPathUnavailable, RuntimeError) as reason:
                feedback.pushDebugInfo("GeoPackage fast path not used: %s" % reason)
        steps = heat.grid_steps(options.cell, options.resolution, heat_engine.COARSE_MIN) \
            if units == "grid" else None
        if steps is not None:
            # a PostgreSQL layer: its classes read in place, band by band
            class_source = self._pg_class_source(parameters, context, engine, land) \
                if fast is None and land.transform is None else None
            classes = heat_engine.ClassesInput(source, land.vintages, land.transform, fast)
            return self._run_grid(parameters, context, feedback, engine, (classes, class_source), steps)
        classes = heat_engine.ClassesInput(source, land.vintages, land.transform, fast)
        if not engine.prepare_classes(classes):
            return {}
        if units in ("grid", "hexagons"):
            engine.make_grid(os.path.join(workdir, "units.gpkg"))
        elif units == "zones":
            engine.write_units(zones, landcover.reprojection(zones.sourceCrs(), crs, context),
                               os.path.join(workdir, "units.gpkg"))
        else:
            engine.use_classes_as_units()
        if not engine.burn():
            return {}
        destination, written = engine.write_output(self._sink_factory(parameters, context))
        results = {self.OUTPUT: self._finish_output(context, feedback, engine.years, destination, written)}
        self._write_raster(parameters, context, engine, results)
        engine.close()
        return results

    def _pg_class_source(self, parameters, context, engine, land):
        """engine.pg_class_source of the input when it is a whole PostgreSQL layer with an integer key, else None."""
        try:
            relation = base.pg_input(self, parameters, self.INPUT, context)
        except (gpkg.FastPathUnavailable, RuntimeError):
            return None
        return engine.pg_class_source(relation, land.vintages, land.source)

    def _run_grid(self, parameters, context, feedback, engine, inputs, steps):
        """Square grid whose cells are whole blocks of pixels: read off the raster (engines/heatgrid.py).
        ``inputs``: (heat_engine.ClassesInput, the class source when one is made already, or None)."""
        classes, class_source = inputs
        class_source = class_source or engine.grid_class_source(classes)
        if class_source is None:
            return {}
        if not engine.burn_grid(class_source, steps):
            return {}
        results = {self.OUTPUT: self._grid_output(parameters, context, feedback, engine, classes.gpkg)}
        self._write_raster(parameters, context, engine, results)
        class_source.close()
        engine.close()
        return results

    def _grid_output(self, parameters, context, feedback, engine, fast):
        """The grid written with SQLite when the output is a GeoPackage file (heatgrid.write_gpkg), by PostgreSQL
        when it is a PostGIS table (``_grid_postgis``), else through the Processing sink."""
        text = base.destination_text(parameters.get(self.OUTPUT), context)
        if postgis.destination_uri(text) is not None:
            destination = self.postgis_output_layer(parameters, self.OUTPUT, context)
            return self._finish_output(context, feedback, engine.years, destination,
                                       self._grid_postgis(feedback, engine, destination))
        value = parameters.get(self.OUTPUT)
        if isinstance(value, QgsProcessingOutputLayerDefinition):
            value = value.sink.staticValue()
        try:
            if not isinstance(value, str):
                raise gpkg.FastPathUnavailable("output is not a file")
            out_path, out_layer = gpkg.gpkg_output(value, fast[0] if fast else "")
        except gpkg.FastPathUnavailable as reason:
            feedback.pushDebugInfo("Output written through the sink: %s" % reason)
            destination, written = engine.write_grid_sink(self._sink_factory(parameters, context))
            return self._finish_output(context, feedback, engine.years, destination, written)
        destination = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        written = engine.write_grid_gpkg(out_path, out_layer)
        return self._finish_output(context, feedback, engine.years, destination, written)

    def _grid_postgis(self, feedback, engine, destination):
        """The grid written into the PostGIS table ``destination`` by PostgreSQL from the values (squares built
        from each cell's column and row), else through a temporary GeoPackage loaded with GDAL's COPY; the number
        of cells written."""
        try:
            return postgis.write_output(engine.write_grid_pg, destination, feedback, self.tr(
                "Grid written straight into {0} by PostgreSQL (squares built from the cells' columns and rows, "
                "no temporary GeoPackage)."))
        except gpkg.FastPathUnavailable as reason:
            feedback.pushDebugInfo("Grid not written straight into PostgreSQL: %s" % reason)
        out_path = postgis.temporary_gpkg("output")
        try:
            written = engine.write_grid_gpkg(out_path, "grid")
            postgis.load_output(out_path, "grid", destination, feedback)
        finally:
            gpkg.remove_gpkg(out_path)
        return written

    def _sink_factory(self, parameters, context):
        """make_sink(fields, wkb_type, crs) -> (sink, destination) of OUTPUT, for the engine."""
        return lambda fields, wkb_type, crs: self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                                                  wkb_type, crs)

    def _finish_output(self, context, feedback, years, destination, written):
        """Say how many units were written and style the output (class of the last vintage)."""
        feedback.pushInfo(self.tr("{0} units with land cover written.").format(written))
        base.name_output(context, destination, self.tr("Heat island score {0}").format(base.vintage_list(years)))
        extra = [("classe_%s" % y, "heat_classe") for y in years[:-1]]
        extra += [("%s_%s" % (name, y), "heat_score") for y in years for name in ("score", "score_jour",
                                                                                  "score_nuit")]
        styling.style_output(context, feedback, destination, "classe_%s" % years[-1], "heat_classe", extra=extra)
        return destination

    def _write_raster(self, parameters, context, engine, results):
        raster = self.parameterAsOutputLayer(parameters, self.OUTPUT_RASTER, context)
        if raster:
            engine.write_raster(raster)
            base.name_output(context, raster, self.tr("Heat island score {0}, raster").format(engine.years[-1]))
            results[self.OUTPUT_RASTER] = raster
