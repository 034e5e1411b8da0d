import type { Item } from "../items/items.schema.js";

export type ItemEventType = "item.created" | "item.updated" | "item.deleted";

/** One change to an item, as sent over the WebSocket and the event stream. */
export type ItemEvent =
  | { id: number; type: "item.created" | "item.updated"; item: Item }
  | { id: number; type: "item.deleted"; item: { id: string } };

export type ItemEventListener = (event: ItemEvent) => void;

/** How many past events are kept for clients that resume (`Last-Event-ID`). */
export const EVENT_BUFFER_SIZE = 1000;

/**
 * In-process broadcaster of item events. Ids increase by one per event, starting at 1, for the
 * life of the process; the last EVENT_BUFFER_SIZE events stay in a ring buffer so a client that
 * reconnects can ask for what it missed. Listeners run synchronously, in publish order.
 */
export class ItemEventBus {
  readonly #buffer: (ItemEvent | undefined)[];
  readonly #listeners = new Set<ItemEventListener>();
  #lastId = 0;

  constructor(readonly capacity = EVENT_BUFFER_SIZE) {
    this.#buffer = new Array<ItemEvent | undefined>(capacity);
  }

  /** Id of the newest event, 0 before the first one. */
  get lastId(): number {
    return this.#lastId;
  }

  publish(type: "item.created" | "item.updated", item: Item): ItemEvent;
  publish(type: "item.deleted", item: { id: string }): ItemEvent;
  publish(type: ItemEventType, item: Item | { id: string }): ItemEvent {
    this.#lastId += 1;
    const event = { id: this.#lastId, type, item } as ItemEvent;
    this.#buffer[this.#lastId % this.capacity] = event;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not stop the others or the write that published the event.
      }
    }
    return event;
  }

  /** Calls `listener` for every event from now on; returns the function that stops it. */
  subscribe(listener: ItemEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Buffered events with an id greater than `afterId`, oldest first (older ones are gone). */
  since(afterId: number): ItemEvent[] {
    const first = Math.max(afterId + 1, this.#lastId - this.capacity + 1, 1);
    const events: ItemEvent[] = [];
    for (let id = first; id <= this.#lastId; id += 1) {
      const event = this.#buffer[id % this.capacity];
      if (event !== undefined) events.push(event);
    }
    return events;
  }
}
