// opsbook serve: reloads the page after each rebuild, and shows why the tree does not build.
// Loaded from the server only; the book on disk has no script. Styles are set through the
// CSSOM, which the book's Content-Security-Policy (style-src 'self') allows.
(function () {
  "use strict";
  var overlay = null;
  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }
  function show(text) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "opsbook-overlay";
    overlay.setAttribute("role", "alert");
    var s = overlay.style;
    s.position = "fixed";
    s.left = "0";
    s.right = "0";
    s.bottom = "0";
    s.maxHeight = "60vh";
    s.overflow = "auto";
    s.zIndex = "2147483647";
    s.padding = "1em 1.5em";
    s.background = "#2b1111";
    s.color = "#ffecec";
    s.borderTop = "4px solid #e5484d";
    s.font = "14px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    var title = document.createElement("strong");
    title.textContent = "The tree does not build; the book shows the last good facts.";
    var pre = document.createElement("pre");
    pre.style.whiteSpace = "pre-wrap";
    pre.style.margin = "0.75em 0 0";
    pre.textContent = text;
    overlay.appendChild(title);
    overlay.appendChild(pre);
    document.body.appendChild(overlay);
  }
  var events = new EventSource("/__opsbook/events");
  events.addEventListener("reload", function () {
    location.reload();
  });
  events.addEventListener("broken", function (e) {
    show(e.data);
  });
  events.addEventListener("ok", function () {
    hide();
  });
})();
