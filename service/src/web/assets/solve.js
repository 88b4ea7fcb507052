// houniao web app, a solve job's page: its live figures from the job's event stream
// (same origin, /app/solves/{job}/events); when the job ends, the page is loaded again
// to show the roster made (or why it failed). No external resources.
"use strict";
(function () {
  var root = document.getElementById("solve-live");
  if (!root || root.dataset.running !== "true" || !window.EventSource) {
    return;
  }
  var put = function (name, text) {
    var cell = root.querySelector('[data-figure="' + name + '"]');
    if (cell) {
      cell.textContent = text;
    }
  };
  var number = function (value, digits) {
    return value === null || value === undefined ? "–" : Number(value).toFixed(digits);
  };
  var source = new EventSource(root.dataset.events);
  source.addEventListener("progress", function (event) {
    var p = JSON.parse(event.data);
    put("status", p.status_label);
    put("elapsed", number(p.elapsed_seconds, 1));
    put("incumbent", number(p.incumbent, 2));
    put("bound", number(p.bound, 2));
    put("gap", p.gap === null ? "–" : (100 * p.gap).toFixed(2) + " %");
    put("neighbourhoods", p.neighbourhoods === null ? "–" : String(p.neighbourhoods));
  });
  source.addEventListener("done", function (event) {
    source.close();
    put("status", JSON.parse(event.data).status_label);
    window.location.reload();
  });
})();
