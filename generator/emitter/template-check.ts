// Generation-time checks of a chart's Go templates, so string coupling between TypeScript and the
// templates fails `make charts` instead of a user's install: every `include` names a template the
// chart defines, and every `.Values` path exists in the chart's values model. It also keeps only the
// helper templates the chart reaches, so no chart ships another chart's helpers.
import { Field, ObjectField } from '../values/model';

interface Action {
  start: number;
  end: number;
  /** The action's text without delimiters, trim markers and surrounding space. */
  body: string;
}

/** A `define` block with the comments and blank lines that precede it. */
interface Definition {
  name: string;
  /** The whole chunk: leading comments, `define`, body, `end`. */
  text: string;
}

function actions(text: string): Action[] {
  return [...text.matchAll(/\{\{([\s\S]*?)\}\}/g)].map((m) => ({
    start: m.index!,
    end: m.index! + m[0].length,
    body: m[1].replace(/^-\s*/, '').replace(/\s*-$/, '').trim(),
  }));
}

const OPENS = /^(define|if|range|with|block)\b/;

/** Splits helper text into its `define` blocks; anything else between them must be comments. */
export function definitions(text: string, file: string): Definition[] {
  const out: Definition[] = [];
  let depth = 0;
  let chunkStart = 0;
  let name = '';
  for (const a of actions(text)) {
    if (a.body.startsWith('/*')) continue;
    if (OPENS.test(a.body)) {
      if (depth === 0) {
        const m = /^define\s+"([^"]+)"$/.exec(a.body);
        if (!m) throw new Error(`${file}: only define blocks may stand at the top level of a helper file, found {{ ${a.body} }}`);
        name = m[1];
      }
      depth++;
    } else if (/^end\b/.test(a.body)) {
      depth--;
      if (depth === 0) {
        out.push({ name, text: text.slice(chunkStart, a.end).replace(/^\n+/, '') });
        chunkStart = a.end;
      }
    }
  }
  if (depth !== 0) throw new Error(`${file}: unbalanced {{ end }}`);
  return out;
}

/** Names a text includes; a computed name (`printf "x.%s.config"`) becomes a pattern. */
function includes(text: string): (string | RegExp)[] {
  const out: (string | RegExp)[] = [];
  for (const a of actions(text)) {
    for (const m of a.body.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) out.push(m[1]);
    for (const m of a.body.matchAll(/\binclude\s+\(printf\s+"([^"]+)"/g))
      out.push(
        new RegExp(
          `^${m[1]
            .split('%s')
            .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^.]+')}$`,
        ),
      );
  }
  return out;
}

/** Whether `path` (after `.Values`) exists in the model; below a map, list or free-form field anything goes. */
function inModel(model: Field, path: string[]): boolean {
  let field: Field = model;
  for (const key of path) {
    if (!(field instanceof ObjectField)) return field.kind === 'map' || field.kind === 'freeform' || field.kind === 'list';
    const next = (field.props as Record<string, Field>)[key];
    if (!next) return false;
    field = next;
  }
  return true;
}

export interface TemplateSource {
  file: string;
  text: string;
}

export interface CheckedTemplates {
  /** The helpers reached from the chart's templates, in their original order. */
  helpers: string;
  errors: string[];
}

/**
 * Follows `include`s from the chart's templates through the helper definitions, keeping the reached
 * ones, and reports every include of an undefined template and every `.Values` path the model lacks.
 */
export function checkTemplates(templates: TemplateSource[], helpers: TemplateSource[], model: ObjectField): CheckedTemplates {
  const defs = helpers.flatMap((h) => definitions(h.text, h.file).map((d) => ({ ...d, file: h.file })));
  const errors: string[] = [];
  const reached = new Set<string>();
  const queue: { file: string; text: string }[] = [...templates];
  while (queue.length) {
    const { file, text } = queue.shift()!;
    for (const name of includes(text)) {
      const found = defs.filter((d) => (typeof name === 'string' ? d.name === name : name.test(d.name)));
      if (found.length === 0)
        errors.push(`${file}: includes ${typeof name === 'string' ? `"${name}"` : `a template matching ${name}`}, which this chart does not define`);
      for (const d of found) if (!reached.has(d.name) && reached.add(d.name)) queue.push({ file: `${d.file} (define "${d.name}")`, text: d.text });
    }
    // Template names carried as data (a JSON constant a template ranges over and includes by name).
    for (const m of text.matchAll(/\\"([^"\\]+)\\"/g)) {
      const d = defs.find((x) => x.name === m[1]);
      if (d && !reached.has(d.name) && reached.add(d.name)) queue.push({ file: `${d.file} (define "${d.name}")`, text: d.text });
    }
    for (const m of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const path = m[1].slice(1).split('.');
      if (!inModel(model, path)) errors.push(`${file}: reads .Values.${path.join('.')}, which is not in the chart's values model`);
    }
  }
  return {
    helpers: defs
      .filter((d) => reached.has(d.name))
      .map((d) => d.text)
      .join('\n\n'),
    errors: [...new Set(errors)],
  };
}
