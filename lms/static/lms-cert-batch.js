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
  // Texts come translated from the page (data-msg-*), with %(name)s placeholders.
  function msg(name, values) {
    var text = box.dataset[name] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(values[k]); });
    return text;
  }
  bar.style.width = (total ? Math.round((100 * Number(box.dataset.done)) / total) : 0) + "%";

  function show(state) {
    var pct = state.total ? Math.round((100 * state.done) / state.total) : 0;
    bar.style.width = pct + "%";
    progress.setAttribute("aria-valuenow", state.done);
    if (state.status === "done") {
      text.textContent = msg("msgDone", { total: state.total });
      link.href = state.download_url;
      link.classList.remove("hidden");
    } else if (state.status === "failed") {
      text.textContent = msg("msgFailed", { error: state.error || msg("msgUnknown") });
    } else if (state.status === "expired") {
      text.textContent = msg("msgExpired");
    } else {
      text.textContent = msg("msgRunning", { done: state.done, total: state.total });
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
