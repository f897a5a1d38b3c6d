"""Shared plumbing of the OCS Toolbox algorithms: help texts, groups, icons, inputs and checks."""
import os
import re

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingFeatureSourceDefinition
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from .. import compat
from ..__about__ import ICON_PATH, PLUGIN_DIR
from ..fastpath import gpkg
from ..language import user_locale

HELP_DIR = os.path.join(PLUGIN_DIR, "resources", "help")
# Group ids of the provider (stable: saved models do not store them, but the toolbox sorts by them);
# their display names are in group_name(), written out literally for pylupdate5.
GROUPS = ("nomenclatures", "changes", "zan", "friches", "climate", "outputs", "styles")

translate = QCoreApplication.translate


def group_name(group_id):
    names = {
        "nomenclatures": QCoreApplication.translate("OcsAlgorithm", "Nomenclatures"),
        "changes": QCoreApplication.translate("OcsAlgorithm", "Changes"),
        "zan": QCoreApplication.translate("OcsAlgorithm", "ZAN"),
        "friches": QCoreApplication.translate("OcsAlgorithm", "Friches"),
        "climate": QCoreApplication.translate("OcsAlgorithm", "Urban climate"),
        "outputs": QCoreApplication.translate("OcsAlgorithm", "Outputs"),
        "styles": QCoreApplication.translate("OcsAlgorithm", "Styles"),
    }
    return names[group_id]


def help_language():
    """Language of the help and the reports: French in a French QGIS, English in any other."""
    return "fr" if user_locale() == "fr" else "en"


def legend_language():
    """Language of the legends: the official French class names, in English only in an English QGIS
    (engines/styling.resolve_template follows the same rule)."""
    return "en" if user_locale() == "en" else "fr"


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


def gpkg_input(alg, parameters, name, context):
    """(path, layer name) when parameter ``name`` is a whole GeoPackage layer (no selection, filter or limit),
    else raise gpkg.FastPathUnavailable."""
    value = parameters.get(name)
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        if value.selectedFeaturesOnly or value.featureLimit not in (-1, None) or \
                getattr(value, "filterExpression", ""):
            raise gpkg.FastPathUnavailable("selection, filter or limit")
    return gpkg.gpkg_input(alg.parameterAsVectorLayer(parameters, name, context))


def nomenclature_options():
    return [translate("OcsAlgorithm", "Auto-detect"), translate("OcsAlgorithm", "OCS2D Hauts-de-France 2021"),
            translate("OcsAlgorithm", "OCS2D Nord-Pas-de-Calais 2005/2015 (legacy codes)"), translate("OcsAlgorithm", "OCS GE (IGN)")]
