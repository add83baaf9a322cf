/**
 * MD5 (RFC 1321), for one purpose: the ICC profile ID (ICC.1:2022 7.2.18),
 * which is the MD5 digest of the profile. Not for security. One pass over
 * the input, constant memory beyond the 16-byte digest.
 */

/** Per-round shift amounts (RFC 1321 3.4). */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/** K[i] = floor(abs(sin(i + 1)) * 2^32) (RFC 1321 3.4). */
const K = /* @__PURE__ */ Uint32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x100000000) >>> 0);

const BLOCK_SIZE = 64;

/** The 16-byte MD5 digest of `bytes`. */
export function md5(bytes: Uint8Array): Uint8Array {
  const state = Uint32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  const words = new Uint32Array(16);
  const whole = bytes.length - (bytes.length % BLOCK_SIZE);
  for (let at = 0; at < whole; at += BLOCK_SIZE) compress(state, words, bytes, at);

  // Padding (RFC 1321 3.1, 3.2): 0x80, zeros, then the bit length as 64 bits little-endian.
  const rest = bytes.length - whole;
  const tail = new Uint8Array(rest < 56 ? BLOCK_SIZE : 2 * BLOCK_SIZE);
  tail.set(bytes.subarray(whole));
  tail[rest] = 0x80;
  const bits = bytes.length * 8;
  const lengthAt = tail.length - 8;
  const low = bits % 0x100000000;
  const high = Math.floor(bits / 0x100000000);
  for (let i = 0; i < 4; i++) {
    tail[lengthAt + i] = (low >>> (8 * i)) & 0xff;
    tail[lengthAt + 4 + i] = (high >>> (8 * i)) & 0xff;
  }
  for (let at = 0; at < tail.length; at += BLOCK_SIZE) compress(state, words, tail, at);

  const digest = new Uint8Array(16);
  for (let i = 0; i < 16; i++) digest[i] = (state[i >> 2] >>> (8 * (i & 3))) & 0xff;
  return digest;
}

function compress(state: Uint32Array, words: Uint32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const p = at + 4 * i;
    words[i] = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
  }
  let [a, b, c, d] = state;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const sum = (a + f + K[i] + words[g]) >>> 0;
    const shift = SHIFTS[(i >> 4) * 4 + (i & 3)];
    a = d;
    d = c;
    c = b;
    b = (b + ((sum << shift) | (sum >>> (32 - shift)))) >>> 0;
  }
  state[0] = (state[0] + a) >>> 0;
  state[1] = (state[1] + b) >>> 0;
  state[2] = (state[2] + c) >>> 0;
  state[3] = (state[3] + d) >>> 0;
}
