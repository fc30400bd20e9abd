/**
 * Event dispatch with Zeek's semantics.
 *
 * - Raising an event queues it; queued events run in order when the engine
 *   drains the queue (after each packet, and wherever Zeek itself drains,
 *   e.g. before file analysis asks for a file handle).
 * - Every handler of one event runs, highest priority first, before the next
 *   queued event. smbscope's own policy (Zeek's base scripts) registers at
 *   Zeek's priorities (5 before, -5 after); user handlers default to 0, so a
 *   user sees an event after the base scripts' priority-5 handlers updated
 *   state (and, as in Zeek, after they adjusted the record, e.g. an empty
 *   create file name becoming "<share_root>").
 * - Events raised by handlers run after the ones already queued.
 * - `schedule` queues an internal step (file analysis) in the same order.
 *
 * `wants(name)` lets producers skip building payloads nobody listens to.
 */

import type { EventMap, EventName } from './catalogue.js';

export type Handler<K extends EventName> = (...args: EventMap[K]) => void;

/** A listener for every event: name, network time, arguments. */
export type AnyHandler = (name: EventName, ts: number, args: readonly unknown[]) => void;

interface Registered {
  priority: number;
  seq: number;
  named: ((...args: unknown[]) => void) | undefined;
  any: AnyHandler | undefined;
}

interface Queued {
  name: EventName | undefined;
  ts: number;
  args: unknown[] | undefined;
  step: (() => void) | undefined;
}

export class EventBus {
  private readonly named = new Map<EventName, Registered[]>();
  private readonly anys: Registered[] = [];
  /** merged, priority-ordered handler lists per event, rebuilt after registrations */
  private readonly plans = new Map<EventName, Registered[]>();
  private seq = 0;
  /** queued entries [head, tail); entries are reused from one drain to the next */
  private readonly queue: Queued[] = [];
  private head = 0;
  private tail = 0;
  private draining = false;

  on<K extends EventName>(name: K, fn: Handler<K>, priority = 0): void {
    let list = this.named.get(name);
    if (!list) {
      list = [];
      this.named.set(name, list);
    }
    list.push({ priority, seq: this.seq++, named: fn as unknown as (...args: unknown[]) => void, any: undefined });
    this.plans.clear();
  }

  onAny(fn: AnyHandler, priority = 0): void {
    this.anys.push({ priority, seq: this.seq++, named: undefined, any: fn });
    this.plans.clear();
  }

  wants(name: EventName): boolean {
    return this.anys.length > 0 || this.named.has(name);
  }

  /** Queues an event raised at network time `ts`. */
  raise<K extends EventName>(name: K, ts: number, ...args: EventMap[K]): void {
    if (!this.wants(name)) return;
    const q = this.slot();
    q.name = name;
    q.ts = ts;
    q.args = args;
  }

  /** Queues an internal step to run in event order. */
  schedule(step: () => void): void {
    this.slot().step = step;
  }

  private slot(): Queued {
    let q = this.queue[this.tail];
    if (q) {
      q.name = undefined;
      q.args = undefined;
      q.step = undefined;
    } else {
      q = { name: undefined, ts: 0, args: undefined, step: undefined };
      this.queue.push(q);
    }
    this.tail++;
    return q;
  }

  /** Runs every queued event, including the ones raised while running. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.head < this.tail) {
        const ev = this.queue[this.head++]!;
        const step = ev.step;
        if (step) {
          ev.step = undefined;
          step();
          continue;
        }
        const name = ev.name!;
        const args = ev.args!;
        const ts = ev.ts;
        ev.args = undefined; // the entry may be reused by events raised below
        const plan = this.plan(name);
        for (let k = 0; k < plan.length; k++) {
          const h = plan[k]!;
          if (h.named) call(h.named, args);
          else h.any!(name, ts, args);
        }
      }
    } finally {
      this.head = 0;
      this.tail = 0;
      // a burst of events leaves its entries for reuse, within reason
      if (this.queue.length > 4096) this.queue.length = 4096;
      this.draining = false;
    }
  }

  get pending(): number {
    return this.tail - this.head;
  }

  private plan(name: EventName): Registered[] {
    let p = this.plans.get(name);
    if (!p) {
      p = [...(this.named.get(name) ?? []), ...this.anys].sort((a, b) => b.priority - a.priority || a.seq - b.seq);
      this.plans.set(name, p);
    }
    return p;
  }
}

/** A handler called with the event's arguments: a direct call for the usual arities, a spread beyond. */
function call(fn: (...args: unknown[]) => void, a: unknown[]): void {
  switch (a.length) {
    case 1:
      fn(a[0]);
      return;
    case 2:
      fn(a[0], a[1]);
      return;
    case 3:
      fn(a[0], a[1], a[2]);
      return;
    case 4:
      fn(a[0], a[1], a[2], a[3]);
      return;
    case 5:
      fn(a[0], a[1], a[2], a[3], a[4]);
      return;
    default:
      fn(...a);
  }
}
