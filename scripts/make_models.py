"""Build the models shipped in resources/models/ with the Processing API (make models).

Models are written by code rather than drawn in the modeler so that a change of the algorithms' parameters
shows up as a diff of this script.
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".build", "plugins"))
sys.path.append("/usr/share/qgis/python/plugins")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsProcessing,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildDependency,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QPointF  # noqa: E402

MODELS = os.path.join(ROOT, "resources", "models")
Source = QgsProcessingModelChildParameterSource


def add_input(model, parameter, position):
    component = QgsProcessingModelParameter(parameter.name())
    component.setPosition(QPointF(*position))
    model.addModelParameter(parameter, component)


def add_child(model, algorithm_id, child_id, position, sources, outputs, after=()):
    child = QgsProcessingModelChildAlgorithm(algorithm_id)
    if after:
        child.setDependencies([QgsProcessingModelChildDependency(child_id_before) for child_id_before in after])
    child.setChildId(child_id)
    child.setDescription(child_id)
    child.setPosition(QPointF(*position))
    for name, source in sources.items():
        child.addParameterSources(name, [source])
    model_outputs = {}
    for output_name, label in outputs:
        output = QgsProcessingModelOutput(label)
        output.setChildId(child_id)
        output.setChildOutputName(output_name)
        model_outputs[label] = output
    child.setModelOutputs(model_outputs)
    model.addChildAlgorithm(child)


def ocs2d_postes_enaf_enveloppe():
    model = QgsProcessingModelAlgorithm("ocs2d_postes_enaf_enveloppe", "nomenclatures", "ocs_models")
    add_input(model, QgsProcessingParameterFeatureSource("ocs2d", "OCS2D layer",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterString("vintages", "Vintages (empty = all)", optional=True,
                                                  defaultValue=""), (320, 60))
    add_child(model, "ocs:reclassify", "reclassify", (220, 200), {
        "INPUT": Source.fromModelParameter("ocs2d"), "VINTAGES": Source.fromModelParameter("vintages"),
        "NOMENCLATURE": Source.fromStaticValue(0), "TARGETS": Source.fromStaticValue([4, 5, 6])},
        [("OUTPUT", "postes_enaf")])
    add_child(model, "ocs:urbanenvelope", "urbanenvelope", (420, 200), {
        "INPUT": Source.fromModelParameter("ocs2d"), "VINTAGES": Source.fromModelParameter("vintages"),
        "BUFFER": Source.fromStaticValue(50.0), "MIN_AREA_HA": Source.fromStaticValue(10.0)},
        [("OUTPUT", "enveloppe_urbaine")])
    model.setHelpContent({"ALG_DESC": (
        "OCS2D: 4 postes, 21 postes and ENAF (with their spatial rules) and the enveloppe urbaine of each "
        "vintage, in one run. / OCS2D : 4 postes, 21 postes et ENAF (avec leurs règles spatiales) et "
        "enveloppe urbaine de chaque millésime, en une fois.")})
    return model


def diagnostic_changements():
    """Reclassify (with the spatial rules) → change polygons → transition matrices + report → flows per commune."""
    from ocs_toolbox.algorithms.changes import target_options

    model = QgsProcessingModelAlgorithm("diagnostic_changements", "changes", "ocs_models")
    add_input(model, QgsProcessingParameterFeatureSource("ocs2d", "OCS2D multi-date layer",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterFeatureSource("communes", "Communes (zones)",
                                                         [QgsProcessing.TypeVectorPolygon]), (340, 60))
    add_input(model, QgsProcessingParameterField("insee", "INSEE code field (empty = detected)",
                                                 parentLayerParameterName="communes", optional=True), (560, 60))
    add_input(model, QgsProcessingParameterEnum("compare", "Compare", target_options(), defaultValue=7),
              (780, 60))
    reclassified = Source.fromChildOutput("reclassify", "OUTPUT")
    add_child(model, "ocs:reclassify", "reclassify", (120, 200), {
        "INPUT": Source.fromModelParameter("ocs2d"), "NOMENCLATURE": Source.fromStaticValue(0),
        "TARGETS": Source.fromStaticValue([4, 5, 6])}, [("OUTPUT", "postes_enaf")])
    common = {"INPUT": reclassified, "TARGET": Source.fromModelParameter("compare"),
              "ZONES": Source.fromModelParameter("communes"), "ZONE_FIELD": Source.fromModelParameter("insee")}
    add_child(model, "ocs:changedetection", "changedetection", (340, 340), dict(common, **{
        "ONLY_CHANGES": Source.fromStaticValue(True)}), [("OUTPUT", "changements")])
    add_child(model, "ocs:transitionmatrix", "transitionmatrix", (560, 340), dict(common),
              [("OUTPUT", "matrices"), ("REPORT", "rapport")], after=("changedetection",))
    add_child(model, "ocs:territoryflows", "territoryflows", (780, 340), dict(common),
              [("OUTPUT", "flux_communes")], after=("transitionmatrix",))
    model.setHelpContent({"ALG_DESC": (
        "Land-use change diagnosis of an OCS2D multi-date layer per commune: reclassification with the spatial "
        "rules, change polygons, transition matrices with an HTML report, and flows per commune "
        "(artificialisation, ENAF consumption) for each pair of vintages. / Diagnostic des changements d'une "
        "OCS2D multidate par commune : reclassement avec les règles spatiales, polygones de changement, "
        "matrices de transition avec rapport HTML et flux par commune (artificialisation, consommation "
        "d'ENAF) pour chaque paire de millésimes.")})
    return model


def diagnostic_zan():
    """Reclassify (ENAF with the spatial rules) → artificialisation with the thresholds for each vintage →
    flows per commune → ZAN trajectory per commune with its report."""
    model = QgsProcessingModelAlgorithm("diagnostic_zan", "zan", "ocs_models")
    add_input(model, QgsProcessingParameterFeatureSource("ocs2d", "OCS2D multi-date layer",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterFeatureSource("communes", "Communes (zones)",
                                                         [QgsProcessing.TypeVectorPolygon]), (340, 60))
    add_input(model, QgsProcessingParameterField("insee", "INSEE code field (empty = detected)",
                                                 parentLayerParameterName="communes", optional=True), (560, 60))
    add_child(model, "ocs:reclassify", "reclassify", (120, 200), {
        "INPUT": Source.fromModelParameter("ocs2d"), "NOMENCLATURE": Source.fromStaticValue(0),
        "TARGETS": Source.fromStaticValue([4, 5, 6])}, [("OUTPUT", "postes_enaf")])
    add_child(model, "ocs:artificialisation", "artificialisation", (340, 260), {
        "INPUT": Source.fromChildOutput("reclassify", "OUTPUT"), "NOMENCLATURE": Source.fromStaticValue(0),
        "APPLY_THRESHOLDS": Source.fromStaticValue(True), "BUILT_MIN_M2": Source.fromStaticValue(50.0),
        "OTHER_MIN_M2": Source.fromStaticValue(2500.0), "EXEMPT_PARKS": Source.fromStaticValue(False),
        "EXEMPT_PV": Source.fromStaticValue(False), "DISSOLVE": Source.fromStaticValue(False)},
        [("OUTPUT", "artificialisation")])
    zones = {"ZONES": Source.fromModelParameter("communes"), "ZONE_FIELD": Source.fromModelParameter("insee")}
    add_child(model, "ocs:territoryflows", "territoryflows", (560, 400), dict(zones, **{
        "INPUT": Source.fromChildOutput("artificialisation", "OUTPUT"), "TARGET": Source.fromStaticValue(11)}),
        [("OUTPUT", "flux_communes")])
    add_child(model, "ocs:zantrajectory", "zantrajectory", (780, 400), dict(zones, **{
        "INPUT": Source.fromChildOutput("artificialisation", "OUTPUT"),
        "REFERENCE_START": Source.fromStaticValue("2011"), "REFERENCE_END": Source.fromStaticValue("2021"),
        "REDUCTION_PCT": Source.fromStaticValue(50.0)}),
        [("OUTPUT", "trajectoire_zan"), ("REPORT", "rapport_zan")], after=("territoryflows",))
    model.setHelpContent({"ALG_DESC": (
        "ZAN diagnosis of an OCS2D multi-date layer per commune: ENAF (with the spatial rules), artificialisation "
        "with the thresholds of décret 2023-1096 for each vintage, flows per commune, and the 2021-2031 "
        "trajectory with its HTML report. / Diagnostic ZAN d'une OCS2D multidate par commune : ENAF (avec les "
        "règles spatiales), artificialisation avec les seuils du décret 2023-1096 pour chaque millésime, flux par "
        "commune, et trajectoire 2021-2031 avec son rapport HTML.")})
    return model


def diagnostic_surchauffe():
    """Surchauffe score on a 100 m grid and per commune, for the vintages asked, with their change."""
    model = QgsProcessingModelAlgorithm("diagnostic_surchauffe", "climate", "ocs_models")
    add_input(model, QgsProcessingParameterFeatureSource("ocs", "Land cover layer (OCS2D or OCS GE)",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterFeatureSource("communes", "Communes (zones)",
                                                         [QgsProcessing.TypeVectorPolygon]), (340, 60))
    add_input(model, QgsProcessingParameterString("vintages", "Vintages (e.g. 2005,2021; empty = all)",
                                                  optional=True, defaultValue=""), (560, 60))
    common = {"INPUT": Source.fromModelParameter("ocs"), "VINTAGES": Source.fromModelParameter("vintages"),
              "NOMENCLATURE": Source.fromStaticValue(0), "COOLING_DISTANCE": Source.fromStaticValue(300.0),
              "MIN_GREEN_AREA_HA": Source.fromStaticValue(2.0), "RESOLUTION": Source.fromStaticValue(5.0)}
    add_child(model, "ocs:heatisland", "grille", (220, 220), dict(common, **{
        "UNITS": Source.fromStaticValue(0), "CELL_SIZE": Source.fromStaticValue(100.0)}),
        [("OUTPUT", "surchauffe_grille")])
    add_child(model, "ocs:heatisland", "communes", (460, 220), dict(common, **{
        "UNITS": Source.fromStaticValue(2), "ZONES": Source.fromModelParameter("communes"),
        "CELL_SIZE": Source.fromStaticValue(100.0)}), [("OUTPUT", "surchauffe_communes")], after=("grille",))
    model.setHelpContent({"ALG_DESC": (
        "Surchauffe score (ADEME coefficients, InVEST-like cooling of parks and water) on a 100 m grid and per "
        "commune, for each vintage, with the change between them. / Score de surchauffe (coefficients ADEME, "
        "rafraîchissement des parcs et de l'eau à la manière d'InVEST) sur une grille de 100 m et par commune, "
        "pour chaque millésime, avec son évolution.")})
    return model


def observatoire_friches():
    """Friche candidates of a multi-date OCS with their context layers, scored with Mutafriches."""
    model = QgsProcessingModelAlgorithm("observatoire_friches", "friches", "ocs_models")
    add_input(model, QgsProcessingParameterFeatureSource("ocs", "Land cover layer (multi-date if possible)",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterFeatureSource("communes", "Communes",
                                                         [QgsProcessing.TypeVectorPolygon]), (300, 60))
    optional = {}
    for position, (name, label, kinds) in enumerate((
            ("inventaire", "Friche inventory (CNIG)", [QgsProcessing.TypeVectorAnyGeometry]),
            ("mairies", "Town halls", [QgsProcessing.TypeVectorPoint]),
            ("gares", "Stations", [QgsProcessing.TypeVectorPoint]),
            ("services", "Shops and services (BPE, field typequ)", [QgsProcessing.TypeVectorPoint]),
            ("inondation", "Flood areas", [QgsProcessing.TypeVectorPolygon]),
            ("plu", "PLU zones (field typezone)", [QgsProcessing.TypeVectorPolygon]),
            ("protege", "Protected natural areas", [QgsProcessing.TypeVectorPolygon]),
            ("pollution", "Polluted sites", [QgsProcessing.TypeVectorAnyGeometry]))):
        add_input(model, QgsProcessingParameterFeatureSource(name, label, kinds, optional=True),
                  (480 + 180 * (position % 4), 60 + 90 * (position // 4)))
        optional[name] = Source.fromModelParameter(name)
    add_child(model, "ocs:friches", "friches", (400, 320), {
        "INPUT": Source.fromModelParameter("ocs"), "NOMENCLATURE": Source.fromStaticValue(0),
        "MIN_AREA_M2": Source.fromStaticValue(1000.0), "ZONES": Source.fromModelParameter("communes"),
        "INVENTORY": optional["inventaire"], "TOWN_HALLS": optional["mairies"], "STATIONS": optional["gares"],
        "SERVICES": optional["services"], "SERVICES_TYPE_FIELD": Source.fromStaticValue("typequ"),
        "FLOOD": optional["inondation"], "ZONING": optional["plu"],
        "ZONING_TYPE_FIELD": Source.fromStaticValue("typezone"), "PROTECTED": optional["protege"],
        "POLLUTION": optional["pollution"]}, [("OUTPUT", "friches"), ("OUTPUT_CSV", "friches_cnig")])
    model.setHelpContent({"ALG_DESC": (
        "Observatory of friches: candidates from the land-use history, characteristics, Mutafriches indices and "
        "vocation, with the context layers. / Observatoire des friches : candidats issus de l'historique des "
        "usages, caractérisation, indices Mutafriches et vocation, avec les couches de contexte.")})
    return model


def main():
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from ocs_toolbox.algorithms.provider import OcsProvider

    QgsApplication.processingRegistry().addProvider(OcsProvider())
    os.makedirs(MODELS, exist_ok=True)
    for build in (ocs2d_postes_enaf_enveloppe, diagnostic_changements, diagnostic_zan, diagnostic_surchauffe,
                  observatoire_friches):
        model = build()
        path = os.path.join(MODELS, model.name() + ".model3")
        if not model.toFile(path):
            sys.exit("could not write " + path)
        print(path)
    app.exitQgis()


if __name__ == "__main__":
    main()
