import { EventEmitter } from 'node:events';
import { native } from './native.js';

/**
 * A SOCK_SEQPACKET client connection (conmon's attach socket), which Node's `net`
 * cannot open. Emits 'packet' (Buffer) per packet and 'end' once.
 */
export class SeqpacketConnection extends EventEmitter {
  private watcher?: { stop(): void };
  private closed = false;

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

  send(data: Buffer): void {
    if (!this.closed && data.length) native.seqpacketSend(this.fd, data);
  }

  /** No more input: conmon closes the container's stdin (unless told to leave it open). */
  shutdownWrite(): void {
    if (!this.closed) native.shutdownWrite(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.stop();
    native.close(this.fd);
  }
}
