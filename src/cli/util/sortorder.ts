// fvbommel/sortorder's NaturalLess, the order of `network ls` and `port`: runs of digits compare
// as numbers ("n2" before "n10"), everything else bytewise.

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

export function naturalLess(str1: string, str2: string): boolean {
  const a = Buffer.from(str1);
  const b = Buffer.from(str2);
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c1 = a[i];
    const c2 = b[j];
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i++;
      j++;
      continue;
    }
    // digits: skip leading zeros, then compare the lengths and the digits of the numbers
    while (i < a.length && a[i] === 0x30) i++;
    while (j < b.length && b[j] === 0x30) j++;
    const nz1 = i;
    const nz2 = j;
    while (i < a.length && isDigit(a[i])) i++;
    while (j < b.length && isDigit(b[j])) j++;
    if (i - nz1 !== j - nz2) return i - nz1 < j - nz2;
    const n1 = a.subarray(nz1, i).toString();
    const n2 = b.subarray(nz2, j).toString();
    if (n1 !== n2) return n1 < n2;
    // the same number: fewer leading zeros first
    if (nz1 !== nz2) return nz1 < nz2;
  }
  return a.length < b.length;
}

/** A comparator for Array.prototype.sort from naturalLess. */
export function naturalCompare(a: string, b: string): number {
  if (naturalLess(a, b)) return -1;
  if (naturalLess(b, a)) return 1;
  return 0;
}
