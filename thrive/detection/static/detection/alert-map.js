// The alert page's map: the alert's areas, its circle, and incident points when the server sends them (only to
// users allowed exact locations). No tile server; the case list on the page gives the same places as text.
(function () {
  "use strict";
  var element = document.getElementById("alert-map");
  if (!element || !window.L) {
    return;
  }
  var map = L.map(element, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Boundaries: ONS, OGL v3.0; contains OS data © Crown copyright 2022");

  function tooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  fetch(element.getAttribute("data-map-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (data) {
      // Layers are made first and added once the map has a view: Leaflet projects vectors as they are added.
      var bounds = L.latLngBounds([]);
      var layers = [];
      var areas = L.geoJSON(data.areas, {
        style: { color: "#005eb8", weight: 1.5, fillColor: "#41b6e6", fillOpacity: 0.2 },
        onEachFeature: function (feature, path) {
          path.bindTooltip(tooltip(feature.properties.name + " (" + feature.properties.code + ")"), { sticky: true });
        }
      });
      layers.push(areas);
      if (areas.getBounds().isValid()) {
        bounds.extend(areas.getBounds());
      }
      if (data.circle) {
        var centre = L.latLng(data.circle.lat, data.circle.lon);
        var metres = Math.max(data.circle.radius_km * 1000, 50);
        var circle = L.circle(centre, { radius: metres, color: "#d5281b", weight: 2, fill: false });
        circle.bindTooltip(tooltip("Cluster circle, radius " + data.circle.radius_km.toFixed(2) + " km"));
        layers.push(circle);
        bounds.extend(centre.toBounds(2 * metres));
      }
      data.points.forEach(function (point) {
        var marker = L.circleMarker([point.lat, point.lon], { radius: 5, color: "#330072", weight: 1, fillOpacity: 0.8 });
        marker.bindTooltip(tooltip(point.label));
        layers.push(marker);
        bounds.extend(marker.getLatLng());
      });
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
      } else {
        map.setView([51.5072, -0.1276], 10);
      }
      layers.forEach(function (layer) { layer.addTo(map); });
    })
    .catch(function (error) {
      console.error("Alert map:", error);
      element.textContent = "The map could not be loaded. The case list below gives the same places.";
    });
})();
