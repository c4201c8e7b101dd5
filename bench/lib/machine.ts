// Describes the machine a benchmark ran on (Node, git, CPUs, load), so figures can be read in context.
import { cpus, loadavg, totalmem } from 'node:os';
import { runCommand } from './run-command.js';

export interface MachineInfo {
  node: string;
  git: string;
  platform: string;
  cpuCount: number;
  cpuModel: string;
  totalMemMb: number;
  /** 1-minute load average when the run started: the machine is shared, so read figures against it. */
  loadAverage1m: number;
}

export async function machineInfo(): Promise<MachineInfo> {
  const gitVersion = await runCommand('git', ['--version'], { cwd: process.cwd() }).catch(() => 'unknown');
  const cpuList = cpus();
  return {
    node: process.version,
    git: gitVersion.replace(/^git version /, ''),
    platform: `${process.platform}-${process.arch}`,
    cpuCount: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    totalMemMb: Math.round(totalmem() / 1024 / 1024),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** One markdown line for the top of a results page. */
export function machineLine(info: MachineInfo): string {
  return `Node ${info.node}, git ${info.git}, ${info.platform}, ${info.cpuCount} × ${info.cpuModel}, ${info.totalMemMb} MB RAM, load ${info.loadAverage1m} at start`;
}
