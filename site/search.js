/* opsbook search: `/` focuses the search box on every page; on search.html, ranked,
   typo-tolerant search over window.OPSBOOK_SEARCH (search-index.js). No network, no
   dependencies; results are built with DOM nodes and textContent, never innerHTML. */
(function () {
  "use strict";

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var tag = t && t.tagName ? t.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (t && t.isContentEditable)) return;
    var box = document.getElementById("search-box");
    if (box) {
      e.preventDefault();
      box.focus();
      box.select();
    }
  });

  // Field key in the index, weight, the page section a match links to, label.
  var FIELDS = [
    ["n", 10, "", "name"],
    ["a", 5, "#alerts", "alert"],
    ["o", 4, "#owner", "owner"],
    ["r", 3, "#recovery", "recovery"],
    ["f", 3, "#failure-modes", "failure mode"],
    ["d", 2, "", "description"],
    ["k", 1, "", "kind"]
  ];

  function tokens(text) {
    return String(text).toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (t) { return t.length > 0; });
  }

  // Levenshtein distance, or max + 1 as soon as it must exceed max.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev = [], cur = [], i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (cur[j] < best) best = cur[j];
      }
      if (best > max) return max + 1;
      prev = cur;
    }
    return prev[b.length];
  }

  function build(docs) {
    var terms = Object.create(null);
    docs.forEach(function (doc, d) {
      FIELDS.forEach(function (field, f) {
        var value = doc[field[0]];
        if (value === undefined) return;
        var items = Array.isArray(value) ? value : [value];
        items.forEach(function (item, i) {
          tokens(item).forEach(function (t) {
            (terms[t] = terms[t] || []).push([d, f, i]);
          });
        });
      });
    });
    return { docs: docs, terms: terms, vocabulary: Object.keys(terms) };
  }

  // How well vocabulary term `t` matches query token `q`: 1 exact, less for a prefix or a typo.
  function closeness(q, t) {
    if (q === t) return 1;
    if (q.length >= 2 && t.lastIndexOf(q, 0) === 0) return 0.75;
    var max = q.length >= 8 ? 2 : q.length >= 4 ? 1 : 0;
    if (max === 0) return 0;
    var d = distance(q, t.slice(0, Math.max(q.length, t.length)), max);
    if (d <= max) return d === 1 ? 0.5 : 0.3;
    // A typo in the start of a longer word: "restrt" for "restarting".
    if (t.length > q.length && distance(q, t.slice(0, q.length + 1), max) <= max) return 0.3;
    return 0;
  }

  function search(index, query) {
    var qs = tokens(query);
    if (qs.length === 0) return [];
    var scores = Object.create(null);
    var hits = Object.create(null);
    qs.forEach(function (q, qi) {
      var best = Object.create(null);
      index.vocabulary.forEach(function (t) {
        var c = closeness(q, t);
        if (c === 0) return;
        index.terms[t].forEach(function (p) {
          var s = c * FIELDS[p[1]][1];
          var cur = best[p[0]];
          if (!cur || s > cur.score) best[p[0]] = { score: s, field: p[1], item: p[2], term: t };
        });
      });
      Object.keys(best).forEach(function (d) {
        if (qi > 0 && !(d in scores)) return;
        scores[d] = (scores[d] || 0) + best[d].score;
        (hits[d] = hits[d] || []).push(best[d]);
      });
      if (qi > 0) {
        Object.keys(scores).forEach(function (d) {
          if (hits[d].length <= qi) { delete scores[d]; delete hits[d]; }
        });
      }
    });
    return Object.keys(scores)
      .map(function (d) { return { doc: index.docs[d], score: scores[d], hits: hits[d] }; })
      .sort(function (a, b) { return b.score - a.score || (a.doc.n < b.doc.n ? -1 : a.doc.n > b.doc.n ? 1 : 0); });
  }

  // The field text with every matched word in <mark>, as DOM nodes.
  function highlighted(text, words) {
    var span = document.createElement("span");
    var re = /[\p{L}\p{N}]+/gu, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (words[m[0].toLowerCase()]) {
        span.appendChild(document.createTextNode(text.slice(last, m.index)));
        var mark = document.createElement("mark");
        mark.textContent = m[0];
        span.appendChild(mark);
        last = m.index + m[0].length;
      }
    }
    span.appendChild(document.createTextNode(text.slice(last)));
    return span;
  }

  function show(index, query, list, status) {
    while (list.firstChild) list.removeChild(list.firstChild);
    var results = query.trim() ? search(index, query).slice(0, 50) : [];
    status.textContent = !query.trim() ? "Type a name, an error, a command, an owner or an alert."
      : results.length === 0 ? "Nothing matches \u201c" + query + "\u201d."
      : results.length + (results.length === 1 ? " result" : " results") + " for \u201c" + query + "\u201d.";
    results.forEach(function (r) {
      var top = r.hits.slice().sort(function (a, b) { return b.score - a.score; })[0];
      var field = FIELDS[top.field];
      var words = Object.create(null);
      r.hits.forEach(function (h) { words[h.term] = true; });
      var li = document.createElement("li");
      li.className = "result";
      var a = document.createElement("a");
      a.href = r.doc.u + field[2];
      a.textContent = r.doc.n;
      li.appendChild(a);
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = " " + r.doc.k + (r.doc.o ? " \u00b7 " + r.doc.o : "");
      li.appendChild(kind);
      if (field[0] !== "n" && field[0] !== "k") {
        var value = r.doc[field[0]];
        var text = Array.isArray(value) ? value[top.item] : value;
        var p = document.createElement("p");
        p.className = "snippet";
        var label = document.createElement("span");
        label.className = "field";
        label.textContent = field[3] + (field[0] === "r" ? " step " + (top.item + 1) : "") + ": ";
        p.appendChild(label);
        p.appendChild(highlighted(text, words));
        li.appendChild(p);
      } else if (r.doc.d) {
        var desc = document.createElement("p");
        desc.className = "snippet";
        desc.textContent = r.doc.d.length > 160 ? r.doc.d.slice(0, 159) + "\u2026" : r.doc.d;
        li.appendChild(desc);
      }
      list.appendChild(li);
    });
  }

  function start() {
    var list = document.getElementById("search-results");
    var data = window.OPSBOOK_SEARCH;
    if (!list || !data) return;
    var index = build(data.docs);
    var box = document.getElementById("search-page-box") || document.getElementById("search-box");
    var status = document.getElementById("search-status");
    var query = new URLSearchParams(window.location.search).get("q") || "";
    box.value = query;
    var header = document.getElementById("search-box");
    if (header && header !== box) header.value = query;
    show(index, query, list, status);
    box.addEventListener("input", function () {
      show(index, box.value, list, status);
      try {
        var url = new URL(window.location.href);
        if (box.value) url.searchParams.set("q", box.value); else url.searchParams.delete("q");
        window.history.replaceState(null, "", url.href);
      } catch (e) { /* some browsers refuse history changes on file:// */ }
    });
    if (!query) box.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
