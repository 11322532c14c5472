// Constants the helper library refers to as @NAME@, so ports and paths are declared once.
import { CONFIG_DIR, DEST_TLS_DIR, PORTS } from '../components/collector';
import { DESTINATIONS } from '../components/destination-types';
import { LANGUAGES } from '../components/instrumentation';

export const LIBRARY_CONSTANTS = {
  OTLP_GRPC_PORT: PORTS.otlpGrpc,
  OTLP_HTTP_PORT: PORTS.otlpHttp,
  HEALTH_PORT: PORTS.health,
  DEST_TLS_DIR,
  CONFIG_DIR,
  /** file_log checkpoints (a hostPath, so a restarted agent resumes where it stopped). */
  CHECKPOINT_DIR: '/var/lib/otelcol/checkpoints',
  /** The node's root filesystem, mounted read-only for host_metrics. */
  HOSTFS_DIR: '/hostfs',
  // Structured constants: objects and arrays reach the templates through fromJson (chart-writer.ts).
  /** Destination type -> { exporter, signals } ("CHART.destinations"). */
  DESTINATIONS,
  /** The `inject-<annotation>` of each auto-instrumentation language, in model order (NOTES.txt). */
  INSTRUMENTATION_ANNOTATIONS: LANGUAGES.map((l) => l.annotation),
};
