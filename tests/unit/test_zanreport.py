"""HTML ZAN report: figures of a hand-made example, chart and map geometry, escaping, SVG well-formedness."""
import copy
import math
import re
import xml.etree.ElementTree as ET

import pytest

from ocs_toolbox.core.zanreport import build_zan_report

NB = "\u00a0"
SVG = "{http://www.w3.org/2000/svg}"
METHOD = "estimé au prorata des périodes 2005-2015 (4 ans), 2015-2021 (6 ans)"


def square(x, y, size):
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]


# Extent 4,000 m x 2,000 m: 500 px x 250 px once fitted, 0.125 px per metre, 10 px of padding.
MAP = {"extent": (700000.0, 6600000.0, 704000.0, 6602000.0),
       "zone": [[(700000, 6600000), (704000, 6600000), (704000, 6602000), (700000, 6602000), (700000, 6600000)]],
       "flows": [{"kind": "habitat", "rings": [square(700100, 6600100, 300)]},
                 {"kind": "activite", "rings": [square(702000, 6601000, 800), square(702200, 6601200, 200)]},
                 {"kind": "infra", "rings": [square(703000, 6600200, 400)]}]}


def section(zone=None, **changes):
    """Territory consuming 12.5 ha over 2005-2015 and 6 ha over 2015-2021; reference 10 ha; allowance 5 ha;
    6.25 ha observed since 2021, hence 1.25 ha overspent."""
    data = {
        "zone": zone, "area_ha": 1234.5,
        "periods": [
            {"period": ("2005", "2015"), "years": 10, "conso_ha": 12.5, "conso_ha_an": 1.25,
             "by_destination": {"habitat": 8.0, "activite": 3.0, "infra": 1.0, "autre": 0.5}, "artif_net_ha": None},
            {"period": ("2015", "2021"), "years": 6, "conso_ha": 6.0, "conso_ha_an": 1.0,
             "by_destination": {"habitat": 4.0, "activite": 2.0}, "artif_net_ha": None}],
        "reference": {"period": ("2011", "2021"), "conso_ha": 10.0, "source": "OCS", "methode": METHOD},
        "objective": {"period": ("2021", "2031"), "reduction_pct": 50.0, "allowance_ha": 5.0,
                      "observed_ha": 6.25, "observed_methode": "observé 2021-2024", "remaining_ha": -1.25},
        "map": copy.deepcopy(MAP)}
    data.update(changes)
    return data


def svgs(document, cls=None):
    roots = [ET.fromstring(fragment) for fragment in re.findall(r"<svg\b.*?</svg>", document, re.S)]
    return [root for root in roots if cls is None or root.get("class") == cls]


def legends(document):
    """The labels of each HTML legend (chart, map) in document order."""
    return [re.findall(r'<span class="label">(.*?)</span>', keys)
            for keys in re.findall(r'<p class="legend keys">(.*?)</p>', document, re.S)]


def table(document, index=0):
    return ET.fromstring(re.findall(r"<table\b.*?</table>", document, re.S)[index])


def text(element):
    return "".join(element.itertext())


def row(tbl, label):
    """Texts of the <td> cells of the row whose header is ``label``."""
    for tr in tbl.iter("tr"):
        th = tr.find("th")
        if th is not None and text(th) == label:
            return [text(td) for td in tr.findall("td")]
    raise AssertionError("no row %r in %r" % (label, [text(th) for th in tbl.iter("th")]))


def bars(svg):
    return [r for r in svg.iter(SVG + "rect") if r.get("class") == "bar"]


def line(svg, cls):
    found = [item for item in svg.iter(SVG + "line") if item.get("class") == cls]
    return found[0] if found else None


def numbers(document):
    """Every numeric geometry attribute of the document (``nan``/``inf`` would not match and fail the test)."""
    found = re.findall(r'\b(?:x|y|width|height|x1|x2|y1|y2)="([^"]*)"', document)
    return [float(n) if re.fullmatch(r"-?\d+(?:\.\d+)?", n) else float("nan") for n in found]


def paths(svg):
    return list(svg.iter(SVG + "path"))


# ---------------------------------------------------------------- figures table

def test_trajectory_figures_computed_by_hand():
    tbl = table(build_zan_report("ZAN", [section()]))
    reference = row(tbl, "Référence 2011-2021")
    assert reference[:3] == ["10", "10,00", "1,00"]
    assert reference[3] == "Source" + NB + ": calculée sur l'OCS" + NB + "; méthode" + NB + ": " + METHOD + "."
    assert row(tbl, "Enveloppe 2021-2031") == ["10", "5,00", "0,50", "Consommation de référence réduite de 50" + NB + "%."]
    assert row(tbl, "Consommation observée 2021-2031") == ["", "6,25", "", "observé 2021-2024"]
    assert row(tbl, "Reste") == ["", "-1,25", "", "Enveloppe dépassée."]
    overspent = [td for td in tbl.iter("td") if td.get("class") == "overspent"]
    assert [td.text for td in overspent] == ["-1,25"]


def test_allowance_rate_uses_objective_years():
    objective = dict(section()["objective"], period=("2021", "2026"), allowance_ha=5.0)
    assert row(table(build_zan_report("ZAN", [section(objective=objective)])), "Enveloppe 2021-2026")[:3] == [
        "5", "5,00", "1,00"]


def test_remaining_positive_not_overspent():
    objective = dict(section()["objective"], observed_ha=2.0, remaining_ha=3.0)
    doc = build_zan_report("ZAN", [section(objective=objective)])
    assert row(table(doc), "Reste") == ["", "3,00", "", "Reste à consommer sur l'enveloppe."]
    assert 'class="overspent"' not in doc


def test_period_rows_and_destinations():
    tbl = table(build_zan_report("ZAN", [section()]))
    heads = [text(th) for th in tbl.find("thead").iter("th")]
    assert heads == ["Période", "Années", "Consommation d'ENAF (ha)", "ha/an", "Habitat", "Activité",
                     "Infrastructure", "Urbanisé autre"]     # no net artificialisation column: none given
    assert row(tbl, "2005-2015") == ["10", "12,50", "1,25", "8,00", "3,00", "1,00", "0,50"]
    assert row(tbl, "2015-2021") == ["6", "6,00", "1,00", "4,00", "2,00", "0,00", "0,00"]


def test_net_artificialisation_column_when_given():
    periods = section()["periods"] + [{"period": ("2021", "2024"), "years": 3, "conso_ha": 6.25,
                                       "conso_ha_an": None, "by_destination": {"habitat": 6.25},
                                       "artif_net_ha": -0.5}]
    tbl = table(build_zan_report("ZAN", [section(periods=periods)]))
    assert [text(th) for th in tbl.find("thead").iter("th")][-1] == "Artificialisation nette (ha)"
    assert row(tbl, "2021-2024") == ["3", "6,25", "2,08", "6,25", "0,00", "0,00", "0,00", "-0,50"]
    assert row(tbl, "2005-2015")[-1] == "–"


def test_missing_reference_and_observation():
    reference = {"period": ("2011", "2021"), "conso_ha": None, "source": "officiel", "methode": "aucune période mesurée"}
    objective = {"period": ("2021", "2031"), "reduction_pct": 50.0, "allowance_ha": None, "observed_ha": None,
                 "observed_methode": "aucun millésime après 2021", "remaining_ha": None}
    doc = build_zan_report("ZAN", [section(reference=reference, objective=objective)])
    tbl = table(doc)
    assert row(tbl, "Référence 2011-2021")[1:3] == ["–", "–"]
    assert "donnée officielle" in row(tbl, "Référence 2011-2021")[3]
    assert row(tbl, "Enveloppe 2021-2031")[1:3] == ["–", "–"]
    assert row(tbl, "Consommation observée 2021-2031") == ["", "–", "", "aucun millésime après 2021"]
    assert row(tbl, "Reste") == ["", "–", "", ""]
    (chart,) = svgs(doc, "chart")
    assert line(chart, "reference") is None and line(chart, "allowance") is None
    assert len(bars(chart)) == 2


# ---------------------------------------------------------------- chart

def test_chart_bars_span_their_periods_and_lines_match_rates():
    doc = build_zan_report("ZAN", [section()])
    (chart,) = svgs(doc, "chart")
    first, second = bars(chart)
    assert len(bars(chart)) == 2
    heights = [float(first.get("height")), float(second.get("height"))]
    assert heights[0] / heights[1] == pytest.approx(1.25, abs=0.01)        # 1.25 vs 1.00 ha/year
    widths = [float(first.get("width")) + 2, float(second.get("width")) + 2]  # 1 px gap each side
    assert widths[0] / widths[1] == pytest.approx(10 / 6, abs=0.01)           # 10 years vs 6 years
    bottom = float(second.get("y")) + heights[1]
    reference, allowance = line(chart, "reference"), line(chart, "allowance")
    assert float(reference.get("y1")) == pytest.approx(float(second.get("y")), abs=0.1)   # 1.00 ha/year
    assert bottom - float(allowance.get("y1")) == pytest.approx(heights[1] / 2, abs=0.1)  # 0.50 ha/year
    # time axis 2005-2031: the allowance starts where the 2015-2021 bar ends and reaches the right end
    assert float(allowance.get("x1")) == pytest.approx(float(second.get("x")) + widths[1] - 1, abs=0.2)
    assert float(allowance.get("x2")) > float(allowance.get("x1"))
    span_px = float(allowance.get("x2")) - float(first.get("x")) + 1
    assert widths[0] / span_px == pytest.approx(10 / 26, abs=0.01)
    ticks = [t.text for t in chart.iter(SVG + "text") if t.get("class") == "x-tick"]
    assert ticks == ["2005", "2011", "2015", "2021", "2031"]
    values = [t.text for t in chart.iter(SVG + "text") if t.get("class") == "bar-value"]
    assert values == ["1,25", "1,00"]
    # the legend is HTML below the chart (it wraps instead of overlapping, whatever the font)
    assert not [t for t in chart.iter(SVG + "text") if t.get("class") == "legend"]
    assert legends(doc)[0] == ["Consommation d'ENAF (ha/an)", "Référence 2011-2021" + NB + ": 1,00" + NB + "ha/an",
                               "Enveloppe 2021-2031" + NB + ": 0,50" + NB + "ha/an"]


def test_chart_all_zero():
    periods = [dict(p, conso_ha=0.0, conso_ha_an=0.0, by_destination={}) for p in section()["periods"]]
    reference = dict(section()["reference"], conso_ha=0.0)
    objective = dict(section()["objective"], allowance_ha=0.0, observed_ha=0.0, remaining_ha=0.0)
    doc = build_zan_report("ZAN", [section(periods=periods, reference=reference, objective=objective)])
    (chart,) = svgs(doc, "chart")
    assert [float(b.get("height")) for b in bars(chart)] == [0.0, 0.0]
    assert float(line(chart, "reference").get("y1")) == float(line(chart, "allowance").get("y1"))
    assert all(math.isfinite(n) for n in numbers(doc))
    assert [t.text for t in chart.iter(SVG + "text") if t.get("class") == "bar-value"] == ["0,00", "0,00"]
    assert 'class="overspent"' not in doc and row(table(doc), "Reste")[1] == "0,00"


def test_chart_single_period_outside_reference():
    periods = [{"period": ("2021", "2024"), "years": 3, "conso_ha": 3.0, "conso_ha_an": 1.0,
                "by_destination": {"infra": 3.0}, "artif_net_ha": 2.0}]
    (chart,) = svgs(build_zan_report("ZAN", [section(periods=periods)]), "chart")
    assert len(bars(chart)) == 1
    ticks = [t.text for t in chart.iter(SVG + "text") if t.get("class") == "x-tick"]
    assert ticks == ["2011", "2021", "2024", "2031"]                  # the axis covers the reference too
    reference = line(chart, "reference")
    assert float(reference.get("x2")) == pytest.approx(float(bars(chart)[0].get("x")) - 1, abs=0.1)


def test_no_periods_no_objective():
    doc = build_zan_report("ZAN", [{"zone": None, "area_ha": None, "periods": [], "reference": None,
                                    "objective": None, "map": None}])
    assert not svgs(doc)
    assert row(table(doc), "Reste") == ["", "–", "", ""]


# ---------------------------------------------------------------- map

def test_map_paths_scaled_flipped_and_coloured():
    doc = build_zan_report("ZAN", [section()])
    (svg,) = svgs(doc, "map")
    drawn = paths(svg)
    assert len(drawn) == len(MAP["flows"]) + 1
    assert all(p.get("fill-rule") == "evenodd" for p in drawn)
    assert drawn[0].get("class") == "zone" and drawn[0].get("d") == "M10,260L510,260 510,10 10,10Z"
    assert [(p.get("data-kind"), p.get("fill")) for p in drawn[1:]] == [
        ("habitat", "#ED7D31"), ("activite", "#AA73D5"), ("infra", "#B0B0B0")]
    assert drawn[1].get("d") == "M22.5,247.5L60,247.5 60,210 22.5,210Z"     # 300 m = 37.5 px, y flipped
    assert drawn[2].get("d").count("M") == 2                                 # outer ring and hole, one path
    assert svg.get("viewBox") == "0 0 520 308"                              # 270 + the scale bar's 38
    assert legends(doc)[1] == ["Périmètre", "Habitat", "Activité", "Infrastructure"]
    scale = [t.text for t in svg.iter(SVG + "text") if t.get("class") == "scale"]
    assert scale == ["1" + NB + "km"]                                     # 4 km / 4, 125 px long
    bar = svg.find(SVG + "g").find(SVG + "line")
    assert float(bar.get("x2")) - float(bar.get("x1")) == pytest.approx(125)


def test_map_rounding_drops_duplicates_and_tiny_rings():
    flows = [{"kind": "autre", "rings": [[(700000, 6600000), (700000.1, 6600000), (700800, 6600000),
                                          (700800, 6600800), (700800.2, 6600800.1), (700000, 6600800)],
                                         [(701000, 6601000), (701000.1, 6601000), (701000, 6601000.2)]]},
             {"kind": "autre", "rings": [[(703000, 6601000), (703000.3, 6601000), (703000, 6601000.2)]]}]
    (svg,) = svgs(build_zan_report("ZAN", [section(map=dict(MAP, flows=flows))]), "map")
    drawn = paths(svg)
    assert len(drawn) == 2                                       # the collapsed polygon is not drawn
    assert drawn[1].get("d") == "M10,260L110,260 110,160 10,160Z"
    assert drawn[1].get("fill") == "#AEAAAA"


def test_map_small_extent_scale_in_metres_and_portrait():
    small = {"extent": (0.0, 0.0, 300.0, 600.0), "zone": [square(0, 0, 300)], "flows": []}
    (svg,) = svgs(build_zan_report("ZAN", [section(map=small)], language="en"), "map")
    assert len(paths(svg)) == 1
    assert svg.get("viewBox") == "0 0 520 558"                   # 250 x 500 px map, height fitted to 500
    assert [t.text for t in svg.iter(SVG + "text") if t.get("class") == "scale"] == ["50" + NB + "m"]


def test_no_map_without_map_data():
    doc = build_zan_report("ZAN", [section(map=None)])
    assert not svgs(doc, "map") and "Carte de la consommation" not in doc
    assert len(svgs(doc, "chart")) == 1


# ---------------------------------------------------------------- document

def test_escaping_of_data_texts():
    reference = dict(section()["reference"], methode="<b>moyenne</b> & co")
    doc = build_zan_report("<Titre & co>", [section(), section("62001 <Lens & Liévin>", reference=reference)],
                           subtitle="a < b")
    assert "<Lens" not in doc and "<b>" not in doc and "<Titre" not in doc
    assert "<h2>62001 &lt;Lens &amp; Liévin&gt;</h2>" in doc
    assert '<a href="#section-2">62001 &lt;Lens &amp; Liévin&gt;</a>' in doc
    assert "&lt;b&gt;moyenne&lt;/b&gt; &amp; co" in doc
    assert '<p class="subtitle">a &lt; b</p>' in doc


def test_french_default_headings_and_toc():
    doc = build_zan_report("ZAN", [section(), section("62001 Lens")])
    assert '<html lang="fr">' in doc and "<h2>Sommaire</h2>" in doc
    assert '<a href="#section-1">Territoire</a>' in doc and '<section id="section-2">' in doc
    assert "Surface comparée" + NB + ": 1" + NB + "234,50" + NB + "ha." in doc
    assert "Rapport généré par OCS Toolbox." in doc


def test_english_labels_and_numbers():
    doc = build_zan_report("ZAN", [section()], language="en")
    tbl = table(doc)
    assert '<html lang="en">' in doc and "Whole territory" in doc and "Territoire" not in doc
    assert row(tbl, "Allowance 2021-2031") == ["10", "5.00", "0.50", "Reference consumption reduced by 50%."]
    assert row(tbl, "Remaining") == ["", "-1.25", "", "Allowance exceeded."]
    assert [text(th) for th in tbl.find("thead").iter("th")][-1] == "Other urbanised"
    assert "Area compared: 1,234.50" + NB + "ha." in doc
    (chart,) = svgs(doc, "chart")
    assert [t.text for t in chart.iter(SVG + "text") if t.get("class") == "bar-value"] == ["1.25", "1.00"]
    assert "Report generated by OCS Toolbox." in doc


def test_unknown_language_rejected():
    with pytest.raises(ValueError):
        build_zan_report("ZAN", [section()], language="de")


def test_every_svg_parses_and_document_is_self_contained_and_deterministic():
    sections = [section(), section("62001 <Lens>"), section("62002", map=None)]
    doc = build_zan_report("ZAN", sections)
    assert len(svgs(doc, "chart") + svgs(doc, "map")) == 5   # 3 charts + 2 maps, all parsed by ElementTree
    assert len(svgs(doc, "swatch")) == 3 * 3 + 2 * 4         # the legends: 3 entries a chart, 4 a map
    assert doc == build_zan_report("ZAN", copy.deepcopy(sections))
    lowered = doc.lower()
    assert "<script" not in lowered and "src=" not in lowered and "url(" not in lowered
    assert set(re.findall(r"https?://[^\"]+", doc)) == {"http://www.w3.org/2000/svg"}   # the SVG namespace only
    assert numbers(doc) and all(math.isfinite(n) for n in numbers(doc))
