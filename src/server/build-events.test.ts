import { describe, expect, it } from 'vitest';
import { registryPackageToBuildTask, workflowRunToBuildTask } from './build-events.js';

const repository = { name: 'connector-x', full_name: 'acme/connector-x', owner: { login: 'acme' } };

describe('build events', () => {
  it('turns a published container package with a version tag into a build task for the repository', () => {
    const decision = registryPackageToBuildTask({
      action: 'published',
      registry_package: {
        name: 'connector-x',
        package_type: 'CONTAINER',
        package_version: {
          version: 'sha256:abc',
          container_metadata: { tag: { name: 'v1.4.2' } },
          package_url: 'ghcr.io/acme/connector-x:v1.4.2',
        },
      },
      repository,
    });
    expect(decision).toEqual({
      task: {
        kind: 'build',
        key: 'acme/connector-x',
        data: {
          build: {
            type: 'connector',
            connectorId: 'connector-x',
            repo: 'acme/connector-x',
            image: 'ghcr.io/acme/connector-x:v1.4.2',
            version: '1.4.2',
            trigger: 'package connector-x:v1.4.2 published',
          },
        },
        dedupeKey: 'build:registry_package:acme/connector-x:v1.4.2',
      },
    });
  });

  it('ignores what is not a released image: npm packages, latest tags, updates', () => {
    const pkg = (over: Record<string, unknown>) => ({
      action: 'published',
      registry_package: {
        package_type: 'container',
        package_version: { container_metadata: { tag: { name: 'latest' } } },
        ...over,
      },
      repository,
    });
    expect(registryPackageToBuildTask(pkg({}))).toEqual({ ignore: 'image tag latest is not a release version' });
    expect(registryPackageToBuildTask(pkg({ package_type: 'npm' }))).toEqual({
      ignore: 'a npm package is not an image',
    });
    expect(registryPackageToBuildTask({ ...pkg({}), action: 'updated' })).toEqual({
      ignore: 'registry_package updated',
    });
  });

  it('rolls out after a successful workflow run on a release tag only', () => {
    const run = (workflow_run: Record<string, unknown>) =>
      workflowRunToBuildTask({ action: 'completed', workflow_run, repository });
    const ok = run({ name: 'image', conclusion: 'success', head_branch: 'v2.0.0', head_sha: 'b'.repeat(40) });
    expect(ok).toMatchObject({
      task: { key: 'acme/connector-x', data: { build: { version: '2.0.0', tag: 'v2.0.0', sha: 'b'.repeat(40) } } },
    });
    expect(run({ conclusion: 'success', head_branch: 'main' })).toEqual({
      ignore: 'workflow run on main, not on a release tag',
    });
    expect(run({ conclusion: 'cancelled', head_branch: 'v2.0.0' })).toEqual({
      ignore: 'workflow run concluded cancelled',
    });
  });
});
