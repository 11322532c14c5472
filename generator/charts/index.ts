// Every chart of the suite.
import { ChartDefinition } from '../emitter/chart-writer';
import { otelGateway } from './otel-gateway';

export const CHARTS: ChartDefinition[] = [otelGateway];
