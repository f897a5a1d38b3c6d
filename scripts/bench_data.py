#!/usr/bin/env python3
"""Synthetic OCS2D-like GeoPackage for the benchmarks (scripts/bench.py).

    python scripts/bench_data.py [--n 1000000] [--force] [--check]

Writes ``.build/bench/ocs2d_<n>.gpkg`` (layer ``ocs2d``, EPSG:2154, polygons, fields cs05 us05 cs15 us15 cs21
us21) unless it already exists (``--force`` rebuilds it). Deterministic: same N and seed, same file content.

How the territory is built (cheap, valid and contiguous by construction):

* A lattice of 40 m "fine cells" whose corners are jittered (±20 % of a cell) and whose edges carry two shared,
  jittered intermediate vertices. Every polygon is a rectangle of whole fine cells walked along the lattice, so
  neighbours share exactly the same vertices: no gap, no overlap, no T-junction.
* Fine cells are grouped in 4 × 4 "blocks" (160 m). Each block is cut by a template: 11 to 16 pieces in towns
  (houses, gardens, a street strip every other block row/column), 5-6 in activity zones, 4 in parks and public
  facilities, 1 to 4 fields in the countryside, plus templates for farms (agricultural buildings, yard, farmhouse,
  garden), main roads, a railway and rivers.
* Towns: Pareto-distributed radii (one city, towns, many villages and hamlets), lobed and ragged edges; forests
  as large blobs; US7.0.0 polygons (grass, scrub, bare ground, small woods, ponds) both inside / next to towns
  and far from them; agricultural structures (CS1.1.1/US1.1.7 with their yard) near and far from towns.
* Vintages: 2021 is the reference; 2015 and 2005 undo urban growth at the edge of towns (farmland, or a
  construction site in 2015), densification of gardens, new farm buildings, friches, forest cuts and crop /
  meadow rotation, so roughly 5-10 % of the polygons change between two vintages.

Every (cs, us) pair used is checked against the regional lookup table of the plugin.
"""
import argparse
import csv
import math
from collections import Counter
import os
import struct
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(REPO, ".build", "bench")
LAYER = "ocs2d"
FIELDS = ("cs05", "us05", "cs15", "us15", "cs21", "us21")
VINTAGES = ("2005", "2015", "2021")
DEFAULT_N = 1_000_000
SEED = 20240917

CELL = 40.0            # fine cell (m)
BLOCK = 4              # fine cells per block side
CORNER_JITTER = 0.20   # fraction of a cell
EDGE_JITTER = 0.07
X0, Y0 = 600000.0, 6950000.0   # Lambert-93, south-west corner (Hauts-de-France)


def dataset_path(n):
    return os.path.join(BENCH_DIR, "ocs2d_%d.gpkg" % n)


# -- deterministic hashing ---------------------------------------------------------------------------------------

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
_S1 = np.uint64(0xBF58476D1CE4E5B9)
_S2 = np.uint64(0x94D049BB133111EB)


def hash_u(a, b, salt):
    """Uniform [0, 1) from integer arrays ``a``, ``b`` and an integer salt (splitmix64), broadcasting."""
    with np.errstate(over="ignore"):
        x = (np.asarray(a).astype(np.uint64) * _M1) ^ (np.asarray(b).astype(np.uint64) * _M2) \
            ^ (np.uint64(salt + SEED) * _M3)
        x ^= x >> np.uint64(30)
        x *= _S1
        x ^= x >> np.uint64(27)
        x *= _S2
        x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


# -- classes -----------------------------------------------------------------------------------------------------

# Role -> [(cs, us, weight)] for the 2021 vintage.
ROLES = {
    "hab_centre": [("CS1.1.1", "US5.1.1", 22), ("CS1.1.1", "US5.1.2", 18), ("CS1.1.2", "US5.1.2", 9),
                   ("CS1.1.1", "US5.3.2", 8), ("CS1.1.1", "US5.3.1", 2), ("CS6.6.0", "US5.1.3", 8),
                   ("CS1.1.1", "US3.1.1", 4), ("CS1.1.1", "US3.1.6", 4), ("CS1.1.2", "US3.1.4", 5),
                   ("CS6.6.0", "US3.2.1", 4), ("CS1.1.1", "US2.2.0", 5), ("CS1.1.2", "US3.1.3", 2),
                   ("CS1.1.1", "US3.1.2", 1), ("CS1.1.1", "US6.2.1", 1), ("CS6.6.0", "US6.2.2", 1),
                   ("CS1.2.1", "US6.1.1", 1), ("CS6.6.0", "US7.0.0", 1), ("CS1.1.2", "US4.5.0", 1),
                   ("CS4.1.2", "US5.1.3", 2)],
    "hab": [("CS1.1.1", "US5.2.2", 26), ("CS1.1.1", "US5.2.3", 14), ("CS6.6.0", "US5.2.2", 18),
            ("CS6.6.0", "US5.2.3", 10), ("CS1.1.2", "US5.2.2", 6), ("CS4.1.2", "US5.2.3", 3),
            ("CS1.1.1", "US5.2.1", 3), ("CS6.6.0", "US7.0.0", 3), ("CS5.1.1", "US7.0.0", 1),
            ("CS1.2.1", "US7.0.0", 1), ("CS6.6.0", "US6.2.2", 2), ("CS1.1.1", "US3.1.1", 2),
            ("CS6.6.0", "US3.2.2", 2), ("CS1.1.2", "US3.1.4", 2), ("CS1.1.1", "US2.1.1", 2),
            ("CS1.1.1", "US1.1.7", 0.6), ("CS1.1.2", "US1.1.7", 0.4), ("CS6.6.0", "US4.5.0", 2),
            ("CS6.1.1", "US1.1.1", 1.5), ("CS1.1.1", "US5.4.0", 1)],
    "road_urban": [("CS1.1.2", "US4.1.2", 85), ("CS1.1.2", "US4.1.1", 10), ("CS6.6.0", "US4.5.0", 5)],
    "activity": [("CS1.1.1", "US2.1.1", 35), ("CS1.1.2", "US2.1.1", 25), ("CS1.1.1", "US2.2.0", 12),
                 ("CS1.1.2", "US2.2.0", 8), ("CS6.6.0", "US2.1.1", 8), ("CS1.1.2", "US3.1.4", 5),
                 ("CS1.1.1", "US6.2.1", 3), ("CS1.2.1", "US6.1.1", 2), ("CS1.1.1", "US2.1.2", 1),
                 ("CS6.6.0", "US7.0.0", 1)],
    "park": [("CS6.6.0", "US3.2.1", 30), ("CS6.6.0", "US3.2.2", 20), ("CS1.1.1", "US3.1.1", 12),
             ("CS1.1.1", "US3.1.2", 5), ("CS1.1.2", "US3.1.3", 5), ("CS4.1.2", "US3.2.1", 10),
             ("CS6.6.0", "US7.0.0", 8), ("CS4.1.2", "US7.0.0", 5), ("CS3.1.1", "US3.2.1", 5)],
    "field": [("CS6.3.0", "US1.1.3", 62), ("CS6.1.1", "US1.1.1", 22), ("CS6.1.1", "US1.1.2", 1),
              ("CS4.4.0", "US1.1.5", 1), ("CS4.1.2", "US7.0.0", 4), ("CS4.1.2", "US1.2.4", 2),
              ("CS5.1.1", "US7.0.0", 2), ("CS6.6.0", "US7.0.0", 2), ("CS3.1.1", "US7.0.0", 1),
              ("CS6.1.2", "US1.1.1", 1), ("CS6.6.0", "US6.2.3", 1), ("CS1.2.1", "US1.3.1", 0.2),
              ("CS6.1.1", "US1.1.4", 0.5)],
    "field_near": [("CS6.3.0", "US1.1.3", 48), ("CS6.1.1", "US1.1.1", 24), ("CS6.6.0", "US7.0.0", 7),
                   ("CS5.1.1", "US7.0.0", 3), ("CS1.2.1", "US7.0.0", 2), ("CS4.1.2", "US7.0.0", 4),
                   ("CS6.6.0", "US6.2.3", 2), ("CS1.1.1", "US1.1.7", 1), ("CS6.1.1", "US1.1.4", 1),
                   ("CS6.6.0", "US3.2.2", 1), ("CS3.1.1", "US7.0.0", 1)],
    "forest": [("CS4.1.2", "US7.0.0", 35), ("CS4.1.2", "US1.2.4", 20), ("CS4.3.2", "US7.0.0", 15),
               ("CS4.2.2", "US1.2.4", 10), ("CS4.1.2", "US1.2.2", 5), ("CS4.1.3", "US7.0.0", 5),
               ("CS5.1.1", "US7.0.0", 5), ("CS6.6.0", "US1.2.1", 3), ("CS3.1.1", "US7.0.0", 2)],
    "road_rural": [("CS1.1.2", "US4.1.1", 70), ("CS6.6.0", "US4.5.0", 20), ("CS1.1.2", "US4.1.2", 10)],
    "rail": [("CS1.2.1", "US4.2.1", 80), ("CS6.6.0", "US4.5.0", 20)],
    "river": [("CS3.1.2", "US7.0.0", 60), ("CS3.1.2", "US4.4.0", 30), ("CS4.1.3", "US7.0.0", 10)],
    "farm_building": [("CS1.1.1", "US1.1.7", 1)],
    "farm_yard": [("CS1.1.2", "US1.1.7", 80), ("CS1.2.1", "US1.1.7", 20)],
    "farm_house": [("CS1.1.1", "US5.4.0", 1)],
    "farm_garden": [("CS6.6.0", "US5.4.0", 70), ("CS4.1.2", "US5.4.0", 30)],
}
ROLE_NAMES = list(ROLES)
ROLE = {name: i for i, name in enumerate(ROLE_NAMES)}

# Earlier states, chosen by rules in assign_codes().
EXTRA_PAIRS = [("CS6.3.0", "US1.1.3"), ("CS6.1.1", "US1.1.1"), ("CS1.2.1", "US6.1.1"), ("CS1.1.1", "US2.1.1"),
               ("CS4.1.2", "US1.2.4"), ("CS6.6.0", "US5.2.2"), ("CS6.6.0", "US5.2.3"), ("CS6.6.0", "US5.1.3"),
               ("CS1.1.2", "US1.1.7"), ("CS6.6.0", "US6.2.2")]


def _pair_table():
    pairs = []
    for entries in ROLES.values():
        for cs, us, _w in entries:
            if (cs, us) not in pairs:
                pairs.append((cs, us))
    for pair in EXTRA_PAIRS:
        if pair not in pairs:
            pairs.append(pair)
    return pairs


PAIRS = _pair_table()
PAIR = {pair: i for i, pair in enumerate(PAIRS)}


def check_pairs():
    """Every pair must be a known leaf pair of the regional lookup (resources/matrices/...lookup.csv)."""
    path = os.path.join(REPO, "resources", "matrices", "ocs2d_2021_postes_enaf_lookup.csv")
    with open(path, encoding="utf-8", newline="") as handle:
        known = {(row["cs"], row["us"]) for row in csv.DictReader(
            (line for line in handle if not line.startswith("#")), delimiter=";")}
    missing = [p for p in PAIRS if p not in known]
    if missing:
        raise SystemExit("bench_data: pairs missing from the lookup: %s" % missing)


# -- block templates ---------------------------------------------------------------------------------------------
# (x0, y0, x1, y1, slot) in fine cells inside a block; slot "M" is the block's main role.

def _fine_hab(road_row, road_col):
    pieces = []
    if road_row:
        pieces.append((0, 0, 4, 1, "road_urban"))
    if road_col:
        pieces.append((0, 1 if road_row else 0, 1, 4, "road_urban"))
    for y in range(4):
        for x in range(4):
            if (road_row and y == 0) or (road_col and x == 0):
                continue
            pieces.append((x, y, x + 1, y + 1, "M"))
    return pieces


TEMPLATES = {
    "hab": _fine_hab(False, False),
    "hab_r": _fine_hab(True, False),
    "hab_c": _fine_hab(False, True),
    "hab_rc": _fine_hab(True, True),
    "act": [(0, 0, 2, 2, "M"), (2, 0, 4, 2, "M"), (0, 2, 2, 3, "M"), (2, 2, 4, 3, "M"), (0, 3, 2, 4, "M"),
            (2, 3, 4, 4, "M")],
    "act_r": [(0, 0, 4, 1, "road_urban"), (0, 1, 2, 2, "M"), (2, 1, 4, 2, "M"), (0, 2, 2, 4, "M"),
              (2, 2, 4, 4, "M")],
    "quad": [(0, 0, 2, 2, "M"), (2, 0, 4, 2, "M"), (0, 2, 2, 4, "M"), (2, 2, 4, 4, "M")],
    "whole": [(0, 0, 4, 4, "M")],
    "h2": [(0, 0, 4, 2, "M"), (0, 2, 4, 4, "M")],
    "v2": [(0, 0, 2, 4, "M"), (2, 0, 4, 4, "M")],
    "t3": [(0, 0, 4, 2, "M"), (0, 2, 2, 4, "M"), (2, 2, 4, 4, "M")],
    "t3b": [(0, 0, 2, 4, "M"), (2, 0, 4, 2, "M"), (2, 2, 4, 4, "M")],
    "road_h": [(0, 0, 4, 1, "road_rural"), (0, 1, 4, 4, "M")],
    "road_v": [(0, 0, 1, 4, "road_rural"), (1, 0, 4, 4, "M")],
    "road_x": [(0, 0, 4, 1, "road_rural"), (0, 1, 1, 4, "road_rural"), (1, 1, 4, 4, "M")],
    "rail_h": [(0, 0, 4, 1, "M"), (0, 1, 4, 2, "rail"), (0, 2, 4, 4, "M")],
    "river_v": [(0, 0, 1, 4, "M"), (1, 0, 2, 4, "river"), (2, 0, 4, 4, "M")],
    "farm": [(0, 0, 1, 1, "farm_building"), (1, 0, 2, 1, "farm_yard"), (0, 1, 1, 2, "farm_house"),
             (1, 1, 2, 2, "farm_garden"), (2, 0, 4, 2, "M"), (0, 2, 4, 4, "M")],
    "farm2": [(0, 0, 1, 1, "farm_building"), (1, 0, 2, 1, "farm_building"), (0, 1, 2, 2, "farm_yard"),
              (2, 0, 4, 2, "M"), (0, 2, 4, 4, "M")],
}
TEMPLATE_NAMES = list(TEMPLATES)
TEMPLATE = {name: i for i, name in enumerate(TEMPLATE_NAMES)}
RURAL_CUTS = [("whole", 0.30), ("h2", 0.20), ("v2", 0.20), ("t3", 0.08), ("t3b", 0.07), ("quad", 0.15)]


# -- layout ------------------------------------------------------------------------------------------------------

def layout(side):
    """Block kinds for a ``side`` × ``side`` block grid: (template index, main role, u) arrays (row-major)."""
    rng = np.random.default_rng(SEED + side)
    bi, bj = np.meshgrid(np.arange(side), np.arange(side))      # bi = column (x), bj = row (y)
    cx = (bi + 0.5) * BLOCK * CELL
    cy = (bj + 0.5) * BLOCK * CELL
    extent = side * BLOCK * CELL
    area_km2 = (extent / 1000.0) ** 2

    # Towns: one city, then Pareto radii (towns, villages, hamlets) — about one commune per 8 km².
    n_towns = max(4, int(area_km2 / 8.0))
    radii = np.minimum(180.0 * (1.0 + rng.pareto(1.5, n_towns)), 3500.0)
    radii[0] = min(4000.0, extent / 5.0)
    tx = rng.uniform(0, extent, n_towns)
    ty = rng.uniform(0, extent, n_towns)
    tx[0], ty[0] = extent * 0.55, extent * 0.5
    lobes = rng.integers(2, 6, n_towns)
    phase = rng.uniform(0, 2 * math.pi, n_towns)
    u = np.full((side, side), -9.0)
    town_r = np.zeros((side, side))
    block_m = BLOCK * CELL
    for t in range(n_towns):
        reach = radii[t] * 1.6 + block_m
        j0, j1 = max(0, int((ty[t] - reach) // block_m)), min(side, int((ty[t] + reach) // block_m) + 1)
        i0, i1 = max(0, int((tx[t] - reach) // block_m)), min(side, int((tx[t] + reach) // block_m) + 1)
        if j0 >= j1 or i0 >= i1:
            continue
        dx = cx[j0:j1, i0:i1] - tx[t]
        dy = cy[j0:j1, i0:i1] - ty[t]
        angle = np.arctan2(dy, dx)
        dist = np.hypot(dx, dy) / (1.0 + 0.25 * np.sin(lobes[t] * angle + phase[t]))
        value = 1.0 - dist / radii[t]
        window = u[j0:j1, i0:i1]
        better = value > window
        window[better] = value[better]
        town_r[j0:j1, i0:i1][better] = radii[t]
    coarse = hash_u(bi // 3, bj // 3, 11)
    u = u + (hash_u(bi, bj, 10) - 0.5) * 0.22 + (coarse - 0.5) * 0.12
    urban = u > 0.0
    near = (~urban) & (u > -0.3)

    # Forests: large blobs away from towns.
    forest_field = np.zeros((side, side))
    n_forests = max(2, int(area_km2 / 25.0))
    fx = rng.uniform(0, extent, n_forests)
    fy = rng.uniform(0, extent, n_forests)
    fr = rng.uniform(400, 2500, n_forests)
    for f in range(n_forests):
        reach = fr[f] * 1.5
        j0, j1 = max(0, int((fy[f] - reach) // block_m)), min(side, int((fy[f] + reach) // block_m) + 1)
        i0, i1 = max(0, int((fx[f] - reach) // block_m)), min(side, int((fx[f] + reach) // block_m) + 1)
        if j0 >= j1 or i0 >= i1:
            continue
        d = np.hypot(cx[j0:j1, i0:i1] - fx[f], cy[j0:j1, i0:i1] - fy[f]) / fr[f]
        np.maximum(forest_field[j0:j1, i0:i1], 1.0 - d, out=forest_field[j0:j1, i0:i1])
    forest = (forest_field + (hash_u(bi, bj, 12) - 0.5) * 0.3 > 0.15) & ~urban & ~near

    template = np.full((side, side), -1, dtype=np.int16)
    main = np.full((side, side), ROLE["field"], dtype=np.int16)

    # Urban blocks: activity zones in clusters of 4 × 4 blocks at the edge of towns, parks, housing.
    h = hash_u(bi, bj, 13)
    activity = urban & (hash_u(bi // 4, bj // 4, 14) < 0.22) & (u < 0.45) & (town_r > 500)
    activity |= urban & (h < 0.04)
    park = urban & ~activity & (h > 0.93)
    housing = urban & ~activity & ~park
    road_row = (bj % 2) == 0
    road_col = (bi % 2) == 0
    template[housing & ~road_row & ~road_col] = TEMPLATE["hab"]
    template[housing & road_row & ~road_col] = TEMPLATE["hab_r"]
    template[housing & ~road_row & road_col] = TEMPLATE["hab_c"]
    template[housing & road_row & road_col] = TEMPLATE["hab_rc"]
    centre = (u > 0.55) & (town_r > 900)
    main[housing] = ROLE["hab"]
    main[housing & centre] = ROLE["hab_centre"]
    template[activity & road_row] = TEMPLATE["act_r"]
    template[activity & ~road_row] = TEMPLATE["act"]
    main[activity] = ROLE["activity"]
    template[park] = TEMPLATE["quad"]
    main[park] = ROLE["park"]

    # Countryside.
    rural = ~urban
    main[rural] = ROLE["field"]
    main[rural & near] = ROLE["field_near"]
    main[forest] = ROLE["forest"]
    cut = hash_u(bi, bj, 15)
    edges = np.cumsum([w for _n, w in RURAL_CUTS])
    which = np.searchsorted(edges, cut * edges[-1], side="right")
    for k, (name, _w) in enumerate(RURAL_CUTS):
        template[rural & (which == k)] = TEMPLATE[name]
    farm_p = np.where(near, 0.05, 0.012)
    farm = rural & ~forest & (hash_u(bi, bj, 16) < farm_p)
    template[farm] = np.where(hash_u(bi, bj, 17)[farm] < 0.6, TEMPLATE["farm"], TEMPLATE["farm2"])
    # Linear networks (over the countryside only: streets already cross the towns).
    main_row = (bj % 29) == 7
    main_col = (bi % 31) == 11
    template[rural & main_row & ~main_col] = TEMPLATE["road_h"]
    template[rural & main_col & ~main_row] = TEMPLATE["road_v"]
    template[rural & main_row & main_col] = TEMPLATE["road_x"]
    template[rural & ((bj % 97) == 40)] = TEMPLATE["rail_h"]
    river_i = (side * 0.37 + side * 0.08 * np.sin(bj / 23.0)).astype(int)
    template[rural & (bi == river_i)] = TEMPLATE["river_v"]
    assert (template >= 0).all()
    return template.ravel(), main.ravel(), u.ravel()


def pieces(n):
    """Polygons as arrays (row-major block order, then template order), truncated to exactly ``n``."""
    counts = np.array([len(TEMPLATES[name]) for name in TEMPLATE_NAMES])
    side = max(8, int(math.ceil(math.sqrt(n / 4.0))))
    while True:
        template, main, u = layout(side)
        total = int(counts[template].sum())
        if total >= n:
            break
        side = int(math.ceil(side * math.sqrt(n / total * 1.03)))
    per_block = counts[template]
    blocks_needed = int(np.searchsorted(np.cumsum(per_block), n) + 1)
    template, main, u = template[:blocks_needed], main[:blocks_needed], u[:blocks_needed]
    per_block = per_block[:blocks_needed]
    block_id = np.repeat(np.arange(blocks_needed), per_block)
    # position of each piece inside its block's template
    starts = np.cumsum(per_block) - per_block
    slot = np.arange(block_id.size) - starts[block_id]
    # flatten templates into lookup tables [template, slot]
    width = counts.max()
    geo = np.zeros((len(TEMPLATE_NAMES), width, 4), dtype=np.int32)
    role_of = np.full((len(TEMPLATE_NAMES), width), -1, dtype=np.int16)
    for t, name in enumerate(TEMPLATE_NAMES):
        for s, (x0, y0, x1, y1, slot_role) in enumerate(TEMPLATES[name]):
            geo[t, s] = (x0, y0, x1, y1)
            role_of[t, s] = -1 if slot_role == "M" else ROLE[slot_role]
    t_of = template[block_id]
    rect = geo[t_of, slot]
    role = role_of[t_of, slot]
    role = np.where(role < 0, main[block_id], role).astype(np.int16)
    bi = block_id % side
    bj = block_id // side
    gx0 = bi * BLOCK + rect[:, 0]
    gy0 = bj * BLOCK + rect[:, 1]
    w = rect[:, 2] - rect[:, 0]
    hgt = rect[:, 3] - rect[:, 1]
    return {"gx0": gx0[:n].astype(np.int64), "gy0": gy0[:n].astype(np.int64), "w": w[:n], "h": hgt[:n],
            "role": role[:n], "u": u[block_id][:n], "side": side}


# -- codes per vintage -------------------------------------------------------------------------------------------

def assign_codes(p):
    """Pair indexes (into PAIRS) for 2005, 2015, 2021: arrays of int16."""
    n = p["role"].size
    key_a = p["gx0"] * 7 + p["w"]
    key_b = p["gy0"] * 7 + p["h"]
    draw = hash_u(key_a, key_b, 100)
    y21 = np.zeros(n, dtype=np.int16)
    for name, entries in ROLES.items():
        mask = p["role"] == ROLE[name]
        if not mask.any():
            continue
        weights = np.cumsum([w for _c, _u, w in entries], dtype=float)
        ids = np.array([PAIR[(c, u)] for c, u, _w in entries], dtype=np.int16)
        k = np.searchsorted(weights / weights[-1], draw[mask], side="right")
        y21[mask] = ids[np.minimum(k, len(ids) - 1)]
    y15 = y21.copy()
    y05 = y21.copy()
    r1, r2, r3 = (hash_u(key_a, key_b, s) for s in (101, 102, 103))
    role, u = p["role"], p["u"]
    urbanish = np.isin(role, [ROLE[r] for r in ("hab", "hab_centre", "road_urban", "activity", "park")])
    crop, meadow = PAIR[("CS6.3.0", "US1.1.3")], PAIR[("CS6.1.1", "US1.1.1")]
    farmland = np.where(r1 < 0.72, crop, meadow).astype(np.int16)
    # Urban growth at the edge of towns: built between 2015 and 2021 (u <= 0.04), between 2005 and 2015 (<= 0.10).
    new21 = urbanish & (u <= 0.04)
    new15 = urbanish & (u > 0.04) & (u <= 0.10)
    y15[new21] = np.where(r2[new21] < 0.25, PAIR[("CS1.2.1", "US6.1.1")], farmland[new21])
    y05[new21 | new15] = farmland[new21 | new15]
    old = ~(new21 | new15)
    # Densification: gardens built on.
    for us in ("US5.2.2", "US5.2.3"):
        built = old & (y21 == PAIR[("CS1.1.1", us)])
        y15[built & (r2 < 0.03)] = PAIR[("CS6.6.0", us)]
        y05[built & (r2 < 0.07)] = PAIR[("CS6.6.0", us)]
    built = old & (y21 == PAIR[("CS1.1.1", "US5.1.2")])
    y05[built & (r2 < 0.04)] = PAIR[("CS6.6.0", "US5.1.3")]
    # Friches and construction sites: economic activity before.
    friche = old & np.isin(y21, [PAIR[("CS1.1.1", "US6.2.1")], PAIR[("CS6.6.0", "US6.2.2")]])
    y15[friche & (r2 < 0.7)] = PAIR[("CS1.1.1", "US2.1.1")]
    y05[friche] = PAIR[("CS1.1.1", "US2.1.1")]
    site = old & (y21 == PAIR[("CS1.2.1", "US6.1.1")])
    y15[site] = np.where(r2[site] < 0.5, PAIR[("CS6.6.0", "US6.2.2")], farmland[site])
    y05[site] = farmland[site]
    # New agricultural buildings, forest cuts, US7.0.0 that were fields.
    barn = y21 == PAIR[("CS1.1.1", "US1.1.7")]
    y15[barn & (r3 < 0.08)] = PAIR[("CS1.1.2", "US1.1.7")]
    y05[barn & (r3 < 0.18)] = PAIR[("CS1.1.2", "US1.1.7")]
    cut = y21 == PAIR[("CS6.6.0", "US1.2.1")]
    y15[cut] = PAIR[("CS4.1.2", "US1.2.4")]
    y05[cut] = PAIR[("CS4.1.2", "US1.2.4")]
    fallow = np.isin(y21, [PAIR[("CS6.6.0", "US7.0.0")], PAIR[("CS6.6.0", "US6.2.3")]]) & ~urbanish
    y15[fallow & (r3 < 0.2)] = meadow
    y05[fallow & (r3 < 0.4)] = crop
    # Crop / meadow rotation.
    field = np.isin(y21, [crop, meadow]) & ~urbanish
    flip = {crop: meadow, meadow: crop}
    for target, draw_v, rate in ((y15, r2, 0.05), (y05, r3, 0.09)):
        move = field & (draw_v < rate)
        target[move] = np.where(y21[move] == crop, flip[crop], flip[meadow])
    return y05, y15, y21


# -- geometry ----------------------------------------------------------------------------------------------------

def _corner(gi, gj):
    x = X0 + gi * CELL + (hash_u(gi, gj, 1) - 0.5) * 2 * CORNER_JITTER * CELL
    y = Y0 + gj * CELL + (hash_u(gi, gj, 2) - 0.5) * 2 * CORNER_JITTER * CELL
    return np.round(x, 2), np.round(y, 2)


def _ring_template(w, h):
    """Ring walk of a w × h rectangle of fine cells: arrays (kind, dx, dy, k); kind 0 corner, 1 H edge, 2 V edge."""
    kind, dx, dy, kk = [], [], [], []

    def add(a, b, c, d):
        kind.append(a)
        dx.append(b)
        dy.append(c)
        kk.append(d)

    for i in range(w):                       # bottom, left to right
        add(0, i, 0, 0)
        add(1, i, 0, 1)
        add(1, i, 0, 2)
    for j in range(h):                       # right, upwards
        add(0, w, j, 0)
        add(2, w, j, 1)
        add(2, w, j, 2)
    for i in range(w, 0, -1):                # top, right to left
        add(0, i, h, 0)
        add(1, i - 1, h, 2)
        add(1, i - 1, h, 1)
    for j in range(h, 0, -1):                # left, downwards
        add(0, 0, j, 0)
        add(2, 0, j - 1, 2)
        add(2, 0, j - 1, 1)
    add(0, 0, 0, 0)                          # closed
    return tuple(np.array(a) for a in (kind, dx, dy, kk))


_RINGS = {}


def polygons_wkb(gx0, gy0, w, h):
    """WKB polygons (list of bytes) for rectangles of the same size ``w`` × ``h`` at fine origins gx0, gy0."""
    ring = _RINGS.get((w, h))
    if ring is None:
        ring = _RINGS[(w, h)] = _ring_template(w, h)
    kind, dx, dy, kk = ring
    gi = gx0[:, None] + dx[None, :]
    gj = gy0[:, None] + dy[None, :]
    x, y = _corner(gi, gj)
    # edge points: lerp between the corner and the next one along the edge, plus a jitter across the edge
    h_next = _corner(gi + 1, gj)
    v_next = _corner(gi, gj + 1)
    t = kk[None, :] / 3.0
    jitter = np.round((hash_u(gi * 3 + kk[None, :], gj, 3) - 0.5) * 2 * EDGE_JITTER * CELL, 2)
    is_h = kind[None, :] == 1
    is_v = kind[None, :] == 2
    hx = np.round(x + (h_next[0] - x) * t, 2)
    hy = np.round(y + (h_next[1] - y) * t, 2) + jitter
    vx = np.round(x + (v_next[0] - x) * t, 2) + jitter
    vy = np.round(y + (v_next[1] - y) * t, 2)
    px = np.where(is_h, hx, np.where(is_v, vx, x))
    py = np.where(is_h, hy, np.where(is_v, vy, y))
    n, npts = px.shape
    coords = np.empty((n, npts, 2), dtype="<f8")
    coords[:, :, 0] = px
    coords[:, :, 1] = py
    header = np.frombuffer(struct.pack("<BIII", 1, 3, 1, npts), dtype=np.uint8)
    rows = np.empty((n, 13 + npts * 16), dtype=np.uint8)
    rows[:, :13] = header
    rows[:, 13:] = coords.reshape(n, -1).view(np.uint8)
    return [r.tobytes() for r in rows]


# -- writing -----------------------------------------------------------------------------------------------------

def part_layer(path, layer_name, fields, width):
    """(dataset, layer, temporary path) of a new GeoPackage ``<path>.part.gpkg`` (EPSG:2154, polygons, fid, geom)
    with text ``fields`` of ``width``; renamed to ``path`` by the caller once written."""
    from osgeo import ogr, osr

    tmp = path[:-len(".gpkg")] + ".part.gpkg"
    if os.path.exists(tmp):
        os.remove(tmp)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(tmp)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(2154)
    layer = ds.CreateLayer(layer_name, srs, ogr.wkbPolygon, options=["FID=fid", "GEOMETRY_NAME=geom"])
    for name in fields:
        field = ogr.FieldDefn(name, ogr.OFTString)
        field.SetWidth(width)
        layer.CreateField(field)
    return ds, layer, tmp


def generate(n, path, chunk=100_000, log=print):
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    check_pairs()
    start = time.perf_counter()
    p = pieces(n)
    codes = assign_codes(p)
    log("bench_data: layout of %d polygons (%d × %d blocks of %d m) in %.1f s" % (
        n, p["side"], p["side"], BLOCK * CELL, time.perf_counter() - start))
    ds, layer, tmp = part_layer(path, LAYER, FIELDS, 10)
    defn = layer.GetLayerDefn()
    cs_text = [c for c, _u in PAIRS]
    us_text = [u for _c, u in PAIRS]
    y05, y15, y21 = (c.tolist() for c in codes)
    shapes = p["w"] * 100 + p["h"]
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        wkbs = [None] * (hi - lo)
        sub = shapes[lo:hi]
        for shape in np.unique(sub):
            idx = np.nonzero(sub == shape)[0]
            blobs = polygons_wkb(p["gx0"][lo:hi][idx], p["gy0"][lo:hi][idx], int(shape // 100), int(shape % 100))
            for i, blob in zip(idx.tolist(), blobs):
                wkbs[i] = blob
        layer.StartTransaction()
        for i in range(lo, hi):
            feature = ogr.Feature(defn)
            feature.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkbs[i - lo]))
            a, b, c = y05[i], y15[i], y21[i]
            feature.SetField(0, cs_text[a])
            feature.SetField(1, us_text[a])
            feature.SetField(2, cs_text[b])
            feature.SetField(3, us_text[b])
            feature.SetField(4, cs_text[c])
            feature.SetField(5, us_text[c])
            layer.CreateFeature(feature)
        layer.CommitTransaction()
        log("bench_data: %d / %d written (%.0f s)" % (hi, n, time.perf_counter() - start))
    ds = None
    os.replace(tmp, path)
    log("bench_data: %s in %.1f s" % (path, time.perf_counter() - start))
    return path


def ensure(n=DEFAULT_N, force=False, log=print):
    """Path of the cached dataset of ``n`` polygons, generated when missing (or ``force``)."""
    path = dataset_path(n)
    if force or not os.path.exists(path):
        generate(n, path, log=log)
    return path


def check(path, sample=None):
    """Validity (GEOS), area sum vs. area of the union on a sample, and the share of changes between vintages."""
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    ds = ogr.Open(path)
    layer = ds.GetLayer(0)
    total = layer.GetFeatureCount()
    limit = sample or total
    invalid = 0
    area_sum = 0.0
    collection = ogr.Geometry(ogr.wkbMultiPolygon)
    changed = {"2005-2015": 0, "2015-2021": 0}
    members = {v: 0 for v in VINTAGES}
    pairs = Counter()
    for count, feature in enumerate(layer):
        if count >= limit:
            break
        geometry = feature.GetGeometryRef()
        if not geometry.IsValid():
            invalid += 1
        area_sum += geometry.GetArea()
        if count < 20000:
            collection.AddGeometry(geometry)
        values = [feature.GetField(name) for name in FIELDS]
        changed["2005-2015"] += values[0:2] != values[2:4]
        changed["2015-2021"] += values[2:4] != values[4:6]
        pairs[(values[4], values[5])] += 1
        for v, (cs, us) in zip(VINTAGES, (values[0:2], values[2:4], values[4:6])):
            members[v] += _member(cs, us)
    checked = min(limit, total)
    union = collection.UnionCascaded()
    part_sum = sum(collection.GetGeometryRef(i).GetArea() for i in range(collection.GetGeometryCount()))
    print("%s: %d features, %d checked, %d invalid" % (path, total, checked, invalid))
    print("first %d polygons: sum of areas %.1f m², area of their union %.1f m² (difference %.3g)" % (
        collection.GetGeometryCount(), part_sum, union.GetArea(), part_sum - union.GetArea()))
    print("mean polygon area %.0f m²" % (area_sum / max(checked, 1)))
    print("changed pairs: %s" % ", ".join("%s %.1f %%" % (k, 100.0 * v / checked) for k, v in changed.items()))
    print("envelope members: %s" % ", ".join("%s %.1f %%" % (k, 100.0 * v / checked) for k, v in members.items()))
    print("most frequent 2021 pairs: %s" % ", ".join("%s/%s %.1f %%" % (c, u, 100.0 * k / checked)
                                                      for (c, u), k in pairs.most_common(12)))
    return invalid == 0


def _member(cs, us):
    """Same definition as core/rules.py _ocs2d_envelope (repeated here: no plugin import needed)."""
    us1 = us[:3]
    return bool((cs.startswith("CS1.1.") and us1 not in ("US1", "US4", "US7")) or us1 in ("US2", "US3", "US5")
                or us in ("US6.1.1", "US6.2.1", "US6.2.2", "US6.2.3")
                or (us[:5] in ("US4.3", "US4.4") and not cs.startswith("CS3"))
                or (us[:5] in ("US4.1", "US4.2") and cs == "CS1.1.1"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="number of polygons (default %(default)s)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the cached file exists")
    parser.add_argument("--check", action="store_true", help="check validity and statistics of the file")
    parser.add_argument("--check-sample", type=int, default=None, help="check only the first N features")
    args = parser.parse_args(argv)
    path = ensure(args.n, args.force)
    print(path)
    if args.check:
        return 0 if check(path, args.check_sample) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
