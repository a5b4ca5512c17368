// Pod IPs from a node's /24 pod CIDR, as a host-local IPAM plugin hands them out: .1 is the
// gateway, pods get .2 to .254, each search continuing after the last address handed out (as
// host-local does, so a released address is not reused at once).
export class IpAllocator {
  private readonly used = new Uint8Array(256);
  private readonly prefix: string;
  private next = 2;

  /** cidr: `a.b.c.0/24`. */
  constructor(cidr: string) {
    this.prefix = cidr.replace(/\.0\/24$/, '.');
  }

  /** An address, or undefined when the range is full. */
  allocate(): string | undefined {
    for (let n = 0; n < 253; n++) {
      const i = ((this.next - 2 + n) % 253) + 2;
      if (!this.used[i]) {
        this.used[i] = 1;
        this.next = i + 1 > 254 ? 2 : i + 1;
        return this.prefix + i;
      }
    }
    return undefined;
  }

  /** Marks an address in use (pods found running after a restart); false when outside the range. */
  claim(ip: string): boolean {
    if (!ip.startsWith(this.prefix)) return false;
    const i = Number(ip.slice(this.prefix.length));
    if (!(i >= 2 && i <= 254)) return false;
    this.used[i] = 1;
    return true;
  }

  release(ip: string | undefined): void {
    if (!ip?.startsWith(this.prefix)) return;
    const i = Number(ip.slice(this.prefix.length));
    if (i >= 2 && i <= 254) this.used[i] = 0;
  }
}
