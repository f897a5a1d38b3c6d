"""ocs:atlas — a territorial portrait of every zone (commune) as PDF pages built on a QGIS print layout atlas.

The figures come from the engine of ocs:territoryflows and ocs:zantrajectory (engines/atlas.py), the layout and
the export from engines/atlaslayout.py, the sentences, charts and index from core/atlas.py.
"""
import os
from datetime import date

from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingException,
    QgsProcessingFeatureSource,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExpression,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import atlas as text
from ..core import heat as heat_core
from ..core import detection
from ..core import nomenclature as nom
from ..core import zan
from ..engines import atlas, atlasinside, atlaslayout, atlasthemes, changes, landcover, styling, window
from ..engines import zan as zanmaps
from ..language import number as local_number
from . import base, inputs
from .changes import name_field_parameter, whole_gpkg

LANGUAGES = ("auto", "fr", "en")


class AtlasAlgorithm(base.OcsAlgorithm):
    NAME = "atlas"
    GROUP = "outputs"
    INPUT = "INPUT"
    INPUT_AFTER = "INPUT_AFTER"
    NOMENCLATURE = "NOMENCLATURE"
    FROM_VINTAGE = "FROM_VINTAGE"
    TO_VINTAGE = "TO_VINTAGE"
    ZONES = "ZONES"
    ZONE_FIELD = "ZONE_FIELD"
    NAME_FIELD = "NAME_FIELD"
    ZONE_FILTER = "ZONE_FILTER"
    FRICHES = "FRICHES"
    HEAT = "HEAT"
    LAYOUT = "LAYOUT"
    LANGUAGE = "LANGUAGE"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    OUTPUT_PDF = "OUTPUT_PDF"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    OUTPUT_PROJECT = "OUTPUT_PROJECT"

    _filtered = None
    _zone_input = None

    def tr(self, text_):
        return QCoreApplication.translate("AtlasAlgorithm", text_)

    def displayName(self):  # noqa: N802
        return self.tr("Atlas of territorial portraits (PDF)")

    def flags(self):
        # the print layout and its project live in the main thread (as QGIS's own layout export algorithms)
        return super().flags() | compat.FLAG_NO_THREADING

    def initAlgorithm(self, config=None):  # noqa: N802
        polygon = [compat.TYPE_VECTOR_POLYGON]
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (multi-date, or the first vintage)"), polygon))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT_AFTER, self.tr("Second vintage layer (overlay mode)"), polygon, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, self.tr("Nomenclature"), base.nomenclature_options(), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.FROM_VINTAGE, self.tr("From vintage (year; empty = first detected)"), optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.TO_VINTAGE, self.tr("To vintage (year; empty = last detected)"), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(self.ZONES, self.tr("Zones (e.g. communes)"), polygon))
        self.addParameter(QgsProcessingParameterField(
            self.ZONE_FIELD, self.tr("Zone field (e.g. INSEE code)"), parentLayerParameterName=self.ZONES,
            optional=True))
        self.addParameter(name_field_parameter(self.NAME_FIELD, self.ZONES))
        self.addParameter(QgsProcessingParameterExpression(
            self.ZONE_FILTER, self.tr("Zones to portray (expression; empty = all)"),
            parentLayerParameterName=self.ZONES, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.FRICHES, self.tr("Friches (output of Friches)"), polygon, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.HEAT, self.tr("Heat island (output of Heat island)"), polygon, optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.LAYOUT, self.tr("Layout template (.qpt; empty = the default portrait)"),
            extension="qpt", optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.LANGUAGE, self.tr("Language of the portraits"),
            [self.tr("Interface language"), self.tr("French"), self.tr("English")], defaultValue=0))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, self.tr("Atlas folder (one PDF per zone, index.html)")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_PDF, self.tr("All the portraits in one PDF"), self.tr("PDF files (*.pdf)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_TABLE, self.tr("Indicators per zone"), compat.TYPE_VECTOR_POLYGON))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_PROJECT, self.tr("QGIS project of the atlas"), self.tr("QGIS projects (*.qgz)"),
            optional=True, createByDefault=False))

    # -- parameters ----------------------------------------------------------------------------------------
    def _language(self, parameters, context):
        choice = LANGUAGES[self.parameterAsEnum(parameters, self.LANGUAGE, context)]
        return base.help_language() if choice == "auto" else choice

    def _vintage(self, parameters, name, context):
        value = self.parameterAsString(parameters, name, context).strip()
        if value and not (value.isdigit() and len(value) in (2, 4)):
            raise QgsProcessingException(self.tr("{0}: '{1}' is not a year. Give a year such as 2015.").format(
                name, value))
        return detection.parse_vintages(value)[0] if value else ""

    def _zones(self, parameters, context, feedback):
        """The Zones of ZONES, restricted by ZONE_FILTER (a memory copy of the zones kept)."""
        zones = inputs.zones(self, parameters, context, feedback)
        expression = self.parameterAsExpression(parameters, self.ZONE_FILTER, context).strip()
        if expression:
            request = QgsFeatureRequest().setFilterExpression(expression)
            layer = zones.source.materialize(request, feedback)
            if layer is None or layer.featureCount() == 0:
                raise QgsProcessingException(self.tr("ZONE_FILTER keeps no zone of '{0}': {1}").format(
                    zones.source.sourceName(), expression))
            feedback.pushInfo(self.tr("ZONE_FILTER keeps {0} zone(s).").format(layer.featureCount()))
            self._filtered = layer      # kept alive while the source below reads it
            zones.source = QgsProcessingFeatureSource(layer, context)
        return zones

    def _job(self, parameters, context, feedback):
        before = base.require_polygon_source(self, parameters, self.INPUT, context)
        after = None
        if parameters.get(self.INPUT_AFTER) not in (None, ""):
            after = base.require_polygon_source(self, parameters, self.INPUT_AFTER, context)
        zones = self._zones(parameters, context, feedback)
        self._zone_input = zones
        enum_index = self.parameterAsEnum(parameters, self.NOMENCLATURE, context)
        from_vintage = self._vintage(parameters, self.FROM_VINTAGE, context)
        target, dimension = atlas.cover_target(before, enum_index, from_vintage if after is not None else "")
        options = changes.ChangeOptions(
            target=target, target_label=self.tr("4 postes") if target == "p4" else self.tr("Level 1"),
            dimension=dimension, from_vintage=from_vintage,
            to_vintage=self._vintage(parameters, self.TO_VINTAGE, context), nomenclature=enum_index,
            all_periods=True, spatial_rules=True, statuses=True)
        gpkg_layers = (whole_gpkg(self, parameters, self.INPUT, context),
                       whole_gpkg(self, parameters, self.INPUT_AFTER, context) if after is not None else None)
        windowed = [self._window(zones, source, context) if source is not None else None
                    for source in (before, after)]
        if windowed != [None, None]:    # the land around the zones only (issue #20: 100 communes of a département)
            feedback.pushInfo(self.tr("The land cover is read around the zones: their extent grown by {0} m.").format(
                local_number(atlasinside.READ_MARGIN, None)))
        if windowed[0] is not None:
            before, gpkg_layers = windowed[0], (None, gpkg_layers[1])
            if before.featureCount() == 0:
                raise QgsProcessingException(self.tr("No zone of '{0}' meets the land cover.").format(
                    base.zones_name(self, parameters, context)))
        if windowed[1] is not None:
            after, gpkg_layers = windowed[1], (gpkg_layers[0], None)
        change_inputs = changes.ChangeInputs(before, after, zones.source, zones.field, zones.name_field,
                                             *gpkg_layers)
        return changes.ChangeJob(change_inputs, options, context, feedback)

    @staticmethod
    def _window(zones, source, context):
        """``source`` read in the zones' extent grown by READ_MARGIN (window.WindowSource), or None when that
        holds the whole layer."""
        extent = atlasinside.extent_in(zones.source.sourceExtent(), zones.source.sourceCrs(), source.sourceCrs(),
                                       context)
        extent = window.grown(extent, atlasinside.READ_MARGIN)
        return None if window.contains(extent, source.sourceExtent()) else window.WindowSource(source, extent)

    # -- run -----------------------------------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        language = self._language(parameters, context)
        template = self._template(parameters, context, language, feedback)
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        os.makedirs(os.path.join(folder, "graphiques"), exist_ok=True)
        job = self._job(parameters, context, feedback)
        feedback.setProgressText(self.tr("Computing the figures per zone…"))
        figures = atlas.compute(job, zan.Trajectory(), feedback)
        if figures is None:
            return {}
        if not figures.portraits:
            raise QgsProcessingException(self.tr("No zone of '{0}' meets the land cover.").format(
                base.zones_name(self, parameters, context)))
        atlas.write_sentences(figures, language)
        rows = self._rows(figures, folder, language)
        outlines = zanmaps.zone_outlines(job.zones, zan.TOTAL)
        text.compare(rows, atlas.portrait_values(figures.territory, figures, language))
        extras = self._extra_sources(parameters, context, job, feedback)
        self._themes(extras, context, rows, (outlines, job.crs, language), feedback)
        results = {self.OUTPUT_FOLDER: folder}
        results[self.OUTPUT_TABLE] = self._table(parameters, context, rows, outlines, job.crs, language)
        layers = self._layers(folder, figures, rows, outlines, job.crs, context, language)
        self._extra_layers(extras, context, layers, folder)
        project = atlaslayout.new_project([layers[key] for key in (
            "cover", "changes", "outline", "zones", "heat", "friches", "transitions", "comparaison") if key in layers])
        layout = self._layout(template, project, layers, (figures, job, language))
        project.layoutManager().addLayout(layout)
        feedback.setProgressText(self.tr("Writing the portraits…"))
        written = atlaslayout.export_pages(layout, folder, feedback, (50, 95))
        if not written and not feedback.isCanceled():
            raise QgsProcessingException(self.tr("No portrait could be written to {0}.").format(folder))
        feedback.pushInfo(self.tr("{0} portrait(s) written to {1}").format(len(written), folder))
        self._index(folder, rows, written, figures, language)
        pdf = self.parameterAsFileOutput(parameters, self.OUTPUT_PDF, context)
        if pdf and not feedback.isCanceled():
            error = atlaslayout.export_single(layout, pdf)
            if error:
                raise QgsProcessingException(self.tr("Could not write {0}: {1}").format(pdf, error))
            results[self.OUTPUT_PDF] = pdf
        qgz = self.parameterAsFileOutput(parameters, self.OUTPUT_PROJECT, context)
        if qgz:
            if not project.write(qgz):
                raise QgsProcessingException(self.tr("Could not write {0}: {1}").format(qgz, project.error()))
            results[self.OUTPUT_PROJECT] = qgz
        return results

    def _rows(self, figures, folder, language):
        """[{field: value}] of the zones, their chart SVGs written to ``folder``/graphiques."""
        rows = []
        for portrait in figures.portraits:
            values = atlas.portrait_values(portrait, figures, language)
            chart, zan_chart = atlas.charts(portrait, figures, language)
            bilan, trajectory = atlas.change_charts(portrait, figures, language)
            for field, svg, suffix in (("graphique", chart, ""), ("graphique_zan", zan_chart, "_zan"),
                                       ("graphique_bilan", bilan, "_bilan"),
                                       ("graphique_trajectoire", trajectory, "_trajectoire")):
                if svg is None:
                    continue
                path = os.path.join(folder, "graphiques", values["fichier"] + suffix + ".svg")
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(svg)
                values[field] = path
            rows.append(values)
        return rows

    @staticmethod
    def _fields():
        fields = QgsFields()
        for name, kind, _fr, _en in text.FIELDS:
            fields.append(compat.make_field(name, kind))
        return fields

    def _features(self, fields, rows, outlines):
        features = []
        for values in rows:
            feature = QgsFeature(fields)
            geometry = outlines.get(values["code"])
            if geometry is not None:
                feature.setGeometry(geometry)
            feature.setAttributes([values.get(name) for name in fields.names()])
            features.append(feature)
        return features

    def _table(self, parameters, context, rows, outlines, crs, language):
        """OUTPUT_TABLE: one row per zone; the definitions stored as aliases in the default style of a
        GeoPackage."""
        fields = self._fields()
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT_TABLE, context, fields,
                                                 compat.WKB_MULTIPOLYGON, crs)
        sink.addFeatures(self._features(fields, rows, outlines), QgsFeatureSink.FastInsert)
        del sink
        path = destination.split("|")[0]
        if path.lower().endswith(".gpkg") and os.path.exists(path):
            layer = QgsVectorLayer(destination, "table", "ogr")
            if layer.isValid():
                atlaslayout.set_aliases(layer, text.field_aliases(language))
                styling.save_style_in_database(layer, "atlas", self.tr("Indicators per zone"), True)
        else:
            layer = context.getMapLayer(destination) if context else None
            if layer is not None:
                atlaslayout.set_aliases(layer, text.field_aliases(language))
        return destination

    def _layers(self, folder, figures, rows, outlines, crs, context, language):
        """atlas.gpkg: the zones (coverage layer) and the land cover pieces, styled; returned opened."""
        path = os.path.join(folder, atlaslayout.GPKG_NAME)
        fields = self._fields()
        zones = atlaslayout.write_layer(path, "zones", fields, crs, self._features(fields, rows, outlines),
                                        True, context)
        atlaslayout.set_aliases(zones, text.field_aliases(language))
        atlaslayout.style_zones(zones)
        styling.save_style_in_database(zones, "atlas", "atlas", True)
        zones.setName(self.tr("Zones"))
        numeric = figures.target == "p4"
        class_field = "p4" if numeric else "cs_niv1"
        cover_fields = QgsFields()
        cover_fields.append(compat.make_field("zone", "str"))
        cover_fields.append(compat.make_field(class_field, "int" if numeric else "str"))
        cover_fields.append(compat.make_field("type_changement", "str"))
        cover = atlaslayout.write_layer(path, "occupation", cover_fields, crs,
                                        atlaslayout.piece_features(cover_fields, figures.pieces, numeric),
                                        False, context)
        styling.style_layer(cover, class_field, "p4" if numeric else "ocsge_cs_niv1")
        styling.save_style_in_database(cover, class_field, class_field, True)
        cover.setName(text.page_text("cover", language, year=figures.period[1]))
        kinds = QgsVectorLayer("%s|layername=occupation" % path, "%s %s-%s" % (
            text.page_text("changes", language), *figures.period), "ogr")
        styling.style_layer(kinds, "type_changement", "type_changement")
        layers = {"zones": zones, "cover": cover, "changes": kinds, "outline": atlaslayout.outline_layer(path)}
        layers.update(atlaslayout.table_layers(path, figures, rows, language, context))
        return layers

    def _themes(self, extras, context, rows, zones, feedback):
        """The heat and friches fields of ``rows`` from the layers of ``extras`` (HEAT and FRICHES given or
        computed inside); ``zones`` = (outlines, CRS of the computation, language)."""
        outlines, crs, language = zones
        for key, read in (("heat", atlasthemes.heat_values), ("friches", atlasthemes.friches_values)):
            if key not in extras:
                continue
            name, _table, layer = extras[key]
            values = read(layer, outlines, crs, context, language)
            if not values and key == "heat":
                feedback.reportError(self.tr(
                    "{0}: '{1}' has no classe_<year> field (an output of Heat island is expected): the heat "
                    "figures of the portraits are left empty.").format(name, layer.name()), False)
            for row in rows:
                row.update(values.get(row["code"], {}))

    def _extra_sources(self, parameters, context, job, feedback):
        """{"heat"|"friches": (parameter name, table in atlas.gpkg, layer)}: HEAT and FRICHES, when given, their
        features around the zones portrayed; when not, computed inside by the engines of Heat island and Friches
        (engines/atlasinside.py)."""
        frame = atlasinside.Window(job.zones.extent, job.crs, self._zone_input.source, self._zone_input.field)
        extras = {}
        for name, key, table in ((self.HEAT, "heat", "chaleur"), (self.FRICHES, "friches", "friches")):
            if parameters.get(name) in (None, ""):
                original = self._inside(key, job, frame, context, feedback)
                if original is None:
                    continue
            else:
                original = self.parameterAsVectorLayer(parameters, name, context)
                if original is None:
                    raise QgsProcessingException(self.tr("{0}: the layer cannot be read.").format(name))
                original = atlasinside.window_copy(original, frame, context)
            extras[key] = (name, table, original)
        return extras

    def _extra_layers(self, extras, context, layers, folder):
        """The layers of ``extras`` copied with their style into atlas.gpkg (``layers`` gets them)."""
        path = os.path.join(folder, atlaslayout.GPKG_NAME)
        for key, (name, table, original) in extras.items():
            try:
                layers[key] = atlaslayout.copy_layer(path, table, original, context)
            except RuntimeError as error:
                raise QgsProcessingException(self.tr("{0}: cannot copy '{1}' into {2} ({3}).").format(
                    name, original.name(), path, error))
        return layers

    def _inside(self, key, job, frame, context, feedback):
        """The heat grid or the friches sites computed inside (None when cancelled), said in the log."""
        if key == "heat":
            year = job.after.vintages[-1].vintage
            feedback.setProgressText(self.tr("HEAT not given: computing the heat island score…"))
            feedback.pushInfo(self.tr(
                "HEAT not given: the heat island score of {0} is computed as Heat island does (square grid of {1} "
                "m, pixels of {2} m, default coefficients) over the zones' extent grown by {3} m.").format(
                year, local_number(heat_core.CELL_SIZE, None), local_number(heat_core.RESOLUTION, None),
                local_number(heat_core.COOLING_DISTANCE, None)))
            return atlasinside.heat_layer(job.after, frame, self.tr("Heat island score {0}").format(year),
                                          context, feedback)
        land = job.before if job.mode == "multidate" else job.after
        years = ", ".join(v.vintage for v in land.vintages)
        feedback.setProgressText(self.tr("FRICHES not given: finding the friches…"))
        feedback.pushInfo(self.tr(
            "FRICHES not given: the sites are found as Friches does (vintages {0}, at least {1} m², the zones as "
            "communes) over the zones' extent grown by {2} m, without the context layers (town halls, stations, "
            "services, flood areas, zoning, protected areas, polluted sites): give FRICHES, the output of Friches, "
            "for them.").format(years, local_number(atlasinside.MIN_SITE_M2, None),
                                local_number(atlasinside.READ_MARGIN, None)))
        layer, count = atlasinside.friches_layer(land, frame, self.tr("Friches {0}").format(years), context,
                                                 feedback)
        if layer is not None:
            feedback.pushInfo(self.tr("{0} friches sites found.").format(count))
        return layer

    def _template(self, parameters, context, language, feedback):
        """The QDomDocument of LAYOUT (empty: the shipped default portrait); read first, so that a bad template
        stops the run early."""
        path = self.parameterAsFile(parameters, self.LAYOUT, context) or atlaslayout.default_template(language)
        feedback.pushInfo(self.tr("Layout template: {0}").format(path))
        try:
            return atlaslayout.read_template(path)
        except (OSError, ValueError) as error:
            raise QgsProcessingException(self.tr("LAYOUT: cannot read the template {0} ({1}).").format(path, error))

    def _layout(self, template, project, layers, run):
        figures, job, language = run
        atlaslayout.set_footer(project, sources=text.SOURCES["ocsge" if job.before.key == nom.OCSGE else "ocs2d"],
                               years=", ".join(job.years),
                               date=date.today().strftime("%d/%m/%Y" if language == "fr" else "%Y-%m-%d"))
        layout = atlaslayout.load_template(project, template, layers, language)
        atlaslayout.enable_atlas(layout, layers["zones"])
        return layout

    @staticmethod
    def _index(folder, rows, written, figures, language):
        entries = []
        for values in rows:
            if values["fichier"] not in written:
                continue
            entries.append({"code": values["code"], "name": values["nom"], "pdf": values["fichier"] + ".pdf",
                            "surface_ha": values["surface_ha"], "conso_ha": values["conso_enaf_ha"],
                            "conso_ha_an": values["conso_enaf_ha_an"], "rank": values["rang_conso"],
                            "reste_ha": values["reste_ha"]})
        with open(os.path.join(folder, "index.html"), "w", encoding="utf-8") as handle:
            handle.write(text.index_html(entries, figures.period, figures.objective, language))
