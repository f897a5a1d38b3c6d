"""HTML transition report: values computed by hand on a small matrix, escaping, SVG well-formedness."""
import re
import xml.etree.ElementTree as ET

import pytest

from ocs_toolbox.core import report as rep
from ocs_toolbox.core.report import build_report, format_ha

NB = "\u00a0"
SVG = "{http://www.w3.org/2000/svg}"
NO_CHANGE_FR = ("Aucun changement entre les deux millésimes\u00a0: toutes les surfaces sont restées "
                "dans la même classe.")
NO_CHANGE_EN = "No change between the two years: every area stayed in the same class."

CLASSES = [("1", "<Bâti & co>", "#FF0000"), ("2", "Terres agricoles d'été", None), ("3", "Forêt", "#00AA00")]
CELLS = {("1", "1"): 10, ("1", "2"): 2.5, ("2", "3"): 1.25, ("3", "3"): 4}


def section(zone=None, period=("2005", "2015"), classes=CLASSES, cells=CELLS):
    return {"zone": zone, "period": period, "classes": classes, "cells": cells}


def svgs(document):
    return [ET.fromstring(fragment) for fragment in re.findall(r"<svg\b.*?</svg>", document, re.S)]


def tables(document):
    return [ET.fromstring(fragment) for fragment in re.findall(r"<table\b.*?</table>", document, re.S)]


def text(element):
    return "".join(element.itertext())


def row_values(table, code):
    """Texts of the <td> cells of the body row of ``code``."""
    row = table.find(".//tbody/tr[@data-code='%s']" % code)
    return [text(td) for td in row.findall("td")]


def bar_values(svg, code):
    row = [g for g in svg.iter(SVG + "g") if g.get("data-code") == code][0]
    return {t.get("class"): t.text for t in row.iter(SVG + "text") if t.get("class")}


# ---------------------------------------------------------------- numbers

@pytest.mark.parametrize("value, language, expected", [
    (1234.5, "fr", "1" + NB + "234,50"),
    (1234.5, "en", "1,234.50"),
    (0, "fr", "0,00"),
    (-0.001, "en", "0.00"),
    (1234567.891, "fr", "1" + NB + "234" + NB + "567,89"),
    (-2.5, "fr", "-2,50"),
    (0.125, "en", "0.12"),
])
def test_format_ha(value, language, expected):
    assert format_ha(value, language) == expected


def test_unknown_language_rejected():
    with pytest.raises(ValueError):
        build_report("t", [], language="de")


# ---------------------------------------------------------------- matrix

def test_matrix_totals_computed_by_hand():
    doc = build_report("Rapport", [section()])
    (table,) = tables(doc)
    assert row_values(table, "1") == ["10,00", "2,50", "–", "12,50"]
    assert row_values(table, "2") == ["–", "–", "1,25", "1,25"]
    assert row_values(table, "3") == ["–", "–", "4,00", "4,00"]
    foot = [text(td) for td in table.find(".//tfoot/tr").findall("td")]
    assert foot == ["10,00", "2,50", "5,25", "17,75"]
    assert table.find(".//td[@class='total grand']").text == "17,75"


def test_matrix_shading_and_diagonal():
    (table,) = tables(build_report("R", [section()]))
    cells = table.find(".//tbody/tr[@data-code='1']").findall("td")
    assert cells[0].get("class") == "diag"                   # unchanged: grey class, no inline shade
    assert "background:#2166AC" in cells[1].get("style")     # the largest change gets the full blue
    half = table.find(".//tbody/tr[@data-code='2']").findall("td")[2]
    assert "background:#90B2D6" in half.get("style")         # 1.25 / 2.5 = half way from white


def test_summary_line():
    doc = build_report("R", [section()])
    assert ("Surface comparée\u00a0: 17,75\u00a0ha\u00a0; surface inchangée\u00a0: 14,00\u00a0ha\u00a0; "
            "surface ayant changé\u00a0: 3,75\u00a0ha, soit 21,13\u00a0% de la surface comparée.") in doc
    en = build_report("R", [section()], language="en")
    assert ("Area compared: 17.75\u00a0ha; unchanged area: 14.00\u00a0ha; area changed: 3.75\u00a0ha, "
            "i.e. 21.13% of the area compared.") in en


# ---------------------------------------------------------------- bars

def test_gains_losses_net_per_class():
    doc = build_report("R", [section()])
    bars = [s for s in svgs(doc) if s.get("class") == "bars"][0]
    # gains = column total - diagonal, losses = row total - diagonal
    assert bar_values(bars, "1") == {"gain": "0,00", "loss": "-2,50", "net": "-2,50"}
    assert bar_values(bars, "2") == {"gain": "+2,50", "loss": "-1,25", "net": "+1,25"}
    assert bar_values(bars, "3") == {"gain": "+1,25", "loss": "0,00", "net": "+1,25"}
    rects = {(g.get("data-code"), r.get("class")): r for g in bars.iter(SVG + "g") for r in g
             if r.tag == SVG + "rect" and r.get("class")}
    axis = float(bars.find(SVG + "line").get("x1"))
    loss1, gain2, net2 = rects[("1", "loss")], rects[("2", "gain")], rects[("2", "net")]
    assert float(loss1.get("x")) + float(loss1.get("width")) == axis          # negative: left of the axis
    assert float(gain2.get("x")) == axis and float(gain2.get("width")) == rep.BAR_HALF   # largest bar
    assert float(net2.get("width")) == rep.BAR_HALF / 2


# ---------------------------------------------------------------- sankey

def test_sankey_one_band_per_changed_cell():
    doc = build_report("R", [section()])
    sankey = [s for s in svgs(doc) if s.get("class") == "sankey"][0]
    bands = [p for p in sankey.iter(SVG + "path") if p.get("class") == "band"]
    assert len(bands) == 2
    assert [b.find(SVG + "title").text for b in bands] == ["1 → 2\u00a0: 2,50\u00a0ha", "2 → 3\u00a0: 1,25\u00a0ha"]
    assert [b.get("fill") for b in bands] == ["#FF0000", rep.NEUTRAL_COLOUR]   # from-class colour; None -> grey
    assert all(b.get("d").startswith("M") and b.get("d").count("C") == 2 for b in bands)   # cubic Béziers
    # node heights proportional to the changed area: 2.5 ha vs 1.25 ha
    heights = [float(r.get("height")) for r in sankey.iter(SVG + "rect")]
    assert heights == [rep.SANKEY_FLOW_H * 2 / 3, rep.SANKEY_FLOW_H / 3] * 2


def test_sankey_english_tooltip():
    doc = build_report("R", [section()], language="en")
    assert "<title>1 → 2: 2.50\u00a0ha</title>" in doc


def test_no_change_sentence_instead_of_sankey():
    only_diagonal = section(cells={("1", "1"): 3, ("3", "3"): 2})
    fr = build_report("R", [only_diagonal])
    assert NO_CHANGE_FR in fr and "<svg" not in fr
    en = build_report("R", [only_diagonal], language="en")
    assert NO_CHANGE_EN in en and "<svg" not in en
    assert NO_CHANGE_FR not in build_report("R", [section()])


def test_all_zero_and_empty_sections():
    doc = build_report("R", [section(cells={}), section(classes=[], cells={})])
    assert doc.count(NO_CHANGE_FR) == 2
    (table, _) = tables(doc)
    assert table.find(".//td[@class='total grand']").text == "0,00"
    assert "0,00\u00a0%" in doc


def test_one_class_and_sixty_classes():
    one = build_report("R", [section(classes=[("A", "Seule", "#123456")], cells={("A", "A"): 1})])
    assert NO_CHANGE_FR in one
    classes = [("CS%d" % i, "Classe n°%d au libellé très long qu'il faut couper" % i, "#0000FF") for i in range(60)]
    cells = {("CS%d" % i, "CS%d" % ((i + 1) % 60)): 0.001 + i for i in range(60)}
    cells.update({("CS%d" % i, "CS%d" % i): 100.0 for i in range(60)})
    doc = build_report("R", [section(classes=classes, cells=cells)])
    sankey = [s for s in svgs(doc) if s.get("class") == "sankey"][0]
    assert len([p for p in sankey.iter(SVG + "path") if p.get("class") == "band"]) == 60
    rects = list(sankey.iter(SVG + "rect"))
    assert len(rects) == 120 and min(float(r.get("height")) for r in rects) >= rep.NODE_MIN
    assert float(sankey.get("height")) >= 60 * (rep.NODE_MIN + rep.NODE_GAP)     # grows with the node count
    labels = [t.text for t in sankey.iter(SVG + "text")][2:]
    assert max(len(label) for label in labels) <= 32 and labels[0].endswith("…")


def test_unknown_code_in_cells_gets_a_row():
    doc = build_report("R", [section(cells={("1", "9"): 1.0})])
    (table,) = tables(doc)
    assert row_values(table, "9")[-1] == "0,00"
    assert row_values(table, "1")[-1] == "1,00"


# ---------------------------------------------------------------- document

def test_every_svg_fragment_parses_as_xml():
    doc = build_report("R", [section(), section(zone="59350 Lille & <co>"), section(cells={})])
    assert len(svgs(doc)) == 4       # sankey + bars for the two sections with changes
    assert len(tables(doc)) == 3


def test_data_texts_are_escaped():
    doc = build_report("Titre <b>", [section(zone="Zone <z> & 'q'")], subtitle="Source <s>")
    assert "<Bâti & co>" not in doc and "&lt;Bâti &amp; co&gt;" in doc
    assert "<title>Titre &lt;b&gt;</title>" in doc and "<h1>Titre &lt;b&gt;</h1>" in doc
    assert '<p class="subtitle">Source &lt;s&gt;</p>' in doc
    assert "Zone &lt;z&gt; &amp; &#x27;q&#x27; — 2005 → 2015" in doc
    assert "Terres agricoles d&#x27;été" in doc
    assert "<b>" not in doc.replace("<b>1</b>", "").replace("<b>2</b>", "").replace("<b>3</b>", "")
    assert "background:javascript" not in build_report("R", [section(classes=[("1", "x", "javascript:1")])])


def test_header_toc_and_anchors():
    doc = build_report("R", [section(), section(zone="59350 Lille", period=("2015", "2021"))], subtitle="OCS2D")
    assert doc.startswith("<!DOCTYPE html>") and '<html lang="fr">' in doc and '<meta charset="utf-8"/>' in doc
    assert "<h2>Sommaire</h2>" in doc
    assert '<li><a href="#section-1">Territoire — 2005 → 2015</a></li>' in doc
    assert '<li><a href="#section-2">59350 Lille — 2015 → 2021</a></li>' in doc
    assert '<section id="section-1">' in doc and '<section id="section-2">' in doc
    assert "Rapport généré par OCS Toolbox." in doc
    en = build_report("R", [section()], language="en")
    assert "<h2>Contents</h2>" in en and "Whole territory — 2005 → 2015" in en
    assert "Report generated by OCS Toolbox." in en


def test_english_fixed_texts_and_decimals():
    en = build_report("R", [section()], language="en")
    (table,) = tables(en)
    assert row_values(table, "1") == ["10.00", "2.50", "–", "12.50"]
    bars = [s for s in svgs(en) if s.get("class") == "bars"][0]
    legend = [t.text for t in bars.findall(SVG + "text")]
    assert legend == ["Gains", "Losses", "Net"]
    assert ">Total</th>" in en and "Unchanged" in en and "Pertes" not in en and "12,50" not in en
    fr = build_report("R", [section()])
    assert [t.text for t in [s for s in svgs(fr) if s.get("class") == "bars"][0].findall(SVG + "text")] == [
        "Gains", "Pertes", "Solde net"]
    assert "Inchangé" in fr


def test_self_contained_and_deterministic():
    sections = [section(), section(zone="Z", cells={("3", "1"): 7.0, ("2", "2"): 1.0})]
    doc = build_report("R", sections, subtitle="s")
    assert doc == build_report("R", sections, subtitle="s")
    for forbidden in ("<script", "<link", "src=", "url(", "@import", "https:"):
        assert forbidden not in doc
    assert re.search(r"\d{4}-\d{2}-\d{2}", doc) is None     # no generation date


def test_light_bands_are_outlined_and_class_headers_are_never_cut():
    """An agricultural class (#FFFFCC) is outlined in a darker shade (× 0.65: #A6A685) so that its flow shows on
    white; a long class label is wrapped by the CSS, not cut with an ellipsis."""
    long_label = "Espaces naturels, semi-naturels et zones humides intérieures"
    classes = [("2", "Espaces agricoles", "#FFFFCC"), ("3", long_label, "#00AA00")]
    doc = build_report("R", [section(classes=classes, cells={("2", "3"): 1.0, ("3", "3"): 2.0})])
    sankey = [s for s in svgs(doc) if s.get("class") == "sankey"][0]
    (band,) = [p for p in sankey.iter(SVG + "path") if p.get("class") == "band"]
    assert (band.get("fill"), band.get("stroke")) == ("#FFFFCC", "#A6A685")
    assert rep.darker("#FFFFCC") == "#A6A685" and rep.darker("not a colour") == "#555555"
    headers = [text(th) for th in tables(doc)[0].iter("th")]
    assert any(long_label in h for h in headers) and not any("…" in h for h in headers)


def test_english_report_class_labels():
    """An English report gives the classes their English labels (resources/nomenclatures/labels_en.csv)."""
    classes = [("1", "Espaces Urbanisés", "#DA9694"), ("2", "Espaces Agricoles", "#FFFFCC"), ("9", "Sans équivalent", None)]
    cells = {("2", "1"): 1.5, ("1", "1"): 3}
    english = build_report("t", [section(classes=classes, cells=cells)], language="en")
    assert "Urbanised areas" in english and "Agricultural areas" in english and "Espaces Urbanisés" not in english
    assert "Sans équivalent" in english   # no translation: kept as it is
    french = build_report("t", [section(classes=classes, cells=cells)], language="fr")
    assert "Espaces Urbanisés" in french and "Urbanised areas" not in french
