/**
 * A guest run that falls back from KVM to TCG: when the accelerator the probe chose (not one forced
 * by FUSEBENCH_VM_ACCEL) never got the guest going, the run boots again under TCG, and the failure is
 * remembered for this host boot when TCG shows the kernel itself was fine.
 */
import { describeKvmFailure, rememberKvmFailure, type AccelChoice } from './accel.js';
import type { BootOutcome } from './boot.js';

/**
 * Why a guest never got going under KVM, in one line, or undefined when it printed something (a
 * later failure is the kernel's or the job's, and TCG would not help) or the runner stopped it.
 */
export function kvmRunFailure(outcome: Pick<BootOutcome, 'firstOutputSeconds' | 'silentSeconds' | 'stoppedByRunner' | 'qemuExit'>): string | undefined {
  if (outcome.firstOutputSeconds !== undefined) return undefined;
  if (outcome.silentSeconds !== undefined) return describeKvmFailure({ outcome: 'silent', seconds: outcome.silentSeconds });
  if (outcome.stoppedByRunner || outcome.qemuExit === undefined) return undefined;
  return describeKvmFailure({ outcome: 'exited', ...outcome.qemuExit });
}

/** Boots under `first`, and once more under TCG when KVM did not run the guest; returns the last boot. */
export async function bootWithFallback<T extends { outcome: BootOutcome }>(
  first: AccelChoice,
  attempt: (choice: AccelChoice) => Promise<T>,
  log: (line: string) => void,
): Promise<{ choice: AccelChoice; boot: T }> {
  const boot = await attempt(first);
  const failure = first.accel === 'kvm' && first.forced !== true ? kvmRunFailure(boot.outcome) : undefined;
  if (failure === undefined) return { choice: first, boot };
  log(`vm: ${failure}; retrying under tcg`);
  const choice: AccelChoice = { accel: 'tcg', reason: `${failure}; retried under tcg` };
  const retry = await attempt(choice);
  // Only a kernel that does print under TCG convicts KVM; one without a serial console is silent under both.
  if (retry.outcome.firstOutputSeconds !== undefined) rememberKvmFailure(failure);
  return { choice, boot: retry };
}
