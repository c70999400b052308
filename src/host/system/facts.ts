export interface SystemFacts {
  hostname: string;
  os: { id: string; versionId: string; prettyName: string } | null;
  /** `uname -m`: aarch64, x86_64, … */
  arch: string;
  kernel: string;
  /** DGX model when the host identifies as one (`DGX Spark`, `DGX Station`, …), else null. */
  dgxModel: string | null;
}
