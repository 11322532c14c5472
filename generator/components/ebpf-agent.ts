// STUB (being written by a helper): the eBPF agent DaemonSet.
import { Construct } from 'constructs';
import { TemplateScope } from '../emitter/helm-chart';
import { Condition, RefTree, ValueRef } from '../emitter/refs';
import { v } from '../values/model';
import { ChartContext } from './context';

export const ebpfAgentModel = v.object('The eBPF agent (DaemonSet).', {
  enabled: v.boolean({ description: 'Deploy the eBPF agent.', default: false }),
});

export interface EbpfAgentProps {
  ctx: ChartContext;
  values: RefTree<typeof ebpfAgentModel>;
  valuesKey: string;
  when?: Condition;
  agentEnabled: ValueRef;
  gatewayEnabled: ValueRef;
}

export class EbpfAgent extends TemplateScope {
  constructor(scope: Construct, id: string, p: EbpfAgentProps) {
    super(scope, id, { file: 'ebpf-agent.yaml', when: p.when });
  }
}
