"""Detection of couverture/usage fields, vintages and nomenclature from a layer's field names and codes.

Plain functions on lists of names and values, unit-tested on every pattern (tests/unit/test_detection.py).
"""
import re

from . import nomenclature as nom

# Single-date OCS GE spellings (OCCUPATION_SOL as delivered, MonDiagArtif variants).
OCSGE_FIELD_PAIRS = (("CODE_CS", "CODE_US"), ("code_cs", "code_us"), ("couverture", "usage"))
MILLESIME_FIELDS = ("MILLESIME", "millesime", "annee", "ANNEE")

_TWO_DIGITS = re.compile(r"^(cs|us)(\d{2})$", re.IGNORECASE)               # OCS2D cs21 / us21
_FOUR_DIGITS = re.compile(r"^(cs|us)(?:3)?_(\d{4})$", re.IGNORECASE)        # cs3_2021, CS_2018 (IGN change)
_BEFORE_AFTER = re.compile(r"^(cs|us)_(avant|apres)$", re.IGNORECASE)       # IGN change product variant


class VintageFields:
    """The couverture and usage fields of one vintage."""

    __slots__ = ("vintage", "cs_field", "us_field", "source")

    def __init__(self, vintage, cs_field, us_field, source):
        self.vintage = vintage      # "2021", or "avant"/"apres" for change products without years
        self.cs_field = cs_field
        self.us_field = us_field
        self.source = source        # "ocs2d", "ocs2d_level3", "ign_change", "ocsge"

    def __repr__(self):
        return "VintageFields(%r, %r, %r, %r)" % (self.vintage, self.cs_field, self.us_field, self.source)

    def __eq__(self, other):
        return isinstance(other, VintageFields) and (
            (self.vintage, self.cs_field, self.us_field, self.source)
            == (other.vintage, other.cs_field, other.us_field, other.source))


def two_digit_year(text):
    """'05' → '2005', '98' → '1998' (OCS2D csYY fields)."""
    value = int(text)
    return str(1900 + value if value >= 70 else 2000 + value)


def find_field(field_names, candidates):
    """First of ``candidates`` present in ``field_names``, exact spelling first, then case-insensitive."""
    for candidate in candidates:
        if candidate in field_names:
            return candidate
    lower = {name.lower(): name for name in field_names}
    for candidate in candidates:
        if candidate.lower() in lower:
            return lower[candidate.lower()]
    return None


def detect_vintage_fields(field_names):
    """List the vintages a layer carries, from its field names alone.

    Returns ``(vintages, millesime_field)``: ``vintages`` is a list of VintageFields sorted by vintage.
    A single-date OCS GE layer gives one VintageFields with ``vintage=None``: the year is read from
    ``millesime_field`` values (or given by the user).
    """
    names = list(field_names)
    found = {}
    for pattern, source in ((_TWO_DIGITS, "ocs2d"), (_FOUR_DIGITS, None), (_BEFORE_AFTER, "ign_change")):
        for name in names:
            match = pattern.match(name)
            if not match:
                continue
            dimension = match.group(1).lower()
            if pattern is _TWO_DIGITS:
                vintage = two_digit_year(match.group(2))
            else:
                vintage = match.group(2).lower()
            kind = source
            if kind is None:
                kind = "ocs2d_level3" if "3_" in name else "ign_change"
            entry = found.setdefault((vintage, kind), {})
            entry.setdefault(dimension, name)
    vintages = []
    seen_years = set()
    # Prefer csYY/usYY over cs3_YYYY for the same year; keep only complete cs/us pairs.
    for kind in ("ocs2d", "ocs2d_level3", "ign_change"):
        for (vintage, entry_kind), entry in sorted(found.items()):
            if entry_kind != kind or vintage in seen_years:
                continue
            if "cs" in entry and "us" in entry:
                vintages.append(VintageFields(vintage, entry["cs"], entry["us"], kind))
                seen_years.add(vintage)
    order = {"avant": "0", "apres": "1"}
    vintages.sort(key=lambda v: order.get(v.vintage, v.vintage))
    millesime = find_field(names, MILLESIME_FIELDS)
    if not vintages:
        for cs_name, us_name in OCSGE_FIELD_PAIRS:
            cs_field = find_field(names, (cs_name,))
            us_field = find_field(names, (us_name,))
            if cs_field and us_field:
                vintages.append(VintageFields(None, cs_field, us_field, "ocsge"))
                break
    return vintages, millesime


def parse_vintages(text):
    """'2015, 2021' → ['2015', '2021']; '15;21' → ['2015', '2021']; '' → []. Raises ValueError on junk."""
    if text is None:
        return []
    result = []
    for token in re.split(r"[\s,;]+", str(text).strip()):
        if not token:
            continue
        if re.fullmatch(r"\d{4}", token):
            result.append(token)
        elif re.fullmatch(r"\d{2}", token):
            result.append(two_digit_year(token))
        elif token.lower() in ("avant", "apres"):
            result.append(token.lower())
        else:
            raise ValueError(token)
    return result


def detect_nomenclature(cs_codes, us_codes, field_source=None):
    """Guess the nomenclature from normalised codes (iterables) and the field pattern.

    OCS GE when the fields are OCS GE's or codes have OCS GE shapes (4-part CS, 2-part US such as US1.1,
    US235); the legacy Nord-Pas-de-Calais list when codes exist only there (CS5.2.1, CS2.2.0, …);
    OCS2D 2021 otherwise.
    """
    cs_codes = {c for c in cs_codes if c}
    us_codes = {c for c in us_codes if c}
    ocsge = nom.get_nomenclature(nom.OCSGE)
    modern = nom.get_nomenclature(nom.OCS2D_2021)
    legacy = nom.get_nomenclature(nom.OCS2D_NPDC)
    if field_source == "ocsge":
        return nom.OCSGE
    modern_leaves = {"cs": {c for c, k in modern.cs.items() if k.leaf}, "us": {c for c, k in modern.us.items() if k.leaf}}
    if any(c in ocsge.cs and c.count(".") == 3 for c in cs_codes):
        return nom.OCSGE
    if any(c in ocsge.us and ocsge.us[c].leaf and c not in modern_leaves["us"] for c in us_codes):
        return nom.OCSGE
    legacy_only_cs = {c for c, k in legacy.cs.items() if k.leaf} - modern_leaves["cs"]
    if cs_codes & legacy_only_cs:
        return nom.OCS2D_NPDC
    score_ocsge = len(cs_codes & set(ocsge.cs)) + len(us_codes & set(ocsge.us))
    score_modern = len(cs_codes & set(modern.cs)) + len(us_codes & set(modern.us))
    return nom.OCSGE if score_ocsge > score_modern else nom.OCS2D_2021
