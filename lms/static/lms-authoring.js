// Live preview on the trainer's question form: shows the question as it is being written, in the
// order typed (the saved question's preview page shows the learner's shuffled view).
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  var box = document.getElementById("live-preview");
  var body = document.getElementById("live-preview-body");
  if (!form || !box || !body) return;
  var qtype = form.dataset.qtype;
  // Texts come translated from the page (data-msg-* on the preview box), with %(name)s placeholders.
  function msg(name, values) {
    var text = box.dataset[name] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(values[k]); });
    return text;
  }

  function value(name) {
    var el = form.elements.namedItem(name);
    return el && typeof el.value === "string" ? el.value.trim() : "";
  }
  function lines(name) {
    return value(name).split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function rows(prefix, fields) {
    var out = [];
    for (var i = 0; i < 50; i++) {
      if (!form.elements.namedItem(prefix + "-" + i + "-" + fields[0])) break;
      var row = {};
      fields.forEach(function (f) {
        var el = form.elements.namedItem(prefix + "-" + i + "-" + f);
        row[f] = el.type === "checkbox" ? el.checked : el.value.trim();
      });
      out.push(row);
    }
    return out;
  }
  function add(parent, tag, text, cls) {
    var el = document.createElement(tag);
    if (text) el.textContent = text;
    if (cls) el.className = cls;
    parent.appendChild(el);
    return el;
  }

  function render() {
    body.textContent = "";
    var card = add(body, "fieldset", "", "question card");
    add(card, "legend", value("stem") || msg("msgStem"));
    var list = add(card, "ol");
    if (qtype === "single" || qtype === "multiple") {
      rows("options", ["text", "correct"]).forEach(function (o) {
        if (o.text) add(list, "li", o.text + (o.correct ? "  ✓" : ""));
      });
    } else if (qtype === "scenario") {
      rows("options", ["text", "grade"]).forEach(function (o) {
        if (o.text) add(list, "li", o.text + "  (" + o.grade + "%)");
      });
    } else if (qtype === "ordering") {
      lines("steps").forEach(function (s) { add(list, "li", s); });
    } else if (qtype === "matching") {
      rows("pairs", ["left", "right"]).forEach(function (p) {
        if (p.left || p.right) add(list, "li", p.left + " — " + p.right);
      });
    } else if (qtype === "short") {
      lines("accepted").forEach(function (a) { add(list, "li", msg("msgAccepted", { answer: a })); });
    } else if (qtype === "numerical") {
      rows("answers", ["value", "tolerance", "min", "max", "weight"]).forEach(function (a) {
        var text = a.min || a.max ? a.min + " – " + a.max : a.value + (a.tolerance ? " ± " + a.tolerance : "");
        if (a.value || a.min || a.max) add(list, "li", text + (a.weight ? "  (" + a.weight + "%)" : ""));
      });
    } else if (qtype === "truefalse") {
      var chosen = form.querySelector("input[name=answer]:checked");
      if (chosen) add(list, "li", msg(chosen.value === "true" ? "msgTrue" : "msgFalse"));
    }
    if (value("feedback")) add(body, "p", msg("msgFeedback", { feedback: value("feedback") }), "feedback");
  }

  box.hidden = false;
  form.addEventListener("input", render);
  form.addEventListener("change", render);
  render();
})();
