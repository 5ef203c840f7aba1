/** The few FHIR R4 shapes the app writes and reads (plain JSON, no library). */

export interface Reference {
  reference: string;
  display?: string;
}
export interface Coding {
  system: string;
  code: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  extension?: Extension[];
}
export interface Extension {
  url: string;
  valueString?: string;
  valueDateTime?: string;
  valueInteger?: number;
  valueBoolean?: boolean;
  valueCoding?: Coding;
  valueAnnotation?: { text: string; time?: string };
  extension?: Extension[];
}

export interface Resource {
  resourceType: string;
  id: string;
  meta?: Meta;
  [element: string]: unknown;
}

export interface Patient extends Resource {
  resourceType: 'Patient';
  name?: { family?: string; given?: string[]; text?: string }[];
  gender?: 'male' | 'female' | 'other' | 'unknown';
  birthDate?: string;
  /** the birthDate's own extensions (birth-date-estimated) */
  _birthDate?: { extension?: Extension[] };
  telecom?: { system: string; value: string; use?: string }[];
  address?: { city?: string; district?: string; state?: string; country?: string; text?: string }[];
  managingOrganization?: Reference;
  extension?: Extension[];
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  request?: { method: string; url: string; ifMatch?: string };
  response?: { status: string; location?: string; etag?: string };
}

export interface Bundle {
  resourceType: 'Bundle';
  type: string;
  identifier?: { system: string; value: string };
  timestamp?: string;
  meta?: Meta;
  link?: { relation: string; url: string }[];
  entry?: BundleEntry[];
}

export const ref = (type: string, id: string): Reference => ({ reference: `${type}/${id}` });

/** "Patient/123" of a resource. */
export const refOf = (r: Resource): string => `${r.resourceType}/${r.id}`;

/** The patient a clinical resource is about ("subject" or "patient"), or the patient itself. */
export function patientIdOf(resource: Resource): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  for (const element of ['subject', 'patient']) {
    const r = resource[element] as Reference | undefined;
    if (r?.reference?.startsWith('Patient/')) return r.reference.slice('Patient/'.length);
  }
  return undefined;
}
