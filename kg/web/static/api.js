// Swagger UI (vendor/swagger-ui-bundle.js, shipped) over /openapi.json, so each stored
// query can be tried from the page; without it the table of calls stays. Nothing is
// asked of another site: the validator badge (validator.swagger.io) is off, and the
// calls go to this server, whatever public address the description names.
(function () {
  "use strict";
  var target = document.getElementById("swagger");
  var fallback = document.getElementById("api-fallback");
  if (!target || !window.SwaggerUIBundle || !window.fetch) return;

  // axe's scrollable-region-focusable: a region that scrolls must take the keyboard
  // focus, or a keyboard cannot scroll it; Swagger UI's code blocks and tables do scroll
  // its server chooser has no label of its own (axe's select-name): labelled in the
  // observer's own callback, so no script or reader ever meets it unlabelled
  function label() {
    var servers = target.querySelector("select#servers");
    if (servers && !servers.hasAttribute("aria-label")) servers.setAttribute("aria-label", "Server the calls go to");
  }
  function focusable() {
    target.querySelectorAll("pre, .highlight-code, .table-container, .responses-inner, .model-box, textarea").forEach(function (node) {
      if (node.tagName === "TEXTAREA" || node.hasAttribute("tabindex")) return;
      var style = window.getComputedStyle(node);
      var scrolls = /(auto|scroll)/.test(style.overflow + style.overflowX + style.overflowY);
      if (scrolls) node.setAttribute("tabindex", "0");
    });
  }
  var pending = null;
  new MutationObserver(function () {
    label();
    if (pending) return;
    pending = window.setTimeout(function () { pending = null; focusable(); }, 50);
  }).observe(target, {childList: true, subtree: true});

  fetch("/openapi.json", {headers: {Accept: "application/json"}})
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (spec) {
      spec.servers = [{url: window.location.origin, description: "this server"}];
      // Swagger UI lists an operation under each of its tags: here each query once, under
      // its first tag, as on the home page
      Object.keys(spec.paths || {}).forEach(function (path) {
        Object.keys(spec.paths[path]).forEach(function (method) {
          var op = spec.paths[path][method];
          if (op && op.tags && op.tags.length > 1) op.tags = op.tags.slice(0, 1);
        });
      });
      window.SwaggerUIBundle({
        spec: spec,
        domNode: target,
        validatorUrl: null,
        deepLinking: false,
        docExpansion: "list",
        defaultModelsExpandDepth: -1,
        supportedSubmitMethods: ["get", "post"],
        presets: [window.SwaggerUIBundle.presets.apis],
        layout: "BaseLayout",
        onComplete: function () {
          if (fallback) fallback.hidden = true;
          focusable();
        },
      });
    })
    .catch(function () { /* the table of calls stays */ });
})();
