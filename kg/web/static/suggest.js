// Optional: the forms work without it. An IRI field with data-suggest offers the graph's
// entities as a person types ("4th meet", "Таджикистан", "kgi:state-"), from the
// reconciliation service's suggest API (/reconcile/suggest/entity), in the field's
// <datalist>; choosing one puts its CURIE (kgi:state-tj) in the field.
(function () {
  "use strict";
  if (!window.fetch || !document.querySelectorAll) return;

  function curie(iri, prefixes) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length && (best === null || ns.length > prefixes[best].length)) best = p;
    });
    return best === null ? iri : best + ":" + iri.slice(prefixes[best].length);
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest][list]"), function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var prefixes = {};
    try { prefixes = JSON.parse(input.getAttribute("data-prefixes") || "{}"); } catch (e) { prefixes = {}; }
    var timer = null, asked = "", controller = null;

    function fill(items) {
      while (list.firstChild) list.removeChild(list.firstChild);
      items.forEach(function (item) {
        if (!item || typeof item.id !== "string") return;
        var option = document.createElement("option");
        option.value = curie(item.id, prefixes);
        // the label carries the name that matched (a Russian one for "Тадж"), so the
        // browser, which filters a datalist by what is typed, keeps the option
        option.label = String(item.name || "") + (item.description ? " — " + item.description : "");
        list.appendChild(option);
      });
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < 2 || text === asked) return;
      asked = text;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var url = input.getAttribute("data-suggest") + "?prefix=" + encodeURIComponent(text);
      fetch(url, {headers: {Accept: "application/json"}, signal: controller ? controller.signal : undefined})
        .then(function (r) { return r.ok ? r.json() : {result: []}; })
        .then(function (data) { if (input.value.trim() === text) fill(data.result || []); })
        .catch(function () { /* offline or aborted: the field still takes what is typed */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
  });
})();
