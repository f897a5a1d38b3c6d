"""OCS Toolbox: QGIS Processing tools for land-use observatories (OCS2D, OCS GE)."""


def classFactory(iface):  # noqa: N802 - QGIS entry point
    """QGIS entry point; works with ``iface=None`` (qgis_process)."""
    from .plugin import OcsToolboxPlugin

    return OcsToolboxPlugin(iface)
