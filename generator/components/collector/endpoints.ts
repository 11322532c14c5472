// Ports, paths and Service names of a collector, declared once: the configs, the runtimes and the
// charts' README all take them from here.
import { IncludeRef, ValueRef, release } from '../../emitter/refs';
import { ChartContext } from '../context';

export const PORTS = { otlpGrpc: 4317, otlpHttp: 4318, health: 13133 } as const;
/** The health_check extension's port as the Operator names it (on `<name>-collector-extension`). */
export const HEALTH_PORT_NAME = 'health-check';
/** The ports as the templates read them (`@OTLP_GRPC_PORT@`, ...). */
/** The component label of the release's `helm test` pod, which every collector's NetworkPolicy lets reach the health port. */
export const TEST_COMPONENT = 'smoke-test';
export const PORT_CONSTANTS = { OTLP_GRPC_PORT: PORTS.otlpGrpc, OTLP_HTTP_PORT: PORTS.otlpHttp, HEALTH_PORT: PORTS.health, TEST_COMPONENT };
/** Where the native runtime mounts the collector's configuration. */
export const CONFIG_DIR = '/conf';
export const CONFIG_FILE = 'collector.yaml';
/** Where destination TLS Secrets are mounted in collector containers. */
export const DEST_TLS_DIR = '/etc/otelcol/destinations';
/** Where collectors mount the gateway receivers' Secrets (the gateway to serve them, its senders to present them) and persistent queues. */
export const MOUNT_DIRS = {
  RECEIVER_TLS_DIR: '/etc/otelcol/receiver-tls',
  RECEIVER_AUTH_DIR: '/etc/otelcol/receiver-auth',
  GATEWAY_TLS_DIR: '/etc/otelcol/gateway-tls',
  GATEWAY_AUTH_DIR: '/etc/otelcol/gateway-auth',
  QUEUE_DIR: '/var/lib/otelcol/queue',
};

/**
 * Service names and in-cluster hosts of a collector named by `name` (the Operator's convention):
 * `<name>-collector` (its receivers), `<name>-collector-headless`, and `<name>-collector-extension`
 * (its health_check endpoint, which the Operator exposes from the extension's port).
 */
export function collectorEndpoints(ctx: ChartContext, component: string, name: ValueRef | IncludeRef) {
  const ns = release.namespace();
  return {
    service: ctx.chart.defineString(`${component}.service`, [name, '-collector']),
    headlessService: ctx.chart.defineString(`${component}.headlessService`, [name, '-collector-headless']),
    host: ctx.chart.defineString(`${component}.host`, [name, '-collector.', ns, '.svc.cluster.local']),
    headlessHost: ctx.chart.defineString(`${component}.headlessHost`, [name, '-collector-headless.', ns, '.svc.cluster.local']),
    extensionService: ctx.chart.defineString(`${component}.extensionService`, [name, '-collector-extension']),
    extensionHost: ctx.chart.defineString(`${component}.extensionHost`, [name, '-collector-extension.', ns, '.svc.cluster.local']),
  };
}
