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
      var bounds = L.latLngBounds([]);
      var areas = L.geoJSON(data.areas, {
        style: { color: "#005eb8", weight: 1.5, fillColor: "#41b6e6", fillOpacity: 0.2 },
        onEachFeature: function (feature, path) {
          path.bindTooltip(tooltip(feature.properties.name + " (" + feature.properties.code + ")"), { sticky: true });
        }
      }).addTo(map);
      if (areas.getBounds().isValid()) {
        bounds.extend(areas.getBounds());
      }
      if (data.circle) {
        var circle = L.circle([data.circle.lat, data.circle.lon], {
          radius: Math.max(data.circle.radius_km * 1000, 50), color: "#d5281b", weight: 2, fill: false
        }).addTo(map);
        circle.bindTooltip(tooltip("Cluster circle, radius " + data.circle.radius_km.toFixed(2) + " km"));
        bounds.extend(circle.getBounds());
      }
      data.points.forEach(function (point) {
        var marker = L.circleMarker([point.lat, point.lon], { radius: 5, color: "#330072", weight: 1, fillOpacity: 0.8 }).addTo(map);
        marker.bindTooltip(tooltip(point.label));
        bounds.extend(marker.getLatLng());
      });
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
      } else {
        map.setView([51.5072, -0.1276], 10);
      }
    })
    .catch(function () {
      element.textContent = "The map could not be loaded. The case list below gives the same places.";
    });
})();
