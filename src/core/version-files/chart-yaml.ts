// Sets a Helm chart's `version` (and `appVersion`, when present) in Chart.yaml, keeping each one's quoting.
import { checkVersion, type VersionFileOptions } from './editor.js';
import { setYamlScalars } from './yaml-path.js';

export function setChartYamlVersion(text: string, version: string, opts: VersionFileOptions = {}): string {
  checkVersion(version);
  const withApp = opts.appVersion ?? true;
  return setYamlScalars(text, version, opts.file ?? 'Chart.yaml', [['version']], withApp ? [['appVersion']] : []);
}
