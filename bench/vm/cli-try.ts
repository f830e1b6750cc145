/**
 * Manual tries of the VM runner, outside the product CLI:
 *   npx tsx bench/vm/cli-try.ts --kernel K [--modules DIR] [--initrd F] [--out DIR] [--mem MiB] -- CMD ARGS...
 *   npx tsx bench/vm/cli-try.ts --suite --kernel K --out DIR -- run --profile seqread ...   (bench/cli.ts argv)
 * With no command it runs `uname -r; cat /proc/filesystems`.
 */
import { parseArgs } from 'node:util';
import { installSignalCleanup } from '../cleanup.js';
import { UserError } from '../errors.js';
import { runInGuest, runSuiteInGuest } from './run.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    kernel: { type: 'string' },
    modules: { type: 'string' },
    initrd: { type: 'string' },
    out: { type: 'string', default: `/tmp/fusebench-vm-try-${process.pid}` },
    mem: { type: 'string', default: '2048' },
    timeout: { type: 'string', default: '600' },
    suite: { type: 'boolean', default: false },
  },
});
if (values.kernel === undefined) {
  console.error('usage: npx tsx bench/vm/cli-try.ts --kernel K [--modules DIR] [--out DIR] -- CMD...');
  process.exit(2);
}
// Ctrl-C ends the guest through the suite's cleanup stack, as in the CLI.
installSignalCleanup();
const command = positionals.length > 0 ? positionals : ['sh', '-c', 'uname -r; cat /proc/filesystems'];
try {
  const common = {
    kernel: values.kernel,
    outDir: values.out,
    memoryMiB: Number(values.mem),
    timeoutSeconds: Number(values.timeout),
    ...(values.modules === undefined ? {} : { modules: values.modules }),
    ...(values.initrd === undefined ? {} : { initrd: values.initrd }),
  };
  const result = values.suite
    ? await runSuiteInGuest({ ...common, suiteArgs: positionals })
    : await runInGuest({ ...common, command });
  console.error(JSON.stringify(result));
  process.exit(result.exitCode);
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  console.error(`Error: ${error.message}${error.hint === undefined ? '' : `\n${error.hint}`}`);
  process.exit(1);
}
