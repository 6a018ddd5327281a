// Opens a page of a book served by `opsbook serve` in headless Chromium and edits its source
// the way a writer does: the page must reload by itself with the new text, show the error
// overlay with the diagnostic while the source does not build (keeping the last good
// content), and drop the overlay once it builds again. Fails on any console error, any
// script the served Content-Security-Policy should have stopped, and any request that
// leaves the server's origin. Run by tests/browser.rs:
//
//   node serve.mjs --base http://127.0.0.1:PORT/ --page steps/x.html --query WORD \
//        --source SRC --edited FILE --broken FILE --old TEXT --new TEXT --line src/x.rs:5: \
//        [--shots DIR] [--chromium /usr/bin/chromium]
//
// SRC is the watched source; EDITED and BROKEN are files whose bytes are written over it.

import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const opts = { chromium: "/usr/bin/chromium", shots: "" };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opts[argv[i].replace(/^--/, "")] = argv[i + 1];
for (const required of ["base", "page", "query", "source", "edited", "broken", "old", "new", "line"]) {
  if (!opts[required]) throw new Error(`--${required} is required`);
}
if (!opts.base.endsWith("/")) opts.base += "/";
const base = new URL(opts.base);
const PATIENCE = 30000;
const failures = [];
const fail = (what) => failures.push(what);
const check = (ok, what) => { if (!ok) fail(what); };
// While the CSP probe runs, the violations it provokes are expected console errors.
let probing = false;

const browser = await chromium.launch({
  executablePath: opts.chromium,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

async function shot(page, name) {
  if (!opts.shots) return;
  mkdirSync(opts.shots, { recursive: true });
  await page.screenshot({ path: join(opts.shots, name), fullPage: false });
}

// Polls `read` (which may throw while the page reloads) until `ok` holds of its value.
async function until(what, read, ok) {
  const start = Date.now();
  let last;
  while (Date.now() - start < PATIENCE) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (e) {
      last = `(reading failed: ${e.message.split("\n")[0]})`;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${PATIENCE / 1000} s waiting for ${what}; last seen: ${JSON.stringify(last)}`);
}

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20000);
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("data:") || new URL(url).origin === base.origin) return route.continue();
    fail(`a request left 127.0.0.1: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (probing && /Content Security Policy/.test(m.text())) return;
    fail(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => fail(`script error: ${e.message}`));
  const scripts = [];
  page.on("response", (r) => { if (r.request().resourceType() === "script") scripts.push(`${r.status()} ${r.url()}`); });
  let loads = 0;
  page.on("load", () => { loads += 1; });

  // The live-reload script is served, loaded and connected; the CSP allows it and no other.
  const url = new URL(opts.page, base).href;
  await page.goto(url);
  await page.waitForLoadState("load");
  const recovery = () => page.locator("#recovery").textContent();
  check((await recovery()).includes(opts.old), `${opts.page} shows "${opts.old}" in its recovery`);
  const livereload = new URL("/__opsbook/livereload.js", base).href;
  check(scripts.includes(`200 ${livereload}`), `the live-reload script loaded: ${JSON.stringify(scripts)}`);
  const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content || "");
  const scriptSrc = (csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src")) || "").split(/\s+/).slice(1);
  check(scriptSrc.includes("'self'"), `the served CSP lets the server's own scripts run: ${csp}`);
  const loose = scriptSrc.filter((s) => !["'self'", "file:"].includes(s));
  check(loose.length === 0, `the served CSP allows scripts from elsewhere: ${loose.join(" ")}`);
  const ownScripts = await page.evaluate(() => [...document.scripts].map((s) => s.src));
  check(ownScripts.every((s) => s.startsWith(base.origin + "/")), `every script of the page is the server's: ${ownScripts}`);
  check(ownScripts.includes(livereload), `the page has the live-reload script: ${ownScripts}`);
  probing = true;
  const probe = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener("securitypolicyviolation", (e) => violations.push(e.violatedDirective));
    const inline = document.createElement("script");
    inline.textContent = "window.__inline = 1";
    document.body.appendChild(inline);
    const data = document.createElement("script");
    data.src = "data:text/javascript,window.__data=1";
    const settled = new Promise((r) => { data.onerror = r; data.onload = r; });
    document.body.appendChild(data);
    await settled;
    let evaluated = false;
    try { evaluated = new Function("return 1")() === 1; } catch (e) { /* blocked, as it should be */ }
    await new Promise((r) => setTimeout(r, 100));
    return { inline: window.__inline, data: window.__data, evaluated, violations };
  });
  probing = false;
  check(probe.inline === undefined && probe.data === undefined && !probe.evaluated,
    `the served CSP let a script run that is not the server's: ${JSON.stringify(probe)}`);
  check(probe.violations.length >= 2, `the CSP reported the blocked scripts: ${JSON.stringify(probe)}`);
  check((await page.locator("#opsbook-overlay").count()) === 0, "no overlay while the tree builds");
  await shot(page, "served.png");

  // Search works over HTTP.
  const search = await context.newPage();
  search.on("console", (m) => { if (m.type() === "error") fail(`search.html: console error: ${m.text()}`); });
  search.on("pageerror", (e) => fail(`search.html: script error: ${e.message}`));
  await search.goto(new URL(`search.html?q=${encodeURIComponent(opts.query)}`, base).href);
  const first = search.locator("#search-results li.result a").first();
  await first.waitFor();
  const href = new URL(await first.evaluate((a) => a.href));
  check(href.origin === base.origin && href.pathname === `/${opts.page}`, `search over HTTP ranks ${opts.page} first, not ${href}`);
  await search.close();

  // An edit: the open page reloads by itself and shows the new text.
  await page.evaluate(() => { window.__before_edit = true; });
  const before = loads;
  writeFileSync(opts.source, readFileSync(opts.edited));
  await until(`"${opts.new}" on the open page`, recovery, (t) => t.includes(opts.new));
  await until("the load event of the reload", async () => loads, (n) => n > before);
  check(await page.evaluate(() => window.__before_edit === undefined), "the new text came with a reload");
  await shot(page, "reloaded.png");

  // A broken source: the overlay shows the diagnostic, the page keeps the last good content.
  writeFileSync(opts.source, readFileSync(opts.broken));
  const overlay = page.locator("#opsbook-overlay");
  const shown = await until("the error overlay", () => overlay.textContent({ timeout: 1000 }), (t) => t && t.includes(opts.line));
  check(shown.includes("does not build"), `the overlay says the tree does not build: ${shown}`);
  check(await overlay.isVisible(), "the overlay is visible");
  check((await recovery()).includes(opts.new), "the page keeps the last good content under the overlay");
  await shot(page, "broken.png");

  // Fixed again: the overlay goes and the good content stays.
  const beforeFix = loads;
  writeFileSync(opts.source, readFileSync(opts.edited));
  // The fix rewrites the book, so the page reloads; after that the overlay must be gone.
  await until("a reload after the fix", async () => loads, (n) => n > beforeFix);
  await until("the overlay to go", () => overlay.count(), (n) => n === 0);
  await page.waitForLoadState("load");
  check((await recovery()).includes(opts.new), "the fixed page shows the edited text");
  await shot(page, "fixed.png");
  await context.close();
} catch (e) {
  fail(`the browser run stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}

if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log(`ok: ${opts.base}${opts.page} reloads, shows the overlay and drops it`);
