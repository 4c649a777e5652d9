// The SPARQL editor over the page's plain form: without JavaScript (or without the
// CodeMirror bundle, vendor/codemirror.js) the textarea and its GET form work alone.
// With it: highlighting, completion of the server's prefixes and of the graph's entities
// (the reconciliation service's suggest API), the server's syntax error marked where it
// is, every run at its own address (/editor?query=...), results paged and sortable in
// the page over every row the server sends (it stops a query past its row limit), and
// the time each run took.
(function () {
  "use strict";
  var form = document.querySelector("form.editor");
  var K = window.KGEditor;
  if (!form || !K || !window.fetch || !window.history || !window.history.pushState) return;

  var textarea = form.querySelector("textarea[name=query]");
  var outcome = document.getElementById("outcome");
  var prefixes = JSON.parse(form.getAttribute("data-prefixes") || "{}");
  var downloads = JSON.parse(form.getAttribute("data-downloads") || "{}");
  var pageSize = parseInt(form.getAttribute("data-page-size"), 10) || 100;
  var maxRows = parseInt(form.getAttribute("data-max-rows"), 10) || 0;
  var BASE = "https://w3id.org/jckg/", LOCAL_SPACES = ["id", "concept"];
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
                 "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong"];

  // ------------------------------------------------------------ names of things

  function curie(iri) {
    var best = null;
    Object.keys(prefixes).forEach(function (p) {
      var ns = prefixes[p];
      if (iri.indexOf(ns) === 0 && iri.length > ns.length && (best === null || ns.length > prefixes[best].length)) best = p;
    });
    return best === null ? iri : best + ":" + iri.slice(prefixes[best].length);
  }

  function href(iri) {
    for (var i = 0; i < LOCAL_SPACES.length; i++) {
      var start = BASE + LOCAL_SPACES[i] + "/";
      if (iri.indexOf(start) === 0 && iri.indexOf("?") < 0 && iri.indexOf("#") < 0) {
        return "/" + LOCAL_SPACES[i] + "/" + iri.slice(start.length).split("/").map(encodeURIComponent).join("/");
      }
    }
    return "/resource?iri=" + encodeURIComponent(iri);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  // ------------------------------------------------------------ completion

  var suggestCache = {};

  function suggest(text) {
    if (!suggestCache[text]) {
      suggestCache[text] = fetch("/reconcile/suggest/entity?prefix=" + encodeURIComponent(text), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {result: []}; })
        .then(function (data) { return data.result || []; })
        .catch(function () { delete suggestCache[text]; return []; });
    }
    return suggestCache[text];
  }

  function prefixOptions() {
    return Object.keys(prefixes).map(function (p) {
      return {label: p + ":", type: "namespace", detail: prefixes[p], boost: p.indexOf("kg") === 0 ? 1 : 0};
    });
  }

  // kgi:state-t, kgi:Tajik: the graph's entities of that namespace, by identifier or by name
  function completeEntity(context) {
    var m = context.matchBefore(/[A-Za-z][\w\-.]*:[^\s{}()<>,;"'|^`\\]*$/);
    if (!m) return null;
    var colon = m.text.indexOf(":");
    var prefix = m.text.slice(0, colon), local = m.text.slice(colon + 1);
    var ns = prefixes[prefix];
    if (!ns || (!local && !context.explicit && prefix !== "kgi" && prefix !== "kgc")) return null;
    var asks = [suggest(m.text)];
    if (local.length >= 2) asks.push(suggest(local));
    return Promise.all(asks).then(function (lists) {
      var seen = {}, options = [];
      lists.forEach(function (items) {
        items.forEach(function (item) {
          if (!item || typeof item.id !== "string" || item.id.indexOf(ns) !== 0 || seen[item.id]) return;
          seen[item.id] = true;
          var name = curie(item.id);
          options.push({label: name, detail: String(item.name || ""), type: "variable", apply: name});
        });
      });
      return {from: m.from, options: options, filter: false};
    });
  }

  // a bare word: the prefixes; asked for (Ctrl+Space) and two letters or more, the
  // entities whose name starts so, written as their prefixed names
  function completeWord(context) {
    var m = context.matchBefore(/[\w\u00C0-\uFFFF][\w\u00C0-\uFFFF\-]*$/);
    if (!m || (m.from === m.to && !context.explicit)) return null;
    var before = m.from > 0 ? context.state.sliceDoc(m.from - 1, m.from) : "";
    if (before === "?" || before === "$" || before === ":" || before === "<" || before === "\"" || before === "'") return null;
    var options = prefixOptions();
    if (!context.explicit || m.text.length < 2) return {from: m.from, options: options, validFor: /^[\w\-]*$/};
    return suggest(m.text).then(function (items) {
      items.forEach(function (item) {
        if (!item || typeof item.id !== "string") return;
        var name = curie(item.id);
        if (name !== item.id) options.push({label: name, detail: String(item.name || ""), type: "variable", apply: name, boost: 2});
      });
      return {from: m.from, options: options, filter: false};
    });
  }

  // ------------------------------------------------------------ the editor

  function mark(view, message) {
    // the server says query:LINE:COLUMN; the marker covers the word there
    var m = /query:(\d+):(\d+)/.exec(message || "");
    if (!m) { view.dispatch(K.setDiagnostics(view.state, [])); return; }
    var doc = view.state.doc;
    var line = doc.line(Math.min(Math.max(parseInt(m[1], 10), 1), doc.lines));
    var from = Math.min(line.from + Math.max(parseInt(m[2], 10) - 1, 0), line.to);
    var to = from;
    while (to < line.to && !/\s/.test(doc.sliceString(to, to + 1))) to++;
    if (to === from) { if (from > line.from) from--; else to = Math.min(line.to, from + 1); }
    var text = message.replace(/^query:\d+:\d+:\s*/, "");
    view.dispatch(K.setDiagnostics(view.state, [{from: from, to: to, severity: "error", message: text}]));
  }

  var view = new K.EditorView({
    state: K.EditorState.create({
      doc: textarea.value,
      extensions: [
        K.lineNumbers(), K.history(), K.drawSelection(), K.highlightActiveLine(), K.bracketMatching(), K.EditorView.lineWrapping,
        K.closeBrackets(), K.indentOnInput(),
        K.StreamLanguage.define(K.sparql), K.syntaxHighlighting(K.classHighlighter),
        K.autocompletion({override: [completeEntity, completeWord], activateOnTyping: true}),
        K.lintGutter(),
        K.Prec.highest(K.keymap.of([{key: "Mod-Enter", run: function () { run(true); return true; }}])),
        // no Tab binding: Tab leaves the editor, as everywhere on the page
        K.keymap.of([].concat(K.closeBracketsKeymap, K.defaultKeymap, K.historyKeymap, K.completionKeymap)),
        K.EditorView.contentAttributes.of({"aria-label": "SPARQL query"}),
        K.EditorView.updateListener.of(function (update) {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.parentNode.insertBefore(view.dom, textarea);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(true);
  });

  window.addEventListener("popstate", function () {
    var text = new URLSearchParams(window.location.search).get("query") || "";
    view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
    if (text.trim()) run(false); else clear();
  });

  // ------------------------------------------------------------ running

  var running = null;

  function clear() {
    while (outcome.firstChild) outcome.removeChild(outcome.firstChild);
  }

  function problem(message, hint) {
    var box = el("div", {"class": "problem", role: "alert"}, [el("strong", {}, [message])]);
    if (hint) { box.appendChild(el("br")); box.appendChild(el("span", {"class": "hint"}, [hint])); }
    return box;
  }

  function run(push) {
    var text = view.state.doc.toString();
    textarea.value = text;
    if (!text.trim()) return;
    var address = "/editor?query=" + encodeURIComponent(text);
    if (push && window.location.pathname + window.location.search !== address) {
      window.history.pushState({}, "", address);
    }
    if (running) running.abort();
    var controller = window.AbortController ? new AbortController() : null;
    running = controller;
    clear();
    outcome.appendChild(el("p", {"class": "timing", role: "status"}, ["Running…"]));
    var started = performance.now();
    // /editor answers the page's script in JSON: the rows and a label for each IRI
    fetch("/editor", {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded", Accept: "application/json"},
      body: "query=" + encodeURIComponent(text),
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return (type.indexOf("json") >= 0 ? response.json() : response.text()).then(function (body) {
        return {ok: response.ok, type: type, body: body};
      });
    }).then(function (answer) {
      if (running !== controller) return;
      running = null;
      var seconds = (performance.now() - started) / 1000;
      clear();
      if (!answer.ok) {
        var body = typeof answer.body === "object" ? answer.body : {error: String(answer.body)};
        mark(view, body.error);
        outcome.appendChild(problem(body.error || "the query failed", body.hint));
        return;
      }
      mark(view, null);
      var graph = answer.body.form === "CONSTRUCT" || answer.body.form === "DESCRIBE";
      show(answer.body, seconds, text, graph);
    }).catch(function (error) {
      if (error && error.name === "AbortError") return;
      running = null;
      clear();
      outcome.appendChild(problem("the server did not answer: " + error, "is it still running?"));
    });
  }

  // ------------------------------------------------------------ results

  function name(t, labels) {
    return t.type === "uri" ? (labels[t.value] || curie(t.value)) : t.value;
  }

  function cell(t, labels) {
    if (!t) return el("td");
    if (t.type === "uri") return el("td", {}, [el("a", {href: href(t.value), title: t.value}, [name(t, labels)])]);
    if (t.type === "bnode") return el("td", {}, [el("span", {"class": "bnode"}, ["_:" + t.value])]);
    // a name in another language says so, as the server's table does: a screen reader
    // then reads it with that language's rules, and right-to-left text runs right
    var children = [el("span", t["xml:lang"] ? {"class": "lit", lang: t["xml:lang"], dir: "auto"} : {"class": "lit"}, [t.value])];
    if (t["xml:lang"]) children.push(" ", el("span", {"class": "tag"}, [t["xml:lang"]]));
    else if (t.datatype && t.datatype !== XSD + "string") children.push(" ", el("span", {"class": "tag"}, [curie(t.datatype)]));
    return el("td", {}, children);
  }

  function numeric(t) {
    if (!t || t.type !== "literal" || !t.datatype || t.datatype.indexOf(XSD) !== 0) return null;
    if (NUMERIC.indexOf(t.datatype.slice(XSD.length)) < 0) return null;
    var n = parseFloat(t.value);
    return isNaN(n) ? null : n;
  }

  // by what the cell shows: numbers as numbers, IRIs by their label, unbound last
  function compare(a, b, labels) {
    if (!a || !b) return a ? -1 : b ? 1 : 0;
    var x = numeric(a), y = numeric(b);
    if (x !== null && y !== null) return x - y;
    return name(a, labels).localeCompare(name(b, labels), undefined, {numeric: true, sensitivity: "base"});
  }

  function downloadLinks(text, graph) {
    var p = el("p", {"class": "downloads"}, ["Download: "]);
    (downloads[graph ? "graph" : "table"] || []).forEach(function (d, i) {
      if (i) p.appendChild(document.createTextNode(" · "));
      p.appendChild(el("a", {href: "/sparql?query=" + encodeURIComponent(text) + "&format=" + encodeURIComponent(d[1]), download: ""}, [d[0]]));
    });
    return p;
  }

  function show(result, seconds, text, graph) {
    var what = graph ? "statement" : "row";
    if (typeof result.boolean === "boolean") {
      outcome.appendChild(el("p", {"class": "timing"}, ["Ran in " + seconds.toFixed(3) + " s."]));
      outcome.appendChild(el("p", {"class": "answer"}, ["Answer: ", el("strong", {}, [result.boolean ? "yes" : "no"])]));
      outcome.appendChild(downloadLinks(text, false));
      return;
    }
    var vars = result.head.vars, rows = result.results.bindings, labels = result.labels || {};
    var total = rows.length;
    outcome.appendChild(el("p", {"class": "timing"}, [total.toLocaleString("en") + " " + what + (total === 1 ? "" : "s") +
      " in " + seconds.toFixed(3) + " s" + (maxRows && total >= maxRows ? " (the server's limit: a query past " +
      maxRows.toLocaleString("en") + " rows is stopped)" : "") + "."]));
    if (!total) { outcome.appendChild(downloadLinks(text, graph)); return; }
    var order = rows.map(function (_, i) { return i; });
    var sortedBy = null, ascending = true, page = 0;
    var pages = Math.ceil(total / pageSize);

    var headRow = el("tr");
    vars.forEach(function (v) {
      var button = el("button", {type: "button", "class": "sort"}, [v]);
      var th = el("th", {scope: "col", "aria-sort": "none"}, [button]);
      headRow.appendChild(th);
      button.addEventListener("click", function () {
        ascending = sortedBy === v ? !ascending : true;
        sortedBy = v;
        order.sort(function (i, j) {
          var c = compare(rows[i][v], rows[j][v], labels);
          return (ascending ? c : -c) || i - j;  // stable: ties keep the server's order
        });
        page = 0;
        headRow.querySelectorAll("th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        draw();
      });
    });
    var body = el("tbody");
    var table = el("table", {"class": "results"}, [el("thead", {}, [headRow]), body]);
    var scroll = el("div", {"class": "scroll", tabindex: "0", role: "region", "aria-label": "Results"}, [table]);
    var status = el("span", {"class": "page-status", role: "status"});
    var prev = el("button", {type: "button"}, ["Previous page"]);
    var next = el("button", {type: "button"}, ["Next page"]);
    var nav = el("nav", {"class": "pager", "aria-label": "Result pages"}, [prev, " ", status, " ", next]);
    prev.addEventListener("click", function () { if (page > 0) { page--; draw(); } });
    next.addEventListener("click", function () { if (page < pages - 1) { page++; draw(); } });

    function draw() {
      while (body.firstChild) body.removeChild(body.firstChild);
      var start = page * pageSize, end = Math.min(total, start + pageSize);
      for (var k = start; k < end; k++) {
        var row = rows[order[k]], tr = el("tr");
        vars.forEach(function (v) { tr.appendChild(cell(row[v], labels)); });
        body.appendChild(tr);
      }
      status.textContent = what.charAt(0).toUpperCase() + what.slice(1) + "s " + (start + 1).toLocaleString("en") + "–" +
        end.toLocaleString("en") + " of " + total.toLocaleString("en") + " (page " + (page + 1) + " of " + pages + ")" +
        (sortedBy ? ", sorted by " + sortedBy + (ascending ? "" : ", descending") : "");
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }
    draw();
    outcome.appendChild(scroll);
    if (pages > 1) outcome.appendChild(nav); else outcome.appendChild(el("p", {"class": "page-status"}, [status]));
    outcome.appendChild(downloadLinks(text, graph));
  }

  // an address with a query (shared, reloaded, or the form sent without JavaScript)
  // is run here again, so its rows are all paged and sortable
  if (new URLSearchParams(window.location.search).get("query") && textarea.value.trim()) run(false);
})();
