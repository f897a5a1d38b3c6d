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


def test_diagnostic_changements_model(tmp_path):
    from test_changes import grid_layer, zones_layer

    algorithm = QgsApplication.processingRegistry().algorithmById("ocs:diagnostic_changements")
    assert algorithm is not None and algorithm.groupId() == "changes"
    results, _ = run("ocs:diagnostic_changements", {
        "ocs2d": grid_layer(), "communes": zones_layer(), "insee": "insee", "compare": 7,
        "reclassify:postes_enaf": str(tmp_path / "postes.gpkg"),
        "changedetection:changements": str(tmp_path / "changes.gpkg"),
        "transitionmatrix:matrices": str(tmp_path / "matrices.gpkg"),
        "transitionmatrix:rapport": str(tmp_path / "rapport.html"),
        "territoryflows:flux_communes": str(tmp_path / "flux.gpkg")})
    flows = {f["zone"]: f for f in QgsVectorLayer(results["territoryflows:flux_communes"], "f", "ogr").getFeatures()}
    assert sorted(flows) == ["A", "B", "hors zones", "total"]
    assert flows["total"]["artif_2005_2021_ha"] == 3.0
    assert round(flows["B"]["conso_enaf_2005_2021_ha"], 6) == 2.5
    changes = QgsVectorLayer(results["changedetection:changements"], "c", "ogr")
    assert round(sum(f["surface_m2"] for f in changes.getFeatures())) == 90000
    assert (tmp_path / "rapport.html").read_text(encoding="utf-8").count("<svg") >= 4
