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
    QgsXmlUtils,
)
from qgis.PyQt.QtCore import QPointF  # noqa: E402
from qgis.PyQt.QtXml import QDomDocument  # noqa: E402

MODELS = os.path.join(ROOT, "resources", "models")
Source = QgsProcessingModelChildParameterSource


def texts(model):
    """English labels of the model's inputs and outputs (algorithms/models.py: the provider translates them)."""
    from ocs_toolbox.algorithms.models import model_texts

    return model_texts(model.name())


def new_model(name, group):
    model = QgsProcessingModelAlgorithm(name, group, group)
    model.setParameterOrder([])
    return model


def add_input(model, parameter, position):
    """Model input ``parameter`` labelled as algorithms/models.py says, after the inputs added before it."""
    label = texts(model).inputs.get(parameter.name())
    if not label:
        sys.exit("%s: no label for input %s in algorithms/models.py" % (model.name(), parameter.name()))
    parameter.setDescription(label)
    component = QgsProcessingModelParameter(parameter.name())
    component.setDescription(label)
    component.setPosition(QPointF(*position))
    model.addModelParameter(parameter, component)
    # the order a user fills them in (QgsProcessingModelAlgorithm.setParameterOrder, QGIS >= 3.14)
    model.setParameterOrder([c.parameterName() for c in model.orderedParameters()] + [parameter.name()])


def child_sources(model, algorithm, child_id, sources):
    """``sources`` completed with the default value of every other input of ``algorithm`` (its own
    parameterDefinitions()), so that a parameter added to a child later is set by `make models`."""
    names = {definition.name() for definition in algorithm.parameterDefinitions()}
    unknown = sorted(set(sources) - names)
    if unknown:
        sys.exit("%s/%s: %s has no parameter %s" % (model.name(), child_id, algorithm.id(), ", ".join(unknown)))
    completed = dict(sources)
    for definition in algorithm.parameterDefinitions():
        name = definition.name()
        if name in sources or definition.isDestination() or definition.flags() & definition.FlagHidden:
            continue
        if definition.defaultValue() is not None:
            completed[name] = Source.fromStaticValue(definition.defaultValue())
        elif not definition.flags() & definition.FlagOptional:
            sys.exit("%s/%s: mandatory parameter %s of %s has no default: set it" % (
                model.name(), child_id, name, algorithm.id()))
    return completed


def add_child(model, algorithm_id, child_id, position, sources, outputs, after=()):
    algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
    if algorithm is None:
        sys.exit("%s: algorithm %s not found" % (model.name(), algorithm_id))
    child = QgsProcessingModelChildAlgorithm(algorithm_id)
    if after:
        child.setDependencies([QgsProcessingModelChildDependency(child_id_before) for child_id_before in after])
    child.setChildId(child_id)
    child.setDescription(algorithm.displayName())
    child.setPosition(QPointF(*position))
    for name, source in sorted(child_sources(model, algorithm, child_id, sources).items()):
        child.addParameterSources(name, [source])
    model_outputs = {}
    for output_name, name in outputs:
        label = texts(model).outputs.get("%s:%s" % (child_id, name))
        if not label:
            sys.exit("%s: no label for output %s:%s in algorithms/models.py" % (model.name(), child_id, name))
        output = QgsProcessingModelOutput(name, label)
        # below its child, one under the other: the designer would put it over the next child (issue #16)
        output.setPosition(QPointF(position[0], position[1] + 90 + 50 * len(model_outputs)))
        output.setChildId(child_id)
        output.setChildOutputName(output_name)
        model_outputs[name] = output
    child.setModelOutputs(model_outputs)
    model.addChildAlgorithm(child)


def add_commune_inputs(model):
    """The inputs of the diagnoses per commune, in the order a user fills them: the OCS2D layer, the communes and
    their INSEE code field."""
    add_input(model, QgsProcessingParameterFeatureSource("ocs2d", "",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterFeatureSource("communes", "",
                                                         [QgsProcessing.TypeVectorPolygon]), (340, 60))
    add_input(model, QgsProcessingParameterField("insee", "",
                                                 parentLayerParameterName="communes", optional=True), (560, 60))


def ocs2d_postes_enaf_enveloppe():
    model = new_model("ocs2d_postes_enaf_enveloppe", "nomenclatures")
    add_input(model, QgsProcessingParameterFeatureSource("ocs2d", "",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterString("vintages", "", optional=True,
                                                  defaultValue=""), (360, 60))
    add_child(model, "ocs:reclassify", "reclassify", (120, 200), {
        "INPUT": Source.fromModelParameter("ocs2d"), "VINTAGES": Source.fromModelParameter("vintages"),
        "NOMENCLATURE": Source.fromStaticValue(0), "TARGETS": Source.fromStaticValue([4, 5, 6])},
        [("OUTPUT", "postes_enaf")])
    add_child(model, "ocs:urbanenvelope", "urbanenvelope", (360, 200), {
        "INPUT": Source.fromModelParameter("ocs2d"), "VINTAGES": Source.fromModelParameter("vintages"),
        "BUFFER": Source.fromStaticValue(50.0), "MIN_AREA_HA": Source.fromStaticValue(10.0)},
        [("OUTPUT", "enveloppe_urbaine")])
    return model


def diagnostic_changements():
    """Reclassify (with the spatial rules) → change polygons → transition matrices + report → flows per commune."""
    from ocs_toolbox.algorithms.changes import target_options

    model = new_model("diagnostic_changements", "changes")
    add_commune_inputs(model)
    add_input(model, QgsProcessingParameterEnum("compare", "", target_options(), defaultValue=7),
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
    return model


def diagnostic_zan():
    """Reclassify (ENAF with the spatial rules) → artificialisation with the thresholds for each vintage →
    flows per commune → ZAN trajectory per commune with its report."""
    model = new_model("diagnostic_zan", "zan")
    add_commune_inputs(model)
    # quality control first (issue #18): what is wrong in the delivery, where, on how much land
    add_child(model, "ocs:validate", "validate", (120, 200), {
        "INPUT": Source.fromModelParameter("ocs2d"), "NOMENCLATURE": Source.fromStaticValue(0)},
        [("OUTPUT", "controle"), ("OUTPUT_SUMMARY", "synthese_controle")])
    add_child(model, "ocs:reclassify", "reclassify", (340, 330), {
        "INPUT": Source.fromModelParameter("ocs2d"), "NOMENCLATURE": Source.fromStaticValue(0),
        "TARGETS": Source.fromStaticValue([4, 5, 6])}, [("OUTPUT", "postes_enaf")], after=("validate",))
    add_child(model, "ocs:artificialisation", "artificialisation", (560, 400), {
        "INPUT": Source.fromChildOutput("reclassify", "OUTPUT"), "NOMENCLATURE": Source.fromStaticValue(0),
        "APPLY_THRESHOLDS": Source.fromStaticValue(True), "BUILT_MIN_M2": Source.fromStaticValue(50.0),
        "OTHER_MIN_M2": Source.fromStaticValue(2500.0), "EXEMPT_PARKS": Source.fromStaticValue(False),
        "EXEMPT_PV": Source.fromStaticValue(False), "DISSOLVE": Source.fromStaticValue(False)},
        [("OUTPUT", "artificialisation")])
    zones = {"ZONES": Source.fromModelParameter("communes"), "ZONE_FIELD": Source.fromModelParameter("insee")}
    add_child(model, "ocs:territoryflows", "territoryflows", (780, 530), dict(zones, **{
        "INPUT": Source.fromChildOutput("artificialisation", "OUTPUT"), "TARGET": Source.fromStaticValue(11)}),
        [("OUTPUT", "flux_communes")])
    add_child(model, "ocs:zantrajectory", "zantrajectory", (1000, 530), dict(zones, **{
        "INPUT": Source.fromChildOutput("artificialisation", "OUTPUT"),
        "REFERENCE_START": Source.fromStaticValue("2011"), "REFERENCE_END": Source.fromStaticValue("2021"),
        "REDUCTION_PCT": Source.fromStaticValue(50.0)}),
        [("OUTPUT", "trajectoire_zan"), ("REPORT", "rapport_zan")], after=("territoryflows",))
    return model


def diagnostic_surchauffe():
    """Surchauffe score on a 100 m grid and per commune, for the vintages asked, with their change."""
    model = new_model("diagnostic_surchauffe", "climate")
    add_input(model, QgsProcessingParameterFeatureSource("ocs", "",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterFeatureSource("communes", "",
                                                         [QgsProcessing.TypeVectorPolygon]), (340, 60))
    add_input(model, QgsProcessingParameterString("vintages", "",
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
    return model


def diagnostic_carbone():
    """Reclassify (postes, ENAF) → carbon stocks per commune and vintage, flows per period, with the report."""
    model = new_model("diagnostic_carbone", "climate")
    add_commune_inputs(model)
    add_child(model, "ocs:reclassify", "reclassify", (120, 200), {
        "INPUT": Source.fromModelParameter("ocs2d"), "NOMENCLATURE": Source.fromStaticValue(0),
        "TARGETS": Source.fromStaticValue([4, 5, 6])}, [("OUTPUT", "postes_enaf")])
    add_child(model, "ocs:carbon", "carbon", (400, 340), {
        "INPUT": Source.fromChildOutput("reclassify", "OUTPUT"), "NOMENCLATURE": Source.fromStaticValue(0),
        "ZONES": Source.fromModelParameter("communes"), "ZONE_FIELD": Source.fromModelParameter("insee")},
        [("OUTPUT", "stocks_carbone"), ("OUTPUT_FLOWS", "flux_carbone"), ("REPORT", "rapport_carbone")])
    return model


def observatoire_friches():
    """Friche candidates of a multi-date OCS with their context layers, scored with Mutafriches."""
    model = new_model("observatoire_friches", "friches")
    add_input(model, QgsProcessingParameterFeatureSource("ocs", "",
                                                         [QgsProcessing.TypeVectorPolygon]), (120, 60))
    add_input(model, QgsProcessingParameterFeatureSource("communes", "",
                                                         [QgsProcessing.TypeVectorPolygon]), (360, 60))
    optional = {}
    for position, (name, kinds) in enumerate((
            ("inventaire", [QgsProcessing.TypeVectorAnyGeometry]), ("mairies", [QgsProcessing.TypeVectorPoint]),
            ("gares", [QgsProcessing.TypeVectorPoint]), ("services", [QgsProcessing.TypeVectorPoint]),
            ("inondation", [QgsProcessing.TypeVectorPolygon]), ("plu", [QgsProcessing.TypeVectorPolygon]),
            ("protege", [QgsProcessing.TypeVectorPolygon]), ("pollution", [QgsProcessing.TypeVectorAnyGeometry]))):
        add_input(model, QgsProcessingParameterFeatureSource(name, "", kinds, optional=True),
                  (600 + 240 * (position % 4), 60 + 90 * (position // 4)))
        optional[name] = Source.fromModelParameter(name)
    add_child(model, "ocs:friches", "friches", (480, 320), {
        "INPUT": Source.fromModelParameter("ocs"), "NOMENCLATURE": Source.fromStaticValue(0),
        "MIN_AREA_M2": Source.fromStaticValue(1000.0), "ZONES": Source.fromModelParameter("communes"),
        "INVENTORY": optional["inventaire"], "TOWN_HALLS": optional["mairies"], "STATIONS": optional["gares"],
        "SERVICES": optional["services"], "SERVICES_TYPE_FIELD": Source.fromStaticValue("typequ"),
        "FLOOD": optional["inondation"], "ZONING": optional["plu"],
        "ZONING_TYPE_FIELD": Source.fromStaticValue("typezone"), "PROTECTED": optional["protege"],
        "POLLUTION": optional["pollution"]}, [("OUTPUT", "friches"), ("OUTPUT_CSV", "friches_cnig")])
    return model


def main():
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from ocs_toolbox.algorithms.provider import OcsProvider

    from ocs_toolbox.algorithms import base, models

    provider = OcsProvider()   # kept: the registry does not keep the Python side of the provider alive
    QgsApplication.processingRegistry().addProvider(provider)
    os.makedirs(MODELS, exist_ok=True)
    builds = (ocs2d_postes_enaf_enveloppe, diagnostic_changements, diagnostic_zan, diagnostic_surchauffe,
              observatoire_friches, diagnostic_carbone)
    assert [build.__name__ for build in builds] == list(models.NAMES), "algorithms/models.py lists other models"
    for build in builds:
        model = build()
        valid, issues = model.validate()
        if not valid:
            sys.exit("%s is not valid: %s" % (model.name(), issues))
        # English help in the file (a copy opened in the Model Designer keeps it); the provider loads the help of
        # the interface language.
        model.setHelpContent({"ALG_DESC": base.help_text(model.name(), "en")})
        write(model, os.path.join(MODELS, model.name() + ".model3"))
    QgsApplication.processingRegistry().removeProvider(provider)
    app.exitQgis()


def write(model, path):
    """model.toFile(path), with the output names of QGIS 3.22 whatever QGIS writes the file: in newer QGIS a
    model of internal_version Version2 names an output after its label; ours are frozen as child:output."""
    variant = model.toVariant()
    variant["internal_version"] = "Version1"
    document = QDomDocument("model")
    document.appendChild(QgsXmlUtils.writeVariant(variant, document))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(document.toString(2))
    print(path)


if __name__ == "__main__":
    main()
