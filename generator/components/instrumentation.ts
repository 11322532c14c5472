// STUB (being written by a helper): the Operator's Instrumentation resource.
import { Construct } from 'constructs';
import { TemplateScope } from '../emitter/helm-chart';
import { Condition, RefTree, ValueRef } from '../emitter/refs';
import { v } from '../values/model';
import { ChartContext } from './context';

export const instrumentationModel = v.object('The OpenTelemetry Operator Instrumentation resource (auto-instrumentation).', {
  enabled: v.boolean({ description: 'Deploy the Instrumentation resource.', default: true }),
});

export interface InstrumentationProps {
  ctx: ChartContext;
  values: RefTree<typeof instrumentationModel>;
  valuesKey: string;
  when?: Condition;
  agentEnabled: ValueRef;
  gatewayEnabled: ValueRef;
}

export class Instrumentation extends TemplateScope {
  constructor(scope: Construct, id: string, p: InstrumentationProps) {
    super(scope, id, { file: 'instrumentation.yaml', when: p.when });
  }
}
