/** Versions are plain MAJOR.MINOR.PATCH (no pre-release tags), so ordering is numeric per part. */
export const SEMVER_PATTERN = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$/;

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
}

export function parseSemver(version: string): SemVer | null {
  const m = SEMVER_PATTERN.exec(version);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : null;
}

export function compareSemver(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export const formatSemver = (v: SemVer) => `${v.major}.${v.minor}.${v.patch}`;

export const bumpPatch = (v: SemVer): SemVer => ({ ...v, patch: v.patch + 1 });
