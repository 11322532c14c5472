// Where each process of the end-to-end pipeline listens. Each gets its own loopback address, as each
// pod has its own IP, so the rendered ports (4317, 4318, 13133...) stay as they are. The addresses
// are in a /24 of 127/8 drawn per run, so that two runs on one machine do not meet.
import { randomInt } from 'crypto';

export interface Topology {
  agent: string;
  browser: string;
  /** One address per gateway replica. */
  gateways: string[];
  /** The capture collector (its health check). */
  capture: string;
  /** Per gateway replica, the capture receiver (host:port) standing in for the destination. */
  captureEndpoints: string[];
  /** host:port where nothing listens, standing in for the OpAMP server. */
  opamp: string;
  /** Per Secret name, the folder holding its keys as files (as the kubelet mounts it). */
  secrets?: Record<string, string>;
  /** The folder under which each process keeps its file_storage directories (one per process address). */
  storage?: string;
}

/** The port the capture receivers use; any port, as the destination's is replaced whole. */
const CAPTURE_PORT = 4343;

export function drawTopology(gatewayReplicas: number): Topology {
  const net = `127.${randomInt(1, 255)}.${randomInt(1, 255)}`;
  const replicas = [...Array(gatewayReplicas).keys()];
  return {
    agent: `${net}.2`,
    browser: `${net}.3`,
    gateways: replicas.map((i) => `${net}.${10 + i}`),
    capture: `${net}.30`,
    captureEndpoints: replicas.map((i) => `${net}.${40 + i}:${CAPTURE_PORT}`),
    opamp: `${net}.250:4320`,
  };
}
