// The chart as a cdk8s construct tree: component constructs add objects under TemplateScopes
// (which say which template file the objects go to and under which condition), then
// `renderTemplates` turns every object into template text with the template emitter.
import { ApiObject, App, Chart, ImplicitTokenResolver, JsonPatch, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { Construct } from 'constructs';
import { Condition, IncludeArg, IncludeRef, OptionalRef, Ref, ValueRef, cond, include, includeItems, includeScalar } from './refs';
import { RefRecorder, emitObject, includeExpr, printOperandOf } from './template-emitter';

export type LibraryConstant = string | number | readonly unknown[] | { readonly [key: string]: unknown };

/** A part of a chart: its objects go to one template file, rendered only while `when` holds. */
export class TemplateScope extends Construct {
  constructor(
    scope: Construct,
    id: string,
    readonly opts: { file?: string; when?: Condition } = {},
  ) {
    super(scope, id);
  }
}

export interface TemplatedMetadata {
  name: string;
  /** Omitted for cluster-scoped objects. */
  namespace?: string;
  labels?: IncludeRef;
  annotations?: OptionalRef | IncludeRef;
}

/**
 * An ApiObject whose labels and annotations may be template blocks. cdk8s copies metadata
 * labels into a plain object (a block placeholder would be exploded into characters), so they
 * are added to the final JSON instead.
 */
/**
 * What to say when a connected cluster does not serve an object's API (a CRD not installed). Only
 * where Helm talks to an API server (install, upgrade, `--dry-run=server`, `template --validate`):
 * its capabilities then include the aggregation layer's `apiregistration.k8s.io/v1`, which every
 * kube-apiserver serves and the offline defaults of `helm template` lack.
 */
export interface ServedApi {
  message: string;
}

export class TemplatedObject extends ApiObject {
  private static readonly conditions = new WeakMap<ApiObject, Condition>();
  readonly metaRefs: Ref[];
  /** Go template lines before the object (inside its condition): the checks it needs. */
  readonly preamble: string[] = [];
  constructor(
    scope: Construct,
    id: string,
    props: {
      apiVersion: string;
      kind: string;
      metadata: TemplatedMetadata;
      when?: Condition;
      requiresServed?: ServedApi;
      /** Templates that print nothing and `fail` when the object must not be made (e.g. its name is another release's). */
      checks?: IncludeRef[];
      [key: string]: unknown;
    },
  ) {
    const { metadata, when, requiresServed, checks, ...rest } = props;
    const { labels, annotations, ...plain } = metadata;
    super(scope, id, { ...rest, apiVersion: props.apiVersion, kind: props.kind, metadata: plain });
    this.metaRefs = [labels, annotations].filter((r): r is IncludeRef | OptionalRef => r !== undefined);
    if (labels) this.addJsonPatch(JsonPatch.add('/metadata/labels', labels.token));
    if (annotations) this.addJsonPatch(JsonPatch.add('/metadata/annotations', annotations.token));
    if (when) TemplatedObject.conditions.set(this, when);
    if (requiresServed) {
      const api = `${props.apiVersion}/${props.kind}`;
      this.preamble.push(
        `{{- if and ($.Capabilities.APIVersions.Has "apiregistration.k8s.io/v1") (not ($.Capabilities.APIVersions.Has ${JSON.stringify(api)})) }}`,
        `{{- fail ${JSON.stringify(`${requiresServed.message} (this cluster does not serve ${api})`)} }}`,
        '{{- end }}',
      );
    }
    for (const c of checks ?? []) this.preamble.push(`{{- ${includeExpr(c)} }}`);
  }
  static conditionOf(obj: ApiObject): Condition | undefined {
    return TemplatedObject.conditions.get(obj);
  }
}

/** A chart under construction. `tpl(name)` names a template of this chart's helper library. */
export class HelmChart extends Chart {
  readonly recorder: RefRecorder;
  private readonly defines = new Map<string, string>();
  private readonly templateFiles = new Set<string>();
  private readonly constantValues = new Map<string, LibraryConstant>();
  constructor(readonly chartName: string) {
    const recorder = new RefRecorder();
    const app = new App({ outdir: '/dev/null', resolvers: [recorder, new LazyResolver(), new ImplicitTokenResolver(), new NumberStringUnionResolver()] });
    super(app, chartName, { disableResourceNameHashes: true });
    this.recorder = recorder;
  }

  /** The chart-qualified name of a named template. */
  tpl(name: string): string {
    return `${this.chartName}.${name}`;
  }
  /** A condition that holds while this chart's template `name` prints "true" (given {root, values}). */
  holds(name: string, values?: ValueRef): Condition {
    return cond.include(this.tpl(name), values);
  }
  include(name: string, args?: Record<string, IncludeArg>): IncludeRef {
    return include(this.tpl(name), args);
  }
  includeScalar(name: string, args?: Record<string, IncludeArg>): IncludeRef {
    return includeScalar(this.tpl(name), args);
  }
  includeItems(name: string, args?: Record<string, IncludeArg>): IncludeRef {
    return includeItems(this.tpl(name), args);
  }

  /**
   * Defines a named template that prints a string built from literal parts and scalar refs, so
   * that derived names (Service hosts, endpoints) are written once and included everywhere.
   */
  defineString(name: string, parts: (string | Ref)[]): IncludeRef {
    const full = this.tpl(name);
    if (!this.defines.has(full)) {
      const body = parts.map((p) => (typeof p === 'string' ? p.replace(/{{/g, '{{ "{{" }}') : `{{ ${printOperandOf(p, `define ${full}`)} }}`)).join('');
      this.defines.set(full, `{{- define "${full}" -}}\n${body}\n{{- end -}}`);
    }
    return includeScalar(full);
  }

  /**
   * Registers files of named templates (`*.tpl`, absolute paths) that this chart's objects include,
   * and the `@NAME@` constants they read: each component registers its own, so a chart ships only
   * the components it composes. Two components may register one constant only with one value.
   */
  useTemplates(files: string[], constants: Record<string, LibraryConstant> = {}): void {
    for (const f of files) this.templateFiles.add(f);
    for (const [name, value] of Object.entries(constants)) {
      const known = this.constantValues.get(name);
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(value))
        throw new Error(`constant @${name}@ registered with two values: ${JSON.stringify(known)} and ${JSON.stringify(value)}`);
      this.constantValues.set(name, value);
    }
  }

  /** The constants the registered templates read. */
  get constants(): Record<string, LibraryConstant> {
    return Object.fromEntries(this.constantValues);
  }

  /** The registered template files, in a stable order. */
  get helperFiles(): string[] {
    return [...this.templateFiles].sort();
  }

  /** Named templates defined from TypeScript, in definition order. */
  get definitions(): string[] {
    return [...this.defines.values()];
  }

  /** Template files: path under templates/ -> text. */
  renderTemplates(): Map<string, string> {
    const files = new Map<string, string[]>();
    for (const obj of this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
      const scopes = obj.node.scopes.filter((s): s is TemplateScope => s instanceof TemplateScope);
      const file = [...scopes].reverse().find((s) => s.opts.file)?.opts.file;
      if (!file) throw new Error(`${obj.node.path}: object is outside any TemplateScope with a file`);
      const conditions = [...scopes.map((s) => s.opts.when), TemplatedObject.conditionOf(obj)].filter((c): c is Condition => c !== undefined);
      const json = obj.toJson();
      const expected = [...this.recorder.refsOf(obj), ...(obj instanceof TemplatedObject ? (obj as TemplatedObject).metaRefs : [])];
      const where = `${obj.kind}/${obj.node.path}`;
      const preamble = obj instanceof TemplatedObject ? (obj as TemplatedObject).preamble.join('\n') : '';
      const text = emitObject(json, where, conditions.length ? cond.and(...conditions) : undefined, expected, preamble);
      files.set(file, [...(files.get(file) ?? []), text]);
    }
    return new Map([...files].map(([f, docs]) => [f, docs.map((d) => `${d}\n`).join('---\n')]));
  }
}
