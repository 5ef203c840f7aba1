import { describe, expect, it } from 'vitest';
import { consultationFormSchema, consultationResources } from '../src/lib/fhir/consultation';
import type { PickLists } from '../src/lib/fhir/terminology';
import { codingsOfExpansion, loadPickLists, offlineReadiness, PICK_LIST_VALUE_SETS, refreshPickLists } from '../src/lib/reference/referenceData';
import { AuthRequiredError } from '../src/lib/sync/push';
import { freshStore } from './helpers';
import { igExpansion, igPickLists, igResource, profileViolations } from './ig';

/** A stand-in server answering `ValueSet/<id>/$expand` from the IG (or as `answer` says). */
function server(answer: (id: string) => Response | undefined = () => undefined) {
  const calls: { url: string; auth: string | null }[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), auth: new Headers(init?.headers).get('Authorization') });
    const id = /\/ValueSet\/([^/]+)\/\$expand$/.exec(String(url))?.[1];
    if (!id) throw new Error(`unexpected ${url}`);
    return answer(id) ?? Response.json(igExpansion(id));
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}
const deps = (store: Awaited<ReturnType<typeof freshStore>>, fetch: typeof globalThis.fetch) => ({ store, fetch, fhirBase: '/fhir', accessToken: async () => 'tok' });

describe('reference data: the IG value sets from the server', () => {
  it('the value sets fetched are the ones the profiles bind', () => {
    const bindings = new Map(
      ['srm-condition', 'srm-medication-request', 'srm-referral', 'srm-procedure'].flatMap((p) =>
        igResource(`StructureDefinition-${p}`).differential.element.filter((e: any) => e.binding).map((e: any) => [e.id, e.binding.valueSet]),
      ),
    );
    const url = (id: string) => `https://sante-rurale.ml/fhir/ValueSet/${id}`;
    expect(bindings.get('Condition.code')).toBe(url(PICK_LIST_VALUE_SETS.conditions));
    expect(bindings.get('MedicationRequest.medication[x]')).toBe(url(PICK_LIST_VALUE_SETS.medicines));
    expect(bindings.get('ServiceRequest.reasonCode')).toBe(url(PICK_LIST_VALUE_SETS.referralReasons));
    expect(bindings.get('Procedure.code')).toBe(url(PICK_LIST_VALUE_SETS.procedures));
  });

  it('fetches each $expand with the token, keeps it sealed, and the forms get the IG codings', async () => {
    const store = await freshStore();
    const s = server();
    const result = await refreshPickLists(deps(store, s.fetch));
    expect(result).toEqual({ refreshed: ['conditions', 'medicines', 'referralReasons', 'procedures'], failed: [] });
    expect(s.calls.map((c) => c.url)).toEqual(Object.values(PICK_LIST_VALUE_SETS).map((id) => `/fhir/ValueSet/${id}/$expand`));
    expect(s.calls.every((c) => c.auth === 'Bearer tok')).toBe(true);
    expect(await loadPickLists(store)).toEqual(igPickLists());
    expect((await loadPickLists(store)).medicines[0]).toEqual({
      system: 'https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines',
      code: 'MEG-AL-20-120',
      display: 'Artéméther + luméfantrine 20 mg/120 mg, comprimé',
    });
  });

  it('a bad answer keeps the copy held; a 401 stops the refresh', async () => {
    const store = await freshStore();
    await refreshPickLists(deps(store, server().fetch));
    const broken = server((id) => {
      if (id === 'cscom-conditions') return Response.json({ resourceType: 'OperationOutcome', issue: [] });
      if (id === 'cscom-procedures') return new Response('', { status: 503 });
      if (id === 'referral-reason') return Response.json({ resourceType: 'ValueSet', expansion: { contains: [{ code: 'no-system' }] } });
      return undefined;
    });
    const result = await refreshPickLists(deps(store, broken.fetch));
    expect(result.refreshed).toEqual(['medicines']);
    expect(result.failed.map((f) => f.list)).toEqual(['conditions', 'referralReasons', 'procedures']);
    expect(await loadPickLists(store)).toEqual(igPickLists());
    const expired = server(() => new Response('', { status: 401 }));
    await expect(refreshPickLists(deps(store, expired.fetch))).rejects.toBeInstanceOf(AuthRequiredError);
  });

  it('reads nested, abstract and inactive entries of an expansion as the server may give them', () => {
    const codings = codingsOfExpansion({
      resourceType: 'ValueSet',
      expansion: {
        total: 3,
        contains: [
          { system: 's', code: 'group', abstract: true, contains: [{ system: 's', code: 'a', display: 'A' }] },
          { system: 's', code: 'old', inactive: true },
          { system: 's', code: 'b' },
        ],
      },
    });
    expect(codings).toEqual([{ system: 's', code: 'a', display: 'A' }, { system: 's', code: 'b' }]);
    expect(() => codingsOfExpansion({ resourceType: 'ValueSet', expansion: { contains: [] } })).toThrow();
  });

  it('says what is missing to work offline, then "ready" once lists and sites are held', async () => {
    const store = await freshStore();
    expect(await offlineReadiness(store)).toEqual({ ready: false, missing: ['conditions', 'medicines', 'referralReasons', 'procedures', 'sites'] });
    await refreshPickLists(deps(store, server().fetch));
    expect(await offlineReadiness(store)).toEqual({ ready: false, missing: ['sites'] });
    await store.putRecords([{ resource: igResource('Organization-cscom-konobougou'), version: '1', local: false }]);
    expect(await offlineReadiness(store)).toEqual({ ready: true, missing: [] });
  });

  it('with no list on the device a consultation still saves, and a referral gives its reason as text', () => {
    const empty: PickLists = { conditions: [], medicines: [], referralReasons: [], procedures: [] };
    const schema = consultationFormSchema(empty);
    expect(schema.safeParse({ reason: 'Toux', diagnoses: [{ code: 'J06.9' }], prescriptions: [] }).success).toBe(false);
    const noReason = schema.safeParse({ reason: 'Toux', diagnoses: [], prescriptions: [], referral: { destination: 'cscom-djeli', urgency: 'urgent' } });
    expect(noReason.error?.issues.map((i) => `${i.path.join('.')}:${i.message}`)).toEqual(['referral.detail:form.required']);
    const form = schema.parse({ reason: 'Toux', temperature: 38, diagnoses: [], prescriptions: [], referral: { destination: 'cscom-djeli', detail: 'Détresse respiratoire', urgency: 'urgent' } });
    let n = 0;
    const rs = consultationResources(form, { patientId: 'p', siteOrganizationId: 'cscom-konobougou', recordedAt: '2026-12-04T10:00:00Z', newId: () => `id${n++}`, lists: empty });
    const referral = rs.find((r) => r.resourceType === 'ServiceRequest')!;
    expect(referral.reasonCode).toEqual([{ text: 'Détresse respiratoire' }]);
    expect(profileViolations(referral, 'srm-referral')).toEqual([]);
    expect(profileViolations(rs[0], 'srm-encounter')).toEqual([]);
  });
});
