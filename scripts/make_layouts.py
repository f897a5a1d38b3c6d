"""Write the default portrait of ocs:atlas as resources/layouts/portrait_<fr|en>.qpt (make layouts).

The layout is built by engines/atlaslayout.build_layout on empty tables of an atlas.gpkg made in a temporary folder
(every page: HEAT and FRICHES maps included; the algorithm removes their items when they are not given). In the
written template, the layers are named by their role (``cover``, ``changes``, ``zones``…: the keys of
atlaslayout.ROLES) instead of this run's ids, their sources point to ``atlas.gpkg``, the item uuids are numbered and
the north arrow is ``ocs_toolbox:north_arrow.svg``: the output is stable (run with QT_HASH_SEED=0).

    python scripts/make_layouts.py [output folder]      (default: resources/layouts)
"""
import os
import re
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "plugins"))

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFields,
    QgsGeometry,
    QgsProcessingContext,
    QgsReadWriteContext,
    QgsVectorLayer,
)

app = QgsApplication([], False)
app.initQgis()

from ocs_toolbox import compat  # noqa: E402
from ocs_toolbox.core import atlas as text  # noqa: E402
from ocs_toolbox.engines import atlaslayout  # noqa: E402


def fields_of(specs):
    fields = QgsFields()
    for name, kind in specs:
        fields.append(compat.make_field(name, kind))
    return fields


def layers_of(path, language):
    """{role: layer} of an atlas.gpkg at ``path`` holding one square zone (the tables the layout names)."""
    context = QgsProcessingContext()
    crs = QgsCoordinateReferenceSystem("EPSG:2154")
    zone_fields = fields_of([(name, kind) for name, kind, _fr, _en in text.FIELDS])
    feature = QgsFeature(zone_fields)
    feature.setGeometry(QgsGeometry.fromWkt("MultiPolygon(((700000 7000000, 701000 7000000, 701000 7001000, "
                                            "700000 7001000, 700000 7000000)))"))
    zones = atlaslayout.write_layer(path, "zones", zone_fields, crs, [feature], True, context)
    cover_fields = fields_of([("zone", "str"), ("p4", "int"), ("type_changement", "str")])
    cover = atlaslayout.write_layer(path, "occupation", cover_fields, crs, [], False, context)
    transitions = atlaslayout.write_layer(path, "transitions", fields_of(
        [("zone", "str"), ("ordre", "int"), ("de", "str")] + [(atlaslayout.class_column(code), "double")
                                                              for code in text.POSTES_FIELDS] + [("total", "double")]),
        None, [], False, context)
    atlaslayout.set_aliases(transitions, {"total": text.change_text("row_total", language, a="")})
    comparison = atlaslayout.write_layer(path, "comparaison", fields_of(
        [("zone", "str"), ("ordre", "int"), ("indicateur", "str"), ("valeur", "str"), ("territoire", "str"),
         ("rang", "str")]), None, [], False, context)
    heat = atlaslayout.write_layer(path, "chaleur", fields_of([("classe", "str")]), crs, [], False, context)
    friches = atlaslayout.write_layer(path, "friches", fields_of([("vocation", "str")]), crs, [], False, context)
    changes = QgsVectorLayer("%s|layername=occupation" % path, "changes", "ogr")
    layers = {"zones": zones, "outline": atlaslayout.outline_layer(path), "cover": cover, "changes": changes,
              "transitions": transitions, "comparaison": comparison, "heat": heat, "friches": friches}
    for role, layer in layers.items():
        layer.setName(role)
    return layers


def template_text(language, folder):
    """The .qpt text of the default portrait in ``language``, made stable."""
    path = os.path.join(folder, atlaslayout.GPKG_NAME)
    layers = layers_of(path, language)
    project = atlaslayout.new_project(list(layers.values()))
    footer = text.page_text("sources", language, **{key: "[%% @%s %%]" % name
                                                     for key, name in atlaslayout.FOOTER_VARIABLES.items()})
    layout = atlaslayout.build_layout(project, layers, layers["zones"].extent(), language, footer)
    qpt = os.path.join(folder, "portrait.qpt")
    if not layout.saveAsTemplate(qpt, QgsReadWriteContext()):
        sys.exit("could not write " + qpt)
    with open(qpt, encoding="utf-8") as handle:
        content = handle.read()
    for role, layer in layers.items():
        content = content.replace(layer.id(), role)
    content = content.replace(path, "./" + atlaslayout.GPKG_NAME)
    for arrow in (atlaslayout.NORTH_ARROW, os.path.realpath(atlaslayout.NORTH_ARROW)):
        content = content.replace(arrow, atlaslayout.PLUGIN_PREFIX + "north_arrow.svg")
    uuids = {}
    content = re.sub(r"\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}",
                     lambda m: uuids.setdefault(m.group(0), "{00000000-0000-0000-0000-%012d}" % (len(uuids) + 1)),
                     content)
    return content


def main(target):
    os.makedirs(target, exist_ok=True)
    for language in ("fr", "en"):
        with tempfile.TemporaryDirectory() as folder:
            content = template_text(language, folder)
        path = os.path.join(target, "portrait_%s.qpt" % language)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(content)
        print(path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "resources", "layouts"))
    app.exitQgis()
