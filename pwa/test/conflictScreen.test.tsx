import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictCard } from '../src/features/sync/ConflictScreen';
import { initI18n } from '../src/i18n';
import { diffFields, type ConflictView } from '../src/lib/sync/conflicts';
import type { Resource } from '../src/lib/fhir/types';

const mine: Resource = { resourceType: 'Patient', id: 'p', name: [{ family: 'Traoré', given: ['Aminata', 'Nana'] }], gender: 'female' };
const theirs: Resource = { resourceType: 'Patient', id: 'p', meta: { versionId: '2' }, name: [{ family: 'Traoré', given: ['Aminata'] }], gender: 'female', telecom: [{ system: 'phone', value: '+22376123456' }] };
const view: ConflictView = {
  conflict: { resource: 'Patient/p', sentVersion: '1', currentVersion: '2', currentState: 'changed' },
  mine,
  server: { ref: 'Patient/p', resource: theirs, version: '2' },
  diffs: diffFields(mine, theirs),
};

const render = (kind?: 'mine' | 'theirs' | 'merge') => renderToStaticMarkup(createElement(ConflictCard, { view, kind, onKind: () => undefined, choices: {}, onChoice: () => undefined }));

describe('conflict screen', () => {
  beforeAll(() => initI18n());

  it('shows both versions of each differing field, in French', () => {
    const html = render();
    expect(html).toContain('Modifié ailleurs : le serveur a la version 2.');
    expect(html).toContain('Nom et prénoms');
    expect(html).toContain('Traoré Aminata Nana');
    expect(html).toContain('+22376123456');
    for (const label of ['Garder ma version', 'Prendre celle du serveur', 'Fusionner champ par champ']) expect(html).toContain(label);
  });

  it('merging offers a choice per field; every input has its visible label', () => {
    const html = render('merge');
    expect(html).toContain('Ma version : Traoré Aminata Nana');
    expect(html).toContain('Serveur : Traoré Aminata');
    const inputs = [...html.matchAll(/<input[^>]*id="([^"]+)"/g)].map((m) => m[1]);
    expect(inputs).toHaveLength(3 + 2 * view.diffs.length);
    for (const id of inputs) expect(html).toContain(`for="${id}"`);
  });
});
