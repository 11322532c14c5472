// Every chart of the suite.
import { ChartDefinition } from '../emitter/chart-writer';
import { ollyscaleOtel } from './ollyscale-otel';
import { otelGateway } from './otel-gateway';

export const CHARTS: ChartDefinition[] = [ollyscaleOtel, otelGateway];
