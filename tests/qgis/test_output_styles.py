"""Styles and layer names of the outputs (issue #16): ocs:territoryflows and ocs:zantrajectory come out styled
(graduated, fixed classes, stored in the GeoPackage for batch and applied in the GUI), their total row has no
geometry, and every algorithm names the layer it loads after itself and its vintages."""
import sqlite3

import pytest
from qgis.core import (
    QgsApplication,
    QgsGraduatedSymbolRenderer,
    QgsProcessingContext,
    QgsProcessingOutputLayerDefinition,
    QgsProject,
    QgsRenderContext,
    QgsVectorLayer,
)
from qgis.PyQt.QtXml import QDomDocument

from helpers import Feedback, box, features_by, make_layer, run
from test_changes import grid_layer, zones_layer
from test_i18n import english

BOUNDS_CONSUMPTION = [(0.0, 0.0), (0.0, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 5.0), (5.0, 1e9)]
BOUNDS_REMAINING = [(-1e9, -0.005), (-0.005, 1.0), (1.0, 2.0), (2.0, 5.0), (5.0, 10.0), (10.0, 1e9)]


def stored_styles(path):
    """{style name: (use as default, description, QML)} of the layer_styles table of a GeoPackage."""
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT styleName, useAsDefault, description, styleQML FROM layer_styles").fetchall()
    return {name: (bool(default), description, qml) for name, default, description, qml in rows}


def renderer_of(qml, path):
    """The renderer of a stored QML, applied to the layer at ``path``."""
    layer = QgsVectorLayer(path, "styled", "ogr")
    document = QDomDocument()
    assert document.setContent(qml)
    ok, message = layer.importNamedStyle(document)
    assert ok, message
    return layer, layer.renderer()


def class_of(layer, renderer):
    """{zone: label of the class that draws it} (the first class holding the value, as QGIS draws it)."""
    by_colour = {r.symbol().color().name(): r.label() for r in renderer.ranges()}
    assert len(by_colour) == len(renderer.ranges())      # one colour per class
    context = QgsRenderContext()
    renderer.startRender(context, layer.fields())
    labels = {}
    for feature in layer.getFeatures():
        symbol = renderer.symbolForFeature(feature, context)
        labels[feature["zone"]] = by_colour[symbol.color().name()] if symbol is not None else None
    renderer.stopRender(context)
    return labels


def template(kind, period):
    from ocs_toolbox.core import styles
    from ocs_toolbox.engines import styling

    return styles.zone_template(kind, period, styling.legend_language())


def test_flows_style_stored_with_its_classes(tmp_path):
    # 2015 → 2021: cell 1 (1 ha, in zone A) is the only ENAF consumed; zone A holds 6 ha of land, B 10.5 ha
    path = str(tmp_path / "f.gpkg")
    run("ocs:territoryflows", {"INPUT": grid_layer(), "FROM_VINTAGE": "2015", "TO_VINTAGE": "2021",
                               "ZONES": zones_layer(), "ZONE_FIELD": "insee", "OUTPUT": path})
    stored = stored_styles(path)
    assert sorted(stored) == ["conso_enaf_2015_2021_ha_an", "conso_enaf_2015_2021_pct"]
    default, description, qml = stored["conso_enaf_2015_2021_pct"]
    assert default and description == template("conso_pct", ("2015", "2021")).title
    assert not stored["conso_enaf_2015_2021_ha_an"][0]
    layer, renderer = renderer_of(qml, path)
    assert isinstance(renderer, QgsGraduatedSymbolRenderer)
    assert renderer.classAttribute() == "conso_enaf_2015_2021_pct"
    assert [(r.lowerValue(), r.upperValue()) for r in renderer.ranges()] == BOUNDS_CONSUMPTION
    labels = [r[2] for r in template("conso_pct", ("2015", "2021")).ranges]
    assert [r.label() for r in renderer.ranges()] == labels
    # A: 1 ha of 6 ha = 16.7 % (≥ 5 %); B: nothing consumed (its own class, not "0 – 0.5 %")
    drawn = class_of(layer, renderer)
    assert (drawn["A"], drawn["B"]) == (labels[5], labels[0])
    # in ha/year: A 1 ha / 6 years = 0.17 ha/year (0 – 0.5), B none
    layer, renderer = renderer_of(stored["conso_enaf_2015_2021_ha_an"][2], path)
    assert renderer.classAttribute() == "conso_enaf_2015_2021_ha_an"
    labels = [r[2] for r in template("conso_ha_an", ("2015", "2021")).ranges]
    drawn = class_of(layer, renderer)
    assert (drawn["A"], drawn["B"]) == (labels[1], labels[0])


def test_flows_without_zones_are_a_plain_table(tmp_path):
    path = str(tmp_path / "f.gpkg")
    run("ocs:territoryflows", {"INPUT": grid_layer(), "OUTPUT": path})
    layer = QgsVectorLayer(path, "f", "ogr")
    assert not layer.isSpatial() and [f["zone"] for f in layer.getFeatures()] == ["total"]
    with sqlite3.connect(path) as db:
        assert not db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'layer_styles'").fetchone()[0]


def remaining_layout():
    """Five 1-row cells (vintages 2018, 2021, 2024), one zone each, and an official reference per zone."""
    fields = [("cs18", "string"), ("us18", "string"), ("cs21", "string"), ("us21", "string"),
              ("cs24", "string"), ("us24", "string")]
    field, house = ("CS6.3.0", "US1.1.1"), ("CS1.1.1", "US5.1.1")
    layer = make_layer(fields, [
        (box(0, 0, 100, 100),) + field + house + house,       # Z1: 1 ha consumed 2018-2021 (before the decade)
        (box(100, 0, 200, 100),) + field + field + house,     # Z2: 1 ha consumed 2021-2024
        (box(200, 0, 300, 100),) + field + field + house,     # Z3: 1 ha consumed 2021-2024
        (box(300, 0, 400, 100),) + field + field + field,     # Z4
        (box(400, 0, 500, 100),) + field + field + field])    # Z5
    zones = make_layer([("insee", "string")], [(box(100 * i, -10, 100 * i + 100, 110), "Z%d" % (i + 1))
                                               for i in range(5)], name="communes")
    official = make_layer([("insee", "string"), ("conso_ha", "double")],
                          [(None, "Z1", 6.0), (None, "Z2", 2.0), (None, "Z3", 1.0), (None, "Z4", 14.0),
                           (None, "Z5", 30.0)], geometry="None", name="officiel")
    return {"INPUT": layer, "ZONES": zones, "ZONE_FIELD": "insee", "OFFICIAL_CONSUMPTION": official,
            "CONSUMPTION_ZONE_FIELD": "insee", "CONSUMPTION_FIELD": "conso_ha"}


def test_trajectory_style_stored_with_its_classes(tmp_path):
    path = str(tmp_path / "z.gpkg")
    results, _feedback = run("ocs:zantrajectory", dict(remaining_layout(), OUTPUT=path))
    # allowance = half the official reference; remaining = allowance − consumed 2021-2024
    rows = features_by(results["OUTPUT"], "zone")
    expected = {"Z1": 3.0 - 0.0, "Z2": 1.0 - 1.0, "Z3": 0.5 - 1.0, "Z4": 7.0 - 0.0, "Z5": 15.0 - 0.0}
    assert {zone: rows[zone]["reste_ha"] for zone in expected} == pytest.approx(expected)
    stored = stored_styles(path)
    assert list(stored) == ["reste_ha"]
    default, description, qml = stored["reste_ha"]
    assert default and description == template("reste", ("2021", "2031")).title
    layer, renderer = renderer_of(qml, path)
    assert renderer.classAttribute() == "reste_ha"
    assert [(r.lowerValue(), r.upperValue()) for r in renderer.ranges()] == BOUNDS_REMAINING
    labels = [r.label() for r in renderer.ranges()]
    assert labels == [r[2] for r in template("reste", ("2021", "2031")).ranges]
    # exactly 0 ha left is "0 – 1 ha", not exceeded; −0.5 ha is exceeded; the total (26.5 − 2 = 24.5 ha) has
    # a class but no geometry to draw
    assert class_of(layer, renderer) == {"Z1": labels[3], "Z2": labels[1], "Z3": labels[0], "Z4": labels[4],
                                         "Z5": labels[5], "total": labels[5]}
    assert rows["total"]["reste_ha"] == pytest.approx(24.5)
    assert rows["total"].geometry().isEmpty() and rows["Z1"].geometry().area() == pytest.approx(100 * 120)


# -- layer names ----------------------------------------------------------------------------------------------

def run_loaded(algorithm, parameters, outputs=("OUTPUT",), on_finish=None):
    """processing.run with the outputs to load in the project, as the dialog asks, and ``on_finish`` run after it
    as the dialog runs its post-processing (none by default: the layers stay in the context); returns (results,
    context)."""
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    for name in outputs:
        parameters[name] = QgsProcessingOutputLayerDefinition("TEMPORARY_OUTPUT", QgsProject.instance())
    results = processing.run(algorithm, parameters, onFinish=on_finish or (lambda _a, _c, _f: None),
                             feedback=Feedback(), context=context)
    return results, context


def loaded_name(algorithm, parameters, output="OUTPUT"):
    results, context = run_loaded(algorithm, parameters, (output,))
    return context.layerToLoadOnCompletionDetails(results[output]).name


def test_every_output_is_named_after_its_algorithm_and_vintages():
    zones = {"ZONES": zones_layer(), "ZONE_FIELD": "insee"}
    two = {"VINTAGES": "2015,2021"}
    with english():
        names = {
            "reclassify": loaded_name("ocs:reclassify", dict(two, INPUT=grid_layer())),
            "urbanenvelope": loaded_name("ocs:urbanenvelope", dict(two, INPUT=grid_layer())),
            "changedetection": loaded_name("ocs:changedetection", dict(zones, INPUT=grid_layer())),
            "transitionmatrix": loaded_name("ocs:transitionmatrix", {"INPUT": grid_layer()}),
            "territoryflows": loaded_name("ocs:territoryflows", dict(zones, INPUT=grid_layer())),
            "territoryflows_2015": loaded_name("ocs:territoryflows", dict(zones, INPUT=grid_layer(),
                                                                          FROM_VINTAGE="2015")),
            "artificialisation": loaded_name("ocs:artificialisation", dict(two, INPUT=grid_layer())),
            "zantrajectory": loaded_name("ocs:zantrajectory", dict(zones, INPUT=grid_layer())),
            "heatisland": loaded_name("ocs:heatisland", dict(two, INPUT=grid_layer(), MIN_GREEN_AREA_HA=100.0)),
            "friches": loaded_name("ocs:friches", dict(two, INPUT=grid_layer())),
        }
    assert names == {
        "reclassify": "Reclassified 2015, 2021",
        "urbanenvelope": "Urban envelope 2015, 2021",
        "changedetection": "Changes 2005\u20132021 (communes)",          # first → last vintage
        "transitionmatrix": "Transition matrix 2005\u20132021",
        "territoryflows": "Flows 2005\u20132021 (communes)",
        "territoryflows_2015": "Flows 2015\u20132021 (communes)",
        "artificialisation": "Artificialisation 2015, 2021",
        "zantrajectory": "ZAN trajectory 2005\u20132021 (communes)",
        "heatisland": "Heat island score 2015, 2021",
        "friches": "Friches 2015\u20132021",
    }


def test_heat_raster_is_named_too():
    with english():
        results, context = run_loaded("ocs:heatisland", {"INPUT": grid_layer(), "VINTAGES": "2015,2021",
                                                         "MIN_GREEN_AREA_HA": 100.0}, ("OUTPUT", "OUTPUT_RASTER"))
    names = {name: context.layerToLoadOnCompletionDetails(results[name]).name for name in ("OUTPUT", "OUTPUT_RASTER")}
    assert names == {"OUTPUT": "Heat island score 2015, 2021", "OUTPUT_RASTER": "Heat island score 2021, raster"}


def test_gui_loads_the_flows_named_and_styled():
    """What the dialog does after the run (processing.gui.Postprocessing): the layer gets its name and style."""
    from processing.gui.Postprocessing import handleAlgorithmResults

    algorithm = QgsApplication.processingRegistry().algorithmById("ocs:territoryflows")
    with english():
        name = algorithm.tr("Flows {0}").format("2015\u20132021") + " (communes)"
    before = set(QgsProject.instance().mapLayers())
    loaded = []
    with english():
        run_loaded("ocs:territoryflows", {"INPUT": grid_layer(), "ZONES": zones_layer(), "ZONE_FIELD": "insee",
                                          "FROM_VINTAGE": "2015"},
                   on_finish=lambda alg, context, feedback: loaded.append(
                       handleAlgorithmResults(alg, context, feedback)))
    assert loaded == [True]
    added = [layer for key, layer in QgsProject.instance().mapLayers().items() if key not in before]
    try:
        assert [layer.name() for layer in added] == [name]
        renderer = added[0].renderer()
        assert isinstance(renderer, QgsGraduatedSymbolRenderer)
        assert renderer.classAttribute() == "conso_enaf_2015_2021_pct"
        assert len(renderer.ranges()) == 6
    finally:
        QgsProject.instance().removeMapLayers([layer.id() for layer in added])
