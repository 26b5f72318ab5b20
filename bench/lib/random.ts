// A seeded PRNG (mulberry32): the dataset is the same on every machine and every run.
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** In [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A UUIDv7-shaped id for the time `ms`: ids sort by creation time, as the product's do. */
  uuid7(ms: number): string {
    const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
    const time = hex(Math.floor(ms), 12);
    const r = () => hex(this.int(0x10000), 4);
    const variant = hex(0x8000 | this.int(0x4000), 4);
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${r().slice(1)}-${variant}-${r()}${r()}${r()}`;
  }
}
