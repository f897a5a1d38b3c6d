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
        text = "En %s, %s %s %s de %s (%s)" % (year, words[first_code], verb, share(100.0 * first_ha / total, lang),
                                              place or "la commune", hectares(first_ha, lang))
    else:
        verb = "cover"
        text = "In %s, %s %s %s of %s (%s)" % (year, words[first_code], verb, share(100.0 * first_ha / total, lang),
                                              place or "the commune", hectares(first_ha, lang))
    if rest:
        text += (", " if len(rest) > 1 else (" et " if lang == "fr" else " and ")) + enumerate_words(rest, lang)
    return text[0].upper() + text[1:] + "."


def zan_sentence(objective, allowance_ha, consumed_ha, language="fr"):
    """The allowance of the ZAN decade ``objective`` (start, end), what is consumed since its start, what is left
    or by how much it is exceeded."""
    lang = report_language(language)
    start, end = objective
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
