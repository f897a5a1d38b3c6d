"""French translation: i18n/ocs_toolbox_fr.qm translates every algorithm name, group and parameter label.

Self-sufficient (does not rely on a conftest): the plugin is imported as `ocs_toolbox` from .build/plugins.
Regenerate the files with `bash scripts/i18n.sh` (or `make i18n`).
"""
import contextlib
import os
import re
import xml.etree.ElementTree as ET

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
# tests/conftest.py puts the plugin on sys.path as ocs_toolbox

TS = os.path.join(ROOT, "i18n", "ocs_toolbox_fr.ts")
QM = os.path.join(ROOT, "i18n", "ocs_toolbox_fr.qm")
CONTEXTS = {"ReclassifyAlgorithm", "UrbanEnvelopeAlgorithm", "ApplyStyleAlgorithm", "OcsAlgorithm", "OcsStyling",
            "ChangeAlgorithm", "ChangeDetectionAlgorithm", "TransitionMatrixAlgorithm", "TerritoryFlowsAlgorithm",
            "ArtificialisationAlgorithm", "ZanTrajectoryAlgorithm", "HeatIslandAlgorithm",
            "FrichesAlgorithm", "ValidateAlgorithm", "CarbonAlgorithm", "OcsPostGIS", "AtlasAlgorithm"}
EXPECTED_NAMES = {
    "reclassify": "Reclassifier la couverture et l’usage du sol",
    "urbanenvelope": "Enveloppe urbaine",
    "applystyle": "Appliquer un style officiel",
    "changedetection": "Détection des changements entre deux millésimes",
    "transitionmatrix": "Matrice de transition",
    "territoryflows": "Flux par territoire (artificialisation, consommation d’ENAF)",
    "artificialisation": "Artificialisation (décret 2023-1096, avec les seuils)",
    "zantrajectory": "Trajectoire ZAN par territoire (consommation d’ENAF 2021-2031)",
    "heatisland": "Score d’îlot de chaleur (surchauffe)",
    "friches": "Friches : candidats, caractérisation, mutabilité et vocation",
    "validate": "Valider une couche d’occupation du sol (contrôle qualité)",
    "carbon": "Stocks et flux de carbone (ALDO)",
    "atlas": "Atlas des portraits de territoire (PDF)",
}
EXPECTED_GROUPS = {
    "nomenclatures": "Nomenclatures",
    "changes": "Évolutions",
    "zan": "ZAN",
    "friches": "Friches",
    "climate": "Climat",
    "outputs": "Restitution",
    "styles": "Styles",
    "control": "Contrôle",
}
# Words that French writes as English does: the translation must exist in the .qm, but cannot differ.
SAME_IN_FRENCH = {"Nomenclatures", "Nomenclature", "Styles", "ZAN", "Friches", "Artificialisation"}


@contextlib.contextmanager
def english():
    """Within the block, no French translator of the plugin (plugin.install_translator) is installed."""
    from qgis.PyQt.QtCore import QCoreApplication

    from ocs_toolbox import language as plugin

    plugin_translator = plugin._translator
    if plugin_translator is not None:
        QCoreApplication.removeTranslator(plugin_translator)
    try:
        yield
    finally:
        if plugin_translator is not None:
            QCoreApplication.installTranslator(plugin_translator)


@contextlib.contextmanager
def french():
    """Install i18n/ocs_toolbox_fr.qm with a QTranslator for the duration of the block, then remove it."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    translator = QTranslator()
    assert translator.load(QM), QM
    assert QCoreApplication.installTranslator(translator)
    try:
        yield translator
    finally:
        QCoreApplication.removeTranslator(translator)


def labels(algorithm_class):
    """displayName, group and every parameter/output description of a freshly initialised algorithm."""
    algorithm = algorithm_class()
    algorithm.initAlgorithm({})
    found = {"displayName": algorithm.displayName(), "group": algorithm.group()}
    for parameter in algorithm.parameterDefinitions():
        found["parameter " + parameter.name()] = parameter.description()
    for output in algorithm.outputDefinitions():
        found.setdefault("output " + output.name(), output.description())
    return found


def check_translated(translator, context, english_text, french_text, what):
    """``context``: the translation context, or a tuple of them (an algorithm class and its bases)."""
    contexts = context if isinstance(context, tuple) else (context,)
    if english_text in SAME_IN_FRENCH:
        # Identical on purpose: prove that the .qm holds it (QTranslator returns "" when it does not).
        assert english_text in [translator.translate(c, english_text) for c in contexts], what
    else:
        assert french_text != english_text, "%s not translated: %r" % (what, english_text)


@pytest.fixture(scope="module")
def algorithms(qgis_app, qgis_processing):
    from ocs_toolbox.algorithms.provider import ALGORITHMS

    return ALGORITHMS


def test_qm_exists():
    assert os.path.isfile(QM) and os.path.getsize(QM) > 100, "run bash scripts/i18n.sh"


def test_display_names_groups_and_parameters_are_translated(algorithms):
    with english():
        before = {cls.NAME: labels(cls) for cls in algorithms}
        with french() as translator:
            after = {cls.NAME: labels(cls) for cls in algorithms}
    assert set(EXPECTED_NAMES) == set(before)
    for cls in algorithms:
        name = cls.NAME
        assert after[name]["displayName"] == EXPECTED_NAMES[name]
        assert after[name]["displayName"] != before[name]["displayName"]
        assert after[name]["group"] == EXPECTED_GROUPS[cls.GROUP]
        check_translated(translator, "OcsAlgorithm", before[name]["group"], after[name]["group"], name + " group")
        for key in before[name]:
            if key in ("displayName", "group"):
                continue
            contexts = tuple(c.__name__ for c in cls.__mro__)   # shared parameters are filed under a base class
            check_translated(translator, contexts, before[name][key], after[name][key], "%s %s" % (name, key))


def test_every_group_name_is_translated(qgis_app):
    from ocs_toolbox.algorithms import base

    with english():
        before = {group: base.group_name(group) for group in base.GROUPS}
        with french() as translator:
            after = {group: base.group_name(group) for group in base.GROUPS}
    assert after == {group: EXPECTED_GROUPS[group] for group in base.GROUPS}
    for group in base.GROUPS:
        check_translated(translator, "OcsAlgorithm", before[group], after[group], "group " + group)


def test_translator_is_removed(qgis_app):
    from ocs_toolbox.algorithms.reclassify import ReclassifyAlgorithm

    with english():
        english_name = ReclassifyAlgorithm().displayName()
        with french():
            assert ReclassifyAlgorithm().displayName() == EXPECTED_NAMES["reclassify"]
        assert ReclassifyAlgorithm().displayName() == english_name


def test_ts_is_complete():
    """Every message of the .ts is finished, in a known context, with the placeholders of its source."""
    root = ET.parse(TS).getroot()
    placeholder = re.compile(r"\{[^{}]*\}")
    problems = []
    seen = set()
    for context in root.findall("context"):
        name = context.findtext("name")
        seen.add(name)
        if name not in CONTEXTS:
            problems.append("unexpected context %s" % name)
        for message in context.findall("message"):
            source = message.findtext("source")
            node = message.find("translation")
            text = node.text if node is not None else None
            if not text or node.get("type") in ("unfinished", "obsolete", "vanished"):
                problems.append("[%s] %s: not translated" % (name, source))
            elif sorted(placeholder.findall(text)) != sorted(placeholder.findall(source)):
                problems.append("[%s] %s: placeholders differ" % (name, source))
    assert not problems, problems
    assert seen == CONTEXTS


@pytest.mark.parametrize("value, decimals, locale, expected", [
    (1234.56789, 4, "fr", "1\u00a0234,5679"), (1234.56789, 4, "en", "1234.5679"), (-0.5, 2, "fr", "-0,50"),
    (25.0, None, "fr", "25"), (2.5, None, "fr", "2,5"), (123456789.0, 0, "fr", "123\u00a0456\u00a0789")])
def test_log_numbers_follow_the_interface_language(qgis_app, value, decimals, locale, expected):
    from ocs_toolbox.language import number

    assert number(value, decimals, locale) == expected


@contextlib.contextmanager
def french_locale():
    """The French translator and a French interface locale (QgsSettings override), restored afterwards."""
    from qgis.core import QgsSettings

    settings = QgsSettings()
    before = (settings.value("locale/overrideFlag"), settings.value("locale/userLocale"))
    settings.setValue("locale/overrideFlag", True)
    settings.setValue("locale/userLocale", "fr_FR")
    try:
        with french() as translator:
            yield translator
    finally:
        for key, value in zip(("locale/overrideFlag", "locale/userLocale"), before):
            if value is None:
                settings.remove(key)
            else:
                settings.setValue(key, value)


def test_french_log_names_targets_and_writes_french_numbers(qgis_app, qgis_processing):
    """A French QGIS logs "Cibles : 4 postes, 21 postes, ENAF (et NAF / non NAF)" (not "p4, p21, enaf") and its
    areas with a decimal comma: 100 m × 125 m = 1,25 ha."""
    from helpers import box, ocs2d_layer, run

    layer = ocs2d_layer([(box(0, 0, 100, 125), "CS1.1.1", "US5.3.1")])
    with french_locale():
        _results, feedback = run("ocs:reclassify", {"INPUT": layer, "OUTPUT": "TEMPORARY_OUTPUT"})
    assert "Cibles : 4 postes, 21 postes, ENAF (et NAF / non NAF)" in feedback.infos
    assert any("1,2500 ha" in line for line in feedback.infos), feedback.infos


def test_help_names_parameters_by_their_dialog_labels(qgis_app, qgis_processing):
    """The help panel names each parameter as the dialog shows it, with its id for scripts."""
    from ocs_toolbox.algorithms.reclassify import ReclassifyAlgorithm

    with english():
        algorithm = ReclassifyAlgorithm()
        algorithm.initAlgorithm({})
        english_help = algorithm.shortHelpString()
    assert "<b>Vintages</b> (<code>VINTAGES</code>)" in english_help
    assert "<b>Reclassified</b> (<code>OUTPUT</code>)" in english_help
    with french_locale():
        algorithm = ReclassifyAlgorithm()
        algorithm.initAlgorithm({})
        french_help = algorithm.shortHelpString()
    assert "<b>Millésimes</b> (<code>VINTAGES</code>)" in french_help
    assert "<b>VINTAGES</b>" not in french_help
