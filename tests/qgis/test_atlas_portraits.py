"""ocs:atlas on the 3×3 grid of test_changes.py (2005, 2015, 2021) cut by two communes.

Zone A "Avion" (x 0–200): cells 1–3 (1 ha each) and the left half of cells 4–6 (1 ha each).
Zone B "Billy-Montigny" (x 200–550): the right half of cells 4–6 (1 ha each) and 250/300 of cells 7–9 (2.5 ha).
ENAF consumed 2005 → 2021, by hand:
- A: cells 1 and 2 agriculture → habitat (2 ha, Uh), cell 3 agriculture → activité (1 ha, Ue): 3 ha, 3/16 ha/year;
  cell 5 (habitat → wooded park) is renaturation, not consumption;
- B: cell 7 agriculture → wooded garden (Uh): 2.5 ha; cell 9 forest → agriculture stays NAF.
Ranks: A 1st, B 2nd. Land cover 2021 of A (4 postes): cells 1, 2, 3, 5 urbanised (4 ha), 4 natural (1 ha),
6 infrastructure (1 ha).
ZAN of A: 2005–2015 consumed 2 ha (cells 2, 3), 2015–2021 1 ha (cell 1); reference 2011–2021 = 4/10 × 2 + 1
= 1.8 ha; allowance 2021–2031 = 0.9 ha; no vintage after 2021: nothing measured since.
"""
import os
import re
import subprocess
import sys
import unicodedata

import pytest
from qgis.core import Qgis, QgsProject, QgsVectorLayer

from helpers import box, features_by, make_layer, run
from test_changes import grid_layer

from ocs_toolbox import compat
from ocs_toolbox.core import atlas as text
from ocs_toolbox.engines.atlaslayout import LAYOUTS
from ocs_toolbox.core.heat import CLASSES


def communes():
    return make_layer([("insee", "string"), ("nom", "string")],
                      [(box(0, -50, 200, 350), "62065", "Avion"),
                       (box(200, -50, 550, 350), "62133", "Billy-Montigny")], name="communes")


def pdf_text(path):
    """The words of a PDF on one line (pdftotext writes the no-break spaces as spaces)."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def words(value):
    return " ".join(value.split())


def pdf_pages(path):
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int([line for line in out.splitlines() if line.startswith("Pages:")][0].split()[1])


def atlas(tmp_path, language, **extra):
    parameters = {"INPUT": grid_layer(), "ZONES": communes(), "ZONE_FIELD": "insee", "LANGUAGE": language,
                  "OUTPUT_FOLDER": str(tmp_path / "atlas"), "OUTPUT_TABLE": str(tmp_path / "table.gpkg")}
    parameters.update(extra)
    return run("ocs:atlas", parameters)


@pytest.fixture(scope="module")
def french_atlas(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("atlas_fr")
    results, feedback = atlas(tmp_path, 1, OUTPUT_PDF=str(tmp_path / "all.pdf"),
                              OUTPUT_PROJECT=str(tmp_path / "atlas.qgz"))
    return tmp_path, results, feedback


def test_table_figures_by_hand_and_equal_to_territoryflows(french_atlas, tmp_path):
    _tmp, results, _feedback = french_atlas
    rows = features_by(results["OUTPUT_TABLE"], "code")
    assert sorted(rows) == ["62065", "62133"]
    a, b = rows["62065"], rows["62133"]
    assert a["nom"] == "Avion" and a["fichier"] == "62065_Avion"
    assert a["surface_ha"] == pytest.approx(6.0) and b["surface_ha"] == pytest.approx(10.5)
    assert a["conso_enaf_ha"] == pytest.approx(3.0) and b["conso_enaf_ha"] == pytest.approx(2.5)
    assert a["conso_enaf_ha_an"] == pytest.approx(3.0 / 16)
    assert (a["conso_habitat_ha"], a["conso_activite_ha"]) == (pytest.approx(2.0), pytest.approx(1.0))
    assert (a["rang_conso"], b["rang_conso"], a["nb_zones"]) == (1, 2, 2)
    assert a["conso_enaf_territoire_ha"] == pytest.approx(5.5)
    assert (a["urbanise_ha"], a["naturel_ha"], a["infra_ha"], a["agricole_ha"]) == (
        pytest.approx(4.0), pytest.approx(1.0), pytest.approx(1.0), pytest.approx(0.0))
    assert a["conso_reference_ha"] == pytest.approx(1.8) and a["enveloppe_ha"] == pytest.approx(0.9)
    # the definitions are the aliases of the fields (default style of the GeoPackage)
    table = QgsVectorLayer(results["OUTPUT_TABLE"], "t", "ogr")
    assert table.attributeAlias(table.fields().lookupField("conso_enaf_ha")).startswith("ENAF consommés")
    # the same engine as ocs:territoryflows and ocs:zantrajectory
    flows, _f = run("ocs:territoryflows", {"INPUT": grid_layer(), "TARGET": 7, "ZONES": communes(),
                                           "ZONE_FIELD": "insee", "OUTPUT": str(tmp_path / "flows.gpkg")})
    reference = features_by(flows["OUTPUT"], "zone")
    for code in ("62065", "62133"):
        assert rows[code]["conso_enaf_ha"] == pytest.approx(reference[code]["conso_enaf_2005_2021_ha"])
        assert rows[code]["urbanise_ha"] == pytest.approx(reference[code]["p4_1_2021_ha"])
    zan, _f = run("ocs:zantrajectory", {"INPUT": grid_layer(), "ZONES": communes(), "ZONE_FIELD": "insee",
                                        "OUTPUT": str(tmp_path / "zan.gpkg")})
    trajectory = features_by(zan["OUTPUT"], "zone")
    assert a["enveloppe_ha"] == pytest.approx(trajectory["62065"]["enveloppe_ha"])


def test_one_page_per_zone_with_its_name_and_consumption(french_atlas):
    tmp_path, results, _feedback = french_atlas
    folder = results["OUTPUT_FOLDER"]
    for stem, name, conso in (("62065_Avion", "Avion", 3.0), ("62133_Billy-Montigny", "Billy-Montigny", 2.5)):
        path = os.path.join(folder, stem + ".pdf")
        assert pdf_pages(path) == 3      # the portrait, the map of the types of change, the change and comparison
        content = pdf_text(path)
        assert name in content
        assert words(text.hectares(conso, "fr")) in content      # "3,0 ha" / "2,5 ha": the figure of territoryflows
        assert "OCS2D Hauts-de-France — Géo2France" in content
    avion = pdf_text(os.path.join(folder, "62065_Avion.pdf"))
    assert "dont 67 % pour l’habitat et 33 % pour les activités économiques" in avion
    assert "couvrent 67 % d’Avion (4,0 ha)" in avion
    assert "Avion se place au 1er rang des 2 communes" in avion
    # its legend (filtered to the map, narrower beside the heat and friches maps computed inside)
    assert "Types de changement 2005-2021" in avion and "artificialisation" in avion.replace("ﬁ", "fi")
    assert pdf_pages(results["OUTPUT_PDF"]) == 6


def pdf_lines(path, page):
    """The lines of one page of a PDF laid out as printed, each with its words one space apart."""
    out = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [" ".join(line.split()) for line in out.splitlines() if line.strip()]


def test_change_page_transition_table_gains_losses_and_comparison(french_atlas):
    """Page 3. A: cells 1–3 agriculture → urbanised (3 ha), the left half of cell 5 urbanised → urbanised (park),
    of cell 4 natural, of cell 6 infrastructure. B: cell 5 and 8 urbanised → urbanised (1 + 2.5 ha), 7
    agriculture → urbanised (2.5), 9 natural → agriculture (2.5), 4 natural (1), 6 infrastructure (1)."""
    _tmp, results, _feedback = french_atlas
    folder = results["OUTPUT_FOLDER"]
    avion = pdf_lines(os.path.join(folder, "62065_Avion.pdf"), 3)
    assert "Transitions 2005 → 2021 (ha)" in avion
    assert "de \\ vers Urbanisé Agricole Naturel Infrastructures Total 2005" in avion
    for line in ("Urbanisé 1,0 0,0 0,0 0,0 1,0", "Agricole 3,0 0,0 0,0 0,0 3,0", "Naturel 0,0 0,0 1,0 0,0 1,0",
                 "Infrastructures 0,0 0,0 0,0 1,0 1,0", "Total 2021 4,0 0,0 1,0 1,0 6,0"):
        assert line in avion
    billy = pdf_lines(os.path.join(folder, "62133_Billy-Montigny.pdf"), 3)
    for line in ("Urbanisé 3,5 0,0 0,0 0,0 3,5", "Agricole 2,5 0,0 0,0 0,0 2,5", "Naturel 0,0 2,5 1,0 0,0 3,5",
                 "Total 2021 6,0 2,5 1,0 1,0 10,5"):
        assert line in billy
    # comparison: territory = both zones (16.5 ha; urbanised 10/16.5 = 60.6 %; consumed 5.5/16.5 = 33.3 %;
    # allowance 0.9 + 0.5), ranks 1 = the largest
    for line in ("Surface 6,0 ha 16,5 ha 2e / 2", "Espaces urbanisés en 2021 66,7 % 60,6 % 1er / 2",
                 "ENAF consommés 2005-2021 3,0 ha 5,5 ha 1er / 2",
                 "ENAF consommés (part de la surface) 50,0 % 33,3 % 1er / 2",
                 "Enveloppe ZAN 2021-2031 0,90 ha 1,4 ha 1er / 2"):
        assert line in avion
    assert "Surface 10,5 ha 16,5 ha 1er / 2" in billy and "Reste de l’enveloppe 0,50 ha 1,4 ha 2e / 2" in billy
    rows = features_by(results["OUTPUT_TABLE"], "code")
    a, b = rows["62065"], rows["62133"]
    assert (a["rang_surface"], b["rang_surface"], a["rang_artif"], b["rang_artif"]) == (2, 1, 1, 2)
    assert a["surface_territoire_ha"] == pytest.approx(16.5) and a["enveloppe_territoire_ha"] == pytest.approx(1.4)
    assert a["urbanise_pct"] == pytest.approx(400 / 6) and b["urbanise_pct_territoire"] == pytest.approx(1000 / 16.5)
    # the gains and losses of B (the chart's texts): urbanised +2.5, agricultural +2.5 −2.5, natural −2.5
    bilan = open(b["graphique_bilan"], encoding="utf-8").read()
    assert ">+%s<" % text.hectares(2.5) in bilan and ">\u2212%s<" % text.hectares(2.5) in bilan
    assert bilan.count(">%s<" % text.hectares(2.5)) == 4     # gains of urbanised, agricultural; losses of 2, 3
    # the ZAN trajectory of A: reference 1.8 ha, allowance 0.90 ha, nothing measured after 2021
    trajectory = open(a["graphique_trajectoire"], encoding="utf-8").read()
    assert "Référence 2011-2021 : %s" % text.hectares(1.8) in trajectory
    assert "Enveloppe 2021-2031 : %s" % text.hectares(0.9) in trajectory
    assert "Pas encore de millésime après 2021" in trajectory


def test_map_area_is_not_blank(french_atlas):
    tmp_path, results, _feedback = french_atlas
    from qgis.PyQt.QtGui import QImage

    prefix = str(tmp_path / "page")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1",
                    os.path.join(results["OUTPUT_FOLDER"], "62065_Avion.pdf"), prefix], check=True)
    png = [p for p in os.listdir(tmp_path) if p.startswith("page") and p.endswith(".png")][0]
    image = QImage(str(tmp_path / png))
    # the land-cover map: x 10–160 mm, y 30–155 mm of an A4 landscape page (297 × 210 mm)
    colours = set()
    for x in range(int(image.width() * 12 / 297), int(image.width() * 158 / 297), 3):
        for y in range(int(image.height() * 32 / 210), int(image.height() * 153 / 210), 3):
            colours.add(image.pixel(x, y))
    assert len(colours) >= 4     # white margin, several 4 postes colours, the zone's outline


def test_index_and_project(french_atlas):
    tmp_path, results, _feedback = french_atlas
    index = open(os.path.join(results["OUTPUT_FOLDER"], "index.html"), encoding="utf-8").read()
    assert 'href="62065_Avion.pdf"' in index and 'href="62133_Billy-Montigny.pdf"' in index
    assert "sortTable" in index and "Avion" in index
    project = QgsProject()
    assert project.read(results["OUTPUT_PROJECT"])
    layouts = project.layoutManager().printLayouts()
    assert len(layouts) == 1
    atlas_ = layouts[0].atlas()
    assert atlas_.enabled() and atlas_.coverageLayer() is not None
    assert atlas_.coverageLayer().featureCount() == 2
    # the layout of the shipped template, its maps and legend on this run's layers
    layout = layouts[0]
    assert layout.name() == "Portrait de territoire"
    cover = layout.itemById("carte_occupation")
    names = [layer.source().split("layername=")[-1] for layer in cover.layers()]
    assert names == ["zones", "occupation"] and cover.layers()[1].name().startswith("Occupation du sol en 2021")
    assert all(layer.isValid() and layer.id() in project.mapLayers() for layer in cover.layers())
    legend = layout.itemById("legende_occupation").model().rootGroup().findLayers()
    assert [node.layer() for node in legend] == [cover.layers()[1]]
    # the scale bar's segments fit 12–40 mm at each zone's scale (not a length fixed for the whole territory)
    scale = layout.itemById("echelle")
    assert scale.segmentSizeMode() == compat.SCALE_BAR_FIT_WIDTH
    assert (scale.minimumBarWidth(), scale.maximumBarWidth()) == (12.0, 40.0)
    # HEAT and FRICHES computed inside: three columns of (277 − 2 × 7) / 3 = 87.667 mm on page 2
    assert layout.itemById("carte_chaleur") is not None and layout.itemById("texte_friches") is not None
    for item_id, x in (("carte_changements", 10), ("carte_chaleur", 10 + 87.6667 + 7),
                       ("carte_friches", 10 + 2 * (87.6667 + 7))):
        item = layout.itemById(item_id)
        assert (item.pagePositionWithUnits().x(), item.sizeWithUnits().width()) == (
            pytest.approx(x, abs=1e-3), pytest.approx(87.6667, abs=1e-3)), item_id


def test_default_run_loads_the_shipped_template(french_atlas, tmp_path):
    _tmp, _results, feedback = french_atlas
    assert "Layout template: %s" % os.path.join(LAYOUTS, "portrait_fr.qpt") in feedback.infos


@pytest.mark.skipif(Qgis.QGIS_VERSION_INT // 100 != 322,
                    reason="the shipped templates are written by QGIS 3.22 (make layouts on the Debian host); "
                           "another QGIS writes its XML with other attributes")
def test_shipped_templates_are_up_to_date(tmp_path):
    script = os.path.join(os.path.dirname(LAYOUTS), "..", "scripts", "make_layouts.py")
    subprocess.run([sys.executable, script, str(tmp_path)], check=True, capture_output=True,
                   env=dict(os.environ, QT_HASH_SEED="0"))
    for name in ("portrait_fr.qpt", "portrait_en.qpt"):
        with open(os.path.join(LAYOUTS, name), encoding="utf-8") as handle:
            assert (tmp_path / name).read_text(encoding="utf-8") == handle.read(), "run make layouts: " + name


def test_english_atlas_and_zone_filter(tmp_path):
    results, _feedback = atlas(tmp_path, 2, ZONE_FILTER="\"nom\" = 'Billy-Montigny'")
    files = sorted(f for f in os.listdir(results["OUTPUT_FOLDER"]) if f.endswith(".pdf"))
    assert files == ["62133_Billy-Montigny.pdf"]
    content = pdf_text(os.path.join(results["OUTPUT_FOLDER"], files[0]))
    assert "2.5 ha of natural, agricultural and forest land were consumed" in content
    assert "Land cover in 2021" in content
    page = pdf_lines(os.path.join(results["OUTPUT_FOLDER"], files[0]), 3)
    assert "from \\ to Urbanised Agricultural Natural Infrastructure Total 2005" in page
    assert "Natural 0.0 2.5 1.0 0.0 3.5" in page
    assert "Area 10.5 ha 10.5 ha 1st / 1" in page      # the territory is the zone kept by ZONE_FILTER


def test_layout_template_saved_from_the_project(french_atlas, tmp_path):
    """The workflow of the help: open the .qgz, save its layout as a template, give it in LAYOUT."""
    from qgis.core import QgsReadWriteContext

    _tmp, results, _feedback = french_atlas
    project = QgsProject()
    assert project.read(results["OUTPUT_PROJECT"])
    template = str(tmp_path / "portrait.qpt")
    assert project.layoutManager().printLayouts()[0].saveAsTemplate(template, QgsReadWriteContext())
    results2, _f = atlas(tmp_path, 1, LAYOUT=template)
    content = pdf_text(os.path.join(results2["OUTPUT_FOLDER"], "62133_Billy-Montigny.pdf"))
    assert "Billy-Montigny (62133)" in content and words(text.hectares(2.5, "fr")) in content
    # the tables of page 3 find their layers in the new folder's atlas.gpkg (the template names the old one's)
    page = pdf_lines(os.path.join(results2["OUTPUT_FOLDER"], "62133_Billy-Montigny.pdf"), 3)
    assert "Naturel 0,0 2,5 1,0 0,0 3,5" in page and "Surface 10,5 ha 16,5 ha 1er / 2" in page


def test_copy_of_the_shipped_template_gets_this_runs_class_columns(tmp_path):
    """A copy of portrait_fr.qpt whose transition table keeps one class column (c_1): the algorithm puts back
    one column per class of the run, and the north arrow of the copy is found under resources/layouts."""
    template = tmp_path / "copie.qpt"
    content = open(os.path.join(LAYOUTS, "portrait_fr.qpt"), encoding="utf-8").read()
    content, removed = re.subn(r'<column [^>]*attribute="format_number\(&quot;c_[234]&quot;.*?</column>\s*', "",
                               content, flags=re.S)
    assert removed == 3
    template.write_text(content, encoding="utf-8")
    results, _f = atlas(tmp_path, 1, LAYOUT=str(template), OUTPUT_PROJECT=str(tmp_path / "atlas.qgz"))
    page = pdf_lines(os.path.join(results["OUTPUT_FOLDER"], "62133_Billy-Montigny.pdf"), 3)
    assert "de \\ vers Urbanisé Agricole Naturel Infrastructures Total 2005" in page
    assert "Naturel 0,0 2,5 1,0 0,0 3,5" in page
    project = QgsProject()
    assert project.read(results["OUTPUT_PROJECT"])
    arrow = project.layoutManager().printLayouts()[0].itemById("nord")
    assert os.path.realpath(arrow.picturePath()) == os.path.realpath(os.path.join(LAYOUTS, "north_arrow.svg"))


def test_ocsge_transition_table_gets_its_classes_from_the_default_template(tmp_path):
    """Two OCS GE layers (test_changes.two_layers), one zone around them: the shipped template's table has the 4
    postes columns; the run's are couverture level 1. By hand (ha): P1 fields x 0–50 → nothing (0.5 to "hors
    couverture"), x 50–100 → housing (0.5); P2 housing x 100–150 stays (0.5), x 150–200 → fields (0.5); fields
    x 200–250 from nothing (0.5); P3 fields stays (1.0)."""
    from test_changes import two_layers

    before, after = two_layers()
    zones = make_layer([("insee", "string"), ("nom", "string")], [(box(0, -50, 300, 350), "1", "Une")], name="z")
    results, _f = run("ocs:atlas", {"INPUT": before, "INPUT_AFTER": after, "ZONES": zones, "ZONE_FIELD": "insee",
                                    "LANGUAGE": 1, "OUTPUT_FOLDER": str(tmp_path / "atlas"),
                                    "OUTPUT_TABLE": str(tmp_path / "table.gpkg")})
    page = pdf_lines(os.path.join(results["OUTPUT_FOLDER"], "1_Une.pdf"), 3)
    assert page[2:7] == ["de \\ vers Sans végétation Avec végétation hors couverture Total 2018",
                         "Sans végétation 0,50 0,50 0,0 1,0", "Avec végétation 0,50 1,0 0,50 2,0",
                         "hors couverture 0,0 0,50 0,0 0,50", "Total 2021 1,0 2,0 0,50 3,5"]


def test_heat_alone_shares_the_second_page_with_the_types_of_change(tmp_path):
    """A theme absent from the run (FRICHES here; the algorithm computes it inside unless cancelled, a template
    may meet any subset): its items go and the two columns left share 277 mm with a 7 mm gap: (277 − 7) / 2 =
    135 mm each."""
    from ocs_toolbox.engines import atlaslayout

    heat = make_layer([("classe", "string")], [(box(0, 0, 300, 300), "surchauffe forte")], name="surchauffe")
    results, _feedback = atlas(tmp_path, 1, HEAT=heat)
    content = pdf_text(os.path.join(results["OUTPUT_FOLDER"], "62065_Avion.pdf"))
    assert "Îlots de chaleur (classes ADEME)" in content
    gpkg = os.path.join(results["OUTPUT_FOLDER"], "atlas.gpkg")

    def table(name):
        layer = QgsVectorLayer("%s|layername=%s" % (gpkg, name), name, "ogr")
        assert layer.isValid(), name
        return layer

    layers = {"zones": table("zones"), "cover": table("occupation"), "changes": table("occupation"),
              "outline": atlaslayout.outline_layer(gpkg), "heat": table("chaleur"),
              "transitions": table("transitions"), "comparaison": table("comparaison")}
    project = QgsProject()
    project.addMapLayers(list(layers.values()))
    layout = atlaslayout.load_template(
        project, atlaslayout.read_template(os.path.join(LAYOUTS, "portrait_fr.qpt")), layers, "fr")
    assert layout.itemById("carte_friches") is None and layout.itemById("texte_friches") is None
    for item_id, x, width in (("carte_changements", 10, 135), ("titre_changements", 10, 135),
                              ("carte_chaleur", 152, 135), ("titre_chaleur", 152, 135),
                              ("texte_chaleur", 152, 135)):
        item = layout.itemById(item_id)
        assert (item.pagePositionWithUnits().x(), item.sizeWithUnits().width()) == (
            pytest.approx(x, abs=1e-3), pytest.approx(width, abs=1e-3)), item_id   # template: 87.6667 mm
    assert layout.itemById("legende_chaleur").pagePositionWithUnits().x() == pytest.approx(152, abs=1e-3)
    assert layout.itemById("carte_chaleur").layers()[-1].id() == layers["heat"].id()


def test_bad_template_is_named(tmp_path):
    bad = tmp_path / "bad.qpt"
    bad.write_text("not xml", encoding="utf-8")
    from qgis.core import QgsProcessingException

    with pytest.raises(QgsProcessingException, match="bad.qpt"):
        atlas(tmp_path, 1, LAYOUT=str(bad))


def test_cancel_stops_after_the_current_page_and_keeps_it(tmp_path):
    from qgis.core import QgsApplication, QgsProcessingContext

    from helpers import Feedback

    folder = tmp_path / "atlas"

    class CancelAfterFirstPage(Feedback):
        def setProgress(self, progress):  # noqa: N802
            super().setProgress(progress)
            if folder.exists() and any(f.endswith(".pdf") for f in os.listdir(folder)):
                self.cancel()       # the user clicks Cancel once the first page is written

    algorithm = QgsApplication.processingRegistry().createAlgorithmById("ocs:atlas")
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    algorithm.run({"INPUT": grid_layer(), "ZONES": communes(), "ZONE_FIELD": "insee", "LANGUAGE": 1,
                   "OUTPUT_FOLDER": str(folder), "OUTPUT_TABLE": str(tmp_path / "t.gpkg")}, context,
                  CancelAfterFirstPage())
    assert sorted(f for f in os.listdir(folder) if f.endswith(".pdf")) == ["62065_Avion.pdf"]
    index = open(folder / "index.html", encoding="utf-8").read()
    assert "62065_Avion.pdf" in index and "62133" not in index


def test_heat_and_friches_on_the_second_page(tmp_path):
    heat = make_layer([("classe", "string")], [(box(0, 0, 300, 300), "surchauffe forte"),
                                               (box(300, 0, 600, 300), "neutre")], name="surchauffe")
    friches = make_layer([("vocation", "string")], [(box(50, 50, 150, 150), "habitat")], name="friches")
    results, _feedback = atlas(tmp_path, 1, HEAT=heat, FRICHES=friches,
                               OUTPUT_PROJECT=str(tmp_path / "atlas.qgz"))
    path = os.path.join(results["OUTPUT_FOLDER"], "62065_Avion.pdf")
    assert pdf_pages(path) == 3      # their maps beside the types of change
    content = pdf_text(path)
    assert "Îlots de chaleur (classes ADEME)" in content and "Friches" in content
    project = QgsProject()
    assert project.read(results["OUTPUT_PROJECT"])
    assert sorted(layer.name() for layer in project.mapLayers().values() if layer.name() in (
        "surchauffe", "friches")) == ["friches", "surchauffe"]
    assert all(layer.isValid() for layer in project.mapLayers().values())


def test_heat_shares_hottest_coolest_and_largest_friches_by_hand(tmp_path):
    """Heat units (ocs:heatisland fields): u1 x 0–100 (4 ha, all in A, score 85), u2 x 100–300 (8 ha, half in A,
    half in B, score 50), u3 x 300–600 (12 ha, 10 ha in B, score 10); the zones are 8 ha (A) and 14 ha (B).
    A: 4/8 strongly overheating, 4/8 neutral; hottest u1, coolest u2. B: 4/14 = 29 % neutral, 10/14 = 71 % cool
    refuge; hottest u2 (half in B), coolest u3. Friches by their inner point: four in A (0.96, 0.36, 0.16 and
    0.04 ha = 1.52 ha), one in B (1 ha)."""
    labels = [label for _bound, label in CLASSES]
    heat = make_layer([("id", "integer"), ("score_2021", "double"), ("classe_2021", "string")],
                      [(box(0, -50, 100, 350), 1, 85.0, labels[0]), (box(100, -50, 300, 350), 2, 50.0, labels[2]),
                       (box(300, -50, 600, 350), 3, 10.0, labels[4])], name="chaleur")
    friches = make_layer([("site_nom", "string"), ("vocation", "string")],
                         [(box(20, 20, 80, 80), "Friche Nord", "habitat"),
                          (box(120, 120, 180, 280), "Friche Sud", "renaturation"),
                          (box(110, 10, 150, 50), "Friche Est", None), (box(20, 200, 40, 220), "Friche Ouest", None),
                          (box(400, 100, 500, 200), "Friche B", "activité")], name="friches")
    results, _feedback = atlas(tmp_path, 1, HEAT=heat, FRICHES=friches)
    rows = features_by(results["OUTPUT_TABLE"], "code")
    a, b = rows["62065"], rows["62133"]
    assert (a["chaleur_forte_pct"], a["chaleur_neutre_pct"], a["chaleur_refuge_pct"]) == (
        pytest.approx(50.0), pytest.approx(50.0), pytest.approx(0.0))
    assert (b["chaleur_neutre_pct"], b["chaleur_refuge_pct"]) == (pytest.approx(400 / 14), pytest.approx(1000 / 14))
    assert (a["unite_chaude"], a["score_chaud"], a["unite_fraiche"], a["score_frais"]) == ("1", 85.0, "2", 50.0)
    assert (b["unite_chaude"], b["unite_fraiche"]) == ("2", "3")
    assert (a["friches_nb"], b["friches_nb"]) == (4, 1)
    assert a["friches_ha"] == pytest.approx(1.52) and b["friches_ha"] == pytest.approx(1.0)
    content = unicodedata.normalize("NFKC", pdf_text(os.path.join(results["OUTPUT_FOLDER"], "62065_Avion.pdf")))
    for expected in ("participe fortement à la surchauffe : 50 %", "impact neutre : 50 %",
                     "Unité la plus chaude : 1 (score 85)", "Unité la plus fraîche : 2 (score 50)",
                     "4 friches sont repérées (1,5 ha).", "Friche Sud : 0,96 ha, vocation renaturation",
                     "Friche Nord : 0,36 ha, vocation habitat", "Friche Est : 0,16 ha"):
        assert expected in content
    assert "Friche Ouest" not in content      # the 3 largest only
    billy = unicodedata.normalize("NFKC", pdf_text(os.path.join(results["OUTPUT_FOLDER"], "62133_Billy-Montigny.pdf")))
    assert "refuge de fraîcheur : 71 %" in billy and "1 friche est repérée (1,0 ha)." in billy
