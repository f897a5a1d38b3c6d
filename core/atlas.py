"""Sentences and ranks of the territorial portraits (issue #20, ``ocs:atlas``): plain Python, no QGIS.

The figures come from the engines that compute them for ``ocs:territoryflows`` and ``ocs:zantrajectory``; this
module only reads them out, in French or English, correct in number, gender and units:

- French agreement: the noun and the past participle are plural from 2 on ("1,5 ha a été consommé", "2 ha ont été
  consommés"); "aucun … n'a été consommé" for nothing. English: singular for exactly 1 only.
- Shares are whole percentages; a share that rounds to 0 while not nil reads "less than 1 %".
- Ranks are competition ranks (ties share a rank: 1, 2, 2, 4); French ordinals "1er", "2e"; English "1st", "2nd".
"""
from .report import NBSP, format_decimal, report_language

# ENAF destinations (core.changes.DESTINATIONS keys) as a sentence names them.
DESTINATION_WORDS = {
    "fr": {"habitat": "l’habitat", "activite": "les activités économiques", "infra": "les infrastructures",
           "autre": "d’autres usages urbains"},
    "en": {"habitat": "housing", "activite": "business", "infra": "infrastructure", "autre": "other urban uses"},
}
# 4 postes classes as a sentence names them (French: all plural; "infrastructures" is feminine).
POSTES_WORDS = {
    "fr": {1: "les espaces urbanisés", 2: "les espaces agricoles", 3: "les espaces naturels et semi-naturels",
           4: "les infrastructures"},
    "en": {1: "urbanised areas", 2: "agricultural areas", 3: "natural and semi-natural areas", 4: "infrastructure"},
}


def hectares(value, language="fr"):
    """``"12,4 ha"``: one decimal, two under 1 ha (``"0,35 ha"``), the unit after a no-break space."""
    value = float(value)
    decimals = 2 if 0 < abs(value) < 1 else 1
    return format_decimal(value, decimals, language) + NBSP + "ha"


def share(value, language="fr"):
    """A whole percentage: ``"78 %"``; ``"moins de 1 %"`` / ``"less than 1%"`` for a share above 0 under 0.5."""
    lang = report_language(language)
    sign = NBSP + "%" if lang == "fr" else "%"
    if 0 < value < 0.5:
        return ("moins de 1" if lang == "fr" else "less than 1") + sign
    return "%d%s" % (int(round(value)), sign)


def plural_fr(value):
    """French: plural from 2 on (``1,9 hectare``, ``2 hectares``)."""
    return abs(float(value)) >= 2


def enumerate_words(items, language="fr"):
    """``"a, b et c"`` / ``"a, b and c"``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    last = " et " if report_language(language) == "fr" else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def ordinal(rank, language="fr"):
    """``1er``, ``2e`` (fr); ``1st``, ``2nd``, ``3rd``, ``11th`` (en)."""
    if report_language(language) == "fr":
        return "1er" if rank == 1 else "%de" % rank
    if 10 <= rank % 100 <= 20:
        return "%dth" % rank
    return "%d%s" % (rank, {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th"))


def ranks(values, descending=True):
    """{zone: rank} in competition ranking (ties share the best rank), largest first unless ``descending=False``;
    zones whose value is None have no rank."""
    known = [(zone, value) for zone, value in values.items() if value is not None]
    ordered = sorted((value for _zone, value in known), reverse=descending)
    return {zone: ordered.index(value) + 1 for zone, value in known}


def consumption_sentence(period, total_ha, by_destination, language="fr"):
    """ENAF consumed over ``period`` (start, end years), its yearly rate and the shares of its destinations."""
    lang = report_language(language)
    start, end = period
    years = int(end) - int(start)
    if total_ha <= 0:
        if lang == "fr":
            return "Entre %s et %s, aucun espace naturel, agricole ou forestier n’a été consommé." % (start, end)
        return "Between %s and %s, no natural, agricultural or forest land was consumed." % (start, end)
    rate = " (%s %s)" % (hectares(total_ha / years, lang), "par an" if lang == "fr" else "a year") if years > 0 else ""
    parts = sorted(((value, kind) for kind, value in by_destination.items() if value > 0), reverse=True)
    words = DESTINATION_WORDS[lang]
    if lang == "fr":
        verb = "ont été consommés" if plural_fr(total_ha) else "a été consommé"
        text = "Entre %s et %s, %s d’espaces naturels, agricoles et forestiers %s%s" % (
            start, end, hectares(total_ha, lang), verb, rate)
        if parts:
            text += ", dont " + enumerate_words(
                ["%s pour %s" % (share(100.0 * value / total_ha, lang), words[kind]) for value, kind in parts], lang)
        return text + "."
    verb = "was" if round(total_ha, 1) == 1 else "were"
    text = "Between %s and %s, %s of natural, agricultural and forest land %s consumed%s" % (
        start, end, hectares(total_ha, lang), verb, rate)
    if parts:
        text += ", " + enumerate_words(
            ["%s for %s" % (share(100.0 * value / total_ha, lang), words[kind]) for value, kind in parts], lang)
    return text + "."


def of_place(place):
    """French "de" before a place name, elided before a vowel: "de Lens", "d’Avion", "d’Écourt"."""
    return ("d’" if place[:1].lower() in "aeiouyàâäéèêëîïôöûü" else "de ") + place


def cover_sentence(year, areas, language="fr", place=None):
    """Shares of the 4 postes in ``year``: ``areas`` = {poste code: ha}; largest first."""
    lang = report_language(language)
    total = sum(areas.values())
    if total <= 0:
        return ""
    parts = sorted(((ha, code) for code, ha in areas.items() if ha > 0), reverse=True)
    words = POSTES_WORDS[lang]
    first_ha, first_code = parts[0]
    rest = ["%s %s" % (words[code], share(100.0 * ha / total, lang)) for ha, code in parts[1:]]
    if lang == "fr":
        verb = "couvrent"   # every poste is plural
        text = "En %s, %s %s %s %s (%s)" % (year, words[first_code], verb, share(100.0 * first_ha / total, lang),
                                           of_place(place or "la commune"), hectares(first_ha, lang))
    else:
        verb = "cover"
        text = "In %s, %s %s %s of %s (%s)" % (year, words[first_code], verb, share(100.0 * first_ha / total, lang),
                                              place or "the commune", hectares(first_ha, lang))
    if rest:
        text += (", " if len(rest) > 1 else (" et " if lang == "fr" else " and ")) + enumerate_words(rest, lang)
    return text[0].upper() + text[1:] + "."


def zan_sentence(objective, allowance_ha, consumed_ha, language="fr"):
    """The allowance of the ZAN decade ``objective`` (start, end), what is consumed since its start, what is left
    or by how much it is exceeded; ``consumed_ha`` None: no vintage measures it yet."""
    lang = report_language(language)
    start, end = objective
    if consumed_ha is None:     # no vintage after the start of the decade: nothing measured yet
        if lang == "fr":
            return "Pour %s-%s, l’enveloppe de consommation d’espaces est de %s ; aucun millésime postérieur à %s " \
                   "ne mesure encore la consommation." % (start, end, hectares(allowance_ha, lang), start)
        return "For %s-%s, the land consumption allowance is %s; no vintage after %s measures the consumption " \
               "yet." % (start, end, hectares(allowance_ha, lang), start)
    remaining = allowance_ha - consumed_ha
    if lang == "fr":
        text = "Pour %s-%s, l’enveloppe de consommation d’espaces est de %s ; " % (start, end,
                                                                                 hectares(allowance_ha, lang))
        if consumed_ha <= 0:
            text += "rien n’a encore été consommé."
        else:
            text += "%s %s déjà été %s depuis %s" % (
                hectares(consumed_ha, lang), "ont" if plural_fr(consumed_ha) else "a",
                "consommés" if plural_fr(consumed_ha) else "consommé", start)
            if remaining >= 0:
                text += ", il reste %s." % hectares(remaining, lang)
            else:
                text += " : l’enveloppe est dépassée de %s." % hectares(-remaining, lang)
        return text
    text = "For %s-%s, the land consumption allowance is %s; " % (start, end, hectares(allowance_ha, lang))
    if consumed_ha <= 0:
        return text + "nothing has been consumed yet."
    text += "%s %s already been consumed since %s" % (hectares(consumed_ha, lang),
                                                      "has" if round(consumed_ha, 1) == 1 else "have", start)
    if remaining >= 0:
        return text + ", %s remain%s." % (hectares(remaining, lang), "s" if round(remaining, 1) == 1 else "")
    return text + ": the allowance is exceeded by %s." % hectares(-remaining, lang)


def rank_sentence(name, rank, count, what, language="fr"):
    """``"Avion se place au 2e rang des 5 communes pour la consommation d’ENAF."``; ``what`` is said after
    "pour" / "for"."""
    lang = report_language(language)
    if lang == "fr":
        return "%s se place au %s rang des %d communes pour %s." % (name, ordinal(rank, lang), count, what)
    return "%s ranks %s of %d communes for %s." % (name, ordinal(rank, lang), count, what)


def friches_sentence(count, total_ha, largest_ha=None, vocation=None, language="fr"):
    """Friche sites of the zone: how many, their area, the largest with its vocation."""
    lang = report_language(language)
    if lang == "fr":
        if count == 0:
            return "Aucune friche n’est repérée."
        text = "%d friche%s %s repérée%s (%s)" % (count, "s" if count > 1 else "", "sont" if count > 1 else "est",
                                                "s" if count > 1 else "", hectares(total_ha, lang))
        if count > 1 and largest_ha is not None:
            text += " ; la plus grande couvre %s" % hectares(largest_ha, lang)
            if vocation:
                text += " (vocation : %s)" % vocation
        elif vocation:
            text += ", de vocation %s" % vocation
        return text + "."
    if count == 0:
        return "No friche (brownfield) is found."
    text = "%d friche%s %s found (%s)" % (count, "s" if count > 1 else "", "are" if count > 1 else "is",
                                         hectares(total_ha, lang))
    if count > 1 and largest_ha is not None:
        text += "; the largest covers %s" % hectares(largest_ha, lang)
        if vocation:
            text += " (vocation: %s)" % vocation
    elif vocation:
        text += ", vocation %s" % vocation
    return text + "."


# -- the portrait page, the table and the index (issue #20) ----------------------------------------------------

# Texts of the portrait, in the language of the atlas (LANGUAGE), like the reports (core/report.py).
PAGE_TEXTS = {
    "fr": {
        "title": "Portrait de territoire", "cover": "Occupation du sol en {year} (4 postes)",
        "location": "Localisation", "figures": "Chiffres clés", "chart": "Consommation d’ENAF {a}-{b} (ha)",
        "zan_chart": "Enveloppe ZAN {a}-{b} (ha)", "allowance": "Enveloppe", "consumed": "Consommé",
        "remaining": "Reste", "sources": "Sources : {sources} ; millésimes {years}. Réalisation : OCS Toolbox, "
        "ocs:atlas, le {date}.", "territory": "territoire", "index_title": "Atlas des portraits de territoire",
        "code": "Code", "name": "Nom", "surface": "Surface (ha)", "conso": "ENAF consommés {a}-{b} (ha)",
        "conso_an": "ha/an", "rank": "Rang", "reste": "Reste {a}-{b} (ha)", "pdf": "Portrait",
        "sort": "Cliquer sur un en-tête pour trier.", "communes": "les communes",
        "rank_what": "la consommation d’ENAF", "heat": "Îlots de chaleur (classes ADEME)",
        "friches": "Friches", "changes": "Types de changement",
    },
    "en": {
        "title": "Territorial portrait", "cover": "Land cover in {year} (4 postes)",
        "location": "Location", "figures": "Key figures", "chart": "ENAF consumed {a}-{b} (ha)",
        "zan_chart": "ZAN allowance {a}-{b} (ha)", "allowance": "Allowance", "consumed": "Consumed",
        "remaining": "Remaining", "sources": "Sources: {sources}; vintages {years}. Made with OCS Toolbox, "
        "ocs:atlas, on {date}.", "territory": "territory", "index_title": "Atlas of the territorial portraits",
        "code": "Code", "name": "Name", "surface": "Area (ha)", "conso": "ENAF consumed {a}-{b} (ha)",
        "conso_an": "ha/year", "rank": "Rank", "reste": "Remaining {a}-{b} (ha)", "pdf": "Portrait",
        "sort": "Click a header to sort.", "communes": "the communes",
        "rank_what": "ENAF consumption", "heat": "Heat islands (ADEME classes)",
        "friches": "Friches (brownfields)", "changes": "Types of change",
    },
}
# Data attribution of the sources (as their producers write them).
SOURCES = {"ocs2d": "OCS2D Hauts-de-France — Géo2France", "ocsge": "OCS GE — IGN"}
DESTINATION_COLOURS = {"habitat": "#E6004D", "activite": "#8400A8", "infra": "#5A5A5A", "autre": "#FF8C00"}
DESTINATION_LABELS = {
    "fr": {"habitat": "Habitat", "activite": "Activités", "infra": "Infrastructures", "autre": "Autres"},
    "en": {"habitat": "Housing", "activite": "Business", "infra": "Infrastructure", "autre": "Other"},
}


def page_text(key, language="fr", **values):
    return PAGE_TEXTS[report_language(language)][key].format(**values)


def file_stem(code, name):
    """``<code>_<name>`` safe as a file name: ``"62498_Lens"``, ``"59350_Lille-Hellemmes"``; accents kept,
    every character but letters, digits, ``-`` and ``_`` replaced by ``-``."""
    def clean(text):
        text = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(text).strip())
        while "--" in text:
            text = text.replace("--", "-")
        return text.strip("-")
    code, name = clean(code), clean(name or "")
    return "%s_%s" % (code, name) if name else code


def _xml(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def title_lines(title, width):
    """``title`` cut at spaces into lines of at most ``width`` characters (a longer word stays whole)."""
    lines = []
    for word in str(title).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def bar_chart_svg(title, bars, language="fr", width=260, bar_height=22):
    """A horizontal bar chart as SVG text: ``bars`` = [(label, value, colour)], values in ha written after each
    bar (``hectares``); a nil chart still shows its labels and "0 ha"."""
    lang = report_language(language)
    # the title on as many lines as it needs (about 8.5 px a character in bold 14 px): an SVG text is not cut at
    # the picture's edge, it would run into the next item of the page
    lines = title_lines(title, max(10, int((width - 8) / 8.5)))
    label_width, top = 90, 12 + 18 * len(lines)
    peak = max([value for _l, value, _c in bars] + [0.0]) or 1.0
    span = width - label_width - 70
    height = top + len(bars) * (bar_height + 8) + 10
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
             'font-family="sans-serif">' % (width, height, width, height),
             '<rect width="100%%" height="100%%" fill="#ffffff"/>']
    parts += ['<text x="4" y="%d" font-size="14" font-weight="bold">%s</text>' % (18 + 18 * i, _xml(line))
              for i, line in enumerate(lines)]
    for index, (label, value, colour) in enumerate(bars):
        y = top + index * (bar_height + 8)
        length = max(0.0, span * value / peak)
        parts.append('<text x="%d" y="%d" font-size="13" text-anchor="end">%s</text>' % (
            label_width - 6, y + bar_height * 0.7, _xml(label)))
        parts.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
            label_width, y, length, bar_height, colour))
        parts.append('<text x="%.1f" y="%d" font-size="13">%s</text>' % (
            label_width + length + 4, y + bar_height * 0.7, _xml(hectares(value, lang))))
    parts.append("</svg>")
    return "\n".join(parts)


def consumption_chart(period, by_destination, language="fr"):
    """SVG of the ENAF consumed over ``period`` by destination (ha)."""
    lang = report_language(language)
    bars = [(DESTINATION_LABELS[lang][kind], by_destination.get(kind, 0.0), DESTINATION_COLOURS[kind])
            for kind in ("habitat", "activite", "infra", "autre")]
    return bar_chart_svg(page_text("chart", lang, a=period[0], b=period[1]), bars, lang)


def zan_chart(objective, allowance_ha, consumed_ha, language="fr"):
    """SVG of the ZAN allowance of ``objective``, what is consumed since its start and what remains (ha); None
    when the allowance is unknown."""
    if allowance_ha is None:
        return None
    lang = report_language(language)
    bars = [(page_text("allowance", lang), allowance_ha, "#1E7B3C")]
    if consumed_ha is not None:     # None: no vintage after the start of the decade
        bars += [(page_text("consumed", lang), consumed_ha, "#FF8C00"),
                 (page_text("remaining", lang), max(0.0, allowance_ha - consumed_ha), "#9E9E9E")]
    return bar_chart_svg(page_text("zan_chart", lang, a=objective[0], b=objective[1]), bars, lang)


INDEX_SCRIPT = """
function sortTable(n){var t=document.getElementById('atlas'),b=t.tBodies[0],r=Array.from(b.rows),
h=t.tHead.rows[0].cells[n],asc=h.getAttribute('data-order')!=='asc';
r.sort(function(x,y){var a=x.cells[n].getAttribute('data-v'),c=y.cells[n].getAttribute('data-v');
var fa=parseFloat(a),fc=parseFloat(c);var d=(!isNaN(fa)&&!isNaN(fc))?fa-fc:a.localeCompare(c);return asc?d:-d;});
r.forEach(function(x){b.appendChild(x);});for(var i=0;i<t.tHead.rows[0].cells.length;i++)
t.tHead.rows[0].cells[i].removeAttribute('data-order');h.setAttribute('data-order',asc?'asc':'desc');}
"""


def index_html(rows, period, objective, language="fr"):
    """The offline index of the atlas: one row per zone, sortable by any column (inline script), linking to
    the zone's PDF. ``rows`` = [dict(code, name, pdf, surface_ha, conso_ha, conso_ha_an, rank, reste_ha)]."""
    lang = report_language(language)
    heads = [page_text("code", lang), page_text("name", lang), page_text("surface", lang),
             page_text("conso", lang, a=period[0], b=period[1]), page_text("conso_an", lang), page_text("rank", lang),
             page_text("reste", lang, a=objective[0], b=objective[1]), page_text("pdf", lang)]
    out = ['<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8"><title>%s</title>' % (
        lang, _xml(page_text("index_title", lang))),
        "<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}th,td{border:1px solid #ccc;"
        "padding:4px 8px}th{cursor:pointer;background:#eee}td.n{text-align:right}</style>",
        "<script>%s</script></head><body>" % INDEX_SCRIPT,
        "<h1>%s</h1><p>%s</p>" % (_xml(page_text("index_title", lang)), _xml(page_text("sort", lang))),
        '<table id="atlas"><thead><tr>%s</tr></thead><tbody>' % "".join(
            '<th onclick="sortTable(%d)">%s</th>' % (i, _xml(h)) for i, h in enumerate(heads))]
    for row in rows:
        cells = ['<td data-v="%s">%s</td>' % (_xml(row["code"]), _xml(row["code"])),
                 '<td data-v="%s">%s</td>' % (_xml(row["name"]), _xml(row["name"]))]
        for key, decimals in (("surface_ha", 1), ("conso_ha", 2), ("conso_ha_an", 2), ("rank", 0), ("reste_ha", 2)):
            value = row.get(key)
            text = "" if value is None else format_decimal(value, decimals, lang)
            cells.append('<td class="n" data-v="%s">%s</td>' % ("" if value is None else repr(float(value)), text))
        cells.append('<td data-v="%s"><a href="%s">PDF</a></td>' % (_xml(row["pdf"]), _xml(row["pdf"])))
        out.append("<tr>%s</tr>" % "".join(cells))
    out.append("</tbody></table></body></html>")
    return "\n".join(out)


# Fields of the coverage layer and of OUTPUT_TABLE: (name, kind, French definition, English definition); the
# definitions are the field aliases. Names do not carry the vintages (a template works for any): ``periode`` and
# ``periode_objectif`` say them.
FIELDS = (
    ("code", "str", "Code de la zone (ZONE_FIELD)", "Zone code (ZONE_FIELD)"),
    ("nom", "str", "Nom de la zone (NAME_FIELD)", "Zone name (NAME_FIELD)"),
    ("fichier", "str", "Nom du PDF de la zone, sans extension", "Name of the zone's PDF, without extension"),
    ("periode", "str", "Période comparée (premier-dernier millésime)", "Period compared (first-last vintage)"),
    ("annees", "int", "Nombre d’années de la période", "Years in the period"),
    ("surface_ha", "double", "Surface de la zone couverte par l’OCS (ha)", "Area of the zone covered (ha)"),
    ("urbanise_ha", "double", "Espaces urbanisés au dernier millésime (4 postes : 1, ha)",
     "Urbanised areas at the last vintage (4 postes: 1, ha)"),
    ("agricole_ha", "double", "Espaces agricoles au dernier millésime (4 postes : 2, ha)",
     "Agricultural areas at the last vintage (4 postes: 2, ha)"),
    ("naturel_ha", "double", "Espaces naturels et semi-naturels au dernier millésime (4 postes : 3, ha)",
     "Natural and semi-natural areas at the last vintage (4 postes: 3, ha)"),
    ("infra_ha", "double", "Infrastructures au dernier millésime (4 postes : 4, ha)",
     "Infrastructure at the last vintage (4 postes: 4, ha)"),
    ("conso_enaf_ha", "double", "ENAF consommés sur la période (ha), comme ocs:territoryflows",
     "ENAF consumed over the period (ha), as ocs:territoryflows"),
    ("conso_enaf_ha_an", "double", "ENAF consommés par an (ha/an)", "ENAF consumed a year (ha/year)"),
    ("conso_habitat_ha", "double", "dont pour l’habitat (ha)", "of which for housing (ha)"),
    ("conso_activite_ha", "double", "dont pour les activités (ha)", "of which for business (ha)"),
    ("conso_infra_ha", "double", "dont pour les infrastructures (ha)", "of which for infrastructure (ha)"),
    ("conso_autre_ha", "double", "dont pour d’autres usages (ha)", "of which for other uses (ha)"),
    ("conso_enaf_pct", "double", "ENAF consommés en % de la surface de la zone", "ENAF consumed in % of the zone"),
    ("artif_ha", "double", "Artificialisation brute sur la période (ha)", "Gross artificialisation (ha)"),
    ("desartif_ha", "double", "Désartificialisation sur la période (ha)", "Désartificialisation (ha)"),
    ("rang_conso", "int", "Rang de la zone pour la consommation d’ENAF (1 = la plus forte)",
     "Rank of the zone for ENAF consumption (1 = the largest)"),
    ("nb_zones", "int", "Nombre de zones de l’atlas", "Zones in the atlas"),
    ("conso_enaf_territoire_ha", "double", "ENAF consommés par toutes les zones ensemble (ha)",
     "ENAF consumed by all the zones together (ha)"),
    ("periode_objectif", "str", "Décennie de l’objectif ZAN", "ZAN objective decade"),
    ("conso_reference_ha", "double", "Consommation de la période de référence (ha), comme ocs:zantrajectory",
     "Consumption of the reference period (ha), as ocs:zantrajectory"),
    ("enveloppe_ha", "double", "Enveloppe de consommation de la décennie (ha)", "Consumption allowance (ha)"),
    ("conso_objectif_ha", "double", "Consommé depuis le début de la décennie (ha)",
     "Consumed since the start of the decade (ha)"),
    ("reste_ha", "double", "Reste de l’enveloppe (ha ; négatif : dépassée)",
     "Allowance remaining (ha; negative: exceeded)"),
    ("titre_carte", "str", "Titre de la carte d’occupation du sol", "Title of the land-cover map"),
    ("chiffres", "str", "Chiffres clés (texte)", "Key figures (text)"),
    ("phrase_occupation", "str", "Phrase : occupation du sol", "Sentence: land cover"),
    ("phrase_conso", "str", "Phrase : consommation d’ENAF", "Sentence: ENAF consumption"),
    ("phrase_zan", "str", "Phrase : trajectoire ZAN", "Sentence: ZAN trajectory"),
    ("phrase_rang", "str", "Phrase : rang parmi les zones", "Sentence: rank among the zones"),
    ("graphique", "str", "Graphique de la consommation par destination (SVG)",
     "Chart of the consumption by destination (SVG)"),
    ("graphique_zan", "str", "Graphique de l’enveloppe ZAN (SVG)", "Chart of the ZAN allowance (SVG)"),
    ("graphique_trajectoire", "str", "Graphique de la trajectoire ZAN : consommation cumulée (SVG)",
     "Chart of the ZAN trajectory: cumulative consumption (SVG)"),
    ("graphique_bilan", "str", "Graphique des gains et pertes par poste sur la période (SVG)",
     "Chart of the gains and losses per poste over the period (SVG)"),
    # comparison with the territory (all the zones together) and ranks (1 = the largest value): COMPARED
    ("urbanise_pct", "double", "Espaces urbanisés au dernier millésime, en % de la surface",
     "Urbanised areas at the last vintage, in % of the area"),
    ("surface_territoire_ha", "double", "Surface de toutes les zones ensemble (ha)", "Area of all the zones (ha)"),
    ("urbanise_pct_territoire", "double", "Espaces urbanisés de toutes les zones ensemble (% de leur surface)",
     "Urbanised areas of all the zones together (% of their area)"),
    ("conso_enaf_pct_territoire", "double", "ENAF consommés par toutes les zones, en % de leur surface",
     "ENAF consumed by all the zones, in % of their area"),
    ("artif_territoire_ha", "double", "Artificialisation brute de toutes les zones ensemble (ha)",
     "Gross artificialisation of all the zones together (ha)"),
    ("enveloppe_territoire_ha", "double", "Enveloppe ZAN de toutes les zones ensemble (ha)",
     "ZAN allowance of all the zones together (ha)"),
    ("reste_territoire_ha", "double", "Reste de l’enveloppe de toutes les zones ensemble (ha)",
     "Allowance remaining of all the zones together (ha)"),
    ("rang_surface", "int", "Rang de la zone pour la surface (1 = la plus grande)",
     "Rank of the zone for its area (1 = the largest)"),
    ("rang_urbanise", "int", "Rang pour la part des espaces urbanisés (1 = la plus forte)",
     "Rank for the share of urbanised areas (1 = the largest)"),
    ("rang_conso_pct", "int", "Rang pour les ENAF consommés en % de la surface (1 = la plus forte)",
     "Rank for the ENAF consumed in % of the area (1 = the largest)"),
    ("rang_artif", "int", "Rang pour l’artificialisation brute (1 = la plus forte)",
     "Rank for gross artificialisation (1 = the largest)"),
    ("rang_enveloppe", "int", "Rang pour l’enveloppe ZAN (1 = la plus grande)",
     "Rank for the ZAN allowance (1 = the largest)"),
    ("rang_reste", "int", "Rang pour le reste de l’enveloppe (1 = le plus grand)",
     "Rank for the allowance remaining (1 = the largest)"),
    # heat (HEAT given): share of the zone's area per ADEME class of ocs:heatisland's last vintage
    ("chaleur_forte_pct", "double", "Part de la surface qui participe fortement à la surchauffe (%)",
     "Share of the area contributing strongly to overheating (%)"),
    ("chaleur_moyenne_pct", "double", "Part de la surface qui participe moyennement à la surchauffe (%)",
     "Share of the area contributing moderately to overheating (%)"),
    ("chaleur_neutre_pct", "double", "Part de la surface à l’impact neutre (%)",
     "Share of the area with a neutral impact (%)"),
    ("chaleur_fraiche_pct", "double", "Part de la surface qui participe au rafraîchissement (%)",
     "Share of the area contributing to cooling (%)"),
    ("chaleur_refuge_pct", "double", "Part de la surface en refuge de fraîcheur (%)",
     "Share of the area that is a cool refuge (%)"),
    ("unite_chaude", "str", "Unité de chaleur la plus chaude de la zone (nom ou id)",
     "Hottest heat unit of the zone (name or id)"),
    ("score_chaud", "double", "Score de surchauffe de l’unité la plus chaude (0-100)",
     "Overheating score of the hottest unit (0-100)"),
    ("unite_fraiche", "str", "Unité de chaleur la plus fraîche de la zone (nom ou id)",
     "Coolest heat unit of the zone (name or id)"),
    ("score_frais", "double", "Score de surchauffe de l’unité la plus fraîche (0-100)",
     "Overheating score of the coolest unit (0-100)"),
    ("texte_chaleur", "str", "Texte : chaleur de la zone", "Text: heat of the zone"),
    # friches (FRICHES given): the sites whose inner point is in the zone
    ("friches_nb", "int", "Nombre de friches de la zone", "Friches in the zone"),
    ("friches_ha", "double", "Surface des friches de la zone (ha)", "Area of the zone's friches (ha)"),
    ("texte_friches", "str", "Texte : friches de la zone et les 3 plus grandes",
     "Text: friches of the zone and the 3 largest"),
)
# 4 postes code → field of FIELDS
POSTES_FIELDS = {"1": "urbanise_ha", "2": "agricole_ha", "3": "naturel_ha", "4": "infra_ha"}


def field_aliases(language="fr"):
    """{field: definition} in ``language``."""
    index = 2 if report_language(language) == "fr" else 3
    return {row[0]: row[index] for row in FIELDS}


KEY_FIGURES = {
    "fr": ("Surface : {surface}", "ENAF consommés {a}-{b} : {conso}{rate}", "Toutes les zones : {territory}",
           "Rang : {rank} sur {count}", "Enveloppe {c}-{d} : {allowance}", "Reste : {remaining}"),
    "en": ("Area: {surface}", "ENAF consumed {a}-{b}: {conso}{rate}", "All the zones: {territory}",
           "Rank: {rank} of {count}", "Allowance {c}-{d}: {allowance}", "Remaining: {remaining}"),
}


def key_figures(values, period, objective, language="fr"):
    """The key figures of a zone as lines of text; ``values`` holds the FIELDS of the zone (None = unknown,
    the line is left out)."""
    lang = report_language(language)
    lines = KEY_FIGURES[lang]
    rate = ""
    if values.get("conso_enaf_ha_an") is not None:
        rate = " (%s %s)" % (hectares(values["conso_enaf_ha_an"], lang), "par an" if lang == "fr" else "a year")
    out = [lines[0].format(surface=hectares(values["surface_ha"], lang)),
           lines[1].format(a=period[0], b=period[1], conso=hectares(values["conso_enaf_ha"], lang), rate=rate),
           lines[2].format(territory=hectares(values["conso_enaf_territoire_ha"], lang))]
    if values.get("rang_conso") is not None:
        out.append(lines[3].format(rank=ordinal(values["rang_conso"], lang), count=values["nb_zones"]))
    if values.get("enveloppe_ha") is not None:
        out.append(lines[4].format(c=objective[0], d=objective[1], allowance=hectares(values["enveloppe_ha"], lang)))
        if values.get("reste_ha") is not None:
            out.append(lines[5].format(remaining=hectares(values["reste_ha"], lang)))
    return "\n".join(out)


# -- change between the two vintages: the transition table and the gains and losses (issue #20) ----------------

# Short names of the 4 postes for the table and the charts (the sentences use POSTES_WORDS).
POSTES_SHORT = {
    "fr": {"1": "Urbanisé", "2": "Agricole", "3": "Naturel", "4": "Infrastructures"},
    "en": {"1": "Urbanised", "2": "Agricultural", "3": "Natural", "4": "Infrastructure"},
}
CHANGE_TEXTS = {
    "fr": {"transitions": "Transitions {a} → {b} (ha)", "from_to": "de \\ vers", "total": "Total {b}",
           "row_total": "Total {a}", "gains": "Gains et pertes par classe {a}-{b} (ha)", "gain": "gains",
           "loss": "pertes", "net": "solde", "trajectory": "Trajectoire ZAN : consommation cumulée depuis {a} (ha)",
           "reference": "Référence {a}-{b} : {v}", "allowance_line": "Enveloppe {a}-{b} : {v}",
           "pace": "Au rythme de {a}-{b}", "consumed_line": "Consommé depuis {a} : {v}",
           "remaining_line": "Reste : {v}", "exceeded_line": "Dépassement : {v}",
           "not_measured": "Pas encore de millésime après {a}", "comparison": "Comparaison avec le territoire",
           "indicator": "Indicateur", "zone": "Zone", "territory": "Territoire", "rank": "Rang"},
    "en": {"transitions": "Transitions {a} → {b} (ha)", "from_to": "from \\ to", "total": "Total {b}",
           "row_total": "Total {a}", "gains": "Gains and losses per class {a}-{b} (ha)", "gain": "gains",
           "loss": "losses", "net": "net", "trajectory": "ZAN trajectory: cumulative consumption since {a} (ha)",
           "reference": "Reference {a}-{b}: {v}", "allowance_line": "Allowance {a}-{b}: {v}",
           "pace": "At the pace of {a}-{b}", "consumed_line": "Consumed since {a}: {v}",
           "remaining_line": "Remaining: {v}", "exceeded_line": "Exceeded by: {v}",
           "not_measured": "No vintage after {a} yet", "comparison": "Comparison with the territory",
           "indicator": "Indicator", "zone": "Zone", "territory": "Territory", "rank": "Rank"},
}


def change_text(key, language="fr", **values):
    return CHANGE_TEXTS[report_language(language)][key].format(**values)


def class_name(code, language="fr", labels=None):
    """The short name of a class: the 4 postes' own, else its label in ``labels`` ({code: label}), else the code."""
    names = POSTES_SHORT[report_language(language)]
    if str(code) in names:
        return names[str(code)]
    return (labels or {}).get(code) or str(code)


def transition_rows(matrix, codes):
    """The rows of the transition table of a zone: ``matrix`` = {(from, to): ha}, ``codes`` the classes in order
    (columns and rows). [(from code, [ha to each code], total of the row = stock of the first vintage)], then
    (None, [stock of the last vintage per code], total area). Every cell is written, zeros included, so that
    every zone's table has the same shape."""
    rows = []
    for code_from in codes:
        cells = [matrix.get((code_from, code_to), 0.0) for code_to in codes]
        rows.append((code_from, cells, sum(cells)))
    last = [sum(matrix.get((code_from, code_to), 0.0) for code_from in codes) for code_to in codes]
    rows.append((None, last, sum(last)))
    return rows


def gains_losses(matrix, codes):
    """[(code, gain, loss)] (ha) of each class: gain = land of another class that became it, loss = land of it
    that became another class (the unchanged diagonal left out); gain − loss = the change of its stock."""
    out = []
    for code in codes:
        gain = sum(area for (a, b), area in matrix.items() if b == code and a != code)
        loss = sum(area for (a, b), area in matrix.items() if a == code and b != code)
        out.append((code, gain, loss))
    return out


def signed_hectares(value, language="fr"):
    """``"+2,0 ha"``, ``"−1,0 ha"`` (minus sign), ``"0,0 ha"``."""
    if round(value, 2) == 0:
        return hectares(0.0, language)
    return ("+" if value > 0 else "\u2212") + hectares(abs(value), language)


def gains_losses_chart(period, rows, colours, language="fr", labels=None, width=600, bar_height=16):
    """SVG of the gains (right of the axis) and losses (left) of each class over ``period``, ``rows`` from
    ``gains_losses``; the net change written at the right."""
    lang = report_language(language)
    title = change_text("gains", lang, a=period[0], b=period[1])
    label_width, net_width, top = 130, 80, 44
    span = (width - label_width - net_width - 20) / 2.0
    axis = label_width + 10 + span
    peak = max([max(g, l) for _c, g, l in rows] + [0.0]) or 1.0
    height = top + len(rows) * (bar_height + 10) + 6
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
             'font-family="sans-serif">' % (width, height, width, height),
             '<rect width="100%%" height="100%%" fill="#ffffff"/>',
             '<text x="4" y="18" font-size="14" font-weight="bold">%s</text>' % _xml(title),
             '<text x="%.1f" y="36" font-size="11" text-anchor="end" fill="#B2182B">← %s</text>' % (
                 axis - 4, _xml(change_text("loss", lang))),
             '<text x="%.1f" y="36" font-size="11" fill="#1E7B3C">%s →</text>' % (
                 axis + 4, _xml(change_text("gain", lang))),
             '<text x="%d" y="36" font-size="11" text-anchor="end">%s</text>' % (
                 width - 4, _xml(change_text("net", lang)))]
    for index, (code, gain, loss) in enumerate(rows):
        y = top + index * (bar_height + 10)
        mid = y + bar_height * 0.75
        parts.append('<rect x="2" y="%d" width="10" height="%d" fill="%s"/>' % (
            y + 2, bar_height - 4, colours.get(code) or "#cccccc"))
        parts.append('<text x="16" y="%.1f" font-size="12">%s</text>' % (mid, _xml(class_name(code, lang, labels))))
        left = span * loss / peak
        right = span * gain / peak
        parts.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#EF8A62"/>' % (
            axis - left, y, left, bar_height))
        parts.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#7FBF7B"/>' % (
            axis, y, right, bar_height))
        if loss > 0:
            parts.append('<text x="%.1f" y="%.1f" font-size="10" text-anchor="%s">%s</text>' % (
                axis - left - 2 if left < span * 0.6 else axis - 2, mid,
                "end", _xml(hectares(loss, lang))))
        if gain > 0:
            parts.append('<text x="%.1f" y="%.1f" font-size="10">%s</text>' % (
                axis + right + 2 if right < span * 0.6 else axis + 2, mid, _xml(hectares(gain, lang))))
        parts.append('<text x="%d" y="%.1f" font-size="12" text-anchor="end" font-weight="bold">%s</text>' % (
            width - 4, mid, _xml(signed_hectares(gain - loss, lang))))
    parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333333" stroke-width="1"/>' % (
        axis, top - 4, axis, height - 4))
    parts.append("</svg>")
    return "\n".join(parts)


def _nice_step(peak, ticks=4):
    """A round step (1, 2 or 5 × 10ⁿ) giving about ``ticks`` intervals up to ``peak``."""
    import math
    raw = max(peak, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def zan_trajectory_chart(reference, objective, figures, language="fr", size=(420, 300)):
    """SVG of the ZAN trajectory, consumption cumulated from the start of the ``reference`` period: the
    reference consumption (a straight line over the reference period: only its total is known), then from the
    start of the ``objective`` decade the allowance line (ceiling reached at its end), the pace of the reference
    continued (dotted) and the consumption measured since (up to ``measured_until``, the last vintage in the
    decade). ``figures`` = (reference_ha, allowance_ha, consumed_ha, measured_until); None when the reference
    consumption is unknown."""
    reference_ha, allowance_ha, consumed_ha, measured_until = figures
    width, height = size
    if reference_ha is None or allowance_ha is None:
        return None
    lang = report_language(language)
    x_start, x_mid, x_end = int(reference[0]), int(objective[0]), int(objective[1])
    top_values = [2 * reference_ha, reference_ha + allowance_ha]
    if consumed_ha is not None:
        top_values.append(reference_ha + consumed_ha)
    step = _nice_step(max(top_values) or 1.0)
    y_max = step * (int(max(top_values) / step) + 1)
    title_lines_ = title_lines(change_text("trajectory", lang, a=reference[0]), max(10, int((width - 8) / 8.5)))[:2]
    legend_lines = 5
    left, right, top = 52, width - 14, 26 + 16 * len(title_lines_)
    bottom = height - 26 - 15 * legend_lines

    def px(year):
        return left + (right - left) * (float(year) - x_start) / float(x_end - x_start)

    def py(value):
        return bottom - (bottom - top) * value / y_max

    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
             'font-family="sans-serif">' % (width, height, width, height),
             '<rect width="100%%" height="100%%" fill="#ffffff"/>']
    parts += ['<text x="4" y="%d" font-size="14" font-weight="bold">%s</text>' % (16 + 16 * i, _xml(line))
              for i, line in enumerate(title_lines_)]
    value = 0.0
    while value <= y_max + 1e-9:        # horizontal grid and its values
        parts.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#dddddd"/>' % (left, py(value), right,
                                                                                        py(value)))
        parts.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>' % (
            left - 4, py(value) + 3, _xml(format_decimal(value, 0 if step >= 1 else (1 if step >= 0.1 else 2),
                                                          lang))))
        value += step
    for year, anchor in ((x_start, "start"), (x_mid, "middle"), (x_end, "end")):
        parts.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#999999"/>' % (px(year), top, px(year),
                                                                                      bottom))
        parts.append('<text x="%.1f" y="%d" font-size="11" text-anchor="%s">%d</text>' % (
            px(year), bottom + 14, anchor, year))

    def line(x1, v1, x2, v2, colour, extra=""):
        return '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" %s/>' % (px(x1), py(v1), px(x2), py(v2),
                                                                                 colour, extra)
    reference_style = 'stroke-width="2.5"'
    pace_style = 'stroke-width="1.5" stroke-dasharray="2,3"'
    allowance_style = 'stroke-width="2" stroke-dasharray="7,4"'
    consumed_style = 'stroke-width="3"'
    parts.append(line(x_start, 0.0, x_mid, reference_ha, "#555555", reference_style))
    parts.append(line(x_mid, reference_ha, x_end, 2 * reference_ha, "#999999", pace_style))
    parts.append(line(x_mid, reference_ha, x_end, reference_ha + allowance_ha, "#1E7B3C", allowance_style))
    parts.append(line(x_mid, reference_ha + allowance_ha, x_end, reference_ha + allowance_ha, "#1E7B3C",
                      'stroke-width="1"'))
    if consumed_ha is not None and measured_until is not None:
        until = min(int(measured_until), x_end)
        parts.append(line(x_mid, reference_ha, until, reference_ha + consumed_ha, "#FF8C00", consumed_style))
        parts.append('<circle cx="%.1f" cy="%.1f" r="4" fill="#FF8C00"/>' % (px(until), py(reference_ha + consumed_ha)))
    parts += _trajectory_legend(bottom + 32, (reference_style, allowance_style, pace_style, consumed_style),
                                (reference, reference_ha, objective, allowance_ha, consumed_ha), lang)
    parts.append("</svg>")
    return "\n".join(parts)


def _trajectory_legend(y0, styles, figures, lang):
    """The legend lines of ``zan_trajectory_chart`` from ``y0`` down."""
    reference_style, allowance_style, pace_style, consumed_style = styles
    reference, reference_ha, objective, allowance_ha, consumed_ha = figures
    legend = [("#555555", reference_style, change_text("reference", lang, a=reference[0], b=reference[1],
                                                       v=hectares(reference_ha, lang))),
              ("#1E7B3C", allowance_style, change_text("allowance_line", lang, a=objective[0], b=objective[1],
                                                       v=hectares(allowance_ha, lang))),
              ("#999999", pace_style, change_text("pace", lang, a=reference[0], b=reference[1]))]
    if consumed_ha is None:
        legend.append(("#FF8C00", consumed_style, change_text("not_measured", lang, a=objective[0])))
    else:
        legend.append(("#FF8C00", consumed_style, change_text("consumed_line", lang, a=objective[0],
                                                              v=hectares(consumed_ha, lang))))
        remaining = allowance_ha - consumed_ha
        legend.append((None, "", change_text("remaining_line" if remaining >= 0 else "exceeded_line", lang,
                                             v=hectares(abs(remaining), lang))))
    parts = []
    for index, (colour, style, label) in enumerate(legend):
        y = y0 + 15 * index
        if colour:
            parts.append('<line x1="8" y1="%d" x2="36" y2="%d" stroke="%s" %s/>' % (y - 4, y - 4, colour, style))
        parts.append('<text x="42" y="%d" font-size="11">%s</text>' % (y, _xml(label)))
    return parts


# -- comparison with the territory (all the zones together) and ranks -------------------------------------------

# (value field, territory field, rank field, French label, English label, unit): the key figures compared. Ranks
# are competition ranks, 1 = the largest value (``ranks``).
COMPARED = (
    ("surface_ha", "surface_territoire_ha", "rang_surface", "Surface", "Area", "ha"),
    ("urbanise_pct", "urbanise_pct_territoire", "rang_urbanise", "Espaces urbanisés en {b}",
     "Urbanised areas in {b}", "%"),
    ("conso_enaf_ha", "conso_enaf_territoire_ha", "rang_conso", "ENAF consommés {a}-{b}", "ENAF consumed {a}-{b}",
     "ha"),
    ("conso_enaf_pct", "conso_enaf_pct_territoire", "rang_conso_pct", "ENAF consommés (part de la surface)",
     "ENAF consumed (share of the area)", "%"),
    ("artif_ha", "artif_territoire_ha", "rang_artif", "Artificialisation brute {a}-{b}",
     "Gross artificialisation {a}-{b}", "ha"),
    ("enveloppe_ha", "enveloppe_territoire_ha", "rang_enveloppe", "Enveloppe ZAN {c}-{d}", "ZAN allowance {c}-{d}",
     "ha"),
    ("reste_ha", "reste_territoire_ha", "rang_reste", "Reste de l’enveloppe", "Allowance remaining", "ha"),
)


def compare(rows, territory):
    """Each row ({field: value} of a zone) gets, for every key figure of COMPARED, the territory's value and the
    zone's rank among ``rows``. The territory is the zones of ``rows`` together: a figure in ha is their sum (so
    the ZAN allowance of the territory is that of its zones, not of the land around them), a share is taken
    from ``territory`` (the values computed on the zones' summed areas)."""
    for value_field, territory_field, rank_field, _fr, _en, unit in COMPARED:
        values = [row.get(value_field) for row in rows]
        if unit == "ha":
            total = sum(values) if rows and None not in values else None
        else:
            total = territory.get(value_field)
        rank = ranks(dict(enumerate(values)))
        for index, row in enumerate(rows):
            row[territory_field] = total
            row[rank_field] = rank.get(index)
    return rows


def figure_text(value, unit, language="fr"):
    """A key figure with its unit: hectares, or a percentage with one decimal."""
    if value is None:
        return ""
    if unit == "ha":
        return hectares(value, language)
    return format_decimal(value, 1, language) + (NBSP + "%" if report_language(language) == "fr" else "%")


def comparison_rows(values, period, objective, language="fr"):
    """The comparison table of a zone: [(label, zone's figure, territory's figure, rank "2e / 5")] for every key
    figure of COMPARED the zone has (an unknown one is left out)."""
    lang = report_language(language)
    out = []
    for value_field, territory_field, rank_field, fr, en, unit in COMPARED:
        if values.get(value_field) is None:
            continue
        label = (fr if lang == "fr" else en).format(a=period[0], b=period[1], c=objective[0], d=objective[1])
        rank = values.get(rank_field)
        out.append((label, figure_text(values[value_field], unit, lang),
                    figure_text(values.get(territory_field), unit, lang),
                    "" if rank is None else "%s / %d" % (ordinal(rank, lang), values.get("nb_zones") or 0)))
    return out


# -- heat and friches of the zone --------------------------------------------------------------------------------

# The ADEME classes of ocs:heatisland (core.heat.CLASSES, hottest first, French as the data) in English, and the
# fields of their shares.
HEAT_CLASSES_EN = ("contributes strongly to overheating", "contributes moderately to overheating",
                   "neutral impact", "contributes to cooling", "cool refuge")
HEAT_FIELDS = ("chaleur_forte_pct", "chaleur_moyenne_pct", "chaleur_neutre_pct", "chaleur_fraiche_pct",
               "chaleur_refuge_pct")


def heat_text(shares, hottest, coolest, language="fr"):
    """The heat of a zone: ``shares`` = [% of the zone's area per ADEME class, hottest first (None: unknown)],
    ``hottest``/``coolest`` = (unit name or id, score 0–100) or None."""
    from .heat import CLASSES
    lang = report_language(language)
    names = [label for _bound, label in CLASSES] if lang == "fr" else list(HEAT_CLASSES_EN)
    lines = ["Part de la surface par classe :" if lang == "fr" else "Share of the area per class:"]
    for name, value in zip(names, shares):
        if value:
            lines.append("– %s : %s" % (name, share(value, lang)) if lang == "fr" else
                         "– %s: %s" % (name, share(value, lang)))
    if len(lines) == 1:
        return ("Aucune unité de la couche de chaleur ne couvre la zone." if lang == "fr" else
                "No unit of the heat layer covers the zone.")

    def unit(pair):
        return "%s (score %s)" % (pair[0], format_decimal(pair[1], 0, lang))
    if hottest is not None:
        lines.append(("Unité la plus chaude : %s" if lang == "fr" else "Hottest unit: %s") % unit(hottest))
    if coolest is not None:
        lines.append(("Unité la plus fraîche : %s" if lang == "fr" else "Coolest unit: %s") % unit(coolest))
    return "\n".join(lines)


# The vocation codes of ocs:friches (core.styles.FRICHE_VOCATIONS) as words of a sentence.
VOCATION_WORDS = {
    "fr": {"habitat": "habitat", "economie": "économie", "equipements": "équipements", "renaturation": "renaturation"},
    "en": {"habitat": "housing", "economie": "economy", "equipements": "facilities", "renaturation": "renaturation"},
}


def friches_text(count, total_ha, largest, language="fr"):
    """The friches of a zone: how many, their area, then the largest ``largest`` = [(name, ha, vocation)]."""
    lang = report_language(language)
    text = friches_sentence(count, total_ha, language=lang)
    if not largest:
        return text
    lines = [text, "Les plus grandes :" if lang == "fr" and len(largest) > 1 else
             "La plus grande :" if lang == "fr" else "The largest:"]
    for name, ha, vocation in largest:
        line = "– %s : %s" % (name, hectares(ha, lang)) if lang == "fr" else "– %s: %s" % (name, hectares(ha, lang))
        if vocation:
            word = VOCATION_WORDS[lang].get(str(vocation), vocation)
            line += (", vocation %s" if lang == "fr" else ", vocation: %s") % word
        lines.append(line)
    return "\n".join(lines)
