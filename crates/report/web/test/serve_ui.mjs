// Drives swarmscan's web pages (`swarmscan serve`) in headless Chromium the
// way a team would, with the mouse and keyboard only, and checks each step:
//
//   1. the admin signs in, creates analyst1 (analyst) and viewer1 (viewer),
//      signs out;
//   2. analyst1 signs in (and reloads the page: the session holds), uploads
//      the collection and sees its record accounting, runs a scan and waits
//      for it on the job page, opens the report in a new tab (it loads with
//      no error and draws the network), runs a second scan with another FDR
//      and a larger smallest cluster, compares the two runs, shares the
//      dataset with viewer1; uploads a dataset whose name is markup and sees
//      it shown as text; signs out;
//   3. viewer1 signs in, sees the shared dataset and its jobs, has no
//      upload, run, share, derive or delete controls, opens the report.
//
// Throughout: no console or page errors on the pages, no request to any
// origin but the server's. Screenshots go to ARTIFACT_DIR (serve-home.png,
// serve-dataset.png, serve-job.png, serve-compare.png, serve-viewer.png;
// serve-failure.png when a step fails).
//
//   node serve_ui.mjs BASE_URL ADMIN_PASSWORD DATA_FILE ARTIFACT_DIR
//
// Chromium: /usr/bin/chromium, or $CHROMIUM. Exit status 0 when every check
// passed; the last line of stdout is the results as JSON.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

const args = process.argv.slice(2);
if (args.length !== 4) {
  console.error("usage: node serve_ui.mjs BASE_URL ADMIN_PASSWORD DATA_FILE ARTIFACT_DIR");
  process.exit(2);
}
const [base, adminPassword, dataFileArg, artifactsArg] = args;
const origin = new URL(base).origin;
const dataFile = resolve(dataFileArg);
const artifacts = resolve(artifactsArg);
if (!existsSync(dataFile)) {
  console.error(`no such file: ${dataFile}`);
  process.exit(2);
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const XSS_NAME = "<img src=x onerror=window.__xss=1>";
const users = { analyst1: "analyst1-password", viewer1: "viewer1-password" };

const results = { base, checks: [], timings: {}, ok: false };
const problems = [];
const check = (name, ok, detail) => {
  results.checks.push({ name, ok: !!ok, ...(detail === undefined ? {} : { detail }) });
  if (!ok) problems.push(`${name}${detail === undefined ? "" : ": " + JSON.stringify(detail)}`);
  return !!ok;
};
/** A check that must hold for the rest of the story to make sense. */
class Stop extends Error {}
const must = (name, ok, detail) => {
  if (!check(name, ok, detail)) throw new Stop(name);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    // WebGL without a GPU (the report draws its network with WebGL).
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    // Keep Chromium itself off the network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-domain-reliability",
    "--no-first-run",
    "--no-default-browser-check",
  ],
});

// Errors, per page kind: "ui" (the server's pages) or "report".
const consoleErrors = [];
const pageErrors = [];
const foreign = [];
// Answers the API gives on purpose in this story (signed out at first, a
// wrong password): Chromium logs each failed request as a console error.
const expectedFailures = [
  { path: "/api/me", status: 401 },
  { path: "/api/login", status: 401 },
];
const kindOfPage = (url) => (url.includes("/results/report.html") ? "report" : "ui");

const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
context.setDefaultTimeout(20_000);
context.on("console", (msg) => {
  if (msg.type() !== "error") return;
  const at = msg.location().url || (msg.page() ? msg.page().url() : "");
  const failed = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
  if (failed) {
    const path = at.startsWith(origin) ? new URL(at).pathname : null;
    if (expectedFailures.some((f) => f.path === path && f.status === Number(failed[1]))) return;
  }
  consoleErrors.push({ page: kindOfPage(msg.page() ? msg.page().url() : at), text: msg.text(), at });
});
context.on("weberror", (e) => {
  const err = e.error();
  pageErrors.push({ page: kindOfPage(e.page() ? e.page().url() : ""), error: String(err && err.stack ? err.stack : err) });
});
context.on("request", (req) => {
  const url = req.url();
  if (!(url.startsWith(origin + "/") || url.startsWith("data:") || url.startsWith("blob:") || url === "about:blank")) foreign.push(url);
});

const page = await context.newPage();
// A blank page to count the report's drawn pixels in (the report's own
// page is sandboxed; this one has no policy in the way).
const scratch = await context.newPage();
await page.bringToFront();

const shot = (name) => page.screenshot({ path: join(artifacts, name), fullPage: true });
const text = (sel) => page.locator(sel).first().textContent();
const jobIdFromUrl = () => Number(/#\/jobs\/(\d+)/.exec(page.url())?.[1]);

async function signIn(name, password) {
  await page.locator("#signin-form").waitFor();
  await page.fill("#signin-name", name);
  await page.fill("#signin-password", password);
  await page.click("#signin-form button[type=submit]");
  await page.waitForFunction((n) => document.getElementById("whoami").textContent.startsWith(n + " "), name);
}

async function signOut() {
  await page.click("#sign-out");
  await page.locator("#signin-form").waitFor();
}

/** Waits on the job page (which polls every second) for the job to end; its id. */
async function waitJob(what) {
  await page.waitForURL(/#\/jobs\/\d+$/);
  const id = jobIdFromUrl();
  const t0 = Date.now();
  await page.waitForFunction(
    () => ["done", "failed", "cancelled"].includes(document.getElementById("job-state")?.textContent),
    null,
    { timeout: 180_000 },
  );
  results.timings[`${what} (s)`] = (Date.now() - t0) / 1000;
  const st = await text("#job-state");
  must(`the ${what} ends done on the job page`, st === "done", {
    state: st,
    error: (await page.locator("#job-error").count()) ? await text("#job-error") : null,
  });
  return id;
}

/** Fills the run form on the dataset page for a scan and waits for it. */
async function runScan(fdr, minCluster) {
  await page.selectOption("#run-kind", "scan");
  await page.fill("#run-fdr", String(fdr));
  if (minCluster) await page.fill("#run-min-cluster", String(minCluster));
  await page.click("#run-form button[type=submit]");
  return waitJob(`scan with fdr ${fdr}${minCluster ? ` and clusters of ${minCluster}+` : ""}`);
}

/** Opens the report from the job page in a new tab; checks it loads and draws its network. */
async function openReport(who, jobId) {
  const link = page.locator("#open-report");
  check(`${who}: the report link opens a new tab without an opener`, (await link.getAttribute("target")) === "_blank" && (await link.getAttribute("rel")) === "noopener");
  const [report] = await Promise.all([context.waitForEvent("page"), link.click()]);
  await report.waitForLoadState("load");
  const expected = `${origin}/api/jobs/${jobId}/results/report.html`;
  check(`${who}: the report opens at its result URL`, report.url() === expected, report.url());
  const ready = await report
    .evaluate(() => window.__swarmscan.ready.then((r) => ({ nodes: r.nodes, edges: r.edges })), null)
    .catch((e) => ({ error: String(e) }));
  check(`${who}: the report's script starts`, ready && ready.nodes > 0, ready);
  check(`${who}: the report page has no opener`, await report.evaluate(() => window.opener === null));
  if (ready && ready.nodes > 0) {
    // The report's own browser test's criterion: the graph's pixels are not all background.
    const graph = report.locator("#graph");
    await graph.scrollIntoViewIfNeeded();
    await report.waitForTimeout(300);
    const ink = await countInk(await graph.screenshot());
    check(`${who}: the report's network is drawn`, ink.fraction > 0.002, ink);
  }
  await report.close();
  await page.bringToFront();
}

/** Share of pixels of a PNG that differ from white, counted in the scratch page. */
async function countInk(png) {
  return scratch.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 245 || px[i + 1] < 245 || px[i + 2] < 245) ink++;
    return { width: c.width, height: c.height, inkPixels: ink, fraction: ink / (c.width * c.height) };
  }, png.toString("base64"));
}

const t0 = Date.now();
let step = "start";
try {
  // ---- 1. the admin creates the team ----
  step = "admin";
  const first = await page.goto(base + "/", { waitUntil: "load" });
  const h = first.headers();
  check("the page is served with the strict CSP", h["content-security-policy"] === CSP, h["content-security-policy"]);
  check("the page is served nosniff, no referrer, no-cache", h["x-content-type-options"] === "nosniff" && h["referrer-policy"] === "no-referrer" && h["cache-control"] === "no-cache", h);
  check("the page is HTML", (h["content-type"] ?? "").startsWith("text/html"), h["content-type"]);
  for (const [path, type] of [["/ui/app.js", "text/javascript"], ["/ui/app.css", "text/css"]]) {
    const r = await page.request.get(base + path);
    const rh = r.headers();
    check(`${path} is served as ${type} with the CSP`, r.ok() && (rh["content-type"] ?? "").startsWith(type) && rh["content-security-policy"] === CSP && rh["x-content-type-options"] === "nosniff", rh);
  }
  await page.locator("#signin-form").waitFor();
  must("a signed-out visitor sees the sign-in form", true);

  await page.fill("#signin-name", "admin");
  await page.fill("#signin-password", "not the password");
  await page.click("#signin-form button[type=submit]");
  await page.locator("#message.error").waitFor();
  check("a wrong password is refused with a visible message", (await text("#message")).includes("wrong name or password"), await text("#message"));

  await signIn("admin", adminPassword);
  must("the admin signs in", true);
  await page.click('#nav a[href="#/users"]');
  for (const [name, role] of [["analyst1", "analyst"], ["viewer1", "viewer"]]) {
    await page.locator("#user-form").waitFor();
    await page.fill("#user-name", name);
    await page.selectOption("#user-role", role);
    await page.fill("#user-password", users[name]);
    await page.click("#user-form button[type=submit]");
    await page.locator(`#users tr[data-name="${name}"]`).waitFor();
    const cells = await page.locator(`#users tr[data-name="${name}"] td`).allTextContents();
    must(`the admin creates ${name} (${role})`, cells[1] === role, cells);
  }
  await signOut();
  must("the admin signs out", true);

  // ---- 2. the analyst uploads, scans, opens the report, compares, shares ----
  step = "analyst";
  await signIn("analyst1", users.analyst1);
  check("an analyst sees no Users link", await page.locator("#nav-users").isHidden());
  await page.reload();
  await page.waitForFunction(() => document.getElementById("whoami").textContent.startsWith("analyst1 "));
  must("a reloaded page keeps the session (and its CSRF token, used by the upload next)", true);

  await page.setInputFiles("#upload-file", dataFile);
  await page.fill("#upload-name", "campaign");
  await page.click("#upload-form button[type=submit]");
  await page.waitForFunction(() => document.getElementById("dataset-name")?.textContent === "campaign", null, { timeout: 60_000 });
  const records = Number(await text('[data-key="records"] dd'));
  const parsed = Number(await text('[data-key="parsed"] dd'));
  results.records = records;
  results.parsed = parsed;
  must("the upload shows its record accounting", records > 0 && parsed > 0 && parsed <= records, { records, parsed });
  check("the skipped reasons are listed (or none)", (await page.locator("#skipped-reasons").count()) === 1);
  const datasetUrl = page.url();
  await shot("serve-dataset.png");

  const job1 = await runScan(0.05);
  const files = await page.locator("#results li a").allTextContents();
  check("a done scan links every result file", ["report.html", "clusters.csv", "accounts.csv", "summary.json"].every((f) => files.includes(f)), files);
  await shot("serve-job.png");
  await openReport("analyst", job1);

  await page.click('dl a[href^="#/datasets/"]');
  await page.locator("#run-form").waitFor();
  // Stricter, and only clusters of 10 or more: some of the first run's vanish.
  const job2 = await runScan(0.01, 10);

  await page.click('#nav a[href="#/compare"]');
  await page.locator("#compare-form").waitFor();
  await page.selectOption("#compare-a", String(job1));
  await page.selectOption("#compare-b", String(job2));
  await page.click("#compare-form button[type=submit]");
  await page.locator("#comparison").waitFor();
  const headings = await page.locator("#comparison h2").allTextContents();
  const count = (title) => Number(/\((\d+)\)$/.exec(headings.find((x) => x.startsWith(title)) ?? "")?.[1] ?? NaN);
  const counts = { appeared: count("Appeared"), vanished: count("Vanished"), changed: count("Changed"), unchanged: count("Unchanged") };
  results.compare = counts;
  check("the comparison shows appeared, vanished, changed and unchanged clusters", Object.values(counts).every(Number.isFinite), headings);
  check("the comparison matched clusters of the two runs", counts.changed + counts.unchanged > 0, counts);
  check("the comparison shows the clusters the second run dropped", counts.vanished > 0, counts);
  const rows = await page.locator("#comparison tbody tr").count();
  check("the comparison tables list the clusters with their members", rows > 0 && (await page.locator("#comparison td.members").first().textContent()).includes("@"), rows);
  await shot("serve-compare.png");
  const someMembers = (await page.locator("#comparison td.members").first().textContent())
    .split(", ")
    .slice(0, 3)
    .map((m) => m.replace(/^@/, ""));

  // The other kinds of job, from the same form.
  step = "other jobs";
  await page.goto(datasetUrl);
  await page.locator("#run-form").waitFor();
  await page.selectOption("#run-kind", "network");
  await page.check('#run-network input[value="co_repost"]');
  await page.click("#run-form button[type=submit]");
  await waitJob("network job");
  const netFiles = await page.locator("#results li a").allTextContents();
  check("a network job links its network's CSV", netFiles.some((f) => f.endsWith(".csv")) && !netFiles.includes("report.html"), netFiles);
  await page.goto(datasetUrl);
  await page.locator("#run-form").waitFor();
  await page.selectOption("#run-kind", "domains");
  await page.click("#run-form button[type=submit]");
  await waitJob("domains job");
  check("a domains job links domains.csv", (await page.locator("#results li a").allTextContents()).includes("domains.csv"));

  // A subset of a few accounts, then deleted again.
  step = "derive and delete";
  await page.goto(datasetUrl);
  await page.locator("#derive-form").waitFor();
  await page.fill("#derive-name", "a few accounts");
  await page.fill("#derive-accounts", someMembers.join(", "));
  await page.click("#derive-form button[type=submit]");
  await page.waitForFunction(() => document.getElementById("dataset-name")?.textContent === "a few accounts");
  const kept = Number(await text('[data-key="parsed"] dd'));
  check("a derived dataset keeps the chosen accounts' events", kept > 0 && kept < parsed, { kept, parsed, accounts: someMembers });
  check("a derived dataset links its parent", (await page.locator(`dd a[href="${new URL(datasetUrl).hash}"]`).count()) === 1);
  page.once("dialog", (d) => d.accept());
  await page.click("#delete-dataset");
  await page.locator("#datasets").waitFor();
  const left = await page.locator("#datasets tbody td:first-child").allTextContents();
  check("deleting the derived dataset removes it", !left.includes("a few accounts") && left.includes("campaign"), left);

  step = "API token";
  await page.click('#nav a[href="#/token"]');
  await page.fill("#token-name", "scripts");
  await page.click("#token-form button[type=submit]");
  await page.locator("#token-value").waitFor();
  check("a new API token is shown once", (await page.inputValue("#token-value")).startsWith("sws_"));

  step = "share";
  await page.goto(datasetUrl);
  await page.locator("#share-form").waitFor();
  await page.fill("#share-user", "viewer1");
  await page.click("#share-form button[type=submit]");
  await page.waitForFunction(() => [...document.querySelectorAll("#shared-with li")].some((li) => li.textContent === "viewer1"));
  must("the analyst shares the dataset with viewer1", true);

  // A dataset named with markup: shown as text, never run.
  step = "markup in a name";
  await page.click('#nav a[href="#/"]');
  await page.locator("#upload-form").waitFor();
  let csv = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n";
  for (let k = 0; k < 4; k++) for (const u of ["a", "b", "c"]) csv += `x${k}${u},${u},${u},R${k},,rt,${1000 * k},\n`;
  await page.setInputFiles("#upload-file", { name: "names.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.fill("#upload-name", XSS_NAME);
  await page.click("#upload-form button[type=submit]");
  await page.waitForFunction((n) => document.getElementById("dataset-name")?.textContent === n, XSS_NAME);
  await page.click('#nav a[href="#/"]');
  await page.locator("#datasets").waitFor();
  const names = await page.locator("#datasets tbody td:first-child").allTextContents();
  check("a name with markup is shown as text in the list", names.includes(XSS_NAME), names);
  check("a name with markup makes no element", (await page.locator('img[src="x"]').count()) === 0);
  check("a name with markup runs nothing", await page.evaluate(() => window.__xss === undefined));
  await shot("serve-home.png");
  await signOut();
  must("the analyst signs out", true);

  // ---- 3. the viewer reads what was shared ----
  step = "viewer";
  await signIn("viewer1", users.viewer1);
  await page.locator("#datasets").waitFor();
  const seen = await page.locator("#datasets tbody td:first-child").allTextContents();
  check("the viewer sees the shared dataset (and only it)", seen.length === 1 && seen[0] === "campaign", seen);
  const jobs = (await page.locator("#jobs tbody tr").evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.id)))).sort((a, b) => a - b);
  check("the viewer sees the dataset's jobs", jobs.includes(job1) && jobs.includes(job2) && jobs.length === 4, jobs);
  check("the viewer has no upload form", (await page.locator("#upload-form, #upload-file").count()) === 0);
  await page.click("#datasets tbody a");
  await page.locator("#accounting").waitFor();
  const controls = await page.locator("#run-form, #share-form, #derive-form, #delete-dataset").count();
  check("the viewer has no run, share, derive or delete controls", controls === 0, controls);
  check("the viewer sees the record accounting", Number(await text('[data-key="records"] dd')) === records);
  await shot("serve-viewer.png");
  await page.click(`#jobs a[href="#/jobs/${job1}"]`);
  await page.locator("#open-report").waitFor();
  check("the viewer cannot cancel", (await page.locator("#cancel-job").count()) === 0);
  await openReport("viewer", job1);
  check("nothing ran from data on the viewer's pages", await page.evaluate(() => window.__xss === undefined));
  await signOut();
} catch (err) {
  if (!(err instanceof Stop)) problems.push(`the test failed during "${step}": ${err && err.stack ? err.stack : err}`);
  results.failedAt = step;
  results.message = await page.locator("#message").textContent().catch(() => null);
  await page.screenshot({ path: join(artifacts, "serve-failure.png"), fullPage: true }).catch(() => {});
} finally {
  results.wallMs = Date.now() - t0;
  await browser.close();
}

const on = (list, kind) => list.filter((e) => e.page === kind);
check("no console errors on the UI pages", on(consoleErrors, "ui").length === 0, on(consoleErrors, "ui").slice(0, 10));
check("no page errors on the UI pages", on(pageErrors, "ui").length === 0, on(pageErrors, "ui").slice(0, 10));
check("no console errors on the report", on(consoleErrors, "report").length === 0, on(consoleErrors, "report").slice(0, 10));
check("no page errors on the report", on(pageErrors, "report").length === 0, on(pageErrors, "report").slice(0, 10));
check("no request to another origin", foreign.length === 0, foreign.slice(0, 10));
results.ok = problems.length === 0;
results.problems = problems;
for (const p of problems) console.error(`FAILED: ${p}`);
console.log(JSON.stringify(results));
process.exit(results.ok ? 0 : 1);
