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
