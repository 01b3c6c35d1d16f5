// The incident map: the user's cases as clustered circle markers coloured by status. Circle
// markers are drawn by the browser, so the map works with no tile server at all.
(function () {
  "use strict";
  const element = document.getElementById("incident-map");
  if (!element || typeof L === "undefined") return;
  const thai = document.documentElement.lang !== "en";
  const buddhistEra = document.body.dataset.buddhistEra === "true";
  const statusLabels = JSON.parse(element.dataset.statusLabels);
  const colours = { NEW: "#c62828", ACKNOWLEDGED: "#ef6c00", CLOSED: "#2e7d32", NOT_FOUND: "#607d8b",
                    PRANK: "#8e24aa", FORWARDED: "#1565c0", HANDED_OVER: "#00838f", RETURNED: "#6d4c41" };
  // maxZoom is needed by the clusters when no tile layer sets one.
  const map = L.map(element, { minZoom: 5, maxZoom: 18 }).setView([13.0, 101.0], 6); // Thailand
  if (element.dataset.tileUrl) {
    L.tileLayer(element.dataset.tileUrl, { maxZoom: 19, attribution: element.dataset.tileAttribution }).addTo(map);
  }
  const clusters = L.markerClusterGroup({ showCoverageOnHover: false });
  map.addLayer(clusters);
  const summary = document.getElementById("map-summary");

  const when = (iso) => {
    const local = new Date(new Date(iso).getTime() + 7 * 3600 * 1000); // Thailand, UTC+7 all year
    const pad = (n) => String(n).padStart(2, "0");
    const year = local.getUTCFullYear() + (buddhistEra ? 543 : 0);
    return `${pad(local.getUTCDate())}/${pad(local.getUTCMonth() + 1)}/${year} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
  };

  function popup(found) {
    // Built from text nodes: nothing from a case is ever read as markup.
    const box = document.createElement("div");
    const link = document.createElement("a");
    link.href = "/office/cases/" + encodeURIComponent(found.caseNo);
    link.textContent = found.caseNo;
    const lines = [found.type[thai ? 0 : 1] || (thai ? "ไม่ระบุ" : "Not stated"),
                   statusLabels[found.status][thai ? 0 : 1], when(found.reportedAt)];
    box.append(link, ...lines.flatMap((text) => [document.createElement("br"), document.createTextNode(text)]));
    return box;
  }

  async function show(query) {
    const response = await fetch("/office/map/cases.json?" + query, { credentials: "same-origin" });
    if (!response.ok) {  // a filter the server cannot take: say why (Thai — English) where the count goes
      const refusal = await response.json().catch(() => ({}));
      summary.textContent = typeof refusal.detail === "string" ? refusal.detail : "";
      return;
    }
    const data = await response.json();
    clusters.clearLayers();
    const markers = data.cases.map((found) => {
      const marker = L.circleMarker([found.lat, found.lng], {
        radius: 8, color: "#fff", weight: 1, fillColor: colours[found.status] || "#333", fillOpacity: 0.9,
      });
      marker.bindPopup(() => popup(found));
      marker.caseNo = found.caseNo;
      return marker;
    });
    clusters.addLayers(markers);
    if (markers.length) map.fitBounds(clusters.getBounds(), { maxZoom: 14, padding: [20, 20] });
    summary.textContent = `${summary.dataset.textCount} ${markers.length}${data.more ? " " + summary.dataset.textMore : ""}`;
    element.dataset.markers = String(markers.length);
    element.dataset.cases = data.cases.map((found) => found.caseNo).join(" ");
  }

  const form = document.getElementById("map-filter");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show(new URLSearchParams(new FormData(form)).toString());
  });
  show(new URLSearchParams(new FormData(form)).toString());
})();
