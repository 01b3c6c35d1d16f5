// The live case list: every few seconds fetch the rows again; a case number not seen before is
// new — highlight it (for a minute) and sound a short tone, so an officer at a busy desk notices.
(function () {
  "use strict";
  const body = document.getElementById("case-rows");
  const live = document.getElementById("live");
  if (!body) return;
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

  async function refresh() {
    try {
      const response = await fetch("/office/cases/rows" + window.location.search, { credentials: "same-origin" });
      if (response.redirected || !response.ok) return;
      const template = document.createElement("template");
      template.innerHTML = await response.text();
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
        if (live) live.textContent = live.dataset.arrivedText + " " + fresh.map((row) => row.dataset.case).join(", ");
        tone();
      }
    } finally {
      window.setTimeout(refresh, everyMs);
    }
  }
  window.setTimeout(refresh, everyMs);
})();
