// Polls a certificate batch's progress and shows the download link when it is ready.
(function () {
  "use strict";
  var box = document.getElementById("batch");
  if (!box) return;
  var bar = document.getElementById("batch-bar");
  var text = document.getElementById("batch-text");
  var link = document.getElementById("batch-download");
  var progress = box.querySelector(".progress");
  var total = Number(box.dataset.total) || 0;
  bar.style.width = (total ? Math.round((100 * Number(box.dataset.done)) / total) : 0) + "%";

  function show(state) {
    var pct = state.total ? Math.round((100 * state.done) / state.total) : 0;
    bar.style.width = pct + "%";
    progress.setAttribute("aria-valuenow", state.done);
    if (state.status === "done") {
      text.textContent = "已完成:" + state.total + " 份。";
      link.href = state.download_url;
      link.classList.remove("hidden");
    } else if (state.status === "failed") {
      text.textContent = "失败:" + (state.error || "未知错误");
    } else if (state.status === "expired") {
      text.textContent = "结果已清理(保留 7 天),请重新发起。";
    } else {
      text.textContent = "正在准备:" + state.done + " / " + state.total + " 份……";
    }
    return state.status === "queued" || state.status === "running";
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (state) { if (show(state)) setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }

  poll();
})();
