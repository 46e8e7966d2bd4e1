// The phone page's only script: reload the list of signing requests when the server says
// it changed (server-sent events), unless a PIN is being typed.
(function () {
  "use strict";
  if (!window.EventSource) {
    return;
  }
  var events = new EventSource("/sign-requests/events");
  events.addEventListener("changed", function () {
    var typing = Array.prototype.some.call(
      document.querySelectorAll("input[name=pin]"),
      function (input) { return input.value !== ""; }
    );
    if (!typing) {
      window.location.replace("/sign-requests");
    }
  });
})();
