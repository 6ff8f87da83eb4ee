import type { LeaseResult } from './mirror-slot.js';

/** The right to send one request to one mirror; see {@link FetchScheduler.acquire}. */
export interface MirrorLease {
  readonly mirrorIndex: number;
  /** This request is the half-open circuit's trial: its outcome decides the circuit. */
  readonly trial: boolean;
  /** Frees the slot once the response is read (decoding needs none). Idempotent. */
  release(): void;
  /** Records the outcome, releasing first if that was not done. Only the first call counts. */
  report(result: LeaseResult): void;
}

/** What a lease tells the scheduler that granted it. */
export interface LeaseOwner {
  /** The request no longer holds its slot; called at most once per lease. */
  free(mirrorIndex: number): void;
  /** A slot may have come free: serve whoever waits. */
  pump(): void;
  /** Books the request's outcome (its slot already freed) and serves whoever waits. */
  record(mirrorIndex: number, trial: boolean, result: LeaseResult): void;
}

/**
 * A granted request, freeing its slot once and booking its outcome once. The methods are
 * bound, so a caller may hand them on detached.
 */
export class SlotLease implements MirrorLease {
  private released = false;
  private reported = false;

  constructor(
    readonly mirrorIndex: number,
    readonly trial: boolean,
    private readonly owner: LeaseOwner,
  ) {}

  readonly release = (): void => {
    this.free();
    this.owner.pump();
  };

  readonly report = (result: LeaseResult): void => {
    if (this.reported) return;
    this.reported = true;
    this.free();
    this.owner.record(this.mirrorIndex, this.trial, result);
  };

  private free(): void {
    if (this.released) return;
    this.released = true;
    this.owner.free(this.mirrorIndex);
  }
}
