// Tests of the helm-unittest runner itself: the fixture chart's suites must pass, and assertions
// that should fail must fail with a useful message, with every Helm binary.
import * as path from 'path';
import { stringify } from 'yaml';
import { Helm, HELMS, ROOT } from './helm';
import {
  buildSetValue,
  deepEqual,
  extractRenderError,
  goRegex,
  loadSuites,
  mergeValues,
  parseSuite,
  queryPath,
  runSuite,
  skipReason,
  TestResult,
  UnsupportedError,
} from './unittest-runner';

const CHART = path.join(ROOT, 'test', 'fixtures', 'unittest-chart');

/** Runs an inline suite as if it were a file in the fixture chart's tests/ folder. */
function runYaml(helm: Helm, suiteYaml: string): TestResult[] {
  return runSuite(helm, CHART, parseSuite(suiteYaml, path.join(CHART, 'tests', 'inline_test.yaml')));
}

/** Runs one test with these assertions; `test` adds test-level options, `suite` suite-level ones. */
function check(helm: Helm, asserts: unknown[], test: Record<string, unknown> = {}, suite: Record<string, unknown> = {}): TestResult {
  const def = { suite: 'inline', templates: ['deployment.yaml'], release: { name: 'otel' }, ...suite, tests: [{ it: 'inline', ...test, asserts }] };
  return runYaml(helm, stringify(def))[0];
}

/** Asserts that the test failed and every expected fragment appears in its failure report. */
function expectFailure(r: TestResult, ...fragments: string[]): void {
  const report = r.failures.join('\n');
  expect({ passed: r.passed, report }).toEqual({ passed: false, report: expect.any(String) });
  for (const f of fragments) expect(report).toContain(f);
}

const GATEWAY_ON = { set: { 'gateway.enabled': true } };

describe.each(HELMS.map((h) => [h.name, h] as const))('helm-unittest runner with %s', (_name, helm) => {
  test('every suite of the fixture chart passes', () => {
    const suites = loadSuites(CHART);
    expect(suites.map((s) => path.basename(s.file))).toEqual(['configmap_test.yaml', 'deployment_test.yaml', 'guard_test.yaml', 'services_test.yaml']);
    const results = suites.flatMap((s) => runSuite(helm, CHART, s));
    expect(results.filter((r) => !r.passed).map((r) => `${r.suite} › ${r.test}\n${r.failures.join('\n')}`)).toEqual([]);
    expect(results.filter((r) => r.skipped).map((r) => r.test)).toEqual(['can be skipped']);
    const guard = suites.find((s) => s.name === 'guards and values schema');
    expect(guard?.tests.map((_, i) => skipReason(guard, i))).toEqual([undefined, undefined, undefined, 'demonstrates skip']);
    expect(results.length).toBeGreaterThan(15);
  });

  test('a wrong equal fails with the template, path, expected and actual value', () => {
    const r = check(helm, [{ isKind: { of: 'Deployment' } }, { equal: { path: 'metadata.name', value: 'wrong' } }]);
    expect(r.failures).toHaveLength(1);
    expectFailure(
      r,
      'asserts[1] `equal` fail',
      'Template: templates/deployment.yaml',
      'DocumentIndex: 0',
      'Path: metadata.name',
      'Expected to equal:',
      'wrong',
      'Actual:',
      'otel-unittest-chart',
    );
  });

  test('not: true inverts an assertion', () => {
    expectFailure(check(helm, [{ equal: { path: 'metadata.name', value: 'otel-unittest-chart' }, not: true }]), '(not: true)', 'Expected NOT to equal');
    expect(check(helm, [{ equal: { path: 'metadata.name', value: 'wrong' }, not: true }]).passed).toBe(true);
    expectFailure(check(helm, [{ notEqual: { path: 'metadata.name', value: 'wrong' }, not: true }]), 'Expected to equal');
    expect(check(helm, [{ exists: { path: 'metadata.annotations' }, not: true }]).passed).toBe(true);
    expectFailure(check(helm, [{ isKind: { of: 'Deployment' }, not: true }]), 'Expected NOT to be kind');
    expectFailure(
      check(helm, [{ contains: { path: 'spec.template.spec.containers[0].env', content: { name: 'GOMEMLIMIT' }, any: true }, not: true }]),
      'Expected NOT to contain',
    );
  });

  test('unknown assertion types and unimplemented options fail instead of passing', () => {
    const ok = { equal: { path: 'kind', value: 'Deployment' } };
    expectFailure(check(helm, [ok, { equalz: { path: 'kind', value: 'x' } }]), 'asserts[1] `equalz` fail', 'unsupported assertion type equalz');
    expectFailure(check(helm, [{ matchSnapshot: {} }]), 'unsupported assertion type matchSnapshot');
    expectFailure(check(helm, [{ equal: { path: 'kind', value: 'Deployment', parse: 'yaml' } }]), 'unsupported option equal.parse');
    expectFailure(check(helm, [ok], { postRenderer: { cmd: 'yq' } }), 'unsupported option test postRenderer');
    expectFailure(check(helm, [ok], {}, { kubernetesProvider: { objects: [] } }), 'unsupported option suite kubernetesProvider');
    expectFailure(check(helm, [ok], { release: { revision: 2 } }), 'unsupported option release.revision');
    expectFailure(check(helm, [ok], { skip: { minimumVersion: '0.8.0' } }), 'unsupported option skip.minimumVersion');
    expectFailure(check(helm, [{ matchRegex: { path: 'kind', pattern: 'Deploy(?=ment)' } }]), 'lookarounds');
  });

  test('failedTemplate fails when rendering succeeds or the error differs', () => {
    expectFailure(check(helm, [{ failedTemplate: {} }]), 'Expected the chart to fail rendering, but it rendered successfully');
    expectFailure(
      check(helm, [{ failedTemplate: { errorMessage: 'gateway.endpoint is required' } }], GATEWAY_ON),
      'Expected to fail with errorMessage gateway.endpoint is required',
      'Actual error message:',
      'gateway.endpoint is required when gateway.enabled is true',
    );
    expectFailure(check(helm, [{ failedTemplate: { errorPattern: '^endpoint' } }], GATEWAY_ON), 'errorPattern ^endpoint');
    expectFailure(check(helm, [{ notFailedTemplate: {} }], GATEWAY_ON), 'Expected NOT to fail');
    expectFailure(check(helm, [{ failedTemplate: { errorPattern: 'required' }, not: true }], GATEWAY_ON), 'Expected NOT to fail with errorPattern required');
    expect(check(helm, [{ notFailedTemplate: { errorPattern: 'unrelated' } }], GATEWAY_ON).passed).toBe(true);
    // Other assertions cannot be evaluated on a failed render.
    expectFailure(
      check(helm, [{ isKind: { of: 'Deployment' } }], GATEWAY_ON),
      'helm template failed:',
      'gateway.endpoint is required when gateway.enabled is true',
    );
  });

  test('failedTemplate holds only for the template the error came from', () => {
    const both = { templates: ['deployment.yaml', 'configmap.yaml'] };
    expect(check(helm, [{ failedTemplate: {}, template: 'deployment.yaml' }], GATEWAY_ON, both).passed).toBe(true);
    expectFailure(check(helm, [{ failedTemplate: {}, template: 'configmap.yaml' }], GATEWAY_ON, both), 'the error came from templates/deployment.yaml');
    expectFailure(check(helm, [{ failedTemplate: {} }], GATEWAY_ON, both), 'Template: templates/configmap.yaml');
    expect(check(helm, [{ notFailedTemplate: {}, template: 'configmap.yaml' }], GATEWAY_ON, both).passed).toBe(true);
  });

  test('document selection problems fail the assertion', () => {
    const services = { templates: ['services.yaml'] };
    expectFailure(check(helm, [{ isKind: { of: 'Service' }, documentIndex: 2 }], {}, services), 'document index 2 is out of range');
    expectFailure(check(helm, [{ isKind: { of: 'Service' }, documentSelector: { path: 'metadata.name', value: 'nope' } }], {}, services), 'document not found');
    expectFailure(check(helm, [{ isKind: { of: 'Service' }, documentSelector: { path: 'kind', value: 'Service' } }], {}, services), 'multiple indexes found');
    const mixed = { templates: ['mixed.yaml'] };
    expectFailure(check(helm, [{ isKind: { of: 'ConfigMap' }, documentIndex: 0 }], {}, mixed), 'documentIndex 0 is ambiguous', 'use documentSelector');
    const select = (kind: string) => ({ documentSelector: { path: 'kind', value: kind } });
    expect(
      check(helm, [{ hasDocuments: { count: 2 } }, { equal: { path: 'metadata.name', value: 'mixed-second' }, ...select('Namespace') }], {}, mixed).passed,
    ).toBe(true);
  });

  test('assertions apply to every selected document and name the one that failed', () => {
    const r = check(helm, [{ equal: { path: 'metadata.name', value: 'otel-unittest-chart-grpc' } }], {}, { templates: ['services.yaml'] });
    expectFailure(r, 'DocumentIndex: 1', 'otel-unittest-chart-http');
    expect(r.failures.join('\n')).not.toContain('DocumentIndex: 0');
  });

  test('value assertions fail with what they found', () => {
    const env = 'spec.template.spec.containers[0].env';
    expectFailure(check(helm, [{ contains: { path: env, content: { name: 'GOMEMLIMIT' }, any: true, count: 2 } }]), 'to contain 2 time(s) (found 1)');
    expectFailure(check(helm, [{ contains: { path: 'metadata', content: 'x' } }]), "expect 'metadata' to be an array");
    expectFailure(check(helm, [{ isNotNullOrEmpty: { path: 'metadata.annotations' } }]), 'unknown path metadata.annotations');
    expectFailure(check(helm, [{ isNullOrEmpty: { path: 'metadata.name' } }]), 'Expected to be null or empty, got');
    expectFailure(check(helm, [{ hasDocuments: { count: 2 } }]), 'Expected documents count to be 2, actual 1');
    expectFailure(check(helm, [{ lengthEqual: { path: env, count: 2 } }]), `${env}: 1 item(s), expected 2`);
    expectFailure(check(helm, [{ isSubset: { path: 'spec.selector', content: { matchLabels: { app: 'x' } } } }]), 'Expected to contain');
    expectFailure(check(helm, [{ matchRegex: { path: 'metadata.name', pattern: '^nope' } }]), 'Expected to match', '^nope');
    expectFailure(check(helm, [{ matchRegex: { path: 'spec.replicas', pattern: '2' } }]), "expect 'spec.replicas' to be a string");
    expectFailure(check(helm, [{ isAPIVersion: { of: 'v1' } }]), 'Expected to be apiVersion', 'apps/v1');
    expectFailure(check(helm, [{ exists: { path: 'spec.nope' } }]), 'Path: spec.nope expected to exist');
    expectFailure(check(helm, [{ equal: { path: 'spec.nope', value: 1 } }]), 'unknown path spec.nope');
    expectFailure(check(helm, [{ containsDocument: { kind: 'Service', apiVersion: 'v1' } }]), 'Expected to contain document');
    expectFailure(
      check(helm, [{ isKind: { of: 'Secret' }, template: 'secret.yaml' }]),
      'template "templates/secret.yaml" not exists or not selected in test suite',
    );
    // Go's DeepEqual: an int is not a float, nor a string.
    expectFailure(check(helm, [{ equal: { path: 'spec.replicas', value: 2.5 } }]), 'Expected to equal');
    expect(check(helm, [{ equal: { path: 'spec.replicas', value: 2 } }]).passed).toBe(true);
  });

  test("helm-unittest's defaults: release RELEASE-NAME in namespace NAMESPACE", () => {
    const asserts = [
      { equal: { path: 'metadata.name', value: 'RELEASE-NAME-unittest-chart' } },
      { equal: { path: 'metadata.namespace', value: 'NAMESPACE' } },
      { equal: { path: 'metadata.labels["app.kubernetes.io/instance"]', value: 'RELEASE-NAME' } },
    ];
    const r = runYaml(helm, stringify({ suite: 'defaults', templates: ['deployment.yaml'], tests: [{ it: 'defaults', asserts }] }))[0];
    expect(r.failures).toEqual([]);
  });

  test('a suite that cannot be used fails as a whole', () => {
    expectFailure(runYaml(helm, 'suite: empty\ntests: []\n')[0], 'no tests found');
    expectFailure(runYaml(helm, 'suite: [unclosed\n')[0], 'cannot parse');
    expectFailure(runYaml(helm, stringify({ suite: 's', templates: ['deployment.yaml'], tests: [{ it: 'no asserts' }] }))[0], 'no asserts found');
    expectFailure(check(helm, [{ isKind: { of: 'Deployment' } }], { values: ['values/missing.yaml'] }), 'values file', 'does not exist');
    expectFailure(
      runYaml(helm, stringify({ suite: 's', tests: [{ it: 'no template', asserts: [{ isKind: { of: 'Deployment' } }] }] }))[0],
      'assertion.template must be given',
    );
  });
});

describe('helm-unittest runner internals', () => {
  const doc = {
    metadata: { labels: { 'app.kubernetes.io/name': 'x' } },
    spec: {
      containers: [
        {
          name: 'a',
          env: [
            { name: 'GOMEMLIMIT', value: '1' },
            { name: 'B', value: '2' },
          ],
          port: 80,
        },
        { name: 'b', env: [], port: 8080 },
      ],
    },
  };

  test.each([
    ['metadata.labels["app.kubernetes.io/name"]', ['x']],
    ["$.metadata.labels['app.kubernetes.io/name']", ['x']],
    ['spec.containers[0].env[?(@.name == "GOMEMLIMIT")].value', ['1']],
    ['spec.containers[-1].name', ['b']],
    ['spec.containers[*].name', ['a', 'b']],
    ['spec.containers[0:1].name', ['a']],
    ['$..name', ['a', 'GOMEMLIMIT', 'B', 'b']],
    ['spec.containers[?(@.port > 100)].name', ['b']],
    ['spec.containers[?(@.name =~ /^b/)].name', ['b']],
    ['spec.containers[?(@.env[0].value == "1" && @.name != "b")].name', ['a']],
    ['spec.containers[?(!@.env[0])].name', ['b']],
    ['spec.missing', []],
  ])('path %s', (p, expected) => {
    expect(queryPath(doc, p)).toEqual(expected);
  });

  test('an unparsable path is an error, the empty path is the document', () => {
    expect(() => queryPath(doc, 'spec.containers[')).toThrow('cannot parse path');
    expect(() => queryPath(doc, 'spec[?(@.a == )]')).toThrow('cannot parse filter');
    expect(queryPath(doc, '')).toEqual([doc]);
  });

  test('set keys and merging follow the plugin', () => {
    expect(buildSetValue('a.b', 1n)).toEqual({ a: { b: 1n } });
    expect(buildSetValue('a[1].b', 'x')).toEqual({ a: [null, { b: 'x' }] });
    expect(buildSetValue('podAnnotations.[example.com/team]', 'otel')).toEqual({ podAnnotations: { 'example.com/team': 'otel' } });
    expect(() => buildSetValue('a,b', 1)).toThrow('invalid token');
    expect(mergeValues({ a: { b: 1, c: 2 }, l: [1, 2, 3] }, { a: { b: 9 }, l: [null, 5] })).toEqual({ a: { b: 9, c: 2 }, l: [1, 5] });
    expect(mergeValues({ a: { b: 1 } }, { a: null })).toEqual({ a: null });
  });

  test('render errors are reduced to the message failedTemplate compares', () => {
    const hint = '\n\nUse --debug flag to render out invalid YAML\n';
    expect(extractRenderError(`Error: execution error at (demo/templates/a.yaml:1:25): boom: it broke${hint}`)).toEqual({
      message: 'boom: it broke',
      file: 'templates/a.yaml',
    });
    const include = 'error calling include: template: no template "nope" associated with template "gotpl"';
    const helm3 = `Error: template: demo/templates/b.yaml:1:4: executing "demo/templates/b.yaml" at <include "nope" .>: ${include}${hint}`;
    const helm4 = `level=ERROR msg="x"\nError: demo/templates/b.yaml:1:4\n  executing "demo/templates/b.yaml" at <include "nope" .>:\n    error calling include:\ntemplate: no template "nope" associated with template "gotpl"${hint}`;
    expect(extractRenderError(helm3)).toEqual({ message: include, file: 'templates/b.yaml' });
    expect(extractRenderError(helm4)).toEqual(extractRenderError(helm3));
    const schema = "values don't meet the specifications of the schema(s) in the following chart(s):\ndemo:\n- at '/replicas': minimum: got 0, want 1\n";
    expect(extractRenderError(`Error: ${schema}\n`)).toEqual({ message: schema });
  });

  test('Go regex syntax is translated or rejected', () => {
    expect(goRegex('(?i)^abc').test('ABC')).toBe(true);
    expect(goRegex('\\Aab\\z').test('ab')).toBe(true);
    expect(goRegex('\\Aab\\z').test('ab\n')).toBe(false);
    expect(goRegex('^[[:digit:]]+$').test('123')).toBe(true);
    expect(goRegex('(?P<x>a)b').test('ab')).toBe(true);
    expect(() => goRegex('a(?!b)')).toThrow(UnsupportedError);
    expect(() => goRegex('(a)\\1')).toThrow(UnsupportedError);
  });

  test('equality keeps Go types apart', () => {
    expect(deepEqual(1n, 1)).toBe(false);
    expect(deepEqual('1', 1n)).toBe(false);
    expect(deepEqual({ a: [1n, { b: null }] }, { a: [1n, { b: undefined }] })).toBe(true);
    expect(deepEqual({ a: 1n }, { a: 1n, b: 2n })).toBe(false);
  });
});
