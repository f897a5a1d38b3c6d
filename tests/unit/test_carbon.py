"""core/carbon.py without QGIS: the ALDO tables, the shipped mapping, stocks and flows computed by hand.

Where each number comes from (resources/carbon/, copies of ALDO's tables):
- stocks-zpc.csv: zone 2_1 cultures 50, prairies 69, forêts 60, sealed 30; zone 2_3 cultures 52, sealed 30;
- flux-zpc.csv: 2_1 cult_art_imp −20, 2_3 cult_art_imp −22, 2_1 prai_cult −0.72 tC/ha/yr;
- zpc.csv: 59002 → 2_1, 62001 → 2_3 (both Hauts-de-France, region 32, inter-region NORD-OUEST);
- bilan-carbone-foret-par-localisation.csv: rad13 HDF Feuillu 97.25 living + 6.16 dead wood; HDF Conifere is
  not significant ("n.s") → France Conifere 77.06 + 6.02;
- biomass-hors-forets.csv, NORD-OUEST: prairies zones arborées 48, vergers 16, "cultures vers vergers" 0.8/yr.
"""
import pytest

from ocs_toolbox.core import carbon
from ocs_toolbox.core import nomenclature as nom

ZONE_2_1 = carbon.Location("2_1", "32")      # commune 59002
ZONE_2_3 = carbon.Location("2_3", "32")      # commune 62001


@pytest.fixture(scope="module")
def tables():
    return carbon.tables()


def one_hectare(ledger, zone, location, specs):
    ledger.add(zone, location, specs, 10000.0)


def spec(category):
    return ((category, 1.0),)


def test_commune_tables(tables):
    assert tables.zpc_of("59002") == "2_1" and tables.zpc_of(62001) == "2_3"
    assert tables.zpc_of("1001") == "2_1"           # leading zero restored (01001 in the table)
    assert tables.region_of("62001") == "32" and tables.inter_region["32"] == "NORD-OUEST"
    assert tables.zpc_of("62999") is None           # not a commune of the 2018 table
    # fallback: the most frequent zone of the département's communes (62: 2_3 and 3_3 most often; counted here)
    counts = {}
    for insee, zpc in tables.commune_zpc.items():
        if insee.startswith("62"):
            counts[zpc] = counts.get(zpc, 0) + 1
    assert tables.departement_zpc("62999") == max(sorted(counts), key=counts.get)
    assert tables.departement_zpc("59999") == "2_1"


def test_shipped_mapping_ocs2d():
    mapping = carbon.mapping_for(nom.OCS2D_2021)
    expected = {("CS6.3.0", "US1.1.3"): "cultures", ("CS6.1.1", "US1.1.1"): "prairies_herbacees",
                ("CS6.2.0", "US7.0.0"): "prairies_herbacees", ("CS1.1.1", "US5.2.1"): "artif_impermeabilises",
                ("CS1.2.1", "US4.1.2"): "artif_impermeabilises", ("CS6.1.1", "US3.2.1"): "artif_enherbes",
                ("CS4.1.2", "US3.2.1"): "artif_arbores", ("CS4.1.2", "US1.2.4"): "foret_feuillus",
                ("CS4.1.2", "US1.2.2"): "foret_peupleraies", ("CS4.2.2", None): "foret_coniferes",
                ("CS4.4.0", "US1.1.5"): "vergers", ("CS5.2.0", "US1.1.5"): "vignes",
                ("CS3.1.1", "US5.2.1"): "zones_humides", ("CS6.4.1", "US7.0.0"): "zones_humides",
                ("CS2.1.1", "US7.0.0"): "hors_aldo", ("CS2.1.1", "US6.1.1"): "artif_impermeabilises",
                ("CS5.1.1", "US6.2.3"): "prairies_arbustives"}
    assert {pair: mapping.category(*pair) for pair in expected} == expected
    assert mapping.category("CS9.9.9", "US1.1.1") is None and mapping.category(None, None) is None
    assert mapping.spec(None) == ((carbon.UNKNOWN, 1.0),)


def test_shipped_mapping_ocsge_and_split():
    mapping = carbon.mapping_for(nom.OCSGE, arable_share=0.8)
    assert mapping.category("CS2.2.1", "US1.1") == carbon.SPLIT
    assert mapping.spec(carbon.SPLIT) == (("cultures", 0.8), ("prairies_herbacees", pytest.approx(0.2)))
    assert mapping.category("CS1.1.1.1", "US5") == "artif_impermeabilises"
    assert mapping.category("CS1.1.2.1", "US4.1.1") == "artif_impermeabilises"
    assert mapping.category("CS2.2.1", "US235") == "artif_enherbes"
    assert mapping.category("CS2.1.1.1", "US1.1") == "vergers"
    assert mapping.category("CS2.1.1.1", "US1.2") == "foret_feuillus"
    assert mapping.category("CS1.2.2", "US6.3") == "zones_humides"
    assert carbon.mapping_for(nom.OCSGE, arable_share=1.0).spec(carbon.SPLIT) == (("cultures", 1.0),)


def test_user_rows_win_and_bad_category():
    mapping = carbon.mapping_for(nom.OCS2D_2021, user_rows=[("CS6.3.0", "", "prairies_herbacees")])
    assert mapping.category("CS6.3.0", "US1.1.3") == "prairies_herbacees"
    assert mapping.category("CS6.1.1", "US1.1.1") == "prairies_herbacees"
    with pytest.raises(carbon.CarbonError, match="'foret' is not an ALDO category"):
        carbon.mapping_for(nom.OCS2D_2021, user_rows=[("CS4", "", "foret")])
    with pytest.raises(carbon.CarbonError):
        carbon.mapping_for(nom.OCSGE, arable_share=1.5)


def test_legacy_codes_recoded():
    translate = carbon.code_translator(nom.OCS2D_NPDC)
    legacy = nom.legacy_to_2021()
    code = next(c for c, modern in legacy["cs"].items() if modern == "CS6.3.0")
    assert translate(code, None)[0] == "CS6.3.0"
    assert carbon.code_translator(nom.OCS2D_2021)(" cs 6.3.0 ", "US1.1.3") == ("CS6.3.0", "US1.1.3")


def test_one_hectare_of_arable_land_in_zone_2_1(tables):
    ledger = carbon.Ledger(["2018"], tables)
    one_hectare(ledger, "59002", ZONE_2_1, [spec("cultures")])
    stock = ledger.stock("59002", "2018")
    assert (stock.soil, stock.litter, stock.biomass) == (50.0, 0.0, 0.0)   # ALDO: no biomass for cultures
    assert stock.total == 50.0 and stock.per_ha == 50.0
    assert carbon.to_co2e(stock.total) == pytest.approx(183.333, abs=1e-3)
    assert stock.areas["cultures"] == 1.0


def test_sealing_one_hectare_of_arable_land(tables):
    ledger = carbon.Ledger(["2015", "2021"], tables)
    one_hectare(ledger, "59002", ZONE_2_1, [spec("cultures"), spec("artif_impermeabilises")])
    one_hectare(ledger, "62001", ZONE_2_3, [spec("cultures"), spec("artif_impermeabilises")])
    flow = ledger.flow("59002", ("2015", "2021"))
    assert flow.soil_once == pytest.approx(-20.0) and flow.soil_yearly == 0.0
    assert flow.litter_once == 0.0 and flow.biomass_once == 0.0 and flow.biomass_yearly == 0.0
    assert flow.total == pytest.approx(-20.0)
    assert carbon.to_co2e(flow.total) == pytest.approx(-73.333, abs=1e-3)
    assert flow.total_per_year == pytest.approx(-20.0 / 6)
    assert flow.kinds["artificialisation"] == [1.0, pytest.approx(-20.0)]
    other = ledger.flow("62001", ("2015", "2021"))
    assert other.soil_once == pytest.approx(-22.0)         # 30 − 52 in zone 2_3 (flux-zpc: −22)
    assert carbon.to_co2e(other.total) == pytest.approx(-80.667, abs=1e-3)
    # the stocks of both vintages agree with the one-off flow
    assert ledger.stock("59002", "2021").soil - ledger.stock("59002", "2015").soil == pytest.approx(-20.0)
    assert ledger.flow(Ellipsis, ("2015", "2021")).total == pytest.approx(-42.0)


def test_forest_biomass_and_litter(tables):
    ledger = carbon.Ledger(["2021"], tables)
    one_hectare(ledger, "59002", ZONE_2_1, [spec("foret_feuillus")])
    one_hectare(ledger, "z2", ZONE_2_1, [spec("foret_coniferes")])
    stock = ledger.stock("59002", "2021")
    assert stock.soil == 60.0 and stock.litter == 9.0
    assert stock.biomass == pytest.approx(97.25 + 6.16)          # region level (HDF)
    assert stock.total == pytest.approx(172.41)
    conifers = ledger.stock("z2", "2021")
    assert conifers.biomass == pytest.approx(77.06 + 6.02)       # HDF not significant → France
    assert tables.forest_biomass("foret_coniferes", "32")[1] == "France"
    assert tables.forest_biomass("foret_feuillus", "32")[1] == "rad13:HDF"


def test_deforestation_to_sealed_land(tables):
    effect = tables.effect("foret_feuillus", "artif_impermeabilises", ZONE_2_1)
    assert effect.soil_once == pytest.approx(-30.0)               # 30 − 60 (flux-zpc 2_1 for_art_imp −30)
    assert effect.litter_once == -9.0
    assert effect.biomass_once == pytest.approx(-103.41) and effect.biomass_yearly == 0.0
    assert effect.total() == pytest.approx(-142.41)
    assert carbon.change_kind("foret_feuillus", "artif_impermeabilises") == "artificialisation"


def test_slow_changes_over_twenty_years(tables):
    # grassland ploughed in 2_1: −0.72 tC/ha/yr for 20 years (flux-zpc prai_cult); biomass 0 → 0
    ploughed = tables.effect("prairies_herbacees", "cultures", ZONE_2_1)
    assert (ploughed.soil_once, ploughed.soil_yearly) == (0.0, -0.72)
    assert ploughed.total() == pytest.approx(-14.4)
    assert carbon.change_kind("prairies_herbacees", "cultures") == "retournement_prairies"
    # an orchard planted on arable land: soil 0 (ALDO has no cult_verg factor), biomass +0.8/yr (gain, 20 years)
    orchard = tables.effect("cultures", "vergers", ZONE_2_1)
    assert orchard.soil_yearly == 0.0 and orchard.biomass_yearly == 0.8 and orchard.total() == pytest.approx(16.0)
    # afforestation of arable land: +0.15/yr soil, +9 litter, forest biomass 103.41 over 20 years
    planted = tables.effect("cultures", "foret_feuillus", ZONE_2_1)
    assert planted.soil_yearly == 0.15 and planted.litter_once == 9.0
    assert planted.biomass_yearly == pytest.approx(103.41 / 20)
    assert planted.total() == pytest.approx(3.0 + 9.0 + 103.41)
    # wooded grassland lost to a wetland: ALDO's table value −57 (not the stock difference −48), at once
    assert tables.effect("prairies_arborees", "zones_humides", ZONE_2_1).biomass_once == -57.0


def test_desealing_counts_as_former_arable_land(tables):
    # ALDO: artificial land changing to grassland counts as cultures → prairies (0.37/yr in 2_1)
    effect = tables.effect("artif_impermeabilises", "prairies_herbacees", ZONE_2_1)
    assert effect.soil_once == 0.0 and effect.soil_yearly == 0.37
    assert carbon.change_kind("artif_impermeabilises", "prairies_herbacees") == "desartificialisation"
    # grassed to sealed: prairies → sealed, 30 − 69 at once
    assert tables.effect("artif_enherbes", "artif_impermeabilises", ZONE_2_1).soil_once == pytest.approx(-39.0)


def test_every_one_off_soil_factor_is_the_stock_difference(tables):
    columns = {"cult": "cultures", "prai": "prairies", "for": "forêts", "zh": "zones humides",
               "art_imp": "sols artificiels imperméabilisés", "art_enh": "sols artificiels enherbés",
               "art_arb": "sols artificiels arborés et buissonants"}
    checked = 0
    for zpc, row in tables.soil_flux.items():
        for key, value in row.items():
            before, after = key.split("_", 1)
            if after in columns and (after.startswith("art") or "zh" in (before, after)):
                assert value == pytest.approx(tables.soil[zpc][columns[after]] - tables.soil[zpc][columns[before]])
                checked += 1
    assert checked == 14 * 13


def test_unknown_codes_counted_without_stock(tables):
    mapping = carbon.mapping_for(nom.OCS2D_2021)
    ledger = carbon.Ledger(["2015", "2021"], tables)
    unknown = mapping.spec(mapping.category("CS9.9.9", None))
    one_hectare(ledger, "59002", ZONE_2_1, [unknown, spec("cultures")])
    one_hectare(ledger, "59002", ZONE_2_1, [spec("cultures"), spec("cultures")])
    stock = ledger.stock("59002", "2015")
    assert stock.areas[carbon.UNKNOWN] == 1.0 and stock.area_ha == 2.0 and stock.soil == 50.0
    assert stock.per_ha == 25.0
    flow = ledger.flow("59002", ("2015", "2021"))
    assert flow.changed_ha == 1.0 and flow.total == 0.0 and flow.area_ha == 2.0


def test_split_agricultural_land(tables):
    mapping = carbon.mapping_for(nom.OCSGE, arable_share=0.75)
    ledger = carbon.Ledger(["2018", "2021"], tables)
    mixed = mapping.spec(carbon.SPLIT)
    one_hectare(ledger, "59002", ZONE_2_1, [mixed, spec("artif_impermeabilises")])
    one_hectare(ledger, "59002", ZONE_2_1, [mixed, mixed])
    stock = ledger.stock("59002", "2018")
    assert stock.soil == pytest.approx(2 * (0.75 * 50 + 0.25 * 69))
    flow = ledger.flow("59002", ("2018", "2021"))
    # 0.75 ha cultures → sealed (−20) and 0.25 ha prairies → sealed (−39); the unchanged hectare: no flow
    assert flow.soil_once == pytest.approx(0.75 * -20 + 0.25 * -39)
    assert flow.changed_ha == 1.0


def test_periods():
    assert carbon.periods(["2005", "2015", "2021"]) == [("2005", "2015"), ("2015", "2021"), ("2005", "2021")]


@pytest.mark.parametrize("key", [nom.OCS2D_2021, nom.OCSGE])
def test_mapping_patterns_are_codes_of_the_nomenclature(key):
    nomenclature = nom.get_nomenclature(key)
    for cs, us, category in carbon.shipped_rows(key):
        for pattern in cs.split("|") if cs else ():
            assert pattern in nomenclature.cs, (cs, us, category)
        for pattern in us.split("|") if us else ():
            assert pattern in nomenclature.us, (cs, us, category)


@pytest.mark.parametrize("key", [nom.OCS2D_2021, nom.OCSGE])
def test_every_leaf_couverture_has_a_category(key):
    mapping = carbon.mapping_for(key)
    for leaf in nom.get_nomenclature(key).leaves("cs"):
        assert mapping.category(leaf.code, None) is not None, leaf.code
