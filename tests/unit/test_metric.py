"""The metric rule without QGIS (core/metric.py): territories, equal-area CRS, probes and the 0.1 % tolerance."""
import math

import pytest

from ocs_toolbox.core import metric


@pytest.mark.parametrize("lon, lat, authid", [
    (3.06, 50.63, "EPSG:2154"),      # Lille
    (9.45, 42.15, "EPSG:2154"),      # Corse
    (-4.49, 48.39, "EPSG:2154"),     # Brest
    (-61.53, 16.24, "EPSG:5490"),    # Guadeloupe
    (-61.07, 14.61, "EPSG:5490"),    # Martinique
    (-63.08, 18.07, "EPSG:5490"),    # Saint-Martin
    (-52.33, 4.94, "EPSG:2972"),     # Cayenne
    (55.45, -20.88, "EPSG:2975"),    # Saint-Denis de La Réunion
    (45.23, -12.78, "EPSG:4471"),    # Mamoudzou
    (-56.17, 46.78, "EPSG:4467"),    # Saint-Pierre
])
def test_territories(lon, lat, authid):
    assert metric.territory(lon, lat).authid == authid


def test_elsewhere_no_territory_and_an_equal_area_crs_centred_on_the_data():
    assert metric.territory(-74.0, 40.7) is None
    assert metric.territory(13.4, 52.5) is None
    assert metric.equal_area_proj(-74.006, 40.7128) == \
        "+proj=laea +lat_0=40.71 +lon_0=-74.01 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    assert "+lat_0=0.00 +lon_0=0.00" in metric.equal_area_proj(-0.001, -0.001)     # no "-0.00"


def test_sample_points_and_probe_size():
    assert metric.sample_points(0, 0, 10, 20) == [(0, 0), (5, 0), (10, 0), (0, 10), (5, 10), (10, 10),
                                                  (0, 20), (5, 20), (10, 20)]
    assert metric.probe_size(0, 0, 5000, 2000) == 50.0       # 1/100 of the larger side
    assert metric.probe_size(0, 0, 200, 200) == 10.0         # at least 10 m
    assert metric.probe_size(0, 0, 1e6, 1e6) == 1000.0       # at most 1 km


def test_scale_error_is_the_largest_relative_difference():
    # Web Mercator at Lille against Lambert-93: a 100 m square measures 4,000 m² by the reference
    probes = [((10000.0, 100.0, 100.0), (10000.0 / 2.4718, 100.0 / 1.5722, 100.0 / 1.5722)),
              ((10000.0, 100.0, 100.0), (10000.0, 100.0, 100.0))]
    assert metric.scale_error(probes) == pytest.approx(1.4718)
    assert metric.scale_error([((1.0, 1.0, 1.0), (1.0, 1.0005, 0.9995))]) == pytest.approx(0.0005 / 0.9995)
    assert metric.scale_error([]) == math.inf
    assert metric.scale_error([((1.0, 1.0, 1.0), (0.0, 1.0, 1.0))]) == math.inf


def test_tolerance_is_a_tenth_of_a_percent():
    assert metric.TOLERANCE == 0.001
    assert metric.kept(0.0) and metric.kept(0.001) and not metric.kept(0.0011)
    assert not metric.kept(math.inf)
