/* Keep a live meeting page in step with the room: ask the server every few seconds whether anything
   changed; reload when nothing is being typed, otherwise show a notice with a refresh link.
   Without script the page still has a refresh link. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-live-url");
  var version = root.getAttribute("data-live-version");
  var every = (parseInt(root.getAttribute("data-live-every"), 10) || 4) * 1000;
  var notice = document.getElementById("live-notice");
  var failures = 0;

  function busy() {
    var fields = document.querySelectorAll("textarea, input[type=text], input:not([type])");
    for (var i = 0; i < fields.length; i++) { if (fields[i].value) { return true; } }
    var el = document.activeElement;
    return !!(el && /^(TEXTAREA|INPUT|SELECT)$/.test(el.tagName));
  }

  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        failures = 0;
        if (state && state.version !== version) {
          if (!busy()) { window.location.reload(); return; }
          if (notice) { notice.hidden = false; }
        }
        schedule();
      })
      .catch(function () { failures += 1; schedule(); });
  }

  function schedule() {
    // Back off on a bad connection, up to 30 s, so weak phones do not drain data.
    setTimeout(tick, Math.min(every * Math.pow(2, failures), 30000));
  }

  schedule();
})();
