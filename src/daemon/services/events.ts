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
    const event: EventMessage = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    if (type === 'container' || type === 'image') {
      // The deprecated top-level fields old clients (and docker-py) still read.
      event.status = action;
      event.id = id;
      if (attributes.image) event.from = attributes.image;
    }
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
