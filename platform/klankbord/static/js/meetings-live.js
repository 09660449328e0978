/* Keep a live meeting page in step with the room without reloading it.

   Every few seconds the script asks the state endpoint whether anything changed, sending the
   last ETag: the server answers 304 from one counter on the meeting row, so an unchanged room
   costs almost nothing. When the counter moved, it fetches the page's live region alone
   (data-live-part) and swaps in the parts that changed ([data-part]); what someone is typing and
   where the keyboard focus is stay as they were. On a phone, the forms marked data-live-post are
   sent in the background too and answered with the fresh region, so sending an idea, a +1 or a
   poll answer reloads nothing.

   Without script, pages keep their refresh link (and the projector a meta refresh); if the
   region cannot be fetched, the script falls back to the old notice with a refresh link. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root || !window.fetch || !document.createElement("template").content) { return; }
  var stateUrl = root.getAttribute("data-live-url");
  var partUrl = root.getAttribute("data-live-part");
  var every = (parseInt(root.getAttribute("data-live-every"), 10) || 4) * 1000;
  var etag = null;
  var failures = 0;
  var timer = null;
  var sending = false;
  /* The HTML of each part as the server last sent it: a part is swapped only when that changes,
     so a checked radio button or an open form is not reset by an unrelated change. */
  var lastParts = {};

  /* A part's HTML without its form tokens, which differ on every answer. */
  function bare(html) { return html.replace(/name="csrf_token" value="[^"]*"/g, ""); }

  function parts(container) {
    var found = {};
    var nodes = container.querySelectorAll("[data-part]");
    for (var i = 0; i < nodes.length; i++) { found[nodes[i].getAttribute("data-part")] = nodes[i]; }
    return found;
  }

  (function remember() {
    var current = parts(root);
    for (var name in current) { lastParts[name] = bare(current[name].innerHTML); }
  })();

  function notice() {
    var note = document.getElementById("live-notice");
    if (note) { note.hidden = false; }
  }

  function typing() {
    var fields = root.querySelectorAll("textarea, input[type=text], input:not([type])");
    for (var i = 0; i < fields.length; i++) { if (fields[i].value) { return true; } }
    return false;
  }

  function typed() {
    var values = {};
    var fields = root.querySelectorAll("textarea[id], input[id]");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "hidden") { continue; }
      values[field.id] = (field.type === "radio" || field.type === "checkbox") ? field.checked : field.value;
    }
    return values;
  }

  function restore(values, focusId) {
    for (var id in values) {
      var field = document.getElementById(id);
      if (!field) { continue; }
      if (field.type === "radio" || field.type === "checkbox") { field.checked = values[id]; }
      else { field.value = values[id]; }
    }
    var focus = focusId && document.getElementById(focusId);
    if (focus) { focus.focus(); }
  }

  function focusKey() {
    var el = document.activeElement;
    if (!el || !root.contains(el)) { return null; }
    if (el.id) { return { id: el.id }; }
    var form = el.form;
    if (form && el.tagName === "BUTTON") {
      return { action: form.getAttribute("action"), name: el.name, value: el.value };
    }
    return null;
  }

  function refocus(key) {
    if (!key || root.contains(document.activeElement)) { return; }
    if (key.id) { var byId = document.getElementById(key.id); if (byId) { byId.focus(); } return; }
    var forms = root.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].getAttribute("action") !== key.action) { continue; }
      var buttons = forms[i].querySelectorAll("button");
      for (var j = 0; j < buttons.length; j++) {
        if (buttons[j].name === key.name && buttons[j].value === key.value) { buttons[j].focus(); return; }
      }
    }
  }

  /* Swap in a region sent by the server; false when the answer was not a region. */
  function apply(html, fromPost) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = template.content.querySelector("[data-live-url]");
    if (!fresh) { return false; }
    var key = focusKey();
    var freshParts = parts(fresh);
    if (fresh.hasAttribute("data-messages-only")) {
      /* Only the message is new; if the room moved meanwhile, fetch the rest now. */
      var box = parts(root).messages;
      if (box && freshParts.messages) { box.parentNode.replaceChild(freshParts.messages, box); }
      if (fresh.getAttribute("data-live-version") !== root.getAttribute("data-live-version")) {
        setTimeout(function () { refresh().catch(notice); }, 0);
      }
      refocus(key);
      return true;
    }
    var names = Object.keys(freshParts);
    if (!names.length || fresh.getAttribute("data-layout") !== root.getAttribute("data-layout")) {
      var values = typed();
      var focusId = key && key.id;
      while (root.firstChild) { root.removeChild(root.firstChild); }
      while (fresh.firstChild) { root.appendChild(fresh.firstChild); }
      lastParts = {};
      var now = parts(root);
      for (var n in now) { lastParts[n] = bare(now[n].innerHTML); }
      restore(values, focusId);
    } else {
      var old = parts(root);
      names.forEach(function (name) {
        var html = bare(freshParts[name].innerHTML);
        /* Messages only come with a post; a quiet update keeps the last one readable. */
        if (name === "messages" && !fromPost) { return; }
        if (html === lastParts[name] && !(name === "messages" && fromPost)) { return; }
        if (old[name]) { old[name].parentNode.replaceChild(freshParts[name], old[name]); }
        lastParts[name] = html;
      });
    }
    root.setAttribute("data-live-version", fresh.getAttribute("data-live-version"));
    root.setAttribute("data-layout", fresh.getAttribute("data-layout") || "");
    refocus(key);
    return true;
  }

  function refresh() {
    if (!partUrl) { notice(); return Promise.resolve(); }
    return fetch(partUrl, { credentials: "same-origin", cache: "no-store", headers: { "X-Live-Part": "1" } })
      .then(function (r) { return r.status < 500 ? r.text() : Promise.reject(new Error(String(r.status))); })
      .then(function (html) {
        if (sending || apply(html, false)) { return; }
        /* Not a live region: the page itself changed (the meeting ended). Load it, unless
           someone is typing; then offer the refresh link. */
        if (typing()) { notice(); } else { window.location.reload(); }
      });
  }

  function tick() {
    timer = null;
    var headers = { Accept: "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(stateUrl, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (r) {
        if (r.status === 304) { return null; }
        if (!r.ok) { return Promise.reject(new Error(String(r.status))); }
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (state) {
        if (state && String(state.version) !== root.getAttribute("data-live-version")) { return refresh(); }
      })
      .then(function () { failures = 0; schedule(); })
      .catch(function () { failures += 1; schedule(); });
  }

  function schedule() {
    // Back off on a bad connection, up to 30 s, so weak phones do not drain data.
    if (timer === null) { timer = setTimeout(tick, Math.min(every * Math.pow(2, failures), 30000)); }
  }

  function send(event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-live-post") || !window.FormData) { return; }
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    var button = form.querySelector("[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.getAttribute("action"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Live-Part": "1" }
    })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        sending = false;
        if (button) { button.disabled = false; }
        var clear = form.hasAttribute("data-live-clear") && document.body.contains(form);
        if (!apply(html, true)) { form.submit(); return; }  // not a region: let the page show it
        var messages = root.querySelector("[data-part=messages]");
        if (clear && messages && !messages.querySelector(".msg-error")) {
          var text = form.querySelector("textarea");
          if (text) { text.value = ""; }
        }
        if (messages && messages.querySelector(".msg") && !root.contains(document.activeElement)) {
          messages.focus();
        }
      })
      .catch(function () {
        // Not sent, or no answer: keep what was typed and offer the refresh link.
        sending = false;
        if (button) { button.disabled = false; }
        notice();
      });
  }

  if (partUrl) { root.addEventListener("submit", send); }
  schedule();
})();
