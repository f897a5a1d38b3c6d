"""PNG screenshots of what a QGIS Desktop user sees of the plugin (make screenshots; run by scripts/screenshots.sh
under Xvfb): the provider in the Processing toolbox, the dialogs of the shipped models, one model in the Model
Designer. The interface language is the profile's locale override (QGIS_CUSTOM_CONFIG_PATH), as in the Desktop.

    python3 scripts/screenshots.py OUTPUT_DIR
"""
import configparser
import glob
import os
import sys

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QCoreApplication

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "plugins"))

DIALOGS = ("ocs:diagnostic_changements", "ocs:diagnostic_zan", "ocs:changedetection", "ocs:zantrajectory",
           "ocs:validate", "ocs:carbon", "ocs:atlas")
DESIGNER = ("ocs:diagnostic_zan", "ocs:diagnostic_changements")


def locale_of_profile():
    """The profile's locale override (what QGIS Desktop reads at start), read before the application exists."""
    parser = configparser.ConfigParser()
    parser.read(os.path.join(os.environ.get("QGIS_CUSTOM_CONFIG_PATH", ""), "profiles", "default", "QGIS",
                             "QGIS3.ini"), encoding="utf-8")
    if parser.get("locale", "overrideFlag", fallback="false").lower() == "true":
        return parser.get("locale", "userLocale", fallback="") or "en"
    return "en"


def start():
    locale = locale_of_profile()
    QgsApplication.setTranslation(locale)   # QGIS's own strings, as the Desktop does for its interface language
    QCoreApplication.setOrganizationName("QGIS")   # as QGIS Desktop: QgsSettings then read the profile's QGIS3.ini
    QCoreApplication.setApplicationName("QGIS3")
    QgsApplication.setPrefixPath(os.environ.get("QGIS_PREFIX_PATH", "/usr"), True)
    app = QgsApplication([], True)
    app.initQgis()
    sys.path.insert(0, os.path.join(QgsApplication.pkgDataPath(), "python", "plugins"))   # Processing's GUI
    from ocs_toolbox.plugin import OcsToolboxPlugin

    from ocs_toolbox.language import user_locale

    if user_locale() != locale[:2]:
        raise SystemExit("the profile's locale %s is not the plugin's %s" % (locale, user_locale()))
    plugin = OcsToolboxPlugin(None)
    plugin.initProcessing()   # the plugin's translator, then the provider, as QGIS loads a plugin
    return app, plugin, locale


def settle(widget, width, height):
    widget.resize(width, height)
    widget.show()
    for _ in range(20):
        QgsApplication.processEvents()


def save(widget, path):
    settle(widget, widget.width(), widget.height())
    if not widget.grab().save(path, "PNG"):
        raise SystemExit("could not write %s" % path)
    print("wrote", path)


def grab_toolbox(path):
    """The Processing toolbox tree (QGIS's own view and model), the `ocs` provider expanded."""
    from qgis.gui import QgsProcessingToolboxTreeView

    view = QgsProcessingToolboxTreeView(None, QgsApplication.processingRegistry())
    view.setHeaderHidden(True)
    view.setWindowTitle("Processing Toolbox")
    name = QgsApplication.processingRegistry().providerById("ocs").name()
    model = view.model()
    rows = [model.index(row, 0) for row in range(model.rowCount())]
    found = [index for index in rows if index.data() == name]
    if not found:
        raise SystemExit("provider %s not in the toolbox: %s" % (name, [index.data() for index in rows]))
    view.expandRecursively(found[0])
    view.scrollTo(found[0], view.PositionAtTop)
    settle(view, 520, 900)
    save(view, path)


def grab_dialog(algorithm_id, path):
    from processing.gui.AlgorithmDialog import AlgorithmDialog

    algorithm = QgsApplication.processingRegistry().createAlgorithmById(algorithm_id)
    dialog = AlgorithmDialog(algorithm)
    settle(dialog, 1100, 900)
    save(dialog, path)
    dialog.close()


def grab_designer(model_id, path):
    from processing.modeler.ModelerDialog import ModelerDialog

    designer = ModelerDialog(QgsApplication.processingRegistry().algorithmById(model_id))
    settle(designer, 1600, 1000)
    view = designer.view()
    view.fitInView(view.scene().itemsBoundingRect().adjusted(-20, -20, 20, 20), 1)   # Qt.KeepAspectRatio
    save(designer, path)
    valid, issues = designer.model().validate()
    print("designer %s: %s %s" % (model_id, "valid" if valid else "INVALID", "; ".join(issues)))
    designer.close()
    return valid


def grab_maps(output, paths=None):
    """Every styled layer of the demo outputs (or of the GeoPackages ``paths``) as a map with its legend (a print
    layout exported to PNG), as a user sees it when opening the file: the style comes from its layer_styles."""
    from osgeo import ogr
    from qgis.core import (QgsLayoutExporter, QgsLayoutItemLabel, QgsLayoutItemLegend, QgsLayoutItemMap,
                           QgsLayoutPoint, QgsLayoutSize, QgsPrintLayout, QgsProject, QgsUnitTypes, QgsVectorLayer)
    from qgis.PyQt.QtGui import QFont

    demo = os.path.join(ROOT, "demo")
    for path in paths or sorted(glob.glob(os.path.join(demo, "*.gpkg"))):
        dataset = ogr.Open(path)
        names = [dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount())
                 if dataset.GetLayer(i).GetGeomType() != ogr.wkbNone and dataset.GetLayer(i).GetName() != "layer_styles"]
        dataset = None
        for name in names:
            layer = QgsVectorLayer("%s|layername=%s" % (path, name), name, "ogr")
            if not layer.isValid() or layer.renderer() is None or layer.renderer().type() == "singleSymbol":
                continue
            project = QgsProject()
            project.addMapLayer(layer)
            layout = QgsPrintLayout(project)
            layout.initializeDefaults()
            title = QgsLayoutItemLabel(layout)
            title.setText("%s — %s" % (os.path.basename(path), name))
            title.setFont(QFont("DejaVu Sans", 14))
            title.attemptMove(QgsLayoutPoint(10, 6, QgsUnitTypes.LayoutMillimeters))
            title.attemptResize(QgsLayoutSize(270, 10, QgsUnitTypes.LayoutMillimeters))
            layout.addLayoutItem(title)
            item = QgsLayoutItemMap(layout)
            item.setRect(0, 0, 100, 100)   # a map item without a first rectangle renders blank
            layout.addLayoutItem(item)
            item.attemptMove(QgsLayoutPoint(10, 18, QgsUnitTypes.LayoutMillimeters))
            item.attemptResize(QgsLayoutSize(180, 185, QgsUnitTypes.LayoutMillimeters))
            item.setLayers([layer])
            item.setKeepLayerSet(True)
            item.setCrs(layer.crs())
            item.zoomToExtent(layer.extent())
            legend = QgsLayoutItemLegend(layout)
            legend.setLinkedMap(item)
            legend.attemptMove(QgsLayoutPoint(195, 18, QgsUnitTypes.LayoutMillimeters))
            layout.addLayoutItem(legend)
            target = os.path.join(output, "map_%s_%s.png" % (os.path.splitext(os.path.basename(path))[0], name))
            settings = QgsLayoutExporter.ImageExportSettings()
            settings.dpi = 80
            settings.generateWorldFile = False
            result = QgsLayoutExporter(layout).exportToImage(target, settings)
            print("map %s: %s" % (target, "ok" if result == QgsLayoutExporter.Success else result))


def main(output):
    os.makedirs(output, exist_ok=True)
    app, plugin, locale = start()
    grab_toolbox(os.path.join(output, "toolbox_%s.png" % locale))
    for algorithm_id in DIALOGS:
        grab_dialog(algorithm_id, os.path.join(output, "dialog_%s_%s.png" % (algorithm_id[4:], locale)))
    valid = all([grab_designer(model_id, os.path.join(output, "designer_%s_%s.png" % (model_id[4:], locale)))
                 for model_id in DESIGNER])
    if locale == "en":
        grab_maps(output)
    plugin.unload()
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "screenshots")))
