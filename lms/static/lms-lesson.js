// Tells the server the lesson was shown: reading a page (GET) never writes, so the page posts it.
(function () {
  "use strict";
  var form = document.getElementById("lesson-viewed");
  if (!form || !window.fetch) return;
  fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
    .catch(function () { /* offline: the "学完本课" button records progress anyway */ });
})();
