/** The checkout the suite runs from: the daemon, passthrough_ll and profiles are found relative to it. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUITE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
