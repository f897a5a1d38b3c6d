"""What a user sees in QGIS Desktop, offscreen: the Processing dialog of every algorithm and shipped model opens
(as the toolbox opens it, processing.createAlgorithmDialog) with a widget and a label for every parameter, in
English and French; every shipped model opens in the Model Designer valid, every child algorithm resolved and
valid. A message box (an error the user would have to click away) fails the test instead of hanging it."""
import contextlib

import pytest
from qgis.core import QgsApplication, QgsProcessingParameterDefinition
from qgis.PyQt.QtWidgets import QAbstractButton, QLabel, QMessageBox

from test_i18n import english, french
from test_interface import FROZEN
from test_models import MODELS

ALGORITHMS = sorted(FROZEN)
SHIPPED_MODELS = sorted("ocs:" + name for name in MODELS)
LANGUAGES = {"en": english, "fr": french}


@contextlib.contextmanager
def interface_language(ocs_provider, language):
    """The plugin's translator of ``language`` and the provider's algorithms and models reloaded under it, as a
    QGIS in that language loads them (the models' labels are set at load time); reloaded in English after."""
    try:
        with LANGUAGES[language]():
            ocs_provider.refreshAlgorithms()
            yield
    finally:
        with english():
            ocs_provider.refreshAlgorithms()


@pytest.fixture(autouse=True)
def desktop_iface(qgis_iface, monkeypatch):
    """pytest-qgis's stub iface lacks what the Processing dialogs ask the Desktop for: browserModel() (2.1.0 and
    5.0.2) and iconSize() without argument (missing in 2.1.0; 5.0.2's requires one, QGIS's ModelerDialog passes
    none)."""
    from qgis.gui import QgsBrowserGuiModel
    from qgis.PyQt.QtCore import QSize

    browser = QgsBrowserGuiModel()   # a real model: QGIS 3.40's widget context refuses a stand-in
    monkeypatch.setattr(qgis_iface, "browserModel", lambda: browser, raising=False)
    monkeypatch.setattr(qgis_iface, "iconSize", lambda docked=False: QSize(24, 24), raising=False)
    return qgis_iface


@pytest.fixture
def no_message_box(monkeypatch):
    """Every QMessageBox shown (static helpers or exec_) is recorded and answered at once; the test checks the
    list is empty."""
    shown = []

    def record(kind):
        def box(*args, **kwargs):
            texts = [a for a in args if isinstance(a, str)]
            shown.append((kind, texts))
            return QMessageBox.Cancel if kind == "question" else QMessageBox.Ok
        return box

    for kind in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(record(kind)))

    def exec_box(self, *args):
        shown.append(("exec", [self.windowTitle(), self.text(), self.informativeText()]))
        return QMessageBox.Cancel

    monkeypatch.setattr(QMessageBox, "exec_", exec_box)
    if hasattr(QMessageBox, "exec"):
        monkeypatch.setattr(QMessageBox, "exec", exec_box)
    yield shown
    assert not shown, shown


def visible(definition):
    return not definition.flags() & QgsProcessingParameterDefinition.FlagHidden


def widget_and_label(wrapper):
    """(widget, label text) of a parameter's wrapper: the C++ wrappers (QgsAbstractProcessingParameterWidgetWrapper)
    and Processing's Python WidgetWrapper (a check box carries its label as its own text)."""
    if hasattr(wrapper, "wrappedWidget"):
        widget, label = wrapper.wrappedWidget(), wrapper.wrappedLabel()
    else:
        widget, label = wrapper.widget, wrapper.label
    if label is not None:
        return widget, label.text() if isinstance(label, QLabel) else ""
    return widget, widget.text() if isinstance(widget, QAbstractButton) else ""


def check_dialog(algorithm_id):
    """Open the dialog as the toolbox does; return (dialog, {parameter: label shown})."""
    import processing

    dialog = processing.createAlgorithmDialog(algorithm_id)
    assert dialog is not None, algorithm_id
    panel = dialog.mainWidget()
    algorithm = dialog.algorithm()
    assert algorithm.id() == algorithm_id
    labels = {}
    for definition in algorithm.parameterDefinitions():
        if not visible(definition):
            continue
        wrapper = panel.wrappers.get(definition.name())
        assert wrapper is not None, "%s: no widget for %s" % (algorithm_id, definition.name())
        widget, label = widget_and_label(wrapper)
        assert widget is not None, "%s: no widget for %s" % (algorithm_id, definition.name())
        assert label.strip(), "%s: %s has no label" % (algorithm_id, definition.name())
        assert definition.description() in label and label.split(" [")[0] != definition.name(), (algorithm_id, label)
        labels[definition.name()] = label
    assert [item for item in dialog.messageBar().items()] == [], algorithm_id
    return dialog, labels


def test_every_algorithm_and_model_of_the_provider_is_checked(ocs_provider):
    assert sorted(a.id() for a in ocs_provider.algorithms()) == sorted(ALGORITHMS + SHIPPED_MODELS)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
@pytest.mark.parametrize("algorithm_id", ALGORITHMS + SHIPPED_MODELS)
def test_dialog_opens_with_a_widget_and_a_label_for_every_parameter(algorithm_id, language, ocs_provider,
                                                                     no_message_box):
    with interface_language(ocs_provider, language):
        dialog, labels = check_dialog(algorithm_id)
        try:
            assert labels
            if language == "fr":   # QGIS adds "[optional]" itself: the label must not say it a second time
                assert not [label for label in labels.values() if "facultatif" in label.lower()], labels
        finally:
            dialog.close()
            dialog.deleteLater()


def test_french_dialog_of_a_model_is_in_french(ocs_provider, no_message_box):
    with interface_language(ocs_provider, "fr"):
        dialog, labels = check_dialog("ocs:diagnostic_changements")
        try:
            assert labels["ocs2d"] == "Couche d’occupation du sol OCS2D multidate"
            assert labels["transitionmatrix:rapport"].startswith("Rapport des transitions")
        finally:
            dialog.close()
            dialog.deleteLater()


@pytest.mark.parametrize("model_id", SHIPPED_MODELS)
def test_model_opens_valid_in_the_model_designer(model_id, no_message_box):
    from processing.modeler.ModelerDialog import ModelerDialog

    shipped = QgsApplication.processingRegistry().algorithmById(model_id)
    designer = ModelerDialog(shipped)
    try:
        model = designer.model()
        # the designer's Name box shows the display name and sets it as the model's name
        assert model is not None and model.name() in (shipped.name(), shipped.displayName())
        assert model.sourceFilePath() == shipped.sourceFilePath()
        valid, issues = model.validate()
        assert valid and not issues, issues
        assert len(model.childAlgorithms()) == len(shipped.childAlgorithms()) > 0
        for child_id, child in model.childAlgorithms().items():
            assert child.algorithm() is not None, child_id   # not "Algorithm is not available"
            child_valid, child_issues = model.validateChildAlgorithm(child_id)
            assert child_valid and not child_issues, (child_id, child_issues)
        # the scene shows one box per input, child and output: nothing was dropped while loading
        items = designer.view().scene().items()
        names = {type(item).__name__ for item in items}
        assert {"ModelerInputGraphicItem", "ModelerChildAlgorithmGraphicItem", "ModelerOutputGraphicItem"} <= names
        children = [item for item in items if type(item).__name__ == "ModelerChildAlgorithmGraphicItem"]
        assert len(children) == len(model.childAlgorithms())
        boxes = [item for item in items if type(item).__name__ in (
            "ModelerInputGraphicItem", "ModelerChildAlgorithmGraphicItem", "ModelerOutputGraphicItem")]
        overlapping = [(a.label(), b.label()) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                       if a.sceneBoundingRect().intersects(b.sceneBoundingRect())]
        assert not overlapping, overlapping   # no box drawn over another (outputs placed by make_models.py)
    finally:
        designer.close()
        designer.deleteLater()
