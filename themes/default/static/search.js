// The search page: queries the Pagefind index that `digest build` writes into pagefind/ when
// Pagefind is installed. The index comes in segments (pagefind/segments.json lists them and the
// stale copies of changed articles to leave out); they are merged with Pagefind's mergeIndex.
// Everything is loaded from this site; without the index the page says so.
(function () {
  "use strict";
  var script = document.currentScript;
  var bundle = new URL(script.getAttribute("data-bundle"), location.href);
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var engine = null;
  var hidden = {};
  var latest = 0;
  var timer = null;
  var PAGE = 10;  // results shown at first, and added by "Show more results"
  // Searched once as the page opens (see the end), its results never shown: the word of the one hidden page of
  // the runtime's own index (digest/search.py, PLACEHOLDER), so that reading a result is warmed up too.
  var WARM_UP = "digestsearchplaceholder";
  var want = PAGE;
  var more = null;

  function say(text) { status.textContent = text; }

  function load() {
    if (!engine) {
      var root = new URL("../", bundle).pathname;  // result URLs start at the site's root, wherever it is served
      var listed = fetch(new URL("segments.json", bundle).href, { cache: "no-cache" }).then(function (response) {
        if (!response.ok) { throw new Error("no segments.json"); }
        return response.json();
      });
      // Pagefind's script is asked for with the listing, not after it: one round trip less before the
      // index can load (the page's head preloads the script too: templates/search.html)
      var imported = import(new URL("pagefind.js", bundle).href);
      engine = Promise.all([listed, imported]).then(function (both) {
        var listing = both[0];
        var pagefind = both[1];
        hidden = listing.hidden || {};
        return pagefind.options({ baseUrl: root }).then(function () {
          return pagefind.init();
        }).then(function () {
          return Promise.all((listing.segments || []).map(function (segment) {
            return pagefind.mergeIndex(new URL(segment, bundle).pathname, { baseUrl: root });
          }));
        }).then(function () { return pagefind; });
      });
      imported.catch(function () {});  // reported through `engine` (a site built without Pagefind)
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

  function line(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    return p;
  }

  function show(query, results, total) {
    list.replaceChildren();
    results.forEach(function (data) {
      var meta = data.meta || {};
      var item = document.createElement("li");
      item.className = "search-result";
      var heading = document.createElement("h2");
      heading.className = "story-title";
      heading.dir = "auto";  // a headline in Arabic or Hebrew reads right to left, as on the site's pages
      var link = document.createElement("a");
      link.href = data.url;
      link.textContent = meta.title || data.url;
      heading.appendChild(link);
      item.appendChild(heading);
      var about = [meta.date, meta.source].filter(Boolean).join(" \u00b7 ");
      if (about) { item.appendChild(line("meta", about)); }
      if (meta.coverage) { item.appendChild(line("meta search-coverage", "Also covered by " + meta.coverage)); }
      var text = document.createElement("p");
      text.className = "summary";
      text.dir = "auto";
      text.appendChild(excerpt(data.excerpt || ""));
      item.appendChild(text);
      list.appendChild(item);
    });
    var n = total;
    say(n ? n + (n === 1 ? " article matches " : " articles match ") + "\u201c" + query + "\u201d." +
            (n > results.length ? " The first " + results.length + " are shown." : "")
          : "No articles match \u201c" + query + "\u201d.");
    if (more) { more.remove(); more = null; }
    if (n > results.length) {
      more = document.createElement("button");
      more.type = "button";
      more.className = "search-more";
      more.textContent = "Show more results";
      more.addEventListener("click", function () { want += PAGE; render(query, latest); });
      list.after(more);
    }
  }

  // The first `wanted` results that are not stale copies of a changed article (nor one shown twice),
  // and how many results there are without the stale copies.
  function visible(results, wanted) {
    var root = new URL("../", bundle).pathname;
    var shown = [];
    var seen = {};
    var index = 0;
    var stale = 0;
    // Results load in batches, all of a batch at once: one round trip per batch, not per result.
    function next() {
      if (shown.length >= wanted || index >= results.length) { return Promise.resolve(); }
      var batch = results.slice(index, index + wanted - shown.length);
      index += batch.length;
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (loaded) {
        loaded.forEach(function (data, i) {
          var path = new URL(data.url, location.href).pathname;
          var url = "/" + (path.indexOf(root) === 0 ? path.slice(root.length) : path.replace(/^\//, ""));
          if ((hidden[batch[i].id] || []).indexOf(url) !== -1 || seen[url]) {
            stale++;
          } else {
            seen[url] = true;
            shown.push(data);
          }
        });
        return next();
      });
    }
    return next().then(function () {
      // Results not looked at that may be stale copies are not counted.
      for (var i = index; i < results.length; i++) { if (hidden[results[i].id]) { stale++; } }
      return { shown: shown, total: results.length - stale };
    });
  }

  var found = null;  // the last query's results, in Pagefind's order

  function render(query, ticket) {
    return visible(found, want).then(function (page) {
      if (ticket === latest) { show(query, page.shown, page.total); }
    });
  }

  var searched = null;  // the query of the search last started (its results are coming, or shown)

  function run(query) {
    query = query.trim();
    // Enter on a query already being searched (pasted, or typed and paused on) does not start over:
    // the search under way shows its results
    if (query && query === searched) { return; }
    searched = query;
    var ticket = ++latest;
    want = PAGE;
    if (!query) {
      list.replaceChildren();
      if (more) { more.remove(); more = null; }
      say("Type a word or two to search every article.");
      return;
    }
    say("Searching\u2026");
    load().then(function (pagefind) {
      return pagefind.search(query);
    }).then(function (search) {
      if (ticket !== latest) { return null; }
      found = search.results;
      return render(query, ticket);
    }).catch(function () {
      if (ticket === latest) { searched = null; }
      list.replaceChildren();
      say("Search is not available on this copy of the site: it was built without Pagefind.");
    });
  }

  function remember(query) {
    var url = new URL(location.href);
    url.searchParams.set("q", query);
    history.replaceState(null, "", url);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    remember(input.value);
    run(input.value);
  });

  // Search as one types, once the typing pauses. Meanwhile each keystroke has Pagefind fetch the
  // index chunks of the words so far (preload), so that the search, when it comes, finds them here.
  // A pasted (or dropped) text is a whole query: it is searched at once, without waiting for a pause
  // or for Enter, which then finds that search under way.
  var loaded = null;
  input.addEventListener("input", function (event) {
    clearTimeout(timer);
    if (event.inputType === "insertFromPaste" || event.inputType === "insertFromDrop") {
      remember(input.value);
      run(input.value);
      return;
    }
    timer = setTimeout(function () { remember(input.value); run(input.value); }, 200);
    var words = input.value.trim();
    if (loaded && words) { loaded.preload(words).catch(function () {}); }
  });

  input.value = new URLSearchParams(location.search).get("q") || "";
  var opened = input.value.trim();
  run(input.value);
  // Load Pagefind and every segment's index while the reader is still typing (a failure is
  // reported by the search that needs it); then, unless the page opened with a query, search once
  // for a word no article holds and read its one result, the hidden page: Pagefind's first search
  // in a page, and the first result read, are slow (code compiled and warmed on first use), and
  // these are not the reader's. Measured on the 10,000-entry bench site: the search alone took a
  // pasted first query from 618-761 to 477-599 ms; reading its result too, 342-401 -> 267-362 ms, five runs each way.
  load().then(function (pagefind) {
    loaded = pagefind;
    var words = input.value.trim();
    if (words && !opened) { pagefind.preload(words).catch(function () {}); }  // typed while the index loaded
    return opened ? null : pagefind.search(WARM_UP).then(function (search) {
      return search.results.length ? search.results[0].data().then(function (data) { excerpt(data.excerpt || ""); })
                                   : null;
    }).catch(function () {});
  }).then(function () {
    form.setAttribute("data-ready", "");
  }).catch(function () { engine = null; });
})();
