// Progressive enhancement: draws the listed services or events (and a borough outline) on a Leaflet map.
// No tile server is needed; the list beside the map stays the accessible way to the same information.
(function () {
  "use strict";
  var container = document.querySelector("[data-results-map]");
  if (!container || !window.L) { return; }
  var points = Array.prototype.slice.call(document.querySelectorAll(".directory-results [data-lat]"));
  var boundaryUrl = container.getAttribute("data-boundary");
  if (!points.length && !boundaryUrl) { return; }
  container.hidden = false;
  var map = L.map(container, { scrollWheelZoom: false, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boundaries: Office for National Statistics, OGL v3.0");
  var bounds = L.latLngBounds([]);
  points.forEach(function (item) {
    var lat = parseFloat(item.getAttribute("data-lat"));
    var lon = parseFloat(item.getAttribute("data-lon"));
    if (isNaN(lat) || isNaN(lon)) { return; }
    var marker = L.circleMarker([lat, lon], { radius: 8, color: "#005eb8", weight: 2, fillColor: "#41b6e6", fillOpacity: 0.9 });
    var name = item.getAttribute("data-name") || "";
    var href = item.getAttribute("data-href");
    var label = document.createElement(href ? "a" : "span");
    label.textContent = name;
    if (href) { label.href = href; }
    marker.bindPopup(label);
    marker.addTo(map);
    bounds.extend([lat, lon]);
  });
  function fit() {
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 }); }
    else { map.setView([51.5074, -0.1278], 10); }
  }
  fit();
  if (boundaryUrl) {
    fetch(boundaryUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (feature) {
        if (!feature) { return; }
        var outline = L.geoJSON(feature, { style: { color: "#005eb8", weight: 2, fillOpacity: 0.05 } }).addTo(map);
        outline.bringToBack();
        bounds.extend(outline.getBounds());
        fit();
      })
      .catch(function () { /* the list is still there */ });
  }
})();
