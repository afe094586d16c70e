export { seededRandom } from '../../main/simulator/seeded-random.ts';

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
