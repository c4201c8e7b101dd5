// SLSA v1 provenance as an in-toto statement: which repository, commit and tag produced which digests, built by whom.

export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const INTOTO_STATEMENT = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1';
export const CUTTER_BUILD_TYPE = 'https://github.com/cutter-release/cutter/release@v1';

export interface ProvenanceInput {
  /** `https://github.com/acme/connector-x` (or the sandbox URL). */
  repositoryUrl: string;
  commit: string;
  tag: string;
  builderId: string;
  /** What the release produced: name and `sha256:<hex>` (the image digest, the checksums file). */
  subjects: { name: string; digest: string }[];
  /** Other inputs (base images, lockfile digest…). */
  materials?: { uri: string; digest: string }[];
  invocationId?: string;
  startedOn?: string;
}

export interface Statement {
  _type: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: {
    buildDefinition: {
      buildType: string;
      externalParameters: { repository: string; ref: string };
      internalParameters: Record<string, unknown>;
      resolvedDependencies: { uri: string; digest: Record<string, string> }[];
    };
    runDetails: { builder: { id: string }; metadata?: { invocationId?: string; startedOn?: string } };
  };
}

function digestMap(digest: string): Record<string, string> {
  const [alg = '', hex = ''] = digest.split(':', 2);
  return { [alg]: hex };
}

export function provenanceStatement(input: ProvenanceInput): Statement {
  const ref = `refs/tags/${input.tag}`;
  return {
    _type: INTOTO_STATEMENT,
    subject: input.subjects.map((s) => ({ name: s.name, digest: digestMap(s.digest) })),
    predicateType: SLSA_PROVENANCE,
    predicate: {
      buildDefinition: {
        buildType: CUTTER_BUILD_TYPE,
        externalParameters: { repository: input.repositoryUrl, ref },
        internalParameters: {},
        resolvedDependencies: [
          { uri: `git+${input.repositoryUrl}@${ref}`, digest: { gitCommit: input.commit } },
          ...(input.materials ?? []).map((m) => ({ uri: m.uri, digest: digestMap(m.digest) })),
        ],
      },
      runDetails: {
        builder: { id: input.builderId },
        metadata: {
          ...(input.invocationId ? { invocationId: input.invocationId } : {}),
          ...(input.startedOn ? { startedOn: input.startedOn } : {}),
        },
      },
    },
  };
}

/** The commit a statement says it was built from, or null when it names none. */
export function provenanceCommit(statement: Statement): string | null {
  const deps = statement.predicate?.buildDefinition?.resolvedDependencies ?? [];
  return deps.find((d) => d.uri.startsWith('git+'))?.digest?.['gitCommit'] ?? null;
}

/** The `sha256:<hex>` the statement records for a subject, or null. */
export function provenanceSubject(statement: Statement, name: string): string | null {
  const hex = statement.subject?.find((s) => s.name === name)?.digest?.['sha256'];
  return hex ? `sha256:${hex}` : null;
}
