/* Staff page "Recordings": record a question in the browser. Optional comfort only: without this
   script (or without a microphone) the form takes a sound file. The recording is put into the
   form's file field and sent by its own Save button, so both ways end in the same upload. */
(function () {
  "use strict";
  var nav = navigator;
  if (!window.MediaRecorder || !nav.mediaDevices || !nav.mediaDevices.getUserMedia || !window.DataTransfer) { return; }

  function extension(type) {
    if (type.indexOf("mp4") >= 0) { return "m4a"; }
    if (type.indexOf("ogg") >= 0) { return "ogg"; }
    return "webm";
  }

  function setUp(form) {
    var input = form.querySelector("input[type=file]");
    var buttons = form.querySelector(".clip-buttons");
    if (!input || !buttons) { return; }
    var limit = parseInt(form.getAttribute("data-max-seconds"), 10) || 60;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary";
    button.textContent = form.getAttribute("data-record");
    var status = document.createElement("p");
    status.className = "muted";
    status.setAttribute("aria-live", "polite");
    buttons.insertBefore(button, buttons.firstChild);
    buttons.parentNode.insertBefore(status, buttons.nextSibling);
    var recorder = null, timer = null;

    button.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") { recorder.stop(); return; }
      nav.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [], started = Date.now();
        recorder = new MediaRecorder(stream);
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) { chunks.push(event.data); }
        });
        recorder.addEventListener("stop", function () {
          clearTimeout(timer);
          stream.getTracks().forEach(function (track) { track.stop(); });
          var type = recorder.mimeType || "audio/webm";
          var file = new File(chunks, "opname." + extension(type), { type: type });
          var files = new DataTransfer();
          files.items.add(file);
          input.files = files.files;
          button.textContent = form.getAttribute("data-record");
          status.textContent = form.getAttribute("data-recorded") + " (" + Math.max(1, Math.round((Date.now() - started) / 1000)) + " s)";
        });
        recorder.start();
        button.textContent = form.getAttribute("data-stop");
        status.textContent = form.getAttribute("data-recording");
        timer = setTimeout(function () { if (recorder.state === "recording") { recorder.stop(); } }, limit * 1000);
      }).catch(function () {
        status.textContent = form.getAttribute("data-denied");
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-clip]"), setUp);
})();
