/**
 * The one test clock: the server's `Clock` (src/server/clock.ts), which the client library's
 * `ClientClock` matches. Time stands still until the test moves it, so expiry is tested without
 * sleeping and a boundary second cannot slip by while a test runs (STYLE.md, "Time is injected").
 */
import type { Clock } from '../../src/server/clock.js';

/** A clock that stands still until `advance`; it starts at the real time so tokens from a real server line up. */
export class TestClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
