// Browser tests of `scaffold serve`: the real binary, the real page, a real headless
// Chromium driven by playwright-core. Prints `N passed, N failed` last.
//
//   SCAFFOLD_BIN   the scaffold binary (default: ../../target/debug/scaffold)
//   CHROMIUM       the browser (default: /usr/bin/chromium)
//   ARTIFACTS      where screenshots go (default: ./artifacts)

import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const BIN = path.resolve(process.env.SCAFFOLD_BIN || path.join(here, "../../target/debug/scaffold"));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = path.resolve(process.env.ARTIFACTS || path.join(here, "artifacts"));
const AXE = require.resolve("axe-core/axe.min.js");
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

fs.mkdirSync(ARTIFACTS, { recursive: true });
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "scaffold-browser-"));

// ---- helpers ---------------------------------------------------------------------

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ["serve", "--addr", "127.0.0.1:0", "--packs", path.join(here, "fixtures/packs")], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    const timer = setTimeout(() => reject(new Error("the server did not start: " + err)), 15000);
    child.stderr.on("data", (d) => {
      err += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(err);
      if (m) { clearTimeout(timer); resolve({ child, url: m[1], log: () => err }); }
    });
    child.on("exit", (code) => reject(new Error("the server exited with " + code + ": " + err)));
  });
}

/** Every entry of a zip: name → { data, mode, link }. */
function readZip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip");
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error("bad central directory");
    const method = buf.readUInt16LE(at + 10);
    const csize = buf.readUInt32LE(at + 20);
    const nlen = buf.readUInt16LE(at + 28);
    const xlen = buf.readUInt16LE(at + 30);
    const clen = buf.readUInt16LE(at + 32);
    const attr = buf.readUInt32LE(at + 38);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nlen);
    const lstart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(lstart, lstart + csize);
    const data = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
    const mode = attr >>> 16;
    out.set(name, { data, mode, link: (mode & 0o170000) === 0o120000 });
    at += 46 + nlen + xlen + clen;
  }
  return out;
}

/** Every file under dir (no .git): relative path → { data, mode }. */
function readTree(dir) {
  const out = new Map();
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (rel === "" && e.name === ".git") continue;
      const p = path.join(d, e.name);
      const r = rel ? rel + "/" + e.name : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (e.isSymbolicLink()) out.set(r, { data: Buffer.from(fs.readlinkSync(p)), mode: fs.lstatSync(p).mode });
      else out.set(r, { data: fs.readFileSync(p), mode: fs.lstatSync(p).mode });
    }
  };
  walk(dir, "");
  return out;
}

/** The lines of two .env files agree except the values of generated secrets. */
function sameButSecrets(a, b) {
  const la = a.toString().split("\n");
  const lb = b.toString().split("\n");
  if (la.length !== lb.length) return false;
  return la.every((x, i) => x === lb[i] || x.split("=")[0] === lb[i].split("=")[0]);
}

/** Compare a downloaded zip with the project `scaffold new` writes for the same command. */
function compareWithCli(zipBuf, command, label) {
  const entries = readZip(zipBuf);
  for (const name of entries.keys()) {
    assert(!name.startsWith("/") && !name.split("/").includes(".."), "plain entry name: " + name);
  }
  const dir = fs.mkdtempSync(path.join(scratch, label + "-"));
  assert(command.startsWith("scaffold new "), "a scaffold new command: " + command);
  execFileSync("sh", ["-c", command + " --no-git"], {
    cwd: dir,
    env: { ...process.env, PATH: path.dirname(BIN) + ":" + process.env.PATH },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const [project] = fs.readdirSync(dir);
  const tree = readTree(path.join(dir, project));
  const zipped = new Map();
  for (const [name, e] of entries) {
    assert(name.startsWith(project + "/"), `zip entry ${name} is under ${project}/`);
    zipped.set(name.slice(project.length + 1), e);
  }
  assertEqual([...zipped.keys()].sort(), [...tree.keys()].sort(), "the same files");
  let secrets = 0;
  for (const [rel, file] of tree) {
    const z = zipped.get(rel);
    assertEqual(z.mode & 0o170777, file.mode & 0o170777, "type and mode of " + rel);
    if (path.basename(rel) === ".env") {
      assert(sameButSecrets(z.data, file.data), rel + " differs beyond its secrets");
      if (!z.data.equals(file.data)) secrets++;
    } else {
      assert(z.data.equals(file.data), rel + " is byte-identical");
    }
  }
  return { files: tree.size, secrets, project };
}

/** What the CLI prints after `error: ` for these arguments (it must fail). */
function cliError(args) {
  try {
    execFileSync(BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    return e.stderr.toString().replace(/^error: /, "").trimEnd();
  }
  throw new Failure("the CLI accepted " + args.join(" "));
}

class Failure extends Error {}
function assert(ok, what) { if (!ok) throw new Failure(what); }
function assertEqual(a, b, what) {
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  if (ja !== jb) throw new Failure(`${what}: ${ja.slice(0, 400)} != ${jb.slice(0, 400)}`);
}

async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 15000 });
}

async function fresh(page, url) {
  await page.goto(url);
  await ready(page);
}

async function settle(page) {
  await page.waitForFunction(() => document.body.dataset.ready === "", null, { timeout: 2000 }).catch(() => {});
  await ready(page);
}

async function topPick(page) {
  return page.$eval("#ranking li:nth-child(2) .title", (n) => n.textContent.replace(/^\d+\.\s*/, ""));
}

async function download(page, trigger) {
  const [dl] = await Promise.all([page.waitForEvent("download"), trigger()]);
  const file = path.join(scratch, "dl-" + Date.now() + ".zip");
  await dl.saveAs(file);
  return { buf: fs.readFileSync(file), name: dl.suggestedFilename() };
}

// ---- the tests -----------------------------------------------------------------

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test("answering needs changes the ranking", async ({ page, url }) => {
  await fresh(page, url + "/");
  const before = await topPick(page);
  await page.check("#need-realtime");
  await page.check("#need-ml");
  await page.check("#team-js");
  await settle(page);
  const after = await topPick(page);
  assertEqual(after, "hybrid", "top pick for realtime + ml + js");
  assert(before !== after, `the ranking changed (${before} → ${after})`);
  const whyNot = await page.textContent("#why-not");
  assert(whyNot.length > 10, "a why-not line: " + whyNot);
  const reasons = await page.$$eval("#ranking li:nth-child(2) .reasons li", (l) => l.length);
  assert(reasons > 0, "the top pick shows its reasons");
  assert(page.url().includes("needs=realtime%2Cml") && page.url().includes("team=js"), "the URL carries the answers: " + page.url());
  const options = await page.textContent("#options-pack");
  assert(options.includes("hybrid"), "the options follow the top pick: " + options);
});

test("picking options changes the plan; a bad value is refused with the CLI's message", async ({ page, url }) => {
  await fresh(page, url + "/?name=shop");
  await page.check("#stack-fastapi");
  await settle(page);
  assert(await page.isVisible("#input-database"), "fastapi asks for the database");
  await page.selectOption("#input-database", "postgres");
  await settle(page);
  assert((await page.inputValue("#cli")).includes("--set database=postgres"), "the command carries the choice");
  assert(await page.$("button.file[data-path='Dockerfile']"), "a Dockerfile with docker on");
  await page.uncheck("#input-docker");
  await settle(page);
  assert(!(await page.$("button.file[data-path='Dockerfile']")), "no Dockerfile with docker off");
  await page.fill("#input-python_version", "2.7");
  await settle(page);
  const err = await page.textContent("#plan-error");
  const cli = cliError(["new", "shop", "--stack", "fastapi", "--set", "database=postgres", "--set", "docker=false", "--set", "python_version=2.7", "--yes", "--dry-run"]);
  assertEqual(err, cli, "the page shows the CLI's message");
  assert(err.startsWith("invalid value for `python_version`"), "the message names the variable: " + err);
  assertEqual(await page.getAttribute("#input-python_version", "aria-invalid"), "true", "the field is marked invalid");
  assertEqual(await page.getAttribute("#download", "aria-disabled"), "true", "no download while refused");
  await page.fill("#input-python_version", "3.12");
  await settle(page);
  assertEqual(await page.textContent("#plan-error"), "", "the error clears");
  assert(await page.getAttribute("#download", "href"), "download is back");
});

test("a served pack: only_if hides a question, a refused combination is explained before download", async ({ page, url }) => {
  await fresh(page, url + "/?name=shop");
  await page.check("#stack-orders");
  await settle(page);
  assert((await page.textContent("#constraints")).includes("the container runs against PostgreSQL"), "the pack's rules are listed");
  assert(!(await page.isVisible("#input-pool_size")), "pool_size is hidden for sqlite");
  assert((await page.textContent("#rule-region")).includes("The value must look like eu-west-1."), "the validation rule is said up front");
  await page.selectOption("#input-database", "postgres");
  await settle(page);
  assert(await page.isVisible("#input-pool_size"), "pool_size is asked for postgres");
  await page.selectOption("#input-database", "sqlite");
  await settle(page);
  assert(!(await page.isVisible("#input-pool_size")), "and hidden again");
  await page.check("#input-docker");
  await settle(page);
  const err = await page.textContent("#plan-error");
  const dir = path.join(here, "fixtures/packs/orders");
  const cli = cliError(["new", "shop", "--pack", dir, "--set", "database=sqlite", "--set", "docker=true", "--yes", "--dry-run"]);
  assertEqual(err, cli, "the CLI's message");
  assert(err.includes("the container runs against PostgreSQL"), "explained: " + err);
  assertEqual(await page.getAttribute("#download", "aria-disabled"), "true", "no download while refused");
  await page.selectOption("#input-database", "postgres");
  await settle(page);
  assertEqual(await page.textContent("#plan-error"), "", "accepted with postgres");
  const cmd = await page.inputValue("#cli");
  assert(cmd.includes("--pack " + dir), "the command names the served directory: " + cmd);
  const { buf } = await download(page, () => page.click("#download"));
  const r = compareWithCli(buf, cmd, "orders");
  const run = readZip(buf).get("shop/run.sh");
  assertEqual(run.mode & 0o777, 0o755, "run.sh is executable in the zip");
  assert(r.files === 6, "six files, a link among them: " + r.files);
  const link = readZip(buf).get("shop/bin/start");
  assert(link.link && link.data.toString() === "../run.sh", "bin/start stays a link to ../run.sh");
});

test("a file of the plan opens in the preview", async ({ page, url }) => {
  await fresh(page, url + "/?name=shop&stack=fastapi");
  await page.click("button.file[data-path='app/main.py']");
  await page.waitForFunction(() => document.getElementById("preview-body").textContent.includes("FastAPI"));
  assertEqual(await page.textContent("#preview-title"), "app/main.py", "the preview's title");
  await page.click("button.file[data-path='.scaffold.toml']");
  await page.waitForFunction(() => document.getElementById("preview-body").textContent.includes('stack = "fastapi"'));
});

test("the downloaded zip is the project `scaffold new` writes with the copied command", async ({ page, url }) => {
  await fresh(page, url + "/?name=My%20Shop&needs=api,admin&team=python&stack=django&set=database%3Dpostgres");
  await page.click("#copy-cli");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assertEqual(copied, await page.inputValue("#cli"), "the clipboard holds the command");
  assertEqual(copied, "scaffold new 'My Shop' --stack django --needs api,admin --team python --set database=postgres --yes", "the command");
  const { buf, name } = await download(page, () => page.click("#download"));
  assertEqual(name, "my-shop.zip", "the file name");
  const r = compareWithCli(buf, copied, "django");
  assert(r.files > 20 && r.secrets >= 1, `compared ${r.files} files, ${r.secrets} with fresh secrets`);
});

test("the hybrid's zip matches too (included packs, executable files)", async ({ page, url }) => {
  await fresh(page, url + "/?name=hub&needs=realtime,ml&team=js");
  const cli = await page.inputValue("#cli");
  assertEqual(cli, "scaffold new hub --needs realtime,ml --team js --yes", "following the recommendation");
  const { buf } = await download(page, () => page.click("#download"));
  const r = compareWithCli(buf, cli, "hybrid");
  assert(r.files > 60, "the hybrid has its gateway and worker: " + r.files);
  const modes = [...readZip(buf).values()].filter((e) => e.mode & 0o100).length;
  assert(modes >= 0, "modes read");
});

test("a shared link restores every answer", async ({ page, context, url }) => {
  await fresh(page, url + "/?name=shop");
  await page.check("#need-data");
  await page.check("#need-automation");
  await page.check("#team-python");
  await settle(page);
  await page.check("#stack-fastapi");
  await settle(page);
  await page.selectOption("#input-database", "postgres");
  await page.fill("#input-description", "Orders & invoices");
  await settle(page);
  await page.click("#copy-link");
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assertEqual(link, await page.inputValue("#link"), "the clipboard holds the link");
  const other = await context.newPage();
  await fresh(other, link);
  assertEqual(await other.inputValue("#name"), "shop", "name");
  assert(await other.isChecked("#need-data") && await other.isChecked("#need-automation"), "needs");
  assert(!(await other.isChecked("#need-realtime")), "unchecked needs stay unchecked");
  assert(await other.isChecked("#team-python"), "team");
  assert(await other.isChecked("#stack-fastapi"), "stack");
  assertEqual(await other.inputValue("#input-database"), "postgres", "database");
  assertEqual(await other.inputValue("#input-description"), "Orders & invoices", "description");
  assertEqual(await other.inputValue("#cli"), await page.inputValue("#cli"), "the same command");
  await other.close();
});

test("keyboard only: answer, choose, open a file, download", async ({ page, url }) => {
  await fresh(page, url + "/");
  const focused = () => page.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.dataset.path || document.activeElement.tagName));
  const tabTo = async (target, limit = 400) => {
    for (let i = 0; i < limit; i++) {
      if ((await focused()) === target) return;
      await page.keyboard.press("Tab");
    }
    throw new Failure("Tab never reached " + target);
  };
  await tabTo("name");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("Key Board");
  await tabTo("need-api");
  await page.keyboard.press("Space");
  await tabTo("need-data");
  await page.keyboard.press("Space");
  await tabTo("team-none");
  await page.keyboard.press("ArrowDown"); // wraps to js
  await page.keyboard.press("ArrowDown"); // python
  assertEqual(await focused(), "team-python", "arrows move within the team");
  await settle(page);
  await tabTo("stack-follow");
  for (let i = 0; i < 8 && (await focused()) !== "stack-fastapi"; i++) await page.keyboard.press("ArrowDown");
  assertEqual(await focused(), "stack-fastapi", "arrows reach fastapi in the ranking");
  await settle(page);
  await tabTo("input-database");
  await page.keyboard.press("ArrowDown");
  await settle(page);
  assertEqual(await page.inputValue("#input-database"), "postgres", "the select changed by keyboard");
  await tabTo("app/main.py");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("preview-body").textContent.includes("FastAPI"));
  await tabTo("download");
  const { buf } = await download(page, () => page.keyboard.press("Enter"));
  const record = readZip(buf).get("key-board/.scaffold.toml");
  assert(record, "the zip holds key-board/.scaffold.toml");
  const text = record.data.toString();
  for (const want of ['name = "Key Board"', 'stack = "fastapi"', 'team = "python"', 'database = "postgres"', '"api"', '"data"']) {
    assert(text.includes(want), "the record has " + want + ":\n" + text);
  }
});

test("no accessibility violations (axe-core), light and dark, 360 px and 1280 px", async ({ axePage, url }) => {
  const page = axePage;
  const problems = [];
  for (const [scheme, width] of [["light", 1280], ["dark", 1280], ["light", 360], ["dark", 360]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    await fresh(page, url + "/?name=shop&needs=realtime,ml&team=js");
    await page.click("button.file[data-path='README.md']");
    await page.waitForFunction(() => document.getElementById("preview-body").textContent.length > 100);
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line no-undef
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
    });
    for (const v of result) problems.push(`${scheme} ${width}px: ${v}`);
  }
  assert(problems.length === 0, "violations:\n  " + problems.join("\n  "));
});

test("screenshots at 360 px and 1280 px, light and dark; no horizontal scroll on a phone", async ({ page, url }) => {
  for (const [width, height] of [[360, 780], [1280, 900]]) {
    for (const scheme of ["light", "dark"]) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      await fresh(page, url + "/?name=shop&needs=realtime,ml&team=js");
      await page.screenshot({ path: path.join(ARTIFACTS, `view-${width}-${scheme}-top.png`) });
      await page.click("button.file[data-path='README.md']");
      await page.waitForFunction(() => document.getElementById("preview-body").textContent.length > 100);
      const file = path.join(ARTIFACTS, `page-${width}-${scheme}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await page.$eval("#ranking-card", (n) => n.scrollIntoView());
      await page.screenshot({ path: path.join(ARTIFACTS, `view-${width}-${scheme}-ranking.png`) });
      await page.$eval("#options-card", (n) => n.scrollIntoView());
      await page.screenshot({ path: path.join(ARTIFACTS, `view-${width}-${scheme}-options.png`) });
      await page.$eval("#get-card", (n) => n.scrollIntoView());
      await page.screenshot({ path: path.join(ARTIFACTS, `view-${width}-${scheme}-get.png`) });
      await page.$eval("#files-card", (n) => n.scrollIntoView());
      await page.screenshot({ path: path.join(ARTIFACTS, `view-${width}-${scheme}-files.png`) });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, `${width}px ${scheme}: the page scrolls sideways by ${overflow}px`);
    }
  }
});

test("the first load is under 150 KB, with no CSP violation or console error", async ({ context, url }) => {
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  let bytes = 0;
  page.on("response", async (r) => {
    try { bytes += (await r.body()).length + 300; } catch (_) { /* a download */ }
  });
  await fresh(page, url + "/");
  await page.waitForTimeout(300);
  assert(bytes < 150 * 1024, `first load transferred ${bytes} bytes`);
  console.log(`     (first load: ${bytes} bytes, responses and their headers)`);
  assertEqual(errors, [], "console errors");
  const res = await page.request.get(url + "/");
  const h = res.headers();
  assert(/script-src 'self'/.test(h["content-security-policy"]) && !/unsafe-inline/.test(h["content-security-policy"]), "a CSP without inline script");
  assert(/frame-ancestors 'none'/.test(h["content-security-policy"]), "frame-ancestors 'none'");
  assertEqual(h["x-content-type-options"], "nosniff", "nosniff");
  await page.close();
});

// ---- the runner ----------------------------------------------------------------

let passed = 0;
let failed = 0;
let server;
let context;
let axeContext;
try {
  server = await startServer();
  const launch = (dir, extra) => chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    ...extra,
  });
  context = await launch(fs.mkdtempSync(path.join(scratch, "profile-")), {});
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  // axe-core is injected as a script, which the page's CSP forbids by design.
  axeContext = await launch(fs.mkdtempSync(path.join(scratch, "profile-axe-")), { bypassCSP: true });
  const page = context.pages()[0] || await context.newPage();
  const axePage = axeContext.pages()[0] || await axeContext.newPage();
  for (const t of tests) {
    const started = Date.now();
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.emulateMedia({ colorScheme: "light" });
      await t.fn({ page, axePage, context, url: server.url });
      passed++;
      console.log(`ok   ${t.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}\n     ${String(e && e.stack || e).split("\n").slice(0, 6).join("\n     ")}`);
      await page.screenshot({ path: path.join(ARTIFACTS, "failure-" + tests.indexOf(t) + ".png"), fullPage: true }).catch(() => {});
    }
  }
} catch (e) {
  failed++;
  console.log("FAIL setup: " + (e && e.stack || e));
} finally {
  if (context) await context.close().catch(() => {});
  if (axeContext) await axeContext.close().catch(() => {});
  if (server) {
    server.child.kill("SIGTERM");
    const code = await new Promise((r) => server.child.on("exit", (c) => r(c)));
    if (code === 0) { passed++; console.log("ok   the server stops on SIGTERM with exit 0"); }
    else { failed++; console.log("FAIL the server exited with " + code + " on SIGTERM"); }
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
