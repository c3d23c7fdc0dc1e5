// Saves answers as the learner goes, and shows the countdown of a timed attempt.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = document.getElementById("save-status");
  var timer = null;
  // Texts come translated from the page (data-msg-*), with %(name)s placeholders.
  function msg(name, values) {
    var text = form.dataset[name] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(values[k]); });
    return text;
  }

  function save() {
    var body = new FormData(form);
    fetch(form.dataset.saveUrl, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        status.textContent = res.ok
          ? msg("msgSaved", { time: new Date().toLocaleTimeString() })
          : res.body.message;
      })
      .catch(function () { status.textContent = msg("msgOffline"); });
  }

  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 300);
  });
  form.addEventListener("input", function (e) {
    if (e.target.type === "text") { clearTimeout(timer); timer = setTimeout(save, 800); }
  });

  var countdown = document.getElementById("countdown");
  if (countdown) {
    var deadline = Date.parse(countdown.dataset.deadline);
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      countdown.textContent = msg("msgCountdown", { minutes: Math.floor(left / 60), seconds: left % 60 });
      if (left === 0) { form.submit(); return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
