/* Respondent pages: optional comfort only. Without this script every page works.
   - Read aloud with the phone's own voice, when it has one for the page's language.
   - Keep a finished survey on the phone when the network is gone and send it when the connection is
     back: the service worker (sw.js) keeps it where the phone has one, localStorage otherwise (no
     cookie either way); the submission key makes a repeated send harmless. */
(function () {
  "use strict";
  var doc = document, lang = doc.documentElement.lang, body = doc.body;

  function voiceFor(voices) {
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().split(/[-_]/)[0] === lang) { return voices[i]; }
    }
    return null;
  }

  function addReadAloud() {
    if (!("speechSynthesis" in window) || doc.querySelector(".say")) { return; }
    var voice = voiceFor(window.speechSynthesis.getVoices());
    if (!voice) { return; }
    var targets = doc.querySelectorAll("[data-say]");
    Array.prototype.forEach.call(targets, function (el) {
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "btn say";
      button.textContent = body.getAttribute("data-say");
      button.addEventListener("click", function () {
        var parts = [el.textContent];
        var box = el.closest("fieldset");
        if (box) {
          Array.prototype.forEach.call(box.querySelectorAll(".opt span"), function (s) { parts.push(s.textContent); });
        }
        var u = new SpeechSynthesisUtterance(parts.join(". "));
        u.lang = voice.lang; u.voice = voice;
        window.speechSynthesis.cancel();
        window.speechSynthesis.speak(u);
      });
      var block = el.closest("legend") || el.closest("h1") || el;
      block.parentNode.insertBefore(button, block.nextSibling);
    });
  }

  if ("speechSynthesis" in window) {
    addReadAloud();
    window.speechSynthesis.addEventListener && window.speechSynthesis.addEventListener("voiceschanged", addReadAloud);
  }

  // Offline: keep a finished survey and send it when the connection is back.
  var KEY = "klankbord-outbox";
  function outbox() { try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; } }
  function save(list) { try { localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* full or blocked */ } }

  var workers = "serviceWorker" in navigator ? navigator.serviceWorker : null;
  if (workers && body.getAttribute("data-sw")) {
    workers.register(body.getAttribute("data-sw")).catch(function () { /* no worker: localStorage */ });
    workers.addEventListener("message", function (event) {
      if (event.data && event.data.sent) { window.location.href = event.data.sent; }
    });
  }

  function showSaved() {
    var msg = doc.querySelector("[data-offline-msg]");
    if (msg) { msg.textContent = body.getAttribute("data-offline"); msg.hidden = false; }
  }

  function flush() {
    if (workers && workers.controller) { workers.controller.postMessage("flush"); }
    var list = outbox();
    if (!list.length || !navigator.onLine) { return; }
    var item = list[0];
    fetch(item.action, { method: "POST", body: new URLSearchParams(item.data), credentials: "same-origin", redirect: "follow" })
      .then(function (r) {
        if (r.ok || r.status === 409 || r.status === 410 || r.status === 400) {
          save(outbox().slice(1));
          if (r.ok && r.redirected) { window.location.href = r.url; return; }
          flush();
        }
      })
      .catch(function () { /* still offline; try again later */ });
  }

  var form = doc.querySelector("form[data-survey]");
  var submit = doc.querySelector("[data-submit]");
  var native = false;
  if (form && submit && window.fetch && window.URLSearchParams && window.FormData) {
    form.addEventListener("submit", function (event) {
      if (native || event.submitter !== submit) { return; }
      event.preventDefault();
      var action = submit.getAttribute("formaction");
      var data = [], entries = new FormData(form).entries(), item;
      while (!(item = entries.next()).done) { data.push(item.value); }
      submit.disabled = true;
      fetch(action, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 202 && r.headers.get("X-Klankbord-Outbox")) { showSaved(); return; }
          if (r.ok && r.redirected) { window.location.href = r.url; return; }
          // Anything else (a message next to a question, a closed survey): let the browser show it.
          // Sending the same key again is safe: the server stores a submission once.
          native = true; form.action = action; HTMLFormElement.prototype.submit.call(form);
        })
        .catch(function () {
          var list = outbox(); list.push({ action: action, data: data }); save(list);
          showSaved();
          submit.disabled = false;
        });
    });
  }
  window.addEventListener("online", flush);
  flush();
}());
