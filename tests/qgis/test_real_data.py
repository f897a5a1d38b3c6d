"""The real OCS GE extract (ugly geometry: ~10,400 parts, invalid multipolygons) runs end to end."""
import os

import pytest
from qgis.core import QgsVectorLayer

import enaf_script
from helpers import run

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                    "ocsge_d062_2018_metaleurop.gpkg")


def test_reclassify_real_ocsge(tmp_path):
    results, feedback = run("ocs:reclassify", {"INPUT": DATA + "|layername=occupation_sol",
                                               "OUTPUT": str(tmp_path / "out.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "out", "ogr")
    assert layer.featureCount() == 9
    assert any("Nomenclature detected: OCS GE" in m for m in feedback.infos)
    areas = {}
    for feature in layer.getFeatures():
        for key in ("artif_2018", "impermeable_2018"):
            if feature[key] == 1:
                areas[key] = areas.get(key, 0.0) + feature.geometry().area() / 1e4
    # ST_Area per class (ogrinfo): CS1.1.1.1/US5 1110.24 ha; CS1.1.2.1/US4.1.2 300.41 ha; CS2.2.1/US4.3 6316.34 ha
    # (herbaceous under a network usage is artificialised by the matrix; this extract kept one usage per class).
    assert areas["impermeable_2018"] == pytest.approx(1110.24, rel=1e-3)
    assert areas["artif_2018"] == pytest.approx(1110.24 + 300.41 + 6316.34, rel=1e-3)
    line = [m for m in feedback.infos if "ha in and out" in m][0]
    assert "10076." in line or "10077." in line   # total ≈ 10,077 ha
    assert sum(1 for f in layer.getFeatures() if not f.geometry().isGeosValid()) == 2   # copied as they are


def test_urbanenvelope_real_ocsge(tmp_path):
    results, feedback = run("ocs:urbanenvelope", {"INPUT": DATA + "|layername=occupation_sol",
                                                  "OUTPUT": str(tmp_path / "env.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "env", "ogr")
    parts = sorted(f.geometry().area() for f in layer.getFeatures())
    # Members: built CS1.1.1.1 (1110.24 ha) and the wooded CS2.1.1.3 (3.42 ha), both US5, and CS2.1.2 under US2
    # (97.99 ha); CS2.2.1 under US4.3 is not a member. The closing fills gaps under 100 m between buildings, so the
    # envelope holds more than its members, and small hamlets (< 10 ha) drop out. Geo2France's script, run
    # statement by statement on the members (repaired), gives the same parts to 0.01 % (about 3177.6 ha in 12
    # parts; with round joins on the erosion, 2884.9 ha in 19 parts).
    members = []
    for feature in QgsVectorLayer(DATA + "|layername=occupation_sol", "in", "ogr").getFeatures():
        if feature["code_cs"] in ("CS1.1.1.1", "CS2.1.1.3", "CS2.1.2"):
            geometry = feature.geometry()
            members.append(geometry if geometry.isGeosValid() else geometry.makeValid())
    script = sorted(p.area() for geometry, _ha in enaf_script.envelope(members)
                    for p in enaf_script.st_dump(geometry))
    assert len(parts) == len(script) == 12
    assert sum(parts) == pytest.approx(sum(script), rel=1e-4)
    assert parts == pytest.approx(script, rel=1e-4)
    for feature in layer.getFeatures():
        assert feature["surface_ha"] >= 10.0
        assert feature.geometry().constGet().numInteriorRings() == 0


def test_overlay_real_ocsge_with_zones(tmp_path):
    """The real extract against itself, cut by two zones across its middle: nothing changes, nothing is lost
    (the run stops if the matrix or the zones do not add up to the land compared)."""
    from helpers import make_layer

    source = QgsVectorLayer(DATA + "|layername=occupation_sol", "real", "ogr")
    extent = source.extent()
    middle = extent.center().x()

    def rect(x1, x2):
        return "POLYGON((%f %f,%f %f,%f %f,%f %f,%f %f))" % (
            x1, extent.yMinimum() - 10, x2, extent.yMinimum() - 10, x2, extent.yMaximum() + 10,
            x1, extent.yMaximum() + 10, x1, extent.yMinimum() - 10)

    zones = make_layer([("insee", "string")], [(rect(extent.xMinimum() - 10, middle), "62001"),
                                                (rect(middle, extent.xMaximum() + 10), "62002")])
    results, feedback = run("ocs:transitionmatrix", {
        "INPUT": DATA + "|layername=occupation_sol", "INPUT_AFTER": DATA + "|layername=occupation_sol",
        "FROM_VINTAGE": "2018", "TO_VINTAGE": "2021", "TARGET": 0, "ZONES": zones, "ZONE_FIELD": "insee",
        "OUTPUT": str(tmp_path / "m.gpkg")})
    layer = QgsVectorLayer(results["OUTPUT"], "m", "ogr")
    by_zone, changed = {}, 0.0
    for feature in layer.getFeatures():
        by_zone[feature["zone"]] = by_zone.get(feature["zone"], 0.0) + feature["surface_ha"]
        if feature["code_avant"] != feature["code_apres"]:
            changed += feature["surface_ha"]
    assert changed == 0.0
    assert sorted(by_zone) == ["62001", "62002"]
    assert sum(by_zone.values()) == pytest.approx(10077.02, abs=0.05)
    assert 1000 < by_zone["62001"] < 9000
    assert any("invalid geometries were repaired" in m for m in feedback.errors)
