// Saves answers as the learner goes, and shows the countdown of a timed attempt.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = document.getElementById("save-status");
  var timer = null;

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
        status.textContent = res.ok ? "已保存 " + new Date().toLocaleTimeString() : res.body.message;
      })
      .catch(function () { status.textContent = "网络中断,答案暂未保存,恢复后会再试"; });
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
      countdown.textContent = Math.floor(left / 60) + " 分 " + (left % 60) + " 秒";
      if (left === 0) { form.submit(); return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
