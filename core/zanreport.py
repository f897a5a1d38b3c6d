"""HTML report of ENAF consumption and of the ZAN trajectory (2011-2021 reference, 2021-2031 allowance).

``build_zan_report`` turns per-zone figures (consumption per period between vintages, reference
consumption, allowance, what remains) into one self-contained HTML document: a figures table, a bar chart
of the annual consumption against the reference and allowance rates, and a map of the consumed areas by
destination. Inline CSS and inline SVG only (no JavaScript, no external resource, no date: same input, same
output). It shares the style and the number formatting of ``report.py``. Standard library only.
"""
import math

from .report import CSS, NBSP, NEUTRAL_COLOUR, TEXTS as _REPORT_TEXTS, esc, report_language, num, tidy, format_ha
from .report import format_decimal, format_percent, html_document
from .zan import method_text

DESTINATIONS = ("habitat", "activite", "infra", "autre")
# ENAF colours of the regional method.
KIND_COLOURS = {"habitat": "#ED7D31", "activite": "#AA73D5", "infra": "#B0B0B0", "autre": "#AEAAAA"}
BAR_COLOUR, REFERENCE_COLOUR, ALLOWANCE_COLOUR = "#8C5A2B", "#1F4E79", "#2E7D32"
# Chart geometry (px): width, height, left/right/top/bottom margins.
CHART_W, CHART_H, CHART_L, CHART_R, CHART_T, CHART_B = 760, 320, 64, 16, 44, 36
# Map geometry (px): the extent fits a MAP_BOX square, MAP_PAD around it, the scale bar below (legend in HTML).
MAP_BOX, MAP_PAD, MAP_FOOT, MAP_MIN_W = 500, 10, 38, 520

_TEXTS = {
    "fr": {
        "territory": "Territoire",
        "area": "Surface comparée : {v} ha.",
        "figures": "Chiffres clés",
        "period": "Période", "years": "Années", "conso": "Consommation d'ENAF (ha)", "rate": "ha/an",
        "habitat": "Habitat", "activite": "Activité", "infra": "Infrastructure", "autre": "Urbanisé autre",
        "artif": "Artificialisation nette (ha)",
        "reference": "Référence {p}",
        "sources": {"OCS": "calculée sur l'OCS", "officiel": "donnée officielle"},
        "source": "Source : {s} ; méthode : {m}.",
        "allowance": "Enveloppe {p}",
        "reduction": "Consommation de référence réduite de {pct}.",
        "observed": "Consommation observée {p}",
        "remaining": "Reste",
        "overspent": "Enveloppe dépassée.",
        "left": "Reste à consommer sur l'enveloppe.",
        "figures_note": "ENAF : espaces naturels, agricoles et forestiers. Surfaces en hectares (ha) ; ha/an : "
                        "consommation moyenne par an sur la période.",
        "chart": "Consommation annuelle d'ENAF",
        "chart_note": "Barres : consommation moyenne d'ENAF par an sur chaque période entre millésimes ; "
                      "traits : rythme annuel de la période de référence et de l'enveloppe.",
        "bars": "Consommation d'ENAF (ha/an)",
        "ref_line": "Référence {p} : {v} ha/an",
        "allow_line": "Enveloppe {p} : {v} ha/an",
        "bar_tip": "{p} : {v} ha/an",
        "map": "Carte de la consommation d'ENAF",
        "map_note": "Espaces naturels, agricoles et forestiers consommés, par destination.",
        "boundary": "Périmètre",
    },
    "en": {
        "territory": "Whole territory",
        "area": "Area compared: {v} ha.",
        "figures": "Key figures",
        "period": "Period", "years": "Years", "conso": "ENAF consumption (ha)", "rate": "ha/year",
        "habitat": "Housing", "activite": "Economic activity", "infra": "Infrastructure",
        "autre": "Other urbanised", "artif": "Net artificialisation (ha)",
        "reference": "Reference {p}",
        "sources": {"OCS": "computed from the land cover", "officiel": "official figure"},
        "source": "Source: {s}; method: {m}.",
        "allowance": "Allowance {p}",
        "reduction": "Reference consumption reduced by {pct}.",
        "observed": "Consumption observed {p}",
        "remaining": "Remaining",
        "overspent": "Allowance exceeded.",
        "left": "Still available within the allowance.",
        "figures_note": "ENAF: natural, agricultural and forest land. Areas in hectares (ha); ha/year: mean "
                        "consumption per year over the period.",
        "chart": "Annual ENAF consumption",
        "chart_note": "Bars: mean ENAF consumption per year over each period between vintages; lines: annual "
                      "rate of the reference period and of the allowance.",
        "bars": "ENAF consumption (ha/year)",
        "ref_line": "Reference {p}: {v} ha/year",
        "allow_line": "Allowance {p}: {v} ha/year",
        "bar_tip": "{p}: {v} ha/year",
        "map": "Map of ENAF consumption",
        "map_note": "Natural, agricultural and forest land consumed, by destination.",
        "boundary": "Boundary",
    },
}
TEXTS = {lang: {key: (value if isinstance(value, dict) else tidy(value)) for key, value in texts.items()}
         for lang, texts in _TEXTS.items()}
for _lang in TEXTS:
    TEXTS[_lang].update(contents=_REPORT_TEXTS[_lang]["contents"], footer=_REPORT_TEXTS[_lang]["footer"])

_ZAN_CSS = CSS + """
.keys .key{display:inline-block;white-space:nowrap;margin:0 1.4em .3em 0}
.keys .swatch{vertical-align:middle;margin-right:.4em}
.zan td.note{text-align:left;white-space:normal;color:#444}
.zan tbody.periods tr:first-child>*{border-top:2px solid #999}
.zan .overspent{color:#C62828;font-weight:bold}
"""


# ---------------------------------------------------------------- small helpers

def _year(value):
    """A vintage as an int (``"2015"`` -> 2015), None when it is not a year."""
    try:
        return int(str(value).strip()[:4])
    except (TypeError, ValueError):
        return None


def _span(period):
    """Years of a ``(start, end)`` period, None when unknown or not positive."""
    start, end = (_year(period[0]), _year(period[1])) if period and len(period) == 2 else (None, None)
    return end - start if start is not None and end is not None and end > start else None


def _period_text(period):
    """Escaped ``"2011-2021"`` (empty for a missing period)."""
    return "-".join(esc(year) for year in period) if period else ""


def _ha(value, lang):
    """``format_ha`` or an en dash when the value is missing."""
    return "–" if value is None else format_ha(value, lang)


def _nice(value, round_up=True):
    """1, 2 or 5 times a power of ten: the smallest >= ``value`` (or the largest <= it)."""
    magnitude = 10 ** math.floor(math.log10(value))
    steps = [m * magnitude for m in (1, 2, 5, 10)]
    return min(s for s in steps if s >= value * (1 - 1e-9)) if round_up else max(s for s in steps if s <= value)


def _rate(period):
    """``(start, end, ha/year)`` of a period of the section, or None when it cannot be drawn."""
    years = _span(period.get("period"))
    if years is None:
        return None
    rate = period.get("conso_ha_an")
    if rate is None and period.get("conso_ha") is not None:
        rate = period["conso_ha"] / years
    return None if rate is None else (_year(period["period"][0]), _year(period["period"][1]), max(0.0, rate))


def _line_rate(period, hectares):
    """``(start, end, ha/year)`` of the reference or allowance line, or None."""
    years = _span(period)
    return None if years is None or hectares is None else (_year(period[0]), _year(period[1]), hectares / years)


# ---------------------------------------------------------------- figures table

def _figures_table(section, t, lang):
    """Trajectory rows (reference, allowance, observed, remaining) then one row per period."""
    ref, obj = section.get("reference") or {}, section.get("objective") or {}
    periods = section.get("periods") or []
    has_artif = any(p.get("artif_net_ha") is not None for p in periods)
    detail = len(DESTINATIONS) + has_artif
    head = [t["period"], t["years"], t["conso"], t["rate"]] + [t[k] for k in DESTINATIONS]
    head += [t["artif"]] if has_artif else []

    def row(label, years, hectares, rate, note, cls=""):
        return '<tr><th scope="row">%s</th><td>%s</td><td%s>%s</td><td>%s</td><td class="note" colspan="%d">%s</td>' \
               '</tr>' % (label, "" if years is None else years, cls, hectares, rate, detail, note)

    ref_years, obj_years = _span(ref.get("period")), _span(obj.get("period"))
    ref_ha, allowance = ref.get("conso_ha"), obj.get("allowance_ha")
    source = t["sources"].get(ref.get("source"), esc(ref.get("source") or "–"))
    rows = [row(t["reference"].format(p=_period_text(ref.get("period"))), ref_years, _ha(ref_ha, lang),
                _ha(ref_ha / ref_years if ref_ha is not None and ref_years else None, lang),
                t["source"].format(s=source, m=esc(method_text(ref.get("methode"), lang) or "–"))),
            row(t["allowance"].format(p=_period_text(obj.get("period"))), obj_years, _ha(allowance, lang),
                _ha(allowance / obj_years if allowance is not None and obj_years else None, lang),
                "" if obj.get("reduction_pct") is None else t["reduction"].format(
                    pct=format_percent(obj["reduction_pct"], lang))),
            row(t["observed"].format(p=_period_text(obj.get("period"))), None, _ha(obj.get("observed_ha"), lang),
                "", esc(method_text(obj.get("observed_methode"), lang) or ""))]
    left = obj.get("remaining_ha")
    overspent = left is not None and round(left, 2) < 0
    rows.append(row(t["remaining"], None, _ha(left, lang), "",
                    "" if left is None else t["overspent" if overspent else "left"],
                    ' class="overspent"' if overspent else ""))
    period_rows = []
    for period in periods:
        years = period.get("years") or _span(period.get("period"))
        drawn = _rate(period)
        by_destination = period.get("by_destination") or {}
        cells = [_ha(by_destination.get(kind, 0.0), lang) for kind in DESTINATIONS]
        cells += [_ha(period.get("artif_net_ha"), lang)] if has_artif else []
        period_rows.append('<tr><th scope="row">%s</th>%s</tr>' % (
            _period_text(period.get("period")), "".join("<td>%s</td>" % cell for cell in [
                "" if years is None else years, _ha(period.get("conso_ha"), lang),
                _ha(drawn[2] if drawn else None, lang)] + cells)))
    return "\n".join([
        "<h3>%s</h3>" % t["figures"],
        '<div class="scroll"><table class="matrix zan">',
        "<thead><tr>%s</tr></thead>" % "".join('<th scope="col">%s</th>' % text for text in head),
        '<tbody class="trajectory">\n%s\n</tbody>' % "\n".join(rows),
        '<tbody class="periods">\n%s\n</tbody>' % "\n".join(period_rows) if period_rows else "",
        "</table></div>",
        '<p class="note">%s</p>' % t["figures_note"]])


# ---------------------------------------------------------------- chart

def _chart_svg(section, t, lang):
    """Bars of the annual consumption per period on a time axis, with the reference and allowance rates."""
    ref, obj = section.get("reference") or {}, section.get("objective") or {}
    bars = [(bar, period) for period in section.get("periods") or [] for bar in [_rate(period)] if bar]
    ref_line = _line_rate(ref.get("period"), ref.get("conso_ha"))
    allow_line = _line_rate(obj.get("period"), obj.get("allowance_ha"))
    obj_span = _span(obj.get("period")) and (_year(obj["period"][0]), _year(obj["period"][1]))
    spans = [bar[:2] for bar, _ in bars] + [line[:2] for line in (ref_line, allow_line) if line]
    spans += [obj_span] if obj_span else []
    if not spans:
        return ""
    x_min, x_max = min(s[0] for s in spans), max(s[1] for s in spans)
    rates = [bar[2] for bar, _ in bars] + [line[2] for line in (ref_line, allow_line) if line]
    peak = max([rate for rate in rates] + [0.0])
    step = _nice(peak / 4) if peak > 0 else 0.25
    top = step * max(1, math.ceil(peak / step - 1e-9))
    plot_w, plot_h = CHART_W - CHART_L - CHART_R, CHART_H - CHART_T - CHART_B
    x = lambda year: CHART_L + (year - x_min) * plot_w / (x_max - x_min)
    y = lambda value: CHART_T + plot_h - value * plot_h / top
    parts = []
    if obj_span:
        parts.append('<rect class="objective-band" x="%s" y="%d" width="%s" height="%d" fill="#F1F5EE"/>' % (
            num(x(obj_span[0])), CHART_T, num(x(obj_span[1]) - x(obj_span[0])), plot_h))
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    for index in range(int(round(top / step)) + 1):
        value = index * step
        parts.append('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#E0E0E0"/><text class="y-tick" x="%d" y="%s" '
                     'dy=".35em" text-anchor="end">%s</text>' % (CHART_L, num(y(value)), CHART_W - CHART_R,
                                                                 num(y(value)), CHART_L - 6, num(y(value)),
                                                                 format_decimal(value, decimals, lang)))
    parts.append('<text x="6" y="%d">%s</text>' % (CHART_T - 10, t["rate"]))
    for (start, end, rate), period in bars:
        left, right = x(start), x(end)
        tip = t["bar_tip"].format(p=_period_text(period["period"]), v=format_ha(rate, lang))
        parts.append('<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>'
                     '<text class="bar-value" x="%s" y="%s" text-anchor="middle" font-size="10">%s</text>' % (
                         num(left + 1), num(y(rate)), num(max(0.0, right - left - 2)), num(y(0) - y(rate)),
                         BAR_COLOUR, tip, num((left + right) / 2), num(y(rate) - 4), format_ha(rate, lang)))
    for cls, line, colour, dash in (("reference", ref_line, REFERENCE_COLOUR, ' stroke-dasharray="6 3"'),
                                    ("allowance", allow_line, ALLOWANCE_COLOUR, "")):
        if line:
            parts.append('<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"%s/>' % (
                cls, num(x(line[0])), num(y(line[2])), num(x(line[1])), num(y(line[2])), colour, dash))
    parts.append('<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="#333"/>' % (
        CHART_L, num(y(0)), CHART_W - CHART_R, num(y(0))))
    last = None
    for year in sorted({year for span in spans for year in span}):
        px = x(year)
        parts.append('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>' % (
            num(px), num(y(0)), num(px), num(y(0) + 5)))
        if last is None or px - last >= 32:
            parts.append('<text class="x-tick" x="%s" y="%s" text-anchor="middle">%d</text>' % (
                num(px), num(y(0) + 18), year))
            last = px
    entries = [(_swatch_rect(BAR_COLOUR, "none", 14, 10), t["bars"])]
    if ref_line:
        entries.append((_swatch_line(REFERENCE_COLOUR, ' stroke-dasharray="6 3"'),
                        t["ref_line"].format(p=_period_text(ref["period"]), v=format_ha(ref_line[2], lang))))
    if allow_line:
        entries.append((_swatch_line(ALLOWANCE_COLOUR, ""), t["allow_line"].format(
            p=_period_text(obj["period"]), v=format_ha(allow_line[2], lang))))
    return "\n".join([
        "<h3>%s</h3>" % t["chart"], '<p class="note">%s</p>' % t["chart_note"],
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="%d" height="%d" viewBox="0 0 %d %d" '
        'font-family="sans-serif" font-size="11" role="img">' % (CHART_W, CHART_H, CHART_W, CHART_H)]
        + parts + ["</svg>", _legend_html(entries)])


def _swatch_rect(fill, stroke, width=12, height=12):
    return ('<svg xmlns="http://www.w3.org/2000/svg" class="swatch" width="%d" height="%d"><rect x="0.5" y="0.5" '
            'width="%d" height="%d" fill="%s" stroke="%s"/></svg>' % (width, height, width - 1, height - 1, fill,
                                                                      stroke))


def _swatch_line(colour, dash):
    return ('<svg xmlns="http://www.w3.org/2000/svg" class="swatch" width="20" height="10"><line x1="0" y1="5" '
            'x2="20" y2="5" stroke="%s" stroke-width="2.5"%s/></svg>' % (colour, dash))


def _legend_html(entries):
    """A legend in HTML below a chart or a map: the entries flow and wrap with the text, so that they never overlap
    whatever the font (an SVG legend needs text widths guessed beforehand)."""
    return '<p class="legend keys">%s</p>' % "".join(
        '<span class="key">%s<span class="label">%s</span></span>' % (swatch, label) for swatch, label in entries)


# ---------------------------------------------------------------- map

def _path_data(rings, point):
    """SVG path data of rings: rounded points, consecutive duplicates and the closing point dropped."""
    out = []
    for ring in rings or []:
        points = []
        for x, y in ring:
            p = point(x, y)
            if not points or p != points[-1]:
                points.append(p)
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) >= 3:
            out.append("M%s,%sL%sZ" % (points[0] + (" ".join("%s,%s" % p for p in points[1:]),)))
    return "".join(out)


def _scale_label(metres, lang):
    """``"500 m"``, ``"2 km"`` (``"0,5 m"`` in French)."""
    value, unit = (metres / 1000, "km") if metres >= 1000 else (metres, "m")
    text = "%g" % value
    return (text.replace(".", ",") if lang == "fr" else text) + NBSP + unit


def _map_svg(data, t, lang):
    """The zone outline and the consumed areas coloured by destination, with a legend and a scale bar."""
    if not data:
        return ""
    xmin, ymin, xmax, ymax = (float(v) for v in data["extent"])
    width, height = max(0.0, xmax - xmin), max(0.0, ymax - ymin)
    scale = MAP_BOX / max(width, height) if max(width, height) > 0 else 1.0
    point = lambda x, y: (num(round(MAP_PAD + (x - xmin) * scale, 1) + 0.0),
                          num(round(MAP_PAD + (ymax - y) * scale, 1) + 0.0))
    map_w, map_h = width * scale + 2 * MAP_PAD, height * scale + 2 * MAP_PAD
    svg_w, svg_h = max(MAP_MIN_W, math.ceil(map_w)), math.ceil(map_h) + MAP_FOOT
    parts = []
    zone = _path_data(data.get("zone"), point)
    if zone:
        parts.append('<path class="zone" d="%s" fill="#F5F5F5" stroke="#808080" stroke-width="1" '
                     'fill-rule="evenodd"/>' % zone)
    kinds = []
    for flow in data.get("flows") or []:
        kind = str(flow.get("kind"))
        d = _path_data(flow.get("rings"), point)
        if d:
            kinds += [] if kind in kinds else [kind]
            parts.append('<path class="flow" data-kind="%s" d="%s" fill="%s" fill-rule="evenodd"/>' % (
                esc(kind), d, KIND_COLOURS.get(kind, NEUTRAL_COLOUR)))
    kinds.sort(key=lambda k: (DESTINATIONS.index(k) if k in DESTINATIONS else len(DESTINATIONS), k))
    foot_y = math.ceil(map_h) + 8
    entries = [(_swatch_rect("#F5F5F5", "#808080"), t["boundary"])]
    entries += [(_swatch_rect(KIND_COLOURS.get(k, NEUTRAL_COLOUR), "none"),
                 t.get(k, esc(k)) if k in DESTINATIONS else esc(k)) for k in kinds]
    if width > 0:
        metres = _nice(width / 4, round_up=False)
        bar, bar_y = metres * scale, foot_y + 10
        parts.append('<g class="scale-bar" stroke="#333" stroke-width="1.5"><line x1="%d" y1="%d" x2="%s" y2="%d"/>'
                     '<line x1="%d" y1="%d" x2="%d" y2="%d"/><line x1="%s" y1="%d" x2="%s" y2="%d"/></g>'
                     '<text class="scale" x="%s" y="%d" dy=".35em">%s</text>' % (
                         MAP_PAD, bar_y, num(MAP_PAD + bar), bar_y, MAP_PAD, bar_y - 5, MAP_PAD, bar_y,
                         num(MAP_PAD + bar), bar_y - 5, num(MAP_PAD + bar), bar_y, num(MAP_PAD + bar + 6), bar_y,
                         _scale_label(metres, lang)))
    return "\n".join([
        "<h3>%s</h3>" % t["map"], '<p class="note">%s</p>' % t["map_note"],
        '<svg xmlns="http://www.w3.org/2000/svg" class="map" width="%d" height="%d" viewBox="0 0 %d %d" '
        'font-family="sans-serif" font-size="11" role="img">' % (svg_w, svg_h, svg_w, svg_h)] + parts
        + ["</svg>", _legend_html(entries)])


# ---------------------------------------------------------------- document

def _section_html(index, section, t, lang):
    zone = section.get("zone")
    area = section.get("area_ha")
    return "\n".join(part for part in [
        '<section id="section-%d">' % index,
        "<h2>%s</h2>" % (t["territory"] if zone is None else esc(zone)),
        '<p class="summary">%s</p>' % t["area"].format(v=format_ha(area, lang)) if area is not None else "",
        _figures_table(section, t, lang),
        _chart_svg(section, t, lang),
        _map_svg(section.get("map"), t, lang),
        "</section>"] if part)


def build_zan_report(title, sections, language="fr", subtitle=None):
    """Return the whole HTML document (str), readable offline: inline CSS and inline SVG, no script, no network.

    ``sections``: one dict per zone, the territory total first (``"zone": None``), with ``area_ha``,
    ``periods`` (consumption per period between vintages), ``reference``, ``objective`` and ``map`` (or None);
    see the module ``core.zan`` for how the figures are computed. ``language``: ``"fr"`` (default) or ``"en"``.
    """
    lang = report_language(language)
    t = TEXTS[lang]
    sections = list(sections or [])
    toc = ['<li><a href="#section-%d">%s</a></li>' % (
        index, t["territory"] if section.get("zone") is None else esc(section.get("zone")))
        for index, section in enumerate(sections, 1)]
    body = [_section_html(index, section, t, lang) for index, section in enumerate(sections, 1)]
    return html_document(title, subtitle, lang, _ZAN_CSS, t, toc, body)


def figures_section(figures, zone=None, map_data=None):
    """The ``sections`` entry of ``build_zan_report`` for one ``core.zan.ZoneFigures``: ``zone`` is the title of
    the zone (None for the territory), ``map_data`` the ``map`` entry (or None)."""
    trajectory = figures.trajectory
    periods = [{"period": p.period, "years": p.years, "conso_ha": p.conso_ha, "conso_ha_an": p.conso_ha_an,
                "by_destination": dict(p.by_destination), "artif_net_ha": p.artif_net_ha} for p in figures.periods]
    return {
        "zone": zone, "area_ha": figures.surface_ha, "periods": periods,
        "reference": {"period": trajectory.reference, "conso_ha": figures.reference.conso_ha,
                      "source": figures.reference.source, "methode": figures.reference.method},
        "objective": {"period": trajectory.objective, "reduction_pct": trajectory.reduction_pct,
                      "allowance_ha": figures.allowance_ha, "observed_ha": figures.observed_ha,
                      "observed_methode": figures.observed_method, "remaining_ha": figures.remaining_ha},
        "map": map_data}
