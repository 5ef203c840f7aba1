/**
 * The implementation guide as SUSHI compiled it (ig/ is built before pwa/ in the Maven reactor):
 * its examples, profiles and value sets, read from ig/target/sushi/fsh-generated/resources, and
 * two comparisons of the app's resources with them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PickLists } from '../src/lib/fhir/terminology';
import type { Coding } from '../src/lib/fhir/types';

export const IG_RESOURCES = resolve(__dirname, '../../ig/target/sushi/fsh-generated/resources');

type Json = any;

export function igResource(file: string): Json {
  if (!existsSync(IG_RESOURCES)) {
    throw new Error(`${IG_RESOURCES} is missing: build the IG first (cd .. && mvn -B -q -o -pl ig package -DskipTests)`);
  }
  return JSON.parse(readFileSync(resolve(IG_RESOURCES, `${file}.json`), 'utf8'));
}

/** ValueSet/<id>/$expand as the server answers it, computed from the IG's own compose. */
export function igExpansion(valueSetId: string): Json {
  const vs = igResource(`ValueSet-${valueSetId}`);
  const contains: Coding[] = [];
  for (const inc of vs.compose.include) {
    if (inc.concept) for (const c of inc.concept) contains.push({ system: inc.system, code: c.code, display: c.display });
    else {
      const cs = igResource(`CodeSystem-${inc.system.split('/').pop()}`);
      for (const c of cs.concept) contains.push({ system: cs.url, code: c.code, display: c.display });
    }
  }
  return { resourceType: 'ValueSet', id: vs.id, url: vs.url, status: vs.status, expansion: { timestamp: '2026-12-04T00:00:00Z', total: contains.length, contains } };
}

/** The pick lists as the server's $expand of the IG's value sets gives them. */
export const igPickLists = (): PickLists => ({
  conditions: igExpansion('cscom-conditions').expansion.contains,
  medicines: igExpansion('mali-essential-medicines').expansion.contains,
  referralReasons: igExpansion('referral-reason').expansion.contains,
  procedures: igExpansion('cscom-procedures').expansion.contains,
});

/** Every leaf of a resource as "path" → value, arrays by index: `valueQuantity.code` → "Cel". */
export function leaves(value: Json, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  else out.set(path, value);
  return out;
}

export interface ExampleComparison {
  /** example paths the app does not fill (optional in the profile), with why */
  notProduced?: string[];
  /** paths the app fills and the example does not */
  added?: string[];
  /** paths both have whose values may differ (times, free text formatting) */
  free?: string[];
}

/**
 * Differences between the app's resource and the IG example for the same inputs: every leaf of
 * the example (system, code, unit, category, reference...) must be in the app's resource with
 * the same value, except the paths named; every leaf the app adds must be named.
 */
export function compareWithExample(actual: Json, example: Json, rules: ExampleComparison): string[] {
  const a = leaves(actual);
  const e = leaves(example);
  const problems: string[] = [];
  const notProduced = new Set(['meta.profile[0]', ...(rules.notProduced ?? [])]);
  const free = new Set(rules.free ?? []);
  for (const [path, value] of e) {
    if (notProduced.has(path)) {
      if (a.has(path)) problems.push(`${path}: now produced (${JSON.stringify(a.get(path))}); update the test`);
      continue;
    }
    if (!a.has(path)) problems.push(`${path}: missing (example: ${JSON.stringify(value)})`);
    else if (!free.has(path) && a.get(path) !== value) problems.push(`${path}: ${JSON.stringify(a.get(path))}, example ${JSON.stringify(value)}`);
  }
  const added = new Set(rules.added ?? []);
  for (const path of a.keys()) if (!e.has(path) && !added.has(path)) problems.push(`${path}: not in the example (${JSON.stringify(a.get(path))})`);
  return problems;
}

// ----- the profile's own rules (its differential) -----

const typeOfProfile = new Map<string, string>();
function targetType(profileUrl: string): string {
  if (!typeOfProfile.has(profileUrl)) {
    const id = profileUrl.split('/').pop()!;
    const core = profileUrl.startsWith('http://hl7.org/fhir/StructureDefinition/');
    typeOfProfile.set(profileUrl, core ? id : igResource(`StructureDefinition-${id}`).type);
  }
  return typeOfProfile.get(profileUrl)!;
}

/** The values an element id (`Condition.code.coding:icd10.system`) stands for in a resource. */
function valuesAt(resource: Json, elementId: string, diff: Json[]): unknown[] {
  const segments = elementId.split('.').slice(1);
  let current: { parent: Json; value: Json }[] = [{ parent: undefined, value: resource }];
  let prefix = elementId.split('.')[0];
  for (const seg of segments) {
    const [name, slice] = seg.split(':');
    prefix = `${prefix}.${seg}`;
    const next: { parent: Json; value: Json }[] = [];
    for (const { value } of current) {
      if (!value || typeof value !== 'object') continue;
      let keys: string[];
      if (slice && name.endsWith('[x]')) keys = [slice];
      else if (name.endsWith('[x]')) keys = Object.keys(value).filter((k) => k.startsWith(name.slice(0, -3)) && /^[A-Z]/.test(k.slice(name.length - 3)));
      else keys = [name];
      for (const key of keys) {
        let v = value[key];
        if (name === 'extension' && v === undefined) continue;
        const items = v === undefined ? [] : Array.isArray(v) ? v : [v];
        for (let item of items) {
          if (slice && !name.endsWith('[x]') && !matchesSlice(item, prefix, diff)) continue;
          next.push({ parent: value, value: item });
        }
      }
      // A primitive's extensions: birthDate.extension is _birthDate.extension in JSON.
      if (name !== 'extension' && segments[segments.indexOf(seg) + 1] === 'extension' && typeof value[name] !== 'object') {
        const shadow = value[`_${name}`];
        if (shadow) next.push({ parent: value, value: shadow });
      }
    }
    current = next;
  }
  return current.map((c) => c.value);
}

/** A slice's members: extensions by url, others by the fixed values of the slice's children. */
function matchesSlice(item: Json, sliceId: string, diff: Json[]): boolean {
  const element = diff.find((d) => d.id === sliceId);
  const extensionUrl = element?.type?.[0]?.code === 'Extension' ? element.type[0].profile?.[0] : undefined;
  if (extensionUrl) return item.url === extensionUrl;
  const fixedChildren = diff.filter((d) => d.id.startsWith(`${sliceId}.`) && d.id.split('.').length === sliceId.split('.').length + 1);
  return fixedChildren.every((d) => {
    const fixed = fixedValue(d);
    return fixed === undefined || JSON.stringify(item[d.id.split('.').pop()!]) === JSON.stringify(fixed);
  });
}

const fixedValue = (d: Json) => {
  const key = Object.keys(d).find((k) => k.startsWith('fixed') || k.startsWith('pattern'));
  return key ? d[key] : undefined;
};

/** Object containment for pattern[x] values (a pattern CodeableConcept is met by a superset). */
function contains(actual: Json, pattern: Json): boolean {
  if (Array.isArray(pattern)) return Array.isArray(actual) && pattern.every((p) => actual.some((a) => contains(a, p)));
  if (pattern && typeof pattern === 'object') return !!actual && typeof actual === 'object' && Object.entries(pattern).every(([k, v]) => contains(actual[k], v));
  return actual === pattern;
}

/**
 * The rules of a profile's differential that a resource breaks: required elements (min ≥ 1)
 * missing where their parent is present, fixed and pattern values, reference target types and
 * the range invariants (`value >= a and value <= b`).
 */
export function profileViolations(resource: Json, profileId: string): string[] {
  const sd = igResource(`StructureDefinition-${profileId}`);
  const diff: Json[] = sd.differential.element;
  const problems: string[] = [];
  for (const d of diff) {
    const values = valuesAt(resource, d.id, diff);
    const parentId = d.id.slice(0, d.id.lastIndexOf('.'));
    const parentPresent = !parentId.includes('.') || valuesAt(resource, parentId, diff).length > 0;
    if ((d.min ?? 0) >= 1 && parentPresent && values.length === 0) problems.push(`${d.id}: required, missing`);
    const fixed = fixedValue(d);
    if (fixed !== undefined) for (const v of values) if (!contains(v, fixed)) problems.push(`${d.id}: ${JSON.stringify(v)}, the profile says ${JSON.stringify(fixed)}`);
    for (const t of d.type ?? []) {
      for (const target of t.targetProfile ?? []) {
        const type = targetType(target);
        for (const v of values) if (!String((v as Json)?.reference ?? '').startsWith(`${type}/`)) problems.push(`${d.id}: ${JSON.stringify(v)} is not a reference to a ${type}`);
      }
    }
    for (const c of d.constraint ?? []) {
      const m = /^value >= ([\d.]+) and value <= ([\d.]+)$/.exec(c.expression);
      if (!m) continue;
      for (const v of values) {
        const n = (v as Json)?.value;
        if (!(n >= Number(m[1]) && n <= Number(m[2]))) problems.push(`${d.id}: ${n} outside ${m[1]}–${m[2]} (${c.key})`);
      }
    }
  }
  return problems;
}

/** The range of a profile's invariant on valueQuantity, e.g. srm-body-temperature → [30, 45]. */
export function profileRange(profileId: string): [number, number] {
  const sd = igResource(`StructureDefinition-${profileId}`);
  for (const d of sd.differential.element) {
    for (const c of d.constraint ?? []) {
      const m = /^value >= ([\d.]+) and value <= ([\d.]+)$/.exec(c.expression);
      if (m) return [Number(m[1]), Number(m[2])];
    }
  }
  throw new Error(`no range invariant in ${profileId}`);
}
