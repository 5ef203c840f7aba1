import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import fr from '../src/i18n/fr.json';

const SRC = resolve(__dirname, '../src');
const FEATURES = join(SRC, 'features');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
const featureOf = (path: string) => {
  const rel = relative(FEATURES, path);
  return rel.startsWith('..') ? undefined : rel.split(sep)[0];
};

describe('architecture', () => {
  it('features never import each other (the app composes them)', () => {
    const offences: string[] = [];
    for (const file of files(FEATURES)) {
      for (const spec of importsOf(file).filter((s) => s.startsWith('.'))) {
        const target = featureOf(resolve(dirname(file), spec));
        if (target && target !== featureOf(file)) offences.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('the core (lib, shared) imports no feature', () => {
    const offences = ['lib', 'shared'].flatMap((d) =>
      files(join(SRC, d)).flatMap((file) => importsOf(file).filter((s) => featureOf(resolve(dirname(file), s))).map((s) => `${relative(SRC, file)} imports ${s}`)),
    );
    expect(offences).toEqual([]);
  });

  it('every message key used in the code has its French text', () => {
    const flat = new Set<string>();
    const walk = (o: Record<string, unknown>, prefix: string) => {
      for (const [k, v] of Object.entries(o)) typeof v === 'string' ? flat.add(`${prefix}${k}`) : walk(v as Record<string, unknown>, `${prefix}${k}.`);
    };
    walk(fr, '');
    const namespaces = Object.keys(fr).join('|');
    const used = new Set<string>();
    for (const file of files(SRC)) {
      for (const m of readFileSync(file, 'utf8').matchAll(new RegExp(`['"\`]((?:${namespaces})\\.[a-zA-Z]+)['"\`]`, 'g'))) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((k) => !flat.has(k) && !flat.has(`${k}_one`));
    expect(missing).toEqual([]);
  });
});
