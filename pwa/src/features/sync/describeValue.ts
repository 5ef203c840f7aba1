/** A FHIR element's value in a few words, for showing two versions side by side. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(describeValue).join(' ; ');
  const o = value as Record<string, unknown>;
  // a primitive with extensions (birthDate and _birthDate)
  if ('extensions' in o && 'value' in o) return describeValue(o.value);
  if (o.family !== undefined || o.given !== undefined) return [o.family, ...((o.given as string[] | undefined) ?? [])].filter(Boolean).join(' ');
  if (typeof o.text === 'string') return o.text;
  if (typeof o.display === 'string') return o.display;
  if (typeof o.reference === 'string') return o.reference;
  if (Array.isArray(o.coding)) return describeValue(o.coding[0]);
  if (o.value !== undefined) return [o.value, o.unit].filter((x) => x !== undefined).map(String).join(' ');
  if (o.city !== undefined || o.district !== undefined) return [o.city, o.district, o.state].filter(Boolean).join(', ');
  if (typeof o.code === 'string') return o.code;
  if (typeof o.start === 'string') return o.start;
  return JSON.stringify(value);
}
