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


def number(value, decimals=2, locale=None):
    """``value`` for a log line in the interface language: ``1 234,5678`` in French (no-break space, decimal comma,
    as the reports write it),
    ``1234.5678`` otherwise; ``decimals=None`` keeps the shortest form (``%g``)."""
    text = ("%g" % value) if decimals is None else ("%.*f" % (decimals, value))
    if (locale or user_locale()) != "fr":
        return text
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _dot, fraction = text.partition(".")
    if whole.isdigit() and len(whole) > 3:
        groups = []
        while whole:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = "\u00a0".join(groups)
    return sign + whole + ("," + fraction if fraction else "")
