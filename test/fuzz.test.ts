// Values fuzzing: seeded, bounded mutations of valid values files (the charts' defaults and every
// example), each rendered by Helm 4. Whatever Helm accepts must render objects that pass the
// Kubernetes and Operator CRD schemas (test/harness/validate-k8s.ts) and collector configurations
// that the real collector validates (with the shims charts.test.ts applies); whatever it refuses
// must exit non-zero with a message. A random subset is also rendered by Helm 3, which must agree
// (same exit status; same output when both accept).
//
//   FUZZ_SEED   seed of the run (default below, so CI is deterministic)
//   FUZZ_RUNS   number of mutated values files (default 75; more with FUZZ_RUNS, e.g. 300 before a release)
//   FUZZ_CASE   replay only this case of the seed (as printed with a failure)
//   FUZZ_HELM3  fraction of cases also rendered by Helm 3 (default 0.2)
//   FUZZ_MINIMISE=0  do not minimise failing values files
//   FUZZ_KINDS  only these mutation kinds, comma-separated (test/harness/fuzz.ts KINDS)
//
// What is mutated, and what is not (test/harness/fuzz.ts allowedKinds): everything, except inside
// the user's own collector syntax, which the chart passes on and cannot check as the collector
// does: a collector's `config` is mutated down to its components (delete, null, copy under a new
// id), a sampling policy down to its `type`, `enabled` and block keys, an OTTL statement in its type
// and presence only.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { HELMS, helmTemplate, parseManifests } from './harness/helm';
import { chartNames, RUNTIMES, scenarios, Scenario } from './harness/scenarios';
import { validateObject } from './harness/validate-k8s';
import { renderedCollectors } from './harness/collectors';
import { otelcol, validate } from './harness/otelcol';
import { VALIDATE_SHIMS, describeShims } from './harness/cluster-shims';
import { FuzzContext, KINDS, Mutation, Path, allPaths, caseSeed, isMap, mulberry32, mutateOnce } from './harness/fuzz';

const DEFAULT_SEED = 20260711;
const envNum = (name: string, def: number) => (process.env[name] !== undefined && process.env[name] !== '' ? Number(process.env[name]) : def);
const SEED = envNum('FUZZ_SEED', DEFAULT_SEED) >>> 0;
const RUNS = envNum('FUZZ_RUNS', 75);
const ONLY = process.env.FUZZ_CASE ? Number(process.env.FUZZ_CASE) : undefined;
const HELM3_RATE = envNum('FUZZ_HELM3', 0.2);
const MINIMISE = process.env.FUZZ_MINIMISE !== '0';
const KINDS_ONLY = process.env.FUZZ_KINDS ? process.env.FUZZ_KINDS.split(',').map((k) => k.trim()) : undefined;
/** Renders spent on minimising failures, at most. */
const MINIMISE_BUDGET = 200;

const [helm4, helm3] = HELMS;
// Values files are named by their content in a fixed folder: helmTemplate keeps renders under the
// hash of their arguments and inputs (.cache/helm-template), so a re-run of the same seed reuses them
// instead of adding renders nobody reads again. The files are left for other runs (a few KB).
const VALUES_DIR = path.join(os.tmpdir(), 'ollyscale-fuzz-values');

interface Base {
  scenario: Scenario;
  /** The example's values (empty for the defaults). */
  values: Record<string, any>;
}

const bases: Base[] = chartNames().flatMap((chart) =>
  scenarios(chart).map((scenario) => ({ scenario, values: scenario.valuesFile ? (parse(fs.readFileSync(scenario.valuesFile, 'utf8')) ?? {}) : {} })),
);

const contexts = new Map<string, FuzzContext>();
function contextOf(chart: string, chartDir: string): FuzzContext {
  let ctx = contexts.get(chart);
  if (ctx) return ctx;
  const defaults = parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));
  const schema = JSON.parse(fs.readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8'));
  // The generated configuration of each collector, to remove its components through `config`.
  const r = helmTemplate(helm4, chartDir);
  if (r.code !== 0) throw new Error(`${chart}: the defaults do not render:\n${r.stderr}`);
  const keyOf = new Map<string, string>(
    chart === 'otel-gateway'
      ? [[defaults.name, '']]
      : ['agentCollector', 'gatewayCollector', 'browserCollector'].map((k) => [defaults[k].name, k] as [string, string]),
  );
  const generatedComponents = new Map<string, string[]>();
  for (const c of renderedCollectors(parseManifests(r.stdout))) {
    const key = keyOf.get(c.name);
    if (key === undefined) continue;
    generatedComponents.set(
      key,
      Object.entries<any>(c.config)
        .filter(([section]) => section !== 'service')
        .flatMap(([section, comps]) => Object.keys(comps ?? {}).map((id) => `${section}.${id}`)),
    );
  }
  ctx = { chart, schema, defaults, generatedComponents };
  contexts.set(chart, ctx);
  return ctx;
}

interface Case {
  index: number;
  base: Base;
  mutations: Mutation[];
  values: Record<string, any>;
  helm3: boolean;
}

/** Case `i` of the run: a base, a runtime, and one to three mutations, all from the case's own seed. */
function makeCase(index: number): Case {
  const rng = mulberry32(caseSeed(SEED, index));
  const base = rng.pick(bases);
  const ctx = contextOf(base.scenario.chart, base.scenario.chartDir);
  const values = structuredClone(base.values);
  values.collectorRuntime ??= rng.pick(RUNTIMES);
  const want = rng.pick([1, 1, 1, 1, 2, 2, 3]);
  const mutations: Mutation[] = [];
  for (let tries = 0; mutations.length < want && tries < 20; tries++) {
    const m = mutateOnce(rng, ctx, values, KINDS_ONLY);
    if (m) mutations.push(m);
  }
  return { index, base, mutations, values, helm3: rng.chance(HELM3_RATE) };
}

// ---------------------------------------------------------------------------------------------
// Rendering and judging one values file.

const objectErrors = new Map<string, string[]>();
const collectorResults = new Map<string, string | undefined>();
let validatedConfigs = 0;

interface Outcome {
  accepted: boolean;
  /** What is broken (empty: nothing). */
  failures: string[];
}

function render(helm: (typeof HELMS)[number], s: Scenario, values: Record<string, any>) {
  const text = stringify(values);
  const file = path.join(VALUES_DIR, `values-${crypto.createHash('sha256').update(text).digest('hex').slice(0, 20)}.yaml`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(VALUES_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  }
  return helmTemplate(helm, s.chartDir, { namespace: s.namespace, valuesFiles: [file] });
}

function judge(s: Scenario, values: Record<string, any>, withHelm3: boolean): Outcome {
  const r = render(helm4, s, values);
  const failures: string[] = [];
  if (/panic:|goroutine \d+/.test(r.stderr)) failures.push(`${helm4.name} panicked:\n${r.stderr}`);
  if (withHelm3) {
    const r3 = render(helm3, s, values);
    if ((r3.code === 0) !== (r.code === 0))
      failures.push(
        `${helm4.name} ${r.code === 0 ? 'accepts' : 'refuses'} but ${helm3.name} ${r3.code === 0 ? 'accepts' : 'refuses'}:\n${(r.code === 0 ? r3 : r).stderr}`,
      );
    else if (r.code === 0 && r3.stdout !== r.stdout) failures.push(`${helm4.name} and ${helm3.name} render differently`);
  }
  if (r.code !== 0) {
    if (!/\S/.test(r.stderr)) failures.push(`${helm4.name} refuses (exit ${r.code}) without a message`);
    return { accepted: false, failures };
  }
  let docs: any[];
  try {
    docs = parseManifests(r.stdout);
  } catch (e) {
    return { accepted: true, failures: [...failures, String(e)] };
  }
  for (const doc of docs) {
    const key = JSON.stringify(doc);
    if (!objectErrors.has(key)) objectErrors.set(key, validateObject(doc));
    failures.push(...objectErrors.get(key)!.map((e) => `Kubernetes: ${e}`));
  }
  let collectors;
  try {
    collectors = renderedCollectors(docs);
  } catch (e) {
    return { accepted: true, failures: [...failures, `the rendered collectors cannot be read: ${e}`] };
  }
  for (const c of collectors) {
    const key = JSON.stringify(c);
    if (!collectorResults.has(key)) {
      const v = validate(c);
      validatedConfigs++;
      collectorResults.set(key, v.ok ? undefined : v.message);
    }
    const refused = collectorResults.get(key);
    if (refused !== undefined) failures.push(`collector ${c.name}: the collector refuses its configuration:\n${refused}`);
  }
  return { accepted: true, failures };
}

/**
 * What identifies a failure across minimisation: the object's error, or the collector's error lines
 * without the collector's name (the same error may move from a collector to another, e.g. the Kafka
 * consumer to the gateway, as keys are dropped).
 */
const signature = (failure: string) => {
  const lines = failure.split('\n');
  if (!lines[0].startsWith('collector ')) return lines[0];
  const errors = lines.slice(1).filter((l) => /\S/.test(l));
  return `collector: ${errors.find((l) => /error/i.test(l)) ?? ''} … ${errors[errors.length - 1] ?? ''}`;
};

let minimiseBudget = MINIMISE_BUDGET;

/** Greedily drops keys (whole subtrees first) and list items of the values while the same failure remains. */
function minimise(s: Scenario, values: Record<string, any>, sig: string): Record<string, any> {
  let best = structuredClone(values);
  const stillFails = (v: Record<string, any>) => {
    if (minimiseBudget-- <= 0) return false;
    const o = judge(s, v, false);
    return o.accepted && o.failures.some((f) => signature(f) === sig);
  };
  let changed = true;
  while (changed && minimiseBudget > 0) {
    changed = false;
    for (const { path: p } of allPaths(best)) {
      const candidate = structuredClone(best);
      const parent: any = p.length === 1 ? candidate : p.slice(0, -1).reduce((o: any, k) => o?.[k], candidate);
      if (parent == null) continue;
      const k = p[p.length - 1];
      if (Array.isArray(parent)) parent.splice(Number(k), 1);
      else delete parent[k];
      // An emptied map is dropped with its key, so that the result is as small as it looks.
      pruneEmpty(candidate, p.slice(0, -1));
      if (stillFails(candidate)) {
        best = candidate;
        changed = true;
        break;
      }
    }
  }
  return best;
}

function pruneEmpty(v: Record<string, any>, p: Path) {
  for (let i = p.length; i > 0; i--) {
    const parent: any = p.slice(0, i - 1).reduce((o: any, k) => o?.[k], v);
    const node = parent?.[p[i - 1]];
    if (isMap(node) && Object.keys(node).length === 0 && !Array.isArray(parent)) delete parent[p[i - 1]];
    else break;
  }
}

// ---------------------------------------------------------------------------------------------

test(
  'every mutated values file Helm accepts renders valid objects and collector configurations; every one it refuses fails with a message',
  () => {
    expect(bases.length).toBeGreaterThan(2);
    expect(KINDS_ONLY?.filter((k) => !KINDS.includes(k as any)) ?? []).toEqual([]);
    console.log(
      `fuzz: seed ${SEED} (FUZZ_SEED), ${ONLY !== undefined ? `case ${ONLY} only` : `${RUNS} cases (FUZZ_RUNS)`}, Helm 3 on ${HELM3_RATE * 100}% (FUZZ_HELM3); ` +
        `${bases.length} base values files; collector ${otelcol().bin}, shims:\n${describeShims(VALIDATE_SHIMS)}`,
    );
    const started = Date.now();
    const indexes = ONLY !== undefined ? [ONLY] : [...Array(RUNS).keys()];
    let accepted = 0;
    let refused = 0;
    let helm3Checked = 0;
    const failed: { c: Case; failures: string[] }[] = [];
    const kinds = new Map<string, number>();
    for (const i of indexes) {
      const c = makeCase(i);
      for (const m of c.mutations) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
      const o = judge(c.base.scenario, c.values, c.helm3);
      if (c.helm3) helm3Checked++;
      if (o.accepted) accepted++;
      else refused++;
      if (o.failures.length) failed.push({ c, failures: o.failures });
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz: ${indexes.length} cases in ${seconds}s: ${refused} refused by ${helm4.name}, ${accepted} accepted; ${helm3Checked} also rendered by ${helm3.name}; ` +
        `${validatedConfigs} distinct collector configurations validated, ${objectErrors.size} distinct objects validated; ` +
        `mutations: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; ${failed.length} broken`,
    );
    // The mutations reach both sides of the schema (a run that only ever passed or only ever failed would prove little).
    if (indexes.length >= 50) {
      expect(accepted).toBeGreaterThan(0);
      expect(refused).toBeGreaterThan(0);
      expect(validatedConfigs).toBeGreaterThan(0);
    }
    if (!failed.length) return;

    // Each distinct failure once, with its first case, minimised.
    const seen = new Set<string>();
    const reports = failed.map(({ c, failures }) => {
      const s = c.base.scenario;
      const fresh = failures.filter((f) => !seen.has(signature(f)));
      fresh.forEach((f) => seen.add(signature(f)));
      const header =
        `case ${c.index} (FUZZ_SEED=${SEED} FUZZ_CASE=${c.index}): chart ${s.chart}, base ${s.name}, namespace ${s.namespace}\n` +
        `mutations:\n${c.mutations.map((m) => `  ${m.kind} ${m.path}: ${m.detail}`).join('\n')}\n`;
      if (!fresh.length) return `${header}same failures as an earlier case: ${failures.map(signature).join('; ')}`;
      // Each distinct failure minimised, one minimised file covering those it still shows. Helm's own
      // failures (a panic, a refusal without a message, Helm 3 disagreeing) are not minimised: minimising renders with Helm 4 only.
      let open = MINIMISE ? fresh.filter((f) => !f.startsWith(helm4.name)).map(signature) : [];
      const minimal: { values: Record<string, any>; failures: string[] }[] = [];
      while (open.length && minimiseBudget > 0) {
        const values = minimise(s, c.values, open[0]);
        const shown = judge(s, values, false).failures;
        minimal.push({ values, failures: shown });
        const covered = new Set([open[0], ...shown.map(signature)]);
        open = open.filter((sig) => !covered.has(sig));
      }
      return (
        `${header}values:\n${indent(stringify(c.values))}\n` +
        `broken:\n${fresh.map((f) => indent(f)).join('\n')}` +
        minimal
          .map(
            (m) =>
              `\nminimised values:\n${indent(stringify(m.values))}\n` +
              (m.failures.length
                ? `  which break:\n${m.failures.map((f) => indent(f)).join('\n')}`
                : '  which no longer break (did the charts change during the run?)'),
          )
          .join('')
      );
    });
    throw new Error(`${failed.length} of ${indexes.length} mutated values files break (seed ${SEED}):\n\n${reports.join('\n\n')}`);
  },
  // Alone on two cores a case takes about 0.2 s; minimising a failure costs up to MINIMISE_BUDGET renders more.
  60_000 + RUNS * 2_000 + MINIMISE_BUDGET * 1_000,
);

const indent = (s: string) =>
  s
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
