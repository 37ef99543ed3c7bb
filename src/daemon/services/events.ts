import { EventEmitter } from 'node:events';
import type { EventMessage } from '../../api/types.js';

type EventType = EventMessage['Type'];

/**
 * The daemon's event bus: every state change is published here as an Engine API
 * event and kept in a bounded in-memory history so `events --since` can replay it.
 */
export class EventService {
  private readonly bus = new EventEmitter();
  private readonly history: EventMessage[] = [];

  constructor(private readonly historyLimit = 1000) {
    this.bus.setMaxListeners(0);
  }

  emit(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): void {
    const nowNs = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    // dockerd's order on the wire: the deprecated top-level fields old clients (and
    // docker-py) still read (container and image events only), then the rest; attributes sorted.
    const legacy = type === 'container' || type === 'image';
    const event: EventMessage = {
      ...(legacy ? { status: action, id, ...(attributes.image ? { from: attributes.image } : {}) } : {}),
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.shift();
    this.bus.emit('event', event);
  }

  /** Events recorded at or after `sinceNano` (for replay), oldest first. */
  since(sinceNano: number): EventMessage[] {
    return this.history.filter((e) => e.timeNano >= sinceNano);
  }

  subscribe(listener: (event: EventMessage) => void): () => void {
    this.bus.on('event', listener);
    return () => this.bus.off('event', listener);
  }
}
