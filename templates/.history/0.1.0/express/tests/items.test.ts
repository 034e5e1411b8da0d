import { randomUUID } from "node:crypto";

import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";

import { buildTestApp } from "./helpers.js";

const { app, close } = buildTestApp();
// Everything a test creates is deleted again, so the suite can rerun against the same database.
const created: string[] = [];

afterAll(async () => {
  for (const id of created) await request(app).delete(`/api/items/${id}`);
  await close();
});

async function createItem(body: object) {
  const res = await request(app).post("/api/items").send(body).expect(201);
  created.push(res.body.id as string);
  return res;
}

describe("/api/items", () => {
  it("creates an item and returns it with 201 and a Location", async () => {
    const res = await createItem({ name: "widget", description: "optional text" });
    expect(res.body).toMatchObject({ name: "widget", description: "optional text" });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(res.body.createdAt as string).toString()).not.toBe("Invalid Date");
    expect(res.headers.location).toBe(`/api/items/${res.body.id}`);
  });

  it("makes the description optional", async () => {
    const res = await createItem({ name: "  gadget  " });
    expect(res.body).toMatchObject({ name: "gadget", description: null });
  });

  it("lists items", async () => {
    const { body: item } = await createItem({ name: "listed" });
    const res = await request(app).get("/api/items").expect(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body).toContainEqual(item);
  });

  it("gets one item by id", async () => {
    const { body: item } = await createItem({ name: "fetched" });
    const res = await request(app).get(`/api/items/${item.id}`).expect(200);
    expect(res.body).toEqual(item);
  });

  it("deletes an item, then reports it missing", async () => {
    const res = await request(app).post("/api/items").send({ name: "doomed" }).expect(201);
    const url = `/api/items/${res.body.id}`;
    await request(app).delete(url).expect(204, "");
    const after = await request(app).get(url).expect(404);
    expect(after.body.error.code).toBe("not_found");
    await request(app).delete(url).expect(404);
  });

  it.each([
    ["an unknown uuid", randomUUID()],
    ["a malformed id", "not-a-uuid"],
  ])("answers 404 JSON for %s", async (_label, id) => {
    const res = await request(app).get(`/api/items/${id}`).expect(404);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe("not_found");
    await request(app).delete(`/api/items/${id}`).expect(404);
  });
});

describe("POST /api/items validation", () => {
  it.each([
    ["an empty name", { name: "" }, "name"],
    ["a blank name", { name: "   " }, "name"],
    ["a missing name", { description: "no name" }, "name"],
    ["a name that is not a string", { name: 42 }, "name"],
    [
      "a description over 2000 characters",
      { name: "x", description: "y".repeat(2001) },
      "description",
    ],
    ["an unknown field", { name: "x", price: 3 }, ""],
  ])("rejects %s with 422", async (_label, body, path) => {
    const res = await request(app).post("/api/items").send(body).expect(422);
    expect(res.body.error.code).toBe("validation_error");
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path })]),
    );
  });

  it("rejects a request without a body", async () => {
    const res = await request(app).post("/api/items").expect(422);
    expect(res.body.error.code).toBe("validation_error");
  });
});
