"""Write every style template of the registry as a QML file under resources/styles/ (make styles).

Each QML classifies a field named after the template (p4, enaf, ocs2d_cs_niv3…): in QGIS, load it and pick
your field in the symbology panel, or run ocs:applystyle, which builds the same renderer on any field.
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "plugins"))

from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402

app = QgsApplication([], False)
app.initQgis()

from ocs_toolbox.engines.styling import make_renderer  # noqa: E402
from ocs_toolbox.core import styles  # noqa: E402

target = os.path.join(ROOT, "resources", "styles")
os.makedirs(target, exist_ok=True)
for key in styles.template_keys():
    template = styles.get_template(key)
    kind = "double" if template.ranges else ("integer" if template.numeric else "string")
    layer = QgsVectorLayer("Polygon?crs=EPSG:2154&field=%s:%s" % (key, kind), key, "memory")
    layer.setRenderer(make_renderer(key, template))
    path = os.path.join(target, key + ".qml")
    message, ok = layer.saveNamedStyle(path)
    if not ok:
        sys.exit("could not write %s: %s" % (path, message))
    print(path)
app.exitQgis()
