import { describe, expect, it } from "vitest";

import { ItemEventBus } from "../src/modules/events/item-events.js";

const item = (n: number) => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  name: `item ${n}`,
  description: null,
  createdAt: "2026-01-01T12:00:00.000Z",
});

describe("ItemEventBus", () => {
  it("numbers events from 1 and tells every listener in order", () => {
    const bus = new ItemEventBus();
    const seen: number[] = [];
    const stop = bus.subscribe((event) => seen.push(event.id));
    bus.publish("item.created", item(1));
    bus.publish("item.deleted", { id: item(1).id });
    stop();
    bus.publish("item.created", item(2));
    expect(seen).toEqual([1, 2]);
    expect(bus.lastId).toBe(3);
  });

  it("replays what came after an id, within the buffer", () => {
    const bus = new ItemEventBus(3);
    for (let n = 1; n <= 5; n += 1) bus.publish("item.created", item(n));
    expect(bus.since(3).map((event) => event.id)).toEqual([4, 5]);
    // Events 1 and 2 fell out of the buffer: what is left comes back, oldest first.
    expect(bus.since(0).map((event) => event.id)).toEqual([3, 4, 5]);
    expect(bus.since(5)).toEqual([]);
    expect(bus.since(99)).toEqual([]);
  });

  it("keeps going when a listener throws", () => {
    const bus = new ItemEventBus();
    const seen: string[] = [];
    bus.subscribe(() => {
      throw new Error("broken listener");
    });
    bus.subscribe((event) => seen.push(event.type));
    bus.publish("item.created", item(1));
    expect(seen).toEqual(["item.created"]);
  });
});
