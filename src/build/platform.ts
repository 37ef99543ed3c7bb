// Build platforms (`POST /build?platform=`, `FROM --platform=`) as containerd's platforms.Parse
// reads them, with its error messages. dockerd 20.10's classic builder uses a platform only to
// choose what to pull; a local image serves whatever its platform. berth, which does not pull,
// so looks at the OS alone: dockerd refuses a FROM scratch for an OS other than its own.

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
/** Go's architectures and the aliases containerd normalizes (x86_64, aarch64, armhf, ...). */
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le',
  'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm', 'i386', 'x86_64', 'x86-64', 'aarch64', 'armhf', 'armel',
]);

const invalid = (message: string) => new Error(`${message}: invalid argument`);

/** The OS of a platform specifier (`os[/arch[/variant]]`, or an architecture alone, meaning this OS). */
export function platformOS(specifier: string): string {
  if (specifier.includes('*')) throw invalid(`${JSON.stringify(specifier)}: wildcards not yet supported`);
  const parts = specifier.split('/');
  for (const part of parts) {
    if (!/^[A-Za-z0-9_-]+$/.test(part)) throw invalid(`${JSON.stringify(part)} is an invalid component of ${JSON.stringify(specifier)}: platform specifier component must match "^[A-Za-z0-9_-]+$"`);
  }
  if (parts.length > 3) throw invalid(`${JSON.stringify(specifier)}: cannot parse platform specifier`);
  const os = parts[0].toLowerCase() === 'macos' ? 'darwin' : parts[0].toLowerCase();
  if (parts.length > 1 || KNOWN_OS.has(os)) return os;
  if (KNOWN_ARCH.has(os)) return 'linux';
  throw invalid(`${JSON.stringify(specifier)}: unknown operating system or architecture`);
}
