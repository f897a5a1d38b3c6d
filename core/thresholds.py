"""Step 2 of décret n° 2023-1096 without QGIS: the reference thresholds applied to patches of polygons.

The geometry work (which polygons touch, which have part of their boundary shared with no other polygon) is done
by ``engines/artificialisation.py``; it hands this module a ``PatchGraph``. The rule, as IGN's OCS GE
ARTIFICIALISATION product states it (field ``crit_seuil``; core/zan.py has the legal text):

- only polygons under ``other_min`` (2,500 m²) are looked at ("small" polygons, the graph's ``neighbours`` keys);
- a patch is a set of small polygons of the same status that touch each other; a patch touching a polygon of
  the same status that is not small is left as it is;
- a patch of ``other_min`` or more is left as it is;
- a patch is changed only when every polygon it touches has the other status (a NULL status is not the other
  status) and none of its polygons is exposed (part of its boundary on the edge of the layer or on a gap);
- then each polygon of the patch takes ``zan.threshold_status``: non-artificialised → artificialised;
  artificialised → non-artificialised, except a built polygon of at least ``built_min`` (50 m²);
- a polygon exempted at step 1 (parks, solar panels) keeps its status.
"""
import dataclasses
from typing import Callable, Dict, List, Set

from . import zan


@dataclasses.dataclass
class PatchGraph:
    """Which polygons touch, for the small polygons.

    ``areas``: {fid: m²} of every polygon; ``neighbours``: {fid: [fids touching it]} for the polygons under the
    threshold (and only them); ``exposed``: fid → True when part of the polygon's boundary is shared with no
    other polygon (asked only for members of patches that pass every other test: it may be costly)."""

    areas: Dict[int, float]
    neighbours: Dict[int, List[int]]
    exposed: Callable[[int], bool]


@dataclasses.dataclass
class VintageStatus:
    """Step-1 result of one vintage: ``status`` {fid: 1, 0 or None}, ``built`` {fid: m²} of the polygons with a
    built couverture, ``exempt`` the fids an exemption of the decree made non-artificialised."""

    status: Dict[int, object]
    built: Dict[int, float] = dataclasses.field(default_factory=dict)
    exempt: Set[int] = dataclasses.field(default_factory=set)


@dataclasses.dataclass
class Outcome:
    """What the thresholds did to one vintage: ``changed`` {fid: new status} and the counts said in the log."""

    changed: Dict[int, int] = dataclasses.field(default_factory=dict)
    to_artif: int = 0
    area_artif: float = 0.0
    to_natural: int = 0
    area_natural: float = 0.0
    kept_built: int = 0


def patches(graph, states):
    """(patches, big): the patches of small polygons of the same (known) status, as lists of fids, and the set
    of small polygons touching a polygon of the same status that is not small."""
    small_set = set(graph.neighbours)
    found = zan.Patches()
    big = set()
    for fid in small_set:
        value = states.get(fid)
        if value is None:
            continue
        found.add(fid)
        for other in graph.neighbours[fid]:
            if states.get(other) != value:
                continue
            if other in small_set:
                found.add(other)
                found.union(fid, other)
            else:
                big.add(fid)
    return found.groups(), big


def surrounded(graph, states, members, value):
    """Every polygon the patch touches has the other status, and no member is exposed."""
    neighbours = graph.neighbours
    return all(states.get(o) == 1 - value for m in members for o in neighbours[m]
               if states.get(o) != value) and not any(graph.exposed(m) for m in members)


def apply(graph, vintage, built_min=zan.BUILT_MIN_M2, other_min=zan.OTHER_MIN_M2):
    """The Outcome of the thresholds on one vintage (a VintageStatus) of the patch graph."""
    states = vintage.status
    areas = graph.areas
    outcome = Outcome()
    groups, big = patches(graph, states)
    for members in groups:
        value = states[members[0]]
        patch_area = sum(areas[m] for m in members)
        if patch_area >= other_min or any(m in big for m in members):
            continue
        if not surrounded(graph, states, members, value):
            continue
        for member in members:
            if member in vintage.exempt:
                continue    # an exemption of the decree is not undone by the thresholds
            new = zan.threshold_status(value, patch_area, True, vintage.built.get(member), built_min, other_min)
            if new != value:
                outcome.changed[member] = new
                if new == 1:
                    outcome.to_artif += 1
                    outcome.area_artif += areas[member]
                else:
                    outcome.to_natural += 1
                    outcome.area_natural += areas[member]
            elif value == 1:
                outcome.kept_built += 1
    return outcome
