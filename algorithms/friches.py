"""ocs:friches — friche candidates from land-use history, their characteristics, Mutafriches indices and vocation."""
import csv
import datetime
from collections import Counter

from qgis.core import (
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsRectangle,
    QgsSpatialIndex,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from .. import compat
from ..core import friches as fr
from ..core import heat
from ..core import mutafriches as mf
from ..core import nomenclature as nom
from ..core import rules
from ..core import styles as style_templates
from . import base
from ..engines import landcover, spatial, styling

translate = QCoreApplication.translate
# BPE codes counted as shops and services by Mutafriches (criterion commerces_services, within 500 m).
BPE_SERVICES = ("B104", "B105", "B201", "B202", "B204", "B206", "B207", "A203", "A206", "A207", "A208", "D307")
CENTRE_DISTANCE = 1000.0
STATION_DISTANCE = 500.0
SERVICES_DISTANCE = 500.0
PROTECTED_NEAR = 500.0
INVENTORY_POINT_RADIUS = 10.0
# CNIG friches Table Schema (v1.0.4) column order, for OUTPUT_CSV.
CNIG_COLUMNS = (
    "site_id", "site_nom", "site_type", "site_adresse", "site_identif_date", "site_actu_date", "site_url",
    "site_ademe_url", "site_securite", "site_occupation", "site_statut", "site_projet_url", "site_reconv_annee",
    "site_reconv_type", "activite_libelle", "activite_code", "activite_fin_annee", "comm_nom", "comm_insee",
    "bati_type", "bati_nombre", "bati_surface", "bati_pollution", "bati_vacance", "bati_patrimoine", "bati_etat",
    "local_ancien_annee", "local_recent_annee", "proprio_type", "proprio_personne", "proprio_nom",
    "sol_pollution_annee", "sol_pollution_existe", "sol_pollution_origine", "sol_pollution_commentaire",
    "sol_depollution_fiche", "unite_fonciere_surface", "unite_fonciere_refcad", "urba_zone_type", "urba_zone_lib",
    "urba_zone_formdomi", "urba_doc_type", "desserte_distance", "desserte_commentaire", "source_nom", "source_url",
    "source_producteur", "source_contact", "geompoint", "geomsurf")


class FrichesAlgorithm(base.OcsAlgorithm):
    NAME = "friches"
    GROUP = "friches"
    INPUT = "INPUT"
    NOMENCLATURE = "NOMENCLATURE"
    VINTAGES = "VINTAGES"
    INVENTORY = "INVENTORY"
    MIN_AREA_M2 = "MIN_AREA_M2"
    ZONES = "ZONES"
    ZONE_FIELD = "ZONE_FIELD"
    TOWN_HALLS = "TOWN_HALLS"
    STATIONS = "STATIONS"
    SERVICES = "SERVICES"
    SERVICES_TYPE_FIELD = "SERVICES_TYPE_FIELD"
    FLOOD = "FLOOD"
    ZONING = "ZONING"
    ZONING_TYPE_FIELD = "ZONING_TYPE_FIELD"
    PROTECTED = "PROTECTED"
    POLLUTION = "POLLUTION"
    OUTPUT = "OUTPUT"
    OUTPUT_CSV = "OUTPUT_CSV"

    def tr(self, text):
        return QCoreApplication.translate("FrichesAlgorithm", text)

    def displayName(self):  # noqa: N802
        return self.tr("Friches: candidates, characteristics, mutability and vocation")

    def initAlgorithm(self, config=None):  # noqa: N802
        polygon, point, any_geometry = (compat.TYPE_VECTOR_POLYGON,), (QgsProcessing.TypeVectorPoint,), \
            (compat.TYPE_VECTOR_ANY,)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INPUT, self.tr("Land cover layer (multi-date if possible)"), list(polygon)))
        self.addParameter(QgsProcessingParameterEnum(
            self.NOMENCLATURE, self.tr("Nomenclature"), base.nomenclature_options(), defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.VINTAGES, self.tr("Vintages (e.g. 2005,2015,2021; empty = every vintage detected)"), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INVENTORY, self.tr("Friche inventory (CNIG friches standard, e.g. Cartofriches; optional)"),
            list(any_geometry), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.MIN_AREA_M2, self.tr("Minimum area of a site (m²)"), compat.NUMBER_DOUBLE, defaultValue=1000.0,
            minValue=0.0))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONES, self.tr("Communes (optional)"), list(polygon), optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.ZONE_FIELD, self.tr("INSEE code field"), parentLayerParameterName=self.ZONES, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.TOWN_HALLS, self.tr("Town halls (points; town centre = within 1 km)"), list(point), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.STATIONS, self.tr("Railway stations and public transport stops (points)"), list(point),
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SERVICES, self.tr("Shops and services (points, e.g. BPE)"), list(point), optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.SERVICES_TYPE_FIELD, self.tr("BPE type field of the services"),
            parentLayerParameterName=self.SERVICES, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.FLOOD, self.tr("Flood areas (polygons)"), list(polygon), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.ZONING, self.tr("Zoning (PLU zones, polygons)"), list(polygon), optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.ZONING_TYPE_FIELD, self.tr("Zone type field (CNIG typezone: U, AUc, AUs, A, N)"),
            parentLayerParameterName=self.ZONING, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.PROTECTED, self.tr("Protected natural areas (polygons)"), list(polygon), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.POLLUTION, self.tr("Polluted sites (points or polygons, e.g. BASOL, SIS)"), list(any_geometry),
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Friches"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CSV, self.tr("CNIG friches CSV"), self.tr("CSV files (*.csv)"), optional=True,
            createByDefault=False))

    # -- run -------------------------------------------------------------------------------------------------
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        source = base.require_polygon_source(self, parameters, self.INPUT, context)
        if source.featureCount() == 0:
            raise QgsProcessingException(self.tr("The input layer '{0}' is empty.").format(source.sourceName()))
        vintages = landcover.resolve_vintages(source, self.parameterAsString(parameters, self.VINTAGES, context),
                                         None, None, feedback)
        key = landcover.choose_nomenclature(source, vintages,
                                       self.parameterAsEnum(parameters, self.NOMENCLATURE, context), feedback)
        fam = fr.family(key)
        if len(vintages) == 1:
            feedback.reportError(self.tr("One vintage only: candidates come from the current usage codes; the "
                                         "history, the abandonment period and reconverted friches need several "
                                         "vintages."), False)
        transform = landcover.metric_transform(source.sourceCrs(), source.sourceExtent(), context)
        crs = transform.destinationCrs() if transform is not None else source.sourceCrs()
        self.crs = crs
        self.context = context
        min_area = self.parameterAsDouble(parameters, self.MIN_AREA_M2, context)

        polygons, envelope_members = self._read(source, vintages, key, fam, transform, feedback)
        if polygons is None:
            return {}
        sites = self._sites(polygons, fam, vintages, min_area, feedback)
        sites = self._inventory(parameters, context, feedback, sites)
        envelope = self._envelope(envelope_members, feedback)
        self._context(parameters, context, feedback, sites, envelope)
        return self._write(parameters, context, feedback, sites, vintages, crs)

    # -- candidates ----------------------------------------------------------------------------------------
    def _read(self, source, vintages, key, fam, transform, feedback):
        fields = source.fields()
        indexes = [(v.vintage, fields.lookupField(v.cs_field), fields.lookupField(v.us_field)) for v in vintages]
        coefficients = heat.Coefficients(key)
        classifier = rules.Reclassifier(key, ["artif"])
        envelope_rule = rules.envelope_predicate(key)
        polygons = {}
        members = {}
        excluded = Counter()
        total = source.featureCount() or 1
        step = max(1, total // 50)
        cache = {}
        last_year = vintages[-1].vintage
        for count, feature in enumerate(landcover.features(source)):
            if count % step == 0:
                if feedback.isCanceled():
                    return None, None
                feedback.setProgress(30.0 * count / total)
            attributes = feature.attributes()
            history = []
            for year, cs_index, us_index in indexes:
                raw = (attributes[cs_index], attributes[us_index])
                codes = cache.get(raw)
                if codes is None:
                    cs, us = nom.normalise_code(raw[0]), nom.normalise_code(raw[1])
                    codes = cache[raw] = (cs, us) + fr.modern(key, cs, us)
                history.append((year,) + codes)
            last_cs, last_us = history[-1][1], history[-1][2]
            member = envelope_rule(last_cs, last_us)
            candidate = fr.is_candidate(fam, [(y, c, u) for y, _c, _u, c, u in history])
            if not candidate and any(u == "US6.2.3" for _y, _c, _u, _c2, u in history):
                excluded["US6.2.3"] += 1
            if not member and not candidate:
                continue
            geometry = feature.geometry()
            if geometry is None or geometry.isNull() or geometry.isEmpty():
                continue
            geometry = QgsGeometry(geometry)
            if transform is not None:
                geometry.transform(transform)
            if member:
                members[feature.id()] = geometry
            if candidate:
                geometry = spatial.repaired(geometry) or geometry
                area = geometry.area()
                group = coefficients.classes[coefficients.class_id(last_cs, last_us) - 1].group \
                    if coefficients.class_id(last_cs, last_us) else None
                artif = classifier.artif_value(last_cs, last_us) if last_cs and last_us else None
                polygons[feature.id()] = {"geometry": geometry, "area": area, "history": history, "group": group,
                                          "artif": artif, "built": group == "bati"}
        if excluded:
            feedback.pushInfo(self.tr("{0} polygons with US6.2.3 (espaces agricoles non exploités) are never "
                                      "friches (décret 2023-1259).").format(excluded["US6.2.3"]))
        feedback.pushInfo(self.tr("{0} candidate polygons ({1} ha).").format(
            len(polygons), "%.2f" % (sum(p["area"] for p in polygons.values()) / 1e4)))
        self.last_year = last_year
        return polygons, members

    def _sites(self, polygons, fam, vintages, min_area, feedback):
        geometries = {fid: p["geometry"] for fid, p in polygons.items()}
        groups = spatial.clusters(geometries) if geometries else []
        sites = []
        small, small_area = 0, 0.0
        years = [v.vintage for v in vintages]
        for group in sorted(groups, key=lambda g: min(g)):
            area = sum(polygons[f]["area"] for f in group)
            if area < min_area:
                small += 1
                small_area += area
                continue
            dominant = []
            for position, year in enumerate(years):
                usages = Counter()
                for fid in group:
                    _y, _cs, _us, cs, us = polygons[fid]["history"][position]
                    usages[(cs, us)] += polygons[fid]["area"]
                cs, us = fr.dominant(usages)
                dominant.append((year, cs, us))
            shares = Counter()
            for fid in group:
                shares[polygons[fid]["group"]] += polygons[fid]["area"]
                if polygons[fid]["artif"] == 1:
                    shares["artif"] += polygons[fid]["area"]
            geometry = QgsGeometry.unaryUnion([polygons[f]["geometry"] for f in group]) if len(group) > 1 \
                else QgsGeometry(polygons[group[0]]["geometry"])
            sites.append({"geometry": geometry, "area": area, "members": group, "shares": shares,
                          "history": fr.site_history(fam, dominant), "source": "OCS", "inventory_ids": [],
                          "inventory_names": [], "inventory_status": None, "inventory_type": None})
        if small:
            feedback.reportError(self.tr("{0} candidate sites under MIN_AREA_M2 ({1} m² in all) are left out.")
                                 .format(small, "%.0f" % small_area), False)
        feedback.pushInfo(self.tr("{0} sites from the land cover.").format(len(sites)))
        return sites

    def _layer(self, parameters, name, context):
        """(source, transform to the working CRS) of an optional layer, or (None, None)."""
        if parameters.get(name) in (None, ""):
            return None, None
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            return None, None
        transform = None
        if source.sourceCrs() != self.crs:
            transform = QgsCoordinateTransform(source.sourceCrs(), self.crs, context.transformContext())
        return source, transform

    def _inventory(self, parameters, context, feedback, sites):
        source, transform = self._layer(parameters, self.INVENTORY, context)
        if source is None:
            return sites
        names = source.fields().names()

        def value(feature, field):
            return None if field not in names or nom.is_null(feature[field]) else str(feature[field])

        index = spatial.box_index({i: s["geometry"] for i, s in enumerate(sites)})
        matched, added = 0, 0
        for feature, geometry in landcover.geometries(source, transform):
            identifier = value(feature, "site_id") or "inventaire-%d" % feature.id()
            hits = [i for i in index.intersects(geometry.boundingBox()) if sites[i]["geometry"].intersects(geometry)]
            if hits:
                matched += 1
                for i in hits:
                    site = sites[i]
                    site["source"] = "OCS+inventaire"
                    site["inventory_ids"].append(identifier)
                    if value(feature, "site_nom"):
                        site["inventory_names"].append(value(feature, "site_nom"))
                    site["inventory_status"] = site["inventory_status"] or value(feature, "site_statut")
                    site["inventory_type"] = site["inventory_type"] or value(feature, "site_type")
                continue
            added += 1
            if QgsWkbTypes.geometryType(geometry.wkbType()) != compat.GEOMETRY_POLYGON:
                geometry = geometry.buffer(INVENTORY_POINT_RADIUS, 8)
            sites.append({"geometry": geometry, "area": geometry.area(), "members": [], "shares": Counter(),
                          "history": None, "source": "inventaire", "inventory_ids": [identifier],
                          "inventory_names": [value(feature, "site_nom")] if value(feature, "site_nom") else [],
                          "inventory_status": value(feature, "site_statut"),
                          "inventory_type": value(feature, "site_type")})
        feedback.pushInfo(self.tr("Inventory: {0} sites matched to the land cover, {1} added (not found in the "
                                  "land cover).").format(matched, added))
        return sites

    def _envelope(self, members, feedback):
        if not members:
            return None
        parts = spatial.envelope_parts(list(members.values()))
        if not parts:
            return None
        return _Prepared(parts)

    # -- context -------------------------------------------------------------------------------------------
    def _context(self, parameters, context, feedback, sites, envelope):
        for site in sites:
            site["point"] = site["geometry"].pointOnSurface()
            site["dans_enveloppe"] = None if envelope is None else int(envelope.intersects(site["point"]))
        halls, transform = self._layer(parameters, self.TOWN_HALLS, context)
        if halls is not None:
            points = _Points(landcover.geometries(halls, transform))
            for site in sites:
                site["dist_mairie_m"] = points.distance(site["geometry"])
        stations, transform = self._layer(parameters, self.STATIONS, context)
        if stations is not None:
            points = _Points(landcover.geometries(stations, transform))
            for site in sites:
                site["dist_gare_m"] = points.distance(site["geometry"])
        services, transform = self._layer(parameters, self.SERVICES, context)
        if services is not None:
            type_field = self.parameterAsString(parameters, self.SERVICES_TYPE_FIELD, context)
            if type_field:
                kept = ((f, g) for f, g in landcover.geometries(services, transform)
                        if not nom.is_null(f[type_field]) and str(f[type_field]).strip().upper() in BPE_SERVICES)
            else:
                kept = landcover.geometries(services, transform)
                feedback.reportError(self.tr("SERVICES_TYPE_FIELD is empty: every point of SERVICES counts as a "
                                             "shop or service."), False)
            points = _Points(kept)
            for site in sites:
                site["services_500m"] = points.count_within(site["geometry"], SERVICES_DISTANCE)
        for name, key in ((self.FLOOD, "inondable"), (self.PROTECTED, "protege"), (self.POLLUTION, "pollution")):
            layer, transform = self._layer(parameters, name, context)
            if layer is None:
                continue
            shapes = _Prepared([g for _f, g in landcover.geometries(layer, transform)])
            for site in sites:
                site[key] = int(shapes.intersects(site["geometry"]))
                if key == "protege" and not site[key]:
                    site["protege_proche"] = int(shapes.within_distance(site["geometry"], PROTECTED_NEAR))
        zoning, transform = self._layer(parameters, self.ZONING, context)
        if zoning is not None:
            field = self.parameterAsString(parameters, self.ZONING_TYPE_FIELD, context)
            names = zoning.fields().names()
            if not field:
                field = next((n for n in names if n.lower() == "typezone"), None)
            if not field or field not in names:
                raise QgsProcessingException(self.tr("ZONING_TYPE_FIELD must name the zone type field (CNIG "
                                                     "typezone). Fields: {0}.").format(", ".join(names)))
            zones = [(str(f[field]).strip() if not nom.is_null(f[field]) else None, g)
                     for f, g in landcover.geometries(zoning, transform)]
            index = spatial.box_index({i: g for i, (_t, g) in enumerate(zones)})
            for site in sites:
                overlap = Counter()
                for i in index.intersects(site["geometry"].boundingBox()):
                    kind, geometry = zones[i]
                    if kind and geometry.intersects(site["geometry"]):
                        overlap[kind] += geometry.intersection(site["geometry"]).area()
                site["urba_zone_type"] = max(sorted(overlap), key=lambda k: overlap[k]) if overlap else None
        zones, transform = self._layer(parameters, self.ZONES, context)
        if zones is not None:
            field = self.parameterAsString(parameters, self.ZONE_FIELD, context) or \
                next((n for n in zones.fields().names() if n.lower() in ("insee_com", "code_insee", "insee")), None)
            if not field:
                raise QgsProcessingException(self.tr("ZONE_FIELD is needed with ZONES."))
            names = zones.fields().names()
            name_field = next((n for n in names if n.lower() in ("nom_com", "nom", "libelle", "nom_commune")), None)
            communes = [(str(f[field]), None if name_field is None or nom.is_null(f[name_field]) else
                         str(f[name_field]), g) for f, g in landcover.geometries(zones, transform)]
            index = spatial.box_index({i: g for i, (_c, _n, g) in enumerate(communes)})
            for site in sites:
                point = site["point"]
                found = next((i for i in index.intersects(point.boundingBox()) if communes[i][2].intersects(point)),
                             None)
                site["comm_insee"] = communes[found][0] if found is not None else None
                site["comm_nom"] = communes[found][1] if found is not None else None

    # -- mutability and output ---------------------------------------------------------------------------
    @staticmethod
    def _criteria(site):
        built = site["shares"].get("bati", 0.0)
        values = {"surface_site": site["area"]}
        if site["history"] is not None:
            values["surface_batie"] = built
            values["etat_bati"] = built
            values["raccordement_eau"] = built
        if site.get("dist_mairie_m") is not None:
            values["centre_ville"] = site["dist_mairie_m"]
        if site.get("dist_gare_m") is not None:
            values["distance_transports"] = site["dist_gare_m"]
        if site.get("services_500m") is not None:
            values["commerces_services"] = site["services_500m"]
        if site.get("inondable") is not None:
            values["risque_inondation"] = bool(site["inondable"])
        if site.get("pollution") is not None:
            values["pollution"] = "autres" if site["pollution"] else "non"
        if site.get("protege") is not None:
            values["zonage_environnemental"] = "natura_2000" if site["protege"] else (
                "proximite" if site.get("protege_proche") else "hors_zone")
        if site.get("urba_zone_type"):
            values["zonage_plu"] = site["urba_zone_type"]
        classified = {}
        for criterion, raw in values.items():
            try:
                classified[criterion] = mf.classify(criterion, raw)
            except ValueError:
                classified[criterion] = None
        return classified

    def _write(self, parameters, context, feedback, sites, vintages, crs):
        fields = QgsFields()
        columns = [("site_id", "str"), ("site_nom", "str"), ("site_type", "str"), ("site_statut", "str"),
                   ("comm_insee", "str"), ("site_surface", "double"), ("source", "str"), ("inventaire_id", "str"),
                   ("historique_usage", "str"), ("periode_abandon", "str"), ("activite_fin_annee", "int"),
                   ("site_reconv_type", "str"), ("site_reconv_annee", "int"), ("part_bati", "double"),
                   ("part_impermeable", "double"), ("part_artificialisee", "double"), ("part_ligneuse", "double"),
                   ("part_herbacee", "double"), ("part_eau", "double"), ("surface_batie_m2", "double"),
                   ("dans_enveloppe", "int"), ("dist_mairie_m", "double"), ("centre_ville", "int"),
                   ("dist_gare_m", "double"), ("services_500m", "int"), ("inondable", "int"),
                   ("urba_zone_type", "str"), ("protege", "int"), ("pollution", "int")]
        columns += [("idx_%s" % use, "double") for use in mf.USES]
        columns += [("fiabilite", "double"), ("vocation", "str"), ("vocation_2", "str"), ("explication", "str")]
        for name, kind in columns:
            fields.append(compat.make_field(name, kind))
        sink, destination = self.parameterAsSink(parameters, self.OUTPUT, context, fields, compat.WKB_MULTIPOLYGON,
                                                 crs)
        rows = []
        today = datetime.date.today().isoformat()
        vocations = Counter()
        for number, site in enumerate(sorted(sites, key=lambda s: (s.get("comm_insee") or "", -s["area"])), start=1):
            history = site["history"] or {}
            area = site["area"]
            shares = site["shares"]

            def share(*groups):
                if not site["members"]:
                    return None
                return sum(shares.get(g, 0.0) for g in groups) / area if area else None
            insee = site.get("comm_insee")
            site_id = site["inventory_ids"][0] if site["source"] == "inventaire" else "OCS-%s-%04d" % (
                insee or "00000", number)
            result = mf.evaluate(self._criteria(site))
            vocation, runner_up, explanation = mf.vocation(result)
            vocations[vocation] += 1
            fin = history.get("activite_fin")
            centre = None if site.get("dist_mairie_m") is None else int(site["dist_mairie_m"] < CENTRE_DISTANCE)
            statut = site["inventory_status"] or history.get("statut") or "friche potentielle"
            values = {
                "site_id": site_id,
                "site_nom": (site["inventory_names"][0] if site["inventory_names"] else
                             "Site OCS n° %d%s" % (number, " (%s)" % insee if insee else "")),
                "site_type": site["inventory_type"] or history.get("site_type"),
                "site_statut": statut, "comm_insee": insee, "site_surface": area, "source": site["source"],
                "inventaire_id": "|".join(site["inventory_ids"]) or None,
                "historique_usage": history.get("texte"), "periode_abandon": history.get("periode_abandon"),
                "activite_fin_annee": int(fin[1]) if fin else None,
                "site_reconv_type": history.get("reconv_type"),
                "site_reconv_annee": int(history["reconv_annee"]) if history.get("reconv_annee") else None,
                "part_bati": share("bati"), "part_impermeable": share("bati", "impermeable"),
                "part_artificialisee": share("artif"), "part_ligneuse": share("arboree", "arbustive"),
                "part_herbacee": share("herbacee"), "part_eau": share("eau"),
                "surface_batie_m2": shares.get("bati", 0.0) if site["members"] else None,
                "dans_enveloppe": site.get("dans_enveloppe"), "dist_mairie_m": site.get("dist_mairie_m"),
                "centre_ville": centre, "dist_gare_m": site.get("dist_gare_m"),
                "services_500m": site.get("services_500m"), "inondable": site.get("inondable"),
                "urba_zone_type": site.get("urba_zone_type"), "protege": site.get("protege"),
                "pollution": site.get("pollution"),
                "fiabilite": result["reliability"], "vocation": vocation, "vocation_2": runner_up,
                "explication": explanation}
            for use in mf.USES:
                values["idx_%s" % use] = result["indices"][use]
            feature = QgsFeature(fields)
            geometry = QgsGeometry(site["geometry"])
            if not QgsWkbTypes.isMultiType(geometry.wkbType()):
                geometry.convertToMultiType()
            feature.setGeometry(geometry)
            feature.setAttributes([_plain(values.get(name)) for name, _k in columns])
            sink.addFeature(feature, QgsFeatureSink.FastInsert)
            values.update({"site_identif_date": today, "site_actu_date": today, "comm_nom": site.get("comm_nom"),
                           "sol_pollution_existe": None if site.get("pollution") is None else (
                               "supposée" if site["pollution"] else None),
                           "source_nom": "OCS Toolbox, pré-repérage OCS (ocs:friches)",
                           "geompoint": site["point"].asWkt(2), "geomsurf": geometry.asWkt(2)})
            rows.append(values)
        del sink
        feedback.pushInfo(self.tr("{0} sites written; vocations: {1}.").format(
            len(rows), ", ".join("%s %d" % (k, v) for k, v in sorted(vocations.items(), key=lambda kv: str(kv[0])))))
        styling.style_output(context, feedback, destination, "vocation", "friche_vocation")
        results = {self.OUTPUT: destination}
        path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        if path:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(CNIG_COLUMNS)
                for values in rows:
                    writer.writerow(["" if values.get(c) is None else values.get(c) for c in CNIG_COLUMNS])
            feedback.pushInfo(self.tr("CNIG friches CSV written to {0} (coordinates in {1}).").format(
                path, crs.authid()))
            results[self.OUTPUT_CSV] = path
        return results


def _plain(value):
    if isinstance(value, float) or hasattr(value, "dtype"):
        return float(value)
    return value


class _Prepared:
    """Polygons with an index and prepared engines, for intersects / distance tests."""

    def __init__(self, geometries):
        self.geometries = [g for g in geometries if g is not None and not g.isEmpty()]
        self.index = spatial.box_index(dict(enumerate(self.geometries)))
        self.engines = {}

    def _engine(self, i):
        if i not in self.engines:
            self.engines[i] = QgsGeometry.createGeometryEngine(self.geometries[i].constGet())
            self.engines[i].prepareGeometry()
        return self.engines[i]

    def intersects(self, geometry):
        return any(self._engine(i).intersects(geometry.constGet())
                   for i in self.index.intersects(geometry.boundingBox()))

    def within_distance(self, geometry, distance):
        box = QgsRectangle(geometry.boundingBox())
        box.grow(distance)
        return any(self.geometries[i].distance(geometry) <= distance for i in self.index.intersects(box))


class _Points:
    """Points with an index: nearest distance to a polygon, count within a distance."""

    def __init__(self, features):
        self.points = [g for _f, g in features]
        self.index = spatial.box_index(dict(enumerate(self.points)))

    def distance(self, geometry):
        if not self.points:
            return None
        centre = geometry.centroid().asPoint()
        best = None
        for i in self.index.nearestNeighbor(QgsPointXY(centre), 8):
            d = self.points[i].distance(geometry)
            best = d if best is None else min(best, d)
        # a nearer point may lie beyond the 8 nearest to the centroid of a large site: widen once
        if best is not None:
            box = QgsRectangle(geometry.boundingBox())
            box.grow(best)
            for i in self.index.intersects(box):
                best = min(best, self.points[i].distance(geometry))
        return best

    def count_within(self, geometry, distance):
        box = QgsRectangle(geometry.boundingBox())
        box.grow(distance)
        return sum(1 for i in self.index.intersects(box) if self.points[i].distance(geometry) <= distance)
