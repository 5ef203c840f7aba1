Extension: BirthDateEstimated
Id: birth-date-estimated
Title: "Date de naissance estimée"
Description: """true when the birth date is an estimate (the patient or family gave an age or a
year, not a date). Usually with a year-only `birthDate` (`1985`)."""
* ^context[0].type = #element
* ^context[0].expression = "Patient.birthDate"
* value[x] only boolean
* valueBoolean 1..1

Extension: EncounterNote
Id: encounter-note
Title: "Note de consultation"
Description: """The care worker's free-text notes on a consultation (what she saw, the advice given).
R4's Encounter has no `note` element (Condition, Procedure and ServiceRequest have one), so the note
is carried the same way, as an `Annotation` (the text, and when it was written), by this extension."""
* ^context[0].type = #element
* ^context[0].expression = "Encounter"
* value[x] only Annotation
* valueAnnotation 1..1

Extension: ReferralFollowUp
Id: referral-follow-up
Title: "Suivi de la référence"
Description: "Where the referred patient is (sent, arrived, taken in charge...)."
* ^context[0].type = #element
* ^context[0].expression = "ServiceRequest"
* value[x] only Coding
* valueCoding 1..1
* valueCoding from ReferralStatusVS (required)

Extension: DeviceClockOffset
Id: device-clock-offset
Title: "Décalage d'horloge de l'appareil"
Description: """Written by the server on a sync batch's Provenance: the server's receive time minus
the device's send time (`Bundle.timestamp`), in seconds. Includes the transfer time."""
* ^context[0].type = #element
* ^context[0].expression = "Provenance"
* value[x] only Duration
* valueDuration 1..1
* valueDuration.system 1..1
* valueDuration.system = $UCUM
* valueDuration.code 1..1
* valueDuration.code = #s

Extension: SyncDevice
Id: sync-device
Title: "Appareil de synchronisation"
Description: "On a sync batch (`Bundle.meta`): the id of the device that sent it (docs/SYNC.md)."
* ^context[0].type = #element
* ^context[0].expression = "Bundle.meta"
* value[x] only string
* valueString 1..1

Extension: SyncRecorded
Id: sync-recorded
Title: "Date d'enregistrement sur l'appareil"
Description: "On a sync batch (`Bundle.meta`): when the care was recorded, by the device's clock."
* ^context[0].type = #element
* ^context[0].expression = "Bundle.meta"
* value[x] only dateTime
* valueDateTime 1..1

Extension: SyncScope
Id: sync-scope
Title: "Sites couverts par le flux"
Description: "On each page of the change feed (`Bundle.meta`): one per site the page covers."
* ^context[0].type = #element
* ^context[0].expression = "Bundle.meta"
* value[x] only string
* valueString 1..1

Extension: SyncConflict
Id: sync-conflict
Title: "Conflit de synchronisation"
Description: "On an issue of a 412 answer to a sync batch: which entry conflicts and why."
* ^context[0].type = #element
* ^context[0].expression = "OperationOutcome.issue"
* extension contains
    entry 1..1 and
    resource 1..1 and
    sentVersion 0..1 and
    currentVersion 0..1 and
    currentState 1..1
* extension[entry].value[x] only integer
* extension[resource].value[x] only string
* extension[sentVersion].value[x] only string
* extension[currentVersion].value[x] only string
* extension[currentState].value[x] only string
