// ---------------------------------------------------------------------------------------------
// Sites
// ---------------------------------------------------------------------------------------------

CodeSystem: SiteLabelCS
Id: site
Title: "Sites (étiquette de sécurité)"
Description: """The site a clinical record belongs to, stamped by the server as one `meta.security`
label. Codes are the site codes of the sites catalogue (`CSCOM-KONOBOUGOU`); the complete list is
the catalogue itself, served as Organizations (`Organization?identifier=https://sante-rurale.ml/fhir/sid/site-code|`).
Only the two demonstration sites are listed here."""
* ^status = #active
* ^caseSensitive = true
* ^content = #fragment
* #CSCOM-KONOBOUGOU "CSCOM de Konobougou"
* #CSCOM-DJELI "CSCOM de Djéli"

CodeSystem: SiteLevelCS
Id: site-level
Title: "Niveaux de la pyramide sanitaire"
Description: "Level of a site in the health pyramid of the pilot."
* ^status = #active
* ^caseSensitive = true
* ^content = #complete
* #region "Région" "Région sanitaire (direction régionale de la santé)."
* #district "District sanitaire" "District sanitaire (centre de santé de référence)."
* #cscom "Centre de santé communautaire (CSCOM)" "Centre de santé communautaire, premier échelon."

ValueSet: SiteLevelVS
Id: site-level
Title: "Niveaux de site"
Description: "Every level of the health pyramid."
* ^status = #active
* include codes from system SiteLevelCS

// ---------------------------------------------------------------------------------------------
// Consultation types (curative or preventive: the RMA counts curative consultations)
// ---------------------------------------------------------------------------------------------

CodeSystem: ConsultationTypeCS
Id: consultation-type
Title: "Types de consultation"
Description: """Whether a consultation is curative (a complaint or an illness: the curative consultations
of the monthly activity report, RMA) or preventive (antenatal or postnatal care, vaccination, growth
monitoring, family planning)."""
* ^status = #active
* ^caseSensitive = true
* ^content = #complete
* #curative "Consultation curative" "A visit for a complaint or an illness."
* #preventive "Consultation préventive" "Antenatal or postnatal care, vaccination, growth monitoring, family planning."

ValueSet: ConsultationTypeVS
Id: consultation-type
Title: "Types de consultation"
Description: "Curative or preventive."
* ^status = #active
* include codes from system ConsultationTypeCS

// ---------------------------------------------------------------------------------------------
// Diagnoses: ICD-10 subset with French displays
// ---------------------------------------------------------------------------------------------

ValueSet: CscomConditionsVS
Id: cscom-conditions
Title: "Diagnostics courants en CSCOM (CIM-10)"
Description: """The diagnoses care workers pick from, as ICD-10 (CIM-10) codes with French displays.
Bound extensibly: a médecin may record any other ICD-10 code."""
* ^status = #active
* ^language = #fr
* $ICD10#B54 "Paludisme simple, non confirmé (sans précision)"
* $ICD10#B50.9 "Paludisme à Plasmodium falciparum confirmé (TDR/goutte épaisse), sans complication"
* $ICD10#B50.8 "Paludisme grave à Plasmodium falciparum"
* $ICD10#B50.0 "Paludisme à Plasmodium falciparum avec complications cérébrales"
* $ICD10#A09 "Diarrhée et gastro-entérite d'origine présumée infectieuse"
* $ICD10#A06.0 "Dysenterie amibienne aiguë"
* $ICD10#J06.9 "Infection respiratoire aiguë des voies supérieures, sans précision"
* $ICD10#J18.9 "Pneumonie, sans précision"
* $ICD10#J45.9 "Asthme, sans précision"
* $ICD10#E43 "Malnutrition aiguë sévère"
* $ICD10#E44.0 "Malnutrition aiguë modérée"
* $ICD10#E46 "Malnutrition, sans précision"
* $ICD10#I10 "Hypertension artérielle essentielle"
* $ICD10#E11.9 "Diabète de type 2, sans complication"
* $ICD10#D64.9 "Anémie, sans précision"
* $ICD10#A01.0 "Fièvre typhoïde"
* $ICD10#B82.9 "Parasitose intestinale, sans précision"
* $ICD10#H10.9 "Conjonctivite, sans précision"
* $ICD10#L08.9 "Infection localisée de la peau, sans précision"
* $ICD10#N39.0 "Infection urinaire, siège non précisé"
* $ICD10#O99.0 "Anémie compliquant la grossesse"
* $ICD10#R50.9 "Fièvre, sans précision"

// ---------------------------------------------------------------------------------------------
// Essential medicines
// ---------------------------------------------------------------------------------------------

CodeSystem: MaliEssentialMedicinesCS
Id: mali-essential-medicines
Title: "Médicaments essentiels (CSCOM)"
Description: """Primary-care subset of Mali's national list of essential medicines (Liste nationale
des médicaments essentiels, Direction de la Pharmacie et du Médicament, Ministère de la Santé),
whose names, forms and strengths follow the WHO Model List of Essential Medicines. Codes are ours
(`MEG-…`); names are international non-proprietary names in French with form and strength. The
subset was compiled without access to the latest edition of the national list: it must be
checked against it before production."""
* ^status = #active
* ^caseSensitive = true
* ^content = #complete
* ^language = #fr
* #MEG-AL-20-120 "Artéméther + luméfantrine 20 mg/120 mg, comprimé"
* #MEG-ASU-60 "Artésunate 60 mg, poudre pour injection"
* #MEG-SP-500-25 "Sulfadoxine + pyriméthamine 500 mg/25 mg, comprimé"
* #MEG-AMX-250-D "Amoxicilline 250 mg, comprimé dispersible"
* #MEG-AMX-500 "Amoxicilline 500 mg, gélule"
* #MEG-CTX-480 "Cotrimoxazole (sulfaméthoxazole + triméthoprime) 400 mg/80 mg, comprimé"
* #MEG-MTZ-250 "Métronidazole 250 mg, comprimé"
* #MEG-CRO-1G "Ceftriaxone 1 g, poudre pour injection"
* #MEG-PCM-500 "Paracétamol 500 mg, comprimé"
* #MEG-PCM-SIR "Paracétamol 120 mg/5 ml, sirop"
* #MEG-IBU-400 "Ibuprofène 400 mg, comprimé"
* #MEG-SRO "Sels de réhydratation orale (osmolarité réduite), sachet pour 1 litre"
* #MEG-ZN-20 "Zinc (sulfate) 20 mg, comprimé dispersible"
* #MEG-FEF "Fer (sulfate ferreux) 60 mg + acide folique 0,4 mg, comprimé"
* #MEG-ALB-400 "Albendazole 400 mg, comprimé"
* #MEG-VITA-200 "Vitamine A (rétinol) 200 000 UI, capsule"
* #MEG-HCT-25 "Hydrochlorothiazide 25 mg, comprimé"
* #MEG-AML-5 "Amlodipine 5 mg, comprimé"
* #MEG-MET-500 "Metformine 500 mg, comprimé"
* #MEG-SAL-100 "Salbutamol 100 microgrammes/dose, aérosol doseur"
* #MEG-ATPE "Aliment thérapeutique prêt à l'emploi (ATPE), sachet de 92 g"

ValueSet: MaliEssentialMedicinesVS
Id: mali-essential-medicines
Title: "Médicaments prescriptibles en CSCOM"
Description: "Every medicine of the essential-medicines code system."
* ^status = #active
* include codes from system MaliEssentialMedicinesCS

// ---------------------------------------------------------------------------------------------
// Procedures
// ---------------------------------------------------------------------------------------------

CodeSystem: CscomProceduresCS
Id: cscom-procedures
Title: "Actes courants en CSCOM"
Description: "Procedures performed in a CSCOM, as recorded by care workers."
* ^status = #active
* ^caseSensitive = true
* ^content = #complete
* ^language = #fr
* #tdr-palu "Test de diagnostic rapide du paludisme"
* #pansement "Pansement"
* #suture "Suture de plaie"
* #injection "Injection"
* #perfusion "Pose de perfusion"
* #vaccination "Vaccination"
* #accouchement "Accouchement assisté"
* #cpn "Consultation prénatale"
* #incision-drainage "Incision et drainage d'abcès"

ValueSet: CscomProceduresVS
Id: cscom-procedures
Title: "Actes courants en CSCOM"
Description: "Every procedure of the CSCOM procedures code system (bound extensibly)."
* ^status = #active
* include codes from system CscomProceduresCS

// ---------------------------------------------------------------------------------------------
// Referrals
// ---------------------------------------------------------------------------------------------

CodeSystem: ReferralReasonCS
Id: referral-reason
Title: "Motifs de référence"
Description: "Why a CSCOM refers a patient to another site."
* ^status = #active
* ^caseSensitive = true
* ^content = #complete
* ^language = #fr
* #signes-danger "Signes de danger (enfant de moins de 5 ans)"
* #paludisme-grave "Paludisme grave"
* #mas-complications "Malnutrition aiguë sévère avec complications"
* #urgence-obstetricale "Urgence obstétricale"
* #detresse-respiratoire "Détresse respiratoire"
* #deshydratation-severe "Déshydratation sévère"
* #traumatisme "Traumatisme grave"
* #avis-specialise "Avis ou examen spécialisé"
* #echec-traitement "Échec du traitement"

ValueSet: ReferralReasonVS
Id: referral-reason
Title: "Motifs de référence"
Description: "Every referral reason (bound extensibly: free text is allowed)."
* ^status = #active
* include codes from system ReferralReasonCS

CodeSystem: ReferralStatusCS
Id: referral-status
Title: "Suivi de la référence"
Description: """Where a referred patient is, as the two sites follow it (the referral's FHIR
`status` says only whether the request stands)."""
* ^status = #active
* ^caseSensitive = true
* ^content = #complete
* ^language = #fr
* #envoyee "Référence envoyée"
* #arrivee "Patient arrivé au site de destination"
* #pris-en-charge "Patient pris en charge"
* #contre-reference "Contre-référence renvoyée au site d'origine"
* #non-arrive "Patient non arrivé"

ValueSet: ReferralStatusVS
Id: referral-status
Title: "Suivi de la référence"
Description: "Every referral follow-up status."
* ^status = #active
* include codes from system ReferralStatusCS

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

ValueSet: DocumentContentTypesVS
Id: document-content-types
Title: "Types de fichiers acceptés"
Description: "Photos and PDF documents attached to a patient's record."
* ^status = #active
* urn:ietf:bcp:13#image/jpeg "Photo JPEG"
* urn:ietf:bcp:13#image/png "Image PNG"
* urn:ietf:bcp:13#application/pdf "Document PDF"
