// Everything the tests change in a rendered collector because it runs outside a cluster, in one
// place. Each shim says what it changes and why; the tests print the list they apply.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RenderedCollector } from './collectors';
import { Topology } from './pipeline/topology';

export interface Shim {
  what: string;
  why: string;
  apply(c: RenderedCollector): RenderedCollector;
}

/** A kubeconfig for an API server that is never contacted (creating a client needs one). */
function standInKubeconfig(): string {
  const file = path.join(os.tmpdir(), 'ollyscale-otel-tests', 'kubeconfig');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: stand-in}}]\ncurrent-context: c\n',
    );
  }
  return file;
}

const k8sApiDetectorKubeconfig: Shim = {
  what: 'processors.resource_detection*.k8s_api.auth_type: kubeConfig, with KUBECONFIG naming a stand-in kubeconfig',
  why: "the k8s_api detector builds its in-cluster client when the pipeline is built, and that reads the pod's service-account token file, which exists only in a pod; every other setting of the detector is still checked",
  apply(c) {
    const processors = structuredClone(c.config.processors ?? {});
    let changed = false;
    for (const [id, p] of Object.entries<any>(processors)) {
      if (id.split('/')[0] !== 'resource_detection' || !(p?.detectors ?? []).includes('k8s_api')) continue;
      p.k8s_api = { ...p.k8s_api, auth_type: 'kubeConfig' };
      changed = true;
    }
    return changed ? { ...c, config: { ...c.config, processors }, env: { ...c.env, KUBECONFIG: standInKubeconfig() } } : c;
  },
};

const hostfsIsThisMachine: Shim = {
  what: "receivers.host_metrics*.root_path: / (this machine's root filesystem)",
  why: "the agent's pod mounts the node's root filesystem there, and the receiver checks that the path exists when it is built",
  apply(c) {
    const receivers = structuredClone(c.config.receivers ?? {});
    const ids = Object.keys(receivers).filter((id) => id.split('/')[0] === 'host_metrics' && receivers[id]?.root_path);
    for (const id of ids) receivers[id].root_path = '/';
    return ids.length ? { ...c, config: { ...c.config, receivers } } : c;
  },
};

/** What `otelcol validate` needs changed: nothing is started, so only pipeline construction matters. */
export const VALIDATE_SHIMS: Shim[] = [k8sApiDetectorKubeconfig, hostfsIsThisMachine];

export function applyShims(shims: Shim[], c: RenderedCollector): RenderedCollector {
  return shims.reduce((acc, s) => s.apply(acc), c);
}

export function describeShims(shims: Shim[]): string {
  return shims.map((s, i) => `${i + 1}. ${s.what}\n   why: ${s.why}`).join('\n');
}

// ---- The end-to-end pipeline (test/pipeline.test.ts): rendered collectors run as processes on one host.

/** Which process of the end-to-end pipeline a rendered collector becomes. */
export interface PipelineInstance {
  /** Its own loopback address. */
  host: string;
  /** For a gateway replica: its index, which picks its capture receiver. */
  replica?: number;
}

/** Returns a copy of the config with `edit` applied to it. */
function editConfig(c: RenderedCollector, edit: (config: any) => void): RenderedCollector {
  const config = structuredClone(c.config);
  edit(config);
  return { ...c, config };
}

const ofType = (id: string, type: string) => id.split('/')[0] === type;

/** Exporters whose endpoint names a cluster Service (`host.ns.svc.cluster.local:port`). */
function serviceExporters(config: any): any[] {
  return Object.values<any>(config.exporters ?? {}).filter((e) => /^[\w.-]+\.svc(\.cluster\.local)?:\d+$/.test(String(e?.endpoint ?? '')));
}

const portOf = (endpoint: string) => endpoint.slice(endpoint.lastIndexOf(':') + 1);

/** Listening endpoints 0.0.0.0:<port> → `host`:<port>, in receivers and extensions (`who`: the processes, for the list). */
function listenOn(host: string, who: string): Shim {
  return {
    what: `listening endpoints 0.0.0.0:<port> (receivers, extensions) → <the process's own address>:<port>: ${who}`,
    why: 'each pod has its own IP; on one host each process gets its own loopback address, so the rendered ports stay as they are and do not collide',
    apply: (c) =>
      editConfig(c, (config) => {
        const visit = (node: any) => {
          for (const [k, v] of Object.entries<any>(node ?? {})) {
            if (k === 'endpoint' && typeof v === 'string' && v.startsWith('0.0.0.0:')) node[k] = `${host}:${portOf(v)}`;
            else if (v && typeof v === 'object') visit(v);
          }
        };
        visit(config.receivers);
        visit(config.extensions);
      }),
  };
}

const noInternalMetrics: Shim = {
  what: 'service.telemetry.metrics.level: none',
  why: 'every collector serves its own metrics on port 8888 unless told otherwise; several collectors on one host would clash there, and the tests read none of them',
  apply: (c) =>
    editConfig(c, (config) => {
      config.service.telemetry = { ...config.service.telemetry, metrics: { ...config.service.telemetry?.metrics, level: 'none' } };
    }),
};

/** Shims of the end-to-end pipeline for one process (`at`); their `what` is the same for every process. */
export function pipelineShims(t: Topology, at: PipelineInstance): Shim[] {
  return [
    {
      what: 'processors.k8s_attributes* removed, and from every pipeline',
      why: 'it watches pods through the Kubernetes API server (passthrough: false), and there is none',
      apply: (c) =>
        editConfig(c, (config) => {
          const ids = Object.keys(config.processors ?? {}).filter((id) => ofType(id, 'k8s_attributes'));
          for (const id of ids) delete config.processors[id];
          for (const p of Object.values<any>(config.service?.pipelines ?? {})) p.processors = (p.processors ?? []).filter((x: string) => !ids.includes(x));
        }),
    },
    {
      what: 'processors.resource_detection*.detectors: k8s_api left out (env and system kept)',
      why: "the k8s_api detector reads the node's metadata from the Kubernetes API server, and there is none",
      apply: (c) =>
        editConfig(c, (config) => {
          for (const [id, p] of Object.entries<any>(config.processors ?? {}))
            if (ofType(id, 'resource_detection')) p.detectors = (p.detectors ?? []).filter((d: string) => d !== 'k8s_api');
        }),
    },
    listenOn(at.host, `agent ${t.agent}, browser ${t.browser}, gateway replicas ${t.gateways.join(', ')}`),
    {
      what: `exporters.load_balancing*.resolver.dns (the gateway's headless Service) → resolver.static.hostnames ${t.gateways.map((g) => `${g}:<dns port>`).join(', ')}`,
      why: "the headless Service's name resolves to the gateway pods' IPs only in cluster DNS; the static resolver gives the exporter the same replicas",
      apply: (c) =>
        editConfig(c, (config) => {
          for (const [id, e] of Object.entries<any>(config.exporters ?? {})) {
            if (!ofType(id, 'load_balancing') || !e.resolver?.dns) continue;
            const port = e.resolver.dns.port ?? '4317';
            e.resolver = { static: { hostnames: t.gateways.map((g) => `${g}:${port}`) } };
          }
        }),
    },
    {
      what: `agent and browser: exporters whose endpoint is a cluster Service (the gateway's ClusterIP Service) → gateway replica 0, ${t.gateways[0]}:<port>`,
      why: "a Service's virtual IP exists only where kube-proxy runs; these are gRPC exporters, which keep one connection, so in a cluster too their data reaches one gateway pod at a time",
      apply: (c) =>
        at.replica !== undefined
          ? c
          : editConfig(c, (config) => serviceExporters(config).forEach((e) => (e.endpoint = `${t.gateways[0]}:${portOf(e.endpoint)}`))),
    },
    {
      what: `gateway replica i: exporters whose endpoint is a cluster Service (the destinations) → capture receiver i: ${t.captureEndpoints.join(', ')}`,
      why: 'the destination is outside the test; a capture receiver per replica records what each replica exports, so the test knows which replica handled a span without adding attributes to it',
      apply: (c) =>
        at.replica === undefined ? c : editConfig(c, (config) => serviceExporters(config).forEach((e) => (e.endpoint = t.captureEndpoints[at.replica!]))),
    },
    {
      what: `extensions.opamp*.server.ws.endpoint → ws://${t.opamp}/v1/opamp, where nothing listens`,
      why: 'there is no OpAMP server; the extension is kept, so it is still configured and started, and it retries the connection in the background without holding up the pipeline',
      apply: (c) =>
        editConfig(c, (config) => {
          for (const [id, e] of Object.entries<any>(config.extensions ?? {}))
            if (ofType(id, 'opamp') && e.server?.ws) e.server.ws.endpoint = `ws://${t.opamp}/v1/opamp`;
        }),
    },
    {
      what: `files under a mounted Secret's mountPath → the test's folder for that Secret (${Object.keys(t.secrets ?? {}).join(', ') || 'none'})`,
      why: "the kubelet mounts each Secret's keys as files; the test writes what it generated (certificates, tokens) into a folder per Secret",
      apply: (c) =>
        editConfig(c, (config) => {
          const replace = (node: any) => {
            for (const [k, v] of Object.entries<any>(node ?? {})) {
              if (v && typeof v === 'object') replace(v);
              if (typeof v !== 'string') continue;
              const m = (c.secretMounts ?? []).find((x) => v.startsWith(`${x.mountPath}/`));
              if (!m) continue;
              const folder = t.secrets?.[m.secret];
              if (!folder) throw new Error(`${c.name} reads ${v} from Secret ${m.secret}, which the test does not provide`);
              node[k] = path.join(folder, v.slice(m.mountPath.length + 1));
            }
          };
          replace(config);
        }),
    },
    {
      what: "extensions.file_storage*.directory → <the test's storage folder>/<the process's address>/<extension id>, kept across the process's restarts",
      why: 'in the pod it is a volume (a PersistentVolumeClaim or a hostPath) that outlives the container; the folder outlives the process the same way',
      apply: (c) =>
        editConfig(c, (config) => {
          for (const [id, e] of Object.entries<any>(config.extensions ?? {}))
            if (ofType(id, 'file_storage')) e.directory = path.join(t.storage ?? os.tmpdir(), at.host, id.replace('/', '-'));
        }),
    },
    noInternalMetrics,
  ];
}

// ---- The pod logs test (test/logs-collection.test.ts): the agent alone, reading a node's pod logs from a folder.

/** Where the agent of the pod logs test reads, keeps its checkpoints and listens. */
export interface PodLogsInstance {
  /** Stands in for the node's /var/log/pods. */
  podLogs: string;
  /** Stands in for the checkpoint hostPath; the same folder across the agent's restarts. */
  checkpoints: string;
  /** The agent's own loopback address. */
  host: string;
}

/** The rendered pods log directory (the agent's hostPath mount). */
const PODS_LOG_DIR = '/var/log/pods';

export function podLogsShims(at: PodLogsInstance): Shim[] {
  const underTestFolder = (pattern: string) => {
    if (!pattern.startsWith(`${PODS_LOG_DIR}/`)) throw new Error(`file_log pattern ${pattern} is not under ${PODS_LOG_DIR}`);
    return path.join(at.podLogs, pattern.slice(PODS_LOG_DIR.length + 1));
  };
  return [
    {
      what: `receivers.file_log*.include and exclude: ${PODS_LOG_DIR}/<pattern> → <the test's folder>/<pattern>, each pattern otherwise as rendered`,
      why: "the node's pod logs are the kubelet's; the test writes a folder laid out the same way (<namespace>_<pod>_<uid>/<container>/<n>.log), so the rendered patterns, the exclusion of the agent's own container included, are what select the files",
      apply: (c) =>
        editConfig(c, (config) => {
          for (const [id, r] of Object.entries<any>(config.receivers ?? {})) {
            if (!ofType(id, 'file_log')) continue;
            r.include = (r.include ?? []).map(underTestFolder);
            r.exclude = (r.exclude ?? []).map(underTestFolder);
          }
        }),
    },
    {
      what: "extensions.file_storage*.directory → a folder of the test's, the same one for every start of the agent",
      why: "in the pod the directory is a hostPath on the node, which outlives the pod; the folder outlives the agent's process the same way",
      apply: (c) =>
        editConfig(c, (config) => {
          for (const [id, e] of Object.entries<any>(config.extensions ?? {})) if (ofType(id, 'file_storage')) e.directory = at.checkpoints;
        }),
    },
    listenOn(at.host, 'the agent'),
    noInternalMetrics,
  ];
}
