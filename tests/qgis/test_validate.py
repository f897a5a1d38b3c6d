"""ocs:validate through processing.run: outputs and their fields, the summary, CHECKS, MIN_AREA_M2, TERRITORY,
the style, the report and the corrected copy, on the grid of test_validation_engine.py (3 × 3 squares of
10,000 m²) with known problems."""
import os
import sqlite3

import pytest
from qgis.core import QgsVectorLayer

from helpers import box, run
from test_validation_engine import FIELD, FOREST, HOUSE, grid, ring

OUTPUT_FIELDS = ["controle", "gravite", "fid_source", "millesime", "code_cs", "code_us", "surface_m2", "message"]


def problem_layer(tmp_path, layer, **extra):
    parameters = {"INPUT": layer, "VINTAGES": "2018", "NOMENCLATURE": 3,
                  "OUTPUT": str(tmp_path / "problems.gpkg"), "OUTPUT_SUMMARY": str(tmp_path / "summary.gpkg")}
    parameters.update(extra)
    results, feedback = run("ocs:validate", parameters)
    problems = QgsVectorLayer(results["OUTPUT"], "problems", "ogr")
    summary = QgsVectorLayer(results["OUTPUT_SUMMARY"], "summary", "ogr")
    return results, feedback, problems, summary


def rows(layer, names):
    return [tuple(f[n] for n in names) for f in layer.getFeatures()]


def several_problems():
    """Overlap of 1,000 m² (squares 8 and 9), a forest square with a forestry usage next to a forest square
    (identical neighbours 1 + 2, 20,000 m²), water with a forestry usage (square 5, an error pair)."""
    return grid({(2, 2): (box(190, 200, 300, 300),) + FIELD,
                 (0, 0): (box(0, 0, 100, 100),) + FOREST, (1, 0): (box(100, 0, 200, 100),) + FOREST,
                 (1, 1): (box(100, 100, 200, 200), "CS1.2.2", "US1.2")})


def test_outputs_fields_and_summary(tmp_path):
    results, feedback, problems, summary = problem_layer(tmp_path, several_problems())
    assert problems.fields().names()[1:] == OUTPUT_FIELDS        # [0] is the GeoPackage fid
    assert sorted(rows(problems, ["controle", "gravite", "fid_source", "surface_m2"])) == [
        ("chevauchement", "erreur", 8, 1000.0), ("couple_incompatible", "erreur", 5, 10000.0),
        ("voisins_identiques", "avertissement", 1, 20000.0)]
    # territory: the 300 m × 300 m outline (90,000 m²); shares written to 4 decimals
    assert rows(summary, ["controle", "gravite", "nombre", "surface_m2", "part_territoire_pct"]) == [
        ("chevauchement", "erreur", 1, 1000.0, 1.1111), ("couple_incompatible", "erreur", 1, 10000.0, 11.1111),
        ("voisins_identiques", "avertissement", 1, 20000.0, 22.2222), ("total", "", 3, 31000.0, 34.4444)]
    assert any("3 problems in all, 3.10 ha" in e for e in feedback.errors)
    # styled by controle, stored in the GeoPackage for batch use
    with sqlite3.connect(str(tmp_path / "problems.gpkg")) as connection:
        styles = connection.execute("SELECT f_geometry_column, styleName, useAsDefault, styleQML FROM layer_styles")\
            .fetchall()
    assert [s[1:3] for s in styles] == [("controle", 1)]
    assert 'value="chevauchement"' in styles[0][3] and "215,48,31" in styles[0][3]     # #D7301F


def test_checks_and_min_area(tmp_path):
    layer = several_problems()
    _r, _f, problems, _s = problem_layer(tmp_path, layer, CHECKS=[1])            # coverage only
    assert rows(problems, ["controle"]) == [("chevauchement",)]
    _r, _f, problems, _s = problem_layer(tmp_path, layer, CHECKS=[5], MIN_AREA_M2=15000.0)
    # every square is under 15,000 m² (square 9, 11,000 m², the overlap counted in both its squares), except
    # the patch of the two forest squares (20,000 m²)
    assert sorted(rows(problems, ["fid_source", "surface_m2"])) == [
        (3, 10000.0), (4, 10000.0), (5, 10000.0), (6, 10000.0), (7, 10000.0), (8, 10000.0), (9, 11000.0)]


def test_territory(tmp_path):
    territory = grid()  # any polygon layer: the grid's own outline, then 10 m more above it
    outline = QgsVectorLayer("Polygon?crs=EPSG:2154", "territory", "memory")
    from qgis.core import QgsFeature, QgsGeometry

    feature = QgsFeature()
    feature.setGeometry(QgsGeometry.fromWkt(box(0, 0, 300, 310)))
    outline.dataProvider().addFeatures([feature])
    _r, _f, problems, summary = problem_layer(tmp_path, territory, TERRITORY=outline)
    assert rows(problems, ["controle", "surface_m2"]) == [("trou", 3000.0)]
    assert rows(summary, ["controle", "part_territoire_pct"])[0] == ("trou", 3.2258)


def test_report_in_english_and_french_numbers(tmp_path):
    results, _f, _p, _s = problem_layer(tmp_path, several_problems(), REPORT=str(tmp_path / "report.html"))
    text = open(results["REPORT"], encoding="utf-8").read()
    assert "Overlap" in text and "Where the problems cluster" in text and "<svg" in text
    assert "0.10" in text and "Features 8 and 9 overlap on 1000.0 m²" in text


def test_report_french(tmp_path):
    from ocs_toolbox.core import validationreport

    from ocs_toolbox.core.validation import SummaryRow

    data = validationreport.ReportData("ocs", [SummaryRow("trou", "avertissement", 2, 12345.0, 1.5),
                                               SummaryRow("total", "", 2, 12345.0, 1.5)],
                                       {"trou": [(None, None, 12345.0, "Trou")]}, [("trou", 0, 0), ("trou", 10, 10)],
                                       823000.0, 0, None)
    text = validationreport.build(data, "fr")
    assert "Contrôle qualité — ocs" in text and "Trou" in text
    assert "1,23" in text and "1,50\u00a0%" in text and "82,30\u00a0ha" in text


def test_fixed_copy(tmp_path):
    layer = grid({(2, 2): (box(190, 200, 300, 300),) + FIELD,
                  (0, 0): (box(0, 0, 100, 100),) + FOREST, (1, 0): (box(100, 0, 200, 100),) + FOREST},
                 extra=[(box(0, 200, 100, 300),) + FIELD, ("",) + HOUSE,
                        (ring([(1000, 0), (1100, 100), (1100, 0), (1000, 100), (1000, 0)]),) + FIELD])
    results, feedback, _p, _s = problem_layer(tmp_path, layer, FIXED=str(tmp_path / "fixed.gpkg"))
    fixed = QgsVectorLayer(results["FIXED"], "fixed", "ogr")
    areas = {f["CODE_CS"] + str(i): f.geometry().area() for i, f in enumerate(fixed.getFeatures())}
    assert fixed.featureCount() == 9     # 12 in: empty and duplicate left out, squares 1 and 2 merged
    # square 9 loses the 1,000 m² it shares with square 8 (the lower fid keeps an overlap)
    assert sorted(round(a) for a in areas.values()) == [5000] + [10000] * 7 + [20000]
    assert sum(areas.values()) == pytest.approx(95000.0)      # 90,000 m² of grid once + the bow tie's 5,000 m²
    assert any("Features 2 merged into feature 1" in i for i in feedback.infos)
    assert any("Feature 9: overlap with feature(s) 8" in i for i in feedback.infos)
    assert any("Feature 10 left out" in i for i in feedback.infos)
    assert any("Feature 11 left out: no geometry" in i for i in feedback.infos)
    assert any("Feature 12: geometry repaired" in i for i in feedback.infos)
    codes = sorted((f["CODE_CS"], f["CODE_US"]) for f in fixed.getFeatures())
    assert codes.count(FOREST) == 1 and codes.count(HOUSE) == 3 and codes.count(FIELD) == 5
    assert os.path.exists(results["FIXED"].split("|")[0])


def test_fixed_copy_of_the_real_extract_covers_its_land_once(tmp_path):
    """The 9 classes of the Metaleurop extract: 2 repaired, 25 overlaps each left to the lower fid; the copy
    covers the union of the input, 9,792.4546 ha (the areas of the input add up to 10,077.0233 ha)."""
    from test_validation_engine import DATA

    results, feedback, _p, _s = problem_layer(tmp_path, DATA + "|layername=occupation_sol", VINTAGES="",
                                              CHECKS=[0, 1], FIXED=str(tmp_path / "fixed.gpkg"))
    fixed = QgsVectorLayer(results["FIXED"], "fixed", "ogr")
    assert fixed.featureCount() == 9
    total = sum(f.geometry().area() for f in fixed.getFeatures())
    assert total / 1e4 == pytest.approx(9792.4546, abs=1e-3)
    assert all(f.geometry().isGeosValid() for f in fixed.getFeatures())
    assert sorted(f["code_cs"] for f in fixed.getFeatures()) == sorted(
        f["code_cs"] for f in QgsVectorLayer(DATA + "|layername=occupation_sol", "in", "ogr").getFeatures())
    assert any("each piece of land once" in i for i in feedback.infos)
