// The incident map: the user's cases as circle markers coloured by status, gathered into clusters
// whose ring shows the share of each status, over the base map (base_map.js). The filter (status,
// incident type, report dates) reloads the markers and points the GeoJSON and CSV downloads at the
// same cases.
(function () {
  "use strict";
  const element = document.getElementById("incident-map");
  if (!element || typeof L === "undefined") return;
  const thai = document.documentElement.lang !== "en";
  const buddhistEra = document.body.dataset.buddhistEra === "true";
  const statusLabels = JSON.parse(element.dataset.statusLabels);
  // The legend's dots carry the back office's status colours (office.css): one source for both.
  const legend = [...document.querySelectorAll(".legend [data-status]")];
  const order = legend.map((item) => item.dataset.status);
  const colours = Object.fromEntries(legend.map((item) => [
    item.dataset.status, getComputedStyle(item.querySelector(".dot")).backgroundColor]));
  const colour = (status) => colours[status] || "#333";

  // maxZoom is needed by the clusters when no tile layer sets one.
  const map = L.map(element, { minZoom: 5, maxZoom: 18 }).setView([13.0, 101.0], 6); // Thailand
  element.leafletMap = map; // for the page's specs, and a look from the browser's console
  const baseMap = window.essBaseMap ? window.essBaseMap(map, element) : Promise.resolve(null);
  baseMap.then((layers) => { element.baseMapLayers = layers; });

  function clusterIcon(cluster) {
    const counts = {};
    for (const marker of cluster.getAllChildMarkers()) counts[marker.status] = (counts[marker.status] || 0) + 1;
    const total = cluster.getChildCount();
    const present = order.filter((status) => counts[status]);
    let turned = 0;
    const stops = present.map((status) => {
      const from = turned;
      turned += (counts[status] / total) * 360;
      return `${colour(status)} ${from}deg ${turned}deg`;
    });
    const icon = document.createElement("div");
    icon.className = "status-cluster";
    icon.style.background = `conic-gradient(${stops.join(", ")})`; // set through the DOM: no inline style text
    icon.dataset.statuses = present.join(" ");
    icon.title = present.map((status) => `${statusLabels[status][thai ? 0 : 1]} ${counts[status]}`).join(" · ");
    const count = document.createElement("span");
    count.textContent = String(total);
    icon.append(count);
    const size = total < 10 ? 36 : total < 100 ? 42 : 50;
    return L.divIcon({ html: icon, className: "status-cluster-icon", iconSize: L.point(size, size) });
  }

  const clusters = L.markerClusterGroup({ showCoverageOnHover: false, iconCreateFunction: clusterIcon });
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
      summary.setAttribute("role", "alert");
      return;
    }
    summary.removeAttribute("role");
    const data = await response.json();
    clusters.clearLayers();
    const markers = data.cases.map((found) => {
      const marker = L.circleMarker([found.lat, found.lng], {
        radius: 8, color: "#fff", weight: 1, fillColor: colour(found.status), fillOpacity: 0.9,
        className: "status-marker",
      });
      marker.bindPopup(() => popup(found));
      marker.caseNo = found.caseNo;
      marker.status = found.status;
      return marker;
    });
    clusters.addLayers(markers);
    if (markers.length) map.fitBounds(clusters.getBounds(), { maxZoom: 14, padding: [20, 20] });
    summary.textContent = `${summary.dataset.textCount} ${markers.length}${data.more ? " " + summary.dataset.textMore : ""}`;
    element.dataset.markers = String(markers.length);
    element.dataset.cases = data.cases.map((found) => found.caseNo).join(" ");
  }

  const form = document.getElementById("map-filter");
  const downloads = [...document.querySelectorAll("[data-export]")];
  function apply() {
    const query = new URLSearchParams(new FormData(form)).toString();
    // The address and the downloads follow the filter: a reload or a download means these cases.
    history.replaceState(null, "", "?" + query);
    for (const link of downloads) link.href = `/office/map/cases.${link.dataset.export}?${query}`;
    return show(query);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  Promise.all([apply(), baseMap]).finally(() => { element.dataset.ready = "true"; });
})();
