import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Linux clock ticks per second for /proc times; 100 on every mainstream kernel config. */
const TICKS_PER_SECOND = 100;

function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

interface MachineCpu {
  /** Every non-idle second, all cores. */
  busy: number;
  /** Interrupt handling, mostly the loopback network stack's softirq work. */
  interrupts: number;
  /** Time the hypervisor gave to other virtual machines. */
  steal: number;
}

/** CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineCpuSeconds(): MachineCpu | undefined {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const [user, nice, system, , , irq, softirq, steal] = cpu.trim().split(/\s+/).slice(1).map(Number);
    return {
      busy: (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND,
      interrupts: (irq + softirq) / TICKS_PER_SECOND,
      steal: steal / TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU used by each named process over a measurement, in percent of one core (200 = both cores of a
 * 2-core machine), plus for the whole machine meanwhile: `irq` (interrupt work, mostly the loopback
 * network stack), `steal` (the hypervisor serving other VMs) and `other` (every other process: noise).
 * Empty on systems without /proc.
 */
export type CpuShares = Record<string, number>;

export class CpuMeter {
  constructor(private readonly pids: Record<string, number | undefined>) {}

  async measure<T>(run: () => Promise<T>): Promise<{ result: T; cpu: CpuShares }> {
    const before = this.sample();
    const started = performance.now();
    const result = await run();
    const wall = (performance.now() - started) / 1000;
    const after = this.sample();
    const cpu: CpuShares = {};
    let ours = 0;
    for (const name of Object.keys(this.pids)) {
      const start = before.processes[name];
      const end = after.processes[name];
      if (start === undefined || end === undefined) continue;
      ours += end - start;
      cpu[name] = Math.round(((end - start) / wall) * 100);
    }
    if (before.machine && after.machine) {
      const delta = (key: keyof MachineCpu): number => after.machine![key] - before.machine![key];
      const share = (seconds: number): number => Math.max(0, Math.round((seconds / wall) * 100));
      cpu.irq = share(delta('interrupts'));
      cpu.steal = share(delta('steal'));
      cpu.other = share(delta('busy') - delta('interrupts') - delta('steal') - ours);
    }
    return { result, cpu };
  }

  private sample(): { processes: Record<string, number | undefined>; machine?: MachineCpu } {
    const processes: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(this.pids)) processes[name] = pid === undefined ? undefined : processCpuSeconds(pid);
    return { processes, machine: machineCpuSeconds() };
  }
}
