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


def get_template(key, custom=None):
    """The template ``key`` (see template_keys); ``custom`` is a rules.CustomTable for key 'custom'."""
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
