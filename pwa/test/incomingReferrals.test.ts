import { describe, expect, it } from 'vitest';
import { incomingReferrals, listIncomingReferrals } from '../src/features/referrals/incomingReferrals';
import type { Patient, Resource } from '../src/lib/fhir/types';
import { freshStore } from './helpers';
import { igResource } from './ig';

/** The IG's example referral: Aminata, from Konobougou (here its requester) to Djéli. */
const example = (): Resource => ({ ...igResource('ServiceRequest-5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c44'), requester: { reference: 'Organization/cscom-konobougou' } });
const aminata = (): Patient => igResource('Patient-6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f');
const sites = new Map([['cscom-konobougou', 'CSCOM de Konobougou']]);

describe('incoming referrals (the worklist ServiceRequest?performer=<my site>, offline)', () => {
  it('lists active referrals to my sites, most urgent first, with patient, origin, reason and follow-up', () => {
    const routine = example();
    const urgent = { ...example(), id: 'u', priority: 'urgent', authoredOn: '2026-11-20T10:00:00Z' };
    const done = { ...example(), id: 'd', status: 'completed' };
    const elsewhere = { ...example(), id: 'e', performer: [{ reference: 'Organization/cscom-konobougou' }] };
    const patients = new Map([[aminata().id, aminata()]]);
    const list = incomingReferrals([routine, urgent, done, elsewhere], patients, sites, ['CSCOM-DJELI']);
    expect(list.map((r) => r.referral.id)).toEqual(['u', routine.id]);
    expect(list[1]).toMatchObject({ from: 'CSCOM de Konobougou', reason: 'Échographie obstétricale', priority: 'routine', followUp: 'Référence envoyée' });
    expect(list[1].patient?.name?.[0].family).toBe('Traoré');
    expect(incomingReferrals([routine], patients, sites, ['CSCOM-KONOBOUGOU'])).toEqual([]);
  });

  it('reads them from the device store, opening only the referred patients', async () => {
    const store = await freshStore();
    await store.putRecords([
      { resource: example(), version: '1', local: false },
      { resource: aminata(), version: '1', local: false },
      { resource: igResource('Organization-cscom-konobougou'), version: '1', local: false },
    ]);
    const list = await listIncomingReferrals(store, ['CSCOM-DJELI']);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ from: 'CSCOM de Konobougou', patient: { id: aminata().id } });
  });
});
