import type { SecureStore } from '../../lib/db/store';
import type { Patient, Resource } from '../../lib/fhir/types';

export interface IncomingReferral {
  referral: Resource;
  patient?: Patient;
  /** the referring site's name (or id) */
  from?: string;
  /** the reason's text or display */
  reason: string;
  priority: string;
  authoredOn?: string;
  /** referral-follow-up display, where the patient is */
  followUp?: string;
}

const FOLLOW_UP = 'https://sante-rurale.ml/fhir/StructureDefinition/referral-follow-up';
const PRIORITY_RANK: Record<string, number> = { stat: 0, asap: 1, urgent: 2, routine: 3 };
const idOf = (ref: unknown, type: string) => {
  const r = (ref as { reference?: string } | undefined)?.reference ?? '';
  return r.startsWith(`${type}/`) ? r.slice(type.length + 1) : undefined;
};
const conceptText = (cc: unknown) => {
  const c = cc as { text?: string; coding?: { code?: string; display?: string }[] } | undefined;
  return c?.text ?? c?.coding?.[0]?.display ?? c?.coding?.[0]?.code ?? '';
};

/**
 * Referrals made to one of the care worker's sites that still stand (status active), most
 * urgent first, then newest: what the server's worklist `ServiceRequest?performer=Organization/<site>`
 * lists, from the records the change feed brought to the device (so it works offline).
 */
export function incomingReferrals(referrals: Resource[], patients: Map<string, Patient>, siteNames: Map<string, string>, mySiteIds: string[]): IncomingReferral[] {
  const mine = new Set(mySiteIds.map((s) => s.toLowerCase()));
  return referrals
    .filter((r) => r.resourceType === 'ServiceRequest' && r.status === 'active')
    .filter((r) => ((r.performer as unknown[] | undefined) ?? []).some((p) => mine.has(idOf(p, 'Organization') ?? '')))
    .map((referral) => {
      const fromId = idOf(referral.requester, 'Organization');
      const followUp = ((referral.extension as { url: string; valueCoding?: { display?: string; code?: string } }[] | undefined) ?? []).find((x) => x.url === FOLLOW_UP)?.valueCoding;
      return {
        referral,
        patient: patients.get(idOf(referral.subject, 'Patient') ?? ''),
        from: fromId ? (siteNames.get(fromId) ?? fromId) : undefined,
        reason: conceptText((referral.reasonCode as unknown[] | undefined)?.[0]),
        priority: String(referral.priority ?? 'routine'),
        authoredOn: referral.authoredOn as string | undefined,
        followUp: followUp?.display ?? followUp?.code,
      };
    })
    .sort((a, b) => (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9) || String(b.authoredOn ?? '').localeCompare(String(a.authoredOn ?? '')));
}

/** The incoming referrals held on the device (only the referred patients are opened). */
export async function listIncomingReferrals(store: SecureStore, mySiteIds: string[]): Promise<IncomingReferral[]> {
  const [referrals, organizations] = await Promise.all([store.listType('ServiceRequest'), store.listType('Organization')]);
  const patientIds = [...new Set(referrals.map((r) => idOf(r.resource.subject, 'Patient')).filter((id): id is string => !!id))];
  const patients = new Map<string, Patient>();
  for (const id of patientIds) {
    const p = await store.get<Patient>('Patient', id);
    if (p) patients.set(id, p.resource);
  }
  return incomingReferrals(
    referrals.map((r) => r.resource),
    patients,
    new Map(organizations.map((o) => [o.resource.id, String(o.resource.name ?? o.resource.id)])),
    mySiteIds,
  );
}
