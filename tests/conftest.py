"""Test setup shared by every leg: the plugin importable as `ocs_toolbox`, a throwaway QGIS profile."""
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = os.path.join(ROOT, ".build", "plugins")
if not os.path.isdir(os.path.join(PLUGINS, "ocs_toolbox")):
    os.makedirs(PLUGINS, exist_ok=True)
    os.symlink(ROOT, os.path.join(PLUGINS, "ocs_toolbox"))
if PLUGINS not in sys.path:
    sys.path.insert(0, PLUGINS)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QGIS_CUSTOM_CONFIG_PATH", tempfile.mkdtemp(prefix="ocs_qgis_profile_"))
os.environ["QGIS_PLUGINPATH"] = PLUGINS
