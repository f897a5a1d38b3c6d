"""qgis_process tests: the plugin found on QGIS_PLUGINPATH, enabled in a throwaway profile."""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "qgis"))

from ocs_toolbox_paths import PLUGINS  # noqa: E402


def qgis_process_binary():
    # Debian 12's /usr/bin/qgis_process wrapper is broken (QGIS 3.22); the QGIS 3.40 leg sets OCS_QGIS_PROCESS.
    return os.environ.get("OCS_QGIS_PROCESS", "/usr/bin/qgis_process.bin")


class QgisProcess:
    def __init__(self, profile, locale=None):
        self.env = dict(os.environ)
        self.env.update({"QT_QPA_PLATFORM": "offscreen", "QGIS_PLUGINPATH": PLUGINS,
                         "QGIS_CUSTOM_CONFIG_PATH": str(profile)})
        ini = os.path.join(str(profile), "profiles", "default", "QGIS", "QGIS3.ini")
        os.makedirs(os.path.dirname(ini), exist_ok=True)
        with open(ini, "w", encoding="utf-8") as handle:
            handle.write("[PythonPlugins]\nocs_toolbox=true\n")
            if locale:
                handle.write("\n[locale]\noverrideFlag=true\nuserLocale=%s\n" % locale)

    def __call__(self, *args, check=True):
        completed = subprocess.run([qgis_process_binary()] + list(args), env=self.env, capture_output=True,
                                   text=True, timeout=300)
        if check and completed.returncode != 0:
            raise AssertionError("qgis_process %s failed (%d):\n%s\n%s" % (
                " ".join(args), completed.returncode, completed.stdout, completed.stderr))
        return completed


@pytest.fixture
def qgis_process(tmp_path):
    return QgisProcess(tmp_path / "profile")


@pytest.fixture
def qgis_process_fr(tmp_path):
    return QgisProcess(tmp_path / "profile_fr", locale="fr")
