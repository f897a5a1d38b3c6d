"""Carbon stocks and flows of soils and vegetation by land-use category, after ADEME's ALDO method.

Plain Python (no QGIS import). The reference tables are ALDO's own (resources/carbon/, MIT, provenance in its
README); the mapping of OCS2D and OCS GE codes to ALDO categories is this project's proposal
(resources/carbon/mapping_*.csv), overridable by the user.

Rules (ALDO, method documentation and data of incubateur-ademe/aldo, commit a8f42b2):
- stocks, tC/ha: soil by category and pedo-climatic zone (stocks-zpc.csv); litter 9 tC/ha under forests; biomass
  outside forests by category and inter-region (biomass-hors-forets.csv); forest biomass = living + dead wood
  (bilan-carbone-foret-par-localisation.csv) by composition, at the region level (rad13, from the commune's
  département) when IGN's value is significant there, else France (the commune → SER/GRECO table is not shipped
  by ALDO's data: the region is the most precise level we can locate);
- flows between two vintages, per ha changed: soil: to or from artificial land or wetlands, the stock difference
  at once (it equals every one-off factor of flux-zpc.csv); among cultures, prairies, forêts, vergers, vignes the
  yearly factor of flux-zpc.csv for 20 years (0 where ALDO has none); artificial land changing to another class
  counts as its equivalent (sealed → cultures, grassed → prairies, wooded → forêts), as ALDO does; litter: −9 tC/ha
  at once when a forest becomes anything but wooded artificial land, +9 when a forest or wooded artificial land is
  made on land other than sealed land (ALDO); biomass: outside forests ALDO's value for the pair
  (biomass-hors-forets.csv: a loss at once, a gain yearly for 20 years); otherwise (forests, pairs ALDO has no
  value for) the difference of the two biomass stocks, a loss at once, a gain spread over 20 years (the rule
  ALDO's table follows; ALDO itself counts the net increment of the whole forest instead, not done here);
- CO2 = C × 44/12; negative = release to the atmosphere.
"""
import csv
import dataclasses
import functools
import json
import os
from collections import defaultdict

from . import changes as ch
from . import nomenclature as nom

CARBON_DIR = os.path.join(nom.RESOURCES, "carbon")

CO2_PER_C = 44.0 / 12.0
LITTER_TC_HA = 9.0          # ALDO data/stocks.js, getForestLitterCarbonDensity
SLOW_YEARS = 20             # ALDO: slow soil changes and biomass gains over 20 years
DEFAULT_INTER_REGION = "NORD-OUEST"   # Hauts-de-France's, used only when no commune locates the land

# ALDO categories: key → (soil column of stocks-zpc.csv, biomass column of biomass-hors-forets.csv or the forest
# composition of the IGN table, slow-flow id of flux-zpc.csv or None)
CATEGORIES = {
    "cultures": ("cultures", "cultures", "cult"),
    "prairies_herbacees": ("prairies", "prairies zones herbacées", "prai"),
    "prairies_arbustives": ("prairies", "prairies zones arbustives", "prai"),
    "prairies_arborees": ("prairies", "prairies zones arborées", "prai"),
    "foret_feuillus": ("forêts", "Feuillu", "for"),
    "foret_coniferes": ("forêts", "Conifere", "for"),
    "foret_mixtes": ("forêts", "Mixte", "for"),
    "foret_peupleraies": ("forêts", "Peupleraie", "for"),
    "zones_humides": ("zones humides", "zones humides", "zh"),
    "vergers": ("vergers", "vergers", "verg"),
    "vignes": ("vignes", "vignes", "vign"),
    "artif_impermeabilises": ("sols artificiels imperméabilisés", "sols artificiels imperméabilisés", "art"),
    "artif_enherbes": ("sols artificiels enherbés", "sols artificiels arbustifs", "art"),
    "artif_arbores": ("sols artificiels arborés et buissonants", "sols artificiels arborés et buissonants", "art"),
    "hors_aldo": (None, None, None),
}
FORESTS = ("foret_feuillus", "foret_coniferes", "foret_mixtes", "foret_peupleraies")
ARTIFICIAL = ("artif_impermeabilises", "artif_enherbes", "artif_arbores")
# how ALDO counts artificial land that changes to another class (data/flux.js)
ARTIFICIAL_EQUIVALENT = {"artif_impermeabilises": "cultures", "artif_enherbes": "prairies_arbustives",
                         "artif_arbores": "foret_mixtes"}
SPLIT = "cultures_prairies"     # OCS GE agricultural herbaceous land, split by the arable share
UNKNOWN = "non_classe"          # codes the mapping does not know: area counted, no stock
AREA_CATEGORIES = tuple(CATEGORIES) + (UNKNOWN,)
RESERVOIRS = ("sol", "litiere", "biomasse")

# kinds of change, in the order of the outputs
KINDS = ("artificialisation", "desartificialisation", "changement_artificiel", "deforestation", "boisement",
         "retournement_prairies", "mise_en_herbe", "zones_humides", "autres")


class CarbonError(ValueError):
    """A mapping problem: ``kind`` ('category': origin, row number, value; 'share': value in %) and its values,
    for the caller to word in the user's language; str() gives the English message."""

    def __init__(self, kind, *values):
        self.kind = kind
        self.values = values
        if kind == "category":
            text = "%s row %d: '%s' is not an ALDO category." % values
        else:
            text = "The arable share must lie between 0 and 100 %%: %s." % values
        super().__init__(text)


# -- reference tables ------------------------------------------------------------------------------------------

def _number(text):
    text = (text or "").strip()
    if not text or text.upper() == "NA":
        return None
    return float(text)


def _csv_rows(name):
    with open(os.path.join(CARBON_DIR, name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _commune_zones(zones):
    """{INSEE code: zone} of zpc.csv (35,000 rows: read as plain lines); rows whose zone is not one of ``zones``
    (the spreadsheet's total rows at the end) are skipped."""
    found = {}
    with open(os.path.join(CARBON_DIR, "zpc.csv"), encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            insee, _comma, zone = line.strip().partition(",")
            if zone in zones:
                found[insee.strip()] = zone
    return found


@dataclasses.dataclass(frozen=True)
class Location:
    """Where a piece of land lies for the tables: pedo-climatic zone and INSEE region code ("" unknown)."""

    zpc: str
    region: str = ""


class Tables:
    """ALDO's tables, read once from resources/carbon/."""

    def __init__(self):
        self.soil = {row["zpc"]: {k: _number(v) for k, v in row.items() if k != "zpc"}
                     for row in _csv_rows("stocks-zpc.csv")}
        self.soil_flux = {row["zpc"]: {k: _number(v) for k, v in row.items() if k != "zpc"}
                          for row in _csv_rows("flux-zpc.csv")}
        self.biomass = {row["INTER_REG"]: {k: _number(v) or 0.0 for k, v in row.items() if k != "INTER_REG"}
                        for row in _csv_rows("biomass-hors-forets.csv")}
        self.commune_zpc = _commune_zones(set(self.soil))
        with open(os.path.join(CARBON_DIR, "region-to-inter-region.json"), encoding="utf-8") as handle:
            self.inter_region = {code: value["interRegion"] for code, value in json.load(handle).items()}
        self.departement = {row["departement"]: (row["region"], row["rad13"])
                            for row in nom.read_table("carbon/departements_regions.csv")}
        self.rad13 = {region: rad13 for region, rad13 in self.departement.values()}
        self.forest = {}
        for row in _csv_rows("bilan-carbone-foret-par-localisation.csv"):
            if row["type_localisation"] in ("rad13", "France") and row["surface_ic"] == "s":
                living = _number(row["carbone_(tC∙ha-1)"])
                dead = _number(row["bois_mort_carbone_(tC∙ha-1)"])
                if living is not None:
                    self.forest[(row["code_localisation"], row["composition"])] = (living, dead or 0.0)

    # -- where ----------------------------------------------------------------------------------------------
    def zpc_of(self, insee):
        """The pedo-climatic zone of commune ``insee`` (None when the table does not hold it)."""
        return self.commune_zpc.get(insee_code(insee))

    def region_of(self, insee):
        """The INSEE region code of commune ``insee`` from its département ("" when unknown)."""
        code = insee_code(insee)
        return self.departement.get(code[:2], ("", ""))[0] if code else ""

    def departement_zpc(self, insee):
        """The most frequent zone among the communes of the département of ``insee`` (None when unknown)."""
        code = insee_code(insee)
        if not code:
            return None
        return _departement_zones(self).get(code[:2])

    # -- stocks, tC/ha ---------------------------------------------------------------------------------------
    def forest_biomass(self, category, region):
        """(living + dead wood tC/ha, level used: 'rad13:<code>' or 'France') of forest ``category``."""
        composition = CATEGORIES[category][1]
        rad13 = self.rad13.get(region)
        if rad13 and (rad13, composition) in self.forest:
            living, dead = self.forest[(rad13, composition)]
            return living + dead, "rad13:" + rad13
        living, dead = self.forest[("France", composition)]
        return living + dead, "France"

    def density(self, category, location):
        """(soil, litter, biomass) tC/ha of ``category`` at ``location``."""
        soil_column, biomass_column, _flow = CATEGORIES[category]
        if soil_column is None:
            return 0.0, 0.0, 0.0
        soil = self.soil[location.zpc][soil_column]
        if category in FORESTS:
            return soil, LITTER_TC_HA, self.forest_biomass(category, location.region)[0]
        inter = self.inter_region.get(location.region, DEFAULT_INTER_REGION)
        return soil, 0.0, self.biomass[inter].get(biomass_column, 0.0)

    # -- flows, per ha changed ---------------------------------------------------------------------------------
    def effect(self, before, after, location):
        """The Effect of 1 ha changing from category ``before`` to ``after`` at ``location``."""
        return _effect(self, before, after, location)


@functools.lru_cache(maxsize=None)
def tables():
    return Tables()


def _departement_zones(tables_):
    cache = getattr(tables_, "_departement_zones", None)
    if cache is None:
        counts = defaultdict(lambda: defaultdict(int))
        for insee, zpc in tables_.commune_zpc.items():
            counts[insee[:2]][zpc] += 1
        cache = {dep: max(sorted(zones), key=lambda z: zones[z]) for dep, zones in counts.items()}
        tables_._departement_zones = cache
    return cache


def insee_code(value):
    """An INSEE commune code as the tables write it: 5 characters, a leading zero restored ("1001" → "01001");
    "" for NULL."""
    if nom.is_null(value):
        return ""
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit() and len(text) == 4:
        text = "0" + text
    return text.upper()


@dataclasses.dataclass
class Effect:
    """Carbon effect of 1 ha changed (tC/ha): at once, and yearly for SLOW_YEARS years."""

    soil_once: float = 0.0
    soil_yearly: float = 0.0
    litter_once: float = 0.0
    biomass_once: float = 0.0
    biomass_yearly: float = 0.0

    def once(self):
        return self.soil_once + self.litter_once + self.biomass_once

    def yearly(self):
        return self.soil_yearly + self.biomass_yearly

    def total(self):
        """The whole effect: one-off plus 20 years of the yearly part."""
        return self.once() + SLOW_YEARS * self.yearly()


def _soil_effect(tables_, before, after, location):
    """(once, yearly) tC/ha of the soil."""
    if before in ARTIFICIAL:
        before = ARTIFICIAL_EQUIVALENT[before]
    b_flow, a_flow = CATEGORIES[before][2], CATEGORIES[after][2]
    if b_flow is None or a_flow is None or b_flow == a_flow:
        return 0.0, 0.0
    if a_flow in ("art", "zh") or b_flow == "zh":
        stocks = tables_.soil[location.zpc]
        return stocks[CATEGORIES[after][0]] - stocks[CATEGORIES[before][0]], 0.0
    yearly = tables_.soil_flux[location.zpc].get("%s_%s" % (b_flow, a_flow))
    return 0.0, yearly or 0.0


def _litter_effect(before, after):
    wooded = FORESTS + ("artif_arbores",)
    if before in FORESTS and after not in wooded:
        return -LITTER_TC_HA
    if after in wooded and before not in wooded + ("artif_impermeabilises",):
        return LITTER_TC_HA
    return 0.0


def _effect(tables_, before, after, location):
    if before == after:
        return Effect()
    soil_once, soil_yearly = _soil_effect(tables_, before, after, location)
    biomass_once, biomass_yearly = _biomass_effect(tables_, before, after, location)
    return Effect(soil_once, soil_yearly, _litter_effect(before, after), biomass_once, biomass_yearly)


def _biomass_effect(tables_, before, after, location):
    """(once, yearly) tC/ha of the biomass: ALDO's value for the pair outside forests when its table has one
    (a loss is a one-off figure, a gain a yearly one), else the difference of the two stocks, a loss at once and
    a gain over 20 years (the rule the table follows, but for 'prairies zones arborées vers zones humides')."""
    row = tables_.biomass[tables_.inter_region.get(location.region, DEFAULT_INTER_REGION)]
    key = "%s vers %s" % (CATEGORIES[before][1], CATEGORIES[after][1])
    if before not in FORESTS and after not in FORESTS and key in row:
        value = row[key]
        return (value, 0.0) if value < 0 else (0.0, value)
    difference = tables_.density(after, location)[2] - tables_.density(before, location)[2]
    return (difference, 0.0) if difference < 0 else (0.0, difference / SLOW_YEARS)


def change_kind(before, after):
    """The kind of change (one of KINDS) from category ``before`` to ``after`` (both different)."""
    if after in ARTIFICIAL:
        return "changement_artificiel" if before in ARTIFICIAL else "artificialisation"
    if before in ARTIFICIAL:
        return "desartificialisation"
    if "zones_humides" in (before, after):
        return "zones_humides"
    if before in FORESTS and after not in FORESTS:
        return "deforestation"
    if after in FORESTS and before not in FORESTS:
        return "boisement"
    if before.startswith("prairies") and after == "cultures":
        return "retournement_prairies"
    if before == "cultures" and after.startswith("prairies"):
        return "mise_en_herbe"
    return "autres"


def to_co2e(value_c):
    return value_c * CO2_PER_C


# -- mapping of codes to categories ---------------------------------------------------------------------------

def _patterns(text):
    return tuple(p.strip().upper() for p in (text or "").split("|") if p.strip())


def _matches(patterns, code):
    if not patterns:
        return True
    if not code:
        return False
    return any(code == p or code.startswith(p + ".") for p in patterns)


class Mapping:
    """Codes (couverture × usage) → ALDO category: the first matching row wins; the user's rows (MAPPING) are
    tried before the shipped ones. ``arable_share`` (0..1) splits the ``cultures_prairies`` category."""

    def __init__(self, rows, arable_share=0.5, user_rows=()):
        self.rows = []
        for origin, source in (("MAPPING", user_rows), ("shipped", rows)):
            for number, (cs, us, category) in enumerate(source, 1):
                category = (category or "").strip().lower()
                if category not in CATEGORIES and category != SPLIT:
                    raise CarbonError("category", origin, number, category)
                self.rows.append((_patterns(cs), _patterns(us), category, origin == "MAPPING"))
        if not 0.0 <= arable_share <= 1.0:
            raise CarbonError("share", "%g" % (arable_share * 100))
        self.arable_share = arable_share

    def category(self, cs, us):
        """The category of normalised codes ``cs``/``us`` (a key of CATEGORIES, SPLIT, or None when unknown)."""
        for cs_patterns, us_patterns, category, _user in self.rows:
            if _matches(cs_patterns, cs) and _matches(us_patterns, us):
                return category
        return None

    def spec(self, category):
        """((category, share), …) of a category returned by ``category`` (None: unknown codes)."""
        if category is None:
            return ((UNKNOWN, 1.0),)
        if category == SPLIT:
            share = self.arable_share
            return tuple((c, s) for c, s in (("cultures", share), ("prairies_herbacees", 1.0 - share)) if s > 0)
        return ((category, 1.0),)


def shipped_rows(nomenclature_key):
    """(cs, us, category) rows of the shipped mapping of ``nomenclature_key``."""
    name = "carbon/mapping_ocsge.csv" if nomenclature_key == nom.OCSGE else "carbon/mapping_ocs2d_2021.csv"
    return [(row["couverture"], row["usage"], row["categorie"]) for row in nom.read_table(name)]


def mapping_for(nomenclature_key, arable_share=0.5, user_rows=()):
    return Mapping(shipped_rows(nomenclature_key), arable_share, user_rows)


def code_translator(nomenclature_key):
    """function(cs, us) → normalised (cs, us) in the mapping's codes: the Nord-Pas-de-Calais legacy codes recoded
    to 2021 codes."""
    if nomenclature_key != nom.OCS2D_NPDC:
        return lambda cs, us: (nom.normalise_code(cs), nom.normalise_code(us))
    legacy = nom.legacy_to_2021()

    def translate(cs, us):
        cs, us = nom.normalise_code(cs), nom.normalise_code(us)
        return legacy["cs"].get(cs, cs), legacy["us"].get(us, us)
    return translate


# -- the ledger: areas by zone, location and categories, then stocks and flows ------------------------------

@dataclasses.dataclass
class Stock:
    """Stocks of one zone and vintage: tC per reservoir, ha per category."""

    soil: float = 0.0
    litter: float = 0.0
    biomass: float = 0.0
    area_ha: float = 0.0
    areas: dict = dataclasses.field(default_factory=lambda: defaultdict(float))
    by_category: dict = dataclasses.field(default_factory=lambda: defaultdict(float))   # category → tC

    @property
    def total(self):
        return self.soil + self.litter + self.biomass

    @property
    def per_ha(self):
        return self.total / self.area_ha if self.area_ha else None


@dataclasses.dataclass
class Flow:
    """Flows of one zone and period (tC, negative = emission); ``kinds``: kind → [ha, total tC]."""

    years: int = 0
    area_ha: float = 0.0            # land compared
    changed_ha: float = 0.0
    soil_once: float = 0.0
    soil_yearly: float = 0.0
    litter_once: float = 0.0
    biomass_once: float = 0.0
    biomass_yearly: float = 0.0
    kinds: dict = dataclasses.field(default_factory=lambda: {kind: [0.0, 0.0] for kind in KINDS})

    @property
    def once(self):
        return self.soil_once + self.litter_once + self.biomass_once

    @property
    def yearly(self):
        return self.soil_yearly + self.biomass_yearly

    @property
    def total(self):
        """One-off flows plus 20 years of the yearly flows of the period's changes."""
        return self.once + SLOW_YEARS * self.yearly

    @property
    def total_per_year(self):
        """The total spread over the years of the period (ALDO's yearly flow), None when they are not years."""
        return self.total / self.years if self.years else None


class Ledger:
    """Areas (m²) by zone, then by (Location, category spec per vintage): ``cells[zone][(location, specs)]``;
    stocks and flows computed from them."""

    def __init__(self, years, tables_=None):
        self.years = list(years)
        self.tables = tables_ or tables()
        self.cells = defaultdict(lambda: defaultdict(float))
        self._effects = {}

    def add(self, zone, location, specs, area_m2):
        """``specs``: one spec (Mapping.spec) per vintage."""
        self.cells[zone][(location, tuple(specs))] += area_m2

    def items(self, zone=Ellipsis):
        """(location, specs, m²) of ``zone`` (Ellipsis: of every zone)."""
        groups = self.cells.values() if zone is Ellipsis else [self.cells.get(zone, {})]
        for group in groups:
            for (location, specs), area in group.items():
                yield location, specs, area

    def zones(self):
        return sorted(self.cells, key=lambda z: (z is None, str(z)))

    def total_area(self, zone=Ellipsis):
        return sum(area for _l, _s, area in self.items(zone)) / 1e4

    def stock(self, zone, year):
        """The Stock of ``zone`` (Ellipsis: all zones) at vintage ``year``."""
        index = self.years.index(year)
        result = Stock()
        for location, specs, area in self.items(zone):
            hectares = area / 1e4
            result.area_ha += hectares
            for category, share in specs[index]:
                part = hectares * share
                result.areas[category] += part
                if category == UNKNOWN:
                    continue
                soil, litter, biomass = self.tables.density(category, location)
                result.soil += part * soil
                result.litter += part * litter
                result.biomass += part * biomass
                result.by_category[category] += part * (soil + litter + biomass)
        return result

    def effect(self, before, after, location):
        key = (before, after, location)
        if key not in self._effects:
            self._effects[key] = self.tables.effect(before, after, location)
        return self._effects[key]

    def flow(self, zone, period):
        """The Flow of ``zone`` (Ellipsis: all zones) over ``period`` = (from year, to year)."""
        first, second = self.years.index(period[0]), self.years.index(period[1])
        result = Flow(years=ch.years_between(period) or 0)
        for location, specs, area in self.items(zone):
            hectares = area / 1e4
            result.area_ha += hectares
            if specs[first] == specs[second]:
                continue
            for before, share_b in specs[first]:
                for after, share_a in specs[second]:
                    if before == after:
                        continue
                    part = hectares * share_b * share_a
                    result.changed_ha += part
                    if UNKNOWN in (before, after):
                        continue
                    effect = self.effect(before, after, location)
                    result.soil_once += part * effect.soil_once
                    result.soil_yearly += part * effect.soil_yearly
                    result.litter_once += part * effect.litter_once
                    result.biomass_once += part * effect.biomass_once
                    result.biomass_yearly += part * effect.biomass_yearly
                    kind = result.kinds[change_kind(before, after)]
                    kind[0] += part
                    kind[1] += part * effect.total()
        return result



def periods(years):
    """Consecutive pairs of vintages, then first → last when there are more than two (as ocs:territoryflows)."""
    return ch.periods(list(years))


def spec_category(spec):
    """The category a polygon is shown with: the split agricultural category when its spec holds two."""
    return SPLIT if len(spec) > 1 else spec[0][0]


def stock_per_ha(tables_, spec, location):
    """Total stock (tC/ha) of land of ``spec`` at ``location``; None for unknown codes."""
    if spec[0][0] == UNKNOWN:
        return None
    return sum(share * sum(tables_.density(category, location)) for category, share in spec)
