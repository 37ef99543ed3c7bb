import { EventEmitter } from 'node:events';
import { native } from './native.js';

/**
 * A SOCK_SEQPACKET client connection (conmon's attach socket), which Node's `net`
 * cannot open. Emits 'packet' (Buffer) per packet and 'end' once.
 */
export class SeqpacketConnection extends EventEmitter {
  private watcher?: { stop(): void };
  private closed = false;
  private readonly queue: Buffer[] = [];
  private shutdownPending = false;
  private retry?: NodeJS.Timeout;

  private constructor(private readonly fd: number) {
    super();
  }

  static connect(socketPath: string): SeqpacketConnection {
    const connection = new SeqpacketConnection(native.seqpacketConnect(socketPath));
    connection.watcher = native.seqpacketWatch(connection.fd, (packet) => {
      if (packet) connection.emit('packet', packet);
      else {
        connection.emit('end');
        connection.close();
      }
    });
    return connection;
  }

  /**
   * Queues a packet. Returns false while packets wait for room (the reader is slow):
   * the caller should pause its source until 'drain'.
   */
  send(data: Buffer): boolean {
    if (this.closed || data.length === 0) return true;
    this.queue.push(data);
    this.flush();
    return this.queue.length === 0;
  }

  /** No more input: conmon closes the container's stdin (unless told to leave it open). */
  shutdownWrite(): void {
    this.shutdownPending = true;
    this.flush();
  }

  private flush(): void {
    while (!this.closed && this.queue.length && native.seqpacketSend(this.fd, this.queue[0])) this.queue.shift();
    if (this.closed) return;
    if (this.queue.length) {
      // The socket has no room: retry shortly rather than block the event loop.
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        this.flush();
      }, 10);
      return;
    }
    if (this.shutdownPending) {
      this.shutdownPending = false;
      native.shutdownWrite(this.fd);
    }
    this.emit('drain');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    this.watcher?.stop();
    native.close(this.fd);
  }
}
