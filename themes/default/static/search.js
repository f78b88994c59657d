// The search page: queries the Pagefind index that `digest build` writes into pagefind/ when
// Pagefind is installed. Everything is loaded from this site; without the index the page says so.
(function () {
  "use strict";
  var script = document.currentScript;
  var bundle = new URL(script.getAttribute("data-bundle"), location.href);
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var engine = null;
  var latest = 0;

  function say(text) { status.textContent = text; }

  function load() {
    if (!engine) {
      engine = import(new URL("pagefind.js", bundle).href).then(function (pagefind) {
        // Result URLs are made from the site's root path, wherever the site is served from.
        return pagefind.options({ baseUrl: new URL("../", bundle).pathname }).then(function () {
          pagefind.init();
          return pagefind;
        });
      });
    }
    return engine;
  }

  // Pagefind's excerpts mark the matched words; keep only the text and those marks.
  function excerpt(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var out = document.createDocumentFragment();
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function show(query, results) {
    list.replaceChildren();
    results.forEach(function (data) {
      var item = document.createElement("li");
      item.className = "search-result";
      var heading = document.createElement("h2");
      heading.className = "story-title";
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = (data.meta && data.meta.title) || data.url;
      heading.appendChild(link);
      item.appendChild(heading);
      if (data.meta && data.meta.source) {
        var meta = document.createElement("p");
        meta.className = "meta";
        meta.textContent = data.meta.source;
        item.appendChild(meta);
      }
      var text = document.createElement("p");
      text.className = "summary";
      text.appendChild(excerpt(data.excerpt || ""));
      item.appendChild(text);
      list.appendChild(item);
    });
    var n = results.length;
    say(n ? n + (n === 1 ? " article matches " : " articles match ") + "\u201c" + query + "\u201d."
          : "No articles match \u201c" + query + "\u201d.");
  }

  function run(query) {
    var ticket = ++latest;
    query = query.trim();
    if (!query) { list.replaceChildren(); say("Type a word or two to search every article."); return; }
    say("Searching\u2026");
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (search) {
      return Promise.all(search.results.slice(0, 25).map(function (r) { return r.data(); }));
    }).then(function (results) {
      if (ticket === latest) { show(query, results); }
    }).catch(function () {
      list.replaceChildren();
      say("Search is not available on this copy of the site: it was built without Pagefind.");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(location.href);
    url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
    run(input.value);
  });

  input.value = new URLSearchParams(location.search).get("q") || "";
  run(input.value);
})();
