// Tells the server the lesson was shown: reading a page (GET) never writes, so the page posts it.
(function () {
  "use strict";
  var form = document.getElementById("lesson-viewed");
  if (!form || !window.fetch) return;
  fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
    .catch(function () { /* offline: the "学完本课" button records progress anyway */ });
})();

// The table of contents is folded on a phone (the lesson's title and text come first) and open
// beside the lesson on a wider screen; the breakpoint is lms.css's.
(function () {
  "use strict";
  var toc = document.getElementById("lesson-toc");
  if (!toc || !window.matchMedia) return;
  var wide = window.matchMedia("(min-width: 48.01rem)");
  function follow() { toc.open = wide.matches; }
  follow();
  if (wide.addEventListener) wide.addEventListener("change", follow);
})();
