import { constants } from 'node:os';
import { badParameter } from '../../common/errors.js';

/** Parses Docker's signal forms: `SIGKILL`, `KILL`, `kill`, `9`. */
export function parseSignal(spec: string): number {
  if (/^\d+$/.test(spec)) {
    const n = Number(spec);
    if (n > 0 && n <= 64) return n;
  } else {
    const name = spec.toUpperCase().replace(/^SIG/, '');
    const n = (constants.signals as Record<string, number>)[`SIG${name}`];
    if (n) return n;
    const rt = /^RTMIN\+(\d+)$/.exec(name);
    if (rt) return 34 + Number(rt[1]);
  }
  throw badParameter(`Invalid signal: ${spec}`);
}
