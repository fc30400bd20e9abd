/**
 * Event dispatch with Zeek's semantics: raising an event queues it; queued
 * events run, in order, when the engine drains the queue (after each packet,
 * and wherever Zeek itself drains). Handlers therefore always see the
 * analyzer's view of a packet complete, and events raised by handlers run
 * after the ones already queued.
 *
 * `wants(name)` lets producers skip building payloads nobody listens to.
 */

import type { EventMap, EventName } from './catalogue.js';

export type Handler<K extends EventName> = (...args: EventMap[K]) => void;

/** A listener for every event: name, network time, arguments. */
export type AnyHandler = (name: EventName, ts: number, args: readonly unknown[]) => void;

interface Queued {
  name: EventName;
  ts: number;
  args: unknown[];
}

export class EventBus {
  private readonly handlers = new Map<EventName, Array<(...args: never[]) => void>>();
  private readonly anyHandlers: AnyHandler[] = [];
  private queue: Queued[] = [];
  private draining = false;

  on<K extends EventName>(name: K, fn: Handler<K>): void {
    let list = this.handlers.get(name);
    if (!list) {
      list = [];
      this.handlers.set(name, list);
    }
    list.push(fn as unknown as (...args: never[]) => void);
  }

  onAny(fn: AnyHandler): void {
    this.anyHandlers.push(fn);
  }

  wants(name: EventName): boolean {
    return this.anyHandlers.length > 0 || this.handlers.has(name);
  }

  /** Queues an event raised at network time `ts`. */
  raise<K extends EventName>(name: K, ts: number, ...args: EventMap[K]): void {
    if (!this.wants(name)) return;
    this.queue.push({ name, ts, args });
  }

  /** Runs every queued event, including the ones raised while running. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const ev = this.queue[i]!;
        for (const fn of this.anyHandlers) fn(ev.name, ev.ts, ev.args);
        const list = this.handlers.get(ev.name);
        if (list) for (const fn of list) (fn as (...a: unknown[]) => void)(...ev.args);
      }
    } finally {
      this.queue = [];
      this.draining = false;
    }
  }

  get pending(): number {
    return this.queue.length;
  }
}
