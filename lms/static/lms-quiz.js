// The quiz page, enhanced: autosave (queued while offline), the countdown with two spoken warnings,
// "已答 n/N", flags, one question per screen with a navigator, a summary before submitting, an
// ordering list (drag or up/down buttons) and matching that marks used items. Without JavaScript
// the same form posts and the server grades; nothing here is needed for that.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = document.getElementById("save-status");
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var storeKey = "lms-quiz-" + form.dataset.attempt;
  var timer = null;
  var retryTimer = null;
  var offlineSince = null;
  var submitting = false;

  // Texts come translated from the page (data-msg-*), with %(name)s placeholders.
  function msg(name, values, source) {
    var text = (source || form).dataset[name] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(values[k]); });
    return text;
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(storeKey + key)) || fallback; } catch (e) { return fallback; }
  }
  function keep(key, value) {
    try {
      if (value === null) localStorage.removeItem(storeKey + key);
      else localStorage.setItem(storeKey + key, JSON.stringify(value));
    } catch (e) { /* private mode: the queue stays in memory */ }
  }

  // --- autosave, with a queue while the server cannot be reached ----------------------------------
  function fields() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) { pairs.push([name, value]); });
    return pairs;
  }
  function post(pairs) {
    var body = new FormData();
    pairs.forEach(function (p) { body.append(p[0], p[1]); });
    return fetch(form.dataset.saveUrl, {
      method: "POST", body: body, headers: { Accept: "application/json" }, credentials: "same-origin",
    }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); });
  }
  function save() {
    clearTimeout(retryTimer);
    var pairs = fields();
    keep("-pending", pairs);  // until the server has it: survives a reload
    post(pairs)
      .then(function (res) {
        offlineSince = null;
        keep("-pending", null);
        status.textContent = res.ok
          ? msg("msgSaved", { time: clock(new Date()) })
          : res.body.message;
      })
      .catch(function () {
        offlineSince = offlineSince || Date.now();
        // Retry every five seconds; after a minute say plainly that nothing is saved yet.
        status.textContent = Date.now() - offlineSince > 60000 ? msg("msgLost") : msg("msgOffline");
        retryTimer = setTimeout(save, 5000);
      });
  }
  // The time of day on the organisation's clock, the one zone every page shows times in.
  function clock(moment) {
    try {
      return moment.toLocaleTimeString("zh-CN", { timeZone: form.dataset.timezone, hour12: false });
    } catch (e) { return moment.toLocaleTimeString(); }
  }
  function saveSoon(delay) { clearTimeout(timer); timer = setTimeout(save, delay); }
  window.addEventListener("online", function () { if (load("-pending", null)) save(); });

  // Answers typed while offline before a reload: put them back in the form and send them.
  var pending = load("-pending", null);
  if (pending) {
    var byName = {};
    pending.forEach(function (p) { (byName[p[0]] = byName[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.name === "csrf_token" || input.type === "hidden") return;
      var values = byName[input.name] || [];
      if (input.type === "radio" || input.type === "checkbox") input.checked = values.indexOf(input.value) >= 0;
      else if (values.length) input.value = values[0];
    });
    save();
  }

  // --- Enter never submits (the server-side guard is the disabled first button) -------------------
  form.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.tagName === "INPUT") e.preventDefault();
  });

  // --- answered count and flags ---------------------------------------------------------------------
  var counter = document.getElementById("answered-count");
  var flags = load("-flags", {});
  function answered(q) {
    if (q.dataset.type === "ordering") {
      return Array.prototype.some.call(q.querySelectorAll("select"), function (s) { return s.value !== ""; });
    }
    if (q.dataset.type === "matching") {
      return Array.prototype.some.call(q.querySelectorAll("select"), function (s) { return s.value !== ""; });
    }
    if (q.querySelector("input[type=text]")) return q.querySelector("input[type=text]").value.trim() !== "";
    return !!q.querySelector("input:checked");
  }
  function refresh() {
    var done = questions.filter(answered).length;
    counter.textContent = msg("msgAnswered", { done: done, total: questions.length });
    if (nav) updateNav();
  }
  questions.forEach(function (q) {
    var n = q.dataset.position;
    var tools = el("div", { class: "question-tools" });
    var flag = el("button", { type: "button", class: "button secondary small flag", "aria-pressed": flags[n] ? "true" : "false" },
      flags[n] ? msg("msgFlagged") : msg("msgFlag"));
    flag.addEventListener("click", function () {
      flags[n] = !flags[n];
      flag.setAttribute("aria-pressed", flags[n] ? "true" : "false");
      flag.textContent = flags[n] ? msg("msgFlagged") : msg("msgFlag");
      keep("-flags", flags);
      refresh();
    });
    tools.appendChild(flag);
    q.appendChild(tools);
  });

  // --- ordering: a list to reorder by dragging or by buttons; the selects follow it -------------------
  function orderingList(q) {
    var labels = Array.prototype.slice.call(q.querySelectorAll("label.rank"));
    var hint = q.querySelector(".hint");
    if (hint) hint.textContent = msg("msgOrderHint");
    labels.sort(function (a, b) {  // a saved order first, else the order shown
      var ra = parseInt(a.querySelector("select").value, 10) || 0;
      var rb = parseInt(b.querySelector("select").value, 10) || 0;
      return ra && rb ? ra - rb : 0;
    });
    var list = el("ol", { class: "order-list" });
    var live = el("p", { class: "visually-hidden", "aria-live": "polite" });
    labels.forEach(function (label) {
      label.hidden = true;
      var text = Array.prototype.filter.call(label.childNodes, function (n) { return n.nodeType === 3; })
        .map(function (n) { return n.textContent; }).join("").trim();  // the step, without the select
      var item = el("li", { draggable: "true", "data-content": "" });
      item.labelFor = label;
      item.appendChild(el("span", { class: "order-no", "aria-hidden": "true" }));
      item.appendChild(el("span", { class: "order-text" }, text));
      var up = el("button", { type: "button", class: "button secondary small" }, msg("msgUp"));
      var down = el("button", { type: "button", class: "button secondary small" }, msg("msgDown"));
      up.setAttribute("aria-label", msg("msgUp") + "：" + text);
      down.setAttribute("aria-label", msg("msgDown") + "：" + text);
      up.addEventListener("click", function () { move(item, -1, up); });
      down.addEventListener("click", function () { move(item, 1, down); });
      item.appendChild(up);
      item.appendChild(down);
      item.addEventListener("dragstart", function (e) {
        item.classList.add("dragging");
        e.dataTransfer.effectAllowed = "move";
        e.dataTransfer.setData("text/plain", "");
      });
      item.addEventListener("dragend", function () { item.classList.remove("dragging"); sync(true); });
      list.appendChild(item);
    });
    list.addEventListener("dragover", function (e) {
      e.preventDefault();
      var dragging = list.querySelector(".dragging");
      if (!dragging) return;
      var after = Array.prototype.filter.call(list.children, function (li) {
        var box = li.getBoundingClientRect();
        return li !== dragging && e.clientY < box.top + box.height / 2;
      })[0];
      list.insertBefore(dragging, after || null);
    });
    function move(item, step, button) {
      var sibling = step < 0 ? item.previousElementSibling : item.nextElementSibling;
      if (!sibling) return;
      list.insertBefore(item, step < 0 ? sibling : sibling.nextElementSibling);
      button.focus();
      sync(true);
      var n = Array.prototype.indexOf.call(list.children, item) + 1;
      live.textContent = msg("msgMoved", { n: n });
    }
    // Every move gives each step its own number, so the answer can never hold a duplicate.
    function sync(changed) {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.querySelector(".order-no").textContent = (i + 1) + ".";
        if (changed) li.labelFor.querySelector("select").value = String(i + 1);
      });
      if (changed) { refresh(); saveSoon(300); }
    }
    var anchor = labels.length ? labels[labels.length - 1] : null;
    if (anchor) anchor.parentNode.insertBefore(list, anchor.nextSibling);
    list.parentNode.insertBefore(live, list.nextSibling);
    sync(false);
  }

  // --- matching: say which right-hand items are already used ---------------------------------------
  function matching(q) {
    var selects = Array.prototype.slice.call(q.querySelectorAll("select"));
    var note = el("p", { class: "match-used", "aria-live": "polite" });
    q.insertBefore(note, q.querySelector(".question-tools"));
    function mark() {
      var used = {};
      selects.forEach(function (s) { if (s.value !== "") used[s.value] = (used[s.value] || 0) + 1; });
      selects.forEach(function (s) {
        Array.prototype.forEach.call(s.options, function (o) {
          if (o.value === "") return;
          o.dataset.text = o.dataset.text || o.textContent;
          var elsewhere = (used[o.value] || 0) - (s.value === o.value ? 1 : 0);
          o.textContent = elsewhere > 0 ? o.dataset.text + "（" + msg("msgUsed") + "）" : o.dataset.text;
        });
      });
      var total = selects.length ? selects[0].options.length - 1 : 0;
      note.textContent = msg("msgUsedCount", { used: Object.keys(used).length, total: total });
    }
    q.addEventListener("change", mark);
    mark();
  }

  questions.forEach(function (q) {
    if (q.dataset.type === "ordering") orderingList(q);
    if (q.dataset.type === "matching") matching(q);
  });

  form.addEventListener("change", function () { refresh(); saveSoon(300); });
  form.addEventListener("input", function (e) {
    if (e.target.type === "text") { refresh(); saveSoon(800); }
  });

  // --- one question per screen, with a navigator ----------------------------------------------------
  var layout = form.dataset.layout;
  var paged = layout === "paged" || (layout === "auto" && window.matchMedia("(max-width: 600px)").matches);
  var nav = null;
  var current = 0;
  var pager = null;
  function show(i, focus) {
    current = Math.max(0, Math.min(questions.length - 1, i));
    questions.forEach(function (q, k) { q.hidden = k !== current; });
    pager.prev.disabled = current === 0;
    pager.next.disabled = current === questions.length - 1;
    updateNav();
    if (focus) questions[current].focus();
  }
  function updateNav() {
    Array.prototype.forEach.call(nav.querySelectorAll("button"), function (b, k) {
      var q = questions[k];
      var done = answered(q);
      var flagged = !!flags[q.dataset.position];
      b.classList.toggle("answered", done);
      b.classList.toggle("flagged", flagged);
      b.setAttribute("aria-current", paged && k === current ? "true" : "false");
      b.setAttribute("aria-label", msg("msgQuestion", { n: q.dataset.position }) + "，" +
        (done ? msg("msgStateAnswered") : msg("msgStateBlank")) + (flagged ? "，" + msg("msgFlagged") : ""));
    });
  }
  function goTo(i) {
    if (paged) show(i, true);
    else { questions[i].scrollIntoView(); questions[i].focus(); }
  }
  if (questions.length) {
    nav = el("nav", { "aria-label": msg("msgNav") });
    var navList = el("ul", { class: "quiz-nav" });
    questions.forEach(function (q, k) {
      var li = el("li");
      var b = el("button", { type: "button" }, q.dataset.position);
      b.addEventListener("click", function () { goTo(k); });
      li.appendChild(b);
      navList.appendChild(li);
    });
    nav.appendChild(navList);
    form.insertBefore(nav, questions[0]);
  }
  if (paged && questions.length > 1) {
    form.classList.add("paged");
    var bar = el("div", { class: "pager" });
    pager = {
      prev: el("button", { type: "button", class: "button secondary" }, msg("msgPrev")),
      next: el("button", { type: "button", class: "button" }, msg("msgNext")),
    };
    pager.prev.addEventListener("click", function () { show(current - 1, true); });
    pager.next.addEventListener("click", function () { show(current + 1, true); });
    bar.appendChild(pager.prev);
    bar.appendChild(pager.next);
    form.insertBefore(bar, document.getElementById("quiz-summary"));
    var invalid = form.querySelector("fieldset.question.invalid");
    show(invalid ? questions.indexOf(invalid) : 0, false);
  } else {
    paged = false;
  }
  refresh();

  // --- the summary before submitting: blank and flagged questions -----------------------------------
  var summary = document.getElementById("quiz-summary");
  var actions = document.getElementById("quiz-actions");
  function fillList(list, items) {
    list.textContent = "";
    items.forEach(function (q) {
      var li = el("li");
      var b = el("button", { type: "button", class: "button secondary small" }, msg("msgQuestion", { n: q.dataset.position }));
      b.addEventListener("click", function () { closeSummary(); goTo(questions.indexOf(q)); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }
  function openSummary() {
    var blank = questions.filter(function (q) { return !answered(q); });
    var flagged = questions.filter(function (q) { return flags[q.dataset.position]; });
    var head = document.getElementById("summary-unanswered");
    head.textContent = blank.length ? msg("msg", { count: blank.length }, head) : msg("msgNone", {}, head);
    fillList(document.getElementById("summary-unanswered-list"), blank);
    var fhead = document.getElementById("summary-flagged");
    fhead.hidden = !flagged.length;
    fhead.textContent = msg("msg", { count: flagged.length }, fhead);
    fillList(document.getElementById("summary-flagged-list"), flagged);
    summary.hidden = false;
    actions.hidden = true;
    summary.focus();
  }
  function closeSummary() { summary.hidden = true; actions.hidden = false; }
  document.getElementById("summary-back").addEventListener("click", function () {
    closeSummary();
    document.getElementById("quiz-submit").focus();
  });
  form.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (submitting || (button && button.id === "summary-confirm")) { submitting = true; keep("-pending", null); return; }
    if (button && button.id === "quiz-submit") { e.preventDefault(); openSummary(); }
  });

  // --- the countdown: shown every second, announced only at five and at one minute ----------------
  var countdown = document.getElementById("countdown");
  if (countdown) {
    var warning = document.getElementById("time-warning");
    var deadline = Date.parse(countdown.dataset.deadline);
    var marks = [5, 1];
    var tick = function () {
      var ms = deadline - Date.now();  // the server counts time as up from the deadline on
      var left = Math.max(0, Math.ceil(ms / 1000));
      countdown.textContent = msg("msgCountdown", { minutes: Math.floor(left / 60), seconds: left % 60 });
      var due = marks.filter(function (m) { return left <= m * 60; });
      if (due.length) {
        marks = marks.filter(function (m) { return left > m * 60; });
        warning.textContent = msg("msgWarning", { minutes: Math.min.apply(null, due) });
        countdown.classList.add("warn");
      }
      if (ms <= 0) { submitting = true; keep("-pending", null); form.submit(); return; }
      setTimeout(tick, Math.min(1000, ms % 1000 || 1000));
    };
    tick();
  }
})();
