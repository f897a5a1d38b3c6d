"""Tables given as Processing matrix parameters (flat lists of values), read into rows."""
from . import nomenclature as nom

CUSTOM_HEADERS = ["source", "code", "label", "colour"]


def matrix_rows(values, width=len(CUSTOM_HEADERS)):
    """Flat matrix values (as parameterAsMatrix gives them) → rows; ``[NULL]`` (empty optional) → []."""
    values = [v for v in (values or [])]
    while values and nom.is_null(values[-1]) and len(values) % width:
        values.pop()
    if not values or all(nom.is_null(v) for v in values):
        return []
    if len(values) % width:
        raise ValueError(len(values))
    return [values[i:i + width] for i in range(0, len(values), width)]
