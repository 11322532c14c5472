// Turns synthesized cdk8s objects that carry typed references into Helm template text.
//
// The forms it writes:
//   scalar value      `replicas: {{ int64 .Values.replicas }}`, `name: {{ .Values.name | quote }}`
//   interpolation     `host: {{ print .Values.name "-collector" | quote }}`
//   block             `resources: {{- toYaml .Values.resources | nindent 4 }}`
//   optional block    `{{- with .Values.nodeSelector }}` / `nodeSelector: ...` / `{{- end }}`
//   optional scalar   `{{- with .Values.argument }}` / `argument: {{ . | quote }}` / `{{- end }}`
//   choice            `dnsPolicy: {{ ternary "A" "B" .Values.hostNetwork | quote }}`
//   conditional item  `{{- if .Values.enabled }}` / `- name: x` / `{{- end }}` inside a list
//   include           `labels: {{- include "chart.labels" $ | nindent 4 }}`
//   condition         `{{- if .Values.enabled }}` around a whole object
//   literal `{{`      `{{ "literal {{ text" | quote }}`
// Anything it cannot express exactly is refused with an error naming the object and field.
import { ApiObject, IResolver, ResolutionContext } from 'cdk8s';
import { stringify } from 'yaml';
import {
  BuiltinRef,
  CONDITIONAL_ITEM,
  ChoiceRef,
  ChoiceValue,
  Condition,
  ConditionalItem,
  ConditionalRef,
  IncludeArg,
  IncludeRef,
  OptionalRef,
  Ref,
  ValueRef,
  hasToken,
  splitTokens,
} from './refs';

export class EmitError extends Error {}

/** YAML 1.1 so that Helm (a YAML 1.1 reader) sees `on`, `yes`, dates as the strings they are. */
export const YAML_OPTIONS = { version: '1.1', lineWidth: 0 } as const;

export function goString(s: string): string {
  // JSON string syntax is a subset of Go's interpreted string literals.
  return JSON.stringify(s);
}

export function includeExpr(r: IncludeRef): string {
  if (!r.args) return `include ${goString(r.name)} $`;
  const args = Object.entries(r.args)
    .map(([k, v]) => `${goString(k)} ${argExpr(v)}`)
    .join(' ');
  return `include ${goString(r.name)} (dict "root" $ ${args})`;
}

function argExpr(a: IncludeArg): string {
  if (a instanceof ValueRef || a instanceof BuiltinRef) return a.expr;
  if (a instanceof IncludeRef) return `(${includeExpr(a)})`;
  if (typeof a === 'string') return goString(a);
  return String(a);
}

/** A value of a given kind as a field of its own: ints through int64, strings quoted. */
function typedExpr(kind: string, expr: string): string {
  if (kind === 'integer') return `int64 ${expr}`;
  if (kind === 'string' || kind === 'quantity') return `${expr} | quote`;
  return expr;
}

/** An operand of `ternary`: a Go literal or a parenthesised scalar expression. */
function choiceOperand(x: ChoiceValue, where: string): string {
  if (typeof x === 'string') return goString(x);
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return printOperandOf(x, where);
}

/** `ternary A B COND`, the value of a choice (unquoted). */
function choiceExpr(r: ChoiceRef, where: string): string {
  return `ternary ${choiceOperand(r.a, where)} ${choiceOperand(r.b, where)} ${r.condition.expr}`;
}

/** The expression of a scalar ref as a value of its own (typed: ints as int64, strings quoted). */
function scalarExpr(r: Ref, where: string): string {
  if (r instanceof BuiltinRef) return `${r.expr} | quote`;
  if (r instanceof ChoiceRef) return r.type === 'string' ? `${choiceExpr(r, where)} | quote` : choiceExpr(r, where);
  if (r instanceof IncludeRef) {
    if (r.shape !== 'scalar') throw new EmitError(`${where}: block ${r.describe()} used as a scalar`);
    return `${includeExpr(r)} | quote`;
  }
  if (r instanceof ValueRef && r.field.isScalar) return typedExpr(r.field.kind, r.expr);
  throw new EmitError(`${where}: ${r.describe()} is not a scalar`);
}

/** The operand of a scalar ref inside an interpolated string. */
export function printOperandOf(r: Ref, where: string): string {
  if (r instanceof BuiltinRef) return r.expr;
  if (r instanceof IncludeRef && r.shape === 'scalar') return `(${includeExpr(r)})`;
  if (r instanceof ChoiceRef) return `(${choiceExpr(r, where)})`;
  if (r instanceof ValueRef && r.field.isScalar) return r.field.kind === 'integer' ? `(int64 ${r.expr})` : r.expr;
  throw new EmitError(`${where}: structural reference ${r.describe()} inside a string`);
}

function blockExpr(r: Ref, where: string): string {
  if (r instanceof IncludeRef && r.shape === 'block') return includeExpr(r);
  if (r instanceof ValueRef && !r.field.isScalar) return `toYaml ${r.expr}`;
  throw new EmitError(`${where}: ${r.describe()} is not a block`);
}

interface Slot {
  marker: string;
  kind: 'inline' | 'block' | 'optional' | 'optionalScalar' | 'item' | 'keyBlock' | 'splice';
  /**
   * inline: the action's pipeline; block: the YAML-producing pipeline; optional, optionalScalar: the
   * value tested by `with`; item: unused.
   */
  expr: string;
  where: string;
  /** A condition the key (or, for `item`, the list item) is rendered under (`when`, `whenItem`). */
  guard?: string;
  /** optionalScalar: the pipeline of the value inside `with` (`. | quote`). */
  inner?: string;
  /** item, keyBlock: the walked literal, rendered on its own and spliced in under its `if`. */
  body?: unknown;
}

/** Renders one object to template text. `where` names it in errors (kind/name or construct path). */
export function emitObject(json: unknown, where: string, condition?: Condition, expectedRefs: Iterable<Ref> = [], preamble?: string): string {
  const slots = new Map<string, Slot>();
  const seen = new Set<Ref>();
  const slot = (kind: Slot['kind'], expr: string, path: string, guard?: string, extra: Partial<Slot> = {}): string => {
    const marker = `__tpl_${slots.size}__`;
    slots.set(marker, { marker, kind, expr, where: path, guard, ...extra });
    return marker;
  };
  /** Whether a walked list item renders only under a condition. */
  const isConditionalItem = (x: unknown) => typeof x === 'string' && ['item', 'optionalScalar', 'splice'].includes(slots.get(x)?.kind ?? '');

  const walk = (node: unknown, path: string, position: 'value' | 'item'): unknown => {
    const at = `${where}: field ${path || '/'}`;
    // A ref not resolved by cdk8s (an object given straight to emitObject) is resolved here.
    if (node instanceof Ref) node = node.resolve();
    if (typeof node === 'string') {
      if (!hasToken(node)) return node.includes('{{') ? slot('inline', `${goString(node)} | quote`, path) : node;
      const parts = splitTokens(node);
      parts.forEach((p) => p instanceof Ref && seen.add(p));
      if (parts.length === 1) {
        let r = parts[0] as Ref;
        let guard: string | undefined;
        if (r instanceof ConditionalItem) throw new EmitError(`${at}: conditional item ${r.describe()} used inside a string`);
        if (r instanceof ConditionalRef) {
          if (position === 'item') throw new EmitError(`${at}: conditional ${r.describe()} cannot be a list item (use whenItem)`);
          guard = r.condition.expr;
          r.condition.refs.forEach((c) => seen.add(c));
          r = r.inner;
          seen.add(r);
        }
        if (r instanceof OptionalRef) {
          if (r.inner.field.isScalar) return slot('optionalScalar', r.inner.expr, path, undefined, { inner: typedExpr(r.inner.field.kind, '.') });
          if (position === 'item') throw new EmitError(`${at}: optional ${r.inner.describe()} cannot be a list item`);
          return slot('optional', r.inner.expr, path);
        }
        if (r instanceof IncludeRef && r.shape === 'items') {
          if (position !== 'item' || guard) throw new EmitError(`${at}: ${r.describe()} prints list items and can only stand in a list`);
          return slot('splice', includeExpr(r), path);
        }
        if (r instanceof ChoiceRef) r.condition.refs.forEach((c) => seen.add(c));
        if (r instanceof ValueRef ? r.field.isScalar : !(r instanceof IncludeRef && r.shape === 'block')) return slot('inline', scalarExpr(r, at), path, guard);
        if (position === 'item') throw new EmitError(`${at}: block ${r.describe()} cannot be a list item`);
        return slot('block', blockExpr(r, at), path, guard);
      }
      const operands = parts.map((p) => (typeof p === 'string' ? goString(p) : printOperandOf(p, at)));
      return slot('inline', `print ${operands.join(' ')} | quote`, path);
    }
    if (Array.isArray(node)) {
      const items = node.map((x, i) => walk(x, `${path}[${i}]`, 'item'));
      // With no condition holding, `key:` followed by no item would be null, not an empty list.
      if (items.length > 0 && items.every(isConditionalItem))
        throw new EmitError(`${at}: every item of the list is conditional, so the list would render as null when none holds`);
      return items;
    }
    if (node && typeof node === 'object' && CONDITIONAL_ITEM in node) {
      const r = splitTokens(String((node as Record<string, unknown>)[CONDITIONAL_ITEM]))[0] as ConditionalItem;
      seen.add(r);
      r.condition.refs.forEach((c) => seen.add(c));
      const item = (node as Record<string, unknown>).item;
      if (r.position === 'item') {
        if (position !== 'item') throw new EmitError(`${at}: conditional item ${r.describe()} is not a list item (a key uses when())`);
        return slot('item', '', path, r.condition.expr, { body: walk(item, path, 'item') });
      }
      if (position === 'item') throw new EmitError(`${at}: conditional key value ${r.describe()} used as a list item (use whenItem)`);
      return slot('keyBlock', '', path, r.condition.expr, { body: walk(item, path, 'value') });
    }
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      // Optional blocks go last so that none becomes the first key of a list item (`- key:`),
      // which a `with` cannot wrap.
      const entries = Object.entries(node);
      const isOptional = (v: unknown) =>
        (typeof v === 'string' && hasToken(v) && splitTokens(v).some((p) => p instanceof OptionalRef || p instanceof ConditionalRef)) ||
        v instanceof ConditionalItem ||
        (!!v && typeof v === 'object' && CONDITIONAL_ITEM in v);
      const ordered = [...entries.filter(([, v]) => !isOptional(v)), ...entries.filter(([, v]) => isOptional(v))];
      if (position === 'item' && ordered.length > 0 && isOptional(ordered[0][1]))
        throw new EmitError(`${at}: a list item holding only optional blocks cannot be expressed`);
      for (const [k, v] of ordered) {
        if (hasToken(k)) throw new EmitError(`${at}: reference used as a key (${k})`);
        out[k] = walk(v, path ? `${path}.${k}` : k, 'value');
      }
      return out;
    }
    return node;
  };

  const body = walk(json, '', 'value');
  for (const r of expectedRefs) {
    if (!seen.has(r)) throw new EmitError(`${where}: unused reference ${r.describe()} (it was given to the object but is not in its output)`);
  }
  let text = stringify(body, YAML_OPTIONS);
  // Conditional list items first: each is rendered on its own at the list's indentation, under its
  // `if`; an item may hold further conditional items, hence the loop.
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(/^( *)- (__tpl_\d+__)$/gm, (line, indent: string, marker: string) => {
      const s = slots.get(marker)!;
      if (s.kind !== 'item') return line;
      const lines = stringify(s.body, YAML_OPTIONS)
        .trimEnd()
        .split('\n')
        .map((l, i) => (i === 0 ? `${indent}- ${l}` : l ? `${indent}  ${l}` : l));
      return `{{- if ${s.guard} }}\n${lines.join('\n')}\n{{- end }}`;
    });
    // Items a template prints, spliced at the list's indentation (nothing when it prints none).
    text = text.replace(/^( *)- (__tpl_\d+__)$/gm, (line, indent: string, marker: string) => {
      const s = slots.get(marker)!;
      return s.kind === 'splice' ? `{{- with (${s.expr} | fromYamlArray) }}\n{{- toYaml . | nindent ${indent.length} }}\n{{- end }}` : line;
    });
    // Conditional keys with a literal object value: the block under `key:`, all under the key's `if`.
    text = text.replace(/^( *)(- )?([^\n]*?): (__tpl_\d+__)$/gm, (line, indent: string, dash: string | undefined, key: string, marker: string) => {
      const s = slots.get(marker)!;
      if (s.kind !== 'keyBlock') return line;
      const col = indent.length + (dash ? 2 : 0);
      const body = stringify(s.body, YAML_OPTIONS)
        .trimEnd()
        .split('\n')
        .map((l) => (l ? `${' '.repeat(col + 2)}${l}` : l));
      return `{{- if ${s.guard} }}\n${indent}${dash ?? ''}${key}:\n${body.join('\n')}\n{{- end }}`;
    });
  }
  text = text.replace(/^( *)(- )?([^\n]*?)(__tpl_\d+__)$/gm, (line, indent: string, dash: string | undefined, prefix: string, marker: string) => {
    const s = slots.get(marker)!;
    const guarded = (line: string) => (s.guard ? `{{- if ${s.guard} }}\n${line}\n{{- end }}` : line);
    if (s.kind === 'inline') return guarded(`${indent}${dash ?? ''}${prefix}{{ ${s.expr} }}`);
    if (s.kind === 'optionalScalar') return `{{- with ${s.expr} }}\n${indent}${dash ?? ''}${prefix}{{ ${s.inner} }}\n{{- end }}`;
    if (!prefix.endsWith(': ')) throw new EmitError(`${where}: field ${s.where}: a block must be the value of a key`);
    const key = prefix.slice(0, -2);
    const col = indent.length + (dash ? 2 : 0);
    if (s.kind === 'block') return guarded(`${indent}${dash ?? ''}${key}: {{- ${s.expr} | nindent ${col + 2} }}`);
    return `{{- with ${s.expr} }}\n${indent}${dash ?? ''}${key}: {{- toYaml . | nindent ${col + 2} }}\n{{- end }}`;
  });
  const leftover = /__tpl_\d+__/.exec(text);
  if (leftover) throw new EmitError(`${where}: field ${slots.get(leftover[0])!.where}: reference in a position the emitter cannot express`);
  text = text.trimEnd();
  if (preamble) text = `${preamble}\n${text}`;
  return condition ? `{{- if ${condition.expr} }}\n${text}\n{{- end }}` : text;
}

// ---- cdk8s integration --------------------------------------------------------------------------

/** Records which refs each ApiObject was given, so that a ref lost on the way is an error. */
export class RefRecorder implements IResolver {
  private readonly byObject = new WeakMap<ApiObject, Set<Ref>>();
  resolve(context: ResolutionContext): void {
    const v = context.value;
    if (v instanceof Ref) {
      const set = this.byObject.get(context.obj) ?? new Set<Ref>();
      set.add(v);
      this.byObject.set(context.obj, set);
      context.replaceValue(v.resolve());
    } else if (typeof v === 'string' && hasToken(v)) {
      const set = this.byObject.get(context.obj) ?? new Set<Ref>();
      for (const p of splitTokens(v)) if (p instanceof Ref) set.add(p);
      this.byObject.set(context.obj, set);
    }
  }
  refsOf(obj: ApiObject): Set<Ref> {
    return this.byObject.get(obj) ?? new Set();
  }
}
