const DIGIT_0 = 0x30; // '0'
const DIGIT_9 = 0x39; // '9'

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

/** The end of the run of digits starting at `from`. */
function digitsEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  return end;
}

/**
 * Natural order, as file managers and `ls -v` sort names: runs of digits
 * compare by their value (`p1 < p2 < p10`), everything else by UTF-16 code
 * unit, so the order does not depend on the locale. Numbers of any length
 * compare exactly (no conversion to a float). Names equal up to leading zeros
 * (`p01`, `p1`) fall back to plain code-unit order, so the order is total.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (!isDigit(ca) || !isDigit(cb)) {
      if (ca !== cb) return ca - cb;
      i++;
      j++;
      continue;
    }
    const endA = digitsEnd(a, i);
    const endB = digitsEnd(b, j);
    while (i < endA - 1 && a.charCodeAt(i) === DIGIT_0) i++; // leading zeros do not change the value
    while (j < endB - 1 && b.charCodeAt(j) === DIGIT_0) j++;
    if (endA - i !== endB - j) return endA - i - (endB - j); // more digits, bigger number
    for (; i < endA; i++, j++) {
      const diff = a.charCodeAt(i) - b.charCodeAt(j);
      if (diff !== 0) return diff;
    }
  }
  const rest = a.length - i - (b.length - j);
  if (rest !== 0) return rest; // one is a prefix of the other: the shorter first
  return a < b ? -1 : a > b ? 1 : 0;
}
