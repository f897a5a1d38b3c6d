"""Sentences and ranks of the portraits (core/atlas.py): agreement, units and shares read by hand."""
import pytest

from ocs_toolbox.core import atlas

NB = "\u00a0"


@pytest.mark.parametrize("value, language, expected", [
    (12.44, "fr", "12,4" + NB + "ha"), (0.347, "fr", "0,35" + NB + "ha"), (1234.56, "fr", "1" + NB + "234,6" + NB + "ha"),
    (0, "fr", "0,0" + NB + "ha"), (12.44, "en", "12.4" + NB + "ha"), (1234.56, "en", "1,234.6" + NB + "ha")])
def test_hectares(value, language, expected):
    assert atlas.hectares(value, language) == expected


def test_consumption_sentence_french_plural_and_shares():
    # 12.4 ha: habitat 9.672 (78 %), activité 1.86 (15 %), infra 0.868 (7 %); 16 years: 0.775 → 0,78 ha/an
    text = atlas.consumption_sentence(("2005", "2021"), 12.4, {"habitat": 9.672, "activite": 1.86, "infra": 0.868,
                                                               "autre": 0.0})
    assert text == ("Entre 2005 et 2021, 12,4" + NB + "ha d’espaces naturels, agricoles et forestiers ont été "
                    "consommés (0,78" + NB + "ha par an), dont 78" + NB + "% pour l’habitat, 15" + NB + "% pour les "
                    "activités économiques et 7" + NB + "% pour les infrastructures.")


def test_consumption_sentence_french_singular_and_nothing():
    text = atlas.consumption_sentence(("2015", "2021"), 1.5, {"habitat": 1.5})
    assert text.startswith("Entre 2015 et 2021, 1,5" + NB + "ha d’espaces naturels, agricoles et forestiers a été "
                           "consommé (0,25" + NB + "ha par an), dont 100" + NB + "% pour l’habitat")
    assert atlas.consumption_sentence(("2015", "2021"), 0.0, {}) == (
        "Entre 2015 et 2021, aucun espace naturel, agricole ou forestier n’a été consommé.")


def test_consumption_sentence_english():
    text = atlas.consumption_sentence(("2005", "2021"), 8.0, {"habitat": 7.98, "activite": 0.02}, "en")
    assert text == ("Between 2005 and 2021, 8.0" + NB + "ha of natural, agricultural and forest land were consumed "
                    "(0.50" + NB + "ha a year), 100% for housing and less than 1% for business.")


def test_cover_sentence_orders_the_postes():
    # 1 020,3 ha agricultural of 1 889,4 ha = 54 %; urbanised 566.8 = 30 %; natural 226.7 = 12 %; infra 75.6 = 4 %
    text = atlas.cover_sentence("2021", {1: 566.8, 2: 1020.3, 3: 226.7, 4: 75.6})
    assert text == ("En 2021, les espaces agricoles couvrent 54" + NB + "% de la commune (1" + NB + "020,3" + NB +
                    "ha), les espaces urbanisés 30" + NB + "%, les espaces naturels et semi-naturels 12" + NB +
                    "% et les infrastructures 4" + NB + "%.")
    english = atlas.cover_sentence("2021", {1: 30.0, 2: 70.0}, "en")
    assert english == "In 2021, agricultural areas cover 70% of the commune (70.0" + NB + "ha) and urbanised areas 30%."


def test_zan_sentence_left_and_exceeded():
    assert atlas.zan_sentence(("2021", "2031"), 6.2, 2.1) == (
        "Pour 2021-2031, l’enveloppe de consommation d’espaces est de 6,2" + NB + "ha ; 2,1" + NB + "ha ont déjà été "
        "consommés depuis 2021, il reste 4,1" + NB + "ha.")
    assert atlas.zan_sentence(("2021", "2031"), 1.0, 1.5) == (
        "Pour 2021-2031, l’enveloppe de consommation d’espaces est de 1,0" + NB + "ha ; 1,5" + NB + "ha a déjà été "
        "consommé depuis 2021 : l’enveloppe est dépassée de 0,50" + NB + "ha.")
    assert atlas.zan_sentence(("2021", "2031"), 3.0, 0.0, "en") == (
        "For 2021-2031, the land consumption allowance is 3.0" + NB + "ha; nothing has been consumed yet.")


def test_ranks_share_ties_and_skip_missing():
    assert atlas.ranks({"a": 5.0, "b": 9.0, "c": 5.0, "d": 1.0, "e": None}) == {"b": 1, "a": 2, "c": 2, "d": 4}
    assert atlas.ranks({"a": 5.0, "b": 9.0}, descending=False) == {"a": 1, "b": 2}


@pytest.mark.parametrize("rank, language, expected", [
    (1, "fr", "1er"), (2, "fr", "2e"), (1, "en", "1st"), (2, "en", "2nd"), (3, "en", "3rd"), (11, "en", "11th"),
    (12, "en", "12th"), (22, "en", "22nd")])
def test_ordinals(rank, language, expected):
    assert atlas.ordinal(rank, language) == expected


def test_rank_and_friches_sentences():
    assert atlas.rank_sentence("Avion", 2, 5, "la consommation d’ENAF") == (
        "Avion se place au 2e rang des 5 communes pour la consommation d’ENAF.")
    assert atlas.friches_sentence(0, 0.0) == "Aucune friche n’est repérée."
    assert atlas.friches_sentence(1, 2.3, 2.3, "habitat") == (
        "1 friche est repérée (2,3" + NB + "ha), de vocation habitat.")
    assert atlas.friches_sentence(3, 12.0, 4.2, "habitat") == (
        "3 friches sont repérées (12,0" + NB + "ha) ; la plus grande couvre 4,2" + NB + "ha (vocation : habitat).")


# -- page, charts, table and index of ocs:atlas ------------------------------------------------------------------

@pytest.mark.parametrize("code, name, expected", [
    ("62498", "Lens", "62498_Lens"), ("62427", "Hénin-Beaumont", "62427_Hénin-Beaumont"),
    ("59350", "Lille / Hellemmes (assoc.)", "59350_Lille-Hellemmes-assoc"), ("62065", "", "62065"),
    ("2A004", "Ajaccio", "2A004_Ajaccio")])
def test_file_stem(code, name, expected):
    assert atlas.file_stem(code, name) == expected


def test_of_place_elides_before_a_vowel():
    assert [atlas.of_place(p) for p in ("Lens", "Avion", "Écourt-Saint-Quentin", "la commune")] == [
        "de Lens", "d’Avion", "d’Écourt-Saint-Quentin", "de la commune"]
    text = atlas.cover_sentence("2021", {1: 4.0, 3: 1.0, 4: 1.0}, "fr", "Avion")
    assert text.startswith("En 2021, les espaces urbanisés couvrent 67" + NB + "% d’Avion (4,0" + NB + "ha)")


def test_zan_sentence_without_a_vintage_after_the_start():
    assert atlas.zan_sentence(("2021", "2031"), 0.9, None) == (
        "Pour 2021-2031, l’enveloppe de consommation d’espaces est de 0,90" + NB + "ha ; aucun millésime "
        "postérieur à 2021 ne mesure encore la consommation.")
    assert atlas.zan_sentence(("2021", "2031"), 0.9, None, "en").endswith("no vintage after 2021 measures the "
                                                                          "consumption yet.")


def test_consumption_chart_bars_in_proportion():
    # habitat 2 ha is the peak: 100 px (260 − 90 − 70); activité 1 ha: 50 px; infra and autre 0 px
    svg = atlas.consumption_chart(("2005", "2021"), {"habitat": 2.0, "activite": 1.0, "infra": 0.0, "autre": 0.0})
    assert svg.count("<rect x=") == 4
    assert 'width="100.0" height="22" fill="#E6004D"' in svg and 'width="50.0" height="22" fill="#8400A8"' in svg
    assert ">Consommation d’ENAF 2005-2021<" in svg and ">(ha)<" in svg and "2,0" + NB + "ha" in svg and "0,0" + NB + "ha" in svg
    assert "Housing" in atlas.consumption_chart(("2005", "2021"), {}, "en")


def test_zan_chart_without_measure_shows_the_allowance_only():
    assert atlas.zan_chart(("2021", "2031"), None, None) is None
    assert atlas.zan_chart(("2021", "2031"), 0.9, None).count("<rect x=") == 1
    both = atlas.zan_chart(("2021", "2031"), 2.0, 0.5)   # remaining 1.5 ha: 75 px of 100
    assert both.count("<rect x=") == 3 and 'width="75.0"' in both


def test_key_figures():
    values = {"surface_ha": 6.0, "conso_enaf_ha": 3.0, "conso_enaf_ha_an": 0.1875, "conso_enaf_territoire_ha": 5.5,
              "rang_conso": 1, "nb_zones": 2, "enveloppe_ha": 0.9, "reste_ha": 0.9}
    assert atlas.key_figures(values, ("2005", "2021"), ("2021", "2031")).split("\n") == [
        "Surface : 6,0" + NB + "ha", "ENAF consommés 2005-2021 : 3,0" + NB + "ha (0,19" + NB + "ha par an)",
        "Toutes les zones : 5,5" + NB + "ha", "Rang : 1er sur 2", "Enveloppe 2021-2031 : 0,90" + NB + "ha",
        "Reste : 0,90" + NB + "ha"]
    values.update(rang_conso=None, enveloppe_ha=None)
    assert atlas.key_figures(values, ("2005", "2021"), ("2021", "2031"), "en").split("\n")[-1] == \
        "All the zones: 5.5" + NB + "ha"


def test_field_aliases_in_both_languages():
    french, english = atlas.field_aliases("fr"), atlas.field_aliases("en")
    assert set(french) == set(english) == {row[0] for row in atlas.FIELDS}
    assert french["conso_enaf_ha"].startswith("ENAF consommés") and english["rang_conso"].startswith("Rank")
    assert set(atlas.POSTES_FIELDS.values()) <= set(french)


def test_index_html_rows_links_and_sort_values():
    rows = [{"code": "62498", "name": "Lens", "pdf": "62498_Lens.pdf", "surface_ha": 1234.5, "conso_ha": 3.4,
             "conso_ha_an": 0.2125, "rank": 5, "reste_ha": None},
            {"code": "62065", "name": "Avion <&>", "pdf": "62065_Avion.pdf", "surface_ha": 6.0, "conso_ha": 3.0,
             "conso_ha_an": None, "rank": 1, "reste_ha": 0.9}]
    html = atlas.index_html(rows, ("2005", "2021"), ("2021", "2031"))
    assert html.count("<tr>") == 3 and '<a href="62498_Lens.pdf">' in html
    assert "1" + NB + "234,5" in html and 'data-v="1234.5"' in html     # French figure, numeric sort key
    assert "Avion &lt;&amp;&gt;" in html and "<script>" in html and "sortTable(7)" in html
    assert "ENAF consommés 2005-2021 (ha)" in html and 'lang="fr"' in html
    assert "Click a header to sort." in atlas.index_html(rows, ("2005", "2021"), ("2021", "2031"), "en")


def test_chart_titles_wrap_instead_of_running_into_the_next_chart():
    assert atlas.title_lines("Consommation d’ENAF 2005-2021 (ha)", 30) == ["Consommation d’ENAF 2005-2021", "(ha)"]
    svg = atlas.bar_chart_svg("Consommation d’ENAF 2005-2021 (ha)", [("Habitat", 1.0, "#ff0000")], width=260)
    assert svg.count('font-weight="bold"') == 2   # two title lines in a 260 px wide chart


# -- change, trajectory, comparison, heat and friches (page 3 and the heat page) ----------------------------------

MATRIX = {("1", "1"): 1.0, ("2", "1"): 3.0, ("3", "3"): 1.0, ("4", "4"): 1.0, ("3", "2"): 0.5}


def test_transition_rows_every_cell_and_the_totals():
    rows = atlas.transition_rows(MATRIX, ["1", "2", "3", "4"])
    assert rows == [("1", [1.0, 0.0, 0.0, 0.0], 1.0), ("2", [3.0, 0.0, 0.0, 0.0], 3.0),
                    ("3", [0.0, 0.5, 1.0, 0.0], 1.5), ("4", [0.0, 0.0, 0.0, 1.0], 1.0),
                    (None, [4.0, 0.5, 1.0, 1.0], 6.5)]


def test_gains_losses_leave_the_diagonal_out():
    # 1 gains 3 from 2; 2 gains 0.5 from 3 and loses 3; 3 loses 0.5; 4 unchanged
    assert atlas.gains_losses(MATRIX, ["1", "2", "3", "4"]) == [("1", 3.0, 0.0), ("2", 0.5, 3.0), ("3", 0.0, 0.5),
                                                                ("4", 0.0, 0.0)]
    svg = atlas.gains_losses_chart(("2005", "2021"), atlas.gains_losses(MATRIX, ["1", "2", "3", "4"]), {})
    assert "Gains et pertes par classe 2005-2021 (ha)" in svg
    assert ">+3,0" + NB + "ha<" in svg and ">\u22122,5" + NB + "ha<" in svg and ">0,0" + NB + "ha<" in svg
    assert ">Urbanisé<" in svg and ">Infrastructures<" in svg
    assert ">Urbanised<" in atlas.gains_losses_chart(("2005", "2021"), [("1", 1.0, 0.0)], {}, "en")


def test_signed_hectares():
    assert atlas.signed_hectares(2.0) == "+2,0" + NB + "ha"
    assert atlas.signed_hectares(-0.35, "en") == "\u22120.35" + NB + "ha"
    assert atlas.signed_hectares(0.001) == "0,0" + NB + "ha"


def test_zan_trajectory_chart():
    svg = atlas.zan_trajectory_chart(("2011", "2021"), ("2021", "2031"), (1.8, 0.9, 1.2, 2024))
    assert "Référence 2011-2021 : 1,8" + NB + "ha" in svg and "Enveloppe 2021-2031 : 0,90" + NB + "ha" in svg
    assert "Consommé depuis 2021 : 1,2" + NB + "ha" in svg and "Dépassement : 0,30" + NB + "ha" in svg
    assert "<circle" in svg     # the last measure, in 2024
    svg = atlas.zan_trajectory_chart(("2011", "2021"), ("2021", "2031"), (1.8, 0.9, 0.4, 2024), "en")
    assert "Remaining: 0.50" + NB + "ha" in svg
    assert atlas.zan_trajectory_chart(("2011", "2021"), ("2021", "2031"), (None, None, None, None)) is None


def test_compare_sums_the_hectares_and_ranks_every_figure():
    rows = [{"surface_ha": 6.0, "conso_enaf_ha": 3.0, "conso_enaf_pct": 50.0, "enveloppe_ha": 0.9, "reste_ha": 0.9,
             "urbanise_pct": 66.7, "artif_ha": 3.0},
            {"surface_ha": 10.5, "conso_enaf_ha": 3.0, "conso_enaf_pct": 28.6, "enveloppe_ha": 0.5, "reste_ha": 0.5,
             "urbanise_pct": 57.1, "artif_ha": 0.0}]
    # the territory's own ZAN figures (with the land around the zones) are not used for the ha figures
    atlas.compare(rows, {"surface_ha": 16.5, "enveloppe_ha": 9.0, "conso_enaf_pct": 36.4, "urbanise_pct": 60.6})
    assert rows[0]["enveloppe_territoire_ha"] == pytest.approx(1.4)
    assert rows[0]["conso_enaf_pct_territoire"] == 36.4
    assert (rows[0]["rang_surface"], rows[1]["rang_surface"]) == (2, 1)
    assert (rows[0]["rang_conso"], rows[1]["rang_conso"]) == (1, 1)       # ties share the rank
    rows[0]["nb_zones"] = 2
    table = atlas.comparison_rows(rows[0], ("2005", "2021"), ("2021", "2031"))
    assert table[0] == ("Surface", "6,0" + NB + "ha", "16,5" + NB + "ha", "2e / 2")
    assert ("ENAF consommés (part de la surface)", "50,0" + NB + "%", "36,4" + NB + "%", "1er / 2") in table
    english = atlas.comparison_rows(rows[0], ("2005", "2021"), ("2021", "2031"), "en")
    assert ("ZAN allowance 2021-2031", "0.90" + NB + "ha", "1.4" + NB + "ha", "1st / 2") in english


def test_heat_text():
    text = atlas.heat_text([45.2, 30.0, None, 24.8, 0.0], ("Maille 12", 78.4), ("Maille 3", 21.0))
    assert text.splitlines() == [
        "Part de la surface par classe :", "– participe fortement à la surchauffe : 45" + NB + "%",
        "– participe moyennement à la surchauffe : 30" + NB + "%", "– participe au rafraîchissement : 25" + NB + "%",
        "Unité la plus chaude : Maille 12 (score 78)", "Unité la plus fraîche : Maille 3 (score 21)"]
    assert atlas.heat_text([0.3, 0, 0, 0, 0], None, None, "en").splitlines()[1] == (
        "– contributes strongly to overheating: less than 1%")
    assert atlas.heat_text([None] * 5, None, None).startswith("Aucune unité")


def test_friches_text_agreement():
    assert atlas.friches_text(0, 0.0, []) == "Aucune friche n’est repérée."
    assert atlas.friches_text(1, 2.0, [("Site A", 2.0, "habitat")]).splitlines() == [
        "1 friche est repérée (2,0" + NB + "ha).", "La plus grande :", "– Site A : 2,0" + NB + "ha, vocation habitat"]
    lines = atlas.friches_text(4, 5.0, [("A", 2.0, "habitat"), ("B", 1.5, None), ("C", 1.0, "nature")], "en")
    assert lines.splitlines()[:3] == ["4 friches are found (5.0" + NB + "ha).", "The largest:",
                                      "– A: 2.0" + NB + "ha, vocation: housing"]
    # the codes of ocs:friches read as words; an unknown code is kept as it is
    assert atlas.friches_text(2, 3.0, [("S", 2.0, "economie"), ("T", 1.0, "equipements")]).splitlines()[2:] == [
        "– S : 2,0" + NB + "ha, vocation économie", "– T : 1,0" + NB + "ha, vocation équipements"]
    assert lines.splitlines()[4] == "– C: 1.0" + NB + "ha, vocation: nature"
