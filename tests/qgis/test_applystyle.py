"""ocs:applystyle: template auto-detection, QML file, default style stored in the GeoPackage."""
import pytest
from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import Qt

from helpers import box, make_layer, run


def gpkg_copy(layer, path):
    import processing

    processing.run("native:refactorfields", {
        "INPUT": layer, "OUTPUT": str(path),
        "FIELDS_MAPPING": [{"expression": '"%s"' % f.name(), "length": f.length(), "name": f.name(),
                            "precision": 0, "type": f.type()} for f in layer.fields()]})
    return QgsVectorLayer(str(path), "copy", "ogr")


def test_auto_detect_and_store(tmp_path):
    layer = make_layer([("enaf_2021", "string"), ("cs21", "string")],
                       [(box(0, 0, 1, 1), "Uh", "CS1.1.1"), (box(1, 0, 2, 1), "A", "CS6.3.0")])
    copy = gpkg_copy(layer, tmp_path / "l.gpkg")
    QgsProject.instance().addMapLayer(copy)
    try:
        qml = tmp_path / "style.qml"
        results, feedback = run("ocs:applystyle", {"INPUT": copy.id(), "FIELD": "enaf_2021",
                                                   "OUTPUT_QML": str(qml)})
        assert "Template detected: enaf" in feedback.infos
        assert copy.renderer().classAttribute() == "enaf_2021"
        text = qml.read_text(encoding="utf-8")
        assert 'attr="enaf_2021"' in text and "Habitat" in text
        reopened = QgsVectorLayer(str(tmp_path / "l.gpkg"), "again", "ogr")
        assert reopened.renderer().type() == "categorizedSymbol"
        assert reopened.renderer().classAttribute() == "enaf_2021"
        results, feedback = run("ocs:applystyle", {"INPUT": copy.id(), "FIELD": "cs21", "TEMPLATE": 0})
        categories = {c.value(): c.label() for c in copy.renderer().categories()}
        assert categories["CS1.1.1"] == "CS1.1.1 Surfaces bâties"
    finally:
        QgsProject.instance().removeMapLayer(copy.id())


def test_restyling_replaces_the_style_of_the_same_name(tmp_path):
    """A second run on the same field replaces the stored style (QGIS 3.22 asked in a modal dialog before
    overwriting it, which never returns under qgis_process): one row per name, the last one the default."""
    import sqlite3

    layer = make_layer([("enaf_2021", "string"), ("p4_2021", "integer")],
                       [(box(0, 0, 1, 1), "Uh", 1), (box(1, 0, 2, 1), "A", 2)])
    copy = gpkg_copy(layer, tmp_path / "l.gpkg")
    QgsProject.instance().addMapLayer(copy)
    try:
        for field in ("enaf_2021", "p4_2021", "enaf_2021"):
            run("ocs:applystyle", {"INPUT": copy.id(), "FIELD": field})
    finally:
        QgsProject.instance().removeMapLayer(copy.id())
    with sqlite3.connect(str(tmp_path / "l.gpkg")) as db:
        rows = db.execute("SELECT styleName, useAsDefault FROM layer_styles ORDER BY id").fetchall()
    assert rows == [("p4_2021", 0), ("enaf_2021", 1)]


def test_explicit_template_and_unknown_field(tmp_path):
    layer = make_layer([("classe", "integer")], [(box(0, 0, 1, 1), 3)])
    QgsProject.instance().addMapLayer(layer)
    try:
        with pytest.raises(QgsProcessingException, match="TEMPLATE"):
            run("ocs:applystyle", {"INPUT": layer.id(), "FIELD": "classe"})
        from ocs_toolbox.core.styles import template_keys

        run("ocs:applystyle", {"INPUT": layer.id(), "FIELD": "classe", "TEMPLATE": template_keys().index("p4") + 1})
        colours = {str(c.value()): c.symbol().color().name().upper() for c in layer.renderer().categories()}
        assert colours["3"] == "#C4D79B"
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


def test_legends_tell_every_class_apart():
    """The catch-all class is grey hatching, unlike any plain class (the heat legend's "impact neutre" is #F7F7F7,
    nearly white); the change legend has one unknown class ("inconnu"), not a second catch-all."""
    from ocs_toolbox.engines import styling

    heat = styling.make_renderer("classe_2021", styling.resolve_template("heat_classe"))
    last = heat.categories()[-1]
    assert last.value() in (None, "") and last.label() == "Unknown or unclassified"
    hatch = last.symbol().symbolLayer(0)
    assert hatch.brushStyle() == Qt.BDiagPattern and hatch.color().name().upper() == "#7F7F7F"
    plain = {c.label(): c.symbol().color().name().upper() for c in heat.categories()[:-1]}
    assert plain["impact neutre"] == "#F7F7F7"

    change = styling.make_renderer("type_changement", styling.resolve_template("type_changement"))
    labels = [c.label() for c in change.categories()]
    assert labels.count("inconnu") == 1 and "Unknown or unclassified" not in labels
    assert len(labels) == 9
