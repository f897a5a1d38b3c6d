"""The language of the QGIS interface and the plugin's translation (.qm), for the GUI and qgis_process alike."""
import os

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

from .__about__ import PLUGIN_DIR

_translator = None


def user_locale():
    """Two-letter language of the QGIS interface ('fr', 'en', …)."""
    settings = QgsSettings()
    locale = None
    if settings.value("locale/overrideFlag", False, type=bool):
        locale = settings.value("locale/userLocale", "")
    if not locale:
        locale = QLocale().name()
    return (locale or "en")[:2].lower()


def install_translator():
    """Install the plugin's .qm for the user's locale once per process (GUI and qgis_process alike)."""
    global _translator
    if _translator is not None:
        return
    path = os.path.join(PLUGIN_DIR, "i18n", "ocs_toolbox_%s.qm" % user_locale())
    if os.path.exists(path):
        translator = QTranslator()
        if translator.load(path):
            QCoreApplication.installTranslator(translator)
            _translator = translator


def remove_translator():
    global _translator
    if _translator is not None:
        QCoreApplication.removeTranslator(_translator)
        _translator = None
