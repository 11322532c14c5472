// `make operator`: the OpenTelemetry Operator that test/operator.test.ts runs against the test API
// server, built once with `go install` from the Go module proxy and cached in
// .cache/operator/<version>/ (git-ignored). OPENTELEMETRY_OPERATOR=/path/to/binary uses an existing
// binary instead. Prints the binary's path.
//
// The version is not the one whose CRDs are vendored (test/reference/opentelemetry-operator-0.158.0/):
// the Go module proxy refuses v0.158.0 (and v0.157.0, v0.150.0, v0.100.0) with 403 "This module
// version is not available"; v0.140.0 is the newest release it serves. The test applies the 0.158.0
// CRDs and this operator reads our resources through its own (0.140.0) Go types; what it does not
// know of them is reported by the test.
//
// `go install module@version` also asks the proxy for the module's version list (to look for a
// deprecation notice in the newest go.mod), and the proxy refuses that list too. So the module is
// first fetched on its own (`go mod download`, which the proxy serves), then offered to `go install`
// from a file proxy holding only this module and only this version, listed before the real proxy:
// the deprecation check reads v0.140.0's own go.mod (no notice), everything else comes from the
// real proxy, checksums verified as usual. The module has no replace directives, so `go install`
// builds exactly what the module's go.mod selects.
//
// Version stamps are the ones the Operator's Makefile sets (from the module's versions.txt): without
// them the Operator reports 0.0.0 as its own and its collector's version.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';

const ROOT = path.resolve(__dirname, '..');
const MODULE = 'github.com/open-telemetry/opentelemetry-operator';
/** The newest release of the Operator the Go module proxy serves (see above). */
export const OPERATOR_VERSION = 'v0.140.0';
const BIN_NAME = 'opentelemetry-operator';

const GO_ENV = { ...process.env, CGO_ENABLED: '0' };

/** The Makefile's OPERATOR_LDFLAGS: internal/version variable <- versions.txt key. */
const VERSION_STAMPS: Record<string, string> = {
  version: 'operator',
  otelCol: 'opentelemetry-collector',
  targetAllocator: 'targetallocator',
  operatorOpAMPBridge: 'operator-opamp-bridge',
  autoInstrumentationJava: 'autoinstrumentation-java',
  autoInstrumentationNodeJS: 'autoinstrumentation-nodejs',
  autoInstrumentationPython: 'autoinstrumentation-python',
  autoInstrumentationDotNet: 'autoinstrumentation-dotnet',
  autoInstrumentationGo: 'autoinstrumentation-go',
  autoInstrumentationApacheHttpd: 'autoinstrumentation-apache-httpd',
  autoInstrumentationNginx: 'autoinstrumentation-nginx',
};

export function operatorCacheDir(version = OPERATOR_VERSION): string {
  return path.join(ROOT, '.cache', 'operator', version);
}

/**
 * Files of the Operator's module the test needs beside the binary, copied into the cache folder:
 * the TargetAllocator CRD (the collector controller owns TargetAllocators and does not start
 * without their CRD, which the vendored 0.158.0 CRDs do not include) and the Operator's webhook
 * configurations (to serve its admission webhooks).
 */
export const MODULE_FILES = {
  targetAllocatorCrd: 'config/crd/bases/opentelemetry.io_targetallocators.yaml',
  webhooks: 'config/webhook/manifests.yaml',
} as const;

/** The Operator without building: OPENTELEMETRY_OPERATOR, or the cached build (null if none). */
export function findOperator(): string | null {
  if (process.env.OPENTELEMETRY_OPERATOR) return path.resolve(process.env.OPENTELEMETRY_OPERATOR);
  const bin = path.join(operatorCacheDir(), BIN_NAME);
  return fs.existsSync(bin) ? bin : null;
}

function go(args: string[], env: NodeJS.ProcessEnv = GO_ENV): string {
  const r = spawnSync('go', args, { env, encoding: 'utf8', cwd: operatorCacheDir(), maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`go could not start: ${r.error.message} (the Operator is built with Go; or set OPENTELEMETRY_OPERATOR=/path/to/binary)`);
  if (r.status !== 0) throw new Error(`go ${args[0]} ${args[1] ?? ''} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A module path as the proxy protocol spells it (an upper-case letter becomes '!' and the lower-case one). */
function escapePath(p: string): string {
  return p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** The -X flags of the Makefile, from the module's versions.txt. */
function versionStamps(moduleDir: string): string[] {
  const versions = Object.fromEntries(
    fs
      .readFileSync(path.join(moduleDir, 'versions.txt'), 'utf8')
      .split('\n')
      .map((l) => /^([\w-]+)=(\S+)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m != null)
      .map((m) => [m[1], m[2]]),
  );
  return Object.entries(VERSION_STAMPS)
    .filter(([, key]) => versions[key])
    .map(([v, key]) => `-X ${MODULE}/internal/version.${v}=${versions[key]}`);
}

interface Download {
  Info: string;
  GoMod: string;
  Zip: string;
  Dir: string;
  Error?: string;
}

/** The module in the Go module cache (`go mod download`, which the proxy serves for this version). */
function download(): Download {
  const dl = JSON.parse(go(['mod', 'download', '-json', `${MODULE}@${OPERATOR_VERSION}`])) as Download;
  if (dl.Error) throw new Error(`go mod download ${MODULE}@${OPERATOR_VERSION}: ${dl.Error}`);
  return dl;
}

function copyModuleFiles(moduleDir: string): void {
  for (const rel of Object.values(MODULE_FILES)) {
    const to = path.join(operatorCacheDir(), 'module', rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(moduleDir, rel), to);
  }
}

/** A file of the Operator's module (MODULE_FILES), from the cache folder (fetched with Go if it is not there). */
export function operatorModuleFile(key: keyof typeof MODULE_FILES): string {
  const file = path.join(operatorCacheDir(), 'module', MODULE_FILES[key]);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(operatorCacheDir(), { recursive: true });
    copyModuleFiles(download().Dir);
  }
  return file;
}

/** Builds the Operator into its cache folder unless it is there (a cold build takes minutes). */
export function buildOperator(): string {
  const found = findOperator();
  if (found) return found;
  const dir = operatorCacheDir();
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  console.error(
    `operator: building the OpenTelemetry Operator ${OPERATOR_VERSION} (about 4 minutes on 2 cores with an empty Go build cache; seconds when it is warm)`,
  );
  const dl = download();
  // The one-module file proxy (see the header).
  const proxy = path.join(dir, 'proxy');
  const at = path.join(proxy, escapePath(MODULE), '@v');
  fs.rmSync(proxy, { recursive: true, force: true });
  fs.mkdirSync(at, { recursive: true });
  fs.copyFileSync(dl.Info, path.join(at, `${OPERATOR_VERSION}.info`));
  fs.copyFileSync(dl.GoMod, path.join(at, `${OPERATOR_VERSION}.mod`));
  fs.copyFileSync(dl.Zip, path.join(at, `${OPERATOR_VERSION}.zip`));
  fs.writeFileSync(path.join(at, 'list'), `${OPERATOR_VERSION}\n`);
  const goproxy = go(['env', 'GOPROXY']).trim() || 'https://proxy.golang.org,direct';
  const tmp = path.join(dir, 'partial');
  fs.rmSync(tmp, { recursive: true, force: true });
  const ldflags = ['-s', '-w', ...versionStamps(dl.Dir)].join(' ');
  go(['install', '-trimpath', `-ldflags=${ldflags}`, `${MODULE}@${OPERATOR_VERSION}`], {
    ...GO_ENV,
    GOBIN: tmp,
    GOPROXY: `${pathToFileURL(proxy).href},${goproxy}`,
  });
  fs.renameSync(path.join(tmp, BIN_NAME), path.join(dir, BIN_NAME));
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(proxy, { recursive: true, force: true });
  copyModuleFiles(dl.Dir);
  console.error(`operator: built in ${Math.round((Date.now() - started) / 1000)} s`);
  return path.join(dir, BIN_NAME);
}

if (require.main === module) {
  try {
    console.log(buildOperator());
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
