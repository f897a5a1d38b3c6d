"""ocs:atlas: a commune kept by ZONE_FILTER (its land cut at the border, the rest left out), and the heat and
friches pages computed inside when HEAT and FRICHES are not given (issue #20)."""
import os

import pytest
from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer

from helpers import box, features_by, make_layer, run
from test_atlas_portraits import communes, pdf_text
from test_changes import ACT, FIELDS, GRID, HAB, cell_box
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


def friche_grid():
    """The grid of test_changes with cell 8 (x 300–600, y 100–200, 3 ha) habitat 2005 → activité 2015 → friche
    d'activité 2021 (US6.2.1): one friche site of 3 ha."""
    rows = []
    for cell, vintages in GRID.items():
        if cell == 8:
            vintages = (HAB, ACT, ("CS1.1.2", "US6.2.1"))
        rows.append((cell_box(cell), cell) + vintages[0] + vintages[1] + vintages[2])
    return make_layer(FIELDS, rows)


def heat_lines(feedback):
    return [line for line in feedback.infos if "burnt at" in line]


@pytest.fixture(scope="module")
def inside_atlas(tmp_path_factory):
    """HEAT and FRICHES not given: both computed inside (French)."""
    tmp_path = tmp_path_factory.mktemp("atlas_inside")
    results, feedback = run("ocs:atlas", {
        "INPUT": friche_grid(), "ZONES": communes(), "ZONE_FIELD": "insee", "LANGUAGE": 1,
        "OUTPUT_FOLDER": str(tmp_path / "atlas"), "OUTPUT_TABLE": str(tmp_path / "table.gpkg"),
        "OUTPUT_PROJECT": str(tmp_path / "atlas.qgz")})
    return tmp_path, results, feedback


def test_heat_and_friches_computed_inside_are_on_the_pages(inside_atlas):
    _tmp, results, feedback = inside_atlas
    assert any(line.startswith("HEAT not given") for line in feedback.infos)
    assert any(line.startswith("FRICHES not given") for line in feedback.infos)
    for stem in ("62065_Avion", "62133_Billy-Montigny"):
        content = pdf_text(os.path.join(results["OUTPUT_FOLDER"], stem + ".pdf"))
        assert "Îlots de chaleur (classes ADEME)" in content and "Friches" in content
    project = QgsProject()
    assert project.read(results["OUTPUT_PROJECT"])
    assert all(layer.isValid() for layer in project.mapLayers().values())
    sources = sorted(layer.source().split("layername=")[-1] for layer in project.mapLayers().values())
    assert "chaleur" in sources and "friches" in sources


def test_heat_inside_counts_the_land_of_the_window(inside_atlas):
    """Every zone kept: the zones' extent (x 0–550) grown by 300 m holds the whole grid (18 ha), 18 cells of
    100 m wholly covered."""
    _tmp, results, feedback = inside_atlas
    gpkg = os.path.join(results["OUTPUT_FOLDER"], "atlas.gpkg")
    cells = QgsVectorLayer(gpkg + "|layername=chaleur", "h", "ogr")
    assert cells.featureCount() == 18
    assert sum(f["part_couverte"] for f in cells.getFeatures()) == pytest.approx(18.0)
    assert heat_lines(feedback) == ["2021: 18.00 ha of land cover in the input, 18.00 ha burnt at 5 m (+0.000 %)."]


def test_friches_inside_one_site_of_three_ha(inside_atlas):
    _tmp, results, _feedback = inside_atlas
    gpkg = os.path.join(results["OUTPUT_FOLDER"], "atlas.gpkg")
    sites = QgsVectorLayer(gpkg + "|layername=friches", "f", "ogr")
    assert sites.featureCount() == 1
    site = next(sites.getFeatures())
    assert site["site_surface"] == pytest.approx(30000.0)
    assert site.geometry().area() == pytest.approx(30000.0)


def test_heat_inside_on_a_filtered_zone_counts_the_window_only(tmp_path):
    """Zone A alone (x 0–200): the window x −300–500 cuts column 2 (x 300–600) at 500: 3 + 6 + 6 = 15 ha read,
    burnt in 15 cells of 1 ha."""
    results, feedback = run("ocs:atlas", {
        "INPUT": friche_grid(), "ZONES": communes(), "ZONE_FIELD": "insee", "ZONE_FILTER": "\"insee\" = '62065'",
        "LANGUAGE": 2, "OUTPUT_FOLDER": str(tmp_path / "atlas"), "OUTPUT_TABLE": str(tmp_path / "table.gpkg")})
    gpkg = os.path.join(results["OUTPUT_FOLDER"], "atlas.gpkg")
    cells = QgsVectorLayer(gpkg + "|layername=chaleur", "h", "ogr")
    assert cells.featureCount() == 15
    assert sum(f["part_couverte"] for f in cells.getFeatures()) == pytest.approx(15.0)
    assert heat_lines(feedback) == ["2021: 15.00 ha of land cover in the input, 15.00 ha burnt at 5 m (+0.000 %)."]


def test_a_zone_away_from_the_land_is_said(tmp_path):
    zones = make_layer([("insee", "string"), ("nom", "string")],
                       [(box(0, 0, 600, 300), "A", "Here"), (box(5000, 0, 5100, 100), "W", "Away")],
                       name="communes")
    with pytest.raises(QgsProcessingException, match="No zone of 'communes' meets the land cover"):
        run("ocs:atlas", {"INPUT": friche_grid(), "ZONES": zones, "ZONE_FIELD": "insee",
                          "ZONE_FILTER": "\"insee\" = 'W'", "OUTPUT_FOLDER": str(tmp_path / "atlas"),
                          "OUTPUT_TABLE": str(tmp_path / "table.gpkg")})


def test_given_layers_are_copied_around_the_zones(tmp_path):
    """A given HEAT cell 10 km away from the zones (x 0–550) is left out of atlas.gpkg; nothing is computed."""
    heat = make_layer([("classe_2021", "string")], [(box(0, 0, 300, 300), "surchauffe forte"),
                                                    (box(10000, 0, 10100, 100), "neutre")], name="surchauffe")
    friches = make_layer([("vocation", "string")], [(box(50, 50, 150, 150), "habitat")], name="friches")
    results, feedback = run("ocs:atlas", {
        "INPUT": friche_grid(), "ZONES": communes(), "ZONE_FIELD": "insee", "HEAT": heat, "FRICHES": friches,
        "LANGUAGE": 2, "OUTPUT_FOLDER": str(tmp_path / "atlas"), "OUTPUT_TABLE": str(tmp_path / "table.gpkg")})
    gpkg = os.path.join(results["OUTPUT_FOLDER"], "atlas.gpkg")
    assert QgsVectorLayer(gpkg + "|layername=chaleur", "h", "ogr").featureCount() == 1
    assert QgsVectorLayer(gpkg + "|layername=friches", "f", "ogr").featureCount() == 1
    assert not any("not given" in line for line in feedback.infos)
