// Runs the real Helm 4 and Helm 3 that scripts/helm.js resolves (HELM / HELM3, the npm-bundled
// binaries, or builds from the Go module proxy).
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ResolvedHelm, helmEnv, resolveHelm } from '../../scripts/helm';

export const ROOT = path.resolve(__dirname, '..', '..');

export type Helm = ResolvedHelm;

export const HELMS: Helm[] = [resolveHelm('helm4'), resolveHelm('helm3')];

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runHelm(helm: Helm, args: string[], cwd = ROOT): HelmResult {
  const r = spawnSync(helm.bin, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ...helmEnv(ROOT) },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export interface TemplateOptions {
  release?: string;
  namespace?: string;
  valuesFiles?: string[];
  set?: Record<string, string>;
  /** Only render these templates (paths relative to the chart, e.g. templates/gateway.yaml). */
  showOnly?: string[];
}

export function helmTemplate(helm: Helm, chartDir: string, o: TemplateOptions = {}): HelmResult {
  const args = ['template', o.release ?? 'ollyscale-otel', chartDir, '--namespace', o.namespace ?? 'otel-system'];
  for (const f of o.valuesFiles ?? []) args.push('-f', f);
  for (const [k, v] of Object.entries(o.set ?? {})) args.push('--set', `${k}=${v}`);
  for (const s of o.showOnly ?? []) args.push('--show-only', s);
  // Many suites render the same scenarios: a render is kept under the hash of everything it reads
  // (the Helm binary, the arguments, the chart's files and the values files' contents).
  const key = createHash('sha256')
    .update(JSON.stringify([helm.bin, fs.statSync(helm.bin).mtimeMs, args, chartHash(chartDir)]))
    .update((o.valuesFiles ?? []).map((f) => fs.readFileSync(f, 'utf8')).join('\0'))
    .digest('hex');
  const file = path.join(RENDER_CACHE, `${key}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const r = runHelm(helm, args);
  fs.mkdirSync(RENDER_CACHE, { recursive: true });
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(r));
  fs.renameSync(tmp, file);
  return r;
}

const RENDER_CACHE = path.join(ROOT, '.cache', 'helm-template');

const chartHashes = new Map<string, string>();

/** A hash of every file of a chart folder (or a packaged chart), remembered while no file of it changes. */
function chartHash(chartDir: string): string {
  const files: string[] = [];
  const visit = (p: string): void => {
    if (fs.statSync(p).isFile()) files.push(p);
    else for (const e of fs.readdirSync(p).sort()) visit(path.join(p, e));
  };
  visit(chartDir);
  const stamp = JSON.stringify(files.map((f) => [f, fs.statSync(f).mtimeMs, fs.statSync(f).size]));
  const known = chartHashes.get(stamp);
  if (known) return known;
  const h = createHash('sha256');
  for (const f of files) h.update(f).update(fs.readFileSync(f));
  const digest = h.digest('hex');
  chartHashes.set(stamp, digest);
  return digest;
}
/** Parses `helm template` output into its non-empty documents. */
export function parseManifests(stdout: string): any[] {
  return parseAllDocuments(stdout)
    .map((d) => {
      if (d.errors.length) throw new Error(`rendered YAML does not parse: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter((d) => d != null);
}
