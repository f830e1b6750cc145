/**
 * TypeScript entry points of this checkout, each bundled on the host into one ES module that the guest
 * runs with plain Node from its own tmpfs.
 *
 * Why: under TCG, `node --import tsx bench/cli.ts --help` took 35 s in a guest on the FUSE-BPF kernel
 * (18 s when tsx's transform cache was warm; that cache lives on the guest's fresh /tmp, so the first
 * start of every boot is cold). Node resolved ~400 modules through tsx's loader thread, every one
 * emulated. The same CLI bundled by esbuild started in 6 s, then 3 s (Node alone: 2.6 s).
 */
import { readFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { UserError } from '../errors.js';
import { checkoutRoot } from './initramfs.js';

/** Where init.sh puts the programs in the guest's chroot (a tmpfs, like the job script beside them). */
export const guestProgramDir = '/run/fusebench';

/** The guest path of the bundle of `entry` (a path relative to this checkout, e.g. "bench/cli.ts"). */
export function guestProgram(entry: string): string {
  return join(guestProgramDir, programFileName(entry));
}

function programFileName(entry: string): string {
  return `${basename(entry, extname(entry))}.mjs`;
}

/**
 * Each module keeps its own import.meta.url (in a bundle it would be the bundle's): SUITE_ROOT,
 * PROFILES_DIR and the conformance cases find their files relative to their source file, and the
 * checkout sits at the same path in the guest.
 */
const moduleUrl = /\bimport\.meta\.url\b/g;
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(on) {
    on.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (source.match(moduleUrl) === null) return undefined;
      return { contents: source.replace(moduleUrl, JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/**
 * Bundles each entry (relative to this checkout) into `dir`, named as guestProgram() names it, and
 * returns the files written. Bare imports are bundled too; Node's builtins stay imports.
 */
export async function bundleGuestPrograms(entries: readonly string[], dir: string): Promise<string[]> {
  const names = new Set<string>();
  const files: string[] = [];
  for (const entry of entries) {
    if (isAbsolute(entry) || relative(checkoutRoot, join(checkoutRoot, entry)).startsWith('..')) {
      throw new UserError(`guest program ${entry} is not a path inside this checkout`);
    }
    const name = programFileName(entry);
    if (names.has(name)) throw new UserError(`two guest programs would both be ${guestProgram(entry)}`);
    names.add(name);
    const outfile = join(dir, name);
    try {
      await build({
        entryPoints: [join(checkoutRoot, entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // CommonJS packages in the bundle call require() only for Node's builtins, which resolve from anywhere.
        banner: { js: "import { createRequire as fusebenchCreateRequire } from 'node:module'; const require = fusebenchCreateRequire('/');" },
        plugins: [keepModuleUrls],
        logLevel: 'silent',
      });
    } catch (error) {
      throw new UserError(`cannot bundle ${entry} for the guest: ${(error as Error).message.split('\n')[0]}`, undefined, { cause: error });
    }
    files.push(outfile);
  }
  return files;
}
