"""Models shipped in resources/models/ are loaded by the provider as ocs:<model name>: named, grouped, labelled and
valid in English and French, and they run."""
import gc
import glob
import os

import pytest
from qgis.core import QgsApplication, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QTranslator

from helpers import run
from test_i18n import EXPECTED_GROUPS, english, french
from test_reclassify import agri_layout
from ocs_toolbox import compat

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
# Frozen: users' scripts and scripts/demo.sh call the models with these ids, inputs (in this order) and outputs.
MODELS = {
    "ocs2d_postes_enaf_enveloppe": ("nomenclatures", ["ocs2d", "vintages"],
                                    ["reclassify:postes_enaf", "urbanenvelope:enveloppe_urbaine"]),
    "diagnostic_changements": ("changes", ["ocs2d", "communes", "insee", "compare"], [
        "changedetection:changements", "reclassify:postes_enaf", "territoryflows:flux_communes",
        "transitionmatrix:matrices", "transitionmatrix:rapport"]),
    "diagnostic_zan": ("zan", ["ocs2d", "communes", "insee"], [
        "artificialisation:artificialisation", "reclassify:postes_enaf", "territoryflows:flux_communes",
        "validate:controle", "validate:synthese_controle", "zantrajectory:rapport_zan",
        "zantrajectory:trajectoire_zan"]),
    "diagnostic_surchauffe": ("climate", ["ocs", "communes", "vintages"],
                              ["communes:surchauffe_communes", "grille:surchauffe_grille"]),
    "observatoire_friches": ("friches", ["ocs", "communes", "inventaire", "mairies", "gares", "services",
                                         "inondation", "plu", "protege", "pollution"],
                             ["friches:friches", "friches:friches_cnig"]),
    "diagnostic_carbone": ("climate", ["ocs2d", "communes", "insee"], [
        "carbon:flux_carbone", "carbon:rapport_carbone", "carbon:stocks_carbone", "reclassify:postes_enaf"]),
}


def model(name):
    return QgsApplication.processingRegistry().algorithmById("ocs:" + name)


def test_every_shipped_model_is_known():
    files = sorted(os.path.basename(p)[:-7] for p in glob.glob(os.path.join(ROOT, "resources", "models", "*.model3")))
    from ocs_toolbox.algorithms import models

    assert files == sorted(MODELS) == sorted(models.NAMES)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_is_registered_under_its_frozen_id(name):
    group, inputs, outputs = MODELS[name]
    algorithm = model(name)
    assert algorithm is not None and algorithm.id() == "ocs:" + name
    assert algorithm.groupId() == group
    definitions = algorithm.parameterDefinitions()
    assert [p.name() for p in definitions if not p.isDestination()] == inputs   # the land-cover layer first
    assert [p.name() for p in definitions if p.isDestination()] == outputs


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_is_valid_with_every_child_parameter_set(name):
    algorithm = model(name)
    valid, issues = algorithm.validate()
    assert valid and not issues, issues
    for child_id, child in algorithm.childAlgorithms().items():
        assert child.algorithm() is not None, child_id               # resolved: not "Algorithm is not available"
        sources = child.parameterSources()
        for definition in child.algorithm().parameterDefinitions():
            if definition.isDestination():
                continue
            if definition.defaultValue() is not None or not definition.flags() & definition.FlagOptional:
                assert definition.name() in sources, "%s/%s: %s not set" % (name, child_id, definition.name())
            for source in sources.get(definition.name(), []):
                if source.source() == compat.MODEL_SOURCE_STATIC:
                    assert definition.checkValueIsAcceptable(source.staticValue()), (child_id, definition.name())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_names_labels_and_help_in_english(name):
    with english():
        algorithm = model(name)
        assert algorithm.displayName() not in ("", name)
        assert algorithm.group() == {"nomenclatures": "Nomenclatures", "changes": "Changes", "zan": "ZAN",
                                     "climate": "Climate", "friches": "Friches"}[MODELS[name][0]]
        for definition in algorithm.parameterDefinitions():
            assert definition.description().strip(), "%s: %s has no label" % (name, definition.name())
            assert definition.description() != definition.name()
        help_text = algorithm.shortHelpString()
        assert 500 < len(help_text) <= 7000
        for definition in algorithm.parameterDefinitions():   # inputs and outputs named by label and id
            assert "<code>%s</code>" % definition.name() in help_text, definition.name()
            assert "<b>%s" % definition.description().split(" (")[0] in help_text, definition.description()


def test_model_groups_in_french():
    with english():
        with french():
            groups = {name: model(name).group() for name in MODELS}
    assert groups == {name: EXPECTED_GROUPS[MODELS[name][0]] for name in MODELS}
    assert "Climat" in groups.values()


class Marking(QTranslator):
    """Translates every string of the context OcsAlgorithm to '«…»': shows what goes through the translator."""

    def translate(self, context, source, disambiguation=None, n=-1):
        return "«%s»" % source if context == "OcsAlgorithm" else None


def test_names_labels_choices_and_help_follow_the_interface_language(tmp_path):
    """Models loaded under a translator: display name, input and output labels and choice lists translated;
    the help of the interface language (resources/help/fr when the QGIS interface is French)."""
    from ocs_toolbox.algorithms import models

    marking = Marking()
    with english():
        QCoreApplication.installTranslator(marking)
        try:
            loaded = {m.name(): m for m in models.load_models()}
            names = {name: loaded[name].displayName() for name in MODELS}
            labels = {name: [d.description() for d in loaded[name].parameterDefinitions()] for name in MODELS}
        finally:
            QCoreApplication.removeTranslator(marking)
        with french():
            changes = {m.name(): m for m in models.load_models()}["diagnostic_changements"]
            options = changes.parameterDefinition("compare").options()
    for name in MODELS:
        assert names[name].startswith("«") and names[name].endswith("»"), names[name]
        for label in labels[name]:
            assert label.startswith("«") and label.endswith("»"), (name, label)
    assert options[0] == "Code de couverture brut" and options[7] == "4 postes"   # choices of ChangeAlgorithm
    with open(os.path.join(ROOT, "resources", "help", "fr", "diagnostic_zan.html"), encoding="utf-8") as handle:
        french_help = handle.read()
    assert models.base.help_text("diagnostic_zan", "fr") == french_help
    assert "Entrées" in french_help and len(french_help) <= 7000


def test_created_instances_keep_their_class_and_stay_alive():
    """createInstance returns an OcsModel (display name, group, help) that outlives Python's references."""
    registry = QgsApplication.processingRegistry()
    with english():
        expected = model("diagnostic_zan").displayName()
        instance = registry.createAlgorithmById("ocs:diagnostic_zan")
        copy = instance.create({})
        del instance
        gc.collect()
        assert type(copy).__name__ == "OcsModel"
        assert copy.displayName() == expected == "ZAN diagnosis per commune"
        assert copy.group() == "ZAN" and copy.id() == "ocs:diagnostic_zan"
        assert copy.validate()[0]
        assert [p.name() for p in copy.parameterDefinitions()][:3] == ["ocs2d", "communes", "insee"]


def test_model_runs(tmp_path):
    results, _ = run("ocs:ocs2d_postes_enaf_enveloppe", {
        "ocs2d": agri_layout(), "vintages": "2021",
        "reclassify:postes_enaf": str(tmp_path / "postes.gpkg"),
        "urbanenvelope:enveloppe_urbaine": str(tmp_path / "env.gpkg")})
    postes = QgsVectorLayer(results["reclassify:postes_enaf"], "p", "ogr")
    assert sorted(f["enaf_2021"] for f in postes.getFeatures()) == ["A", "Ue", "Ue", "Ue", "Uh"]
    envelope = QgsVectorLayer(results["urbanenvelope:enveloppe_urbaine"], "e", "ogr")
    assert [round(f["surface_ha"], 2) for f in envelope.getFeatures()] == [16.0]


def test_diagnostic_changements_model(tmp_path):
    from test_changes import grid_layer, zones_layer

    algorithm = QgsApplication.processingRegistry().algorithmById("ocs:diagnostic_changements")
    assert algorithm is not None and algorithm.groupId() == "changes"
    results, _ = run("ocs:diagnostic_changements", {
        "ocs2d": grid_layer(), "communes": zones_layer(), "insee": "insee", "compare": 7,
        "reclassify:postes_enaf": str(tmp_path / "postes.gpkg"),
        "changedetection:changements": str(tmp_path / "changes.gpkg"),
        "transitionmatrix:matrices": str(tmp_path / "matrices.gpkg"),
        "transitionmatrix:rapport": str(tmp_path / "rapport.html"),
        "territoryflows:flux_communes": str(tmp_path / "flux.gpkg")})
    flows = {f["zone"]: f for f in QgsVectorLayer(results["territoryflows:flux_communes"], "f", "ogr").getFeatures()}
    assert sorted(flows) == ["A", "B", "hors zones", "total"]
    assert flows["total"]["artif_2005_2021_ha"] == 3.0
    assert round(flows["B"]["conso_enaf_2005_2021_ha"], 6) == 2.5
    changes = QgsVectorLayer(results["changedetection:changements"], "c", "ogr")
    assert round(sum(f["surface_m2"] for f in changes.getFeatures())) == 90000
    assert (tmp_path / "rapport.html").read_text(encoding="utf-8").count("<svg") >= 4

