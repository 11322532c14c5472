// The native runtime does what the Operator did for us; what spans more than one render is checked
// here (single renders are in test/unittest/*/native_test.yaml).
import * as path from 'path';
import { HELMS, ROOT, helmTemplate, parseManifests } from './harness/helm';

const CHART = path.join(ROOT, 'charts', 'ollyscale-otel');

function native(set: Record<string, string> = {}) {
  const r = helmTemplate(HELMS[0], CHART, { set: { collectorRuntime: 'native', ...set } });
  if (r.code !== 0) throw new Error(r.stderr);
  return parseManifests(r.stdout);
}
const checksums = (docs: any[]) =>
  Object.fromEntries(
    docs.filter((d) => ['Deployment', 'DaemonSet'].includes(d.kind)).map((d) => [d.metadata.name, d.spec.template.metadata.annotations['checksum/config']]),
  );

test('a configuration change rolls exactly the pods whose configuration changed', () => {
  const before = checksums(native());
  const after = checksums(native({ 'gatewayCollector.tailSampling.decisionWait': '5s' }));
  expect(Object.keys(before).sort()).toEqual(['agent-collector', 'gateway-collector', 'ollyscale-browser-collector']);
  expect(after['gateway-collector']).not.toBe(before['gateway-collector']);
  expect(after['agent-collector']).toBe(before['agent-collector']);
  expect(after['ollyscale-browser-collector']).toBe(before['ollyscale-browser-collector']);
  // A value outside the configuration leaves every checksum as it was.
  expect(checksums(native({ 'gatewayCollector.podAnnotations.team': 'a' }))).toEqual(before);
});

test('global.imagePullSecrets reach every collector pod', () => {
  const docs = native({ 'global.imagePullSecrets[0].name': 'registry' });
  const pods = docs.filter((d) => ['Deployment', 'DaemonSet'].includes(d.kind)).map((d) => [d.metadata.name, d.spec.template.spec.imagePullSecrets]);
  expect(pods).toEqual(pods.map(([name]) => [name, [{ name: 'registry' }]]));
});

test('the Instrumentation resource is still rendered (NOTES.txt says it needs the Operator: notes.test.ts)', () => {
  expect(native().map((d) => d.kind)).toContain('Instrumentation');
});
