/** mulberry32: a small seeded PRNG, so a failing chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `size` bytes from `random`, four at a time. */
export function seededBytes(random: () => number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  const words = Math.floor(size / 4);
  for (let word = 0; word < words; word += 1) {
    bytes.writeUInt32LE(Math.floor(random() * 2 ** 32), word * 4);
  }
  for (let index = words * 4; index < size; index += 1) bytes[index] = Math.floor(random() * 256);
  return bytes;
}
