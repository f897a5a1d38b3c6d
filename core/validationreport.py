"""The offline HTML report of ocs:validate: counts and areas per check, maps of where the problems cluster (one
grid of counts per check, inline SVG), examples with their fid; in French or English, French numbers in French.
Plain Python, standard library only (the frame, escaping and number formats of core/report.py)."""
import dataclasses
import math

from . import report, styles
from . import validation as val

GRID = 24            # cells across the larger side of the maps
MAP_PX = 260         # size of a map (px)

LABELS_EN = {
    "geometrie_invalide": "Invalid geometry", "geometrie_vide": "Empty geometry", "doublon": "Duplicate",
    "chevauchement": "Overlap", "trou": "Gap", "code_manquant": "Missing code", "code_inconnu": "Unknown code",
    "couple_incompatible": "Incompatible couverture × usage pair",
    "voisins_identiques": "Neighbours with identical codes",
    "sous_unite_minimale": "Under the minimum mapping unit", "transition_improbable": "Improbable transition",
    "oscillation": "Oscillation A → B → A", val.TOTAL: "Total",
}
LABELS_FR = dict([(key, label) for key, label, _colour in styles.CONTROLE_CLASSES] + [(val.TOTAL, "Total")])
GRAVITE = {"fr": {"erreur": "erreur", "avertissement": "avertissement", "": ""},
           "en": {"erreur": "error", "avertissement": "warning", "": ""}}
TEXTS = {
    "fr": {
        "title": "Contrôle qualité — {0}",
        "subtitle": "OCS Toolbox, ocs:validate. Surfaces en hectares ; part du territoire contrôlé ({0} ha).",
        "summary": "Synthèse", "maps": "Où se concentrent les problèmes", "examples": "Exemples",
        "columns": ("Contrôle", "Gravité", "Nombre", "Surface (ha)", "Part du territoire"),
        "example_columns": ("fid", "Millésime", "Surface (ha)", "Message"),
        "several": "{0} entités relèvent de plusieurs problèmes : elles sont comptées dans chacun.",
        "excess": "La somme des surfaces des polygones dépasse de {0} ha la surface de leur union (terrain "
                  "couvert plusieurs fois).",
        "none": "Aucun problème trouvé.",
        "map_note": "Nombre de problèmes par maille ({0} mailles sur le plus grand côté) ; plus la maille est "
                    "foncée, plus ils sont nombreux (au plus {1}).",
    },
    "en": {
        "title": "Quality control — {0}",
        "subtitle": "OCS Toolbox, ocs:validate. Areas in hectares; share of the territory checked ({0} ha).",
        "summary": "Summary", "maps": "Where the problems cluster", "examples": "Examples",
        "columns": ("Check", "Severity", "Count", "Area (ha)", "Share of the territory"),
        "example_columns": ("fid", "Vintage", "Area (ha)", "Message"),
        "several": "{0} features are in several problems: they are counted in each.",
        "excess": "The polygons' areas add up to {0} ha more than the area of their union (land covered more "
                  "than once).",
        "none": "No problem found.",
        "map_note": "Number of problems per cell ({0} cells across the larger side); the darker the cell, the "
                    "more problems (at most {1}).",
    },
}


@dataclasses.dataclass
class ReportData:
    """What the report shows: the layer's name, the summary rows (core.validation.SummaryRow), examples
    {controle: [(fid, millesime, area m², message)]}, points [(controle, x, y)], the territory's area (m²), the
    number of features in several problems and the area covered more than once (m², or None)."""

    name: str
    summary: list
    examples: dict
    points: list
    territory_m2: float
    in_several: int = 0
    excess_m2: object = None
    extent: object = None        # (xmin, ymin, xmax, ymax) of the layer: the frame of every map


def _text(text, lang):
    """Escaped, with French typography (no-break spaces before ``: ; % ! ?`` and ``ha``) in French."""
    return report.esc(report.tidy(text) if lang == "fr" else text)


def _pct(value, lang):
    return "–" if value is None else report.format_share(value, lang)


def _label(controle, lang):
    return (LABELS_FR if lang == "fr" else LABELS_EN).get(controle, controle)


def _summary_table(data, t, lang):
    head = "".join("<th>%s</th>" % report.esc(c) for c in t["columns"])
    rows = []
    for row in data.summary:
        rows.append("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
            report.esc(_label(row.controle, lang)), report.esc(GRAVITE[lang].get(row.gravite, row.gravite)),
            report.format_decimal(row.nombre, 0, lang), report.format_ha(row.surface_m2 / 1e4, lang), _pct(row.part_territoire_pct, lang)))
    notes = []
    if data.in_several:
        notes.append("<p>%s</p>" % _text(t["several"].format(data.in_several), lang))
    if data.excess_m2 is not None and data.excess_m2 > val.SLIVER_M2:
        notes.append("<p>%s</p>" % _text(t["excess"].format(report.format_ha(data.excess_m2 / 1e4, lang)), lang))
    return '<table class="matrix"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>%s' % (
        head, "".join(rows), "".join(notes))


def grid_counts(points, cells=GRID, extent=None):
    """{(column, row): count} of ``points`` [(x, y)] on a grid of ``cells`` across the larger side of
    ``extent`` (xmin, ymin, xmax, ymax; None = the points' own), row 0 at the top, and the grid's (columns,
    rows)."""
    if not points:
        return {}, (0, 0)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    if extent is None:
        extent = (min(xs), min(ys), max(xs), max(ys))
    x0, y0, width, height = extent[0], extent[1], extent[2] - extent[0], extent[3] - extent[1]
    size = max(width, height) / cells or 1.0
    columns, rows = max(1, math.ceil(width / size)), max(1, math.ceil(height / size))
    counts = {}
    for x, y in points:
        column = max(0, min(columns - 1, int((x - x0) / size)))
        key = (column, rows - 1 - max(0, min(rows - 1, int((y - y0) / size))))
        counts[key] = counts.get(key, 0) + 1
    return counts, (columns, rows)


def _map_svg(points, colour, t, lang, extent=None):
    counts, (columns, rows) = grid_counts(points, GRID, extent)
    side = MAP_PX / max(columns, rows)
    peak = max(counts.values())
    cells = []
    for (c, r), n in sorted(counts.items()):
        opacity = 0.15 + 0.85 * n / peak
        cells.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="%.2f">'
                     "<title>%d</title></rect>" % (c * side, r * side, side, side, colour, opacity, n))
    return ('<figure><svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">'
            '<rect width="100%%" height="100%%" fill="#F5F5F5" stroke="#999"/>%s</svg><figcaption>%s</figcaption>'
            "</figure>" % (columns * side, rows * side, columns * side, rows * side, "".join(cells),
                           _text(t["map_note"].format(GRID, peak), lang)))


def _sections(data, t, lang):
    colours = {key: colour for key, _label, colour in styles.CONTROLE_CLASSES}
    by_check = {}
    for controle, x, y in data.points:
        by_check.setdefault(controle, []).append((x, y))
    maps, examples = [], []
    for controle in val.CONTROLE_KEYS:
        if controle in by_check:
            maps.append("<h3>%s</h3>%s" % (report.esc(_label(controle, lang)),
                                           _map_svg(by_check[controle], colours[controle], t, lang,
                                                    data.extent)))
        if data.examples.get(controle):
            head = "".join("<th>%s</th>" % report.esc(c) for c in t["example_columns"])
            rows = "".join("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
                report.esc("" if fid is None else fid), report.esc(millesime or ""),
                report.format_ha(area / 1e4, lang), report.esc(message))
                for fid, millesime, area, message in data.examples[controle])
            examples.append('<h3>%s</h3><table class="matrix"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>' % (report.esc(_label(controle, lang)), head,
                                                                         rows))
    return maps, examples


def build(data, language="fr"):
    """The whole HTML document (str)."""
    lang = report.report_language(language)
    t = TEXTS[lang]
    title = t["title"].format(data.name)
    subtitle = t["subtitle"].format(report.format_ha((data.territory_m2 or 0.0) / 1e4, lang))
    subtitle = report.tidy(subtitle) if lang == "fr" else subtitle
    maps, examples = _sections(data, t, lang)
    body = ['<section id="section-1"><h2>%s</h2>%s%s</section>' % (
        report.esc(t["summary"]), _summary_table(data, t, lang),
        "" if data.summary[-1].nombre else "<p>%s</p>" % _text(t["none"], lang))]
    toc = ['<li><a href="#section-1">%s</a></li>' % report.esc(t["summary"])]
    for index, (key, parts) in enumerate((("maps", maps), ("examples", examples)), 2):
        if parts:
            body.append('<section id="section-%d"><h2>%s</h2>%s</section>' % (index, report.esc(t[key]),
                                                                              "".join(parts)))
            toc.append('<li><a href="#section-%d">%s</a></li>' % (index, report.esc(t[key])))
    return report.html_document(title, subtitle, lang, report.CSS, report.TEXTS[lang], toc, body)


def write(path, data, language="fr"):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(build(data, language))
