import { type QueueStats } from './work-queue';

/** What has queues to show: every hand-off (HTTP in, transport out, worker in, provider to concurrency) reports through this. */
export interface QueueSource {
  queues(): QueueStats[];
}

/** Prometheus text for the queues: depth, in flight, and counters, one series per queue. */
export function queueMetrics(queues: readonly QueueStats[]): string {
  const series: [string, string, string, (q: QueueStats) => number][] = [
    ['junction_queue_in_flight', 'gauge', 'Calls running now.', (q) => q.inFlight],
    ['junction_queue_waiting', 'gauge', 'Calls waiting for a slot.', (q) => q.waiting],
    ['junction_queue_accepted_total', 'counter', 'Calls accepted.', (q) => q.accepted],
    ['junction_queue_rejected_total', 'counter', 'Calls refused because the queue was full.', (q) => q.rejected],
    ['junction_queue_expired_total', 'counter', 'Calls dropped unrun because their deadline passed while waiting.', (q) => q.expired],
    ['junction_queue_wait_seconds_total', 'counter', 'Time calls spent waiting for a slot, summed.', (q) => q.waitMsTotal / 1000],
    ['junction_queue_wait_seconds_max', 'gauge', 'Longest wait for a slot.', (q) => q.waitMsMax / 1000],
  ];
  const label = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const lines: string[] = [];
  for (const [name, type, help, value] of series) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const q of queues) lines.push(`${name}{queue="${label(q.name)}"} ${value(q)}`);
  }
  return `${lines.join('\n')}\n`;
}
