// Opens EVERY html page of a built book from file:// in one headless Chromium session, then
// search.html?q= with each query given, and fails when a payload from a source ran: a
// dialog opened, `window.__xss` was set, an element a payload carries appeared in the
// search results, a console or script error, or a request outside the book.
// Run by tests/browser.rs:
//
//   node xss.mjs --book /path/to/book --queries '["onerror", "<script>"]' [--chromium /usr/bin/chromium]

import { chromium } from "playwright-core";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const opts = { chromium: "/usr/bin/chromium", queries: "[]" };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opts[argv[i].replace(/^--/, "")] = argv[i + 1];
if (!opts.book) throw new Error("--book is required");
const queries = JSON.parse(opts.queries);
const book = pathToFileURL(opts.book.endsWith(sep) ? opts.book : opts.book + sep).href;
const failures = [];
const fail = (what) => failures.push(what);

function htmlFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(path));
    else if (e.name.endsWith(".html")) out.push(relative(opts.book, path));
  }
  return out.sort();
}

const browser = await chromium.launch({
  executablePath: opts.chromium,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

let label = "";
let opened = 0;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20000);
  await context.route("**/*", (route) => {
    const url = route.request().url();
    // The book's own files, and data: URLs the book's CSS uses; anything else is a payload
    // reaching out (an <img src=x> would ask for file:///…/x beside the page).
    if (url.startsWith("data:") || (url.startsWith(book) && !url.startsWith(book + "../"))) {
      if (!url.startsWith("data:") && !existsSync(fileURLToPath(url))) fail(`${label}: a request for a file not in the book: ${url}`);
      return route.continue();
    }
    fail(`${label}: a request left the book: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("dialog", (d) => { fail(`${label}: a dialog opened: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on("console", (m) => { if (m.type() === "error") fail(`${label}: console error: ${m.text()}`); });
  page.on("pageerror", (e) => fail(`${label}: script error: ${e.message}`));
  page.on("popup", (p) => fail(`${label}: a window opened: ${p.url()}`));

  const marker = () => page.evaluate(() => window.__xss);
  for (const rel of htmlFiles(opts.book)) {
    label = rel;
    const url = book + rel.split(sep).map(encodeURIComponent).join("/");
    await page.goto(url, { waitUntil: "load" });
    opened += 1;
    const set = await marker();
    if (set !== undefined) fail(`${rel}: window.__xss was set to ${set}`);
  }

  // Search results render payload text from the index: it must stay text.
  for (const q of queries) {
    label = `search.html?q=${q}`;
    await page.goto(`${book}search.html?q=${encodeURIComponent(q)}`, { waitUntil: "load" });
    opened += 1;
    await page.locator("#search-results li.result").first().waitFor().catch(() => fail(`${label}: no results`));
    const seen = await page.evaluate(() => {
      const results = document.querySelector("#search-results");
      return {
        text: results ? results.textContent : "",
        elements: results ? [...results.querySelectorAll("*")].map((e) => e.localName).filter((n) => !["li", "a", "p", "span", "mark", "small", "strong", "em", "code", "div"].includes(n)) : [],
        xss: window.__xss,
      };
    });
    if (seen.elements.length > 0) fail(`${label}: payload markup became elements in the results: ${seen.elements}`);
    if (seen.xss !== undefined) fail(`${label}: window.__xss was set to ${seen.xss}`);
    if (!/[<>]/.test(seen.text)) fail(`${label}: the results do not show the payload as text: ${seen.text.slice(0, 300)}`);
  }
  await context.close();
} catch (e) {
  fail(`the browser run stopped at ${label}: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}

if (failures.length > 0) {
  for (const f of failures.slice(0, 50)) console.error(`FAIL ${f}`);
  if (failures.length > 50) console.error(`... and ${failures.length - 50} more`);
  process.exit(1);
}
console.log(`ok: ${opened} pages opened, nothing ran`);
