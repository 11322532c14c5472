// `make otelcol`: the OpenTelemetry Collector the tests run, built once with the Collector Builder
// from the Go module proxy and cached in .cache/otelcol/<key>/ (git-ignored). Its components are the
// charts' own (generator/distribution) plus what the test harness needs. OTELCOL=/path/to/binary
// uses an existing binary instead. Prints the binary's path.
//
// A component module the proxy refuses is dropped from the build and recorded, with the proxy's
// error, in unavailable.json beside the binary; the tests report every configuration that needs it.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { CHART_COMPONENTS, COLLECTOR_RELEASE, CollectorComponent, SECTIONS } from '../generator/distribution';

const ROOT = path.resolve(__dirname, '..');
const CONTRIB = 'github.com/open-telemetry/opentelemetry-collector-contrib';

/** Components the test harness adds: capture destinations write what they receive to files. */
export const HARNESS_COMPONENTS: readonly CollectorComponent[] = [{ kind: 'exporter', type: 'file', module: `${CONTRIB}/exporter/fileexporter` }];

export interface Unavailable {
  module: string;
  version: string;
  error: string;
}

export interface Otelcol {
  bin: string;
  /** 'OTELCOL' when the user gave the binary, else 'built'. */
  source: 'OTELCOL' | 'built';
  /** Component modules the proxy refused (empty for a user-given binary). */
  unavailable: Unavailable[];
}

const GO_ENV = { ...process.env, CGO_ENABLED: '0' };
// No VCS stamp: the sources live in a git-ignored folder of this repository, not in a module of their own.
const BUILD_FLAGS = ['-trimpath', '-buildvcs=false', '-ldflags=-s -w'];

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env: GO_ENV, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message} (make otelcol needs Go; or set OTELCOL=/path/to/otelcol)`);
  return { code: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

function goVersion(): string {
  return run('go', ['env', 'GOVERSION'], ROOT).out.trim();
}

function manifest(components: readonly CollectorComponent[], outputPath: string): string {
  const sections: Record<string, { gomod: string }[]> = {};
  for (const comp of components) (sections[SECTIONS[comp.kind]] ??= []).push({ gomod: `${comp.module} v${comp.version ?? COLLECTOR_RELEASE.version}` });
  const dist = {
    name: 'otelcol-ollyscale',
    description: 'OpenTelemetry Collector with the components of the ollyscale charts',
    output_path: outputPath,
    version: COLLECTOR_RELEASE.version,
  };
  return stringify({ dist, ...sections });
}

const ALL = [...CHART_COMPONENTS, ...HARNESS_COMPONENTS];

/** The cache folder: one per component list, release and Go version, so a change rebuilds. */
export function cacheDir(): string {
  const key = createHash('sha256')
    .update(JSON.stringify([ALL, COLLECTOR_RELEASE, BUILD_FLAGS, process.platform, process.arch]))
    .update(goVersion())
    .digest('hex')
    .slice(0, 12);
  return path.join(ROOT, '.cache', 'otelcol', key);
}

/** The collector the tests use, without building: OTELCOL, or the cached build (null if none). */
export function findOtelcol(dir = cacheDir()): Otelcol | null {
  if (process.env.OTELCOL) return { bin: path.resolve(process.env.OTELCOL), source: 'OTELCOL', unavailable: [] };
  const bin = path.join(dir, 'otelcol');
  if (!fs.existsSync(bin)) return null;
  return { bin, source: 'built', unavailable: JSON.parse(fs.readFileSync(path.join(dir, 'unavailable.json'), 'utf8')) };
}

/** Modules `go mod tidy` could not fetch, with the proxy's answer (the URL left out). */
export function refusedModules(output: string): Unavailable[] {
  const out = new Map<string, Unavailable>();
  const re = /([\w.~/-]+)@(v[\w.+-]+): reading \S+: ([^\n]+?)\s*(?:\n\s*server response: ([^\n]+))?(?=\n|$)/g;
  for (const m of output.matchAll(re)) out.set(m[1], { module: m[1], version: m[2], error: [m[3], m[4]].filter(Boolean).join(': ') });
  return [...out.values()];
}

function builder(dir: string): string {
  const bin = path.join(dir, 'bin', 'builder');
  if (fs.existsSync(bin)) return bin;
  console.error(`otelcol: installing the Collector Builder v${COLLECTOR_RELEASE.version}`);
  const r = spawnSync('go', ['install', `go.opentelemetry.io/collector/cmd/builder@v${COLLECTOR_RELEASE.version}`], {
    env: { ...GO_ENV, GOBIN: path.dirname(bin) },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`go install of the Collector Builder failed:\n${r.stderr}`);
  return bin;
}

/** Generates the sources and a tidy go.mod, dropping (and recording) component modules the proxy refuses. */
function generate(dir: string, src: string): Unavailable[] {
  const ocb = builder(dir);
  const unavailable: Unavailable[] = [];
  let components = ALL;
  for (;;) {
    const file = path.join(dir, 'manifest.yaml');
    fs.writeFileSync(file, manifest(components, src));
    console.error(`otelcol: generating sources and go.mod for ${components.length} components`);
    const r = run(ocb, ['--config', file, '--skip-compilation'], dir);
    if (r.code === 0) return unavailable;
    // `go mod download` of the whole module graph also fetches Windows-only modules the proxy may
    // refuse; the Linux build below downloads exactly what it compiles, so only tidy must pass.
    if (/failed to download go modules/.test(r.out)) return unavailable;
    const refused = refusedModules(r.out).filter((u) => components.some((comp) => comp.module === u.module));
    if (!/failed to update go.mod/.test(r.out) || refused.length === 0) throw new Error(`the Collector Builder failed:\n${r.out}`);
    for (const u of refused) console.error(`otelcol: NOT BUILT: ${u.module} ${u.version}: ${u.error}`);
    unavailable.push(...refused);
    components = components.filter((comp) => !refused.some((u) => u.module === comp.module));
  }
}

export function buildOtelcol(): Otelcol {
  const found = findOtelcol();
  if (found) return found;
  const dir = cacheDir();
  const src = path.join(dir, 'src');
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const unavailable = generate(dir, src);
  console.error('otelcol: compiling (a few minutes on a cold Go build cache)');
  const tmp = path.join(dir, 'otelcol.partial');
  const r = run('go', ['build', ...BUILD_FLAGS, '-o', tmp, '.'], src);
  if (r.code !== 0) throw new Error(`go build of the collector failed:\n${r.out}`);
  fs.writeFileSync(path.join(dir, 'unavailable.json'), `${JSON.stringify(unavailable, null, 2)}\n`);
  fs.renameSync(tmp, path.join(dir, 'otelcol'));
  console.error(`otelcol: built in ${Math.round((Date.now() - started) / 1000)} s`);
  return findOtelcol(dir)!;
}

if (require.main === module) {
  try {
    const o = buildOtelcol();
    for (const u of o.unavailable) console.error(`otelcol: not in this build (the proxy refused it): ${u.module} ${u.version}: ${u.error}`);
    console.log(o.bin);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
