// --filter key=value flags, collected as the API's filter map.
import type { Filters } from '../../client/client.js';

export function parseFilters(values: string[]): Filters {
  const filters: Filters = new Map();
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) throw new Error('bad format of filter (expected name=value)');
    const key = v.slice(0, eq).trim().toLowerCase();
    const list = filters.get(key) ?? [];
    list.push(v.slice(eq + 1));
    filters.set(key, list);
  }
  return filters;
}
