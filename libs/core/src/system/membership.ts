import { hostname } from 'node:os';
import { type Bus, type BusMessage } from '../bus/bus';
import { isLogLevel, type LevelOverride, LevelOverrides, type Logger, type LogLevel } from '../logging';
import { parseDigest, type WindowDigest } from '../metrics/window';
import { type Provider } from '../provider/provider';
import { type QueueStats } from '../queue/work-queue';

/** What a node says about itself in each heartbeat, and `management.nodes()` lists. */
export interface NodeInfo {
  /** Unique in the cluster (`<name>@<host>:<pid>`): several nodes may share a config's name. */
  id: string;
  name: string;
  role: string;
  host: string;
  pid: number;
  version: string;
  services: string[];
  uptimeMs: number;
  /** Calls running on the node now (every provider queue's in flight). */
  inFlight: number;
  /** Each hosted service's log level. */
  levels: Record<string, LogLevel>;
  /** The level overrides the node holds: how a node that starts later learns them. */
  overrides: LevelOverride[];
  /** Epoch ms when the node sent it. */
  sentAt: number;
  /** The last minute of the calls its provider answered, as sums (`management.metrics` adds them up); none on a gateway. */
  metrics?: WindowDigest;
  /** Its bounded queues (transports, each service's concurrency module) as of the heartbeat, for `management.queues`. */
  queues?: QueueStats[];
}

export const HEARTBEAT_TOPIC = 'node.heartbeat';
export const LEVEL_TOPIC = 'logging.level';
/** A node not heard for this many heartbeat intervals is no longer listed. */
export const MISSED_HEARTBEATS = 3;

export interface MembershipOptions {
  bus: Bus;
  /** The node's name in config. */
  node: string;
  role: string;
  version: string;
  heartbeatMs: number;
  log: Logger;
  /** The services hosted here, whose levels overrides change; none on a gateway. */
  provider?: Provider;
  /** Calls in flight on this node; the provider's when absent. */
  inFlight?: () => number;
  /** The node's last minute of calls, sent in each heartbeat; none when absent. */
  metrics?: () => WindowDigest;
  /** The node's queues, sent in each heartbeat; none when absent. */
  queues?: () => QueueStats[];
  now?: () => number;
}

/**
 * This node's part in the cluster's shared state, over the bus: it sends a heartbeat every
 * `heartbeatMs`, lists the nodes it heard from, and applies level overrides (from a command, or
 * from another node's heartbeat when it has not heard the command: it started later) to the
 * services it hosts.
 */
export class Membership {
  readonly id: string;
  readonly #opts: MembershipOptions;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #peers = new Map<string, { info: NodeInfo; heardAt: number }>();
  readonly #overrides: LevelOverrides;
  readonly #unsubscribe: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Immediate | undefined;

  constructor(opts: MembershipOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#startedAt = this.#now();
    this.id = `${opts.node}@${hostname()}:${process.pid}`;
    this.#overrides = new LevelOverrides({
      now: this.#now,
      apply: (service, level) => {
        if (opts.provider?.has(service) !== true) return;
        opts.provider.setLogLevel(service, level);
        opts.log.info({ service, level: level ?? `${opts.provider.logLevels()[service]} (the node's)` }, `log level of ${service} is now ${level ?? 'back to the node level'}`);
        // The others' view of this node's levels (logging.getLevels) should not wait a whole interval.
        this.#beatSoon();
      },
    });
  }

  async start(): Promise<void> {
    this.#unsubscribe.push(
      this.#opts.bus.subscribe(HEARTBEAT_TOPIC, (m) => this.#heard(m)),
      this.#opts.bus.subscribe(LEVEL_TOPIC, (m) => {
        const o = parseOverride(m);
        if (o === undefined) this.#opts.log.warn({ message: m }, `ignored a malformed message on bus topic ${LEVEL_TOPIC}`);
        else this.#overrides.offer(o);
      }),
    );
    this.#beat();
    this.#timer = setInterval(() => this.#beat(), this.#opts.heartbeatMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#soon !== undefined) clearImmediate(this.#soon);
    for (const u of this.#unsubscribe.splice(0)) u();
    this.#overrides.close();
  }

  /**
   * What this node's next heartbeat says. Its figures (the last minute's sums, the queues) only
   * when asked: the heartbeat and management.metrics/queues want them, the many readers of
   * management.nodes (the catalog probes it every few seconds) do not.
   */
  self(figures = false): NodeInfo {
    const p = this.#opts.provider;
    return {
      id: this.id,
      name: this.#opts.node,
      role: this.#opts.role,
      host: hostname(),
      pid: process.pid,
      version: this.#opts.version,
      services: p?.services() ?? [],
      uptimeMs: this.#now() - this.#startedAt,
      inFlight: this.#opts.inFlight?.() ?? (p?.queues() ?? []).reduce((n, q) => n + q.inFlight, 0),
      levels: p?.logLevels() ?? {},
      overrides: this.#overrides.active(),
      sentAt: this.#now(),
      ...(!figures || this.#opts.metrics === undefined ? {} : { metrics: this.#opts.metrics() }),
      ...(!figures || this.#opts.queues === undefined ? {} : { queues: this.#opts.queues() }),
    };
  }

  /** This node (with its current figures when `figures`) and every node heard from within the last `MISSED_HEARTBEATS` intervals, by name then id. */
  nodes(figures = false): NodeInfo[] {
    const since = this.#now() - MISSED_HEARTBEATS * this.#opts.heartbeatMs;
    const peers = [...this.#peers.values()].filter((p) => p.heardAt >= since).map((p) => p.info);
    return [this.self(figures), ...peers].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  overrides(): LevelOverride[] {
    return this.#overrides.active();
  }

  /** Asks every node (this one included, through the bus) to set `service`'s level; resolves once published. */
  async setLevel(service: string, level: LogLevel, ttlMs?: number): Promise<LevelOverride> {
    const setAt = this.#now();
    const o: LevelOverride = ttlMs === undefined ? { service, level, setAt } : { service, level, setAt, expiresAt: setAt + ttlMs };
    await this.#opts.bus.publish(LEVEL_TOPIC, { ...o });
    return o;
  }

  #beatSoon(): void {
    this.#soon ??= setImmediate(() => {
      this.#soon = undefined;
      if (this.#timer !== undefined) this.#beat();
    });
  }

  #beat(): void {
    const info = this.self(true);
    this.#opts.bus.publish(HEARTBEAT_TOPIC, { ...info }).catch((err: unknown) => {
      // The bus reconnects by itself; the next heartbeat will go.
      this.#opts.log.debug({ err }, 'heartbeat not sent: the bus is not connected');
    });
  }

  #heard(m: BusMessage): void {
    const info = parseHeartbeat(m);
    if (info === undefined) {
      this.#opts.log.warn({ message: m }, `ignored a malformed message on bus topic ${HEARTBEAT_TOPIC}`);
      return;
    }
    if (info.id === this.id) return;
    // A node heard for the first time is answered at once: it learns this one now rather than a
    // whole interval later (until then its management.nodes, and the service catalog built on
    // it, would lack this node's services).
    if (!this.#peers.has(info.id)) this.#beatSoon();
    this.#peers.set(info.id, { info, heardAt: this.#now() });
    for (const o of info.overrides) this.#overrides.offer(o);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** An override from the bus, or undefined when it is not one (another version's node, a stray publisher). */
export function parseOverride(m: unknown): LevelOverride | undefined {
  if (!isRecord(m) || !isString(m.service) || !isLogLevel(m.level) || !isNumber(m.setAt)) return undefined;
  if (m.expiresAt !== undefined && !isNumber(m.expiresAt)) return undefined;
  return m.expiresAt === undefined ? { service: m.service, level: m.level, setAt: m.setAt } : { service: m.service, level: m.level, setAt: m.setAt, expiresAt: m.expiresAt };
}

export function parseHeartbeat(m: unknown): NodeInfo | undefined {
  if (!isRecord(m)) return undefined;
  const { id, name, role, host, pid, version, services, uptimeMs, inFlight, levels, overrides, sentAt } = m;
  if (!isString(id) || !isString(name) || !isString(role) || !isString(host) || !isNumber(pid) || !isString(version)) return undefined;
  if (!Array.isArray(services) || !services.every(isString) || !isNumber(uptimeMs) || !isNumber(inFlight) || !isNumber(sentAt)) return undefined;
  if (!isRecord(levels) || !Object.values(levels).every(isLogLevel) || !Array.isArray(overrides)) return undefined;
  const parsed = overrides.map(parseOverride);
  if (parsed.some((o) => o === undefined)) return undefined;
  const info: NodeInfo = { id, name, role, host, pid, version, services, uptimeMs, inFlight, levels: levels as Record<string, LogLevel>, overrides: parsed as LevelOverride[], sentAt };
  // Figures another version cannot read are left out; the node is listed all the same.
  const metrics = m.metrics === undefined ? undefined : parseDigest(m.metrics);
  if (metrics !== undefined) info.metrics = metrics;
  const queues = m.queues === undefined ? undefined : parseQueues(m.queues);
  if (queues !== undefined) info.queues = queues;
  return info;
}

const QUEUE_COUNTS = ['inFlight', 'waiting', 'maxInFlight', 'maxWaiting', 'accepted', 'rejected', 'completed', 'expired', 'waitMsTotal', 'waitMsMax'] as const;

/** Queue stats from a heartbeat, or undefined when any is not one. */
function parseQueues(value: unknown): QueueStats[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ok = value.every((q) => isRecord(q) && isString(q.name) && QUEUE_COUNTS.every((k) => isNumber(q[k])));
  return ok ? (value as QueueStats[]).map((q) => ({ name: q.name, ...Object.fromEntries(QUEUE_COUNTS.map((k) => [k, q[k]])) }) as QueueStats) : undefined;
}
