<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
<context>
    <name>ApplyStyleAlgorithm</name>
    <message>
        <location filename="../algorithms/applystyle.py" line="33"/>
        <source>Apply an official style</source>
        <translation>Appliquer un style officiel</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="40"/>
        <source>Layer to style</source>
        <translation>Couche à styliser</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="42"/>
        <source>Field holding the codes</source>
        <translation>Champ contenant les codes</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="44"/>
        <source>Auto-detect from the field name</source>
        <translation>Détection automatique d’après le nom du champ</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="44"/>
        <source>Template</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="47"/>
        <source>QGIS style files (*.qml)</source>
        <translation>Fichiers de style QGIS (*.qml)</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="47"/>
        <source>Style file (QML)</source>
        <translation>Fichier de style (QML)</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="50"/>
        <source>Styled layer</source>
        <translation>Couche stylisée</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="55"/>
        <source>Invalid or missing input layer.</source>
        <translation>Couche d’entrée invalide ou absente.</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="58"/>
        <source>Field {0} not found in {1}. Fields found: {2}.</source>
        <translation>Champ {0} introuvable dans {1}. Champs présents : {2}.</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="67"/>
        <source>Cannot tell which template fits field {0}; choose one in TEMPLATE.</source>
        <translation>Impossible de déterminer le modèle adapté au champ {0} ; choisissez-en un dans TEMPLATE.</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="69"/>
        <source>Template detected: {0}</source>
        <translation>Modèle détecté : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="78"/>
        <source>Could not write {0}: {1}</source>
        <translation>Impossible d’écrire {0} : {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="84"/>
        <source>Could not store the style in {0}: {1}</source>
        <translation>Impossible d’enregistrer le style dans {0} : {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/applystyle.py" line="90"/>
        <source>Style stored as the default style of {0}</source>
        <translation>Style enregistré comme style par défaut de {0}</translation>
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
        <source>Urban climate</source>
        <translation>Climat urbain</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="38"/>
        <source>Styles</source>
        <translation>Styles</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="95"/>
        <source>Invalid or missing input layer ({0}).</source>
        <translation>Couche d’entrée invalide ou absente ({0}).</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="97"/>
        <source>{0} must be a polygon layer; &apos;{1}&apos; holds another geometry type.</source>
        <translation>{0} doit être une couche de polygones ; « {1} » contient un autre type de géométrie.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="116"/>
        <source>Auto-detect</source>
        <translation>Détection automatique</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="116"/>
        <source>OCS2D Hauts-de-France 2021</source>
        <translation>OCS2D Hauts-de-France 2021</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="117"/>
        <source>OCS GE (IGN)</source>
        <translation>OCS GE (IGN)</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="117"/>
        <source>OCS2D Nord-Pas-de-Calais 2005/2015 (legacy codes)</source>
        <translation>OCS2D Nord-Pas-de-Calais 2005/2015 (anciens codes)</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="129"/>
        <source>VINTAGES: &apos;{0}&apos; is not a year. Give years such as 2015,2021.</source>
        <translation>VINTAGES : « {0} » n’est pas une année. Indiquez des années, p. ex. 2015,2021.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="134"/>
        <source>CS_FIELD and US_FIELD must both name fields of the layer. Missing: {0}. Fields found: {1}.</source>
        <translation>CS_FIELD et US_FIELD doivent désigner tous deux des champs de la couche. Manquant(s) : {0}. Champs présents : {1}.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="149"/>
        <source>No couverture/usage fields found in &apos;{0}&apos;. Looked for csYY/usYY (OCS2D), cs3_YYYY/us3_YYYY, CODE_CS/CODE_US, code_cs/code_us or couverture/usage (OCS GE), CS_YYYY/US_YYYY or cs_avant/cs_apres (IGN change products). Fields found: {1}. Use CS_FIELD and US_FIELD to name them.</source>
        <translation>Aucun champ de couverture/usage trouvé dans « {0} ». Champs recherchés : csYY/usYY (OCS2D), cs3_YYYY/us3_YYYY, CODE_CS/CODE_US, code_cs/code_us ou couverture/usage (OCS GE), CS_YYYY/US_YYYY ou cs_avant/cs_apres (produits de différence de l’IGN). Champs présents : {1}. Désignez-les avec CS_FIELD et US_FIELD.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="160"/>
        <source>The layer holds one vintage (fields {0}/{1}); VINTAGES names {2}.</source>
        <translation>La couche ne contient qu’un millésime (champs {0}/{1}) ; VINTAGES en demande plusieurs : {2}.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="169"/>
        <source>Field {0} holds several years ({1}): give the one to use in VINTAGES, or split the layer by millésime.</source>
        <translation>Le champ {0} contient plusieurs années ({1}) : indiquez celle à utiliser dans VINTAGES, ou découpez la couche par millésime.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="169"/>
        <source>none</source>
        <translation>aucune</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="173"/>
        <source>Cannot tell the vintage of &apos;{0}&apos;: no MILLESIME field. Give the year in VINTAGES.</source>
        <translation>Impossible de déterminer le millésime de « {0} » : pas de champ MILLESIME. Indiquez l’année dans VINTAGES.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="181"/>
        <source>Vintage(s) {0} not found in &apos;{1}&apos;. Vintages detected: {2}.</source>
        <translation>Millésime(s) {0} absent(s) de « {1} ». Millésimes détectés : {2}.</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="185"/>
        <source>Vintages: {0}</source>
        <translation>Millésimes : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="210"/>
        <source>Nomenclature detected: {0}</source>
        <translation>Nomenclature détectée : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/base.py" line="263"/>
        <source>Values: {0}</source>
        <translation>Valeurs : {0}</translation>
    </message>
</context>
<context>
    <name>OcsStyling</name>
    <message>
        <location filename="../algorithms/styling.py" line="42"/>
        <source>Unknown or unclassified</source>
        <translation>Inconnu ou non classé</translation>
    </message>
    <message>
        <location filename="../algorithms/styling.py" line="83"/>
        <source>Could not store the style in {0}: {1}</source>
        <translation>Impossible d’enregistrer le style dans {0} : {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/styling.py" line="84"/>
        <source>Style on {0} stored as the default style of {1}</source>
        <translation>Style sur {0} enregistré comme style par défaut de {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/styling.py" line="90"/>
        <source>Style on {0} written to {1}</source>
        <translation>Style sur {0} écrit dans {1}</translation>
    </message>
</context>
<context>
    <name>ReclassifyAlgorithm</name>
    <message>
        <location filename="../algorithms/reclassify.py" line="60"/>
        <source>Reclassify land cover / land use</source>
        <translation>Reclassifier la couverture et l’usage du sol</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="63"/>
        <source>Level 1 (couverture and usage)</source>
        <translation>Niveau 1 (couverture et usage)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="63"/>
        <source>Level 2 (couverture and usage)</source>
        <translation>Niveau 2 (couverture et usage)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="64"/>
        <source>4 postes</source>
        <translation>4 postes</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="64"/>
        <source>Level 3 (couverture and usage)</source>
        <translation>Niveau 3 (couverture et usage)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="64"/>
        <source>OCS GE equivalent</source>
        <translation>Équivalent OCS GE</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="65"/>
        <source>21 postes</source>
        <translation>21 postes</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="65"/>
        <source>ENAF (and NAF / non-NAF)</source>
        <translation>ENAF (et NAF / non NAF)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="66"/>
        <source>Artificialisation (decree 2023-1096, matrix step)</source>
        <translation>Artificialisation (décret 2023-1096, étape matricielle)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="66"/>
        <source>Imperméabilisation</source>
        <translation>Imperméabilisation</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="67"/>
        <source>Custom table</source>
        <translation>Table personnalisée</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="70"/>
        <source>Land cover layer (OCS2D or OCS GE)</source>
        <translation>Couche d’occupation du sol (OCS2D ou OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="72"/>
        <source>Nomenclature</source>
        <translation>Nomenclature</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="74"/>
        <source>Vintages (e.g. 2015,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2015,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="77"/>
        <source>Couverture field (override, one vintage)</source>
        <translation>Champ de couverture (forçage, un seul millésime)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="80"/>
        <source>Usage field (override, one vintage)</source>
        <translation>Champ d’usage (forçage, un seul millésime)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="83"/>
        <source>Targets (empty = 4 postes, 21 postes, ENAF for OCS2D; OCS GE equivalent, artificialisation, imperméabilisation for OCS GE)</source>
        <translation>Cibles (vide = 4 postes, 21 postes, ENAF pour l’OCS2D ; équivalent OCS GE, artificialisation, imperméabilisation pour l’OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="87"/>
        <source>Custom table (source code → class code, label, colour)</source>
        <translation>Table personnalisée (code source → code de classe, libellé, couleur)</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="90"/>
        <source>Reclassified</source>
        <translation>Couche reclassée</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="103"/>
        <source>CUSTOM_TABLE must have 4 columns (source, code, label, colour); got {0} values.</source>
        <translation>CUSTOM_TABLE doit avoir 4 colonnes (source, code, label, colour) ; {0} valeurs reçues.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="111"/>
        <source>The input layer &apos;{0}&apos; is empty.</source>
        <translation>La couche d’entrée « {0} » est vide.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="121"/>
        <source>4 postes, 21 postes and ENAF are defined by the Hauts-de-France methods on OCS2D codes only; this layer is OCS GE. Choose other targets, or force the nomenclature if the layer is OCS2D.</source>
        <translation>Les 4 postes, 21 postes et l’ENAF sont définis par les méthodes des Hauts-de-France sur les seuls codes OCS2D ; cette couche est en OCS GE. Choisissez d’autres cibles, ou imposez la nomenclature si la couche est en OCS2D.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="125"/>
        <source>The custom target needs a CUSTOM_TABLE.</source>
        <translation>La cible « table personnalisée » demande une CUSTOM_TABLE.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="129"/>
        <source>CUSTOM_TABLE: {0}</source>
        <translation>CUSTOM_TABLE : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="130"/>
        <source>Targets: {0}</source>
        <translation>Cibles : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="212"/>
        <source>Could not write to the output: {0}</source>
        <translation>Impossible d’écrire dans la sortie : {0}</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="258"/>
        <source>Writing {0} with GDAL…</source>
        <translation>Écriture de {0} avec GDAL…</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="277"/>
        <source>{0} features read but {1} written.</source>
        <translation>{0} entités lues mais {1} écrites.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="280"/>
        <source>Area not conserved: {0:.4f} ha in, {1:.4f} ha out.</source>
        <translation>Surface non conservée : {0:.4f} ha en entrée, {1:.4f} ha en sortie.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="282"/>
        <source>{0} features read and written, {1:.4f} ha in and out (geometries copied unchanged).</source>
        <translation>{0} entités lues et écrites, {1:.4f} ha en entrée comme en sortie (géométries recopiées telles quelles).</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="296"/>
        <source>Field {0} already exists in the input: its values are replaced.</source>
        <translation>Le champ {0} existe déjà en entrée : ses valeurs sont remplacées.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="321"/>
        <source>{0} feature-vintages have an unknown couverture code; their targets are NULL.</source>
        <translation>{0} entités-millésimes ont un code de couverture inconnu ; leurs cibles valent NULL.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="323"/>
        <source>{0} feature-vintages have an unknown usage code; targets that need it are NULL.</source>
        <translation>{0} entités-millésimes ont un code d’usage inconnu ; les cibles qui en dépendent valent NULL.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="325"/>
        <source>{0} feature-vintages have a NULL couverture or usage code; their targets are NULL.</source>
        <translation>{0} entités-millésimes ont un code de couverture ou d’usage NULL ; leurs cibles valent NULL.</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="327"/>
        <source>{0} feature-vintages are left unclassified by the published method for their pair (NULL).</source>
        <translation>{0} entités-millésimes ne sont pas classées par la méthode publiée pour leur couple (NULL).</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="341"/>
        <source>Spatial rules: reading the codes…</source>
        <translation>Règles spatiales : lecture des codes…</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="391"/>
        <source>Spatial rules: reading the geometries…</source>
        <translation>Règles spatiales : lecture des géométries…</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="421"/>
        <source>{0}: {1} of {2} US7.0.0 polygons lie within 20 m of espaces urbanisés; {3} of {4} agricultural structures lie within 50 m of the enveloppe urbaine ({5} parts near them).</source>
        <translation>{0} : {1} polygones US7.0.0 sur {2} sont à moins de 20 m des espaces urbanisés ; {3} structures agricoles sur {4} sont à moins de 50 m de l’enveloppe urbaine ({5} parties proches d’elles).</translation>
    </message>
    <message>
        <location filename="../algorithms/reclassify.py" line="430"/>
        <source>{0} invalid geometries were repaired for the spatial rules.</source>
        <translation>{0} géométries invalides ont été réparées pour les règles spatiales.</translation>
    </message>
</context>
<context>
    <name>UrbanEnvelopeAlgorithm</name>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="39"/>
        <source>Urban envelope (enveloppe urbaine)</source>
        <translation>Enveloppe urbaine</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="42"/>
        <source>Land cover layer (OCS2D or OCS GE)</source>
        <translation>Couche d’occupation du sol (OCS2D ou OCS GE)</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="44"/>
        <source>Vintages (e.g. 2015,2021; empty = every vintage detected)</source>
        <translation>Millésimes (p. ex. 2015,2021 ; vide = tous les millésimes détectés)</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="46"/>
        <source>Buffer distance (m)</source>
        <translation>Distance de tampon (m)</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="48"/>
        <source>Minimum area of a part (ha)</source>
        <translation>Surface minimale d’une partie (ha)</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="51"/>
        <source>Urban envelope</source>
        <translation>Enveloppe urbaine</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="57"/>
        <source>The input layer &apos;{0}&apos; is empty.</source>
        <translation>La couche d’entrée « {0} » est vide.</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="111"/>
        <source>{0} feature-vintages have unknown or NULL codes and were not considered for the envelope.</source>
        <translation>{0} entités-millésimes ont des codes inconnus ou NULL et n’ont pas été prises en compte pour l’enveloppe.</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="114"/>
        <source>{0} invalid geometries were repaired before the union.</source>
        <translation>{0} géométries invalides ont été réparées avant l’union.</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="129"/>
        <source>Union failed for vintage {0}: {1}</source>
        <translation>Échec de l’union pour le millésime {0} : {1}</translation>
    </message>
    <message>
        <location filename="../algorithms/urbanenvelope.py" line="143"/>
        <source>{0}: {1} parts, {2:.2f} ha</source>
        <translation>{0} : {1} parties, {2:.2f} ha</translation>
    </message>
</context>
</TS>
