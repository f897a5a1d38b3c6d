<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
<context>
    <name>ApplyStyleAlgorithm</name>
    <message>
        <location filename="../algorithms/applystyle.py" line="34"/>
        <source>Apply an official style</source>
        <translation>Appliquer un style officiel</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="41"/>
        <source>Layer to style</source>
        <translation>Couche à styliser</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="43"/>
        <source>Field holding the codes</source>
        <translation>Champ contenant les codes</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="45"/>
        <source>Auto-detect from the field name</source>
        <translation>Détection automatique d’après le nom du champ</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="45"/>
        <source>Template</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="48"/>
        <source>QGIS style files (*.qml)</source>
        <translation>Fichiers de style QGIS (*.qml)</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="48"/>
        <source>Style file (QML)</source>
        <translation>Fichier de style (QML)</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="51"/>
        <source>Styled layer</source>
        <translation>Couche stylisée</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="56"/>
        <source>Invalid or missing input layer.</source>
        <translation>Couche d’entrée invalide ou absente.</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="59"/>
        <source>Field {0} not found in {1}. Fields found: {2}.</source>
        <translation>Champ {0} introuvable dans {1}. Champs présents : {2}.</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="68"/>
        <source>Cannot tell which template fits field {0}; choose one in TEMPLATE.</source>
        <translation>Impossible de déterminer le modèle adapté au champ {0} ; choisissez-en un dans TEMPLATE.</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="70"/>
        <source>Template detected: {0}</source>
        <translation>Modèle détecté : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="79"/>
        <source>Could not write {0}: {1}</source>
        <translation>Impossible d’écrire {0} : {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="94"/>
        <source>Style stored as the default style of {0}</source>
        <translation>Style enregistré comme style par défaut de {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="96"/>
        <source>Could not store the style in {0}: {1}</source>
        <translation>Impossible d’enregistrer le style dans {0} : {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="98"/>
        <source>The style is applied to the layer but not stored: a {0} layer keeps no default style (write it to a file with OUTPUT_QML).</source>
        <translation>Le style est appliqué à la couche mais pas enregistré : une couche {0} ne garde pas de style par défaut (écrivez-le dans un fichier avec OUTPUT_QML).</translation>
    </message>
</context>
<context>
    <name>ArtificialisationAlgorithm</name>
    <message>
        <location filename="../algorithms/artificialisation.py" line="44"/>
        <source>Artificialisation (decree 2023-1096, with thresholds)</source>
        <translation>Artificialisation (décret 2023-1096, avec les seuils)</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="47"/>
        <source>Land cover layer (OCS GE or OCS2D)</source>
        <translation>Couche d’occupation du sol (OCS GE ou OCS2D)</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="49"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="51"/>
        <source>Vintages (e.g. 2015,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2015,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="53"/>
        <source>Apply the reference thresholds (step 2)</source>
        <translation>Appliquer les seuils de référence (étape 2)</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="55"/>
        <source>Threshold for built surfaces (m²)</source>
        <translation>Seuil des surfaces bâties (m²)</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="58"/>
        <source>Threshold for the other surfaces (m²)</source>
        <translation>Seuil des autres surfaces (m²)</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="61"/>
        <source>Exemption: vegetated public parks and gardens count as non-artificialised</source>
        <translation>Exemption : parcs et jardins publics végétalisés comptés comme non artificialisés</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="64"/>
        <source>Exemption: ground-mounted solar panels that keep the soil&apos;s functions</source>
        <translation>Exemption : panneaux photovoltaïques au sol qui préservent les fonctions du sol</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="67"/>
        <source>Dissolve the result by status</source>
        <translation>Regrouper le résultat par statut</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="69"/>
        <source>Artificialisation</source>
        <translation>Artificialisation</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="82"/>
        <source>The exemptions need OCS2D codes (US3.2.1 parks, US2.1.4 or photovolYY solar panels): OCS GE has no code for them, so they change nothing here (the official OCS GE measure does not apply them either).</source>
        <translation>Les exemptions s’appuient sur des codes OCS2D (US3.2.1 parcs, US2.1.4 ou photovolYY panneaux solaires) : l’OCS GE n’a pas de code pour elles, elles ne changent donc rien ici (la mesure officielle sur l’OCS GE ne les applique pas non plus).</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="87"/>
        <source>OCS2D is measured through the OCS2D → OCS GE crosswalk with three choices (resources/matrices/ocs2d_artif_crosswalk_choices.csv): US6.2.3 counts as agriculture, US6.1.2 as a zone in transition, US7.0.0 as sans usage. This is an approximation of the official measure, which exists for OCS GE only.</source>
        <translation>L’OCS2D est mesurée à travers la correspondance OCS2D → OCS GE avec trois choix (resources/matrices/ocs2d_artif_crosswalk_choices.csv) : US6.2.3 compte comme agriculture, US6.1.2 comme zone en transition, US7.0.0 comme sans usage. C’est une approximation de la mesure officielle, qui n’existe que pour l’OCS GE.</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="145"/>
        <source>Artificialisation {0}</source>
        <translation>Artificialisation {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="198"/>
        <source>{0} features and {1} ha read but {2} features and {3} ha written.</source>
        <translation>{0} entités et {1} ha lus mais {2} entités et {3} ha écrits.</translation>
    </message>
    <message>
        <location filename="../algorithms/artificialisation.py" line="201"/>
        <source>{0} features written, {1} ha in and out (geometries copied unchanged).</source>
        <translation>{0} entités écrites, {1} ha en entrée comme en sortie (géométries recopiées telles quelles).</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="163"/>
        <source>{0} feature-vintages have a NULL or unknown code: artif and crit_seuil are NULL for them.</source>
        <translation>{0} entités-millésimes ont un code NULL ou inconnu : artif et crit_seuil y valent NULL.</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="167"/>
        <source>{0}: exemption &apos;{1}&apos; applied to {2} polygons ({3} ha).</source>
        <translation>{0} : exemption « {1} » appliquée à {2} polygones ({3} ha).</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="193"/>
        <source>Thresholds: indexing {0} polygons…</source>
        <translation>Seuils : indexation de {0} polygones…</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="201"/>
        <source>Thresholds: {0} polygons under {1} m², neighbours…</source>
        <translation>Seuils : {0} polygones de moins de {1} m², recherche des voisins…</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="229"/>
        <source>{0} invalid small polygons were repaired for the neighbour tests.</source>
        <translation>{0} petits polygones invalides ont été réparés pour les tests de voisinage.</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="281"/>
        <source>{0}: the thresholds make {1} polygons ({2} ha) artificialised and {3} polygons ({4} ha) non-artificialised; {5} built polygons of at least {6} m² stay artificialised.</source>
        <translation>{0} : les seuils rendent {1} polygones ({2} ha) artificialisés et {3} polygones ({4} ha) non artificialisés ; {5} polygones bâtis d’au moins {6} m² restent artificialisés.</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="323"/>
        <source>Field {0} already exists in the input: its values are replaced.</source>
        <translation>Le champ {0} existe déjà en entrée : ses valeurs sont remplacées.</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="431"/>
        <source>Dissolved by status: {0} features, {1} ha in, {2} ha out.</source>
        <translation>Regroupement par statut : {0} entités, {1} ha en entrée, {2} ha en sortie.</translation>
    </message>
    <message>
        <location filename="../engines/artificialisation.py" line="435"/>
        <source>The dissolved area differs from the input area by more than 0.01 % (overlapping or invalid polygons).</source>
        <translation>La surface regroupée diffère de plus de 0,01 % de la surface en entrée (polygones qui se chevauchent ou invalides).</translation>
    </message>
</context>
<context>
    <name>AtlasAlgorithm</name>
    <message>
        <location filename="../algorithms/atlas.py" line="72"/>
        <source>Atlas of territorial portraits (PDF)</source>
        <translation>Atlas des portraits de territoire (PDF)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="80"/>
        <source>Land cover layer (multi-date, or the first vintage)</source>
        <translation>Couche d’occupation du sol (multidate, ou premier millésime)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="82"/>
        <source>Second vintage layer (overlay mode)</source>
        <translation>Couche du second millésime (mode superposition)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="84"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="86"/>
        <source>From vintage (year; empty = first detected)</source>
        <translation>Millésime de départ (année ; vide = premier détecté)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="88"/>
        <source>To vintage (year; empty = last detected)</source>
        <translation>Millésime d’arrivée (année ; vide = dernier détecté)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="90"/>
        <source>Zones (e.g. communes)</source>
        <translation>Zones (p. ex. communes)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="91"/>
        <source>Zone field (e.g. INSEE code)</source>
        <translation>Champ de zone (p. ex. code INSEE)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="95"/>
        <source>Zones to portray (expression; empty = all)</source>
        <translation>Zones à décrire (expression ; vide = toutes)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="98"/>
        <source>Friches (output of Friches)</source>
        <translation>Friches (sortie de Friches)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="100"/>
        <source>Heat island (output of Heat island)</source>
        <translation>Îlot de chaleur (sortie de Score d’îlot de chaleur)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="102"/>
        <source>Layout template (.qpt; empty = the default portrait)</source>
        <translation>Modèle de mise en page (.qpt ; vide = le portrait par défaut)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="105"/>
        <source>English</source>
        <translation>Anglais</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="105"/>
        <source>French</source>
        <translation>Français</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="105"/>
        <source>Interface language</source>
        <translation>Langue de l’interface</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="105"/>
        <source>Language of the portraits</source>
        <translation>Langue des portraits</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="108"/>
        <source>Atlas folder (one PDF per zone, index.html)</source>
        <translation>Dossier de l’atlas (un PDF par zone, index.html)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="110"/>
        <source>All the portraits in one PDF</source>
        <translation>Tous les portraits dans un seul PDF</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="110"/>
        <source>PDF files (*.pdf)</source>
        <translation>Fichiers PDF (*.pdf)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="115"/>
        <source>QGIS project of the atlas</source>
        <translation>Projet QGIS de l’atlas</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="115"/>
        <source>QGIS projects (*.qgz)</source>
        <translation>Projets QGIS (*.qgz)</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="127"/>
        <source>{0}: &apos;{1}&apos; is not a year. Give a year such as 2015.</source>
        <translation>{0} : « {1} » n’est pas une année. Indiquez une année, p. ex. 2015.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="139"/>
        <source>ZONE_FILTER keeps no zone of &apos;{0}&apos;: {1}</source>
        <translation>ZONE_FILTER ne garde aucune zone de « {0} » : {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="141"/>
        <source>ZONE_FILTER keeps {0} zone(s).</source>
        <translation>ZONE_FILTER garde {0} zone(s).</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="156"/>
        <source>4 postes</source>
        <translation>4 postes</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="156"/>
        <source>Level 1</source>
        <translation>Niveau 1</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="166"/>
        <source>The land cover is read around the zones: their extent grown by {0} m.</source>
        <translation>L’occupation du sol est lue autour des zones : leur emprise agrandie de {0} m.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="195"/>
        <source>Computing the figures per zone…</source>
        <translation>Calcul des chiffres par zone…</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="200"/>
        <source>No zone of &apos;{0}&apos; meets the land cover.</source>
        <translation>Aucune zone de « {0} » ne rencontre l’occupation du sol.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="216"/>
        <source>Writing the portraits…</source>
        <translation>Écriture des portraits…</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="219"/>
        <source>No portrait could be written to {0}.</source>
        <translation>Aucun portrait n’a pu être écrit dans {0}.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="220"/>
        <source>{0} portrait(s) written to {1}</source>
        <translation>{0} portrait(s) écrit(s) dans {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="285"/>
        <source>Indicators per zone</source>
        <translation>Indicateurs par zone</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="301"/>
        <source>Zones</source>
        <translation>Zones</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="331"/>
        <source>{0}: &apos;{1}&apos; has no classe_&lt;year&gt; field (an output of Heat island is expected): the heat figures of the portraits are left empty.</source>
        <translation>{0} : « {1} » n’a pas de champ classe_&lt;année&gt; (une sortie d’Îlot de chaleur est attendue) : les chiffres de chaleur des portraits restent vides.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="351"/>
        <source>{0}: the layer cannot be read.</source>
        <translation>{0} : la couche ne peut pas être lue.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="363"/>
        <source>{0}: cannot copy &apos;{1}&apos; into {2} ({3}).</source>
        <translation>{0} : impossible de copier « {1} » dans {2} ({3}).</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="371"/>
        <source>HEAT not given: computing the heat island score…</source>
        <translation>HEAT non fourni : calcul du score de surchauffe…</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="372"/>
        <source>HEAT not given: the heat island score of {0} is computed as Heat island does (square grid of {1} m, pixels of {2} m, default coefficients) over the zones&apos; extent grown by {3} m.</source>
        <translation>HEAT non fourni : le score de surchauffe de {0} est calculé comme le fait Score d’îlot de chaleur (grille carrée de {1} m, pixels de {2} m, coefficients par défaut) sur l’emprise des zones agrandie de {3} m.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="377"/>
        <source>Heat island score {0}</source>
        <translation>Score de surchauffe {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="381"/>
        <source>FRICHES not given: finding the friches…</source>
        <translation>FRICHES non fourni : repérage des friches…</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="382"/>
        <source>FRICHES not given: the sites are found as Friches does (vintages {0}, at least {1} m², the zones as communes) over the zones&apos; extent grown by {2} m, without the context layers (town halls, stations, services, flood areas, zoning, protected areas, polluted sites): give FRICHES, the output of Friches, for them.</source>
        <translation>FRICHES non fourni : les sites sont repérés comme le fait Friches (millésimes {0}, au moins {1} m², les zones comme communes) sur l’emprise des zones agrandie de {2} m, sans les couches de contexte (mairies, gares, services, zones inondables, zonage, espaces protégés, sites pollués) : donnez dans FRICHES la sortie de Friches pour en tenir compte.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="388"/>
        <source>Friches {0}</source>
        <translation>Friches {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="391"/>
        <source>{0} friches sites found.</source>
        <translation>{0} sites de friches repérés.</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="398"/>
        <source>Layout template: {0}</source>
        <translation>Modèle de mise en page : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/atlas.py" line="402"/>
        <source>LAYOUT: cannot read the template {0} ({1}).</source>
        <translation>LAYOUT : impossible de lire le modèle {0} ({1}).</translation>
    </message>
    <message>
        <location filename="../engines/atlaslayout.py" line="133"/>
        <source>Zone outline</source>
        <translation>Contour de la zone</translation>
    </message>
    <message>
        <location filename="../engines/atlaslayout.py" line="807"/>
        <source>Could not write {0}: {1}</source>
        <translation>Impossible d’écrire {0} : {1}</translation>
    </message>
</context>
<context>
    <name>CarbonAlgorithm</name>
    <message>
        <location filename="../algorithms/carbon.py" line="108"/>
        <source>Carbon stocks and flows (ALDO)</source>
        <translation>Stocks et flux de carbone (ALDO)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="111"/>
        <source>Land cover layer (OCS2D, OCS GE or reclassified)</source>
        <translation>Couche d’occupation du sol (OCS2D, OCS GE ou reclassée)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="112"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="113"/>
        <source>Vintages (e.g. 2015,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2015,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="114"/>
        <source>Zones (report units, e.g. communes or EPCI)</source>
        <translation>Zones (unités du bilan, p. ex. communes ou EPCI)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="115"/>
        <source>Zone field (e.g. INSEE code)</source>
        <translation>Champ de zone (p. ex. code INSEE)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="116"/>
        <source>Communes (INSEE codes: pedo-climatic zone of each polygon)</source>
        <translation>Communes (codes INSEE : zone pédoclimatique de chaque polygone)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="118"/>
        <source>Commune INSEE code field</source>
        <translation>Champ du code INSEE des communes</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="119"/>
        <source>Pedo-climatic zone for the whole layer (e.g. 2_1; without communes)</source>
        <translation>Zone pédoclimatique pour toute la couche (p. ex. 2_1 ; sans communes)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="122"/>
        <source>Mapping overrides (couverture, usage, ALDO category; empty = shipped mapping)</source>
        <translation>Correspondance à ajouter (couverture, usage, catégorie ALDO ; vide = correspondance livrée)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="125"/>
        <source>Carbon stocks per zone</source>
        <translation>Stocks de carbone par zone</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="127"/>
        <source>Carbon flows per zone and period</source>
        <translation>Flux de carbone par zone et période</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="129"/>
        <source>Polygons with their ALDO category and stock</source>
        <translation>Polygones avec leur catégorie ALDO et leur stock</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="132"/>
        <source>HTML files (*.html)</source>
        <translation>Fichiers HTML (*.html)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="132"/>
        <source>HTML report</source>
        <translation>Rapport HTML</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="135"/>
        <source>Arable share of OCS GE agricultural grassland CS2.2.1 × US1.1 (%; empty = 50)</source>
        <translation>Part des terres arables dans les surfaces herbacées agricoles OCS GE CS2.2.1 × US1.1 (% ; vide = 50)</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="144"/>
        <source>MAPPING must have 3 columns (couverture, usage, categorie); got {0} values.</source>
        <translation>MAPPING doit avoir 3 colonnes (couverture, usage, categorie) ; {0} valeurs reçues.</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="191"/>
        <source>{0}: {1} tC in {2} ha, {3} tC/ha ({4} tCO2e).</source>
        <translation>{0} : {1} tC sur {2} ha, {3} tC/ha ({4} tCO2e).</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="230"/>
        <source>Could not create the output {0}.</source>
        <translation>Impossible de créer la sortie {0}.</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="247"/>
        <source>Carbon stocks {0}</source>
        <translation>Stocks de carbone {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="267"/>
        <source>Carbon flows {0}</source>
        <translation>Flux de carbone {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="278"/>
        <source>Carbon stocks and flows — {0}</source>
        <translation>Stocks et flux de carbone — {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="279"/>
        <source>ADEME ALDO method on {0}; mapping of the codes to ALDO categories proposed by OCS Toolbox. OCS Toolbox, ocs:carbon.</source>
        <translation>Méthode ALDO de l’ADEME sur {0} ; correspondance des codes avec les catégories ALDO proposée par OCS Toolbox. OCS Toolbox, ocs:carbon.</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="284"/>
        <source>Report written to {0}</source>
        <translation>Rapport écrit dans {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/carbon.py" line="347"/>
        <source>{0} polygons written with their ALDO category and stock.</source>
        <translation>{0} polygones écrits avec leur catégorie ALDO et leur stock.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="58"/>
        <source>MAPPING: row {0} ({1}): &apos;{2}&apos; is not an ALDO category. Categories: {3}.</source>
        <translation>MAPPING : ligne {0} ({1}) : « {2} » n’est pas une catégorie ALDO. Catégories : {3}.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="60"/>
        <source>ARABLE_SHARE must lie between 0 and 100 %: {0}.</source>
        <translation>ARABLE_SHARE doit être compris entre 0 et 100 % : {0}.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="122"/>
        <source>{0} MAPPING row(s) tried before the shipped mapping.</source>
        <translation>{0} ligne(s) de MAPPING essayée(s) avant la correspondance livrée.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="130"/>
        <source>The zone layer has no polygon with a code.</source>
        <translation>La couche de zones n’a aucun polygone avec un code.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="145"/>
        <source>PEDOCLIMATIC_ZONE: &apos;{0}&apos; is not a pedo-climatic zone of ALDO&apos;s table. Zones: {1}.</source>
        <translation>PEDOCLIMATIC_ZONE : « {0} » n’est pas une zone pédoclimatique de la table d’ALDO. Zones : {1}.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="156"/>
        <source>The commune layer has no polygon with a code.</source>
        <translation>La couche des communes n’a aucun polygone avec un code.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="162"/>
        <source>The ZONES codes are INSEE commune codes ({0} of {1} in ALDO&apos;s commune table): they give each polygon its pedo-climatic zone.</source>
        <translation>Les codes de ZONES sont des codes INSEE de communes ({0} sur {1} dans la table des communes d’ALDO) : ils donnent à chaque polygone sa zone pédoclimatique.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="169"/>
        <source>No commune locates the land: give COMMUNES (INSEE codes), ZONES with INSEE codes, or PEDOCLIMATIC_ZONE (a zone code such as 2_1 for the whole layer).</source>
        <translation>Aucune commune ne situe les surfaces : donnez COMMUNES (codes INSEE), des ZONES à codes INSEE, ou PEDOCLIMATIC_ZONE (un code de zone comme 2_1 pour toute la couche).</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="172"/>
        <source>No commune layer: pedo-climatic zone {0} is used for the whole layer, forest biomass at the France level and biomass outside forests of inter-region {1}.</source>
        <translation>Pas de couche de communes : la zone pédoclimatique {0} sert pour toute la couche, la biomasse forestière au niveau France et la biomasse hors forêt de l’inter-région {1}.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="181"/>
        <source>PEDOCLIMATIC_ZONE {0}</source>
        <translation>PEDOCLIMATIC_ZONE {0}</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="182"/>
        <source>the most frequent zone of their département</source>
        <translation>la zone la plus fréquente de leur département</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="183"/>
        <source>{0}: {1} commune code(s) are not in ALDO&apos;s commune table (2018 communes): {2}. Their land takes {3}.</source>
        <translation>{0} : {1} code(s) de commune absent(s) de la table des communes d’ALDO (communes 2018) : {2}. Leurs surfaces prennent {3}.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="205"/>
        <source>Commune &apos;{0}&apos; is not in ALDO&apos;s commune table and its département is unknown: give PEDOCLIMATIC_ZONE (the zone to use for it).</source>
        <translation>La commune « {0} » n’est pas dans la table des communes d’ALDO et son département est inconnu : donnez PEDOCLIMATIC_ZONE (la zone à lui appliquer).</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="328"/>
        <source>Area check failed: {0} ha read, {1} ha counted.</source>
        <translation>Contrôle des surfaces en échec : {0} ha lus, {1} ha comptés.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="332"/>
        <source>Area check: {0} ha read, the same counted.</source>
        <translation>Contrôle des surfaces : {0} ha lus, autant de comptés.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="336"/>
        <source>{0} polygon-vintage(s) with codes the mapping does not know: counted as &apos;non_classe&apos; (area, no stock). Add them with MAPPING.</source>
        <translation>{0} polygone(s)-millésime(s) dont les codes sont absents de la correspondance : comptés en « non_classe » (surface, sans stock). Ajoutez-les avec MAPPING.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="340"/>
        <source>Commune {0} is not in ALDO&apos;s commune table: pedo-climatic zone {1} used ({2}).</source>
        <translation>La commune {0} n’est pas dans la table des communes d’ALDO : zone pédoclimatique {1} utilisée ({2}).</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="340"/>
        <source>PEDOCLIMATIC_ZONE</source>
        <translation>PEDOCLIMATIC_ZONE</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="340"/>
        <source>the most frequent zone of its département</source>
        <translation>la zone la plus fréquente de son département</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="345"/>
        <source>Commune(s) {0}: not in a metropolitan département, region unknown: forest biomass at the France level, biomass outside forests of inter-region {1}.</source>
        <translation>Commune(s) {0} : hors des départements métropolitains, région inconnue : biomasse forestière au niveau France, biomasse hors forêt de l’inter-région {1}.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="350"/>
        <source>{0} ha of land lie outside every commune: they take the zone of the nearest commune.</source>
        <translation>{0} ha sont hors de toute commune : ils prennent la zone de la commune la plus proche.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="354"/>
        <source>{0} ha of OCS GE agricultural herbaceous land (CS2.2.1 × US1.1) split 50 % arable land, 50 % grassland: this share is not a sourced figure; give ARABLE_SHARE for the territory (e.g. from the Agreste agricultural census).</source>
        <translation>{0} ha de surfaces herbacées agricoles OCS GE (CS2.2.1 × US1.1) partagés 50 % terres arables, 50 % prairies : cette part n’est pas une valeur sourcée ; donnez ARABLE_SHARE pour le territoire (p. ex. d’après le recensement agricole Agreste).</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="359"/>
        <source>{0} invalid geometries repaired where polygons were cut at zone borders.</source>
        <translation>{0} géométrie(s) invalide(s) réparée(s) là où les polygones ont été découpés aux limites des zones.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="362"/>
        <source>{0} polygons without a geometry (NULL or empty): no area.</source>
        <translation>{0} polygone(s) sans géométrie (NULL ou vide) : aucune surface.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="364"/>
        <source>Forest biomass: {0}.</source>
        <translation>Biomasse forestière : {0}.</translation>
    </message>
    <message>
        <location filename="../engines/carbon.py" line="373"/>
        <source>no forest</source>
        <translation>aucune forêt</translation>
    </message>
</context>
<context>
    <name>ChangeAlgorithm</name>
    <message>
        <location filename="../algorithms/changes.py" line="27"/>
        <source>Raw couverture code</source>
        <translation>Code de couverture brut</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="27"/>
        <source>Raw usage code</source>
        <translation>Code d’usage brut</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="28"/>
        <source>Couverture × usage pair</source>
        <translation>Couple couverture × usage</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="28"/>
        <source>Level 1</source>
        <translation>Niveau 1</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="29"/>
        <source>Level 2</source>
        <translation>Niveau 2</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="29"/>
        <source>Level 3</source>
        <translation>Niveau 3</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="30"/>
        <source>4 postes</source>
        <translation>4 postes</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="30"/>
        <source>OCS GE equivalent</source>
        <translation>Équivalent OCS GE</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="31"/>
        <source>21 postes</source>
        <translation>21 postes</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="31"/>
        <source>ENAF</source>
        <translation>ENAF</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="32"/>
        <source>NAF / non-NAF</source>
        <translation>NAF / non NAF</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="33"/>
        <source>Artificialisation (decree 2023-1096, matrix step)</source>
        <translation>Artificialisation (décret 2023-1096, étape matricielle)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="38"/>
        <source>Zone name field (e.g. commune name; empty = detected)</source>
        <translation>Champ du nom des zones (p. ex. nom de la commune ; vide = détecté)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="45"/>
        <source>Apply the OCS2D spatial rules (see the help)</source>
        <translation>Appliquer les règles spatiales OCS2D (voir l’aide)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="50"/>
        <source>Couverture</source>
        <translation>Couverture</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="50"/>
        <source>Usage</source>
        <translation>Usage</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="51"/>
        <source>Couverture × usage</source>
        <translation>Couverture × usage</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="74"/>
        <source>Land cover layer (multi-date, or the first vintage)</source>
        <translation>Couche d’occupation du sol (multidate, ou premier millésime)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="77"/>
        <source>Second vintage layer (overlay mode)</source>
        <translation>Couche du second millésime (mode superposition)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="80"/>
        <source>From vintage (year; empty = first detected)</source>
        <translation>Millésime de départ (année ; vide = premier détecté)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="83"/>
        <source>To vintage (year; empty = last detected)</source>
        <translation>Millésime d’arrivée (année ; vide = dernier détecté)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="86"/>
        <source>Compare</source>
        <translation>Comparer</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="89"/>
        <source>Dimension for levels and OCS GE equivalent</source>
        <translation>Dimension pour les niveaux et l’équivalent OCS GE</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="92"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="95"/>
        <source>Zones (e.g. communes)</source>
        <translation>Zones (p. ex. communes)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="98"/>
        <source>Zone field (e.g. INSEE code)</source>
        <translation>Champ de zone (p. ex. code INSEE)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="102"/>
        <source>Drop overlay pieces smaller than (m², 0 = keep all)</source>
        <translation>Écarter les morceaux de superposition de moins de (m², 0 = tout garder)</translation>
    </message>
    <message>
        <location filename="../algorithms/changes.py" line="112"/>
        <source>{0}: &apos;{1}&apos; is not a year. Give a year such as 2015.</source>
        <translation>{0} : « {1} » n’est pas une année. Indiquez une année, p. ex. 2015.</translation>
    </message>
    <message>
        <location filename="../algorithms/inputs.py" line="95"/>
        <source>ZONE_FIELD is needed with ZONES (no INSEE code field found). Fields: {0}.</source>
        <translation>ZONE_FIELD est nécessaire avec ZONES (aucun champ de code INSEE trouvé). Champs : {0}.</translation>
    </message>
    <message>
        <location filename="../algorithms/inputs.py" line="98"/>
        <source>Zone field: {0}</source>
        <translation>Champ de zone : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/inputs.py" line="100"/>
        <source>ZONE_FIELD &apos;{0}&apos; is not a field of the zone layer. Fields: {1}.</source>
        <translation>ZONE_FIELD « {0} » n’est pas un champ de la couche de zones. Champs : {1}.</translation>
    </message>
    <message>
        <location filename="../algorithms/inputs.py" line="113"/>
        <source>NAME_FIELD &apos;{0}&apos; is not a field of the zone layer. Fields: {1}.</source>
        <translation>NAME_FIELD « {0} » n’est pas un champ de la couche des zones. Champs : {1}.</translation>
    </message>
    <message>
        <location filename="../algorithms/inputs.py" line="119"/>
        <source>Zone names: {0}</source>
        <translation>Noms des zones : {0}</translation>
    </message>
    <message>
        <location filename="../engines/changepushdown.py" line="86"/>
        <source>{0} change polygons ({1} ha) expected in {2}, {3} ({4} ha) written.</source>
        <translation>{0} polygones de changement ({1} ha) attendus dans {2}, {3} ({4} ha) écrits.</translation>
    </message>
    <message>
        <location filename="../engines/changepushdown.py" line="111"/>
        <source>Polygons grouped by their codes by PostgreSQL: no geometry read but for the spatial rules.</source>
        <translation>Polygones regroupés par leurs codes par PostgreSQL : aucune géométrie lue hors règles spatiales.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="219"/>
        <source>Using the values computed by Reclassify or Artificialisation (spatial rules, thresholds) for vintage(s) {0}.</source>
        <translation>Valeurs calculées par Reclassifier ou Artificialisation (règles spatiales, seuils) utilisées pour le(s) millésime(s) {0}.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="232"/>
        <source>Compared: {0}; periods: {1}</source>
        <translation>Comparaison : {0} ; périodes : {1}</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="265"/>
        <source>The two layers use different nomenclatures ({0} and {1}): compare them on the OCS GE equivalent, NAF / non-NAF or artificialisation.</source>
        <translation>Les deux couches n’ont pas la même nomenclature ({0} et {1}) : comparez-les sur l’équivalent OCS GE, NAF / non NAF ou l’artificialisation.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="270"/>
        <source>Both layers are vintage {0}: give FROM_VINTAGE and TO_VINTAGE.</source>
        <translation>Les deux couches sont du millésime {0} : indiquez FROM_VINTAGE et TO_VINTAGE.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="275"/>
        <source>INPUT is vintage {0} and INPUT_AFTER vintage {1}: give the older layer in INPUT and the newer one in INPUT_AFTER.</source>
        <translation>INPUT est du millésime {0} et INPUT_AFTER du millésime {1} : donnez la couche la plus ancienne dans INPUT et la plus récente dans INPUT_AFTER.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="291"/>
        <source>The layer has cs_avant/cs_apres fields without years: give FROM_VINTAGE and TO_VINTAGE to annualise the flows.</source>
        <translation>La couche a des champs cs_avant/cs_apres sans année : indiquez FROM_VINTAGE et TO_VINTAGE pour annualiser les flux.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="303"/>
        <source>Vintage {0} not found in &apos;{1}&apos;. Vintages detected: {2}.</source>
        <translation>Millésime {0} absent de « {1} ». Millésimes détectés : {2}.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="310"/>
        <source>&apos;{0}&apos; holds {1} vintage(s) between FROM_VINTAGE and TO_VINTAGE ({2}): two are needed. For one layer per vintage, give the second one in INPUT_AFTER.</source>
        <translation>« {0} » contient {1} millésime(s) entre FROM_VINTAGE et TO_VINTAGE ({2}) : il en faut deux. Avec une couche par millésime, donnez la seconde dans INPUT_AFTER.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="323"/>
        <source>Cannot tell the vintage of {0} (&apos;{1}&apos;): give its year in {2}.</source>
        <translation>Impossible de déterminer le millésime de {0} (« {1} ») : indiquez son année dans {2}.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="327"/>
        <source>{0} holds several vintages ({1}): give the one to use in {2}.</source>
        <translation>{0} contient plusieurs millésimes ({1}) : indiquez celui à utiliser dans {2}.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="335"/>
        <source>4 postes, 21 postes and ENAF are defined on OCS2D codes only; &apos;{0}&apos; is OCS GE. Compare another target (NAF / non-NAF and artificialisation work on both).</source>
        <translation>Les 4 postes, 21 postes et l’ENAF ne sont définis que sur les codes OCS2D ; « {0} » est en OCS GE. Comparez une autre cible (NAF / non NAF et artificialisation valent pour les deux).</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="371"/>
        <source>The zone layer has no polygon.</source>
        <translation>La couche de zones ne contient aucun polygone.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="373"/>
        <source>{0} zone(s) have a NULL {1}: their land is counted as &apos;{2}&apos;.</source>
        <translation>{0} zone(s) ont un {1} NULL : leurs surfaces sont comptées en « {2} ».</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="472"/>
        <source>OCS2D spatial rules applied to &apos;{0}&apos; ({1}): {2} polygon-vintages take the values near urban areas or near the enveloppe urbaine, as in Reclassify.</source>
        <translation>Règles spatiales OCS2D appliquées à « {0} » ({1}) : {2} polygones-millésimes prennent les valeurs « à proximité » des espaces urbanisés ou de l’enveloppe urbaine, comme dans Reclassifier.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="690"/>
        <source>Overlay of {0} and {1} polygons</source>
        <translation>Superposition de {0} et {1} polygones</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="808"/>
        <source>{0} invalid geometries were repaired (makeValid) before use.</source>
        <translation>{0} géométries invalides ont été réparées (makeValid) avant usage.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="812"/>
        <source>{0} features without geometry (or emptied by the repair) carry no area and are left out.</source>
        <translation>{0} entités sans géométrie (ou vidées par la réparation) n’ont pas de surface et sont laissées de côté.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="816"/>
        <source>MIN_AREA_M2: {0} pieces dropped, {1} m² in all.</source>
        <translation>MIN_AREA_M2 : {0} morceaux écartés, {1} m² au total.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="820"/>
        <source>{0} features with a NULL or unknown code are counted as &apos;inconnu&apos;.</source>
        <translation>{0} entités au code NULL ou inconnu sont comptées en « inconnu ».</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="824"/>
        <source>{0} ha depend on a spatial rule of the OCS2D method (US7.0.0 near urban areas, agricultural structures near the enveloppe urbaine) and were classified by their attributes alone, as asked (SPATIAL_RULES off). Turn SPATIAL_RULES on, or give the output of Reclassify (its p4_/p21_/enaf_ fields are used), to apply them.</source>
        <translation>{0} ha relèvent d’une règle spatiale de la méthode OCS2D (US7.0.0 près des espaces urbanisés, structures agricoles près de l’enveloppe urbaine) et ont été classés par leurs seuls attributs, comme demandé (SPATIAL_RULES désactivé). Activez SPATIAL_RULES, ou donnez la sortie de Reclassifier (ses champs p4_/p21_/enaf_ sont alors utilisés), pour les appliquer.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="834"/>
        <source>Conservation {0}: land compared {1} ha, matrix total {2} ha, zones total {3} ha.</source>
        <translation>Conservation {0} : surface comparée {1} ha, total de la matrice {2} ha, total des zones {3} ha.</translation>
    </message>
    <message>
        <location filename="../engines/changes.py" line="843"/>
        <source>Area not conserved for {0}: {1} ha in, {2} ha out. Overlapping zones or polygons give this; check the inputs (Check validity, overlaps).</source>
        <translation>Surface non conservée pour {0} : {1} ha en entrée, {2} ha en sortie. Des zones ou polygones qui se chevauchent en sont la cause ; vérifiez les entrées (validité, chevauchements).</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="486"/>
        <source>&apos;{0}&apos; is reprojected from {1} to {2}.</source>
        <translation>« {0} » est reprojetée de {1} vers {2}.</translation>
    </message>
</context>
<context>
    <name>ChangeDetectionAlgorithm</name>
    <message>
        <location filename="../algorithms/changedetection.py" line="37"/>
        <source>Change detection between two vintages</source>
        <translation>Détection des changements entre deux millésimes</translation>
    </message>
    <message>
        <location filename="../algorithms/changedetection.py" line="41"/>
        <source>Keep only the polygons that changed</source>
        <translation>Ne garder que les polygones qui ont changé</translation>
    </message>
    <message>
        <location filename="../algorithms/changedetection.py" line="43"/>
        <source>Change polygons</source>
        <translation>Polygones de changement</translation>
    </message>
    <message>
        <location filename="../algorithms/changedetection.py" line="67"/>
        <source>{0} polygons written ({1} ha); land changed {2} ha of {3} ha compared.</source>
        <translation>{0} polygones écrits ({1} ha) ; surface changée {2} ha sur {3} ha comparés.</translation>
    </message>
    <message>
        <location filename="../algorithms/changedetection.py" line="73"/>
        <source>Changes {0}</source>
        <translation>Changements {0}</translation>
    </message>
</context>
<context>
    <name>FrichesAlgorithm</name>
    <message>
        <location filename="../algorithms/friches.py" line="46"/>
        <source>Friches: candidates, characteristics, mutability and vocation</source>
        <translation>Friches : candidats, caractérisation, mutabilité et vocation</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="51"/>
        <source>Land cover layer (multi-date if possible)</source>
        <translation>Couche d’occupation du sol (multidate si possible)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="53"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="55"/>
        <source>Vintages (e.g. 2005,2015,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2005,2015,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="57"/>
        <source>Friche inventory (CNIG friches standard, e.g. Cartofriches)</source>
        <translation>Inventaire des friches (standard CNIG friches, p. ex. Cartofriches)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="60"/>
        <source>Minimum area of a site (m²)</source>
        <translation>Surface minimale d’un site (m²)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="63"/>
        <source>Communes (INSEE code of each site)</source>
        <translation>Communes (code INSEE de chaque site)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="65"/>
        <source>INSEE code field</source>
        <translation>Champ du code INSEE</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="67"/>
        <source>Town halls (points; town centre = within 1 km)</source>
        <translation>Mairies (points ; centre-ville = à moins de 1 km)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="69"/>
        <source>Railway stations and public transport stops (points)</source>
        <translation>Gares et arrêts de transport en commun (points)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="72"/>
        <source>Shops and services (points, e.g. BPE)</source>
        <translation>Commerces et services (points, p. ex. BPE)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="74"/>
        <source>BPE type field of the services</source>
        <translation>Champ du type BPE des services</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="77"/>
        <source>Flood areas (polygons)</source>
        <translation>Zones inondables (polygones)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="79"/>
        <source>Zoning (PLU zones, polygons)</source>
        <translation>Zonage (zones du PLU, polygones)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="81"/>
        <source>Zone type field (CNIG typezone: U, AUc, AUs, A, N)</source>
        <translation>Champ du type de zone (typezone CNIG : U, AUc, AUs, A, N)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="84"/>
        <source>Protected natural areas (polygons)</source>
        <translation>Espaces naturels protégés (polygones)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="86"/>
        <source>Polluted sites (points or polygons, e.g. BASOL, SIS)</source>
        <translation>Sites pollués (points ou polygones, p. ex. BASOL, SIS)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="89"/>
        <source>Friches</source>
        <translation>Friches</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="91"/>
        <source>CNIG friches CSV</source>
        <translation>CSV au standard CNIG friches</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="91"/>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="99"/>
        <source>One vintage only: candidates come from the current usage codes; the history, the abandonment period and reconverted friches need several vintages.</source>
        <translation>Un seul millésime : les candidats viennent des codes d’usage actuels ; l’historique, la période d’abandon et les friches reconverties demandent plusieurs millésimes.</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="108"/>
        <source>The sites are written in {0}, the CRS of the measures.</source>
        <translation>Les sites sont écrits dans {0}, le SCR des mesures.</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="115"/>
        <source>{0} sites written; vocations: {1}.</source>
        <translation>{0} sites écrits ; vocations : {1}.</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="117"/>
        <source>Friches {0}</source>
        <translation>Friches {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/friches.py" line="123"/>
        <source>CNIG friches CSV written to {0} (coordinates in {1}).</source>
        <translation>CSV CNIG friches écrit dans {0} (coordonnées en {1}).</translation>
    </message>
    <message>
        <location filename="../engines/friches.py" line="171"/>
        <source>{0} polygons with US6.2.3 (espaces agricoles non exploités) are never friches (décret 2023-1259).</source>
        <translation>{0} polygones en US6.2.3 (espaces agricoles non exploités) ne sont jamais des friches (décret 2023-1259).</translation>
    </message>
    <message>
        <location filename="../engines/friches.py" line="174"/>
        <source>{0} candidate polygons ({1} ha).</source>
        <translation>{0} polygones candidats ({1} ha).</translation>
    </message>
    <message>
        <location filename="../engines/friches.py" line="213"/>
        <source>{0} candidate sites under MIN_AREA_M2 ({1} m² in all) are left out.</source>
        <translation>{0} sites candidats sous MIN_AREA_M2 ({1} m² au total) sont écartés.</translation>
    </message>
    <message>
        <location filename="../engines/friches.py" line="216"/>
        <source>{0} sites from the land cover.</source>
        <translation>{0} sites issus de l’occupation du sol.</translation>
    </message>
    <message>
        <location filename="../engines/friches.py" line="249"/>
        <source>Inventory: {0} sites matched to the land cover, {1} added (not found in the land cover).</source>
        <translation>Inventaire : {0} sites rapprochés de l’occupation du sol, {1} ajoutés (absents de l’occupation du sol).</translation>
    </message>
    <message>
        <location filename="../engines/friches.py" line="280"/>
        <source>SERVICES_TYPE_FIELD is empty: every point of SERVICES counts as a shop or service.</source>
        <translation>SERVICES_TYPE_FIELD est vide : chaque point de SERVICES compte comme commerce ou service.</translation>
    </message>
    <message>
        <location filename="../engines/friches.py" line="326"/>
        <source>ZONING_TYPE_FIELD must name the zone type field (CNIG typezone). Fields: {0}.</source>
        <translation>ZONING_TYPE_FIELD doit désigner le champ du type de zone (typezone CNIG). Champs : {0}.</translation>
    </message>
    <message>
        <location filename="../engines/friches.py" line="357"/>
        <source>ZONE_FIELD is needed with ZONES.</source>
        <translation>ZONE_FIELD est nécessaire avec ZONES.</translation>
    </message>
</context>
<context>
    <name>HeatIslandAlgorithm</name>
    <message>
        <location filename="../algorithms/heatisland.py" line="54"/>
        <source>Heat island (surchauffe) score</source>
        <translation>Score d’îlot de chaleur (surchauffe)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="57"/>
        <source>Land cover layer (OCS2D or OCS GE)</source>
        <translation>Couche d’occupation du sol (OCS2D ou OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="59"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="61"/>
        <source>Vintages (e.g. 2005,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2005,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="63"/>
        <source>Hexagonal grid</source>
        <translation>Grille hexagonale</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="63"/>
        <source>Input polygons</source>
        <translation>Polygones en entrée</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="63"/>
        <source>Square grid</source>
        <translation>Grille carrée</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="63"/>
        <source>Units</source>
        <translation>Unités</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="63"/>
        <source>Zones layer</source>
        <translation>Couche de zones</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="66"/>
        <source>Grid cell size (m)</source>
        <translation>Taille de maille (m)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="69"/>
        <source>Zones (e.g. îlots, IRIS) when Units = zones</source>
        <translation>Zones (p. ex. îlots, IRIS) quand Unités = zones</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="72"/>
        <source>Coefficients (class or code, h_jour, h_nuit; empty = defaults)</source>
        <translation>Coefficients (classe ou code, h_jour, h_nuit ; vide = valeurs par défaut)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="75"/>
        <source>Cooling distance of green and blue areas (m)</source>
        <translation>Distance de rafraîchissement des espaces verts et bleus (m)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="78"/>
        <source>Minimum area of a cooling green or blue area (ha)</source>
        <translation>Surface minimale d’un espace vert ou bleu rafraîchissant (ha)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="81"/>
        <source>Internal raster resolution (m)</source>
        <translation>Résolution du raster interne (m)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="84"/>
        <source>Surchauffe score</source>
        <translation>Score de surchauffe</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="86"/>
        <source>Score raster (GeoTIFF)</source>
        <translation>Raster du score (GeoTIFF)</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="94"/>
        <source>COEFFICIENTS must have 3 columns (class, h_jour, h_nuit); got {0} values.</source>
        <translation>COEFFICIENTS doit avoir 3 colonnes (classe, h_jour, h_nuit) ; {0} valeurs reçues.</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="99"/>
        <source>COEFFICIENTS: &apos;{0}&apos; is neither a class (bati, impermeable, mineral, composite, sol_nu, eau, feuillus, coniferes, mixte, arbustif, vigne, herbace…) nor a known couverture code, or a value is not between 0 and 1.</source>
        <translation>COEFFICIENTS : « {0} » n’est ni une classe (bati, impermeable, mineral, composite, sol_nu, eau, feuillus, coniferes, mixte, arbustif, vigne, herbace…) ni un code de couverture connu, ou une valeur n’est pas comprise entre 0 et 1.</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="104"/>
        <source>Coefficients overridden: {0}</source>
        <translation>Coefficients remplacés : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="115"/>
        <source>Units = zones needs a ZONES layer.</source>
        <translation>Unités = zones demande une couche ZONES.</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="119"/>
        <source>The score is computed and written in {0}, the CRS of the measures.</source>
        <translation>Le score est calculé et écrit dans {0}, le SCR des mesures.</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="212"/>
        <source>Grid written straight into {0} by PostgreSQL (squares built from the cells&apos; columns and rows, no temporary GeoPackage).</source>
        <translation>Grille écrite directement dans {0} par PostgreSQL (carrés construits à partir de la colonne et de la ligne de chaque cellule, sans GeoPackage temporaire).</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="232"/>
        <source>{0} units with land cover written.</source>
        <translation>{0} unités couvertes écrites.</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="233"/>
        <source>Heat island score {0}</source>
        <translation>Score de surchauffe {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/heatisland.py" line="244"/>
        <source>Heat island score {0}, raster</source>
        <translation>Score de surchauffe {0}, raster</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="186"/>
        <source>{0} feature-vintages have a NULL or unknown couverture code: they are left out of the covered part.</source>
        <translation>{0} entités-millésimes ont un code de couverture NULL ou inconnu : elles sont exclues de la part couverte.</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="239"/>
        <source>{0} (couverture, usage) pairs have a NULL or unknown couverture code: their polygons are left out of the covered part.</source>
        <translation>{0} couples (couverture, usage) ont un code de couverture NULL ou inconnu : leurs polygones sont exclus de la part couverte.</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="286"/>
        <source>Classes read by GDAL straight from PostgreSQL.</source>
        <translation>Classes lues par GDAL directement dans PostgreSQL.</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="312"/>
        <source>Classes written by GDAL (GeoPackage fast path).</source>
        <translation>Classes écrites par GDAL (voie rapide GeoPackage).</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="333"/>
        <source>Classes read by GDAL (GeoPackage fast path).</source>
        <translation>Classes lues par GDAL (chemin rapide GeoPackage).</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="403"/>
        <source>{0} × {1} pixels of {2} m in {3} tiles; {4} units.</source>
        <translation>{0} × {1} pixels de {2} m en {3} tuiles ; {4} unités.</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="533"/>
        <source>{0} × {1} pixels of {2} m in {3} bands; {4} cells of {5} m read off the raster.</source>
        <translation>{0} × {1} pixels de {2} m en {3} bandes ; {4} cellules de {5} m lues sur le raster.</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="607"/>
        <source>{0}: {1} ha of green and blue areas in patches of at least {2} ha.</source>
        <translation>{0} : {1} ha d’espaces verts et bleus en taches d’au moins {2} ha.</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="643"/>
        <source>{0}: {1} ha of land cover in the input, {2} ha burnt at {3} m ({4} %).</source>
        <translation>{0} : {1} ha d’occupation du sol en entrée, {2} ha rastérisés à {3} m ({4} %).</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="647"/>
        <source>{0}: the input polygons overlap or hold overlapping parts: their areas add up to {1} ha more than the land they cover. Each pixel holds one class; check the layer (Check validity, overlaps).</source>
        <translation>{0} : les polygones en entrée se chevauchent ou ont des parties qui se chevauchent : leurs surfaces dépassent de {1} ha le terrain qu’ils couvrent. Chaque pixel porte une seule classe ; vérifiez la couche (validité, chevauchements).</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="653"/>
        <source>{0}: class areas differ by more than 0.5 % between the input and the raster at {1} m ({2}); lower RESOLUTION for small or thin polygons.</source>
        <translation>{0} : les surfaces par classe diffèrent de plus de 0,5 % entre l’entrée et le raster à {1} m ({2}) ; baissez RESOLUTION pour les polygones petits ou étroits.</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="660"/>
        <source>{0}: {1} ha of land cover lie outside every unit.</source>
        <translation>{0} : {1} ha d’occupation du sol sont hors de toute unité.</translation>
    </message>
    <message>
        <location filename="../engines/heat.py" line="838"/>
        <source>Score raster of {0} written to {1}</source>
        <translation>Raster du score {0} écrit dans {1}</translation>
    </message>
</context>
<context>
    <name>OcsAlgorithm</name>
    <message>
        <location filename="../algorithms/base.py" line="33"/>
        <source>Nomenclatures</source>
        <translation>Nomenclatures</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="34"/>
        <source>Changes</source>
        <translation>Évolutions</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="35"/>
        <source>ZAN</source>
        <translation>ZAN</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="36"/>
        <source>Friches</source>
        <translation>Friches</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="37"/>
        <source>Climate</source>
        <translation>Climat</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="38"/>
        <source>Outputs</source>
        <translation>Restitution</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="39"/>
        <source>Styles</source>
        <translation>Styles</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="40"/>
        <source>Quality control</source>
        <translation>Contrôle</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="232"/>
        <source>Could not load {0}: {1}</source>
        <translation>Impossible de charger {0} : {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="279"/>
        <source>Invalid or missing input layer ({0}).</source>
        <translation>Couche d’entrée invalide ou absente ({0}).</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="281"/>
        <source>{0} must be a polygon layer; &apos;{1}&apos; holds another geometry type.</source>
        <translation>{0} doit être une couche de polygones ; « {1} » contient un autre type de géométrie.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="291"/>
        <source>PostGIS push-down not used ({0}): through a temporary GeoPackage, PostgreSQL read or written in bulk.</source>
        <translation>Traitement dans PostgreSQL non utilisé ({0}) : via un GeoPackage temporaire, PostgreSQL lu ou écrit en bloc.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="294"/>
        <source>PostGIS push-down not used ({0}): feature by feature.</source>
        <translation>Traitement dans PostgreSQL non utilisé ({0}) : entité par entité.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="300"/>
        <source>PostgreSQL input not copied for the GeoPackage fast path ({0}): feature by feature.</source>
        <translation>Entrée PostgreSQL non copiée pour la voie rapide GeoPackage ({0}) : entité par entité.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="306"/>
        <source>Run by PostgreSQL (push-down): writing {0}…</source>
        <translation>Exécuté par PostgreSQL : écriture de {0}…</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="349"/>
        <source>Auto-detect</source>
        <translation>Détection automatique</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="349"/>
        <source>OCS2D Hauts-de-France 2021</source>
        <translation>OCS2D Hauts-de-France 2021</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="350"/>
        <source>OCS GE (IGN)</source>
        <translation>OCS GE (IGN)</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="350"/>
        <source>OCS2D Nord-Pas-de-Calais 2005/2015 (legacy codes)</source>
        <translation>OCS2D Nord-Pas-de-Calais 2005/2015 (anciens codes)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="34"/>
        <source>4 postes, 21 postes and ENAF (with the spatial rules)</source>
        <translation>4 postes, 21 postes et ENAF (avec les règles spatiales)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="38"/>
        <source>OCS2D land-cover layer</source>
        <translation>Couche d’occupation du sol OCS2D</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="38"/>
        <source>OCS2D postes, ENAF and urban envelope</source>
        <translation>Postes OCS2D, ENAF et enveloppe urbaine</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="38"/>
        <source>Urban envelope of each vintage</source>
        <translation>Enveloppe urbaine de chaque millésime</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="38"/>
        <source>Vintages (e.g. 2015,2021; empty = all)</source>
        <translation>Millésimes (p. ex. 2015,2021 ; vide = tous)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="46"/>
        <source>INSEE code field of the communes (empty = detected)</source>
        <translation>Champ du code INSEE des communes (vide = détecté)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="52"/>
        <source>Classes compared</source>
        <translation>Classes comparées</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="53"/>
        <source>Change polygons</source>
        <translation>Polygones de changement</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="53"/>
        <source>Land-cover change diagnosis per commune</source>
        <translation>Diagnostic des changements par commune</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="53"/>
        <source>Transition matrices</source>
        <translation>Matrices de transition</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="53"/>
        <source>Transition report (HTML)</source>
        <translation>Rapport des transitions (HTML)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="64"/>
        <source>Artificialisation with the thresholds, each vintage</source>
        <translation>Artificialisation avec les seuils, à chaque millésime</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="64"/>
        <source>Flows per commune</source>
        <translation>Flux par commune</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="64"/>
        <source>Quality control: problems found</source>
        <translation>Contrôle qualité : problèmes trouvés</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="64"/>
        <source>Quality control: summary</source>
        <translation>Contrôle qualité : synthèse</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="64"/>
        <source>ZAN diagnosis per commune</source>
        <translation>Diagnostic ZAN par commune</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="64"/>
        <source>ZAN report (HTML)</source>
        <translation>Rapport ZAN (HTML)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="64"/>
        <source>ZAN trajectory per commune</source>
        <translation>Trajectoire ZAN par commune</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="75"/>
        <source>Communes (zones)</source>
        <translation>Communes (zones)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="75"/>
        <source>Land-cover layer (OCS2D or OCS GE)</source>
        <translation>Couche d’occupation du sol (OCS2D ou OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="75"/>
        <source>Overheating diagnosis (100 m grid and communes)</source>
        <translation>Diagnostic de surchauffe (grille de 100 m et communes)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="75"/>
        <source>Overheating score on a 100 m grid</source>
        <translation>Score de surchauffe sur une grille de 100 m</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="75"/>
        <source>Overheating score per commune</source>
        <translation>Score de surchauffe par commune</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="75"/>
        <source>Vintages (e.g. 2005,2021; empty = all)</source>
        <translation>Millésimes (p. ex. 2005,2021 ; vide = tous)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Communes</source>
        <translation>Communes</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Flood areas</source>
        <translation>Zones inondables</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Friche inventory (CNIG)</source>
        <translation>Inventaire des friches (CNIG)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Friche observatory</source>
        <translation>Observatoire des friches</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Friches in the CNIG format (CSV)</source>
        <translation>Friches au format CNIG (CSV)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Friches: candidates, characteristics and vocation</source>
        <translation>Friches : candidats, caractérisation et vocation</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Land-cover layer (multi-date if possible)</source>
        <translation>Couche d’occupation du sol (multidate si possible)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>PLU zones (field typezone)</source>
        <translation>Zones du PLU (champ typezone)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Polluted sites</source>
        <translation>Sites pollués</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Protected natural areas</source>
        <translation>Espaces naturels protégés</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Shops and services (BPE, field typequ)</source>
        <translation>Commerces et services (BPE, champ typequ)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Stations</source>
        <translation>Gares</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="84"/>
        <source>Town halls</source>
        <translation>Mairies</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="100"/>
        <source>OCS2D multi-date land-cover layer</source>
        <translation>Couche d’occupation du sol OCS2D multidate</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="102"/>
        <source>Carbon diagnosis per commune (ALDO)</source>
        <translation>Diagnostic carbone par commune (ALDO)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="102"/>
        <source>Carbon flows per commune and period</source>
        <translation>Flux de carbone par commune et période</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="102"/>
        <source>Carbon report (HTML)</source>
        <translation>Rapport carbone (HTML)</translation>
    </message>
    <message>
        <location filename="../algorithms/models.py" line="102"/>
        <source>Carbon stocks per commune</source>
        <translation>Stocks de carbone par commune</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="98"/>
        <source>&apos;{0}&apos; holds {1} geometries: curves are segmentized (at most 1° of arc per segment) and Z/M values dropped for areas, distances and overlays.</source>
        <translation>« {0} » contient des géométries {1} : les courbes sont segmentées (1° d’arc au plus par segment) et les valeurs Z/M ignorées pour les surfaces, distances et superpositions.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="103"/>
        <source>&apos;{0}&apos;: {1} features have no geometry (NULL or empty): they count for no area; tools that copy the features keep them.</source>
        <translation>« {0} » : {1} entités n’ont pas de géométrie (NULL ou vide) : elles ne comptent pour aucune surface ; les outils qui copient les entités les gardent.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="138"/>
        <source>VINTAGES: &apos;{0}&apos; is not a year. Give years such as 2015,2021.</source>
        <translation>VINTAGES : « {0} » n’est pas une année. Indiquez des années, p. ex. 2015,2021.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="143"/>
        <source>CS_FIELD and US_FIELD must both name fields of the layer. Missing: {0}. Fields found: {1}.</source>
        <translation>CS_FIELD et US_FIELD doivent désigner tous deux des champs de la couche. Manquant(s) : {0}. Champs présents : {1}.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="158"/>
        <source>No couverture/usage fields found in &apos;{0}&apos;. Looked for csYY/usYY (OCS2D), cs3_YYYY/us3_YYYY, CODE_CS/CODE_US, code_cs/code_us or couverture/usage (OCS GE), CS_YYYY/US_YYYY or cs_avant/cs_apres (IGN change products). Fields found: {1}. Use CS_FIELD and US_FIELD to name them.</source>
        <translation>Aucun champ de couverture/usage trouvé dans « {0} ». Champs recherchés : csYY/usYY (OCS2D), cs3_YYYY/us3_YYYY, CODE_CS/CODE_US, code_cs/code_us ou couverture/usage (OCS GE), CS_YYYY/US_YYYY ou cs_avant/cs_apres (produits de différence de l’IGN). Champs présents : {1}. Désignez-les avec CS_FIELD et US_FIELD.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="169"/>
        <source>The layer holds one vintage (fields {0}/{1}); VINTAGES names {2}.</source>
        <translation>La couche ne contient qu’un millésime (champs {0}/{1}) ; VINTAGES en demande plusieurs : {2}.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="178"/>
        <source>Field {0} holds several years ({1}): give the one to use in VINTAGES, or split the layer by millésime.</source>
        <translation>Le champ {0} contient plusieurs années ({1}) : indiquez celle à utiliser dans VINTAGES, ou découpez la couche par millésime.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="178"/>
        <source>none</source>
        <translation>aucune</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="182"/>
        <source>Cannot tell the vintage of &apos;{0}&apos;: no MILLESIME field. Give the year in VINTAGES.</source>
        <translation>Impossible de déterminer le millésime de « {0} » : pas de champ MILLESIME. Indiquez l’année dans VINTAGES.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="190"/>
        <source>Vintage(s) {0} not found in &apos;{1}&apos;. Vintages detected: {2}.</source>
        <translation>Millésime(s) {0} absent(s) de « {1} ». Millésimes détectés : {2}.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="194"/>
        <source>Vintages: {0}</source>
        <translation>Millésimes : {0}</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="223"/>
        <source>Nomenclature detected: {0}</source>
        <translation>Nomenclature détectée : {0}</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="375"/>
        <source>the ellipsoid</source>
        <translation>l’ellipsoïde</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="379"/>
        <source>The layer has no valid CRS: areas and distances are taken in its coordinates, as metres.</source>
        <translation>La couche n’a pas de SCR valide : surfaces et distances sont prises dans ses coordonnées, comme des mètres.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="382"/>
        <source>Areas, lengths and distances are measured in the layer&apos;s CRS, {0}: over the layer, its measures differ from those of {1} by {2} % at most (tolerance 0.1 %).</source>
        <translation>Surfaces, longueurs et distances sont mesurées dans le SCR de la couche, {0} : sur la couche, ses mesures diffèrent de celles de {1} de {2} % au plus (tolérance 0,1 %).</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="387"/>
        <source>Areas, lengths and distances are measured in {0}: the layer&apos;s CRS, {1}, is geographic, not in metres or differs from {2} by more than 0.1 % over the layer (scale error {3} %). Output geometries stay in {1} unless the log says otherwise.</source>
        <translation>Surfaces, longueurs et distances sont mesurées dans {0} : le SCR de la couche, {1}, est géographique, n’est pas en mètres ou diffère de {2} de plus de 0,1 % sur la couche (erreur d’échelle {3} %). Les géométries en sortie restent dans {1} sauf indication contraire du journal.</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="407"/>
        <source>Values: {0}</source>
        <translation>Valeurs : {0}</translation>
    </message>
    <message>
        <location filename="../engines/landcover.py" line="442"/>
        <source>The input layer &apos;{0}&apos; is empty.</source>
        <translation>La couche d’entrée « {0} » est vide.</translation>
    </message>
</context>
<context>
    <name>OcsPostGIS</name>
    <message>
        <location filename="../engines/postgis.py" line="75"/>
        <source>"{0}"."{1}" (database {2})</source>
        <translation>"{0}"."{1}" (base {2})</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="98"/>
        <source>Cannot connect to the PostgreSQL database {0}: {1}</source>
        <translation>Connexion impossible à la base PostgreSQL {0} : {1}</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="101"/>
        <source>The PostgreSQL source names no table: {0}</source>
        <translation>La source PostgreSQL ne nomme aucune table : {0}</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="108"/>
        <source>Table {0} not found.</source>
        <translation>Table {0} introuvable.</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="109"/>
        <source>Table {0} exists but QGIS cannot read it as a layer (geometry column &apos;{1}&apos;, key &apos;{2}&apos;).</source>
        <translation>La table {0} existe mais QGIS ne peut pas la lire comme une couche (colonne géométrique « {1} », clé « {2} »).</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="155"/>
        <source>Table {0} exists: it is replaced by this output.</source>
        <translation>La table {0} existe : elle est remplacée par cette sortie.</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="190"/>
        <source>Could not index {0}: {1}</source>
        <translation>Impossible d’indexer {0} : {1}</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="201"/>
        <source>Spatial index on {0} of {1}.</source>
        <translation>Index spatial sur {0} de {1}.</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="263"/>
        <source>Copying the PostgreSQL input to a temporary GeoPackage (GDAL)…</source>
        <translation>Copie de l’entrée PostgreSQL dans un GeoPackage temporaire (GDAL)…</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="274"/>
        <source>{0} features copied.</source>
        <translation>{0} entités copiées.</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="298"/>
        <source>Loading the output into {0} in bulk (GDAL, COPY)…</source>
        <translation>Chargement en bloc de la sortie dans {0} (GDAL, COPY)…</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="303"/>
        <source>Could not write {0}: {1}</source>
        <translation>Impossible d’écrire {0} : {1}</translation>
    </message>
    <message>
        <location filename="../engines/postgis.py" line="306"/>
        <source>{0}: {1} features loaded instead of {2}.</source>
        <translation>{0} : {1} entités chargées au lieu de {2}.</translation>
    </message>
</context>
<context>
    <name>OcsStyling</name>
    <message>
        <location filename="../engines/styling.py" line="59"/>
        <source>Unknown or unclassified</source>
        <translation>Inconnu ou non classé</translation>
    </message>
    <message>
        <location filename="../engines/styling.py" line="141"/>
        <source>Style on {0} written to {1}</source>
        <translation>Style sur {0} écrit dans {1}</translation>
    </message>
    <message>
        <location filename="../engines/styling.py" line="162"/>
        <source>Could not store the style in {0}: {1}</source>
        <translation>Impossible d’enregistrer le style dans {0} : {1}</translation>
    </message>
    <message>
        <location filename="../engines/styling.py" line="163"/>
        <source>Style on {0} stored as the default style of {1}</source>
        <translation>Style sur {0} enregistré comme style par défaut de {1}</translation>
    </message>
</context>
<context>
    <name>ReclassifyAlgorithm</name>
    <message>
        <location filename="../algorithms/reclassify.py" line="44"/>
        <source>Reclassify land cover / land use</source>
        <translation>Reclassifier la couverture et l’usage du sol</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="47"/>
        <source>Level 1 (couverture and usage)</source>
        <translation>Niveau 1 (couverture et usage)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="47"/>
        <source>Level 2 (couverture and usage)</source>
        <translation>Niveau 2 (couverture et usage)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="48"/>
        <source>4 postes</source>
        <translation>4 postes</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="48"/>
        <source>Level 3 (couverture and usage)</source>
        <translation>Niveau 3 (couverture et usage)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="48"/>
        <source>OCS GE equivalent</source>
        <translation>Équivalent OCS GE</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="49"/>
        <source>21 postes</source>
        <translation>21 postes</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="49"/>
        <source>ENAF (and NAF / non-NAF)</source>
        <translation>ENAF (et NAF / non NAF)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="50"/>
        <source>Artificialisation (decree 2023-1096, matrix step)</source>
        <translation>Artificialisation (décret 2023-1096, étape matricielle)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="50"/>
        <source>Imperméabilisation</source>
        <translation>Imperméabilisation</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="51"/>
        <source>Custom table</source>
        <translation>Table personnalisée</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="54"/>
        <source>Land cover layer (OCS2D or OCS GE)</source>
        <translation>Couche d’occupation du sol (OCS2D ou OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="56"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="58"/>
        <source>Vintages (e.g. 2015,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2015,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="61"/>
        <source>Couverture field (override, one vintage)</source>
        <translation>Champ de couverture (forçage, un seul millésime)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="64"/>
        <source>Usage field (override, one vintage)</source>
        <translation>Champ d’usage (forçage, un seul millésime)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="67"/>
        <source>Targets (empty = 4 postes, 21 postes, ENAF for OCS2D; OCS GE equivalent, artificialisation, imperméabilisation for OCS GE)</source>
        <translation>Cibles (vide = 4 postes, 21 postes, ENAF pour l’OCS2D ; équivalent OCS GE, artificialisation, imperméabilisation pour l’OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="71"/>
        <source>Custom table (source code → class code, label, colour)</source>
        <translation>Table personnalisée (code source → code de classe, libellé, couleur)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="74"/>
        <source>Reclassified</source>
        <translation>Couche reclassée</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="87"/>
        <source>CUSTOM_TABLE must have 4 columns (source, code, label, colour); got {0} values.</source>
        <translation>CUSTOM_TABLE doit avoir 4 colonnes (source, code, label, colour) ; {0} valeurs reçues.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="96"/>
        <source>Targets: {0}</source>
        <translation>Cibles : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="129"/>
        <source>Reclassified {0}</source>
        <translation>Reclassement {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="144"/>
        <source>4 postes, 21 postes and ENAF are defined by the Hauts-de-France methods on OCS2D codes only; this layer is OCS GE. Choose other targets, or force the nomenclature if the layer is OCS2D.</source>
        <translation>Les 4 postes, 21 postes et l’ENAF sont définis par les méthodes des Hauts-de-France sur les seuls codes OCS2D ; cette couche est en OCS GE. Choisissez d’autres cibles, ou imposez la nomenclature si la couche est en OCS2D.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="148"/>
        <source>The custom target needs a CUSTOM_TABLE.</source>
        <translation>La cible « table personnalisée » demande une CUSTOM_TABLE.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="152"/>
        <source>CUSTOM_TABLE: {0}</source>
        <translation>CUSTOM_TABLE : {0}</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="53"/>
        <source>{0} feature-vintages are left unclassified by the published method for their pair (NULL).</source>
        <translation>{0} entités-millésimes ne sont pas classées par la méthode publiée pour leur couple (NULL).</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="53"/>
        <source>{0} feature-vintages have a NULL couverture or usage code; their targets are NULL.</source>
        <translation>{0} entités-millésimes ont un code de couverture ou d’usage NULL ; leurs cibles valent NULL.</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="53"/>
        <source>{0} feature-vintages have an unknown couverture code; their targets are NULL.</source>
        <translation>{0} entités-millésimes ont un code de couverture inconnu ; leurs cibles valent NULL.</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="53"/>
        <source>{0} feature-vintages have an unknown usage code; targets that need it are NULL.</source>
        <translation>{0} entités-millésimes ont un code d’usage inconnu ; les cibles qui en dépendent valent NULL.</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="99"/>
        <source>Field {0} already exists in the input: its values are replaced.</source>
        <translation>Le champ {0} existe déjà en entrée : ses valeurs sont remplacées.</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="168"/>
        <source>Could not write to the output: {0}</source>
        <translation>Impossible d’écrire dans la sortie : {0}</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="324"/>
        <source>Writing {0}…</source>
        <translation>Écriture de {0}…</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="391"/>
        <source>Attribute rules run by PostgreSQL (push-down): writing {0}…</source>
        <translation>Règles attributaires exécutées par PostgreSQL : écriture de {0}…</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="439"/>
        <source>{0} features read but {1} written.</source>
        <translation>{0} entités lues mais {1} écrites.</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="443"/>
        <source>Area not conserved: {0} ha in, {1} ha out.</source>
        <translation>Surface non conservée : {0} ha en entrée, {1} ha en sortie.</translation>
    </message>
    <message>
        <location filename="../engines/reclassify.py" line="446"/>
        <source>{0} features read and written, {1} ha in and out (geometries copied unchanged).</source>
        <translation>{0} entités lues et écrites, {1} ha en entrée comme en sortie (géométries recopiées telles quelles).</translation>
    </message>
    <message>
        <location filename="../engines/spatialrules.py" line="109"/>
        <source>Spatial rules: reading the codes…</source>
        <translation>Règles spatiales : lecture des codes…</translation>
    </message>
    <message>
        <location filename="../engines/spatialrules.py" line="167"/>
        <source>{0} invalid geometries were repaired for the spatial rules.</source>
        <translation>{0} géométries invalides ont été réparées pour les règles spatiales.</translation>
    </message>
    <message>
        <location filename="../engines/spatialrules.py" line="240"/>
        <source>{0}: {1} of {2} US7.0.0 polygons lie within 20 m of espaces urbanisés; {3} of {4} agricultural structures lie within 50 m of the enveloppe urbaine ({5} parts near them).</source>
        <translation>{0} : {1} polygones US7.0.0 sur {2} sont à moins de 20 m des espaces urbanisés ; {3} structures agricoles sur {4} sont à moins de 50 m de l’enveloppe urbaine ({5} parties proches d’elles).</translation>
    </message>
    <message>
        <location filename="../engines/spatialrules.py" line="297"/>
        <source>Spatial rules: reading the geometries…</source>
        <translation>Règles spatiales : lecture des géométries…</translation>
    </message>
</context>
<context>
    <name>TerritoryFlowsAlgorithm</name>
    <message>
        <location filename="../algorithms/territoryflows.py" line="52"/>
        <source>Flows per territory (artificialisation, ENAF consumption)</source>
        <translation>Flux par territoire (artificialisation, consommation d’ENAF)</translation>
    </message>
    <message>
        <location filename="../algorithms/territoryflows.py" line="56"/>
        <source>Flows per zone</source>
        <translation>Flux par zone</translation>
    </message>
    <message>
        <location filename="../algorithms/territoryflows.py" line="88"/>
        <source>{0}: artificialisation {1} ha, désartificialisation {2} ha, ENAF consumed {3} ha.</source>
        <translation>{0} : artificialisation {1} ha, désartificialisation {2} ha, ENAF consommés {3} ha.</translation>
    </message>
    <message>
        <location filename="../algorithms/territoryflows.py" line="98"/>
        <source>Flows {0}</source>
        <translation>Flux {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/territoryflows.py" line="121"/>
        <source>{0} classes: the stock columns are left out (use Transition matrix).</source>
        <translation>{0} classes : les colonnes de stock sont omises (utilisez Matrice de transition).</translation>
    </message>
</context>
<context>
    <name>TransitionMatrixAlgorithm</name>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="42"/>
        <source>Land cover transitions — {0}</source>
        <translation>Transitions d’occupation du sol — {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="44"/>
        <source>Compared: {0}. Areas in hectares. OCS Toolbox, ocs:transitionmatrix.</source>
        <translation>Comparaison : {0}. Surfaces en hectares. OCS Toolbox, ocs:transitionmatrix.</translation>
    </message>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="51"/>
        <source>Report written to {0}</source>
        <translation>Rapport écrit dans {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="68"/>
        <source>Transition matrix</source>
        <translation>Matrice de transition</translation>
    </message>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="70"/>
        <source>HTML files (*.html)</source>
        <translation>Fichiers HTML (*.html)</translation>
    </message>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="70"/>
        <source>HTML report</source>
        <translation>Rapport HTML</translation>
    </message>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="107"/>
        <source>{0}: {1} codes, {2} ha compared, {3} ha changed.</source>
        <translation>{0} : {1} codes, {2} ha comparés, {3} ha changés.</translation>
    </message>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="110"/>
        <source>{0} matrix rows written.</source>
        <translation>{0} lignes de matrice écrites.</translation>
    </message>
    <message>
        <location filename="../algorithms/transitionmatrix.py" line="111"/>
        <source>Transition matrix {0}</source>
        <translation>Matrice de transition {0}</translation>
    </message>
</context>
<context>
    <name>UrbanEnvelopeAlgorithm</name>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="32"/>
        <source>Urban envelope (enveloppe urbaine)</source>
        <translation>Enveloppe urbaine</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="35"/>
        <source>Land cover layer (OCS2D or OCS GE)</source>
        <translation>Couche d’occupation du sol (OCS2D ou OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="37"/>
        <source>Vintages (e.g. 2015,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2015,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="39"/>
        <source>Buffer distance (m)</source>
        <translation>Distance de tampon (m)</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="41"/>
        <source>Minimum area of a part (ha)</source>
        <translation>Surface minimale d’une partie (ha)</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="44"/>
        <source>Urban envelope</source>
        <translation>Enveloppe urbaine</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="59"/>
        <source>Urban envelope {0}</source>
        <translation>Enveloppe urbaine {0}</translation>
    </message>
    <message>
        <location filename="../engines/envelope.py" line="99"/>
        <source>{0} feature-vintages have unknown or NULL codes and were not considered for the envelope.</source>
        <translation>{0} entités-millésimes ont des codes inconnus ou NULL et n’ont pas été prises en compte pour l’enveloppe.</translation>
    </message>
    <message>
        <location filename="../engines/envelope.py" line="103"/>
        <source>{0} invalid geometries were repaired before the union.</source>
        <translation>{0} géométries invalides ont été réparées avant l’union.</translation>
    </message>
    <message>
        <location filename="../engines/envelope.py" line="130"/>
        <source>Union failed for vintage {0}: {1}</source>
        <translation>Échec de l’union pour le millésime {0} : {1}</translation>
    </message>
    <message>
        <location filename="../engines/envelope.py" line="145"/>
        <source>{0}: {1} parts, {2} ha</source>
        <translation>{0} : {1} parties, {2} ha</translation>
    </message>
</context>
<context>
    <name>ValidateAlgorithm</name>
    <message>
        <location filename="../algorithms/validate.py" line="41"/>
        <source>Validate a land cover layer (quality control)</source>
        <translation>Valider une couche d’occupation du sol (contrôle qualité)</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="45"/>
        <source>Coverage (overlaps and gaps)</source>
        <translation>Couverture du territoire (chevauchements et trous)</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="45"/>
        <source>Geometry (invalid, empty, duplicates)</source>
        <translation>Géométrie (invalide, vide, doublons)</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="46"/>
        <source>Codes (missing, unknown)</source>
        <translation>Codes (manquants, inconnus)</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="46"/>
        <source>Couverture × usage pairs</source>
        <translation>Couples couverture × usage</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="47"/>
        <source>Minimum mapping unit</source>
        <translation>Unité minimale de collecte</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="47"/>
        <source>Neighbours with identical codes</source>
        <translation>Voisins aux codes identiques</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="48"/>
        <source>Transitions between vintages</source>
        <translation>Transitions entre millésimes</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="51"/>
        <source>Land cover layer (OCS2D or OCS GE)</source>
        <translation>Couche d’occupation du sol (OCS2D ou OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="52"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="53"/>
        <source>Vintages (e.g. 2015,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2015,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="54"/>
        <source>Territory the layer must cover</source>
        <translation>Territoire que la couche doit couvrir</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="56"/>
        <source>Checks</source>
        <translation>Contrôles</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="59"/>
        <source>Minimum mapping unit (m²; empty = the producer&apos;s specification)</source>
        <translation>Unité minimale de collecte (m² ; vide = la spécification du producteur)</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="63"/>
        <source>Problems</source>
        <translation>Problèmes</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="65"/>
        <source>Summary</source>
        <translation>Synthèse</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="67"/>
        <source>HTML files (*.html)</source>
        <translation>Fichiers HTML (*.html)</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="67"/>
        <source>HTML report</source>
        <translation>Rapport HTML</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="70"/>
        <source>Corrected copy</source>
        <translation>Copie corrigée</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="78"/>
        <source>CHECKS: {0} is not a check.</source>
        <translation>CHECKS : {0} n’est pas un contrôle.</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="96"/>
        <source>TERRITORY &apos;{0}&apos; holds no polygon.</source>
        <translation>TERRITORY « {0} » ne contient aucun polygone.</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="115"/>
        <source>Quality control {0}</source>
        <translation>Contrôle qualité {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="124"/>
        <source>Report written to {0}</source>
        <translation>Rapport écrit dans {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="132"/>
        <source>Corrected copy: {0} features left out without a geometry, {1} duplicates left out, {2} geometries repaired, {3} overlaps cut, {4} groups of neighbours merged.</source>
        <translation>Copie corrigée : {0} entités sans géométrie écartées, {1} doublons écartés, {2} géométries réparées, {3} chevauchements découpés, {4} groupes de voisins fusionnés.</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="173"/>
        <source>{0} ({1}): {2} problems, {3} ha.</source>
        <translation>{0} ({1}) : {2} problèmes, {3} ha.</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="177"/>
        <source>{0} problems in all, {1} ha ({2} features are in several problems and counted in each).</source>
        <translation>{0} problèmes en tout, {1} ha ({2} entités relèvent de plusieurs problèmes et sont comptées dans chacun).</translation>
    </message>
    <message>
        <location filename="../algorithms/validate.py" line="181"/>
        <source>No problem found.</source>
        <translation>Aucun problème trouvé.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="157"/>
        <source>Some geometries are not plain polygons after repair: neighbours are not searched and overlaps are looked for around every polygon.</source>
        <translation>Certaines géométries ne sont pas des polygones simples après réparation : les voisins ne sont pas cherchés et les chevauchements sont cherchés autour de chaque polygone.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="229"/>
        <source>{0} invalid geometries were repaired (makeValid) for the other checks.</source>
        <translation>{0} géométries invalides ont été réparées (makeValid) pour les autres contrôles.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="243"/>
        <source>The feature has no geometry (NULL or empty).</source>
        <translation>L’entité n’a pas de géométrie (NULL ou vide).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="260"/>
        <source>Invalid geometry (GEOS): {0} at ({1}, {2}); the area is that of the repaired polygon.</source>
        <translation>Géométrie invalide (GEOS) : {0} en ({1} ; {2}) ; la surface est celle du polygone réparé.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="277"/>
        <source>A couverture or usage code is missing (NULL or empty).</source>
        <translation>Un code de couverture ou d’usage manque (NULL ou vide).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="280"/>
        <source>Code &apos;{0}&apos; is not in the nomenclature {1}.</source>
        <translation>Le code « {0} » n’est pas dans la nomenclature {1}.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="286"/>
        <source>Couverture {0} with usage {1}: {2} (table of incompatible pairs).</source>
        <translation>Couverture {0} avec l’usage {1} : {2} (table des couples incompatibles).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="306"/>
        <source>Same geometry as feature {0}.</source>
        <translation>Même géométrie que l’entité {0}.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="348"/>
        <source>{0} neighbouring features share edges and have the same codes in every vintage: {1}.</source>
        <translation>{0} entités voisines partagent des arêtes et ont les mêmes codes à tous les millésimes : {1}.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="415"/>
        <source>{0} m² with {1} / {2} in {3}, under the minimum mapping unit of {4} m² (features {5}).</source>
        <translation>{0} m² en {1} / {2} en {3}, sous l’unité minimale de collecte de {4} m² (entités {5}).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="428"/>
        <source>One vintage: transitions are not checked.</source>
        <translation>Un seul millésime : les transitions ne sont pas contrôlées.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="451"/>
        <source>{0} ({1}) → {2} ({3}): {4}.</source>
        <translation>{0} ({1}) → {2} ({3}) : {4}.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="454"/>
        <source>The couverture goes {0} → {1} → {0} ({2}, {3}, {4}).</source>
        <translation>La couverture passe de {0} à {1} puis revient à {0} ({2}, {3}, {4}).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="454"/>
        <source>The usage goes {0} → {1} → {0} ({2}, {3}, {4}).</source>
        <translation>L’usage passe de {0} à {1} puis revient à {0} ({2}, {3}, {4}).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="491"/>
        <source>The polygons&apos; areas add up to {0} ha; their union covers {1} ha: {2} ha are covered more than once.</source>
        <translation>Les surfaces des polygones totalisent {0} ha ; leur union couvre {1} ha : {2} ha sont couverts plusieurs fois.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="531"/>
        <source>Gap of {0} m² covered by no polygon.</source>
        <translation>Trou de {0} m² couvert par aucun polygone.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="534"/>
        <source>{0} gaps under {1} m² (slivers) are not listed.</source>
        <translation>{0} trous de moins de {1} m² (artefacts) ne sont pas listés.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="593"/>
        <source>{0} overlaps under {1} m² (slivers) are not listed.</source>
        <translation>{0} chevauchements de moins de {1} m² (artefacts) ne sont pas listés.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="607"/>
        <source>Features {0} and {1} overlap on {2} m².</source>
        <translation>Les entités {0} et {1} se chevauchent sur {2} m².</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="658"/>
        <source>Features {0} merged into feature {1} (identical codes).</source>
        <translation>Entités {0} fusionnées dans l’entité {1} (codes identiques).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="661"/>
        <source>Feature {0}: overlap with feature(s) {1} left to them (the lower fid keeps an overlap).</source>
        <translation>Entité {0} : chevauchement avec l’entité ou les entités {1} laissé à celles-ci (le plus petit fid garde un chevauchement).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="665"/>
        <source>Feature {0}: geometry repaired.</source>
        <translation>Entité {0} : géométrie réparée.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="693"/>
        <source>Feature {0} left out: no geometry.</source>
        <translation>Entité {0} écartée : pas de géométrie.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="696"/>
        <source>Feature {0} left out: a copy of another feature&apos;s geometry.</source>
        <translation>Entité {0} écartée : copie de la géométrie d’une autre entité.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="705"/>
        <source>The corrected copy covers {0} ha (overlaps and duplicates are only removed when the geometry and coverage checks run).</source>
        <translation>La copie corrigée couvre {0} ha (chevauchements et doublons ne sont retirés que si les contrôles de géométrie et de couverture sont lancés).</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="710"/>
        <source>The corrected copy covers {0} ha, the input {1} ha.</source>
        <translation>La copie corrigée couvre {0} ha, l’entrée {1} ha.</translation>
    </message>
    <message>
        <location filename="../engines/validation.py" line="714"/>
        <source>The corrected copy covers the {0} ha of the input, each piece of land once.</source>
        <translation>La copie corrigée couvre les {0} ha de l’entrée, chaque parcelle de terrain une seule fois.</translation>
    </message>
</context>
<context>
    <name>ZanTrajectoryAlgorithm</name>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="56"/>
        <source>ZAN trajectory per territory (ENAF consumption 2021-2031)</source>
        <translation>Trajectoire ZAN par territoire (consommation d’ENAF 2021-2031)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="59"/>
        <source>Land cover layer (multi-date, or the first vintage)</source>
        <translation>Couche d’occupation du sol (multidate, ou premier millésime)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="61"/>
        <source>Second vintage layer</source>
        <translation>Couche du second millésime</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="64"/>
        <source>Zones (e.g. communes)</source>
        <translation>Zones (p. ex. communes)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="66"/>
        <source>Zone field (e.g. INSEE code)</source>
        <translation>Champ de zone (p. ex. code INSEE)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="70"/>
        <source>Reference period: start</source>
        <translation>Période de référence : début</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="72"/>
        <source>Reference period: end (start of the objective decade)</source>
        <translation>Période de référence : fin (début de la décennie d’objectif)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="75"/>
        <source>Reduction of the consumption (%)</source>
        <translation>Réduction de la consommation (%)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="78"/>
        <source>Official consumption of the reference period (table)</source>
        <translation>Consommation officielle de la période de référence (table)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="81"/>
        <source>Zone field of the official table</source>
        <translation>Champ de zone de la table officielle</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="84"/>
        <source>Consumption field of the official table</source>
        <translation>Champ de consommation de la table officielle</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="87"/>
        <source>Unit of the official consumption</source>
        <translation>Unité de la consommation officielle</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="87"/>
        <source>hectares</source>
        <translation>hectares</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="87"/>
        <source>square metres (Cerema files)</source>
        <translation>mètres carrés (fichiers du Cerema)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="90"/>
        <source>ZAN trajectory</source>
        <translation>Trajectoire ZAN</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="92"/>
        <source>HTML files (*.html)</source>
        <translation>Fichiers HTML (*.html)</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="92"/>
        <source>HTML report</source>
        <translation>Rapport HTML</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="103"/>
        <source>{0}: &apos;{1}&apos; is not a year such as 2011.</source>
        <translation>{0} : « {1} » n’est pas une année comme 2011.</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="105"/>
        <source>The reference period must end after it starts ({0}-{1}).</source>
        <translation>La période de référence doit finir après son début ({0}-{1}).</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="119"/>
        <source>{0} must name a field of the official table. Fields: {1}.</source>
        <translation>{0} doit désigner un champ de la table officielle. Champs : {1}.</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="135"/>
        <source>{0} rows of the official table have no zone or no number: ignored.</source>
        <translation>{0} lignes de la table officielle n’ont pas de zone ou pas de nombre : ignorées.</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="137"/>
        <source>Official consumption read for {0} zones.</source>
        <translation>Consommation officielle lue pour {0} zones.</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="146"/>
        <source>OFFICIAL_CONSUMPTION is given without ZONES: the official figures are per zone, so they are not used.</source>
        <translation>OFFICIAL_CONSUMPTION est fourni sans ZONES : les chiffres officiels sont par zone, ils ne sont donc pas utilisés.</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="149"/>
        <source>NAF / non-NAF</source>
        <translation>NAF / non-NAF</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="185"/>
        <source>Territory: reference {0} ha ({1}); allowance {2}-{3}: {4} ha; remaining: {5}.</source>
        <translation>Territoire : référence {0} ha ({1}) ; enveloppe {2}-{3} : {4} ha ; reste : {5}.</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="197"/>
        <source>ZAN trajectory {0}</source>
        <translation>Trajectoire ZAN {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="212"/>
        <source>ZAN trajectory — {0}</source>
        <translation>Trajectoire ZAN — {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="213"/>
        <source>ENAF consumption per period (CoTech 2024 method on OCS2D; [derived] usage rule on OCS GE) against the {0}-{1} allowance: {2} % less than {3}-{4}. OCS Toolbox, ocs:zantrajectory.</source>
        <translation>Consommation d’ENAF par période (méthode du CoTech 2024 sur l’OCS2D ; règle d’usage [dérivée] sur l’OCS GE) face à l’enveloppe {0}-{1} : {2} % de moins qu’en {3}-{4}. OCS Toolbox, ocs:zantrajectory.</translation>
    </message>
    <message>
        <location filename="../algorithms/zantrajectory.py" line="221"/>
        <source>Report written to {0}</source>
        <translation>Rapport écrit dans {0}</translation>
    </message>
</context>
</TS>
