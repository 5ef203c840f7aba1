// ---------------------------------------------------------------------------------------------
// Patient, Encounter
// ---------------------------------------------------------------------------------------------

Profile: SrmPatient
Parent: Patient
Id: srm-patient
Title: "Patient (Santé Rurale Mali)"
Description: """A patient registered by a CSCOM. Family name, given name, gender and birth date are
required; the birth date may be a year (`1985`), flagged estimated. Village, district and region
go in the address; the phone number in telecom; the phone app's local number as an identifier."""
* identifier MS
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier contains local 0..1 MS
* identifier[local] ^short = "Numéro local attribué par l'application du CSCOM"
* identifier[local].system 1..1
* identifier[local].system = $LocalPatientId (exactly)
* identifier[local].value 1..1
* name 1..* MS
* name.family 1..1 MS
* name.given 1..* MS
* gender 1..1 MS
* birthDate 1..1 MS
* birthDate ^short = "Date de naissance, ou année seule (1985) si elle est estimée"
* birthDate.extension contains BirthDateEstimated named estimated 0..1 MS
* telecom MS
* telecom.system 1..1
* telecom.value 1..1
* address MS
* address.city MS
* address.city ^short = "Village ou quartier"
* address.district MS
* address.district ^short = "District sanitaire"
* address.state MS
* address.state ^short = "Région"
* managingOrganization MS
* managingOrganization only Reference(SrmOrganization)

Profile: SrmEncounter
Parent: Encounter
Id: srm-encounter
Title: "Consultation (Santé Rurale Mali)"
Description: """A consultation. The patient (`subject`), the site (`serviceProvider`, the site's
Organization), the start (`period.start`) and whether it is curative or preventive (`type`, one
code of `consultation-type`: the monthly report counts curative ones) are required; the reason is
text or a code; the care worker's free-text notes in the `encounter-note` extension."""
* extension contains EncounterNote named note 0..* MS
* type 1..1 MS
* type from ConsultationTypeVS (required)
* type ^short = "Consultation curative ou préventive"
* subject 1..1 MS
* subject only Reference(SrmPatient)
* serviceProvider 1..1 MS
* serviceProvider only Reference(SrmOrganization)
* period 1..1 MS
* period.start 1..1 MS
* reasonCode MS
* participant MS

// ---------------------------------------------------------------------------------------------
// Observations
// ---------------------------------------------------------------------------------------------

Profile: SrmObservation
Parent: Observation
Id: srm-observation
Title: "Observation (Santé Rurale Mali)"
Description: """Any observation about a patient that is not one of the vital signs below (those
have their own profiles): the patient, the code and the time are required."""
* subject 1..1 MS
* subject only Reference(SrmPatient)
* encounter MS
* encounter only Reference(SrmEncounter)
* effective[x] 1..1 MS

Profile: SrmBodyTemperature
Parent: http://hl7.org/fhir/StructureDefinition/bodytemp
Id: srm-body-temperature
Title: "Température (Santé Rurale Mali)"
Description: "Body temperature (LOINC 8310-5) in degrees Celsius (`Cel`), between 30 and 45."
* subject only Reference(SrmPatient)
* encounter MS
* encounter only Reference(SrmEncounter)
* valueQuantity.code = #Cel
* valueQuantity obeys srm-temp-range

Profile: SrmHeartRate
Parent: http://hl7.org/fhir/StructureDefinition/heartrate
Id: srm-heart-rate
Title: "Fréquence cardiaque (Santé Rurale Mali)"
Description: "Heart rate (LOINC 8867-4) in beats per minute (`/min`), between 20 and 250."
* subject only Reference(SrmPatient)
* encounter MS
* encounter only Reference(SrmEncounter)
* valueQuantity obeys srm-hr-range

Profile: SrmBodyWeight
Parent: http://hl7.org/fhir/StructureDefinition/bodyweight
Id: srm-body-weight
Title: "Poids (Santé Rurale Mali)"
Description: "Body weight (LOINC 29463-7) in kilograms (`kg`), between 0.3 and 250."
* subject only Reference(SrmPatient)
* encounter MS
* encounter only Reference(SrmEncounter)
* valueQuantity.code = #kg
* valueQuantity obeys srm-weight-range

Profile: SrmBodyHeight
Parent: http://hl7.org/fhir/StructureDefinition/bodyheight
Id: srm-body-height
Title: "Taille (Santé Rurale Mali)"
Description: "Body height or length (LOINC 8302-2) in centimetres (`cm`), between 20 and 250."
* subject only Reference(SrmPatient)
* encounter MS
* encounter only Reference(SrmEncounter)
* valueQuantity.code = #cm
* valueQuantity obeys srm-height-range

Profile: SrmMuac
Parent: http://hl7.org/fhir/StructureDefinition/vitalsigns
Id: srm-muac
Title: "Périmètre brachial (Santé Rurale Mali)"
Description: """Mid-upper arm circumference (MUAC, LOINC 56072-2) in centimetres (`cm`), between 5
and 50: the malnutrition screening measure (under 11.5 cm in a child of 6–59 months is severe)."""
* code = $LNC#56072-2
* subject only Reference(SrmPatient)
* encounter MS
* encounter only Reference(SrmEncounter)
* value[x] only Quantity
* valueQuantity 1..1 MS
* valueQuantity.value 1..1 MS
* valueQuantity.unit 1..1 MS
* valueQuantity.system 1..1 MS
* valueQuantity.system = $UCUM
* valueQuantity.code 1..1 MS
* valueQuantity.code = #cm
* valueQuantity obeys srm-muac-range

Profile: SrmBloodPressure
Parent: http://hl7.org/fhir/StructureDefinition/bp
Id: srm-blood-pressure
Title: "Tension artérielle (Santé Rurale Mali)"
Description: """Blood pressure panel (LOINC 85354-9) with systolic (8480-6, 50–300 mmHg) and
diastolic (8462-4, 20–200 mmHg) components in `mm[Hg]`."""
* subject only Reference(SrmPatient)
* encounter MS
* encounter only Reference(SrmEncounter)
* component[SystolicBP].valueQuantity obeys srm-systolic-range
* component[DiastolicBP].valueQuantity obeys srm-diastolic-range

// ---------------------------------------------------------------------------------------------
// Condition, MedicationRequest, Procedure, referral
// ---------------------------------------------------------------------------------------------

Profile: SrmCondition
Parent: Condition
Id: srm-condition
Title: "Diagnostic (Santé Rurale Mali)"
Description: """A diagnosis made during a consultation: patient and encounter required; the code
carries an ICD-10 (CIM-10) coding, usually one of the common CSCOM diagnoses (extensible
binding: any ICD-10 code is accepted)."""
* subject 1..1 MS
* subject only Reference(SrmPatient)
* encounter 1..1 MS
* encounter only Reference(SrmEncounter)
* code 1..1 MS
* code from CscomConditionsVS (extensible)
* code.coding 1..* MS
* code.coding ^slicing.discriminator.type = #value
* code.coding ^slicing.discriminator.path = "system"
* code.coding ^slicing.rules = #open
* code.coding contains icd10 1..* MS
* code.coding[icd10].system 1..1
* code.coding[icd10].system = $ICD10 (exactly)
* code.coding[icd10].code 1..1

Profile: SrmMedicationRequest
Parent: MedicationRequest
Id: srm-medication-request
Title: "Prescription (Santé Rurale Mali)"
Description: """A prescription: a medicine of the essential-medicines list, the dosage in words
(`dosageInstruction.text`) and the treatment duration in days."""
* medication[x] only CodeableConcept
* medicationCodeableConcept 1..1 MS
* medicationCodeableConcept from MaliEssentialMedicinesVS (required)
* subject 1..1 MS
* subject only Reference(SrmPatient)
* encounter 1..1 MS
* encounter only Reference(SrmEncounter)
* authoredOn MS
* dosageInstruction 1..* MS
* dosageInstruction.text 1..1 MS
* dosageInstruction.timing 1..1 MS
* dosageInstruction.timing.repeat 1..1 MS
* dosageInstruction.timing.repeat.bounds[x] only Duration
* dosageInstruction.timing.repeat.boundsDuration 1..1 MS
* dosageInstruction.timing.repeat.boundsDuration ^short = "Durée du traitement, en jours"
* dosageInstruction.timing.repeat.boundsDuration.value 1..1
* dosageInstruction.timing.repeat.boundsDuration.system 1..1
* dosageInstruction.timing.repeat.boundsDuration.system = $UCUM
* dosageInstruction.timing.repeat.boundsDuration.code 1..1
* dosageInstruction.timing.repeat.boundsDuration.code = #d

Profile: SrmProcedure
Parent: Procedure
Id: srm-procedure
Title: "Acte (Santé Rurale Mali)"
Description: "A procedure done during a consultation: patient, encounter, what (code or text) and when."
* subject 1..1 MS
* subject only Reference(SrmPatient)
* encounter 1..1 MS
* encounter only Reference(SrmEncounter)
* code 1..1 MS
* code from CscomProceduresVS (extensible)
* performed[x] 1..1 MS

Profile: SrmReferral
Parent: ServiceRequest
Id: srm-referral
Title: "Référence (Santé Rurale Mali)"
Description: """A referral to another site: the destination site's Organization (`performer`) and
the reason are required; `status` says whether it stands (active, completed, revoked), the
follow-up extension where the patient is; `occurrence` is the expected arrival."""
* extension contains ReferralFollowUp named followUp 0..1 MS
* status MS
* intent MS
* subject 1..1 MS
* subject only Reference(SrmPatient)
* encounter MS
* encounter only Reference(SrmEncounter)
* performer 1..* MS
* performer only Reference(SrmOrganization)
* performer ^short = "Site de destination"
* reasonCode 1..* MS
* reasonCode from ReferralReasonVS (extensible)
* occurrence[x] MS
* occurrence[x] ^short = "Arrivée prévue"

// ---------------------------------------------------------------------------------------------
// Sites
// ---------------------------------------------------------------------------------------------

Profile: SrmOrganization
Parent: Organization
Id: srm-organization
Title: "Site (Organization)"
Description: """A site of the health pyramid (region, district sanitaire, CSCOM) as an
Organization: its site code is required, its DHIS2 org-unit id when it has one; the level in
`type`; the hierarchy through `partOf`."""
* identifier 1..* MS
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier contains siteCode 1..1 MS and dhis2 0..1 MS
* identifier[siteCode].system 1..1
* identifier[siteCode].system = $SiteCode (exactly)
* identifier[siteCode].value 1..1
* identifier[dhis2].system 1..1
* identifier[dhis2].system = $Dhis2OrgUnit (exactly)
* identifier[dhis2].value 1..1
* identifier[dhis2] ^short = "Identifiant de l'unité d'organisation DHIS2"
* name 1..1 MS
* type 1..* MS
* type from SiteLevelVS (required)
* partOf MS
* partOf only Reference(SrmOrganization)

Profile: SrmLocation
Parent: Location
Id: srm-location
Title: "Site (Location)"
Description: """The place of a site: site code and DHIS2 org-unit id as for its Organization,
coordinates (`position`), the Organization that runs it, the hierarchy through `partOf`."""
* identifier 1..* MS
* identifier ^slicing.discriminator.type = #value
* identifier ^slicing.discriminator.path = "system"
* identifier ^slicing.rules = #open
* identifier contains siteCode 1..1 MS and dhis2 0..1 MS
* identifier[siteCode].system 1..1
* identifier[siteCode].system = $SiteCode (exactly)
* identifier[siteCode].value 1..1
* identifier[dhis2].system 1..1
* identifier[dhis2].system = $Dhis2OrgUnit (exactly)
* identifier[dhis2].value 1..1
* name 1..1 MS
* type MS
* type from SiteLevelVS (required)
* position 1..1 MS
* managingOrganization 1..1 MS
* managingOrganization only Reference(SrmOrganization)
* partOf MS
* partOf only Reference(SrmLocation)

// ---------------------------------------------------------------------------------------------
// Documents, Provenance
// ---------------------------------------------------------------------------------------------

Profile: SrmDocumentReference
Parent: DocumentReference
Id: srm-document-reference
Title: "Document (Santé Rurale Mali)"
Description: """A photo or PDF in a patient's record: the patient, the file's type (JPEG, PNG or
PDF) and its content (`url`, e.g. a Binary, or inline `data`) are required."""
* subject 1..1 MS
* subject only Reference(SrmPatient)
* date MS
* type MS
* description MS
* context.encounter MS
* context.encounter only Reference(SrmEncounter)
* content 1..* MS
* content.attachment obeys srm-doc-content
* content.attachment.contentType 1..1 MS
* content.attachment.contentType from DocumentContentTypesVS (required)
* content.attachment.url MS
* content.attachment.data MS
* content.attachment.title MS

Profile: SrmSyncProvenance
Parent: Provenance
Id: srm-sync-provenance
Title: "Provenance d'un lot de synchronisation"
Description: """Written by the server (never by a client) for each accepted sync batch, one per site
the batch wrote to: the versions written (`target`), when the device says the care was recorded
(`occurredDateTime`), the server's receive time (`recorded`), the user (author) and the device
(assembler) by identifier, the batch's idempotency key (entity, source) and the device clock
offset."""
* extension contains DeviceClockOffset named clockOffset 1..1 MS
* target 1..* MS
* occurred[x] only dateTime
* occurredDateTime 1..1 MS
* agent 2..* MS
* agent ^slicing.discriminator.type = #pattern
* agent ^slicing.discriminator.path = "type"
* agent ^slicing.rules = #open
* agent contains author 1..1 MS and assembler 1..1 MS
* agent[author].type 1..1
* agent[author].type = $ProvAgentType#author
* agent[author].who.identifier 1..1 MS
* agent[author].who.identifier.system 1..1
* agent[author].who.identifier.system = $KeycloakUser (exactly)
* agent[author].who.identifier.value 1..1
* agent[assembler].type 1..1
* agent[assembler].type = $ProvAgentType#assembler
* agent[assembler].who.identifier 1..1 MS
* agent[assembler].who.identifier.system 1..1
* agent[assembler].who.identifier.system = $Device (exactly)
* agent[assembler].who.identifier.value 1..1
* entity 1..* MS
* entity.role = #source
* entity.what.identifier 1..1 MS
* entity.what.identifier.system 1..1
* entity.what.identifier.system = $SyncBatch (exactly)
