"""Plugin metadata read once from metadata.txt."""
import configparser
import os

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))

_parser = configparser.ConfigParser(interpolation=None)
_parser.read(os.path.join(PLUGIN_DIR, "metadata.txt"), encoding="utf-8")
_general = _parser["general"]

TITLE = _general.get("name")
VERSION = _general.get("version")
QGIS_MINIMUM = _general.get("qgisMinimumVersion")
ICON_PATH = os.path.join(PLUGIN_DIR, _general.get("icon"))
PROVIDER_ID = "ocs"
