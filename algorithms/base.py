"""Shared plumbing of the OCS Toolbox algorithms: help texts, groups, icons, inputs and checks."""
import os

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
GROUPS = ("nomenclatures", "changes", "zan", "friches", "climate", "styles", "control")

translate = QCoreApplication.translate


def group_name(group_id):
    names = {
        "nomenclatures": QCoreApplication.translate("OcsAlgorithm", "Nomenclatures"),
        "changes": QCoreApplication.translate("OcsAlgorithm", "Changes"),
        "zan": QCoreApplication.translate("OcsAlgorithm", "ZAN"),
        "friches": QCoreApplication.translate("OcsAlgorithm", "Friches"),
        "climate": QCoreApplication.translate("OcsAlgorithm", "Urban climate"),
        "styles": QCoreApplication.translate("OcsAlgorithm", "Styles"),
        "control": QCoreApplication.translate("OcsAlgorithm", "Quality control"),
    }
    return names[group_id]


def help_language():
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
        return help_text(self.NAME)

    def helpUrl(self):  # noqa: N802
        return "https://github.com/ocs-toolbox/ocs_toolbox/blob/main/resources/help/%s/%s.html" % (
            help_language(), self.NAME)

    def createInstance(self):  # noqa: N802
        return type(self)()


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
