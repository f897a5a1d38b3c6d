"""core/zan.py figures of ocs:zantrajectory per zone, without QGIS: values computed by hand."""
import pytest

from ocs_toolbox.core import changes as ch
from ocs_toolbox.core import zan
from ocs_toolbox.core.zanreport import figures_section

TRAJECTORY = zan.Trajectory("2011", "2021", 50.0)


def flows(conso=0.0, habitat=0.0, activite=0.0, artif=0.0, desartif=0.0):
    """flow_values in m² (what core.changes hands over)."""
    return ch.flow_values({"conso_enaf": conso, "conso_habitat": habitat, "conso_activite": activite,
                           "artif": artif, "desartif": desartif})


def measures(per_year_before=1.0, per_year_after=2.0, since=3.0):
    """2005-2015 at 1 ha/year, 2015-2021 at 2 ha/year, 3 ha over 2021-2024 (all habitat)."""
    return [zan.period_figures(("2005", "2015"), flows(conso=10 * per_year_before * 1e4), "2021"),
            zan.period_figures(("2015", "2021"), flows(conso=6 * per_year_after * 1e4), "2021"),
            zan.period_figures(("2021", "2024"), flows(conso=since * 1e4, habitat=since * 1e4, artif=4e4,
                                                       desartif=1e4), "2021")]


def test_trajectory_periods():
    assert TRAJECTORY.reference == ("2011", "2021")
    assert TRAJECTORY.objective == ("2021", "2031")
    assert zan.Trajectory("2010", "2020").objective == ("2020", "2030")


def test_period_figures_before_and_inside_the_objective_decade():
    before = zan.period_figures(("2015", "2021"), flows(conso=3e4, habitat=2e4, activite=1e4, artif=2.5e4,
                                                        desartif=0.5e4), "2021")
    assert (before.years, before.conso_ha, before.conso_ha_an) == (6, 3.0, 0.5)
    assert before.by_destination == {"habitat": 2.0, "activite": 1.0, "infra": 0.0, "autre": 0.0}
    assert (before.artif_ha, before.desartif_ha, before.artif_net_ha) == (None, None, None)   # starts before 2021
    inside = zan.period_figures(("2021", "2024"), flows(conso=3e4, artif=2.5e4, desartif=0.5e4), "2021")
    assert (inside.artif_ha, inside.desartif_ha, inside.artif_net_ha) == (2.5, 0.5, 2.0)
    assert inside.suffix == "2021_2024"
    no_years = zan.period_figures(("avant", "apres"), flows(conso=3e4), "2021")
    assert (no_years.years, no_years.conso_ha, no_years.conso_ha_an, no_years.artif_ha) == (None, 3.0, None, None)
    assert zan.measured([no_years, inside]) == {("2021", "2024"): 3.0}


def test_zone_reference_estimated_official_and_absent():
    periods = measures()
    # 2011-2021: 4 years of 2005-2015 at 1 ha/year + 6 years of 2015-2021 at 2 ha/year = 16 ha
    estimate = zan.zone_reference("59350", periods, TRAJECTORY)
    assert estimate.conso_ha == pytest.approx(16.0)
    assert (estimate.source, estimate.method) == (
        "OCS", "estimé au prorata des périodes 2005-2015 (4 ans), 2015-2021 (6 ans)")
    official = {"02001": 12.0}
    assert zan.zone_reference("2001", periods, TRAJECTORY, official) == zan.Reference(12.0, "officiel",
                                                                                       zan.OFFICIAL_METHOD)
    assert zan.zone_reference(2001.0, periods, TRAJECTORY, official).conso_ha == 12.0    # '2001.0' → '02001'
    absent = zan.zone_reference("59350", periods, TRAJECTORY, official)
    assert (absent.conso_ha, absent.source) == (pytest.approx(16.0), "OCS")
    assert absent.method.endswith(" ; zone absente de la table officielle")
    # the territory row and the land outside the zones are never looked for in the table
    for zone in (zan.TOTAL, ch.OUTSIDE_ZONES):
        assert not zan.zone_reference(zone, periods, TRAJECTORY, official).method.endswith("officielle")


def test_zone_figures_allowance_consumed_remaining():
    periods = measures()
    figures = zan.zone_figures("59350", 1234.5, periods, TRAJECTORY, zan.zone_reference("59350", periods, TRAJECTORY))
    assert figures.reference_ha_an == pytest.approx(1.6)          # 16 ha / 10 years
    assert figures.allowance_ha == pytest.approx(8.0)             # 16 ha − 50 %
    assert figures.allowance_ha_an == pytest.approx(0.8)
    assert (figures.observed_ha, figures.observed_method) == (3.0, "observé 2021-2024")
    assert figures.remaining_ha == pytest.approx(5.0)             # 8 − 3
    stricter = zan.zone_figures("59350", 1.0, periods, zan.Trajectory("2011", "2021", 75.0),
                                zan.Reference(16.0, "OCS", "m"))
    assert (stricter.allowance_ha, stricter.remaining_ha) == (4.0, 1.0)
    nothing = zan.zone_figures("x", 1.0, periods[:1], TRAJECTORY, zan.Reference(None, "OCS", "m"))
    assert (nothing.reference_ha_an, nothing.allowance_ha, nothing.allowance_ha_an, nothing.remaining_ha) == (
        None, None, None, None)
    assert (nothing.observed_ha, nothing.observed_method) == (None, "aucun millésime après 2021")


def test_total_reference_sums_the_zones():
    periods = measures()

    def zone(name, reference):
        return zan.zone_figures(name, 1.0, periods, TRAJECTORY, reference)

    official, estimated = zan.Reference(12.0, "officiel", "o"), zan.Reference(16.0, "OCS", "e")
    outside = zone(ch.OUTSIDE_ZONES, zan.Reference(1.0, "OCS", "e"))
    mixed = zan.total_reference(periods, TRAJECTORY, [zone("A", official), zone("B", estimated), outside])
    assert (mixed.conso_ha, mixed.source, mixed.method) == (29.0, "mixte", zan.SUM_OF_ZONES)
    # only official zones (the land outside them does not count): "officiel"
    only = zan.total_reference(periods, TRAJECTORY, [zone("A", official), outside])
    assert (only.conso_ha, only.source, only.method) == (13.0, "officiel", zan.SUM_OF_ZONES)
    # every zone estimated: the territory's own estimate names the method, the value is the sum
    ocs = zan.total_reference(periods, TRAJECTORY, [zone("A", estimated), zone("B", zan.Reference(None, "OCS", "-"))])
    assert (ocs.conso_ha, ocs.source) == (16.0, "OCS")
    assert ocs.method == "estimé au prorata des périodes 2005-2015 (4 ans), 2015-2021 (6 ans)"
    assert zan.total_reference(periods, TRAJECTORY, [zone("A", zan.Reference(None, "OCS", "-"))]).conso_ha is None


def side(enaf):
    return ch.Side(enaf, enaf, artif=0 if enaf in ("A", "F", "N") else 1, enaf=enaf)


def test_figures_per_zone_from_transitions():
    """Zone A: 2 ha of farmland → housing over 2015-2021 (6 years); zone B: 1 ha over 2021-2024; 5 ha kept."""
    transitions = ch.Transitions()
    first, second = ("2015", "2021"), ("2021", "2024")
    transitions.add(first, "A", side("A"), side("Uh"), 2e4)
    transitions.add(first, "A", side("A"), side("A"), 3e4)
    transitions.add(first, "B", side("F"), side("F"), 3e4)
    transitions.add(second, "A", side("Uh"), side("Uh"), 2e4)
    transitions.add(second, "A", side("A"), side("A"), 3e4)
    transitions.add(second, "B", side("F"), side("Ue"), 1e4)
    transitions.add(second, "B", side("F"), side("F"), 2e4)
    rows = zan.figures_per_zone(transitions, [first, second], TRAJECTORY, {"A": 1.5}, zoned=True)
    assert [(zone, key) for zone, key, _f in rows] == [("A", "A"), ("B", "B"), (zan.TOTAL, Ellipsis)]
    a, b, total = (figures for _z, _k, figures in rows)
    assert (a.surface_ha, b.surface_ha, total.surface_ha) == (5.0, 3.0, 8.0)
    assert (a.reference.conso_ha, a.reference.source) == (1.5, "officiel")
    # B: 2015-2021 (6 years of 2011-2021) at 0 ha/year, the 4 other years at that mean rate: 0 ha
    assert (b.reference.conso_ha, b.reference.source) == (0.0, "OCS")
    assert (a.observed_ha, b.observed_ha) == (0.0, 1.0)
    assert b.periods[1].by_destination["activite"] == 1.0
    assert b.periods[1].artif_ha == 1.0
    assert (total.reference.conso_ha, total.reference.source) == (1.5, "mixte")
    assert (total.allowance_ha, total.observed_ha, total.remaining_ha) == (0.75, 1.0, -0.25)
    assert total.periods[0].conso_ha == 2.0 and total.periods[0].conso_ha_an == pytest.approx(2.0 / 6)
    # without zones: one row, the territory's own estimate (2 ha over 6 years → 10/6 × 2 over 2011-2021)
    alone = zan.figures_per_zone(transitions, [first, second], TRAJECTORY)
    assert [(zone, key) for zone, key, _f in alone] == [(zan.TOTAL, Ellipsis)]
    assert alone[0][2].reference.conso_ha == pytest.approx(2.0 / 6 * 10)


def test_output_columns_and_attributes_match():
    periods = measures()
    columns = zan.output_columns([p.period for p in periods], "2021")
    names = [name for name, _kind in columns]
    assert names[:2] == ["zone", "surface_ha"]
    assert names[2:9] == ["annees_2005_2015", "conso_enaf_2005_2015_ha", "conso_enaf_2005_2015_ha_an",
                          "conso_habitat_2005_2015_ha", "conso_activite_2005_2015_ha", "conso_infra_2005_2015_ha",
                          "conso_autre_2005_2015_ha"]
    # artificialisation flows only for the period starting in 2021
    assert [n for n in names if n.startswith(("artif", "desartif"))] == [
        "artif_2021_2024_ha", "desartif_2021_2024_ha", "artif_net_2021_2024_ha"]
    assert len(names) == 2 + 7 + 7 + 10 + 12
    assert dict(columns)["annees_2015_2021"] == "int" and dict(columns)["methode"] == "str"
    figures = zan.zone_figures("59350", 12.0, periods, TRAJECTORY, zan.zone_reference("59350", periods, TRAJECTORY))
    values = figures.attributes()
    assert sorted(values) == sorted(names)
    assert values["artif_net_2021_2024_ha"] == 3.0 and values["conso_enaf_2005_2015_ha_an"] == 1.0
    assert (values["periode_reference"], values["periode_objectif"], values["reduction_pct"]) == (
        "2011-2021", "2021-2031", 50.0)
    assert values["reste_ha"] == pytest.approx(5.0)


def test_figures_section_for_the_report():
    periods = measures()
    figures = zan.zone_figures("59350", 12.0, periods, TRAJECTORY, zan.Reference(16.0, "OCS", "m"))
    section = figures_section(figures, "insee 59350", {"extent": (0, 0, 1, 1)})
    assert section["zone"] == "insee 59350" and section["area_ha"] == 12.0
    assert section["periods"][2] == {"period": ("2021", "2024"), "years": 3, "conso_ha": 3.0, "conso_ha_an": 1.0,
                                     "by_destination": {"habitat": 3.0, "activite": 0.0, "infra": 0.0, "autre": 0.0},
                                     "artif_net_ha": 3.0}
    assert section["periods"][0]["artif_net_ha"] is None
    assert section["reference"] == {"period": ("2011", "2021"), "conso_ha": 16.0, "source": "OCS", "methode": "m"}
    assert section["objective"] == {"period": ("2021", "2031"), "reduction_pct": 50.0, "allowance_ha": 8.0,
                                    "observed_ha": 3.0, "observed_methode": "observé 2021-2024", "remaining_ha": 5.0}
    assert section["map"] == {"extent": (0, 0, 1, 1)}


def test_method_texts_in_english_for_an_english_report():
    """The ``methode`` values stay French (data values); an English report shows them in English."""
    ha, method = zan.reference_estimate({("2005", "2015"): 4.0, ("2015", "2021"): 6.0}, "2011", "2021")
    assert ha == pytest.approx(0.4 * 4 + 1.0 * 6)                 # 4 years at 0.4 ha/year, 6 at 1 ha/year
    assert method == "estimé au prorata des périodes 2005-2015 (4 ans), 2015-2021 (6 ans)"
    assert zan.method_text(method, "en") == \
        "estimated pro rata of the periods 2005-2015 (4 years), 2015-2021 (6 years)"
    assert zan.method_text(method, "fr") == method
    _ha, method = zan.reference_estimate({("2013", "2015"): 4.0}, "2011", "2021")
    assert method == "estimé au prorata des périodes 2013-2015 (2 ans) ; 8 ans hors millésimes au taux moyen de " \
                     "ces périodes"
    assert zan.method_text(method, "en") == "estimated pro rata of the periods 2013-2015 (2 years); 8 years outside " \
                                            "the vintages at the mean rate of these periods"
    _ha, method = zan.since({("2019", "2023"): 4.0})
    assert (method, zan.method_text(method, "en")) == ("observé 2019-2023 (prorata 2/4)",
                                                       "observed 2019-2023 (pro rata 2/4)")
    assert zan.method_text(zan.since({("2015", "2021"): 6.0})[1], "en") == "no vintage after 2021"
    assert zan.method_text(zan.OFFICIAL_METHOD + zan.NOT_IN_OFFICIAL, "en") == \
        "official figure given (OFFICIAL_CONSUMPTION); zone missing from the official table"
