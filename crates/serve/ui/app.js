// swarmscan's web pages: the browser side of the JSON API under /api/.
//
// One page (index.html), routed by the URL's hash; each route draws a view
// into <main id="main">:
//
//   (signed out)          the sign-in form, whatever the hash
//   #/                    home: upload and watch forms (analyst, admin), datasets, jobs
//   #/datasets/ID         a dataset: record accounting, who it is shared with
//                         and the share form, run, derive and delete, its jobs
//   #/jobs/ID             a job: state, stage, error (polled every second while
//                         queued or running), cancel, result files, "Open report";
//                         a watch also its live counters, its alerts (newest first,
//                         fetched every few seconds), "Open live report" while it
//                         runs and the datasets its events became
//   #/compare?a=J&b=K     two done scans side by side: clusters that appeared,
//                         vanished, changed (members who joined and left), unchanged
//   #/users               users (admins): create, list, delete
//   #/token               a new API token, shown once
//
// The header (#nav) has the links, who is signed in and "Sign out"; errors
// and notices appear in #message.
//
// Rules this file keeps:
// - Data reaches the page only as text (el() makes text nodes; textContent):
//   dataset names, user names and `why` lines are whatever someone typed.
// - The CSRF token from the sign-in answer is kept in memory only; after a
//   reload GET /api/me gives it back. Every request but GET sends it.
// - The page hides what a role cannot do; the server checks it all the same.

const FORMATS = ["twarc2", "twitter-v1", "cnt", "ira", "telegram", "bluesky", "mastodon", "crowdtangle", "coortweet", "parquet"];
const NETWORKS = ["co_repost", "co_link", "co_reply", "co_text", "co_similar", "co_post", "co_hashtag"];
const ACTIVE = new Set(["queued", "running"]);

const state = {
  me: null, // {id, name, role}
  csrf: null,
  users: new Map(), // id -> name, known to admins
  notice: null, // shown once by the next view
};
// Bumped on every navigation: a view or poll from an older one draws nothing.
let generation = 0;

const $ = (id) => document.getElementById(id);
const main = $("main");

// ---- DOM, as text only ----

/** An element with attributes (`on…` adds a listener) and children (strings become text). */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** A labelled input: the label wraps its control. */
function field(label, control, hint) {
  return el("label", { class: "field" }, el("span", {}, label), control, hint ? el("small", {}, hint) : null);
}

function table(id, headers, rows, empty) {
  if (rows.length === 0) return el("p", { id, class: "empty" }, empty);
  return el(
    "table",
    { id },
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows),
  );
}

const link = (href, text, attrs = {}) => el("a", { href, ...attrs }, text);
const datasetHref = (id) => `#/datasets/${encodeURIComponent(id)}`;
const jobHref = (id) => `#/jobs/${encodeURIComponent(id)}`;
const resultHref = (job, file) => `/api/jobs/${encodeURIComponent(job)}/results/${encodeURIComponent(file)}`;

function when(seconds) {
  if (seconds === undefined || seconds === null) return "";
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ") + " UTC";
}

// `name`: the name the API gave with the id (owner_name, created_by_name).
function userName(id, name) {
  if (state.me && id === state.me.id) return `${state.me.name} (you)`;
  return name ?? state.users.get(id) ?? `user #${id}`;
}

const skippedTotal = (d) => Object.values(d.skipped ?? {}).reduce((a, n) => a + Number(n), 0);
const kindOf = (job) => job.kind ?? "scan";

// ---- messages ----

function say(text, kind = "error") {
  const m = $("message");
  m.className = `message ${kind}`;
  m.textContent = text;
  m.hidden = false;
}

function clearMessage() {
  $("message").hidden = true;
  $("message").textContent = "";
}

function showError(e) {
  // A request that found the session over has signed the page out: ask again.
  if (!state.me && main.querySelector("#signin-form") === null) main.replaceChildren(signInView());
  say(e instanceof ApiError ? `${e.message} (HTTP ${e.status})` : `Something went wrong: ${e}`);
}

// ---- the API ----

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Calls the API; the answer's JSON (null for 204). Throws ApiError with the server's `error`. */
async function api(method, path, body) {
  const headers = {};
  let payload;
  if (body instanceof Blob) {
    payload = body; // a File: the browser streams it
    headers["Content-Type"] = "application/octet-stream";
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["Content-Type"] = "application/json";
  }
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const r = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (r.status === 204) return null;
  const text = await r.text();
  let data = text;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  if (!r.ok) {
    const msg = (data && data.error) || text || r.statusText;
    if (r.status === 401 && path !== "/api/login" && state.me) {
      // The session ended (expired, or signed out elsewhere).
      signedOut();
      state.notice = null;
    }
    throw new ApiError(r.status, msg);
  }
  return data;
}

const can = {
  upload: () => ["admin", "analyst"].includes(state.me.role),
  run: () => ["admin", "analyst"].includes(state.me.role),
  share: (d) => state.me.role === "admin" || (state.me.role === "analyst" && d.owner === state.me.id),
  remove: (d) => state.me.role === "admin" || (state.me.role !== "viewer" && d.owner === state.me.id),
  admin: () => state.me.role === "admin",
};

// ---- session ----

function signedIn(user, csrf) {
  state.me = { id: user.id, name: user.name, role: user.role };
  state.csrf = csrf ?? null;
  $("whoami").textContent = `${user.name} (${user.role})`;
  $("nav-users").hidden = user.role !== "admin";
  $("nav").hidden = false;
}

function signedOut() {
  state.me = null;
  state.csrf = null;
  state.users = new Map();
  $("nav").hidden = true;
  $("whoami").textContent = "";
}

function signInView() {
  const name = el("input", { id: "signin-name", name: "username", autocomplete: "username", required: true });
  const password = el("input", { id: "signin-password", type: "password", autocomplete: "current-password", required: true });
  const form = el(
    "form",
    {
      id: "signin-form",
      class: "card narrow",
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const r = await api("POST", "/api/login", { name: name.value.trim(), password: password.value });
          signedIn(r.user, r.csrf);
          clearMessage();
          route();
        } catch (e) {
          showError(e);
        }
      },
    },
    el("h1", {}, "Sign in"),
    field("User name", name),
    field("Password", password),
    el("button", { type: "submit" }, "Sign in"),
  );
  return form;
}

$("sign-out").addEventListener("click", async () => {
  try {
    await api("POST", "/api/logout");
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) return showError(e);
  }
  signedOut();
  state.notice = "Signed out.";
  if (location.hash === "#/") route();
  else location.hash = "#/";
});

// ---- routing ----

/** Goes to `hash`, showing `notice` there. */
function go(hash, notice) {
  state.notice = notice ?? null;
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  const gen = ++generation;
  clearMessage();
  if (state.notice) say(state.notice, "info");
  state.notice = null;
  if (!state.me) {
    main.replaceChildren(signInView());
    $("signin-name").focus();
    return;
  }
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query ?? "");
  main.setAttribute("aria-busy", "true");
  try {
    if (can.admin() && state.users.size === 0) {
      for (const u of await api("GET", "/api/users")) state.users.set(u.id, u.name);
    }
    let view;
    if (parts.length === 0) view = await homeView();
    else if (parts[0] === "datasets" && parts.length === 2) view = await datasetView(parts[1]);
    else if (parts[0] === "jobs" && parts.length === 2) view = await jobView(parts[1], gen);
    else if (parts[0] === "compare" && parts.length === 1) view = await compareView(params.get("a"), params.get("b"));
    else if (parts[0] === "users" && parts.length === 1) view = await usersView();
    else if (parts[0] === "token" && parts.length === 1) view = tokenView();
    else view = el("p", {}, "No such page. ", link("#/", "Back to the datasets."));
    if (gen === generation) main.replaceChildren(view);
  } catch (e) {
    if (gen !== generation) return;
    if (state.me) main.replaceChildren(el("p", {}, link("#/", "Back to the datasets.")));
    showError(e);
  } finally {
    if (gen === generation) main.removeAttribute("aria-busy");
  }
}

// ---- home ----

async function homeView() {
  const [datasets, jobs] = await Promise.all([api("GET", "/api/datasets"), api("GET", "/api/jobs")]);
  const names = new Map(datasets.map((d) => [d.id, d.name]));
  return el(
    "div",
    {},
    can.upload() ? uploadForm() : null,
    can.run() ? watchForm() : null,
    el("h2", {}, "Datasets"),
    datasetsTable(datasets, names),
    el("h2", {}, "Jobs"),
    jobsTable(jobs, names),
  );
}

function datasetsTable(datasets, names) {
  const rows = datasets.map((d) =>
    el(
      "tr",
      { "data-id": d.id },
      el("td", {}, link(datasetHref(d.id), d.name)),
      el("td", {}, d.format),
      el("td", { class: "num" }, d.records),
      el("td", { class: "num" }, d.parsed),
      el("td", { class: "num" }, skippedTotal(d)),
      el("td", {}, userName(d.owner, d.owner_name)),
      el("td", {}, d.parent ? link(datasetHref(d.parent), names.get(d.parent) ?? d.parent.slice(0, 12)) : "—"),
      el("td", {}, when(d.created)),
    ),
  );
  const headers = ["Name", "Format", "Records", "Parsed", "Skipped", "Owner", "Derived from", "Uploaded"];
  return table("datasets", headers, rows, "No datasets yet.");
}

function jobsTable(jobs, names) {
  const rows = jobs.map((j) =>
    el(
      "tr",
      { "data-id": j.id, "data-state": j.state },
      el("td", {}, link(jobHref(j.id), `#${j.id}`)),
      el("td", {}, kindOf(j)),
      el("td", {}, j.dataset_id ? link(datasetHref(j.dataset_id), names.get(j.dataset_id) ?? j.dataset_id.slice(0, 12)) : "live stream"),
      el("td", { class: `state ${j.state}` }, j.state),
      el("td", {}, j.stage ?? ""),
      el("td", {}, when(j.created)),
    ),
  );
  return table("jobs", ["Job", "Kind", "Dataset", "State", "Stage", "Created"], rows, "No jobs yet.");
}

function uploadForm() {
  const file = el("input", { id: "upload-file", type: "file", required: true });
  const name = el("input", { id: "upload-name", placeholder: "the file's name" });
  const format = el("select", { id: "upload-format" }, el("option", { value: "" }, "auto (detect)"), FORMATS.map((f) => el("option", { value: f }, f)));
  const button = el("button", { type: "submit" }, "Upload");
  return el(
    "form",
    {
      id: "upload-form",
      class: "card",
      onsubmit: async (ev) => {
        ev.preventDefault();
        const f = file.files[0];
        if (!f) return say("Choose a file to upload.");
        const q = new URLSearchParams({ name: name.value.trim() || f.name });
        if (format.value) q.set("format", format.value);
        button.disabled = true;
        button.textContent = "Uploading…";
        try {
          const d = await api("POST", `/api/datasets?${q}`, f);
          go(datasetHref(d.id), `Uploaded “${d.name}”: ${d.parsed} of ${d.records} records read.`);
        } catch (e) {
          showError(e);
        } finally {
          button.disabled = false;
          button.textContent = "Upload";
        }
      },
    },
    el("h2", {}, "Upload a collection"),
    el("div", { class: "row" }, field("File", file), field("Name (optional)", name), field("Format", format)),
    button,
  );
}

/** A watch of a live stream: a source the server allows, for a while. */
function watchForm() {
  const jetstream = el("input", { id: "watch-jetstream", type: "url", size: "48", placeholder: "wss://…/subscribe" });
  const mastodon = el("input", { id: "watch-mastodon", type: "url", size: "36", placeholder: "the server’s address" });
  const minutes = el("input", { id: "watch-minutes", type: "number", min: "1", max: "10080", step: "1", value: "60", required: true });
  return el(
    "details",
    { id: "watch", class: "card" },
    el("summary", {}, "Watch a live stream"),
    el(
      "form",
      {
        id: "watch-form",
        onsubmit: async (ev) => {
          ev.preventDefault();
          const params = { duration_s: Number(minutes.value) * 60 };
          if (jetstream.value.trim()) params.jetstream = jetstream.value.trim();
          if (mastodon.value.trim()) params.mastodon = mastodon.value.trim();
          if (!params.jetstream && !params.mastodon) return say("Give a Jetstream or a Mastodon URL, or both.");
          try {
            const j = await api("POST", "/api/jobs", { kind: "watch", params });
            go(jobHref(j.id), `Watching: job #${j.id}.`);
          } catch (e) {
            showError(e);
          }
        },
      },
      el("p", {}, "Scans the stream as it comes and alerts when a coordinated cluster appears or grows; when it ends, its events become a dataset of yours. Only the sources the server’s admin allowed can be watched."),
      el("div", { class: "row" }, field("Jetstream", jetstream), field("Mastodon", mastodon), field("For (minutes)", minutes)),
      el("button", { type: "submit" }, "Watch"),
    ),
  );
}

// ---- a dataset ----

async function datasetView(id) {
  const [d, jobs, all] = await Promise.all([
    api("GET", `/api/datasets/${encodeURIComponent(id)}`),
    api("GET", "/api/jobs"),
    api("GET", "/api/datasets"),
  ]);
  const names = new Map(all.map((x) => [x.id, x.name]));
  const mine = jobs.filter((j) => j.dataset_id === d.id);
  const skipped = Object.entries(d.skipped ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return el(
    "div",
    {},
    el("h1", { id: "dataset-name" }, d.name),
    el(
      "dl",
      { id: "accounting", class: "facts" },
      fact("Records", d.records, "records"),
      fact("Parsed", d.parsed, "parsed"),
      fact("Skipped", skippedTotal(d), "skipped"),
      fact("Format", d.format),
      fact("Size", `${d.bytes} bytes`),
      fact("Owner", userName(d.owner, d.owner_name)),
      fact("Uploaded", when(d.created)),
      d.parent ? fact("Derived from", link(datasetHref(d.parent), names.get(d.parent) ?? d.parent)) : null,
      fact("Id", el("code", {}, d.id)),
    ),
    el("h2", {}, "Skipped records"),
    table(
      "skipped-reasons",
      ["Reason", "Records"],
      skipped.map(([why, n]) => el("tr", {}, el("td", {}, why), el("td", { class: "num" }, n))),
      "No record was skipped.",
    ),
    d.shared_with ? sharesSection(d) : null,
    can.run() ? runForm(d, mine) : null,
    can.run() ? deriveForm(d) : null,
    el("h2", {}, "Jobs on this dataset"),
    jobsTable(mine, names),
    can.remove(d) ? deleteSection(d) : null,
  );
}

function fact(label, value, key) {
  return el("div", key ? { "data-key": key } : {}, el("dt", {}, label), el("dd", {}, value));
}

function sharesSection(d) {
  const user = el("input", { id: "share-user", required: true, autocomplete: "off" });
  return el(
    "section",
    {},
    el("h2", {}, "Shared with"),
    d.shared_with.length
      ? el("ul", { id: "shared-with" }, d.shared_with.map((n) => el("li", {}, n)))
      : el("p", { id: "shared-with", class: "empty" }, "Nobody yet."),
    can.share(d)
      ? el(
          "form",
          {
            id: "share-form",
            class: "card",
            onsubmit: async (ev) => {
              ev.preventDefault();
              try {
                await api("POST", `/api/datasets/${encodeURIComponent(d.id)}/shares`, { user: user.value.trim() });
                go(datasetHref(d.id), `Shared with ${user.value.trim()}.`);
              } catch (e) {
                showError(e);
              }
            },
          },
          el("div", { class: "row" }, field("Share with (user name)", user)),
          el("button", { type: "submit" }, "Share"),
        )
      : null,
  );
}

function runForm(d, jobs) {
  const kind = el(
    "select",
    { id: "run-kind" },
    ["scan", "network", "domains", "eval"].map((k) => el("option", { value: k }, k)),
  );
  const fdr = el("input", { id: "run-fdr", type: "number", min: "0", max: "1", step: "any", placeholder: "0.01 (default)" });
  const minCluster = el("input", { id: "run-min-cluster", type: "number", min: "2", step: "1", placeholder: "default" });
  const networks = NETWORKS.map((n) => el("input", { type: "checkbox", name: "network", value: n }));
  const windowS = el("input", { id: "run-window", type: "number", min: "1", step: "1", placeholder: "default" });
  const minWeight = el("input", { id: "run-min-weight", type: "number", min: "1", step: "1", placeholder: "default" });
  const scans = jobs.filter((j) => kindOf(j) === "scan" && j.state === "done");
  const evalJob = el("select", { id: "run-eval-job" }, scans.map((j) => el("option", { value: j.id }, `#${j.id} (${when(j.created)})`)));
  const labels = el("textarea", { id: "run-labels", rows: "4", placeholder: "account_id,label" });

  const parts = {
    scan: el("fieldset", { id: "run-scan" }, el("legend", {}, "Scan"), el("div", { class: "row" }, field("False discovery rate", fdr), field("Smallest cluster", minCluster))),
    network: el(
      "fieldset",
      { id: "run-network", hidden: true },
      el("legend", {}, "Networks"),
      el("div", { class: "checks" }, networks.map((c) => el("label", {}, c, c.value))),
      el("div", { class: "row" }, field("Window (seconds)", windowS), field("Smallest weight", minWeight)),
    ),
    domains: el("fieldset", { id: "run-domains", hidden: true }, el("legend", {}, "Domains"), el("p", {}, "Lists the domains shared and the lookalikes of known outlets; no settings.")),
    eval: el(
      "fieldset",
      { id: "run-eval", hidden: true },
      el("legend", {}, "Evaluate a scan against labels"),
      field("Scan", evalJob),
      field("Labels (CSV: account_id,label)", labels),
    ),
  };
  kind.addEventListener("change", () => {
    for (const [k, f] of Object.entries(parts)) f.hidden = k !== kind.value;
  });

  const body = () => {
    const k = kind.value;
    const params = {};
    if (k === "scan") {
      if (fdr.value) params.fdr = Number(fdr.value);
      if (minCluster.value) params.min_cluster = Number(minCluster.value);
    } else if (k === "network") {
      params.networks = networks.filter((c) => c.checked).map((c) => c.value);
      if (windowS.value) params.window_s = Number(windowS.value);
      if (minWeight.value) params.min_weight = Number(minWeight.value);
    } else if (k === "eval") {
      params.job = Number(evalJob.value);
      params.labels = labels.value;
    }
    // A scan is the default kind: leave it out.
    return k === "scan" ? { dataset: d.id, params } : { dataset: d.id, kind: k, params };
  };
  return el(
    "form",
    {
      id: "run-form",
      class: "card",
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const j = await api("POST", "/api/jobs", body());
          go(jobHref(j.id), `Submitted job #${j.id}.`);
        } catch (e) {
          showError(e);
        }
      },
    },
    el("h2", {}, "Run"),
    field("Kind", kind),
    Object.values(parts),
    el("button", { type: "submit" }, "Run"),
  );
}

/** `datetime-local` (taken as UTC) to RFC 3339. */
const rfc3339 = (v) => (v.length === 16 ? `${v}:00Z` : `${v}Z`);
const list = (v) => v.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

function deriveForm(d) {
  const name = el("input", { id: "derive-name", placeholder: "chosen by the server" });
  const from = el("input", { id: "derive-from", type: "datetime-local", step: "1" });
  const to = el("input", { id: "derive-to", type: "datetime-local", step: "1" });
  const accounts = el("input", { id: "derive-accounts", placeholder: "ids or usernames, comma separated" });
  const languages = el("input", { id: "derive-languages", placeholder: "en, fr" });
  return el(
    "form",
    {
      id: "derive-form",
      class: "card",
      onsubmit: async (ev) => {
        ev.preventDefault();
        const body = {};
        if (name.value.trim()) body.name = name.value.trim();
        if (from.value) body.from = rfc3339(from.value);
        if (to.value) body.to = rfc3339(to.value);
        if (list(accounts.value).length) body.accounts = list(accounts.value);
        if (list(languages.value).length) body.languages = list(languages.value);
        try {
          const n = await api("POST", `/api/datasets/${encodeURIComponent(d.id)}/derive`, body);
          go(datasetHref(n.id), `Derived “${n.name}”: ${n.parsed} events kept.`);
        } catch (e) {
          showError(e);
        }
      },
    },
    el("h2", {}, "Derive a subset"),
    el("div", { class: "row" }, field("Name (optional)", name), field("From (UTC)", from), field("To (UTC)", to)),
    el("div", { class: "row" }, field("Accounts", accounts), field("Languages", languages)),
    el("button", { type: "submit" }, "Derive"),
  );
}

function deleteSection(d) {
  return el(
    "section",
    { class: "danger" },
    el("h2", {}, "Delete"),
    el(
      "button",
      {
        type: "button",
        id: "delete-dataset",
        onclick: async () => {
          if (!confirm(`Delete the dataset “${d.name}”, its jobs and their results?`)) return;
          try {
            await api("DELETE", `/api/datasets/${encodeURIComponent(d.id)}`);
            go("#/", `Deleted “${d.name}”.`);
          } catch (e) {
            showError(e);
          }
        },
      },
      "Delete this dataset",
    ),
  );
}

// ---- a job ----

async function jobView(id, gen) {
  const job = await api("GET", `/api/jobs/${encodeURIComponent(id)}`);
  const watch = kindOf(job) === "watch";
  let dataset = null;
  if (job.dataset_id) {
    try {
      dataset = await api("GET", `/api/datasets/${encodeURIComponent(job.dataset_id)}`);
    } catch {
      // deleted meanwhile: the job page still shows
    }
  }
  const active = ACTIVE.has(job.state);
  const alerts = watch ? await watchAlerts(job) : [];
  const made = watch ? await madeDatasets(job) : [];
  // A stopped watch has a stage while it keeps its events as datasets.
  if (active || job.stage) {
    // Poll while the job may still change; a newer navigation stops it.
    setTimeout(async () => {
      if (gen !== generation) return;
      try {
        const view = await jobView(id, gen);
        if (gen === generation) main.replaceChildren(view);
      } catch (e) {
        if (gen === generation) showError(e);
      }
    }, 1000);
  }
  const results = job.results ?? [];
  return el(
    "div",
    {},
    el("h1", {}, `Job #${job.id}`),
    el(
      "dl",
      { class: "facts" },
      fact("State", el("span", { id: "job-state", class: `state ${job.state}` }, job.state)),
      job.stage ? fact("Stage", el("span", { id: "job-stage" }, job.stage)) : null,
      job.error ? fact("Error", el("span", { id: "job-error" }, job.error)) : null,
      fact("Kind", kindOf(job)),
      watch
        ? fact("Sources", el("span", { id: "job-sources" }, [job.params?.jetstream, job.params?.mastodon].filter(Boolean).join(", ")))
        : fact("Dataset", link(datasetHref(job.dataset_id), dataset ? dataset.name : job.dataset_id)),
      fact("Settings", el("code", {}, JSON.stringify(job.params ?? {}))),
      fact("Started by", userName(job.created_by, job.created_by_name)),
      fact("Created", when(job.created)),
      job.started ?? job.claimed_at ? fact("Started", when(job.started ?? job.claimed_at)) : null,
      job.finished ?? job.finished_at ? fact("Finished", when(job.finished ?? job.finished_at)) : null,
    ),
    active && can.run()
      ? el(
          "button",
          {
            type: "button",
            id: "cancel-job",
            onclick: async () => {
              try {
                await api("POST", `/api/jobs/${encodeURIComponent(job.id)}/cancel`);
                go(jobHref(job.id), `Job #${job.id} is cancelled.`);
              } catch (e) {
                showError(e);
              }
            },
          },
          "Cancel",
        )
      : null,
    job.live ? liveFacts(job.live) : null,
    watch && active && results.includes("report.html")
      ? el("p", {}, link(resultHref(job.id, "report.html"), "Open live report", { id: "open-live-report", class: "button", target: "_blank", rel: "noopener" }))
      : null,
    watch && (active || alerts.length) ? alertsSection(alerts) : null,
    made.length
      ? el(
          "section",
          {},
          el("h2", {}, "Its events, kept as datasets"),
          el("ul", { id: "made-datasets" }, made.map((d) => el("li", {}, link(datasetHref(d.id), d.name ?? d.id.slice(0, 12)), d.records === undefined ? "" : ` — ${d.records} records`))),
        )
      : null,
    job.state === "done"
      ? el(
          "section",
          {},
          el("h2", {}, "Results"),
          results.includes("report.html")
            ? el(
                "p",
                {},
                link(resultHref(job.id, "report.html"), "Open report", { id: "open-report", class: "button", target: "_blank", rel: "noopener" }),
                kindOf(job) === "scan" ? link(`#/compare?a=${encodeURIComponent(job.id)}`, "Compare with another run", { class: "button secondary" }) : null,
              )
            : null,
          el("ul", { id: "results" }, results.map((f) => el("li", {}, link(resultHref(job.id, f), f, { target: "_blank", rel: "noopener" })))),
        )
      : null,
  );
}

/** A running watch's counters. */
function liveFacts(live) {
  return el(
    "dl",
    { id: "live", class: "facts" },
    fact("Events kept", live.events_kept, "events"),
    fact("Scans", live.scans, "scans"),
    fact("Alerts", live.alerts, "alerts"),
    fact("Scanned up to", live.watermark ?? "no scan yet", "watermark"),
    fact("Reconnections", live.reconnects, "reconnects"),
  );
}

// A watch's alerts, kept between the page's polls: fetched again every few
// seconds while it runs.
const alertCache = { job: null, state: null, at: 0, list: [] };

/** A watch's alerts (alerts.jsonl), newest first. */
async function watchAlerts(job) {
  if (!(job.results ?? []).includes("alerts.jsonl")) return [];
  const fresh = alertCache.job === job.id && alertCache.state === job.state && Date.now() - alertCache.at < 3000;
  if (!fresh) {
    const data = await api("GET", resultHref(job.id, "alerts.jsonl"));
    // One line parses as one JSON object; more stay text.
    const list =
      typeof data === "string"
        ? data
            .split("\n")
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l))
        : data
          ? [data]
          : [];
    Object.assign(alertCache, { job: job.id, state: job.state, at: Date.now(), list: list.reverse() });
  }
  return alertCache.list;
}

function alertsSection(alerts) {
  const item = (a) =>
    el(
      "li",
      {},
      el("strong", {}, `${a.kind === "grew" ? "Grew" : "Appeared"}: cluster ${a.cluster_id}, ${a.size} accounts`),
      ` — stream time ${a.watermark}. `,
      a.why ?? "",
      el("br"),
      el("small", {}, `${a.kind === "grew" ? "New members" : "Members"}: ${(a.kind === "grew" ? a.new_members : a.members).join(", ")}`),
    );
  return el(
    "section",
    {},
    el("h2", {}, `Alerts (${alerts.length})`),
    alerts.length ? el("ol", { id: "alerts", reversed: true }, alerts.map(item)) : el("p", { id: "alerts", class: "empty" }, "No alert yet."),
  );
}

/** The datasets a watch's events became, with their names where the caller sees them. */
async function madeDatasets(job) {
  return Promise.all(
    (job.datasets ?? []).map(async (id) => {
      try {
        return await api("GET", `/api/datasets/${encodeURIComponent(id)}`);
      } catch {
        return { id };
      }
    }),
  );
}

// ---- comparing two runs ----

async function compareView(a, b) {
  const [jobs, datasets] = await Promise.all([api("GET", "/api/jobs"), api("GET", "/api/datasets")]);
  const names = new Map(datasets.map((d) => [d.id, d.name]));
  const scans = jobs.filter((j) => kindOf(j) === "scan" && j.state === "done");
  const label = (j) => `#${j.id} — ${names.get(j.dataset_id) ?? j.dataset_id.slice(0, 12)} — ${JSON.stringify(j.params ?? {})}`;
  const pick = (id, chosen, fallback) =>
    el(
      "select",
      { id, required: true },
      scans.map((j) => el("option", { value: j.id, selected: String(j.id) === (chosen ?? String(fallback ?? "")) }, label(j))),
    );
  // Default: the two newest scans (jobs come newest first or oldest first; sort to be sure).
  const byId = scans.map((j) => j.id).sort((x, y) => x - y);
  const selA = pick("compare-a", a, byId.at(-2));
  const selB = pick("compare-b", b, byId.at(-1));
  const form = el(
    "form",
    {
      id: "compare-form",
      class: "card",
      onsubmit: (ev) => {
        ev.preventDefault();
        go(`#/compare?a=${encodeURIComponent(selA.value)}&b=${encodeURIComponent(selB.value)}`);
      },
    },
    el("h1", {}, "Compare two runs"),
    scans.length < 2 ? el("p", { class: "empty" }, "Comparing needs two finished scans.") : null,
    el("div", { class: "row" }, field("Run A (before)", selA), field("Run B (after)", selB)),
    el("button", { type: "submit", disabled: scans.length < 1 }, "Compare"),
  );
  if (!a || !b) return form;
  const c = await api("GET", `/api/compare?${new URLSearchParams({ a, b })}`);
  return el("div", {}, form, comparison(c));
}

function members(list) {
  return (list ?? []).map((m) => (m.username ? `@${m.username}` : m.account)).join(", ");
}

function signals(s) {
  if (Array.isArray(s)) return s.map((x) => (typeof x === "object" ? JSON.stringify(x) : x)).join(", ");
  if (s && typeof s === "object") return Object.entries(s).map(([k, v]) => `${k} ${v}`).join(", ");
  return s ?? "";
}

const score = (x) => (typeof x === "number" ? x.toPrecision(3) : x ?? "");

function clusterRows(list) {
  return list.map((k) =>
    el(
      "tr",
      {},
      el("td", {}, k.id),
      el("td", { class: "num" }, k.size),
      el("td", { class: "num" }, score(k.score)),
      el("td", {}, signals(k.signals)),
      el("td", { class: "why" }, k.why ?? ""),
      el("td", { class: "members" }, members(k.members)),
    ),
  );
}

function comparison(c) {
  const head = ["Cluster", "Size", "Score", "Signals", "Why", "Members"];
  const changed = c.changed.map((x) =>
    el(
      "tr",
      {},
      el("td", {}, `${x.a.id} → ${x.b.id}`),
      el("td", { class: "num" }, `${x.a.size} → ${x.b.size}`),
      el("td", { class: "num" }, score(x.jaccard)),
      el("td", { class: "members joined" }, members(x.joined)),
      el("td", { class: "members left" }, members(x.left)),
      el("td", { class: "why" }, x.b.why ?? ""),
    ),
  );
  const unchanged = c.unchanged.map((x) =>
    el("tr", {}, el("td", {}, `${x.a.id} → ${x.b.id}`), el("td", { class: "num" }, x.b.size), el("td", { class: "members" }, members(x.b.members))),
  );
  const section = (title, n, body) => el("section", { class: "compare" }, el("h2", {}, `${title} (${n})`), body);
  return el(
    "div",
    { id: "comparison" },
    el("p", {}, `Run A: job #${c.a.id}. Run B: job #${c.b.id}. Clusters are matched by shared members (Jaccard ≥ 0.5).`),
    section("Appeared in B", c.appeared.length, table("appeared", head, clusterRows(c.appeared), "None.")),
    section("Vanished from A", c.vanished.length, table("vanished", head, clusterRows(c.vanished), "None.")),
    section("Changed", c.changed.length, table("changed", ["Clusters (A → B)", "Size", "Jaccard", "Joined", "Left", "Why (B)"], changed, "None.")),
    section("Unchanged", c.unchanged.length, table("unchanged", ["Clusters (A → B)", "Size", "Members"], unchanged, "None.")),
  );
}

// ---- users (admins) ----

async function usersView() {
  if (!can.admin()) return el("p", {}, "Only an admin manages users.");
  const users = await api("GET", "/api/users");
  state.users = new Map(users.map((u) => [u.id, u.name]));
  const name = el("input", { id: "user-name", required: true, autocomplete: "off" });
  const role = el("select", { id: "user-role" }, ["analyst", "viewer", "admin"].map((r) => el("option", { value: r }, r)));
  const password = el("input", { id: "user-password", type: "password", minlength: "8", required: true, autocomplete: "new-password" });
  const form = el(
    "form",
    {
      id: "user-form",
      class: "card",
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const u = await api("POST", "/api/users", { name: name.value.trim(), role: role.value, password: password.value });
          go("#/users", `Created ${u.role} ${u.name}.`);
        } catch (e) {
          showError(e);
        }
      },
    },
    el("h2", {}, "New user"),
    el("div", { class: "row" }, field("Name", name), field("Role", role), field("Password (8 characters or more)", password)),
    el("button", { type: "submit" }, "Create user"),
  );
  const rows = users.map((u) =>
    el(
      "tr",
      { "data-name": u.name },
      el("td", {}, u.name),
      el("td", {}, u.role),
      el("td", {}, when(u.created)),
      el(
        "td",
        {},
        u.id === state.me.id
          ? "(you)"
          : el(
              "button",
              {
                type: "button",
                class: "small",
                "aria-label": `Delete user ${u.name}`,
                onclick: async () => {
                  if (!confirm(`Delete the user “${u.name}”? Their datasets pass to you.`)) return;
                  try {
                    await api("DELETE", `/api/users/${encodeURIComponent(u.id)}`);
                    go("#/users", `Deleted ${u.name}.`);
                  } catch (e) {
                    showError(e);
                  }
                },
              },
              "Delete",
            ),
      ),
    ),
  );
  return el("div", {}, el("h1", {}, "Users"), form, table("users", ["Name", "Role", "Created", ""], rows, "No users."));
}

// ---- API tokens ----

function tokenView() {
  const name = el("input", { id: "token-name", placeholder: "what it is for" });
  const out = el("div", { id: "token-out" });
  return el(
    "div",
    {},
    el("h1", {}, "New API token"),
    el("p", {}, "A token lets a script use the API as you: send it as ", el("code", {}, "Authorization: Bearer …"), ". It is shown once."),
    el(
      "form",
      {
        id: "token-form",
        class: "card",
        onsubmit: async (ev) => {
          ev.preventDefault();
          try {
            const t = await api("POST", "/api/tokens", { name: name.value.trim() });
            const value = el("input", { id: "token-value", readonly: true, size: "72", value: t.token });
            out.replaceChildren(
              el("p", { class: "notice" }, "Copy the token now: it will not be shown again."),
              field(`Token #${t.id}${t.name ? ` (${t.name})` : ""}`, value),
            );
            value.select();
          } catch (e) {
            showError(e);
          }
        },
      },
      field("Name (optional)", name),
      el("button", { type: "submit" }, "Create token"),
    ),
    out,
  );
}

// ---- start ----

async function start() {
  try {
    const me = await api("GET", "/api/me");
    signedIn(me, me.csrf);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) showError(e);
  }
  window.addEventListener("hashchange", route);
  route();
}

start();
