/** The data set's memory check names the profile field that asked for it. */
import { describe, expect, it } from 'vitest';
import { checkMemoryFor } from '../bench/dataset.js';

describe('a data set too large for a tmpfs lower', () => {
  it('is refused before anything is mounted, naming the profile and its dataset field', () => {
    const huge = { relativeFiles: ['data/file0'], fileSizeBytes: 2 ** 50, totalBytes: 2 ** 50 };
    expect(() => checkMemoryFor(huge, true, 'profiles/x.yaml: dataset')).toThrow(/^profiles\/x\.yaml: dataset: the data set \(.* GiB on a tmpfs lower\) needs about/);
    expect(() => checkMemoryFor(huge, false, 'profiles/x.yaml: dataset')).not.toThrow();
  });
});
