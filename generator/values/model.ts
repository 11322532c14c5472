// The values model: every chart value is declared once here (type, default, description, limits).
// values.yaml, values.schema.json, the README's values table and the TypeScript types the
// constructs use (`ValuesOf<>`, `RefTree<>`) are all derived from these declarations.

/** A JSON-schema (draft-07 keywords only: Helm 3.17 validates with a draft-07 validator). */
export type JsonSchema = Record<string, unknown>;

interface FieldOptions<T> {
  description: string;
  default?: T;
  /** Keys of the original chart that are accepted but do nothing or are mapped elsewhere. */
  deprecated?: string;
  /** Extra draft-07 constraints (`if`/`then`, `not`, ...) that the field's type does not express. */
  extra?: JsonSchema;
  /**
   * Helm (4 and 3) deletes a key given as `null` from the merged values before validating them, so a
   * type alone never sees the null and the template renders an empty field. A `notNull` key (which
   * must have a default, so values.yaml always holds it) is `required` by its object: `null` fails
   * the schema naming the key, under both Helms.
   */
  notNull?: boolean;
}

export type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'quantity' | 'object' | 'map' | 'list' | 'freeform';

export abstract class Field<T = unknown> {
  abstract readonly kind: FieldKind;
  constructor(readonly options: FieldOptions<T>) {}
  get description(): string {
    return this.options.description;
  }
  /** The default, or undefined when the key is absent from values.yaml. */
  get default(): T | undefined {
    return this.options.default;
  }
  /** Scalars render as single template values; everything else renders as a YAML block. */
  get isScalar(): boolean {
    return ['string', 'integer', 'number', 'boolean', 'quantity'].includes(this.kind);
  }
  abstract schema(): JsonSchema;
  protected base(): JsonSchema {
    const s: JsonSchema = { description: this.description };
    if (this.options.deprecated) s.description = `${this.description} Deprecated: ${this.options.deprecated}`;
    if (this.options.default !== undefined) s.default = this.options.default;
    return { ...s, ...this.options.extra };
  }
}

interface StringOptions extends FieldOptions<string> {
  enum?: readonly string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
}
export class StringField<T extends string = string> extends Field<T> {
  readonly kind = 'string';
  constructor(readonly opts: StringOptions) {
    super(opts as FieldOptions<T>);
  }
  schema(): JsonSchema {
    const { enum: e, pattern, minLength, maxLength } = this.opts;
    return {
      type: 'string',
      ...(e && { enum: e }),
      ...(pattern && { pattern }),
      ...(minLength !== undefined && { minLength }),
      ...(maxLength !== undefined && { maxLength }),
      ...this.base(),
    };
  }
}

interface NumberOptions extends FieldOptions<number> {
  minimum?: number;
  maximum?: number;
}
export class IntegerField extends Field<number> {
  readonly kind: FieldKind = 'integer';
  constructor(readonly opts: NumberOptions) {
    super(opts);
  }
  schema(): JsonSchema {
    // Kubernetes counts (replicas) are int32 and the collector's sizes overflow on larger numbers:
    // an integer without a maximum of its own is bounded to int32.
    const { minimum, maximum = INT32_MAX } = this.opts;
    return { type: this.kind, ...this.base(), ...(minimum !== undefined && { minimum }), maximum };
  }
}

const INT32_MAX = 2 ** 31 - 1;

export class BooleanField extends Field<boolean> {
  readonly kind = 'boolean';
  schema(): JsonSchema {
    return { type: 'boolean', ...this.base() };
  }
}

/** A Kubernetes resource quantity (`512Mi`, `1Gi`, `2G`, `0.5`, `100m`) as a string or an integer. */
export const QUANTITY_PATTERN = '^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
export class QuantityField extends Field<string | number> {
  readonly kind = 'quantity';
  schema(): JsonSchema {
    return { type: ['string', 'integer'], ...this.base(), pattern: QUANTITY_PATTERN, minimum: 0 };
  }
}

export type Props = Record<string, Field<any>>;

export class ObjectField<P extends Props = Props> extends Field<ValuesOfProps<P>> {
  readonly kind = 'object';
  constructor(
    readonly props: P,
    opts: FieldOptions<any> & { required?: (keyof P & string)[] },
  ) {
    super(opts as FieldOptions<any>);
  }
  /** An object's default is built from its children's defaults, unless it declares its own. */
  get default(): ValuesOfProps<P> {
    if (this.options.default !== undefined) return this.options.default;
    const out: Record<string, unknown> = {};
    for (const [k, f] of Object.entries(this.props)) if (f.default !== undefined) out[k] = f.default;
    return out as ValuesOfProps<P>;
  }
  schema(): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const [k, f] of Object.entries(this.props)) properties[k] = f.schema();
    const declared = (this.options as { required?: string[] }).required ?? [];
    const notNull = Object.entries(this.props).filter(([k, f]) => {
      if (f.options.notNull && f.default === undefined) throw new Error(`notNull key ${k} needs a default (values.yaml must hold it)`);
      return f.options.notNull && !declared.includes(k);
    });
    const required = [...declared, ...notNull.map(([k]) => k)];
    return {
      type: 'object',
      description: this.description,
      additionalProperties: false,
      properties,
      ...(required.length && { required }),
      ...this.options.extra,
    };
  }
}

/** A map of user-chosen names to entries of one shape (destinations, policies, ...). */
export class MapField<V extends Field<any>> extends Field<Record<string, ValueOf<V>>> {
  readonly kind = 'map';
  constructor(
    readonly entry: V,
    opts: FieldOptions<Record<string, unknown>> & { keyPattern?: string; example?: Record<string, unknown> },
  ) {
    super(opts as FieldOptions<any>);
  }
  /** Entries shown in the README to explain the map (values.yaml shows the default ones). */
  get example(): Record<string, unknown> | undefined {
    return (this.options as { example?: Record<string, unknown> }).example;
  }
  schema(): JsonSchema {
    const keyPattern = (this.options as { keyPattern?: string }).keyPattern;
    const entry = this.entry.schema();
    delete entry.default;
    return {
      type: 'object',
      ...this.base(),
      ...(keyPattern ? { patternProperties: { [keyPattern]: entry }, additionalProperties: false } : { additionalProperties: entry }),
    };
  }
}

export class ListField<V extends Field<any>> extends Field<ValueOf<V>[]> {
  readonly kind = 'list';
  constructor(
    readonly item: V,
    opts: FieldOptions<unknown[]> & { minItems?: number; uniqueItems?: boolean },
  ) {
    super(opts as FieldOptions<any>);
  }
  schema(): JsonSchema {
    const { minItems, uniqueItems } = this.options as { minItems?: number; uniqueItems?: boolean };
    const items = this.item.schema();
    delete items.default;
    return { type: 'array', ...this.base(), items, ...(minItems !== undefined && { minItems }), ...(uniqueItems && { uniqueItems }) };
  }
}

/** Anything goes (collector `config`), or any JSON type constrained only by `extra`. */
export class FreeformField<T = Record<string, unknown>> extends Field<T> {
  readonly kind = 'freeform';
  constructor(
    opts: FieldOptions<T>,
    readonly jsonType: 'object' | 'array' | 'any' = 'object',
  ) {
    super(opts);
  }
  schema(): JsonSchema {
    return { ...(this.jsonType !== 'any' && { type: this.jsonType }), ...this.base() };
  }
}

/**
 * A value whose schema is given whole, e.g. a Kubernetes type built by kubernetes.ts; the field's own
 * description and default replace the schema's. Rendered, and checked by templates, as free-form.
 */
export class SchemaField<T = unknown> extends Field<T> {
  readonly kind = 'freeform';
  constructor(
    readonly raw: JsonSchema,
    opts: FieldOptions<T>,
  ) {
    super(opts);
  }
  schema(): JsonSchema {
    const { type, description: _description, ...rest } = structuredClone(this.raw);
    return { ...(type !== undefined && { type }), ...this.base(), ...rest, ...this.options.extra };
  }
}

// ---- TypeScript types derived from the declarations -------------------------------------------

export type ValueOf<F> =
  F extends ObjectField<infer P>
    ? ValuesOfProps<P>
    : F extends MapField<infer V>
      ? Record<string, ValueOf<V>>
      : F extends ListField<infer V>
        ? ValueOf<V>[]
        : F extends Field<infer T>
          ? T
          : never;
export type ValuesOfProps<P extends Props> = { [K in keyof P]?: ValueOf<P[K]> };

// ---- the declaration DSL ----------------------------------------------------------------------

export const v = {
  string: <T extends string = string>(o: StringOptions & { enum?: readonly T[] }) => new StringField<T>(o),
  integer: (o: NumberOptions) => new IntegerField(o),
  boolean: (o: FieldOptions<boolean>) => new BooleanField(o),
  quantity: (o: FieldOptions<string | number>) => new QuantityField(o),
  object: <P extends Props>(
    description: string,
    props: P,
    opts: { required?: (keyof P & string)[]; default?: ValuesOfProps<P>; extra?: JsonSchema; notNull?: boolean } = {},
  ) => new ObjectField(props, { description, ...opts }),
  map: <V extends Field<any>>(entry: V, o: FieldOptions<Record<string, unknown>> & { keyPattern?: string; example?: Record<string, unknown> }) =>
    new MapField(entry, o),
  list: <V extends Field<any>>(item: V, o: FieldOptions<unknown[]> & { minItems?: number; uniqueItems?: boolean }) => new ListField(item, o),
  freeform: <T = Record<string, unknown>>(o: FieldOptions<T>, jsonType: 'object' | 'array' | 'any' = 'object') => new FreeformField<T>(o, jsonType),
  /** A value of a given schema (a Kubernetes type from kubernetes.ts), with the field's description and default. */
  schema: <T = unknown>(raw: JsonSchema, o: FieldOptions<T>) => new SchemaField<T>(raw, o),
  /** A map of string to string (labels, annotations, headers, attributes). */
  stringMap: (description: string, def: Record<string, string> = {}) => new MapField(new StringField({ description: 'value' }), { description, default: def }),
};

/** Walks a model, yielding every field with its dotted path (for docs and tests). */
export function* walk(field: Field<any>, path: string[] = []): Generator<{ path: string[]; field: Field<any> }> {
  yield { path, field };
  if (field instanceof ObjectField) for (const [k, f] of Object.entries(field.props as Props)) yield* walk(f, [...path, k]);
}
