"""ocs:atlas: a commune kept by ZONE_FILTER (its land cut at the border, the rest left out), and the heat and
friches pages computed inside when HEAT and FRICHES are not given (issue #20)."""
import pytest

from helpers import box, features_by, make_layer, run
from test_atlas_portraits import pdf_text
from test_change_engine import NOTCHED_ZONE, notched_inputs


def test_zone_filter_keeps_a_commune_whose_border_touches_a_polygon_box(tmp_path):
    """The strip outside zone Z touches it at its box's top vertex (test_change_engine): before the fix its land
    was lost and the run stopped on "Area not conserved". Z holds the forest (1.65 ha) and half of the square
    (0.5 ha); zone W (x 300–400, 1 ha) is left out by ZONE_FILTER."""
    land, _zone = notched_inputs()
    zones = make_layer([("insee", "string"), ("nom", "string")],
                       [(NOTCHED_ZONE, "Z", "Zed"), (box(300, 0, 400, 100), "W", "Wy")], name="communes")
    results, feedback = run("ocs:atlas", {
        "INPUT": land, "ZONES": zones, "ZONE_FIELD": "insee", "ZONE_FILTER": "\"insee\" = 'Z'", "LANGUAGE": 2,
        "OUTPUT_FOLDER": str(tmp_path / "atlas"), "OUTPUT_TABLE": str(tmp_path / "table.gpkg")})
    rows = features_by(results["OUTPUT_TABLE"], "code")
    assert sorted(rows) == ["Z"]
    assert rows["Z"]["surface_ha"] == pytest.approx(2.15)
    assert rows["Z"]["conso_enaf_ha"] == pytest.approx(0.0)
    # every polygon read (the three meet Z's extent) is counted: 2.15 ha in Z, 0.78 ha outside
    assert "Conservation 2005-2021: land compared 2.9300 ha, matrix total 2.9300 ha, zones total 2.9300 ha." \
        in feedback.infos
    assert "Zed" in pdf_text(tmp_path / "atlas" / "Z_Zed.pdf")
