import { describe, expect, it } from "vitest";

import { ConfigError, loadConfig } from "../src/config/env.js";

const valid = { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/app" };

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      HOST: "127.0.0.1",
      PORT: 3000,
      CORS_ORIGINS: ["http://localhost:5173"],
      TRUST_PROXY: 0,
    });
  });

  it("parses CORS_ORIGINS as a comma-separated allowlist", () => {
    const config = loadConfig({ ...valid, CORS_ORIGINS: "https://a.example, https://b.example" });
    expect(config.CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
    expect(loadConfig({ ...valid, CORS_ORIGINS: "" }).CORS_ORIGINS).toEqual([]);
  });

  it("lists every invalid variable in one error", () => {
    const broken = {
      ...valid,
      PORT: "eighty",
      LOG_LEVEL: "loud",
      CORS_ORIGINS: "https://app.example/",
      TRUST_PROXY: "-1",
    };
    expect(() => loadConfig(broken)).toThrow(ConfigError);
    try {
      loadConfig(broken);
    } catch (err) {
      const message = (err as Error).message;
      for (const name of ["PORT", "LOG_LEVEL", "CORS_ORIGINS", "TRUST_PROXY"]) {
        expect(message).toContain(`- ${name}`);
      }
    }
  });
});
