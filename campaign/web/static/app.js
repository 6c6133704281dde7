/* campaign dashboard: live counters and charts by polling JSON, no framework.
 *
 * Elements marked data-live="key" take the text of live[key] from the JSON the server
 * rendered them from; text only (textContent), never HTML from data. */
(function () {
  "use strict";

  var CHART_REFRESH_MS = 10000;

  /* Times: the server writes them in the reader's time zone, which it learns from a cookie
   * holding this browser's zone; a page written for another zone (the first visit) is shown
   * again once, in this one. */
  var ZONE = (function () {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; }
    catch (e) { return "UTC"; }
  }());
  var ZONE_COOKIE = "campaign_tz=" + ZONE;
  /* The zone's canonical name (`Etc/UTC` is `UTC`), to tell two names of one zone apart. */
  function canonical(zone) {
    try { return Intl.DateTimeFormat("en", { timeZone: zone }).resolvedOptions().timeZone; }
    catch (e) { return zone; }
  }
  (function () {
    var had = document.cookie.split("; ").indexOf(ZONE_COOKIE) >= 0;
    document.cookie = ZONE_COOKIE + "; path=/; max-age=31536000; samesite=lax";
    var rendered = document.documentElement.getAttribute("data-zone");
    var kept = document.cookie.split("; ").indexOf(ZONE_COOKIE) >= 0;
    if (rendered && canonical(rendered) !== ZONE && !had && kept) { window.location.reload(); }
  }());
  /* The page's own words for the states it may be told (translated by the server). */
  var WORDS = (function () {
    try { return JSON.parse(document.documentElement.getAttribute("data-words") || "{}"); }
    catch (e) { return {}; }
  }());

  function setText(el, value) {
    if (typeof value !== "string") { return; }
    if (el.textContent !== value) {
      el.textContent = value;
    }
  }

  function applyLive(scope, data) {
    var live = data.live || {};
    scope.querySelectorAll("[data-live]").forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(live, el.dataset.live)) {
        setText(el, live[el.dataset.live]);
      }
    });
    scope.querySelectorAll("[data-live-state]").forEach(function (el) {
      setText(el, WORDS[data.state] || data.state);
      el.className = "badge state-" + data.state;
    });
    if (data.progress) {
      scope.querySelectorAll("[data-live-progress]").forEach(function (el) {
        el.max = data.progress.total;
        el.value = data.progress.done;
        el.textContent = live.percent || "";
      });
      /* The progress sentence in the page's own language: its words come with the page. */
      scope.querySelectorAll("[data-progress-words]").forEach(function (el) {
        setText(el, el.getAttribute("data-progress-words")
          .replace("{done}", data.progress.done.toLocaleString("en"))
          .replace("{total}", data.progress.total.toLocaleString("en"))
          .replace("{percent}", live.percent || ""));
      });
    }
    var flags = data.flags || {};
    scope.querySelectorAll("[data-show-if]").forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(flags, el.dataset.showIf)) {
        el.hidden = !flags[el.dataset.showIf];
      }
    });
  }

  function rebuildNextUp(scope, items) {
    var list = scope.querySelector("[data-live-list=next_up]");
    if (!list || !items) { return; }
    var fresh = document.createDocumentFragment();
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.dir = "auto";
      link.textContent = item.name;
      li.appendChild(link);
      [["muted", item.phone], ["why", item.why], ["due", item.due]]
        .forEach(function (part) {
        var span = document.createElement("span");
        span.className = part[0];
        span.textContent = part[1];
        li.appendChild(document.createTextNode(" "));
        li.appendChild(span);
      });
      fresh.appendChild(li);
    });
    list.replaceChildren(fresh);
  }

  function loadCharts(box, version) {
    box.dataset.chartsVersion = version;
    box.dataset.chartsLoadedAt = String(Date.now());
    var url = box.dataset.chartsSrc + "&v=" + encodeURIComponent(version) +
      "&tz=" + encodeURIComponent(ZONE);
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      return response.text().then(function (html) {
        if (response.status === 200) {
          // Our own server's fragment: Jinja-escaped text and our chart SVG.
          box.innerHTML = html;
        } else if (response.status === 202) {
          if (!box.querySelector("svg")) { box.innerHTML = html; }
          setTimeout(function () { loadCharts(box, version); }, 2000);
        }
      });
    }).catch(function () {
      box.dataset.chartsVersion = "";
    });
  }

  function maybeRefreshCharts(root, version, state) {
    var box = root.querySelector("[data-charts-src]");
    if (!box || !version || box.dataset.chartsVersion === version) { return; }
    var loadedAt = Number(box.dataset.chartsLoadedAt || 0);
    var settled = state !== "running";  // the last drawing of a stopped campaign: now
    if (!settled && box.dataset.chartsVersion && Date.now() - loadedAt < CHART_REFRESH_MS) {
      return;
    }
    loadCharts(box, version);
  }

  function status(root, text) {
    document.querySelectorAll("[data-live-status]").forEach(function (el) { setText(el, text); });
  }

  function update(root, data) {
    if (root.dataset.liveKind === "list") {
      var known = {};
      (data.campaigns || []).forEach(function (row) {
        known[row.id] = true;
        var tr = root.querySelector('[data-campaign="' + row.id + '"]');
        if (tr) { applyLive(tr, row); }
      });
      var shown = root.querySelectorAll("[data-campaign]").length;
      var notice = document.querySelector("[data-live-new]");
      if (notice) { notice.hidden = Object.keys(known).length <= shown; }
      return;
    }
    applyLive(root, data);
    rebuildNextUp(root, data.next_up);
    maybeRefreshCharts(root, data.charts_version, data.state);
  }

  function poll(root) {
    var every = Number(root.dataset.liveInterval) || 1000;
    function tick() {
      fetch(root.dataset.liveSrc, {
        credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        update(root, data);
        status(root, "");
      }).catch(function () {
        status(root, document.documentElement.getAttribute("data-paused-words") || "");
      }).then(function () {
        setTimeout(tick, document.hidden ? every * 5 : every);
      });
    }
    setTimeout(tick, every);
  }

  function start() {
    document.querySelectorAll("[data-live-src]").forEach(poll);
    document.querySelectorAll("[data-charts-src]").forEach(function (box) {
      loadCharts(box, box.dataset.chartsInitial);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
