// Opens a built book in headless Chromium and checks what a reader does at 2 a.m.:
// `/` then a query, the result, the runbook it links to, a diagram node, a pasted
// search.html?q= link, the page with JavaScript off. Fails on any console error and on any
// request that leaves the book. Run by tests/browser.rs; usable by hand:
//
//   node check.mjs --base file:///path/to/book/ --query WORD --expect steps/x.html \
//        [--section recovery] [--shots DIR] [--chromium /usr/bin/chromium]
//
// --base may be an http:// URL (a book served by `opsbook serve`): then requests to that
// origin are the book's own, and any other is a failure. `--serve DIR` serves DIR on a
// loopback port with a plain static server and uses that as the base.

import { chromium } from "playwright-core";
import { mkdirSync, readFile } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";

function args() {
  const out = { section: "recovery", chromium: "/usr/bin/chromium", shots: "" };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    out[argv[i].replace(/^--/, "")] = argv[i + 1];
  }
  for (const required of ["query", "expect"]) {
    if (!out[required]) throw new Error(`--${required} is required`);
  }
  if (!out.base && !out.serve) throw new Error("--base or --serve is required");
  return out;
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".png": "image/png" };

// A static server for DIR on 127.0.0.1: files only, nothing outside DIR.
function serve(dir) {
  const root = normalize(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(root, path.endsWith("/") ? path + "index.html" : path));
    if (file !== root && !file.startsWith(root + sep)) { res.writeHead(403).end(); return; }
    readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const opts = args();
const server = opts.serve ? await serve(opts.serve) : null;
if (server) opts.base = `http://127.0.0.1:${server.address().port}/`;
if (!opts.base.endsWith("/")) opts.base += "/";
const base = new URL(opts.base);
const failures = [];
const fail = (what) => failures.push(what);
const check = (ok, what) => { if (!ok) fail(what); };

// A request belongs to the book when it is a file: URL under the book, or on the book's
// own origin when served; data: URLs never leave the page.
function own(url) {
  if (url.startsWith("data:")) return true;
  const u = new URL(url);
  if (base.protocol === "file:") return u.protocol === "file:";
  return u.origin === base.origin;
}

const browser = await chromium.launch({
  executablePath: opts.chromium,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

async function newPage(context, label) {
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error") fail(`${label}: console error: ${m.text()}`); });
  page.on("pageerror", (e) => fail(`${label}: script error: ${e.message}`));
  return page;
}

async function contextWith(javaScriptEnabled) {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20000);
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (own(url)) return route.continue();
    fail(`a request left the book: ${url}`);
    return route.abort();
  });
  return context;
}

async function shot(page, name) {
  if (!opts.shots) return;
  mkdirSync(opts.shots, { recursive: true });
  await page.screenshot({ path: join(opts.shots, name), fullPage: false });
}

const pathOf = (href) => { const u = new URL(href); return `${u.protocol}//${u.host}${u.pathname}`; };
const expected = pathOf(new URL(opts.expect, base).href);

try {
  const context = await contextWith(true);
  const page = await newPage(context, "index.html");

  // The home page, then `/` focuses the search box and Enter searches.
  await page.goto(new URL("index.html", base).href);
  check((await page.locator("h1").count()) === 1, "index.html has one h1");
  await shot(page, "index.png");
  await page.locator("body").click({ position: { x: 5, y: 300 } });
  await page.keyboard.press("/");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check(focused === "search-box", `"/" focuses the search box (focused: ${focused})`);
  await page.keyboard.type(opts.query);
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.pathname.endsWith("/search.html"));
  const first = page.locator("#search-results li.result a").first();
  await first.waitFor();
  const firstHref = await first.evaluate((a) => a.href);
  check(pathOf(firstHref) === expected, `typing "${opts.query}" ranks ${opts.expect} first, not ${firstHref}`);
  await shot(page, "search.png");
  // Text from sources is shown as text: markup in a recovery step never becomes elements.
  const injected = await page.evaluate(() => ({
    elements: document.querySelectorAll("#search-results img, #search-results script, #search-results iframe").length,
    ran: window.pwned !== undefined,
  }));
  check(injected.elements === 0 && !injected.ran, `markup from a source became elements in the results: ${JSON.stringify(injected)}`);

  // The result leads to the section that matched; the page answers what/who/what to do.
  await first.click();
  await page.waitForURL((u) => pathOf(u.href) === expected);
  const hash = await page.evaluate(() => window.location.hash);
  check(hash === `#${opts.section}`, `the result links to #${opts.section}, not ${hash}`);
  check(await page.locator(`#${opts.section}`).isVisible(), `#${opts.section} is on the page`);
  for (const id of ["what", "owner", "recovery", "failure-modes", "signals", "dependencies", "blast-radius", "diagram", "sources"]) {
    check((await page.locator(`[id="${id}"]`).count()) === 1, `${opts.expect} has #${id}`);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "runbook.png");
  // Dark mode follows the system.
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await background();
  check(light !== dark, `dark mode changes the page: ${light} / ${dark}`);
  await shot(page, "runbook-dark.png");
  await page.emulateMedia({ colorScheme: "light" });

  // A diagram node is a link to its page.
  const node = page.locator("#diagram svg a").first();
  if ((await node.count()) > 0) {
    const target = await node.evaluate((a) => a.href.baseVal !== undefined ? new URL(a.href.baseVal, document.baseURI).href : a.href);
    await node.click();
    await page.waitForURL((u) => pathOf(u.href) === pathOf(target));
    check((await page.locator("h1").count()) === 1, `the diagram node leads to a page: ${target}`);
  } else {
    fail(`${opts.expect} has no linked node in its diagram`);
  }

  // A link pasted into chat: search.html?q= finds the same page without typing.
  const pasted = await newPage(context, "search.html?q=");
  await pasted.goto(new URL(`search.html?q=${encodeURIComponent(opts.query)}`, base).href);
  const pastedFirst = pasted.locator("#search-results li.result a").first();
  await pastedFirst.waitFor();
  check(pathOf(await pastedFirst.evaluate((a) => a.href)) === expected, `search.html?q=${opts.query} ranks ${opts.expect} first`);
  const status = await pasted.locator("#search-status").textContent();
  check(/result/.test(status), `the search page says how many results: ${status}`);
  // Typing on the search page searches as you type.
  await pasted.locator("#search-page-box").fill("");
  check((await pasted.locator("#search-results li").count()) === 0, "an empty query shows no results");
  await pasted.locator("#search-page-box").pressSequentially(opts.query);
  await pasted.waitForFunction(() => document.querySelectorAll("#search-results li").length > 0);
  check(pathOf(await pastedFirst.evaluate((a) => a.href)) === expected, `typing on search.html ranks ${opts.expect} first`);
  // A typo still finds it: one letter of the word dropped.
  const word = opts.query.split(/\s+/).sort((a, b) => b.length - a.length)[0];
  if (word.length >= 5) {
    const typo = word.slice(0, 2) + word.slice(3);
    await pasted.goto(new URL(`search.html?q=${encodeURIComponent(typo)}`, base).href);
    await pasted.locator("#search-results li.result a").first().waitFor();
    const hrefs = await pasted.locator("#search-results li.result a").evaluateAll((as) => as.map((a) => a.href));
    check(hrefs.some((h) => pathOf(h) === expected), `the typo "${typo}" still finds ${opts.expect}`);
  }
  await context.close();

  // Without JavaScript the runbook reads the same: recovery is in the HTML.
  const plain = await contextWith(false);
  const still = await newPage(plain, "no-js");
  await still.goto(expected);
  check(await still.locator("#recovery").isVisible(), "the runbook shows its recovery without JavaScript");
  check((await still.locator("#diagram svg").count()) >= 1, "the diagram is drawn without JavaScript");
  await plain.close();
} catch (e) {
  fail(`the browser run stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
  if (server) server.close();
}

if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log(`ok: ${opts.base} (${opts.query} -> ${opts.expect})`);
