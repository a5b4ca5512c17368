// The version k8ts reports. kubectl needs gitVersion; helm reads major/minor for
// .Capabilities.KubeVersion; node agents report the same kubeletVersion.
export const KUBE_MINOR = 35;
export const GIT_VERSION = `v1.${KUBE_MINOR}.0+k8ts`;

export function versionInfo() {
  return {
    major: '1',
    minor: String(KUBE_MINOR),
    gitVersion: GIT_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'k8ts',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
