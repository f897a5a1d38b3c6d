"""The export of ocs:atlas's layout (engines/atlaslayout.py): legends filtered to the content of their map page
by page by the plugin (PageLegends), the same as QGIS's filter by map content, and left as they were.

Two zones 1 km apart: zone 1 (x 0–100) holds land of the classes Alpha and Bravo, zone 2 (x 1000–1100) of
Charlie; a Delta polygon at x 300–400, outside the map of either zone (atlas margin 10 %: x −10–110 and
990–1110). By hand: the legend of zone 1's page lists Alpha and Bravo, that of zone 2 Charlie, never Delta.
"""
import subprocess

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLayoutExporter,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsMapLayerLegendUtils,
    QgsPrintLayout,
    QgsProcessingFeedback,
    QgsProject,
    QgsRendererCategory,
)

from helpers import box, make_layer

from ocs_toolbox.engines import atlaslayout

CLASSES = ("Alpha", "Bravo", "Charlie", "Delta")


def pdf_words(path):
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def fixture_layout():
    zones = make_layer([("code", "string"), ("fichier", "string")],
                       [(box(0, 0, 100, 100), "1", "zone_1"), (box(1000, 0, 1100, 100), "2", "zone_2")],
                       name="zones")
    land = make_layer([("c", "string")],
                      [(box(0, 0, 50, 100), "A"), (box(50, 0, 100, 100), "B"), (box(1000, 0, 1100, 100), "C"),
                       (box(300, 0, 400, 100), "D")], name="land")
    categories = [QgsRendererCategory(code, QgsFillSymbol.createSimple({"color": colour}), label)
                  for code, colour, label in zip("ABCD", ("#ff0000", "#00ff00", "#0000ff", "#999999"), CLASSES)]
    land.setRenderer(QgsCategorizedSymbolRenderer("c", categories))
    project = QgsProject()
    project.addMapLayers([land, zones])
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Landscape)
    item = atlaslayout.add_map(layout, [land], (10, 10, 150, 150), land.crs())
    item.zoomToExtent(zones.extent())
    item.setAtlasDriven(True)
    item.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    item.setAtlasMargin(0.10)
    legend = atlaslayout.add_legend(layout, item, land, (170, 10, 0))
    atlaslayout.enable_atlas(layout, zones)
    return project, layout, legend


def legend_state(legend):
    node = legend.model().rootGroup().findLayers()[0]
    return legend.legendFilterByMapEnabled(), node.customProperty("legend/node-order")


def test_page_legends_hold_the_classes_of_their_map_and_are_left_as_they_were(tmp_path):
    _project, layout, legend = fixture_layout()
    written = atlaslayout.export_pages(layout, str(tmp_path), QgsProcessingFeedback())
    assert sorted(written) == ["zone_1", "zone_2"]
    assert pdf_words(written["zone_1"]) & set(CLASSES) == {"Alpha", "Bravo"}
    assert pdf_words(written["zone_2"]) & set(CLASSES) == {"Charlie"}
    assert legend_state(legend) == (True, None)     # QGIS's filter by map content again, no node order
    # QGIS's own filter (a map hit test per legend) gives the same pages
    atlas = layout.atlas()
    atlas.beginRender()
    for index, stem in enumerate(("zone_1", "zone_2")):
        atlas.seekTo(index)
        path = tmp_path / ("qgis_%s.pdf" % stem)
        assert QgsLayoutExporter(layout).exportToPdf(str(path), atlaslayout.pdf_settings()) == \
            QgsLayoutExporter.Success
        assert pdf_words(path) == pdf_words(written[stem])
    atlas.endRender()
    # every zone in one PDF
    assert atlaslayout.export_single(layout, str(tmp_path / "all.pdf")) == ""
    words = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(tmp_path / "all.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert set(words) & set(CLASSES) == {"Charlie"}
    assert legend_state(legend) == (True, None)


def test_legend_items_removed_in_the_layout_stay_removed(tmp_path):
    """A legend whose Bravo was removed in the designer (node order Alpha, Charlie, Delta) keeps it removed
    on zone 1's page, and its node order after the export."""
    _project, layout, legend = fixture_layout()
    node = legend.model().rootGroup().findLayers()[0]
    QgsMapLayerLegendUtils.setLegendNodeOrder(node, [0, 2, 3])
    legend.model().refreshLayerLegend(node)
    written = atlaslayout.export_pages(layout, str(tmp_path), QgsProcessingFeedback())
    assert pdf_words(written["zone_1"]) & set(CLASSES) == {"Alpha"}
    assert pdf_words(written["zone_2"]) & set(CLASSES) == {"Charlie"}
    assert legend_state(legend) == (True, "0,2,3")


def test_legend_filtered_by_the_atlas_feature_keeps_qgis_filter(tmp_path):
    _project, layout, legend = fixture_layout()
    legend.setLegendFilterOutAtlas(True)
    assert atlaslayout.PageLegends(layout).legends == []
    written = atlaslayout.export_pages(layout, str(tmp_path), QgsProcessingFeedback())
    assert pdf_words(written["zone_1"]) & set(CLASSES) == {"Alpha", "Bravo"}
    assert pdf_words(written["zone_2"]) & set(CLASSES) == {"Charlie"}
