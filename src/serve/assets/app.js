// The page of `scaffold serve`. Every answer lives in the URL (the same parameters as the
// HTTP API and the flags of `scaffold new`), so a copied link restores the page. The server
// does all the checking; this script only shows what it says.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  };

  // What the user answered. `stack` empty: follow the recommendation's top pick.
  const state = { name: "demo", needs: [], team: "", stack: "", sets: {} };
  let meta = null; // GET /api/packs
  let rec = null; // the last recommendation
  let plan = null; // the last plan
  let planSeq = 0;
  let recSeq = 0;
  let timer = null;
  let openFile = null;
  const whyOpen = new Map(); // ranked stacks whose reasons the user opened
  const dirOpen = new Map(); // directories the user opened or closed in the file tree

  function readUrl() {
    const q = new URLSearchParams(location.search);
    if (q.has("name")) state.name = q.get("name");
    state.stack = q.get("stack") || q.get("pack") || "";
    state.needs = (q.get("needs") || "").split(",").map((s) => s.trim()).filter(Boolean);
    state.team = q.get("team") || "";
    state.sets = {};
    for (const s of q.getAll("set")) {
      const at = s.indexOf("=");
      if (at > 0) state.sets[s.slice(0, at)] = s.slice(at + 1);
    }
  }

  function query() {
    const q = new URLSearchParams();
    q.set("name", state.name);
    if (state.stack) q.set("stack", state.stack);
    if (state.needs.length) q.set("needs", state.needs.join(","));
    if (state.team) q.set("team", state.team);
    for (const [k, v] of Object.entries(state.sets)) q.append("set", k + "=" + v);
    return q.toString();
  }

  function body() {
    const b = { name: state.name, set: Object.entries(state.sets).map(([k, v]) => k + "=" + v) };
    if (state.stack) b.stack = state.stack;
    if (state.needs.length) b.needs = state.needs.join(",");
    if (state.team) b.team = state.team;
    return b;
  }

  async function api(path, payload) {
    const res = await fetch(path, payload === undefined ? {} : {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    let doc = null;
    try { doc = await res.json(); } catch (_) { doc = { error: "the server answered " + res.status }; }
    if (!res.ok) throw new Error((doc && doc.error) || "the server answered " + res.status);
    return doc;
  }

  function say(text) {
    const s = $("status");
    s.textContent = "";
    // A fresh text node so screen readers announce the same message twice in a row.
    window.setTimeout(() => { s.textContent = text; }, 30);
  }

  // ---- 1. needs and team ------------------------------------------------------------

  function buildQuestions() {
    const needs = $("needs-list");
    needs.replaceChildren();
    for (const n of meta.needs) {
      const id = "need-" + n.id;
      const box = el("input", { type: "checkbox", id, value: n.id, name: "needs" });
      box.checked = state.needs.includes(n.id);
      box.addEventListener("change", () => {
        state.needs = meta.needs.map((x) => x.id).filter((x) => $("need-" + x).checked);
        changed();
      });
      needs.append(el("div", { class: "check" }, box,
        el("label", { for: id }, el("span", { class: "id", text: n.id }), el("span", { class: "label-text", text: n.label }))));
    }
    const teams = $("team-list");
    teams.replaceChildren();
    for (const t of meta.teams) {
      const id = "team-" + t.id;
      const radio = el("input", { type: "radio", id, value: t.id, name: "team" });
      radio.checked = (state.team || "none") === t.id;
      radio.addEventListener("change", () => { state.team = t.id; changed(); });
      teams.append(el("div", { class: "check" }, radio, el("label", { for: id, text: t.label })));
    }
    $("name").value = state.name;
  }

  // ---- 2. the ranking ---------------------------------------------------------------

  function packMeta(name) {
    return meta.packs.find((p) => p.name === name) || null;
  }

  function chosenPack() {
    if (plan) return plan.pack;
    if (state.stack) return state.stack;
    return rec ? rec.stack : null;
  }

  function stackRadio(value, labelNodes, checked, extraClass) {
    const id = "stack-" + (value || "follow");
    const radio = el("input", { type: "radio", name: "stack", id, value });
    radio.checked = checked;
    radio.addEventListener("change", () => {
      state.stack = value;
      const pack = packMeta(value || (rec && rec.stack));
      if (pack) {
        const names = pack.variables.map((v) => v.name);
        for (const k of Object.keys(state.sets)) if (!names.includes(k)) delete state.sets[k];
      }
      changed();
    });
    return el("div", { class: "head " + (extraClass || "") }, radio, el("label", { for: id }, ...labelNodes));
  }

  function renderRanking() {
    const list = $("ranking");
    list.replaceChildren();
    if (!rec) return;
    const summary = (id) => ((meta.stacks.find((s) => s.id === id) || {}).summary || "");
    const follow = el("li", { class: "rank follow" + (state.stack ? "" : " chosen") },
      stackRadio("", [el("span", { class: "title", text: "Follow the recommendation" }),
        el("span", { class: "summary", text: "Take the top pick for these answers: " + rec.stack })], !state.stack));
    list.append(follow);
    rec.ranking.forEach((r, i) => {
      const available = !!packMeta(r.stack);
      const chosen = state.stack === r.stack;
      const title = [
        el("span", { class: "score", text: r.score.toFixed(1) }),
        el("span", { class: "title", text: (i + 1) + ". " + r.stack }),
        i === 0 ? el("span", { class: "top-pick", text: "top pick" }) : null,
        el("span", { class: "summary", text: summary(r.stack) + (available ? "" : " (no pack on this server)") }),
      ];
      const head = stackRadio(r.stack, title, chosen);
      if (!available) head.querySelector("input").disabled = true;
      const reasons = el("ul", { class: "reasons", "aria-label": "Why " + r.stack + " scored " + r.score.toFixed(1) });
      const contrib = r.contributions || [];
      r.reasons.forEach((reason, j) => {
        const delta = contrib[j] ? contrib[j].delta : 0;
        const sign = delta > 0 ? el("span", { class: "plus", text: "+ " }) : delta < 0 ? el("span", { class: "minus", text: "− " }) : null;
        reasons.append(el("li", {}, sign, reason));
      });
      // The top pick's and the chosen stack's reasons are open; the others' one click away.
      const why = el("details", { class: "why" },
        el("summary", { text: "Why " + r.score.toFixed(1) + " (" + r.reasons.length + (r.reasons.length === 1 ? " reason)" : " reasons)") }), reasons);
      why.open = i === 0 || chosen || whyOpen.get(r.stack) === true;
      why.addEventListener("toggle", () => whyOpen.set(r.stack, why.open));
      list.append(el("li", { class: "rank" + (chosen ? " chosen" : "") }, head, why));
    });
    const others = $("others");
    others.replaceChildren();
    const extra = meta.packs.filter((p) => !p.builtin);
    if (extra.length) {
      const ul = el("ul", { class: "ranking" });
      for (const p of extra) {
        ul.append(el("li", { class: "rank" + (state.stack === p.name ? " chosen" : "") },
          stackRadio(p.name, [el("span", { class: "title", text: p.name + " " + p.version }),
            el("span", { class: "summary", text: p.description })], state.stack === p.name)));
      }
      others.append(el("p", { class: "help", text: "Other packs on this server:" }), ul);
    }
    $("why-not").textContent = rec.why_not || "";
    const notes = $("notes");
    notes.replaceChildren(...(rec.notes || []).map((n) => el("li", { text: n })));
  }

  // ---- 3. the options ---------------------------------------------------------------

  function valueOf(v) {
    if (Object.prototype.hasOwnProperty.call(state.sets, v.name)) return String(state.sets[v.name]);
    if (plan && plan.pack === currentOptionsPack) {
      const r = plan.variables.find((x) => x.name === v.name);
      if (r) return String(r.value);
    }
    return v.default === undefined ? "" : String(v.default);
  }

  let currentOptionsPack = null;

  function setVar(name, value) {
    state.sets[name] = value;
    changed();
  }

  function buildOptions() {
    const name = chosenPack();
    const pack = name && packMeta(name);
    const box = $("options");
    const focused = document.activeElement && document.activeElement.id;
    if (!pack) { box.replaceChildren(); return; }
    if (currentOptionsPack !== pack.name) {
      currentOptionsPack = pack.name;
      box.replaceChildren();
      for (const v of pack.variables) box.append(buildVar(v));
      const cons = $("constraints");
      cons.replaceChildren();
      const said = pack.constraints.filter((c) => c.message);
      if (said.length) {
        cons.append(el("h3", { text: "Combinations this pack refuses" }),
          el("ul", {}, ...said.map((c) => el("li", { text: c.message }))));
      }
    }
    $("options-pack").textContent = "for " + pack.name + " " + pack.version;
    for (const v of pack.variables) {
      const wrap = $("var-" + v.name);
      const input = $("input-" + v.name);
      if (!wrap || !input) continue;
      const applies = plan && plan.pack === pack.name
        ? (plan.variables.find((x) => x.name === v.name) || { applies: true }).applies
        : wrap.hidden === false;
      wrap.hidden = !applies;
      if (input.id !== focused) {
        if (v.type === "bool") input.checked = valueOf(v) === "true";
        else input.value = valueOf(v);
      }
    }
  }

  function buildVar(v) {
    const id = "input-" + v.name;
    const helpId = "help-" + v.name;
    const errId = "error-" + v.name;
    const described = [v.help ? helpId : null, v.validate_message ? "rule-" + v.name : null, errId].filter(Boolean).join(" ");
    const ruleId = "rule-" + v.name;
    const help = el("div", {},
      v.help ? el("p", { class: "help", id: helpId, text: v.help }) : null,
      v.validate_message ? el("p", { class: "help", id: ruleId, text: "The value " + v.validate_message + "." }) : null);
    const err = el("p", { class: "field-error", id: errId });
    const prompt = v.prompt;
    let input;
    if (v.type === "bool") {
      input = el("input", { type: "checkbox", id, "aria-describedby": described });
      input.addEventListener("change", () => setVar(v.name, input.checked ? "true" : "false"));
      return el("div", { class: "var", id: "var-" + v.name },
        el("div", { class: "check" }, input, el("label", { for: id, text: prompt })), help, err);
    }
    if (v.type === "choice") {
      input = el("select", { id, "aria-describedby": described });
      for (const c of v.choices) input.append(el("option", { value: c, text: c }));
      input.addEventListener("change", () => setVar(v.name, input.value));
    } else {
      input = el("input", { type: "text", id, "aria-describedby": described, spellcheck: "false", autocomplete: "off" });
      if (v.type === "integer") input.setAttribute("inputmode", "numeric");
      input.addEventListener("input", () => setVar(v.name, input.value));
    }
    return el("div", { class: "var", id: "var-" + v.name }, el("label", { for: id, text: prompt }), input, help, err);
  }

  function showFieldErrors(message) {
    for (const node of document.querySelectorAll(".field-error")) node.textContent = "";
    for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    if (!message) return;
    const m = /^invalid value for `([a-z0-9_]+)`/.exec(message);
    if (m && $("error-" + m[1])) {
      $("error-" + m[1]).textContent = message;
      $("input-" + m[1]).setAttribute("aria-invalid", "true");
    }
    if (/^invalid project name/.test(message)) $("name").setAttribute("aria-invalid", "true");
  }

  // ---- 4. the files -----------------------------------------------------------------

  function size(n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1048576).toFixed(1) + " MiB";
  }

  function renderTree() {
    const tree = $("tree");
    tree.replaceChildren();
    if (!plan) return;
    const root = { dirs: new Map(), files: [] };
    for (const f of plan.files) {
      const parts = f.path.split("/");
      let node = root;
      for (const d of parts.slice(0, -1)) {
        if (!node.dirs.has(d)) node.dirs.set(d, { dirs: new Map(), files: [] });
        node = node.dirs.get(d);
      }
      node.files.push({ name: parts[parts.length - 1], file: f });
    }
    const build = (node, prefix, ul) => {
      for (const [name, sub] of [...node.dirs.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
        const dir = prefix + name + "/";
        const details = el("details", { "data-dir": dir });
        details.open = dirOpen.has(dir) ? dirOpen.get(dir) : prefix === "";
        details.addEventListener("toggle", () => dirOpen.set(dir, details.open));
        const inner = el("ul");
        build(sub, dir, inner);
        details.append(el("summary", { text: name + "/" }), inner);
        ul.append(el("li", {}, details));
      }
      for (const { name, file } of node.files) {
        const b = el("button", { type: "button", class: "file", "data-path": file.path },
          el("span", { class: "fname", text: name + (file.executable ? " *" : "") + (file.link ? " → " + file.link : "") }),
          el("span", { class: "size", text: size(file.bytes) }));
        b.title = file.path;
        if (file.path === openFile) b.setAttribute("aria-current", "true");
        b.addEventListener("click", () => showFile(file.path));
        ul.append(el("li", {}, b));
      }
    };
    build(root, "", tree);
    const total = plan.files.reduce((n, f) => n + f.bytes, 0);
    $("summary").textContent = plan.files.length + " files, " + size(total) + ", into " + plan.path + "/ (" + plan.pack + " " + plan.pack_version + ")";
  }

  async function showFile(path) {
    openFile = path;
    for (const b of document.querySelectorAll("button.file")) {
      if (b.dataset.path === path) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
    $("preview-title").textContent = path;
    $("preview-body").textContent = "Rendering…";
    try {
      const q = new URLSearchParams(query());
      q.set("path", path);
      const doc = await api("/api/file?" + q.toString());
      if (openFile !== path) return;
      if (doc.link) $("preview-body").textContent = "A link to " + doc.link;
      else if (doc.text === null) $("preview-body").textContent = "A binary file of " + size(doc.bytes) + ".";
      else $("preview-body").textContent = doc.text;
      $("preview-title").textContent = path + (doc.executable ? " (executable)" : "");
    } catch (e) {
      $("preview-body").textContent = e.message;
    }
  }

  // ---- 5. download, link, command ---------------------------------------------------

  function renderGet(error) {
    const a = $("download");
    const q = query();
    $("link").value = location.origin + "/?" + q;
    if (error || !plan) {
      a.removeAttribute("href");
      a.setAttribute("aria-disabled", "true");
      a.setAttribute("role", "link");
      a.tabIndex = 0;
      $("cli").value = plan ? plan.command : "";
    } else {
      a.setAttribute("href", plan.download);
      a.removeAttribute("aria-disabled");
      a.removeAttribute("role");
      a.removeAttribute("tabindex");
      $("cli").value = plan.command;
    }
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
      say("Copied " + what + ".");
    } catch (_) {
      const input = what === "the link" ? $("link") : $("cli");
      input.focus();
      input.select();
      const ok = document.execCommand && document.execCommand("copy");
      say(ok ? "Copied " + what + "." : "Select the text below and copy it.");
    }
  }

  // ---- the flow -------------------------------------------------------------------

  async function refresh() {
    history.replaceState(null, "", "/?" + query());
    const r = ++recSeq;
    const p = ++planSeq;
    const recPromise = api("/api/recommend", {
      needs: state.needs.length ? state.needs.join(",") : undefined,
      team: state.team || undefined,
    }).then((doc) => {
      if (r !== recSeq) return;
      rec = doc;
      renderRanking();
    }).catch((e) => {
      if (r === recSeq) $("why-not").textContent = e.message;
    });
    try {
      const doc = await api("/api/plan", body());
      if (p !== planSeq) return;
      plan = doc;
      $("plan-error").textContent = "";
      $("name").removeAttribute("aria-invalid");
      showFieldErrors(null);
      renderTree();
      renderGet(null);
      if (openFile && plan.files.some((f) => f.path === openFile)) showFile(openFile);
    } catch (e) {
      if (p !== planSeq) return;
      $("plan-error").textContent = e.message;
      showFieldErrors(e.message);
      renderGet(e.message);
    }
    await recPromise;
    if (p === planSeq) {
      buildOptions();
      document.body.dataset.ready = String(p);
    }
  }

  function changed() {
    document.body.dataset.ready = "";
    renderGet("pending");
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 120);
  }

  async function start() {
    readUrl();
    try {
      meta = await api("/api/packs");
    } catch (e) {
      $("plan-error").textContent = "Cannot load the packs: " + e.message;
      return;
    }
    buildQuestions();
    $("name").addEventListener("input", () => { state.name = $("name").value; changed(); });
    $("copy-link").addEventListener("click", () => copy($("link").value, "the link"));
    $("copy-cli").addEventListener("click", () => copy($("cli").value, "the CLI command"));
    $("download").addEventListener("click", (ev) => {
      if ($("download").getAttribute("aria-disabled") === "true") {
        ev.preventDefault();
        say("Fix the answers marked above first.");
      } else {
        say("Downloading " + (plan ? plan.path : "the starter") + ".zip.");
      }
    });
    $("download").addEventListener("keydown", (ev) => {
      if (ev.key === " " && $("download").getAttribute("href")) { ev.preventDefault(); $("download").click(); }
    });
    await refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
