"""Style templates built from the registry: (value, legend label, colour) per class, and field-name detection.

Plain Python: ``engines/styling.py`` turns a template into a QGIS renderer, ``scripts/make_styles.py``
writes them as QML files under resources/styles/.
"""
import re

from . import nomenclature as nom


class Template:
    __slots__ = ("key", "title", "numeric", "classes", "outline_only", "ranges")

    def __init__(self, key, title, numeric, classes, outline_only=False, ranges=None):
        self.key = key
        self.title = title
        self.numeric = numeric
        self.classes = classes  # list of (value, label, "#RRGGBB")
        self.outline_only = outline_only
        self.ranges = ranges    # graduated templates: list of (lower, upper, label, "#RRGGBB")


def _code_classes(classes, keep):
    return [(c.code, "%s %s" % (c.code, c.label), c.colour or "#CCCCCC")
            for c in sorted(classes.values(), key=lambda c: _code_sort_key(c.code)) if keep(c)]


def _code_sort_key(code):
    return tuple(int(p) if p.isdigit() else 0 for p in re.findall(r"\d+", str(code)))


def template_keys():
    keys = []
    for family in ("ocs2d", "ocsge"):
        for dimension in ("cs", "us"):
            for level in (1, 2, 3):
                keys.append("%s_%s_niv%d" % (family, dimension, level))
    keys += ["ocsge_cs", "ocsge_us", "p4", "p21", "enaf", "naf", "artif", "impermeable", "type_changement",
             "heat_classe", "heat_score", "friche_vocation", "controle"]
    return keys


TITLES = {
    "p4": "OCS2D 4 postes", "p21": "OCS2D 21 postes", "enaf": "ENAF (OCS2D, CoTech 2024)",
    "naf": "NAF / non NAF", "artif": "Artificialisation (décret 2023-1096)",
    "impermeable": "Imperméabilisation", "ocsge_cs": "OCS GE couverture", "ocsge_us": "OCS GE usage",
    "type_changement": "Type de changement",
    "heat_classe": "Surchauffe (classes ADEME)",
    "heat_score": "Score de surchauffe (0-100)",
    "friche_vocation": "Vocation des friches (Mutafriches)",
    "controle": "Contrôle qualité (ocs:validate)",
}
# ocs:validate: one colour per check key (core/validation.py), errors in reds and purples, warnings lighter.
CONTROLE_CLASSES = (
    ("geometrie_invalide", "Géométrie invalide", "#B2182B"), ("geometrie_vide", "Géométrie vide", "#762A83"),
    ("doublon", "Doublon", "#E7298A"), ("chevauchement", "Chevauchement", "#D7301F"), ("trou", "Trou", "#2166AC"),
    ("code_manquant", "Code manquant", "#8C510A"), ("code_inconnu", "Code inconnu", "#BF812D"),
    ("couple_incompatible", "Couple couverture × usage incompatible", "#F46D43"),
    ("voisins_identiques", "Voisins aux codes identiques", "#66BD63"),
    ("sous_unite_minimale", "Sous l'unité minimale de collecte", "#FDAE61"),
    ("transition_improbable", "Transition improbable", "#9970AB"), ("oscillation", "Oscillation A → B → A", "#35978F"),
)
# Vocation colours: the ENAF destination colours of the regional method (habitat, activité) where they exist.
FRICHE_VOCATIONS = (("habitat", "Habitat", "#ED7D31"), ("economie", "Économie", "#AA73D5"),
                    ("equipements", "Équipements", "#4A90C8"), ("renaturation", "Renaturation", "#70AD47"))


def get_template(key, custom=None, language="fr"):
    """The template ``key`` (see template_keys); ``custom`` is a rules.CustomTable for key 'custom'.

    ``language`` ``en`` gives the legend labels in English (nomenclature.label_in); values stay as they are."""
    template = _template(key, custom)
    if str(language or "fr").lower().startswith("en"):
        template.classes = [(value, _label_in(label), colour) for value, label, colour in template.classes]
        if template.ranges:
            template.ranges = [(low, high, _label_in(label), colour) for low, high, label, colour in template.ranges]
    return template


_LEGEND_LABEL_RE = re.compile(r"^(?P<head>\S+ - |\S+ : |[0-9.]+ – [0-9.]+ : |(?:CS|US)[0-9.]+ )(?P<rest>.+)$")


def _label_in(label):
    """English legend label: the whole label, or the text after a code ("1 - ", "CS1.1 ") or range ("0 – 20 : ")."""
    english = nom.label_in(label, "en")
    if english != label:
        return english
    match = _LEGEND_LABEL_RE.match(str(label))
    if match:
        return match.group("head") + nom.label_in(match.group("rest"), "en")
    return label


def _template(key, custom):
    if key == "custom":
        if custom is None:
            raise KeyError(key)
        return Template(key, "Custom", False,
                        [(code, c.label, c.colour or _fallback_colour(i))
                         for i, (code, c) in enumerate(custom.classes.items())])
    match = re.fullmatch(r"(ocs2d|ocsge)_(cs|us)_niv(\d)", key)
    if match:
        family, dimension, level = match.group(1), match.group(2), int(match.group(3))
        nomen = nom.get_nomenclature(nom.OCS2D_2021 if family == "ocs2d" else nom.OCSGE)
        classes = nomen.classes(dimension)
        keep = (lambda c: c.level == level or (c.leaf and c.level < level))
        title = "%s %s niveau %d" % ("OCS2D" if family == "ocs2d" else "OCS GE",
                                     "couvert" if dimension == "cs" else "usage", level)
        return Template(key, title, False, _code_classes(classes, keep))
    if key in ("ocsge_cs", "ocsge_us"):
        classes = nom.get_nomenclature(nom.OCSGE).classes(key[-2:])
        return Template(key, TITLES[key], False, _code_classes(classes, lambda c: True))
    if key in ("p4", "p21", "enaf", "naf", "artif", "impermeable"):
        classes = nom.derived_classes(key)
        numeric = key in ("p4", "p21", "artif", "impermeable")
        items = []
        for code, c in classes.items():
            label = "%s - %s" % (code, c.label) if key in ("p4", "p21") else c.label
            items.append((code, label, c.colour))
        return Template(key, TITLES[key], numeric, items)
    if key == "type_changement":
        from .changes import CHANGE_TYPES

        return Template(key, TITLES[key], False, [(name, name, colour) for name, colour in CHANGE_TYPES])
    if key == "friche_vocation":
        return Template(key, TITLES[key], False, list(FRICHE_VOCATIONS))
    if key == "controle":
        return Template(key, TITLES[key], False, list(CONTROLE_CLASSES))
    if key == "heat_score":
        from .heat import CLASS_COLOURS, CLASSES

        # the ADEME bounds of CRU = 1 − score/100, hottest first: score ≥ 80, 60–80, 40–60, 20–40, < 20
        bounds = (100.0, 80.0, 60.0, 40.0, 20.0, 0.0)
        ranges = [(bounds[i + 1], bounds[i], "%g – %g : %s" % (bounds[i + 1], bounds[i], label), colour)
                  for i, ((_b, label), colour) in enumerate(zip(CLASSES, CLASS_COLOURS))]
        return Template(key, TITLES[key], True, [], ranges=ranges)
    if key == "heat_classe":
        from .heat import CLASS_COLOURS, CLASSES

        return Template(key, TITLES[key], False,
                        [(label, label, colour) for (_b, label), colour in zip(CLASSES, CLASS_COLOURS)])
    raise KeyError(key)


# -- graduated templates of the tables per zone (ocs:territoryflows, ocs:zantrajectory) -------------------------
# Fixed bounds, so that two territories or two runs are mapped alike; the legend in "fr" or "en".
OPEN_END = 1e9                              # upper bound of the last class ("≥ 5 %")
CONSUMPTION_BOUNDS = (0.5, 1.0, 2.0, 5.0)   # ENAF consumed: % of the zone, or ha/year
REMAINING_BOUNDS = (1.0, 2.0, 5.0, 10.0)    # remaining allowance, ha
EXCEEDED_BELOW = -0.005                     # ha: a remaining allowance shown as 0.00 ha is not "exceeded"
CONSUMPTION_COLOURS = ("#E6E6E6", "#FDD49E", "#FDBB84", "#FC8D59", "#E34A33", "#B30000")
REMAINING_COLOURS = ("#CA0020", "#F4A582", "#D9F0A3", "#ADDD8E", "#78C679", "#31A354")
ZONE_TEXTS = {
    "fr": {"conso_pct": "Consommation d'ENAF {0} (% de la zone)", "conso_ha_an": "Consommation d'ENAF {0} (ha/an)",
           "reste": "Enveloppe restante {0} (ha)", "none": "aucune (0{0})", "exceeded": "dépassée (< 0\u00a0ha)",
           "pct": "\u00a0%", "ha_an": "\u00a0ha/an", "ha": "\u00a0ha"},
    "en": {"conso_pct": "ENAF consumption {0} (% of the zone)", "conso_ha_an": "ENAF consumption {0} (ha/year)",
           "reste": "Remaining allowance {0} (ha)", "none": "none (0{0})", "exceeded": "exceeded (< 0 ha)",
           "pct": "%", "ha_an": " ha/year", "ha": " ha"},
}


def _number(value, lang):
    text = "%g" % value
    return text.replace(".", ",") if lang == "fr" else text


def _graduated(bounds, colours, unit, lang):
    """(lower, upper, label, colour) of the classes between ``bounds`` and above the last one."""
    ranges = []
    for i, lower in enumerate((0.0,) + bounds):
        colour = colours[i + 1]
        if i == len(bounds):
            ranges.append((lower, OPEN_END, "≥ %s%s" % (_number(lower, lang), unit), colour))
        else:
            label = "%s – %s%s" % (_number(lower, lang), _number(bounds[i], lang), unit)
            ranges.append((lower, bounds[i], label, colour))
    return ranges


def zone_template(kind, period, language="fr"):
    """Graduated Template of a table per zone, ``period`` = (from, to):

    - 'conso_pct', 'conso_ha_an' (ocs:territoryflows): ENAF consumed over the period, in % of the zone or ha/year;
      a class of its own for none (0), then 0–0.5, 0.5–1, 1–2, 2–5, ≥ 5;
    - 'reste' (ocs:zantrajectory): remaining allowance of the objective decade (ha): exceeded (< 0), 0–1, 1–2,
      2–5, 5–10, ≥ 10 ha.
    A value matches the first class that holds it, bounds included (QGIS's graduated renderer)."""
    lang = "fr" if str(language or "fr")[:2].lower() == "fr" else "en"
    texts = ZONE_TEXTS[lang]
    title = texts[kind].format("%s-%s" % tuple(period))
    if kind == "reste":
        ranges = [(-OPEN_END, EXCEEDED_BELOW, texts["exceeded"], REMAINING_COLOURS[0])]
        ranges += _graduated(REMAINING_BOUNDS, REMAINING_COLOURS, texts["ha"], lang)
        first = ranges[1]
        ranges[1] = (EXCEEDED_BELOW,) + first[1:]
    elif kind in ("conso_pct", "conso_ha_an"):
        unit = texts["pct" if kind == "conso_pct" else "ha_an"]
        ranges = [(0.0, 0.0, texts["none"].format(unit), CONSUMPTION_COLOURS[0])]
        ranges += _graduated(CONSUMPTION_BOUNDS, CONSUMPTION_COLOURS, unit, lang)
    else:
        raise KeyError(kind)
    return Template("zone_" + kind, title, True, [], ranges=ranges)


_PALETTE = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F",
            "#BCBD22", "#17BECF")


def _fallback_colour(index):
    return _PALETTE[index % len(_PALETTE)]


def envelope_template(vintages):
    """Outline colours per vintage for ocs:urbanenvelope (older = lighter)."""
    ramp = ("#F4A582", "#D6604D", "#B2182B", "#67001F")
    vintages = list(vintages)
    classes = []
    for i, vintage in enumerate(vintages):
        colour = ramp[min(len(ramp) - 1, i + max(0, len(ramp) - len(vintages)))]
        classes.append((vintage, "Enveloppe urbaine %s" % vintage, colour))
    return Template("enveloppe", "Enveloppe urbaine", False, classes, outline_only=True)


def looks_ocsge(values, default=False):
    """Do sample codes belong to OCS GE rather than OCS2D? 4-part CS codes decide; otherwise the codes that
    exist in only one of the two lists are counted; ``default`` when nothing tells them apart."""
    ocsge = nom.get_nomenclature(nom.OCSGE)
    ocs2d = nom.get_nomenclature(nom.OCS2D_2021)
    score = 0
    for value in values:
        code = nom.normalise_code(value)
        if not code:
            continue
        if code.startswith("CS") and code.count(".") == 3:
            return True
        dimension = "cs" if code.startswith("CS") else "us"
        in_ge, in_2d = code in ocsge.classes(dimension), code in ocs2d.classes(dimension)
        score += (1 if in_ge and not in_2d else 0) - (1 if in_2d and not in_ge else 0)
    if score == 0:
        return default
    return score > 0


def template_for_field(field_name, sample_values=()):
    """Template key for a field name (None when unknown): p4_2021 → p4, cs21 → ocs2d_cs_niv3, CODE_CS → ocsge_cs …"""
    name = field_name.lower()
    if name.endswith("_lib"):
        return None
    rules = (
        (r"^p4(_|$)", "p4"), (r"^p21(_|$)", "p21"), (r"^enaf(_|$)", "enaf"), (r"^(naf|urba)(_|$)", "naf"),
        (r"^artif(_|$)", "artif"), (r"^imperm", "impermeable"), (r"^type_changement$", "type_changement"),
        (r"^classe_\d{4}$", "heat_classe"), (r"^score(_jour|_nuit)?_\d{4}$", "heat_score"), (r"^vocation$", "friche_vocation"),
        (r"^controle$", "controle"),
        (r"^ocsge_cs", "ocsge_cs"), (r"^ocsge_us", "ocsge_us"),
        (r"^(code_cs|couverture)$", "ocsge_cs"), (r"^(code_us|usage)$", "ocsge_us"),
    )
    for pattern, key in rules:
        if re.search(pattern, name):
            return key
    ign_name = re.match(r"^(cs|us)_(\d{4}|avant|apres)$", name) is not None
    ocsge = looks_ocsge(sample_values, default=ign_name)
    family = "ocsge" if ocsge else "ocs2d"
    match = re.match(r"^niv(\d)_(cs|us)_", name)
    if match:
        return "%s_%s_niv%s" % (family, match.group(2), match.group(1))
    match = re.match(r"^(cs|us)(\d)_\d{4}$", name)          # cs1_2021 … cs3_2021 (enriched export)
    if match:
        return "%s_%s_niv%s" % (family, match.group(1), match.group(2))
    match = re.match(r"^(cs|us)(\d{2}|_\d{4}|_avant|_apres)$", name)
    if match:
        dimension = match.group(1)
        if ocsge:
            return "ocsge_%s" % dimension
        return "ocs2d_%s_niv3" % dimension
    return None
