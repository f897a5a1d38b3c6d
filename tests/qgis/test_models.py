"""Models shipped in resources/models/ are loaded by the provider as ocs:<model name> and run."""
from qgis.core import QgsApplication, QgsVectorLayer

from helpers import run
from test_reclassify import agri_layout


def test_model_is_registered():
    algorithm = QgsApplication.processingRegistry().algorithmById("ocs:ocs2d_postes_enaf_enveloppe")
    assert algorithm is not None
    assert algorithm.groupId() == "nomenclatures"


def test_model_runs(tmp_path):
    results, _ = run("ocs:ocs2d_postes_enaf_enveloppe", {
        "ocs2d": agri_layout(), "vintages": "2021",
        "reclassify:postes_enaf": str(tmp_path / "postes.gpkg"),
        "urbanenvelope:enveloppe_urbaine": str(tmp_path / "env.gpkg")})
    postes = QgsVectorLayer(results["reclassify:postes_enaf"], "p", "ogr")
    assert sorted(f["enaf_2021"] for f in postes.getFeatures()) == ["A", "Ue", "Ue", "Ue", "Uh"]
    envelope = QgsVectorLayer(results["urbanenvelope:enveloppe_urbaine"], "e", "ogr")
    assert [round(f["surface_ha"], 2) for f in envelope.getFeatures()] == [16.0]
