// The compatibility check: what in a chart's new values schema would refuse or change values that its
// last released version took (a key removed, a type narrowed, an enum value dropped, a key newly
// required, a limit tightened, a rule added), and whether the version was bumped enough for it.
import { JsonSchema } from './values/model';

export interface Break {
  /** Values path, dotted (`gatewayCollector.replicas`; `*` for a map entry, `[]` for a list item). */
  path: string;
  what: string;
}

type S = JsonSchema & {
  type?: string | string[];
  properties?: Record<string, S>;
  patternProperties?: Record<string, S>;
  additionalProperties?: boolean | S;
  items?: S;
  required?: string[];
  enum?: unknown[];
  anyOf?: S[];
  allOf?: S[];
};

const types = (s: S) => (s.type === undefined ? [] : ([] as string[]).concat(s.type));
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const TIGHTER: [string, (a: number, b: number) => boolean][] = [
  ['minimum', (a, b) => b > a],
  ['maximum', (a, b) => b < a],
  ['minLength', (a, b) => b > a],
  ['maxLength', (a, b) => b < a],
  ['minItems', (a, b) => b > a],
];

/** Changes from `before` to `after` that can make a values file valid for `before` invalid, or mean something else. */
export function schemaBreaks(before: S, after: S, path = ''): Break[] {
  if (after === undefined || (after as unknown) === false) return [{ path, what: 'removed' }];
  if (before === undefined || typeof before !== 'object' || typeof after !== 'object') return [];
  const out: Break[] = [];
  const lost = types(before).filter((t) => types(after).length && !types(after).includes(t) && !(t === 'integer' && types(after).includes('number')));
  if (lost.length) out.push({ path, what: `type narrowed: ${types(before).join('|')} → ${types(after).join('|')}` });
  if (before.enum && after.enum) {
    const dropped = before.enum.filter((v) => !after.enum!.includes(v));
    if (dropped.length) out.push({ path, what: `enum value(s) removed: ${dropped.map((v) => JSON.stringify(v)).join(', ')}` });
  } else if (!before.enum && after.enum) out.push({ path, what: `now limited to ${after.enum.map((v) => JSON.stringify(v)).join(', ')}` });
  for (const [key, tighter] of TIGHTER) {
    const [a, b] = [before[key] as number | undefined, after[key] as number | undefined];
    if (b !== undefined && (a === undefined || tighter(a, b))) out.push({ path, what: `${key} tightened: ${a ?? 'none'} → ${b}` });
  }
  if (after.pattern !== undefined && after.pattern !== before.pattern)
    out.push({ path, what: `pattern changed: ${before.pattern ?? 'none'} → ${after.pattern}` });
  // A key required now but with a default is always there (values.yaml holds it): only null breaks it, as it should.
  const newlyRequired = (after.required ?? []).filter((k) => !(before.required ?? []).includes(k) && after.properties?.[k]?.default === undefined);
  for (const k of newlyRequired) out.push({ path: join(path, k), what: 'newly required' });
  if (before.additionalProperties !== false && after.additionalProperties === false && !before.properties && !before.patternProperties)
    out.push({ path, what: 'no longer takes keys of its own choosing' });
  for (const [k, sub] of Object.entries(before.properties ?? {})) {
    if ((sub as unknown) === false) continue; // a key it refused: taking it now breaks nothing
    const next = after.properties?.[k] ?? (typeof after.additionalProperties === 'object' ? after.additionalProperties : undefined);
    if (next === undefined && after.additionalProperties !== true && !after.patternProperties) out.push({ path: join(path, k), what: 'removed' });
    else if (next !== undefined) out.push(...schemaBreaks(sub, next, join(path, k)));
  }
  for (const [p, sub] of Object.entries(before.patternProperties ?? {})) {
    const next = after.patternProperties?.[p];
    if (next) out.push(...schemaBreaks(sub, next, join(path, '*')));
    else if (after.patternProperties)
      out.push({ path: join(path, '*'), what: `key pattern changed: ${p} → ${Object.keys(after.patternProperties).join(', ')}` });
  }
  if (typeof before.additionalProperties === 'object' && typeof after.additionalProperties === 'object')
    out.push(...schemaBreaks(before.additionalProperties, after.additionalProperties, join(path, '*')));
  if (before.items && after.items) out.push(...schemaBreaks(before.items, after.items, `${path}[]`));
  if (before.anyOf && after.anyOf && before.anyOf.length === after.anyOf.length)
    before.anyOf.forEach((b, i) => out.push(...schemaBreaks(b, after.anyOf![i], path)));
  const rules = new Set((before.allOf ?? []).map((r) => JSON.stringify(r)));
  for (const r of after.allOf ?? []) if (!rules.has(JSON.stringify(r))) out.push({ path, what: `new rule: ${JSON.stringify(r)}` });
  return out;
}

/** `major.minor.patch` → numbers. */
const parse = (v: string) => v.split('.').map((n) => Number(n));

/**
 * Whether a change that breaks existing values is allowed from `released` to `next`: a new major
 * version, or before 1.0 a new minor one.
 */
export function breakingAllowed(released: string, next: string): boolean {
  const [a, b] = [parse(released), parse(next)];
  if (b[0] !== a[0]) return b[0] > a[0];
  return a[0] === 0 && b[1] > a[1];
}

export interface CompatibilityReport {
  chart: string;
  released: string;
  next: string;
  breaks: Break[];
  ok: boolean;
}

export function compatibility(chart: string, released: string, next: string, breaks: Break[]): CompatibilityReport {
  return { chart, released, next, breaks, ok: breaks.length === 0 || breakingAllowed(released, next) };
}

export function formatReport(r: CompatibilityReport): string {
  const head = `${r.chart} ${r.released} → ${r.next}: ${r.breaks.length} breaking change(s)`;
  const verdict =
    r.breaks.length === 0
      ? 'compatible'
      : r.ok
        ? 'allowed by the version bump'
        : `NOT allowed: ${r.next} must be a new ${parse(r.released)[0] === 0 ? 'minor' : 'major'} version`;
  return [`${head}, ${verdict}`, ...r.breaks.map((b) => `  ${b.path || '(root)'}: ${b.what}`)].join('\n');
}
