// A bounded least-recently-used cache: a decoy. It fills up during warmup and then turns
// over (entries come and go), so its size stays flat and it is no leak.

export class PriceCache {
  private entries = new Map<string, { price: number; at: number }>();

  constructor(private readonly limit: number) {}

  get(sku: string, compute: () => number): number {
    const hit = this.entries.get(sku);
    if (hit) {
      this.entries.delete(sku);
      this.entries.set(sku, hit);
      return hit.price;
    }
    const entry = { price: compute(), at: Date.now() };
    this.entries.set(sku, entry);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry.price;
  }

  get size(): number {
    return this.entries.size;
  }
}
