"""The models shipped in resources/models/ (built by scripts/make_models.py): their display names, groups, labels
and help in the user's language.

A model file holds the frozen ids (model name, input names, ``child:output`` names) and English labels. At load
time the provider reads it as a variant, puts the labels, choice lists and help of the interface language in it
(``localised_variant``) and loads it into an ``OcsModel``, a QgsProcessingModelAlgorithm whose display name and group
are translated at each call as those of the algorithms are.
"""
import glob
import os
from collections import namedtuple

from qgis.core import QgsApplication, QgsProcessingModelAlgorithm, QgsXmlUtils
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtXml import QDomDocument

from ..__about__ import PLUGIN_DIR
from . import base
from .changes import target_options

MODELS_DIR = os.path.join(PLUGIN_DIR, "resources", "models")

# name: display name; inputs: {input name: label} in the order a user fills them; outputs: {"child:output": label}
# in the order of the chain; choices: {input name: function giving its options}.
ModelTexts = namedtuple("ModelTexts", "name inputs outputs choices")


def tr(text):
    """Shared context of the provider's strings (base.py): the group names are there too."""
    return QCoreApplication.translate("OcsAlgorithm", text)


def _postes_enaf():
    return tr("4 postes, 21 postes and ENAF (with the spatial rules)")


def _ocs2d_postes_enaf_enveloppe():
    return ModelTexts(tr("OCS2D postes, ENAF and urban envelope"), {
        "ocs2d": tr("OCS2D land-cover layer"),
        "vintages": tr("Vintages (e.g. 2015,2021; empty = all)")}, {
        "reclassify:postes_enaf": _postes_enaf(),
        "urbanenvelope:enveloppe_urbaine": tr("Urban envelope of each vintage")}, {})


def _zone_inputs():
    return {"communes": tr("Communes (zones)"), "insee": tr("INSEE code field of the communes (empty = detected)")}


def _diagnostic_changements():
    inputs = {"ocs2d": tr("OCS2D multi-date land-cover layer")}
    inputs.update(_zone_inputs())
    inputs["compare"] = tr("Classes compared")
    return ModelTexts(tr("Land-cover change diagnosis per commune"), inputs, {
        "reclassify:postes_enaf": _postes_enaf(),
        "changedetection:changements": tr("Change polygons"),
        "transitionmatrix:matrices": tr("Transition matrices"),
        "transitionmatrix:rapport": tr("Transition report (HTML)"),
        "territoryflows:flux_communes": tr("Flows per commune")}, {"compare": target_options})


def _diagnostic_zan():
    inputs = {"ocs2d": tr("OCS2D multi-date land-cover layer")}
    inputs.update(_zone_inputs())
    return ModelTexts(tr("ZAN diagnosis per commune"), inputs, {
        "validate:controle": tr("Quality control: problems found"),
        "validate:synthese_controle": tr("Quality control: summary"),
        "reclassify:postes_enaf": _postes_enaf(),
        "artificialisation:artificialisation": tr("Artificialisation with the thresholds, each vintage"),
        "territoryflows:flux_communes": tr("Flows per commune"),
        "zantrajectory:trajectoire_zan": tr("ZAN trajectory per commune"),
        "zantrajectory:rapport_zan": tr("ZAN report (HTML)")}, {})


def _diagnostic_surchauffe():
    return ModelTexts(tr("Overheating diagnosis (100 m grid and communes)"), {
        "ocs": tr("Land-cover layer (OCS2D or OCS GE)"),
        "communes": tr("Communes (zones)"),
        "vintages": tr("Vintages (e.g. 2005,2021; empty = all)")}, {
        "grille:surchauffe_grille": tr("Overheating score on a 100 m grid"),
        "communes:surchauffe_communes": tr("Overheating score per commune")}, {})


def _observatoire_friches():
    return ModelTexts(tr("Friche observatory"), {
        "ocs": tr("Land-cover layer (multi-date if possible)"),
        "communes": tr("Communes"),
        "inventaire": tr("Friche inventory (CNIG)"),
        "mairies": tr("Town halls"),
        "gares": tr("Stations"),
        "services": tr("Shops and services (BPE, field typequ)"),
        "inondation": tr("Flood areas"),
        "plu": tr("PLU zones (field typezone)"),
        "protege": tr("Protected natural areas"),
        "pollution": tr("Polluted sites")}, {
        "friches:friches": tr("Friches: candidates, characteristics and vocation"),
        "friches:friches_cnig": tr("Friches in the CNIG format (CSV)")}, {})


def _diagnostic_carbone():
    inputs = {"ocs2d": tr("OCS2D multi-date land-cover layer")}
    inputs.update(_zone_inputs())
    return ModelTexts(tr("Carbon diagnosis per commune (ALDO)"), inputs, {
        "reclassify:postes_enaf": _postes_enaf(),
        "carbon:stocks_carbone": tr("Carbon stocks per commune"),
        "carbon:flux_carbone": tr("Carbon flows per commune and period"),
        "carbon:rapport_carbone": tr("Carbon report (HTML)")}, {})


_TEXTS = {"ocs2d_postes_enaf_enveloppe": _ocs2d_postes_enaf_enveloppe,
          "diagnostic_changements": _diagnostic_changements,
          "diagnostic_zan": _diagnostic_zan,
          "diagnostic_surchauffe": _diagnostic_surchauffe,
          "observatoire_friches": _observatoire_friches,
          "diagnostic_carbone": _diagnostic_carbone}
NAMES = tuple(_TEXTS)   # the models shipped, in the order scripts/make_models.py builds them


def model_texts(name):
    """ModelTexts of model ``name`` in the current language, or None for a model this module does not know."""
    build = _TEXTS.get(name)
    return build() if build is not None else None


def read_variant(path):
    """The content of a .model3 file as a dict (what QgsProcessingModelAlgorithm.loadVariant reads)."""
    document = QDomDocument()
    with open(path, "rb") as handle:
        if not document.setContent(handle.read())[0]:
            return None
    return QgsXmlUtils.readVariant(document.firstChildElement())


def _child_descriptions(children):
    """Child id → display name of its algorithm in the current language (with the child id when the model runs
    the same algorithm twice)."""
    registry = QgsApplication.processingRegistry()
    names = {}
    for child_id, child in children.items():
        algorithm = registry.algorithmById(child.get("alg_id", ""))
        names[child_id] = algorithm.displayName() if algorithm is not None else child_id
    repeated = {name for name in names.values() if list(names.values()).count(name) > 1}
    return {child_id: ("%s (%s)" % (name, child_id) if name in repeated else name)
            for child_id, name in names.items()}


def localised_variant(variant):
    """``variant`` (a dict read from a .model3 file) with the labels, choice lists, step names and help of the
    interface language. Unknown models, inputs or outputs keep what the file says."""
    texts = model_texts(variant.get("model_name", ""))
    if texts is None:
        return variant
    definitions = variant.get("parameterDefinitions", {})
    components = variant.get("parameters", {})
    for name, label in texts.inputs.items():
        if name in definitions:
            definitions[name]["description"] = label
        if name in components:
            components[name]["component_description"] = label
    for name, options in texts.choices.items():
        if name in definitions:
            definitions[name]["options"] = options()
    children = variant.get("children", {})
    for child_id, description in _child_descriptions(children).items():
        children[child_id]["component_description"] = description
        for output_name, output in children[child_id].get("outputs", {}).items():
            output["component_description"] = texts.outputs.get(
                "%s:%s" % (child_id, output_name), output.get("component_description", ""))
    variant["help"] = {"ALG_DESC": base.help_text(variant["model_name"])}
    return variant


class OcsModel(QgsProcessingModelAlgorithm):
    """A shipped model: frozen id (``ocs:<model name>``), translated display name and group, help from
    resources/help/<lang>/<model name>.html."""

    def __init__(self, variant=None):
        super().__init__()
        if variant is not None:
            self.loadVariant(variant)

    def displayName(self):  # noqa: N802
        texts = model_texts(self.name())
        return texts.name if texts is not None else self.name()

    def group(self):
        group_id = self.groupId()
        return base.group_name(group_id) if group_id in base.GROUPS else group_id

    def shortHelpString(self):  # noqa: N802
        return base.help_text(self.name())

    def helpUrl(self):  # noqa: N802
        return "https://github.com/ocs-toolbox/ocs_toolbox/blob/main/resources/help/%s/%s.html" % (
            base.help_language(), self.name())

    def createInstance(self):  # noqa: N802
        # A copy of this model (same variant, same subclass); Processing's create() takes ownership (SIP_FACTORY).
        instance = OcsModel(self.toVariant())
        instance.setSourceFilePath(self.sourceFilePath())
        return instance


def load_models(directory=MODELS_DIR):
    """An OcsModel for each .model3 file of ``directory``, with the labels of the interface language. Call once
    the provider is in the registry, so that the children (ocs:…) resolve."""
    models = []
    for path in sorted(glob.glob(os.path.join(directory, "*.model3"))):
        variant = read_variant(path)
        if variant:
            model = OcsModel(localised_variant(variant))
            model.setSourceFilePath(path)
            models.append(model)
    return models
