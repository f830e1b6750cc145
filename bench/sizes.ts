/** fio-style sizes (4k, 128k, 1m, 1g), shared by profiles, workloads and the metric catalogue. */
import { UserError } from './errors.js';

/** Parse fio-style sizes (4k, 128k, 1m, 1g) into bytes. */
export function parseSize(size: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(size);
  if (!match) throw new UserError(`not a size: "${size}"`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * scale);
}
