// The values fuzzer of test/fuzz.test.ts: a seeded PRNG, Helm's merge of a values file over the
// chart's defaults, the chart's values schema looked up by path, and the mutators. Nothing here runs
// Helm or the collector; the test does.

type Obj = Record<string, any>;
export type Path = (string | number)[];
export const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// PRNG: mulberry32, seeded per case so that one case can be replayed on its own (FUZZ_CASE).

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)], chance: (p) => next() < p };
}

/** The seed of case `i` of a run seeded with `seed`. */
export const caseSeed = (seed: number, i: number) => (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(i + 1, 0x85ebca6b)) >>> 0;

// ---------------------------------------------------------------------------------------------
// Paths and Helm's merge.

export function fmtPath(p: Path): string {
  return p
    .map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][\w-]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`))
    .join('')
    .replace(/^\./, '');
}

export function getAt(v: unknown, p: Path): unknown {
  let cur: any = v;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Helm's coalescing of user values over the defaults: maps merge, anything else replaces, `null` deletes. */
export function coalesce(defaults: unknown, over: unknown): unknown {
  if (!isMap(defaults) || !isMap(over)) return structuredClone(over);
  const out: Obj = structuredClone(defaults);
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? coalesce(out[k], v) : structuredClone(v);
  }
  return out;
}

/** Every node of a tree (maps, lists and leaves), depth first, with its path; the root excluded. */
export function allPaths(v: unknown, p: Path = []): { path: Path; value: unknown }[] {
  const out: { path: Path; value: unknown }[] = [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push({ path: [...p, i], value: x }, ...allPaths(x, [...p, i])));
  else if (isMap(v)) for (const [k, x] of Object.entries(v)) out.push({ path: [...p, k], value: x }, ...allPaths(x, [...p, k]));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The chart's values schema, looked up by path (no $ref in our schemas; anyOf/oneOf/allOf and
// if/then/else branches are all candidates).

function branches(s: unknown): Obj[] {
  if (!isMap(s)) return [];
  const out = [s];
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(s[k])) for (const b of s[k]) out.push(...branches(b));
  for (const k of ['then', 'else']) if (s[k]) out.push(...branches(s[k]));
  return out;
}

function childSchemas(s: Obj, key: string | number): Obj[] {
  const out: Obj[] = [];
  for (const b of branches(s)) {
    if (typeof key === 'number') {
      if (isMap(b.items)) out.push(b.items);
      continue;
    }
    if (b.properties && key in b.properties) {
      if (isMap(b.properties[key])) out.push(b.properties[key]);
      continue;
    }
    let matched = false;
    for (const [re, ps] of Object.entries<any>(b.patternProperties ?? {}))
      if (new RegExp(re).test(key) && isMap(ps)) {
        out.push(ps);
        matched = true;
      }
    if (!matched && isMap(b.additionalProperties)) out.push(b.additionalProperties);
  }
  return out;
}

export function schemasAt(root: Obj, p: Path): Obj[] {
  let cur = [root];
  for (const k of p) cur = cur.flatMap((s) => childSchemas(s, k));
  return cur.flatMap(branches);
}

/** What the schema says about a path: enum values, declared property names, numeric bounds, whether its keys are names. */
export function schemaInfo(root: Obj, p: Path) {
  const ss = schemasAt(root, p);
  const enums = [...new Set(ss.flatMap((s) => (Array.isArray(s.enum) ? s.enum : [])))];
  const properties = new Map<string, Obj>();
  for (const s of ss) for (const [k, v] of Object.entries<any>(s.properties ?? {})) if (isMap(v) && !properties.has(k)) properties.set(k, v);
  const bounds = ss.flatMap((s) => [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum].filter((n) => typeof n === 'number'));
  // A map whose keys are the user's names (destinations, policies, labels, env...).
  const named = ss.some((s) => s.patternProperties || isMap(s.additionalProperties));
  return { schemas: ss, enums, properties, bounds, named };
}

// ---------------------------------------------------------------------------------------------
// Scope: values that are the user's own collector syntax, which the chart passes on and cannot
// check as the collector does. Inside them only the shape the chart itself reads is mutated;
// mutating their contents would only find the user's mistakes, not the chart's.

export type Kind = 'flip' | 'null' | 'delete' | 'typeSwap' | 'enum' | 'number' | 'string' | 'dup' | 'extra' | 'list' | 'addKnown';

const COLLECTOR_KEYS = new Set(['agentCollector', 'gatewayCollector', 'browserCollector']);

/** Index of a collector's own values in the path: 1 below `agentCollector` etc., 0 in otel-gateway (the chart is the collector). */
function collectorBase(chart: string, p: Path): number | undefined {
  if (chart === 'otel-gateway') return 0;
  return COLLECTOR_KEYS.has(String(p[0])) ? 1 : undefined;
}

/**
 * The mutation kinds allowed at a path, given the opaque subtrees:
 * - `<collector>.config` (collector configuration deep-merged over the generated one): the whole
 *   value, its sections and its components (delete, null, a copy under a new id); their contents are
 *   the collector's own syntax;
 * - `tailSampling.policies.<name>` (a policy in the collector's syntax plus `enabled`): the policy,
 *   its `type`, `enabled` and its keys; not the contents of its blocks;
 * - `processing.transform.*Statements[i]` (OTTL): the item's type and presence, not its text.
 */
export function allowedKinds(chart: string, p: Path): Set<Kind> | 'all' {
  const base = collectorBase(chart, p);
  if (base === undefined) return 'all';
  const rel = p.slice(base).map(String);
  if (rel[0] === 'config') {
    const depth = rel.length - 1;
    if (depth === 0) return new Set<Kind>(['typeSwap', 'null', 'delete']);
    if (depth === 1) return new Set<Kind>(['null', 'delete']);
    if (depth === 2 && rel[1] !== 'service') return new Set<Kind>(['null', 'delete', 'dup']);
    if (depth === 3 && rel[1] === 'service' && rel[2] === 'pipelines') return new Set<Kind>(['null', 'delete']);
    return new Set();
  }
  if (rel[0] === 'tailSampling' && rel[1] === 'policies' && rel.length >= 3) {
    const depth = rel.length - 3;
    if (depth === 0) return 'all';
    if (depth === 1) return rel[3] === 'type' || rel[3] === 'enabled' ? 'all' : new Set<Kind>(['null', 'delete', 'typeSwap']);
    return new Set();
  }
  if (rel[0] === 'processing' && rel[1] === 'transform' && rel.length === 4) return new Set<Kind>(['null', 'delete', 'typeSwap', 'list']);
  return 'all';
}

const allows = (chart: string, p: Path, k: Kind) => {
  const a = allowedKinds(chart, p);
  return a === 'all' || a.has(k);
};

// ---------------------------------------------------------------------------------------------
// Sample values.

/**
 * Strings that break quoting, names, labels, templating or type guessing. (Not `<nil>` or `%!`: the
 * object validator reads those as broken templating wherever they appear, also in a user's string.)
 */
export const STRINGS = [
  '',
  ' ',
  'fuzz',
  'UPPER',
  'with space',
  'a_b',
  '-lead',
  'trail-',
  'a.b.c',
  'x'.repeat(64),
  'y'.repeat(254),
  '0',
  '-1',
  '1.5',
  'true',
  'null',
  '~',
  'a: b',
  'a #b',
  '"quoted"',
  "it's",
  'back\\slash',
  'line\nbreak',
  '{{ .Release.Name }}',
  '${env:FUZZ}',
  '100%s',
  'é',
  '*',
  '/',
  'http://[::1]:4317',
];

export const NUMBERS = [0, 1, 2, -1, 0.5, 1.5, -0.5, 100, 65535, 65536, 2147483647, 2147483648, 1e15, 1e21, Infinity];

function sampleOfType(rng: Rng, type: 'string' | 'number' | 'bool' | 'list' | 'map', current: unknown): unknown {
  switch (type) {
    case 'string':
      return rng.pick(STRINGS);
    case 'number':
      return rng.pick(NUMBERS);
    case 'bool':
      return rng.chance(0.5);
    case 'list':
      return rng.pick([[], [current], ['fuzz'], [1], [{ fuzz: 1 }]]);
    case 'map':
      return rng.pick([{}, { fuzz: 'x' }, { fuzz: current }, { enabled: true }]);
  }
}

const typeName = (v: unknown) =>
  Array.isArray(v) ? 'list' : isMap(v) ? 'map' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'null';

/** A plausible value for a schema (its default, an enum value, or a sample of its type). */
function fromSchema(rng: Rng, s: Obj): unknown {
  if (s.default !== undefined && rng.chance(0.5)) return structuredClone(s.default);
  if (Array.isArray(s.enum) && s.enum.length) return rng.pick(s.enum);
  const t = Array.isArray(s.type) ? rng.pick(s.type) : s.type;
  switch (t) {
    case 'boolean':
      return rng.chance(0.7);
    case 'integer':
      return typeof s.minimum === 'number' ? s.minimum + rng.int(3) : rng.pick([0, 1, 2, 3]);
    case 'number':
      return rng.pick([0, 0.5, 1, 10]);
    case 'string':
      return rng.pick(['fuzz', 'a', 'fuzz-value', '10s', '100Mi']);
    case 'array':
      return isMap(s.items) ? [fromSchema(rng, s.items)] : [];
    case 'object': {
      const o: Obj = {};
      for (const r of Array.isArray(s.required) ? s.required : []) if (isMap(s.properties?.[r])) o[r] = fromSchema(rng, s.properties[r]);
      return o;
    }
    default:
      return rng.pick(['fuzz', 1, true, {}, []]);
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations of a values file (the overrides), chosen over the effective values (defaults ∪ overrides).

export interface Mutation {
  kind: Kind | 'nullComponent';
  path: string;
  /** What was done, e.g. `→ 65536` or `copied as "copy"`. */
  detail: string;
}

export interface FuzzContext {
  chart: string;
  schema: Obj;
  defaults: Obj;
  /** Component ids of each collector's generated configuration, by the collector's values key ('' in otel-gateway): `processors.batch`. */
  generatedComponents: Map<string, string[]>;
}

/**
 * Returns the overrides' node at `p`'s parent, creating it from the effective values as needed
 * (maps as empty maps, which merge; lists and scalars copied, because they replace).
 */
function materialise(over: Obj, eff: unknown, p: Path): any {
  let o: any = over;
  let e: any = eff;
  for (const k of p.slice(0, -1)) {
    const ek = e?.[k];
    if (o[k] === undefined || o[k] === null || typeof o[k] !== 'object') o[k] = isMap(ek) || ek == null ? {} : structuredClone(ek);
    o = o[k];
    e = ek;
  }
  return o;
}

/** Sets the value at `p` in the overrides. */
function setAt(over: Obj, eff: unknown, p: Path, v: unknown) {
  materialise(over, eff, p)[p[p.length - 1]] = v;
}

/** Removes `p`: from the overrides when only they have it, as `null` (Helm's removal) when the defaults do; from a list by splicing. */
function deleteAt(over: Obj, eff: unknown, defaults: Obj, p: Path) {
  const parent = materialise(over, eff, p);
  const k = p[p.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(k), 1);
  else if (getAt(defaults, p) !== undefined && !p.some((x) => typeof x === 'number')) parent[k] = null;
  else delete parent[k];
}

const NEW_NAMES = ['copy', 'fuzz-copy', 'Fuzz_Copy', 'z'.repeat(64), 'a.b', '9lives', 'dup_1', 'x'];

function newName(rng: Rng, old: string, inConfig: boolean): string {
  if (inConfig) return `${old.split('/')[0]}/${rng.pick(['fuzz', 'copy-2', 'Fuzz_3', 'a.b'])}`;
  return rng.pick(NEW_NAMES);
}

/**
 * Kinds by weight. Those Helm's schema nearly always refuses (a swapped type, null or removal of a
 * defaulted key) weigh less: a refused case proves only that Helm says why, an accepted one is where
 * broken renders hide.
 */
const WEIGHTS: [Kind | 'nullComponent', number][] = [
  ['flip', 14],
  ['null', 6],
  ['delete', 6],
  ['typeSwap', 6],
  ['enum', 10],
  ['number', 10],
  ['string', 10],
  ['dup', 10],
  ['extra', 5],
  ['list', 6],
  ['addKnown', 10],
  ['nullComponent', 3],
];
export const KINDS = WEIGHTS.map(([k]) => k);

function pickKind(rng: Rng, only?: readonly string[]): Kind | 'nullComponent' {
  const ws = WEIGHTS.filter(([k]) => !only || only.includes(k));
  let r = rng.next() * ws.reduce((a, [, w]) => a + w, 0);
  for (const [k, w] of ws) if ((r -= w) < 0) return k;
  return ws[ws.length - 1][0];
}

/**
 * Applies one random mutation to `over` (in place); returns what it did, or undefined when the chosen
 * kind had no target. `only` restricts the kinds (FUZZ_KINDS).
 */
export function mutateOnce(rng: Rng, ctx: FuzzContext, over: Obj, only?: readonly string[]): Mutation | undefined {
  const eff = coalesce(ctx.defaults, over) as Obj;
  const nodes = allPaths(eff);
  const kind = pickKind(rng, only);
  const candidates = (ok: (p: Path, v: unknown) => boolean) => nodes.filter((n) => ok(n.path, n.value));
  const choose = (k: Kind, ok: (p: Path, v: unknown) => boolean) => {
    const c = candidates((p, v) => allows(ctx.chart, p, k) && ok(p, v));
    return c.length ? rng.pick(c) : undefined;
  };
  const info = (p: Path) => schemaInfo(ctx.schema, p);

  switch (kind) {
    case 'flip': {
      const n = choose('flip', (_p, v) => typeof v === 'boolean');
      if (!n) return undefined;
      setAt(over, eff, n.path, !n.value);
      return { kind, path: fmtPath(n.path), detail: `→ ${!n.value}` };
    }
    case 'null': {
      const n = choose('null', () => true);
      if (!n) return undefined;
      setAt(over, eff, n.path, null);
      return { kind, path: fmtPath(n.path), detail: '→ null' };
    }
    case 'delete': {
      const n = choose('delete', () => true);
      if (!n) return undefined;
      deleteAt(over, eff, ctx.defaults, n.path);
      return { kind, path: fmtPath(n.path), detail: 'deleted' };
    }
    case 'typeSwap': {
      const n = choose('typeSwap', () => true);
      if (!n) return undefined;
      const to = rng.pick((['string', 'number', 'bool', 'list', 'map'] as const).filter((t) => t !== typeName(n.value)));
      const v = sampleOfType(rng, to, n.value);
      setAt(over, eff, n.path, v);
      return { kind, path: fmtPath(n.path), detail: `${typeName(n.value)} → ${JSON.stringify(v)}` };
    }
    case 'enum': {
      const n = choose('enum', (p, v) => !isMap(v) && !Array.isArray(v) && info(p).enums.length > 0);
      if (!n) return undefined;
      const enums = info(n.path).enums;
      const others = enums.filter((e) => e !== n.value);
      const invalid = [typeof n.value === 'string' ? n.value.toUpperCase() : 'FUZZ', `${String(n.value)}x`, 'fuzz'];
      const v = rng.chance(0.8) && others.length ? rng.pick(others) : rng.pick(invalid);
      setAt(over, eff, n.path, v);
      return { kind, path: fmtPath(n.path), detail: `${JSON.stringify(n.value)} → ${JSON.stringify(v)}` };
    }
    case 'number': {
      const n = choose('number', (_p, v) => typeof v === 'number');
      if (!n) return undefined;
      const b = info(n.path).bounds;
      const v = rng.pick([...NUMBERS, ...b, ...b.map((x) => x - 1), ...b.map((x) => x + 1), (n.value as number) * 1000, -(n.value as number)]);
      setAt(over, eff, n.path, v);
      return { kind, path: fmtPath(n.path), detail: `${n.value} → ${v}` };
    }
    case 'string': {
      const n = choose('string', (_p, v) => typeof v === 'string');
      if (!n) return undefined;
      const v = rng.chance(0.2) ? `${n.value}${rng.pick(STRINGS)}` : rng.pick(STRINGS);
      setAt(over, eff, n.path, v);
      return { kind, path: fmtPath(n.path), detail: `${JSON.stringify(n.value)} → ${JSON.stringify(v)}` };
    }
    case 'dup': {
      // An entry of a map of names (destinations, policies, tenants, labels, env, components) copied under a new name.
      const n = choose('dup', (p) => {
        if (typeof p[p.length - 1] !== 'string') return false;
        const rel = p.slice(collectorBase(ctx.chart, p) ?? 0).map(String);
        return (rel[0] === 'config' && rel.length === 3) || info(p.slice(0, -1)).named;
      });
      if (!n) return undefined;
      const old = String(n.path[n.path.length - 1]);
      const rel = n.path.slice(collectorBase(ctx.chart, n.path) ?? 0).map(String);
      const name = newName(rng, old, rel[0] === 'config');
      setAt(over, eff, [...n.path.slice(0, -1), name], structuredClone(n.value));
      return { kind, path: fmtPath(n.path), detail: `copied as ${JSON.stringify(name)}` };
    }
    case 'extra': {
      const n = choose('extra', (_p, v) => isMap(v));
      if (!n) return undefined;
      const v = rng.pick(['x', 1, true, {}, [], { enabled: true }]);
      setAt(over, eff, [...n.path, 'fuzzExtra'], v);
      return { kind, path: fmtPath([...n.path, 'fuzzExtra']), detail: `added ${JSON.stringify(v)}` };
    }
    case 'list': {
      const n = choose('list', (_p, v) => Array.isArray(v));
      if (!n) return undefined;
      const xs = structuredClone(n.value as unknown[]);
      const op = xs.length ? rng.pick(['clear', 'dupItem', 'dropItem', 'reverse', 'nullItem']) : 'addItem';
      const i = rng.int(Math.max(xs.length, 1));
      if (op === 'clear') xs.length = 0;
      else if (op === 'dupItem') xs.push(structuredClone(xs[i]));
      else if (op === 'dropItem') xs.splice(i, 1);
      else if (op === 'reverse') xs.reverse();
      else if (op === 'nullItem') xs[i] = null;
      else {
        const items = info(n.path)
          .schemas.map((s) => s.items)
          .filter(isMap);
        xs.push(items.length ? fromSchema(rng, rng.pick(items)) : rng.pick(['fuzz', 1, {}]));
      }
      setAt(over, eff, n.path, xs);
      return { kind, path: fmtPath(n.path), detail: `${op} → ${JSON.stringify(xs)}` };
    }
    case 'addKnown': {
      // A key the schema declares but the values leave out (optional settings, features).
      const n = choose('addKnown', (p, v) => isMap(v) && [...info(p).properties.keys()].some((k) => !(k in (v as Obj))));
      if (!n) return undefined;
      const props = info(n.path).properties;
      const key = rng.pick([...props.keys()].filter((k) => !(k in (n.value as Obj))));
      const v = fromSchema(rng, props.get(key)!);
      setAt(over, eff, [...n.path, key], v);
      return { kind, path: fmtPath([...n.path, key]), detail: `added ${JSON.stringify(v)}` };
    }
    case 'nullComponent': {
      // Removes a component of a collector's generated configuration through its `config` (null removes a key).
      const entries = [...ctx.generatedComponents.entries()].filter(([, ids]) => ids.length);
      if (!entries.length) return undefined;
      const [key, ids] = rng.pick(entries);
      const [section, ...id] = rng.pick(ids).split('.');
      const p: Path = [...(key ? [key] : []), 'config', section, id.join('.')];
      setAt(over, eff, p, null);
      return { kind, path: fmtPath(p), detail: '→ null (a generated component removed)' };
    }
  }
}
