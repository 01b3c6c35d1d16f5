// The open case page: every few seconds ask for the reporter's messages after the newest one shown
// and put them at the top, highlighted. When the session has ended, say so and stop.
(function () {
  "use strict";
  const list = document.getElementById("reporter-messages");
  const signedOut = document.getElementById("signed-out");
  if (!list) return;
  const everyMs = Number(list.dataset.everyMs) || 5000;

  // True to keep asking.
  async function fetchNew() {
    let response;
    let text;
    try {
      response = await fetch(`/office/cases/${encodeURIComponent(list.dataset.case)}/messages?after=${list.dataset.after}`,
        { credentials: "same-origin" });
      if (response.redirected && new URL(response.url).pathname === "/office/sign-in") {
        if (signedOut) signedOut.hidden = false;
        return false;
      }
      if (!response.ok) return true;
      text = await response.text();
    } catch (error) {
      return true; // the API restarts: ask again later
    }
    const template = document.createElement("template");
    template.innerHTML = text;
    const fresh = [...template.content.querySelectorAll("li[data-message]")];
    if (fresh.length) {
      list.dataset.after = fresh[0].dataset.message; // newest first
      fresh.forEach((item) => item.classList.add("arrived"));
      list.prepend(...fresh);
    }
    return true;
  }

  async function keepAsking() {
    if (await fetchNew()) window.setTimeout(keepAsking, everyMs);
  }
  window.setTimeout(keepAsking, everyMs);
})();
