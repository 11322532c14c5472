// Typed references to values and to render-time facts. Components put these into ordinary cdk8s
// objects; cdk8s resolves each one to an opaque token (it calls `resolve()` on any value that has
// one), and the Helm emitter later turns every token into Go-template text. Components never
// write Go-template text themselves.
import { Field, ObjectField, Props } from '../values/model';

const registry = new Map<string, Ref>();
let counter = 0;
const TOKEN = /\u00ab(\d+)\u00bb/g;

export abstract class Ref {
  readonly token: string;
  constructor() {
    this.token = `\u00ab${++counter}\u00bb`;
    registry.set(this.token, this);
  }
  /**
   * Called by the chart's resolvers while an object is synthesized: the token, or for a form that
   * carries a literal subtree (a conditional list item) a small marker object that cdk8s resolves
   * further.
   */
  resolve(): unknown {
    return this.token;
  }
  toString(): string {
    return this.token;
  }
  /** A short description for error messages. */
  abstract describe(): string;
}

/** Go-template expression of a values path: `.Values.a.b`, or `index .Values "a-b"` when needed. */
export function valuesExpr(path: readonly string[]): string {
  if (path.length === 0) return '.Values';
  if (path.every((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p))) return `.Values.${path.join('.')}`;
  return `(index .Values ${path.map((p) => JSON.stringify(p)).join(' ')})`;
}

/** A value at a path of the values model; a scalar or a block depending on the field's type. */
export class ValueRef<F extends Field<any> = Field<any>> extends Ref {
  constructor(
    readonly path: readonly string[],
    readonly field: F,
  ) {
    super();
  }
  get expr(): string {
    return valuesExpr(this.path);
  }
  describe(): string {
    return `.Values.${this.path.join('.')}`;
  }
}

/**
 * A value omitted, key included, when it is empty (`with`: unset, "", 0, empty map or list). A
 * block (`optional(values.nodeSelector)`) or a scalar (`optional(values.sampler.argument)`).
 */
export class OptionalRef extends Ref {
  constructor(readonly inner: ValueRef) {
    super();
  }
  describe(): string {
    return `optional(${this.inner.describe()})`;
  }
}

/** A key present only while a condition holds (`if`); its value is a scalar or a block ref. */
export class ConditionalRef extends Ref {
  constructor(
    readonly condition: Condition,
    readonly inner: ValueRef | IncludeRef,
  ) {
    super();
  }
  describe(): string {
    return `when(${this.condition.expr}, ${this.inner.describe()})`;
  }
}

/** Key of the marker object a conditional list item resolves to (see ConditionalItem). */
export const CONDITIONAL_ITEM = '__conditional_item__';

/**
 * A literal present only while a condition holds: a list item (`whenItem`) or a key's object value
 * (`when` with an object). The literal may itself hold refs, so it resolves to
 * `{ [CONDITIONAL_ITEM]: token, item }` and cdk8s resolves the item like any other part of the object.
 */
export class ConditionalItem extends Ref {
  constructor(
    readonly condition: Condition,
    readonly item: unknown,
    /** `item`: a list item (`whenItem`); `key`: the object value of a key (`when`). */
    readonly position: 'item' | 'key' = 'item',
  ) {
    super();
  }
  resolve(): unknown {
    return { [CONDITIONAL_ITEM]: this.token, item: this.item };
  }
  describe(): string {
    return `${this.position === 'item' ? 'whenItem' : 'when'}(${this.condition.expr}, ...)`;
  }
}

/** One value of a choice: a literal or a scalar ref. */
export type ChoiceValue = string | number | boolean | ValueRef | BuiltinRef | IncludeRef;

/** A scalar that is `a` while a condition holds, else `b` (`choose`); both of one type. */
export class ChoiceRef extends Ref {
  constructor(
    readonly condition: Condition,
    readonly a: ChoiceValue,
    readonly b: ChoiceValue,
    readonly type: 'string' | 'number' | 'boolean',
  ) {
    super();
  }
  describe(): string {
    const d = (x: ChoiceValue) => (x instanceof Ref ? x.describe() : JSON.stringify(x));
    return `choose(${this.condition.expr}, ${d(this.a)}, ${d(this.b)})`;
  }
}

/** Release and chart facts (`.Release.Namespace`, ...), always scalars. */
export class BuiltinRef extends Ref {
  constructor(readonly expr: string) {
    super();
  }
  describe(): string {
    return this.expr;
  }
}

/** Argument of an include: a value path, a builtin, or a literal string. */
export type IncludeArg = ValueRef | BuiltinRef | IncludeRef | string | boolean | number;

/**
 * The output of a named template of the chart (a helper of the emitter's template library, or a
 * template the chart defines). `scalar` includes yield one string; block includes yield YAML.
 */
export class IncludeRef extends Ref {
  constructor(
    readonly name: string,
    /** scalar: one value; block: a YAML value under a key; items: a YAML list spliced into a list. */
    readonly shape: 'scalar' | 'block' | 'items',
    readonly args?: Record<string, IncludeArg>,
  ) {
    super();
  }
  describe(): string {
    return `include "${this.name}"`;
  }
}

/** Splits a string into literal text and the refs embedded in it. */
export function splitTokens(s: string): (string | Ref)[] {
  const parts: (string | Ref)[] = [];
  let last = 0;
  for (const m of s.matchAll(TOKEN)) {
    if (m.index! > last) parts.push(s.slice(last, m.index));
    const ref = registry.get(m[0]);
    if (!ref) throw new Error(`unknown reference token ${m[0]}`);
    parts.push(ref);
    last = m.index! + m[0].length;
  }
  if (last < s.length) parts.push(s.slice(last));
  return parts;
}

export function hasToken(s: string): boolean {
  return new RegExp(TOKEN.source).test(s);
}

// ---- conditions (whole-object `if`) -------------------------------------------------------------

export class Condition {
  constructor(
    readonly expr: string,
    readonly refs: readonly ValueRef[],
  ) {}
}

function boolRef(r: ValueRef): Condition {
  if (r.field.kind !== 'boolean') throw new Error(`condition on ${r.describe()}: a condition needs a boolean value, not ${r.field.kind}`);
  return new Condition(r.expr, [r]);
}

/** `(and a b …)` / `(or a b …)`; a single condition stands alone. */
function combine(op: 'and' | 'or', cs: (Condition | ValueRef)[]): Condition {
  const xs = cs.map((c) => (c instanceof ValueRef ? boolRef(c) : c));
  return xs.length === 1
    ? xs[0]
    : new Condition(
        `(${op} ${xs.map((x) => x.expr).join(' ')})`,
        xs.flatMap((x) => x.refs),
      );
}

export const cond = {
  is: boolRef,
  not: (c: Condition | ValueRef) => {
    const x = c instanceof ValueRef ? boolRef(c) : c;
    return new Condition(`(not ${x.expr})`, x.refs);
  },
  and: (...cs: (Condition | ValueRef)[]) => combine('and', cs),
  or: (...cs: (Condition | ValueRef)[]) => combine('or', cs),
  /** A string value equals one of its enum's literals (checked here, so a typo fails generation). */
  eq: (r: ValueRef, literal: string) => {
    const allowed = (r.field.schema() as { enum?: unknown[] }).enum;
    if (r.field.kind !== 'string' || (allowed && !allowed.includes(literal)))
      throw new Error(`condition on ${r.describe()}: ${JSON.stringify(literal)} is not one of its values`);
    return new Condition(`(eq ${r.expr} ${JSON.stringify(literal)})`, [r]);
  },
  /** An integer value is greater than a number. */
  gt: (r: ValueRef, n: number) => {
    if (r.field.kind !== 'integer') throw new Error(`condition on ${r.describe()}: gt needs an integer value, not ${r.field.kind}`);
    return new Condition(`(gt (int64 ${r.expr}) ${n})`, [r]);
  },
  /** A condition written as a named template that prints "true" when it holds; given a value, the template gets {root, values}. */
  include: (name: string, values?: ValueRef) =>
    values
      ? new Condition(`(eq (include ${JSON.stringify(name)} (dict "root" $ "values" ${values.expr})) "true")`, [values])
      : new Condition(`(eq (include ${JSON.stringify(name)} $) "true")`, []),
};

// ---- typed reference trees over a values model -----------------------------------------------

export type RefTree<F> = F extends ObjectField<infer P> ? { readonly [K in keyof P]: RefTree<P[K]> } & { readonly $: ValueRef<F> } : ValueRef<F & Field<any>>;

/**
 * A typed tree of references over a model rooted at `path`: `refs(gateway, ['gatewayCollector'])
 * .resources` is the ValueRef of `.Values.gatewayCollector.resources`. The same component model
 * can sit at the root of one chart and under a key of another.
 */
export function refs<F extends Field<any>>(field: F, path: readonly string[] = []): RefTree<F> {
  if (!(field instanceof ObjectField)) return new ValueRef(path, field) as RefTree<F>;
  const tree: Record<string, unknown> = {};
  let self: ValueRef | undefined;
  Object.defineProperty(tree, '$', { get: () => (self ??= new ValueRef(path, field)), enumerable: false });
  for (const [k, f] of Object.entries(field.props as Props)) {
    let child: unknown;
    Object.defineProperty(tree, k, { get: () => (child ??= refs(f, [...path, k])), enumerable: true });
  }
  return tree as RefTree<F>;
}

export const release = {
  namespace: () => new BuiltinRef('.Release.Namespace'),
  name: () => new BuiltinRef('.Release.Name'),
};

/**
 * A block or scalar omitted, key included, when its value is empty. Booleans are refused: `with`
 * would drop `false` (use `when` or `choose`).
 */
export function optional(r: ValueRef): OptionalRef {
  if (r.field.kind === 'boolean') throw new Error(`optional(${r.describe()}): a boolean cannot be optional (empty would drop false); use when() or choose()`);
  return new OptionalRef(r);
}

/**
 * A key present only while a condition holds; its value is a scalar or block ref, or a literal
 * object (refs inside allowed), rendered as a block under `if`.
 */
export function when(c: Condition | ValueRef, inner: ValueRef | IncludeRef): ConditionalRef;
export function when(c: Condition | ValueRef, inner: Record<string, unknown>): ConditionalItem;
export function when(c: Condition | ValueRef, inner: ValueRef | IncludeRef | Record<string, unknown>): ConditionalRef | ConditionalItem {
  const condition = c instanceof ValueRef ? cond.is(c) : c;
  return inner instanceof ValueRef || inner instanceof IncludeRef ? new ConditionalRef(condition, inner) : new ConditionalItem(condition, inner, 'key');
}

/** A list item present only while a condition holds; the item is any literal, refs inside allowed. */
export function whenItem(c: Condition | ValueRef, item: unknown): ConditionalItem {
  return new ConditionalItem(c instanceof ValueRef ? cond.is(c) : c, item);
}

function choiceType(x: ChoiceValue, where: string): ChoiceRef['type'] {
  if (typeof x === 'string' || x instanceof BuiltinRef) return 'string';
  if (typeof x === 'number') return 'number';
  if (typeof x === 'boolean') return 'boolean';
  if (x instanceof IncludeRef) {
    if (x.shape === 'scalar') return 'string';
  } else if (x.field.isScalar) {
    return x.field.kind === 'integer' || x.field.kind === 'number' ? 'number' : x.field.kind === 'boolean' ? 'boolean' : 'string';
  }
  throw new Error(`${where}: ${x.describe()} is not a scalar`);
}

/** A scalar field whose value is `a` while the condition holds, else `b`: literals or scalar refs of one type. */
export function choose(c: Condition | ValueRef, a: ChoiceValue, b: ChoiceValue): ChoiceRef {
  const condition = c instanceof ValueRef ? cond.is(c) : c;
  const where = `choose(${condition.expr}, ...)`;
  const [ta, tb] = [choiceType(a, where), choiceType(b, where)];
  if (ta !== tb) throw new Error(`${where}: both values must have one type, not ${ta} and ${tb}`);
  return new ChoiceRef(condition, a, b, ta);
}

export function include(name: string, args?: Record<string, IncludeArg>): IncludeRef {
  return new IncludeRef(name, 'block', args);
}
export function includeScalar(name: string, args?: Record<string, IncludeArg>): IncludeRef {
  return new IncludeRef(name, 'scalar', args);
}
/** A template printing a YAML list whose items are spliced, in place, into the list it stands in. */
export function includeItems(name: string, args?: Record<string, IncludeArg>): IncludeRef {
  return new IncludeRef(name, 'items', args);
}
