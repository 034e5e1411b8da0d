import express from "express";
import request from "supertest";
import { describe, expect, it } from "vitest";

import { createLogger } from "../src/lib/logger.js";
import { errorHandler } from "../src/middleware/errors.js";
import { requestLogger } from "../src/middleware/request-logger.js";

function appThatThrows(exposeDetails: boolean) {
  const app = express();
  app.use(requestLogger(createLogger({ LOG_LEVEL: "silent", NODE_ENV: "test" })));
  app.get("/boom", () => {
    throw new Error("database password is hunter2");
  });
  app.use(errorHandler({ exposeDetails }));
  return app;
}

describe("errorHandler", () => {
  it("hides the message and stack of unexpected errors when details are off", async () => {
    const res = await request(appThatThrows(false)).get("/boom").expect(500);
    expect(res.body).toEqual({
      error: { code: "internal_error", message: "Internal server error" },
    });
    expect(res.text).not.toContain("hunter2");
  });

  it("shows them in development", async () => {
    const res = await request(appThatThrows(true)).get("/boom").expect(500);
    expect(res.body.error.message).toBe("database password is hunter2");
    expect(res.body.error.stack).toContain("Error: database password");
  });
});
