import { describe, expect, it } from 'vitest';
import { ConsoleLines, consoleTail, markerReader, panicOf } from '../../bench/vm/console.js';

describe('guest console', () => {
  it("reads the init's markers of this boot only", () => {
    const read = markerReader('a1b2c3');
    expect(read('FUSEBENCH_BOOTED_a1b2c3 6.1.25-android14')).toEqual({ kind: 'BOOTED', text: '6.1.25-android14' });
    expect(read('[   3.1] FUSEBENCH_EXIT_a1b2c3 0')).toEqual({ kind: 'EXIT', text: '0' });
    expect(read('FUSEBENCH_START_a1b2c3')).toEqual({ kind: 'START', text: '' });
    expect(read('FUSEBENCH_EXIT_ffffff 0')).toBeUndefined();
    expect(read('[    0.000000] Linux version 6.1.25')).toBeUndefined();
  });

  it('quotes a panic from where it starts', () => {
    expect(panicOf('[    1.2] Kernel panic - not syncing: VFS: Unable to mount root fs')).toBe('Kernel panic - not syncing: VFS: Unable to mount root fs');
    expect(panicOf('[    1.2] fuse: init')).toBeUndefined();
  });

  it('splits chunks into lines across chunk boundaries, drops CR, and hands on the last partial line at the end', () => {
    const seen: string[] = [];
    const serial = new ConsoleLines((line) => seen.push(line));
    serial.write(Buffer.from('one\r\ntw'));
    serial.write(Buffer.from('o\nthree'));
    expect(seen).toEqual(['one', 'two']);
    serial.flush();
    expect(seen).toEqual(['one', 'two', 'three']);
    expect(consoleTail(serial.lines)).toBe('  | one\n  | two\n  | three');
  });

  it('keeps the last 400 lines and tails the last 40', () => {
    const serial = new ConsoleLines(() => {});
    serial.write(Buffer.from(Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join('')));
    expect(serial.lines).toHaveLength(400);
    expect(serial.lines[0]).toBe('line 100');
    expect(consoleTail(serial.lines).split('\n')).toHaveLength(40);
  });
});
