// The live case list: every few seconds fetch the rows again; a case number not seen before is
// new — highlight it (for a minute) and sound a short tone, so an officer at a busy desk notices.
// The list never pretends to be live: when the session has ended (the rows answer with the sign-in
// page) it says so at once and offers to sign in again; while the API cannot be reached it says that
// it keeps trying (a restart of the API is only a pause).
(function () {
  "use strict";
  const body = document.getElementById("case-rows");
  const live = document.getElementById("live");
  const signedOut = document.getElementById("signed-out");
  if (!body) return;
  const liveText = live ? live.textContent : "";
  const seen = new Set([...body.querySelectorAll("tr[data-case]")].map((row) => row.dataset.case));
  const everyMs = Number(live && live.dataset.everyMs) || 5000;
  const HIGHLIGHT_MS = 60000;
  const arrivedAt = new Map();
  let audio = null;

  function tone() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.value = 0.2;
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.4);
    } catch (error) { /* no sound available: the highlight still shows */ }
  }

  function say(text) {
    if (live) live.textContent = text;
  }

  function sessionEnded(response) {
    return response.status === 401 || response.status === 403 ||
      (response.redirected && new URL(response.url).pathname === "/office/sign-in");
  }

  // True to keep refreshing.
  async function refresh() {
    let response;
    try {
      response = await fetch("/office/cases/rows" + window.location.search, { credentials: "same-origin" });
    } catch (error) {
      say(live ? live.dataset.offlineText : "");
      return true;
    }
    if (sessionEnded(response)) {
      if (signedOut) signedOut.hidden = false;
      say(live ? live.dataset.stoppedText : "");
      return false;
    }
    if (!response.ok) {
      say(live ? live.dataset.offlineText : "");
      return true;
    }
    const template = document.createElement("template");
    try {
      template.innerHTML = await response.text();
    } catch (error) {
      say(live ? live.dataset.offlineText : "");
      return true;
    }
    if (live && live.textContent === live.dataset.offlineText) say(liveText);
    // The rows replace everything the list said before, "no cases" included.
    const fresh = [...template.content.querySelectorAll("tr[data-case]")].filter((row) => !seen.has(row.dataset.case));
    const now = Date.now();
    fresh.forEach((row) => { seen.add(row.dataset.case); arrivedAt.set(row.dataset.case, now); });
    body.replaceChildren(template.content);
    body.querySelectorAll("tr[data-case]").forEach((row) => {
      const at = arrivedAt.get(row.dataset.case);
      if (at !== undefined && now - at < HIGHLIGHT_MS) row.classList.add("arrived");
    });
    if (fresh.length) {
      document.title = `(${fresh.length}) ` + document.title.replace(/^\(\d+\) /, "");
      say(live ? live.dataset.arrivedText + " " + fresh.map((row) => row.dataset.case).join(", ") : "");
      tone();
    }
    return true;
  }

  async function keepRefreshing() {
    if (await refresh()) window.setTimeout(keepRefreshing, everyMs);
  }
  window.setTimeout(keepRefreshing, everyMs);
})();
