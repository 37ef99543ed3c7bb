// --sig-proxy: signals the CLI receives are sent to the container (docker's ForwardAllSignals).

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGTSTP', 'SIGCONT'];

/** Forwards signals through `kill`; returns the function that stops forwarding. */
export function forwardSignals(kill: (signal: string) => Promise<void>): () => void {
  const handlers = PROXIED.map((signal) => {
    const handler = () => void kill(signal.slice(3)).catch(() => {});
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}
