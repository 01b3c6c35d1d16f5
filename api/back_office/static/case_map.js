// One case's place on a small map: a circle marker the browser draws over the base map
// (base_map.js: a deployment's tiles, or the offline map of Thailand and its neighbours).
(function () {
  "use strict";
  const element = document.getElementById("case-map");
  if (!element || typeof L === "undefined") return;
  const point = [Number(element.dataset.lat), Number(element.dataset.lng)];
  const map = L.map(element, { minZoom: 5, maxZoom: 18 }).setView(point, 15);
  element.leafletMap = map;
  if (window.essBaseMap) window.essBaseMap(map, element);
  L.circleMarker(point, { radius: 10, color: "#fff", weight: 2, fillColor: "#c62828", fillOpacity: 0.9 }).addTo(map);
})();
