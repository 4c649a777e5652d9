// The review page (/suggest): a candidate and its passage find each other; ticking a
// candidate ticks what it needs; entity boxes ask /reconcile/suggest/entity for names.
// The page works without it: links to #at-ID scroll to a passage, the form posts as is.
(function () {
  "use strict";
  var form = document.getElementById("review");
  if (!form) return;
  var article = document.getElementById("article");
  var marks = article ? Array.prototype.slice.call(article.querySelectorAll("mark[data-c]")) : [];
  var items = Array.prototype.slice.call(form.querySelectorAll("li.cand"));
  var byId = {};
  items.forEach(function (li) { byId[li.dataset.c] = li; });

  function box(id) { return document.getElementById("accept-" + id); }
  function ids(el) { return (el.dataset.c || "").split(" ").filter(Boolean); }

  function focus(id, scrollText, scrollList) {
    marks.forEach(function (m) { m.classList.toggle("focus", ids(m).indexOf(id) >= 0); });
    items.forEach(function (li) { li.classList.toggle("focus", li.dataset.c === id); });
    var anchor = document.getElementById("at-" + id);
    if (scrollText && anchor && article) {
      // within the text's own scroll box, without moving the page
      var top = anchor.getBoundingClientRect().top - article.getBoundingClientRect().top + article.scrollTop;
      article.scrollTo({ top: Math.max(0, top - article.clientHeight / 3), behavior: "smooth" });
    }
    if (scrollList && byId[id]) byId[id].scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function refresh() {
    var on = 0;
    items.forEach(function (li) {
      var ticked = box(li.dataset.c).checked;
      li.classList.toggle("off", !ticked);
      if (ticked) on += 1;
    });
    marks.forEach(function (m) {
      var any = ids(m).some(function (i) { var b = box(i); return b && b.checked; });
      m.classList.toggle("off", !any);
    });
    var count = document.getElementById("ticked-count");
    if (count) count.textContent = "(" + on + " of " + items.length + " ticked)";
  }

  function tickNeeds(id, seen) {
    var li = byId[id];
    if (!li || seen[id]) return;
    seen[id] = true;
    (li.dataset.depends || "").split(" ").filter(Boolean).forEach(function (d) {
      var b = box(d);
      if (b && !b.checked) b.checked = true;
      tickNeeds(d, seen);
    });
  }

  items.forEach(function (li) {
    var id = li.dataset.c;
    li.addEventListener("click", function (e) {
      if (e.target.closest("input, a, summary, details, label, datalist")) return;
      focus(id, true, false);
    });
    var jump = li.querySelector("a.jump");
    if (jump) jump.addEventListener("click", function (e) { e.preventDefault(); focus(id, true, false); });
    box(id).addEventListener("change", function (e) {
      if (e.target.checked) tickNeeds(id, {});
      refresh();
    });
  });
  marks.forEach(function (m) {
    m.addEventListener("click", function () { var first = ids(m)[0]; if (first) focus(first, false, true); });
  });

  // Enter in a value box would submit the form: only the buttons do
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.tagName === "INPUT" && e.target.type !== "submit" && e.target.type !== "password") e.preventDefault();
  });

  // entity boxes: names from the reconciliation service's suggest API, as the person types
  var service = "/reconcile/suggest/entity";
  var spaces = [["kgi:", "https://w3id.org/jckg/id/"], ["kgc:", "https://w3id.org/jckg/concept/"], ["kg:", "https://w3id.org/jckg/ontology#"]];
  function shorten(iri) {
    for (var i = 0; i < spaces.length; i++) {
      var local = iri.slice(spaces[i][1].length);
      if (iri.indexOf(spaces[i][1]) === 0 && /^[A-Za-z0-9][\w-]*$/.test(local)) return spaces[i][0] + local;
    }
    return iri;
  }
  var off = false;
  Array.prototype.slice.call(form.querySelectorAll("input[data-suggest]")).forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      input.classList.toggle("edited", input.value !== input.dataset.original);
      var prefix = input.value.trim();
      if (off || !list || prefix.length < 2 || prefix === last) return;
      if (Array.prototype.some.call(list.options, function (o) { return o.value === prefix; })) return;  // picked from the list
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = prefix;
        fetch(service + "?prefix=" + encodeURIComponent(prefix), { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) {
            if (r.status === 404 || r.status === 405) { off = true; return null; }
            return r.ok ? r.json() : null;
          })
          .then(function (data) {
            if (!data) return;
            var results = data.result || data.results || [];
            list.textContent = "";
            results.slice(0, 15).forEach(function (hit) {
              var option = document.createElement("option");
              option.value = shorten(hit.curie || hit.id || hit.iri || "");
              option.label = (hit.name || hit.label || "") + (hit.description ? " · " + hit.description : "");
              option.textContent = option.label;
              if (option.value) list.appendChild(option);
            });
          })
          .catch(function () { /* the service is optional */ });
      }, 200);
    });
  });

  refresh();
})();
