/* Klankbord outbox (service worker, scope /s/): when a finished survey cannot be sent because the
   network is gone, keep it on the phone (Cache Storage, nothing else is cached) and send it when
   the connection is back: on Background Sync where the phone has it, else when the page says it is
   online again. The submission key makes a repeated send harmless. */
"use strict";
var OUTBOX = "klankbord-outbox-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function tell(message) {
  return self.clients.matchAll({ type: "window" }).then(function (all) {
    all.forEach(function (client) { client.postMessage(message); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "POST" || !/\/submit$/.test(new URL(request.url).pathname)) { return; }
  var copy = request.clone();
  event.respondWith(fetch(request).catch(function () {
    return copy.text().then(function (body) {
      return caches.open(OUTBOX).then(function (cache) {
        var key = new URL("outbox/" + Date.now() + "-" + Math.random().toString(36).slice(2),
                          self.registration.scope).href;
        return cache.put(key, new Response(body, { headers: { "X-Action": request.url } }));
      });
    }).then(function () {
      if (self.registration.sync) { self.registration.sync.register(OUTBOX).catch(function () {}); }
      return new Response("", { status: 202, headers: { "X-Klankbord-Outbox": "saved" } });
    });
  }));
});

function flush() {
  return caches.open(OUTBOX).then(function (cache) {
    return cache.keys().then(function (keys) {
      return keys.reduce(function (chain, key) {
        return chain.then(function () { return cache.match(key); }).then(function (stored) {
          if (!stored) { return null; }
          var action = stored.headers.get("X-Action");
          return stored.text().then(function (body) {
            return fetch(action, {
              method: "POST", body: body, credentials: "same-origin", redirect: "follow",
              headers: { "Content-Type": "application/x-www-form-urlencoded" }
            });
          }).then(function (response) {
            // Stored, or refused for good (closed, conflict, bad): either way it leaves the phone.
            if (response.ok || response.status === 400 || response.status === 409 || response.status === 410) {
              return cache.delete(key).then(function () {
                if (response.ok) { return tell({ sent: response.url }); }
              });
            }
          });
        });
      }, Promise.resolve());
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === OUTBOX) { event.waitUntil(flush()); }
});
self.addEventListener("message", function (event) {
  if (event.data === "flush") { event.waitUntil(flush()); }
});
