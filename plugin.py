"""QGIS plugin class: registers the Processing provider and the French translation."""
from qgis.core import QgsApplication

from .language import install_translator, remove_translator, user_locale  # noqa: F401 - user_locale: public API


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
