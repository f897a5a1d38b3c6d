"""QGIS plugin class: registers the Processing provider and the French translation."""
import os

from qgis.core import QgsApplication, QgsSettings
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


class OcsToolboxPlugin:
    """Entry object created by classFactory; ``iface`` may be None (qgis_process)."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 - QGIS API
        from .algorithms.provider import OcsProvider

        install_translator()
        if self.provider is None:
            provider = OcsProvider()
            # addProvider refuses (and deletes) a second provider with the same id
            if QgsApplication.processingRegistry().addProvider(provider):
                self.provider = provider

    def initGui(self):  # noqa: N802 - QGIS API
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_translator()
