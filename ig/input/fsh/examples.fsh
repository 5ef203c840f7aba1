// Examples. The tests play every one of them against the running server (see ig/README.md), so
// their ids are UUIDs or the sites' real ids, and their references point at each other. The
// DHIS2 org-unit id of the site examples is illustrative (the catalogue has none yet).

Instance: cscom-konobougou
InstanceOf: SrmOrganization
Title: "CSCOM de Konobougou (site)"
Usage: #example
* identifier[siteCode].system = $SiteCode
* identifier[siteCode].value = "CSCOM-KONOBOUGOU"
* active = true
* name = "CSCOM de Konobougou"
* type = SiteLevelCS#cscom "Centre de santé communautaire (CSCOM)"
* identifier[dhis2].system = $Dhis2OrgUnit
* identifier[dhis2].value = "Zx8GfdQ3kPa"
* partOf = Reference(Organization/ml-seg-baroueli)

Instance: cscom-konobougou-location
InstanceOf: SrmLocation
Title: "CSCOM de Konobougou (lieu)"
Usage: #example
* id = "cscom-konobougou"
* identifier[siteCode].system = $SiteCode
* identifier[siteCode].value = "CSCOM-KONOBOUGOU"
* identifier[dhis2].system = $Dhis2OrgUnit
* identifier[dhis2].value = "Zx8GfdQ3kPa"
* status = #active
* name = "CSCOM de Konobougou"
* type = SiteLevelCS#cscom "Centre de santé communautaire (CSCOM)"
* position.latitude = 12.9269
* position.longitude = -6.7439
* managingOrganization = Reference(Organization/cscom-konobougou)
* partOf = Reference(Location/ml-seg-baroueli)

Instance: aminata-traore
InstanceOf: SrmPatient
Title: "Patiente, année de naissance estimée"
Usage: #example
* id = "6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
* identifier[local].system = $LocalPatientId
* identifier[local].value = "KNB-2026-00042"
* name.family = "Traoré"
* name.given = "Aminata"
* gender = #female
* birthDate = "1985"
* birthDate.extension[estimated].valueBoolean = true
* telecom.system = #phone
* telecom.value = "+223 76 12 34 56"
* address.city = "Konobougou"
* address.district = "Barouéli"
* address.state = "Ségou"
* address.country = "ML"
* managingOrganization = Reference(Organization/cscom-konobougou)

Instance: consultation-aminata
InstanceOf: SrmEncounter
Title: "Consultation pour fièvre"
Usage: #example
* id = "c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f"
* status = #finished
* class = $ActCode#AMB
* type = ConsultationTypeCS#curative "Consultation curative"
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* serviceProvider = Reference(Organization/cscom-konobougou)
* period.start = "2026-11-24T08:30:00Z"
* period.end = "2026-11-24T08:50:00Z"
* reasonCode.text = "Fièvre depuis trois jours"
* extension[note].valueAnnotation.text = "TDR positif. Conseils : dormir sous moustiquaire imprégnée, revenir si la fièvre dure après le traitement."
* extension[note].valueAnnotation.time = "2026-11-24T08:50:00Z"

Instance: temperature-aminata
InstanceOf: SrmBodyTemperature
Title: "Température 38,9 °C"
Usage: #example
* id = "0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a51"
* status = #final
* category[VSCat] = $ObsCat#vital-signs
* code = $LNC#8310-5
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* effectiveDateTime = "2026-11-24T08:35:00Z"
* valueQuantity = 38.9 'Cel' "°C"

Instance: heart-rate-aminata
InstanceOf: SrmHeartRate
Title: "Pouls 96/min"
Usage: #example
* id = "0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a52"
* status = #final
* category[VSCat] = $ObsCat#vital-signs
* code = $LNC#8867-4
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* effectiveDateTime = "2026-11-24T08:35:00Z"
* valueQuantity = 96 '/min' "/min"

Instance: weight-aminata
InstanceOf: SrmBodyWeight
Title: "Poids 58 kg"
Usage: #example
* id = "0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a53"
* status = #final
* category[VSCat] = $ObsCat#vital-signs
* code = $LNC#29463-7
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* effectiveDateTime = "2026-11-24T08:36:00Z"
* valueQuantity = 58 'kg' "kg"

Instance: height-aminata
InstanceOf: SrmBodyHeight
Title: "Taille 162 cm"
Usage: #example
* id = "0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a54"
* status = #final
* category[VSCat] = $ObsCat#vital-signs
* code = $LNC#8302-2
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* effectiveDateTime = "2026-11-24T08:36:00Z"
* valueQuantity = 162 'cm' "cm"

Instance: muac-aminata
InstanceOf: SrmMuac
Title: "Périmètre brachial 24,5 cm"
Usage: #example
* id = "0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a55"
* status = #final
* category[VSCat] = $ObsCat#vital-signs
* code = $LNC#56072-2
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* effectiveDateTime = "2026-11-24T08:37:00Z"
* valueQuantity = 24.5 'cm' "cm"

Instance: blood-pressure-aminata
InstanceOf: SrmBloodPressure
Title: "Tension 128/82 mmHg"
Usage: #example
* id = "0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a56"
* status = #final
* category[VSCat] = $ObsCat#vital-signs
* code = $LNC#85354-9
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* effectiveDateTime = "2026-11-24T08:38:00Z"
* component[SystolicBP].code = $LNC#8480-6
* component[SystolicBP].valueQuantity = 128 'mm[Hg]' "mmHg"
* component[DiastolicBP].code = $LNC#8462-4
* component[DiastolicBP].valueQuantity = 82 'mm[Hg]' "mmHg"

Instance: malaria-aminata
InstanceOf: SrmCondition
Title: "Paludisme confirmé par TDR"
Usage: #example
* id = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c41"
* clinicalStatus = http://terminology.hl7.org/CodeSystem/condition-clinical#active
* verificationStatus = http://terminology.hl7.org/CodeSystem/condition-ver-status#confirmed
* code = $ICD10#B50.9 "Paludisme à Plasmodium falciparum confirmé (TDR/goutte épaisse), sans complication"
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* recordedDate = "2026-11-24T08:45:00Z"

Instance: act-aminata
InstanceOf: SrmMedicationRequest
Title: "Artéméther-luméfantrine pendant 3 jours"
Usage: #example
* id = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c42"
* status = #active
* intent = #order
* medicationCodeableConcept = MaliEssentialMedicinesCS#MEG-AL-20-120 "Artéméther + luméfantrine 20 mg/120 mg, comprimé"
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* authoredOn = "2026-11-24T08:47:00Z"
* dosageInstruction.text = "4 comprimés matin et soir pendant 3 jours, au cours du repas"
* dosageInstruction.timing.repeat.boundsDuration = 3 'd' "jours"

Instance: rdt-aminata
InstanceOf: SrmProcedure
Title: "TDR du paludisme"
Usage: #example
* id = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c43"
* status = #completed
* code = CscomProceduresCS#tdr-palu "Test de diagnostic rapide du paludisme"
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* performedDateTime = "2026-11-24T08:40:00Z"

Instance: referral-aminata
InstanceOf: SrmReferral
Title: "Référence vers le CSCOM de Djéli"
Usage: #example
* id = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c44"
* extension[followUp].valueCoding = ReferralStatusCS#envoyee "Référence envoyée"
* status = #active
* intent = #order
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* performer = Reference(Organization/cscom-djeli)
* reasonCode = ReferralReasonCS#avis-specialise "Avis ou examen spécialisé"
* reasonCode.text = "Échographie obstétricale"
* occurrenceDateTime = "2026-11-26"
* authoredOn = "2026-11-24T08:49:00Z"

Instance: photo-aminata
InstanceOf: SrmDocumentReference
Title: "Photo d'un carnet de santé"
Usage: #example
* id = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c45"
* status = #current
* subject = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f)
* date = "2026-11-24T08:42:00Z"
* description = "Carnet de santé, page des vaccinations"
* context.encounter = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f)
* content.attachment.contentType = #image/jpeg
* content.attachment.url = "Binary/5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c46"
* content.attachment.title = "carnet.jpg"

Instance: sync-provenance-example
InstanceOf: SrmSyncProvenance
Title: "Provenance d'un lot de synchronisation"
Usage: #example
* id = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c47"
* extension[clockOffset].valueDuration = 4.217 's' "s"
* target[0] = Reference(Patient/6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f/_history/1)
* target[1] = Reference(Encounter/c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f/_history/1)
* occurredDateTime = "2026-11-24T08:40:00Z"
* recorded = "2026-11-24T09:15:04.217Z"
* agent[author].type = $ProvAgentType#author "Author"
* agent[author].who.identifier.system = $KeycloakUser
* agent[author].who.identifier.value = "3f1c9a4e-8b2d-4e6f-9a0b-1c2d3e4f5a6b"
* agent[author].who.display = "soignant.konobougou"
* agent[assembler].type = $ProvAgentType#assembler "Assembler"
* agent[assembler].who.identifier.system = $Device
* agent[assembler].who.identifier.value = "tablette-konobougou-03"
* agent[assembler].who.display = "device tablette-konobougou-03"
* entity.role = #source
* entity.what.identifier.system = $SyncBatch
* entity.what.identifier.value = "9b1e4c1a-5f2d-4c7e-9a41-0d2f6c3b7e10"
