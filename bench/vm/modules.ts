import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * What the guest needs when virtio, 9p, FUSE and overlayfs are modules (Debian's packaged kernels),
 * in load order. Dependencies found in the tree are added before the module that needs them.
 */
export const guestModuleNames = [
  'virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci_legacy_dev', 'virtio_pci',
  'netfs', 'fscache', '9pnet', '9pnet_virtio', '9p', 'fuse', 'overlay',
] as const;

export interface ResolvedModule {
  name: string;
  /** Path of the .ko (possibly .ko.xz/.ko.zst/.ko.gz) in the modules tree. */
  path: string;
}

/** `-` and `_` are the same in module names. */
const normalize = (name: string): string => name.replaceAll('-', '_');

function moduleNameOf(path: string): string {
  return normalize(basename(path).replace(/\.ko(\.(xz|zst|gz))?$/, ''));
}

function walkModules(dir: string, found: Map<string, string>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walkModules(path, found);
    else if (/\.ko(\.(xz|zst|gz))?$/.test(entry.name)) found.set(moduleNameOf(entry.name), path);
  }
}

/** Reads the module's own `depends=` from its .modinfo section (packaged trees ship no modules.dep). */
export function modinfoDepends(ko: Buffer): string[] {
  const text = ko.toString('latin1');
  const at = text.indexOf('\0depends=');
  if (at < 0) return [];
  const end = text.indexOf('\0', at + 1);
  const value = text.slice(at + '\0depends='.length, end < 0 ? undefined : end);
  return value.split(',').filter((name) => name !== '').map(normalize);
}

export function decompressModule(path: string): Buffer {
  if (path.endsWith('.xz')) return execFileSync('xz', ['-dc', path], { maxBuffer: 1 << 28 });
  if (path.endsWith('.zst')) return execFileSync('zstd', ['-dc', path], { maxBuffer: 1 << 28 });
  if (path.endsWith('.gz')) return gunzipSync(readFileSync(path));
  return readFileSync(path);
}

function builtinNames(modulesDir: string): Set<string> {
  const file = join(modulesDir, 'modules.builtin');
  if (!existsSync(file)) return new Set();
  return new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean).map(moduleNameOf));
}

/** Dependencies from modules.dep when depmod was run, else from each module's .modinfo. */
function dependencyReader(modulesDir: string, files: Map<string, string>): (name: string) => string[] {
  const depFile = join(modulesDir, 'modules.dep');
  if (existsSync(depFile)) {
    const deps = new Map<string, string[]>();
    for (const line of readFileSync(depFile, 'utf8').split('\n')) {
      const [module, rest] = line.split(':');
      if (module === undefined || rest === undefined) continue;
      deps.set(moduleNameOf(module), rest.trim().split(/\s+/).filter(Boolean).map(moduleNameOf));
    }
    return (name) => deps.get(name) ?? [];
  }
  return (name) => {
    const path = files.get(name);
    return path === undefined ? [] : modinfoDepends(decompressModule(path));
  };
}

/**
 * The modules of `wanted` that the tree has as loadable files, plus their dependencies, ordered so
 * that each comes after what it needs. Built-in and absent names are reported, not fatal: the guest
 * says what it could not mount.
 */
export function resolveGuestModules(
  modulesDir: string,
  wanted: readonly string[] = guestModuleNames,
): { modules: ResolvedModule[]; builtin: string[]; absent: string[] } {
  const files = new Map<string, string>();
  walkModules(modulesDir, files);
  const builtin = builtinNames(modulesDir);
  const dependsOn = dependencyReader(modulesDir, files);
  const ordered: ResolvedModule[] = [];
  const seen = new Set<string>();
  const absent: string[] = [];
  const builtinWanted: string[] = [];
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const path = files.get(name);
    if (path === undefined) {
      (builtin.has(name) ? builtinWanted : absent).push(name);
      return;
    }
    for (const dep of dependsOn(name)) visit(dep);
    ordered.push({ name, path });
  };
  for (const name of wanted) visit(normalize(name));
  return { modules: ordered, builtin: builtinWanted, absent };
}

/**
 * Copies the modules into `<root>/lib/modules/<release>/` uncompressed (busybox insmod reads plain
 * ELF only) and returns the in-guest paths in load order.
 */
export function installModules(root: string, release: string, modules: readonly ResolvedModule[]): string[] {
  const dir = join(root, 'lib', 'modules', release);
  mkdirSync(dir, { recursive: true });
  return modules.map(({ name, path }) => {
    writeFileSync(join(dir, `${name}.ko`), decompressModule(path));
    return `/lib/modules/${release}/${name}.ko`;
  });
}
