// Per-message bookkeeping of the measured window: how many deliveries each message still owes. One Int32 per
// message (not a Map), so a long run at a high rate stays a few MB; duplicates are told apart from drops.

export class DeliveryLedger {
  private owed = new Int32Array(1024);
  private size = 0;
  expected = 0;
  delivered = 0;
  duplicates = 0;

  /** Record a sent message owing `receivers` deliveries; returns its index in the window. */
  add(receivers: number): number {
    if (this.size === this.owed.length) {
      const bigger = new Int32Array(this.owed.length * 2);
      bigger.set(this.owed);
      this.owed = bigger;
    }
    this.owed[this.size] = receivers;
    this.expected += receivers;
    return this.size++;
  }

  get count(): number {
    return this.size;
  }

  /** A delivery of message `index`: true when it was owed, false for a duplicate or an unknown index. */
  deliver(index: number): boolean {
    if (index < 0 || index >= this.size) return false;
    if (this.owed[index]! > 0) {
      this.owed[index]!--;
      this.delivered++;
      return true;
    }
    this.duplicates++;
    return false;
  }

  get complete(): boolean {
    return this.delivered >= this.expected;
  }

  get drops(): number {
    return Math.max(0, this.expected - this.delivered);
  }
}
