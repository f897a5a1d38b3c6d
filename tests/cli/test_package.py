"""`make package` ships the plugin only, and the zip, unpacked as a user's plugin manager does, runs."""
import os
import subprocess
import sys
import zipfile

import pytest
from osgeo import ogr

from conftest import QgisProcess
from helpers import box, make_layer, to_gpkg
from ocs_toolbox_paths import ROOT

pytestmark = pytest.mark.cli


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("package")
    output = folder / "ocs_toolbox.zip"
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "package.py"), "--output", str(output)],
                   check=True, capture_output=True)
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        archive.extractall(folder / "plugins")
    return names, folder / "plugins"


def test_the_zip_holds_the_plugin_only(package):
    names, _plugins = package
    assert all(name.startswith("ocs_toolbox/") for name in names)
    inside = {name[len("ocs_toolbox/"):] for name in names}
    for needed in ("metadata.txt", "__init__.py", "plugin.py", "algorithms/provider.py", "engines/spatial.py",
                   "fastpath/gpkg.py", "core/rules.py", "i18n/ocs_toolbox_fr.qm", "resources/help/fr/reclassify.html",
                   "resources/models/diagnostic_zan.model3", "LICENSE"):
        assert needed in inside, needed
    for developer_only in ("tests/", "scripts/", "bench/", ".ci/", "BENCHMARKS.md", "Makefile", "pytest.ini"):
        assert not any(name == developer_only or name.startswith(developer_only) for name in inside), developer_only


def test_the_unpacked_zip_runs_under_qgis_process(package, tmp_path):
    _names, plugins = package
    run = QgisProcess(tmp_path / "profile")
    run.env["QGIS_PLUGINPATH"] = str(plugins)
    assert "ocs:reclassify" in run("list").stdout
    source = to_gpkg(make_layer([("id", "integer"), ("cs21", "string"), ("us21", "string")], [
        (box(0, 0, 100, 100), 1, "CS1.1.1", "US5.1.1"), (box(100, 0, 200, 100), 2, "CS6.3.0", "US1.1.3")]),
        tmp_path / "in.gpkg")
    output = tmp_path / "out.gpkg"
    completed = run("run", "ocs:reclassify", "--INPUT=%s" % source, "--TARGETS=4", "--VINTAGES=2021",
                    "--OUTPUT=%s" % output)
    dataset = ogr.Open(str(output))   # kept alive while its layer is read
    assert {f.GetField("id"): f.GetField("p4_2021") for f in dataset.GetLayer(0)} == {1: 1, 2: 2}   # habitat: artificialisé; arable land: agricole
