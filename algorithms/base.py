"""Shared plumbing of the OCS Toolbox algorithms: help texts, groups, icons, inputs and checks."""
import os
import re

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputLayerDefinition,
    QgsProperty,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .. import compat
from ..__about__ import ICON_PATH, PLUGIN_DIR
from ..engines import postgis
from ..fastpath import gpkg
from ..language import user_locale

HELP_DIR = os.path.join(PLUGIN_DIR, "resources", "help")
# Group ids of the provider (stable: saved models do not store them, but the toolbox sorts by them);
# their display names are in group_name(), written out literally for pylupdate5.
GROUPS = ("nomenclatures", "changes", "zan", "friches", "climate", "control", "outputs", "styles")

translate = QCoreApplication.translate


def group_name(group_id):
    names = {
        "nomenclatures": QCoreApplication.translate("OcsAlgorithm", "Nomenclatures"),
        "changes": QCoreApplication.translate("OcsAlgorithm", "Changes"),
        "zan": QCoreApplication.translate("OcsAlgorithm", "ZAN"),
        "friches": QCoreApplication.translate("OcsAlgorithm", "Friches"),
        "climate": QCoreApplication.translate("OcsAlgorithm", "Climate"),
        "outputs": QCoreApplication.translate("OcsAlgorithm", "Outputs"),
        "styles": QCoreApplication.translate("OcsAlgorithm", "Styles"),
        "control": QCoreApplication.translate("OcsAlgorithm", "Quality control"),
    }
    return names[group_id]


def help_language():
    """Language of the help and the reports: French in a French QGIS, English in any other."""
    return "fr" if user_locale() == "fr" else "en"


def help_text(name, language=None):
    """Help document of algorithm ``name`` in the user's language (resources/help/<lang>/<name>.html)."""
    language = language or help_language()
    for lang in (language, "en"):
        path = os.path.join(HELP_DIR, lang, name + ".html")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                return handle.read()
    return ""


_PARAMETER_RE = re.compile(r"<b>([A-Z][A-Z0-9_]*)</b>")


def short_label(description):
    """A parameter's dialog label without its parenthesised hint: "Vintages (e.g. 2015,2021; …)" → "Vintages"."""
    head = description.split(" (", 1)[0].strip()
    return head or description


def name_parameters(text, algorithm):
    """Help text where each ``<b>ID</b>`` of a parameter or output reads as its dialog label in the interface
    language with the id for scripts: ``<b>Vintages</b> (<code>VINTAGES</code>)``; other bold words stay."""
    def label(match):
        name = match.group(1)
        definition = algorithm.parameterDefinition(name) or algorithm.outputDefinition(name)
        if definition is None or not definition.description():
            return match.group(0)
        return "<b>%s</b> (<code>%s</code>)" % (short_label(definition.description()), name)
    return _PARAMETER_RE.sub(label, text)


class OcsAlgorithm(QgsProcessingAlgorithm):
    """Base class: id, group, icon and help come from class attributes and resources/help/."""

    NAME = ""
    GROUP = "nomenclatures"

    def name(self):
        return self.NAME

    def groupId(self):  # noqa: N802
        return self.GROUP

    def group(self):
        return group_name(self.GROUP)

    def icon(self):
        return QIcon(ICON_PATH)

    def shortHelpString(self):  # noqa: N802
        return name_parameters(help_text(self.NAME), self)

    def helpUrl(self):  # noqa: N802
        return "https://github.com/ocs-toolbox/ocs_toolbox/blob/main/resources/help/%s/%s.html" % (
            help_language(), self.NAME)

    def createInstance(self):  # noqa: N802
        return type(self)()

    # -- PostGIS sources and destinations (engines/postgis.py) ----------------------------------------
    def prepareAlgorithm(self, parameters, context, feedback):  # noqa: N802
        self.run_feedback = feedback      # for the log lines of parameterAsSink
        self.postgis_outputs = []         # destinations to index once written (postProcessAlgorithm)
        return True

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """QGIS's checks on the parameters with Desktop source strings accepted; a PostgreSQL input that cannot be
        loaded is reported with its reason (connection refused, authentication failed, table not found)."""
        parameters = postgis_sources(self, parameters)
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            message = postgis_failure(self, parameters) or message
        return ok, message

    def parameterAsSource(self, parameters, name, context):  # noqa: N802
        return super().parameterAsSource(postgis_sources(self, parameters, name), name, context)

    def parameterAsVectorLayer(self, parameters, name, context):  # noqa: N802
        return super().parameterAsVectorLayer(postgis_sources(self, parameters, name), name, context)

    def parameterAsLayer(self, parameters, name, context):  # noqa: N802
        return super().parameterAsLayer(postgis_sources(self, parameters, name), name, context)

    def parameterAsSink(self, parameters, name, context, fields, geometryType=compat.WKB_NOGEOMETRY,  # noqa: N802,N803
                        crs=QgsCoordinateReferenceSystem(), *args):
        """QGIS's sink; a PostGIS destination gets the key ``fid``, no geometry column for a table, a log line
        when it replaces a table, and its spatial index once written."""
        value = parameters.get(name)
        text = destination_text(value, context)
        if postgis.destination_uri(text) is not None:
            feedback = getattr(self, "run_feedback", None) or _SilentFeedback()
            text = postgis.prepare_destination(text, geometryType != compat.WKB_NOGEOMETRY, feedback)
            parameters = dict(parameters)
            parameters[name] = with_sink(value, text)
            if not hasattr(self, "postgis_outputs"):
                self.postgis_outputs = []
            self.postgis_outputs.append(text)
        return super().parameterAsSink(parameters, name, context, fields, geometryType, crs, *args)

    def postgis_output_layer(self, parameters, name, context):
        """The destination of output ``name``, a PostGIS table written by the algorithm itself (push-down, which
        also indexes and analyses it): as parameterAsSink prepares it (key ``fid``, the log line when it replaces
        a table), registered to load in the project as a sink's output is."""
        value = parameters.get(name)
        feedback = getattr(self, "run_feedback", None) or _SilentFeedback()
        text = postgis.prepare_destination(destination_text(value, context), True, feedback)
        return self.parameterAsOutputLayer(dict(parameters, **{name: with_sink(value, text)}), name, context)

    def postProcessAlgorithm(self, context, feedback):  # noqa: N802
        for destination in getattr(self, "postgis_outputs", ()):
            postgis.finish_destination(destination, feedback)
        return {}


class _SilentFeedback:
    def pushInfo(self, _text):  # noqa: N802
        pass


def destination_text(value, context):
    """The destination string of an output parameter's value, read without parameterAsOutputLayer (which, for
    an output to load in the project, registers a second layer to load on completion)."""
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        value = value.sink.valueAsString(context.expressionContext())[0]
    return value if isinstance(value, str) else ""


def with_sink(value, text):
    """A copy of the output definition ``value`` (or a new one for a string) that writes to ``text``."""
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        copy = QgsProcessingOutputLayerDefinition(value)
        copy.sink = QgsProperty.fromValue(text)
        return copy
    return text


def _source_text(value):
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        value = value.source.staticValue()
    return value if isinstance(value, str) else None


INPUT_TYPES = ("source", "vector", "layer")


def input_names(alg, name=None):
    return [d.name() for d in alg.parameterDefinitions()
            if d.type() in INPUT_TYPES and (name is None or d.name() == name)]


def postgis_sources(alg, parameters, name=None):
    """``parameters`` where each layer input of ``alg`` (or ``name``) copied from the Desktop as
    ``dbname='x' … table="s"."t" (geom)`` gets the ``postgres://`` prefix Processing loads."""
    changed = None
    for key in input_names(alg, name):
        value = parameters.get(key)
        text = _source_text(value)
        if text is None or not postgis.is_source_string(text):
            continue
        if changed is None:
            changed = dict(parameters)
        if isinstance(value, QgsProcessingFeatureSourceDefinition):
            value = QgsProcessingFeatureSourceDefinition(value)
            value.source = QgsProperty.fromValue(postgis.loadable(text))
            changed[key] = value
        else:
            changed[key] = postgis.loadable(text)
    return parameters if changed is None else changed


def postgis_failure(alg, parameters):
    """'Could not load INPUT: <reason>' for the first PostgreSQL input of ``alg`` QGIS cannot load, or None."""
    for key in input_names(alg):
        text = _source_text(parameters.get(key))
        source = postgis.source_string(text)
        if source is None:
            continue
        if QgsVectorLayer(source, key, postgis.PROVIDER).isValid():
            continue
        reason = postgis.diagnose(text)
        if reason:
            return translate("OcsAlgorithm", "Could not load {0}: {1}").format(key, reason)
    return None


# -- names of the loaded outputs -----------------------------------------------------------------------

def vintage_list(vintages):
    """"2015, 2021": the vintages of an output that holds each of them."""
    return ", ".join(str(v) for v in vintages)


def vintage_span(vintages):
    """"2015–2021" (en dash): the first and last vintages of an output of changes between them."""
    vintages = [str(v) for v in vintages]
    return vintages[0] if len(vintages) == 1 else "%s\u2013%s" % (vintages[0], vintages[-1])


def periods_span(periods):
    """"2005–2021": from the first vintage of the first period [(from, to)] to the last of the last one."""
    return vintage_span([periods[0][0], periods[-1][1]])


def zones_name(alg, parameters, context, name="ZONES"):
    """Name of the zone layer of parameter ``name`` ("communes"), or "" without zones."""
    if parameters.get(name) in (None, ""):
        return ""
    source = alg.parameterAsSource(parameters, name, context)
    return source.sourceName() if source is not None else ""


def name_output(context, destination, title, zones=""):
    """Name under which the GUI loads ``destination``: ``title`` says the algorithm and the vintages
    ("Flux 2015–2021"), ``zones`` the zone layer ("Flux 2015–2021 (communes)"), so that outputs of two algorithms
    or two runs loaded together are told apart. QGIS uses it for a temporary output, and for a file when the
    Processing option "Prefer output filename for layer names" is off (else the file's name, the user's choice)."""
    if not destination or not context.willLoadLayerOnCompletion(destination):
        return
    name = "%s (%s)" % (title, zones) if zones else title
    context.layerToLoadOnCompletionDetails(destination).name = name


# -- inputs ------------------------------------------------------------------------------------------

def require_polygon_source(alg, parameters, name, context):
    """The feature source of parameter ``name``, which must exist and hold polygons."""
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        raise QgsProcessingException(translate("OcsAlgorithm", "Invalid or missing input layer ({0}).").format(name))
    if compat.geometry_type(source) != compat.GEOMETRY_POLYGON:
        raise QgsProcessingException(
            translate("OcsAlgorithm", "{0} must be a polygon layer; '{1}' holds another geometry type.").format(
                name, source.sourceName()))
    return source


def pushdown_not_used(feedback, reason, bulk=False):
    """Say why the PostGIS push-down does not apply, and which path runs: the generic one, or (``bulk``) one
    through a temporary GeoPackage, the PostGIS side copied in bulk."""
    if bulk:
        feedback.pushInfo(translate("OcsAlgorithm", "PostGIS push-down not used ({0}): through a temporary "
                                                    "GeoPackage, PostgreSQL read or written in bulk.").format(reason))
    else:
        feedback.pushInfo(translate("OcsAlgorithm", "PostGIS push-down not used ({0}): feature by feature.")
                          .format(reason))


def bulk_not_used(feedback, reason):
    """Say why a PostgreSQL input is not copied to a GeoPackage for the fast path (the generic path runs)."""
    feedback.pushInfo(translate("OcsAlgorithm", "PostgreSQL input not copied for the GeoPackage fast path ({0}): "
                                                "feature by feature.").format(reason))


def pushdown_writing(table):
    """The log line of a push-down that writes ``table``."""
    return translate("OcsAlgorithm", "Run by PostgreSQL (push-down): writing {0}…").format(table)


def whole_layer(alg, parameters, name, context):
    """The layer of parameter ``name`` when it is read whole (no selection, filter or feature limit), else raise
    gpkg.FastPathUnavailable."""
    value = parameters.get(name)
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        if value.selectedFeaturesOnly or value.featureLimit not in (-1, None) or \
                getattr(value, "filterExpression", ""):
            raise gpkg.FastPathUnavailable("selection, filter or limit")
    return alg.parameterAsVectorLayer(parameters, name, context)


def gpkg_input(alg, parameters, name, context):
    """(path, layer name) when parameter ``name`` is a whole GeoPackage layer (no selection, filter or limit),
    else raise gpkg.FastPathUnavailable."""
    return gpkg.gpkg_input(whole_layer(alg, parameters, name, context))


def copied_pg_input(alg, parameters, name, context, feedback, land):
    """(path, layer name, what to keep while it is read) of the PostgreSQL layer of parameter ``name`` (whole,
    integer key; ``land``: its landcover.LandCover) copied to a temporary GeoPackage for a GeoPackage fast path
    (postgis.copy_land_cover; the caller removes the file), or None when it is not a PostgreSQL layer or cannot be
    copied (said in the log)."""
    try:
        relation = pg_input(alg, parameters, name, context)
    except (gpkg.FastPathUnavailable, RuntimeError):
        return None
    try:
        return postgis.copy_land_cover(relation, land, feedback)
    except (gpkg.FastPathUnavailable, RuntimeError) as reason:
        bulk_not_used(feedback, reason)
        return None


def pg_input(alg, parameters, name, context):
    """The fastpath.pg.PgRelation when parameter ``name`` is a whole PostgreSQL layer (no selection, filter or
    limit) with an integer key, else raise gpkg.FastPathUnavailable."""
    return postgis.pushdown_relation(whole_layer(alg, parameters, name, context))


def nomenclature_options():
    return [translate("OcsAlgorithm", "Auto-detect"), translate("OcsAlgorithm", "OCS2D Hauts-de-France 2021"),
            translate("OcsAlgorithm", "OCS2D Nord-Pas-de-Calais 2005/2015 (legacy codes)"), translate("OcsAlgorithm", "OCS GE (IGN)")]
