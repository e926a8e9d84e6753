// Opens a swarmscan HTML report in headless Chromium and checks it the way a
// person would: the page loads with no error and no network request, the
// network is drawn, clicking an account with the mouse shows its evidence
// and why it was flagged, the first cluster's details say why it was
// flagged, the search box finds an account. Saves a screenshot.
//
//   node browser.mjs REPORT.html SHOT.png [options]
//
//   --click ACCOUNT_ID   account to click (default: the first member of the first cluster)
//   --expect TEXT        text the panel must show after the click (default: the account's username)
//   --why TEXT           the clicked account's why line, which the panel must show as text
//   --cluster-why TEXT   the first cluster's why line, which its details must show as text
//   --search USERNAME    also type this into the search box and check the panel follows
//   --measure            also pan, zoom and click around, and report timings
//   --json PATH          write the results as JSON to PATH too
//
// Chromium: /usr/bin/chromium, or $CHROMIUM. Exit status 0 when every check
// passed; the last line of stdout is the results as JSON.

import { existsSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

function usage(msg) {
  console.error(`${msg}\nusage: node browser.mjs REPORT.html SHOT.png [--click ID] [--expect TEXT] [--why TEXT] [--cluster-why TEXT] [--search USER] [--measure] [--json PATH]`);
  process.exit(2);
}

const args = process.argv.slice(2);
const positional = [];
const opts = { measure: false };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--measure") opts.measure = true;
  else if (["--click", "--expect", "--why", "--cluster-why", "--search", "--json"].includes(a)) {
    if (i + 1 >= args.length) usage(`${a} needs a value`);
    opts[a.slice(2).replace(/-(.)/g, (_, c) => c.toUpperCase())] = args[++i];
  } else if (a.startsWith("--")) usage(`unknown option ${a}`);
  else positional.push(a);
}
if (positional.length !== 2) usage("need REPORT.html and SHOT.png");
const [htmlPath, pngPath] = positional.map((p) => resolve(p));
if (!existsSync(htmlPath)) usage(`no such file: ${htmlPath}`);

const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const results = { file: htmlPath, fileBytes: statSync(htmlPath).size, checks: [], ok: false };
const problems = [];
const check = (name, ok, detail) => {
  results.checks.push({ name, ok, ...(detail === undefined ? {} : { detail }) });
  if (!ok) problems.push(`${name}${detail === undefined ? "" : ": " + JSON.stringify(detail)}`);
};

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    // WebGL without a GPU: ANGLE over SwiftShader, Chromium's software rasteriser.
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    // Keep Chromium itself off the network: no updates, sync or pings.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-domain-reliability",
    "--no-first-run",
    "--no-default-browser-check",
  ],
});

const consoleErrors = [];
const pageErrors = [];
const requests = [];
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => pageErrors.push(String(err && err.stack ? err.stack : err)));
  page.on("request", (req) => {
    const url = req.url();
    if (url !== pathToFileURL(htmlPath).href) requests.push(url);
  });

  const t0 = Date.now();
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: "load", timeout: 120_000 });
  const ready = await page.evaluate(() => window.__swarmscan.ready, null, { timeout: 120_000 });
  results.wallOpenMs = Date.now() - t0;
  results.nodes = ready.nodes;
  results.edges = ready.edges;
  results.pairs = ready.pairs;
  results.timings = ready.timings;
  results.navigation = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return nav ? { domContentLoadedMs: nav.domContentLoadedEventEnd, loadMs: nav.loadEventEnd } : null;
  });
  check("graph has nodes", ready.nodes > 0, ready.nodes);

  // Is the network actually drawn? Screenshot the graph and count pixels
  // that are not the white background.
  const graph = page.locator("#graph");
  await graph.scrollIntoViewIfNeeded();
  const drawn = await countInk(page, await graph.screenshot());
  results.graphInk = drawn;
  check("graph canvas shows the network", drawn.fraction > 0.002, drawn);

  // Click an account's node with the real mouse.
  const target = opts.click ?? (await page.evaluate(() => {
    const g = window.__swarmscan.graph;
    // First member of the first cluster that has a link.
    let best = null;
    g.forEachNode((key) => {
      if (best === null && g.degree(key) > 0) best = key;
    });
    return best === null ? null : window.__swarmscan.accountOf(Number(best));
  }));
  check("an account to click", target !== null && target !== undefined, target);
  if (target) {
    const expect = opts.expect ?? (await page.evaluate((id) => window.__swarmscan.usernameOf(id), target));
    // Zoom onto the account first, so that no neighbour overlaps it.
    await page.evaluate((id) => window.__swarmscan.zoomTo(id, window.__swarmscan.graph.order > 2000 ? 0.02 : 0.3), target);
    await page.waitForTimeout(150);
    const pos = await page.evaluate((id) => window.__swarmscan.nodeViewport(id), target);
    const box = await graph.boundingBox();
    const inside = pos && pos.x > box.x && pos.x < box.x + box.width && pos.y > box.y && pos.y < box.y + box.height;
    check("the account's node is on screen", !!inside, { pos, box });
    if (inside) {
      await page.mouse.move(pos.x, pos.y);
      await page.mouse.click(pos.x, pos.y);
      const shown = await page
        .waitForFunction(
          ({ id, text }) => {
            const sel = window.__swarmscan.selection;
            const panel = document.getElementById("panel");
            return sel && sel.kind === "node" && window.__swarmscan.accountOf(sel.index) === id && panel.textContent.includes(text);
          },
          { id: target, text: expect },
          { timeout: 10_000 },
        )
        .then(() => true)
        .catch(() => false);
      const panelText = await page.locator("#panel").innerText();
      check("clicking the node shows its evidence in the panel", shown, shown ? undefined : { expect, panel: panelText.slice(0, 400) });
      results.clickPanelLatencyMs = await page.evaluate(() => window.__swarmscan.panelLatencies.at(-1) ?? null);
      results.panelEvidenceCards = await page.locator("#panel .ev").count();
      check("the panel lists evidence posts", results.panelEvidenceCards > 0, results.panelEvidenceCards);
      if (opts.why !== undefined) {
        // textContent: markup in the line must show as text, not become elements.
        const why = await page.evaluate(() => document.querySelector("#panel .why")?.textContent ?? null);
        check("the panel says why the account was flagged", why !== null && why.includes(opts.why), { expect: opts.why, got: why });
      }
    }
  }

  // The clusters section opens on the first cluster, with its why line.
  if (opts.clusterWhy !== undefined) {
    const why = await page.evaluate(() => document.querySelector("#cluster-detail .why")?.textContent ?? null);
    check("the cluster details say why the cluster was flagged", why !== null && why.includes(opts.clusterWhy), {
      expect: opts.clusterWhy,
      got: why,
    });
  }

  // Click a link (the middle of one of the account's edges) with the mouse.
  if (target) {
    await page.evaluate(() => window.__swarmscan.clear());
    const other = await page.evaluate((id) => {
      const h = window.__swarmscan;
      const key = String(h.indexOf(id));
      const n = h.graph.neighbors(key)[0];
      return n === undefined ? null : h.accountOf(Number(n));
    }, target);
    if (other) {
      const key = await page.evaluate(([a, b]) => window.__swarmscan.zoomToLink(a, b, 0.05), [target, other]);
      const pos = await page.evaluate((k) => window.__swarmscan.linkViewport(k), key);
      await page.mouse.move(pos.x, pos.y);
      await page.mouse.click(pos.x, pos.y);
      const shown = await page
        .waitForFunction(() => {
          const sel = window.__swarmscan.selection;
          return sel && sel.kind === "edge" && document.querySelectorAll("#panel .ev").length > 0;
        }, null, { timeout: 10_000 })
        .then(() => true)
        .catch(() => false);
      const picked = await page.evaluate(() => window.__swarmscan.selection);
      check("clicking a link shows its evidence", shown, shown ? undefined : picked);
      results.clickedLink = { wanted: key, got: picked && picked.key };
      // In a small network nothing else crosses the middle of the link.
      if (results.pairs < 1000) check("the clicked link is the one under the mouse", picked && picked.key === key, results.clickedLink);
    }
  }

  // The search box finds an account and selects it.
  if (opts.search) {
    await page.evaluate(() => window.__swarmscan.clear());
    const box = page.locator(".search input");
    await box.fill(opts.search);
    await box.press("Enter");
    const found = await page
      .waitForFunction((u) => document.getElementById("panel").textContent.includes("@" + u), opts.search, { timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    check("the search box finds an account", found, opts.search);
  }

  if (opts.measure) results.interaction = await measure(page, graph);

  // Back to the whole network with the clicked account selected, for the picture.
  if (target) {
    await page.evaluate(() => window.__swarmscan.resetView());
    await page.waitForTimeout(500);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: pngPath, fullPage: true });
  results.screenshot = pngPath;
} catch (err) {
  problems.push(`the test itself failed: ${err && err.stack ? err.stack : err}`);
} finally {
  await browser.close();
}

check("no console errors", consoleErrors.length === 0, consoleErrors.length ? consoleErrors : undefined);
check("no page errors", pageErrors.length === 0, pageErrors.length ? pageErrors : undefined);
check("no network requests", requests.length === 0, requests.length ? requests.slice(0, 10) : undefined);
results.ok = problems.length === 0;
results.problems = problems;
if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 2) + "\n");
for (const p of problems) console.error(`FAILED: ${p}`);
console.log(JSON.stringify(results));
process.exit(results.ok ? 0 : 1);

/** Share of pixels of a PNG that differ from white, counted in the page. */
async function countInk(page, png) {
  return page.evaluate(async (b64) => {
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
    const colours = new Set();
    for (let i = 0; i < px.length; i += 4) {
      if (px[i] < 245 || px[i + 1] < 245 || px[i + 2] < 245) {
        ink++;
        if (colours.size < 64) colours.add((px[i] >> 4) * 256 + (px[i + 1] >> 4) * 16 + (px[i + 2] >> 4));
      }
    }
    return { width: c.width, height: c.height, inkPixels: ink, fraction: ink / (c.width * c.height), colours: colours.size };
  }, png.toString("base64"));
}

/** Pans, zooms and clicks with the mouse; returns render and panel timings. */
async function measure(page, graph) {
  await page.evaluate(() => {
    window.__swarmscan.clear();
    window.__swarmscan.renderDurations.length = 0;
  });
  await page.evaluate(() => window.__swarmscan.resetView());
  await page.waitForTimeout(400);
  const box = await graph.boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;

  // Frame rate while the camera moves: count animation frames during the gestures.
  await page.evaluate(() => {
    const s = (window.__fps = { frames: 0, longest: 0, last: performance.now(), on: true });
    const tick = (t) => {
      s.frames++;
      s.longest = Math.max(s.longest, t - s.last);
      s.last = t;
      if (s.on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  // Zoom in and out with the wheel.
  for (let i = 0; i < 6; i++) {
    await page.mouse.move(cx + i * 10, cy);
    await page.mouse.wheel(0, -240);
    await page.waitForTimeout(120);
  }
  for (let i = 0; i < 6; i++) {
    await page.mouse.wheel(0, 240);
    await page.waitForTimeout(120);
  }
  // Drag to pan.
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(cx + i * 12, cy + i * 6);
  await page.mouse.up();
  await page.waitForTimeout(400);
  const gestureMs = Date.now() - t0;
  const fps = await page.evaluate(() => {
    window.__fps.on = false;
    return window.__fps;
  });
  const renders = await page.evaluate(() => window.__swarmscan.renderDurations.slice());

  // Click a few accounts across the graph and time click → panel.
  const latencies = [];
  const picks = await page.evaluate(() => {
    const g = window.__swarmscan.graph;
    const keys = g.nodes();
    const out = [];
    for (let k = 0; k < 5; k++) out.push(window.__swarmscan.accountOf(Number(keys[Math.floor(((k + 0.5) * keys.length) / 5)])));
    return out;
  });
  for (const id of picks) {
    await page.evaluate(() => window.__swarmscan.clear());
    await page.evaluate((acc) => window.__swarmscan.zoomTo(acc, 0.02), id);
    await page.waitForTimeout(100);
    const pos = await page.evaluate((acc) => window.__swarmscan.nodeViewport(acc), id);
    const before = await page.evaluate(() => window.__swarmscan.panelLatencies.length);
    const t = Date.now();
    await page.mouse.click(pos.x, pos.y);
    await page.waitForFunction((n) => window.__swarmscan.panelLatencies.length > n, before, { timeout: 10_000 });
    // Wait for the next painted frame as well.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    latencies.push({ account: id, inPageMs: await page.evaluate(() => window.__swarmscan.panelLatencies.at(-1)), toPaintMs: Date.now() - t });
  }
  const sorted = renders.slice().sort((a, b) => a - b);
  const q = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null);
  return {
    gestureMs,
    framesDuringGestures: fps.frames,
    fpsDuringGestures: (fps.frames * 1000) / gestureMs,
    longestFrameGapMs: fps.longest,
    renders: renders.length,
    renderMsMedian: q(0.5),
    renderMsP95: q(0.95),
    renderMsMax: sorted.length ? sorted[sorted.length - 1] : null,
    clicks: latencies,
  };
}
