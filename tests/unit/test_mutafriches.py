"""core/mutafriches.py: the Mutafriches v1.11 matrix, indices, reliability, classify() and the 4 vocations."""
import pytest

from ocs_toolbox.core import mutafriches as mf

# Site A: 0.8 ha in the town centre, no pollution, flood zone, PLU zone U habitat, shops nearby.
SITE_A = {
    "surface_site": "lt_10000",      # weight 2: P P N N TN N TN
    "centre_ville": "oui",           # weight 1: TP P N P TN N TN
    "commerces_services": "oui",     # weight 1: TP TP N P N N NEG
    "risque_inondation": "oui",      # weight 1: TN TN NEG NEG TN TP NEG
    "zonage_plu": "u_habitat",       # weight 2: TP P P N TN N NEG
    "pollution": "non",              # weight 2: TP TP TP TP P P P
}


def test_table_weights_values_and_source_cells():
    table = mf.criteria()
    assert len(table) == 28
    assert sum(c.weight for c in table.values()) == 30 == mf.TOTAL_WEIGHT
    for criterion in table.values():
        assert criterion.weight in (0.5, 1.0, 2.0)
        for notes in criterion.values.values():
            assert set(notes) == set(mf.USES) and set(notes.values()) <= set(mf.NOTE_POINTS)
    # the criteria the plugin fills from land cover and context layers, with their value keys
    assert set(table["surface_site"].values) == {"lt_10000", "10000_15000", "15000_50000", "gt_50000"}
    assert set(table["pollution"].values) == {"non", "geree", "volatils", "autres", "amiante"}
    assert {"u_habitat", "u_activite", "u_equipement", "u_generique", "au", "a", "n"} <= set(table["zonage_plu"].values)
    assert "pas_de_bati" in table["etat_bati"].values
    # cells of algorithme.config.ts v1.11 where it differs from older versions or is easy to misread
    assert table["pollution"].values["non"]["industrie"] == "P"            # TRES_POSITIF before v1.11
    assert table["etat_bati"].values["heterogene"]["photovoltaique"] == "P"
    assert table["zonage_plu"].values["cc_non_constructible"]["photovoltaique"] == "N"
    assert table["distance_autoroute"].values["1_2km"]["photovoltaique"] == "P"
    assert table["risque_inondation"].values["oui"]["renaturation"] == "TP"
    assert table["zonage_plu"].values["activites"]["tertiaire"] == "P"
    assert table["etat_bati"].values["peu_degrade"] == table["etat_bati"].values["intact"]
    assert table["surface_site"].points("gt_50000", "industrie") == 2.0
    assert table["centre_ville"].points("oui", "photovoltaique") == -2.0


def test_indices_and_reliability_by_hand():
    r = mf.evaluate(SITE_A)
    # weighted points (surface, centre, commerces, inondation, PLU, pollution); a neutral note counts in A and C
    # résidentiel: +2 +2 +2 −2 +4 +4 → A = 14, C = 2 → 14/16 = 87.5
    # équipements: +2 +1 +2 −2 +2 +4 → A = 11, C = 2 → 11/13
    # culture: N1 N0.5 N0.5 −1 +2 +4 → A = 1+0.5+0.5+2+4 = 8, C = 1+0.5+0.5+1 = 3 → 8/11
    # tertiaire: N1 +1 +1 −1 N1 +4 → A = 1+1+1+1+4 = 8, C = 1+1+1 = 3 → 8/11
    # industrie: −4 −2 N0.5 −2 −4 +2 → A = 2.5, C = 4+2+0.5+2+4 = 12.5 → 2.5/15
    # renaturation: N1 N0.5 N0.5 +2 N1 +2 → A = 7, C = 1+0.5+0.5+1 = 3 → 7/10
    # photovoltaïque: −4 −2 −1 −1 −2 +2 → A = 2, C = 10 → 2/12
    assert r["A"] == {"residentiel": 14, "equipements": 11, "culture": 8, "tertiaire": 8, "industrie": 2.5,
                      "renaturation": 7, "photovoltaique": 2}
    assert r["C"] == {"residentiel": 2, "equipements": 2, "culture": 3, "tertiaire": 3, "industrie": 12.5,
                      "renaturation": 3, "photovoltaique": 10}
    expected = {"residentiel": 87.5, "equipements": 1100 / 13, "culture": 800 / 11, "tertiaire": 800 / 11,
                "industrie": 250 / 15, "renaturation": 70.0, "photovoltaique": 200 / 12}
    assert r["indices"] == pytest.approx(expected)
    # reliability: weights 2 + 1 + 1 + 1 + 2 + 2 = 9 → 9/30 × 10 = 3.0
    assert r["reliability"] == pytest.approx(3.0)
    assert r["known"] == ["surface_site", "centre_ville", "commerces_services", "risque_inondation", "zonage_plu",
                          "pollution"]
    assert r["contributions"]["residentiel"] == [("surface_site", 2.0), ("centre_ville", 2.0),
                                                 ("commerces_services", 2.0), ("risque_inondation", -2.0),
                                                 ("zonage_plu", 4.0), ("pollution", 4.0)]
    # Mutafriches display: index to 0.1, reliability to 0.5, half up
    assert r["indices_rounded"]["equipements"] == 84.6 and r["indices_rounded"]["industrie"] == 16.7


def test_neutral_counted_in_a_only_on_request():
    r = mf.evaluate(SITE_A, neutral_both_sides=False)
    # résidentiel has no neutral note: unchanged 14/16; culture: A = 8, C = 1 (only the flood NEG) → 8/9
    assert r["indices"]["residentiel"] == pytest.approx(87.5)
    assert r["C"]["culture"] == 1 and r["indices"]["culture"] == pytest.approx(800 / 9)
    # industrie: A = 2 + 0.5 = 2.5, C = 12 → 2.5/14.5
    assert r["indices"]["industrie"] == pytest.approx(250 / 14.5)


def test_reliability_rounding_and_full_reliability():
    site = {"surface_site": "10000_15000", "centre_ville": "oui", "pollution": "non", "risque_inondation": "oui",
            "zonage_plu": "u_habitat", "etat_bati": "pas_de_bati"}
    r = mf.evaluate(site)
    # weights 2 + 1 + 2 + 1 + 2 + 2 = 10 → 10/30 × 10 = 3.33, shown as 3.5
    assert r["reliability"] == pytest.approx(10 / 3) and r["reliability_rounded"] == 3.5
    # résidentiel: −2 +2 +4 −2 +4 N1 → A = 2+4+4+1 = 11, C = 2+2+1 = 5 → 68.75, shown as 68.8
    assert r["indices"]["residentiel"] == pytest.approx(68.75) and r["indices_rounded"]["residentiel"] == 68.8
    everything = {key: next(iter(c.values)) for key, c in mf.criteria().items()}
    assert mf.evaluate(everything)["reliability"] == pytest.approx(10.0)


def test_nothing_known_gives_zero():
    for values in ({}, {key: None for key in mf.criteria()}, {"pollution": "ne_sait_pas", "zonage_plu": ""}):
        r = mf.evaluate(values)
        assert r["indices"] == {use: 0.0 for use in mf.USES}
        assert r["reliability"] == 0.0 and r["known"] == []
        assert r["A"] == r["C"] == {use: 0.0 for use in mf.USES}
    assert mf.vocation(mf.evaluate({})) == (None, None, "Vocation indéterminée : aucun critère renseigné.")


def test_unknown_values_are_ignored():
    base = mf.evaluate(SITE_A)
    padded = dict(SITE_A, etat_bati=None, type_proprietaire="ne_sait_pas", zone_humide="", qualite_paysage=None)
    r = mf.evaluate(padded)
    for key in ("indices", "A", "C", "reliability", "known", "contributions"):
        assert r[key] == base[key]


def test_bad_keys_raise():
    with pytest.raises(ValueError):
        mf.evaluate({"surface_terrain": "lt_10000"})
    with pytest.raises(ValueError):
        mf.evaluate({"pollution": "oui"})
    with pytest.raises(ValueError):
        mf.evaluate({"surface_site": 8000})          # raw numbers go through classify()
    with pytest.raises(ValueError):
        mf.classify("surface_terrain", 10)
    with pytest.raises(ValueError):
        mf.classify("pollution", "polluted")
    with pytest.raises(ValueError):
        mf.classify("pollution", True)


@pytest.mark.parametrize("criterion, raw, key", [
    ("surface_site", 9999.9, "lt_10000"), ("surface_site", 10000, "10000_15000"),
    ("surface_site", 14999, "10000_15000"), ("surface_site", 15000, "15000_50000"),
    ("surface_site", 50000, "15000_50000"), ("surface_site", 50000.5, "gt_50000"),
    ("surface_batie", 0, "lt_5000"), ("surface_batie", 4999, "lt_5000"), ("surface_batie", 5000, "5000_10000"),
    ("surface_batie", 10000, "5000_10000"), ("surface_batie", 10001, "gt_10000"),
    ("centre_ville", 999.9, "oui"), ("centre_ville", 1000, "non"), ("centre_ville", True, "oui"),
    ("centre_ville", False, "non"),
    ("distance_transports", 499, "lt_500"), ("distance_transports", 500, "ge_500"),
    ("commerces_services", 0, "non"), ("commerces_services", 1, "oui"),
    ("distance_autoroute", 999, "lt_1km"), ("distance_autoroute", 1000, "1_2km"),
    ("distance_autoroute", 2000, "2_5km"), ("distance_autoroute", 5000, "ge_5km"),
    ("distance_raccordement_electrique", 999, "lt_1km"), ("distance_raccordement_electrique", 1000, "1_5km"),
    ("distance_raccordement_electrique", 5000, "ge_5km"),
    ("taux_logements_vacants", 7, "le_7"), ("taux_logements_vacants", 7.01, "7_8"),
    ("taux_logements_vacants", 8, "7_8"), ("taux_logements_vacants", 10, "8_10"),
    ("taux_logements_vacants", 10.01, "gt_10"),
    ("raccordement_eau", 20, "non"), ("raccordement_eau", 21, "oui"),
    ("etat_bati", 0, "pas_de_bati"), ("etat_bati", 35, None),
    ("risque_inondation", True, "oui"), ("risque_inondation", None, None), ("surface_site", float("nan"), None),
    ("pollution", "geree", "geree"), ("pollution", "ne_sait_pas", None),
    ("zonage_plu", "UB", "u_habitat"), ("zonage_plu", "UE", "u_equipement"), ("zonage_plu", "UX", "u_activite"),
    ("zonage_plu", "U", "u_generique"), ("zonage_plu", "AUc", "au"), ("zonage_plu", "AUs", "au"),
    ("zonage_plu", "A", "a"), ("zonage_plu", "Nh", "n"), ("zonage_plu", "ZC", "cc_constructible"),
    ("zonage_plu", "ZnC", "cc_non_constructible"), ("zonage_plu", "ZCa", None), ("zonage_plu", "n", "n"),
    ("zonage_plu", {"typezone": "U", "libelle": "UC"}, "u_habitat"),
    ("zonage_plu", {"typezone": "U", "libelle": "UB", "destdomi": "02"}, "activites"),
    # transit: Mutafriches searches stops within 2 km (ST_DWithin: 2,000 m is within); none found = searched,
    # no result
    ("distance_transports", 2000, "ge_500"), ("distance_transports", 2000.5, mf.SEARCHED_NONE),
    ("distance_transports", mf.SEARCHED_NONE, mf.SEARCHED_NONE),
    # zone labels, as zonage-reglementaire.calculator.ts reads them: keywords of libelong first (habitat, then
    # équipement, then activité), then the code (libelle when typezone is "U")
    ("zonage_plu", {"typezone": "U", "libelle": "UX", "libelong": "Zone urbaine mixte"}, "u_habitat"),
    ("zonage_plu", {"typezone": "UE", "libelong": "Zone d'activités économiques"}, "u_activite"),
    ("zonage_plu", {"typezone": "UX", "libelong": "Zone d'équipements publics"}, "u_equipement"),
    ("zonage_plu", {"typezone": "UE", "libelong": "Équipements du centre-bourg"}, "u_habitat"),
    ("zonage_plu", {"typezone": "UB", "libelong": "Zone urbaine"}, "u_habitat"),
    ("zonage_plu", {"typezone": "U", "libelle": "U1", "libelong": "Zone artisanale"}, "u_activite"),
    # Mutafriches' keywords are "artisanale" and "artisanat": "artisanal" matches neither
    ("zonage_plu", {"typezone": "U", "libelle": "U1", "libelong": "Secteur artisanal"}, "u_generique"),
    ("zonage_plu", {"typezone": "U", "libelle": "U1", "libelong": None}, "u_generique"),
    ("zonage_plu", {"typezone": "AU", "libelong": "Zone d'habitat future"}, "au"),
    ("zonage_plu", {"typezone": "N", "destdomi": "activité"}, "activites"),
    # carte communale sectors: the words of typesect
    ("zonage_plu", {"typesect": "Secteur constructible"}, "cc_constructible"),
    ("zonage_plu", {"typesect": "Secteur non constructible"}, "cc_non_constructible"),
    ("zonage_plu", {"typesect": "Secteur inconstructible"}, "cc_non_constructible"),
    ("zonage_plu", {"typesect": "Construction interdite"}, "cc_non_constructible"),
    ("zonage_plu", {"typesect": "01"}, None), ("zonage_plu", {"typesect": None, "libelle": "ZC"}, None),
    ("zonage_plu", "secteur constructible", "cc_constructible"),
    ("zonage_plu", "Secteur non constructible", "cc_non_constructible"),
])
def test_classify(criterion, raw, key):
    assert mf.classify(criterion, raw) == key


def test_vocation_and_runner_up():
    r = mf.evaluate(SITE_A)
    # habitat = résidentiel 87.5; équipements = max(84.6, culture 72.7) = 84.6; économie = max(industrie 16.7,
    # tertiaire 72.7) = 72.7; renaturation = 70 → habitat, then équipements
    assert mf.vocation_scores(r)["economie"] == (pytest.approx(800 / 11), "tertiaire")
    choice, runner_up, explanation = mf.vocation(r)
    assert (choice, runner_up) == ("habitat", "equipements")
    # pros of résidentiel, strongest first (ties in table order): PLU +4, pollution +4, surface +2 (before centre
    # and commerces, +2 too); against: the flood zone −2
    assert explanation == ("Vocation habitat (indice 88) : zone urbaine d'habitat, pas de pollution, "
                           "surface inférieure à 1 ha ; contre : zone inondable.")

    # No building, 1.2 ha: renaturation 10.5/13 = 80.8 first; then équipements through culture (8.5/12 = 70.8)
    # ahead of habitat (68.75) and économie (tertiaire 8/12 = 66.7)
    bare = {"surface_site": "10000_15000", "centre_ville": "oui", "pollution": "non", "risque_inondation": "oui",
            "zonage_plu": "u_habitat", "etat_bati": "pas_de_bati"}
    r = mf.evaluate(bare)
    assert r["indices"]["renaturation"] == pytest.approx(1050 / 13)
    assert mf.vocation_scores(r)["equipements"] == (pytest.approx(850 / 12), "culture")
    choice, runner_up, explanation = mf.vocation(r)
    assert (choice, runner_up) == ("renaturation", "equipements")
    # renaturation: pas de bâti +4, zone inondable +2, pas de pollution +2; no NEG or TN note
    assert explanation == ("Vocation renaturation (indice 81) : pas de bâti, zone inondable, pas de pollution ; "
                           "contre : aucune contrainte.")


def test_vocation_ties_and_sub_use_in_explanation():
    # pollution déjà gérée: P for every use → every index 100 → tie broken in VOCATIONS order
    choice, runner_up, _ = mf.vocation(mf.evaluate({"pollution": "geree"}))
    assert (choice, runner_up) == ("habitat", "economie")
    # outside the centre, activity zone, > 5 ha, motorway < 1 km: industrie wins économie and is named
    site = {"centre_ville": "non", "zonage_plu": "u_activite", "surface_site": "gt_50000",
            "distance_autoroute": "lt_1km"}
    r = mf.evaluate(site)
    # industrie: +2 (centre TP×1) +4 (PLU TP×2) +4 (surface TP×2) +1 (motorway TP×0.5) → A = 11, C = 0 → 100
    assert r["indices"]["industrie"] == 100.0
    choice, _runner_up, explanation = mf.vocation(r)
    assert choice == "economie"
    assert explanation.startswith("Vocation économie (indice 100, usage industrie et logistique) : ")
    assert "zone urbaine d'activités" in explanation and explanation.endswith("contre : aucune contrainte.")


def test_searched_without_result_counts_in_reliability_not_in_index():
    """Mutafriches' null (no transit stop within 2 km): in the reliability, not in the index."""
    base = mf.evaluate(SITE_A)
    r = mf.evaluate(dict(SITE_A, distance_transports=mf.SEARCHED_NONE))
    for key in ("indices", "A", "C", "known", "contributions"):
        assert r[key] == base[key]
    assert r["searched"] == ["distance_transports"] and base["searched"] == []
    # weights 9 + 1 (distance_transports) = 10 → 10/30 × 10 = 3.33, shown as 3.5
    assert r["reliability"] == pytest.approx(10 / 3) and r["reliability_rounded"] == 3.5
    # a stop 500 m away or more (ge_500, neutral for every use) moves the index: résidentiel A = 14 + 0.5,
    # C = 2 + 0.5 → 14.5 / 17
    far = mf.evaluate(dict(SITE_A, distance_transports="ge_500"))
    assert far["indices"]["residentiel"] == pytest.approx(1450 / 17)
    assert r["indices"]["residentiel"] == pytest.approx(87.5)
    # a site with nothing but a search without result: reliability 1/30 × 10, no vocation
    alone = mf.evaluate({"distance_transports": mf.classify("distance_transports", 3500.0)})
    assert alone["reliability"] == pytest.approx(1 / 3) and alone["indices"] == {use: 0.0 for use in mf.USES}
    assert mf.vocation(alone)[0] is None
