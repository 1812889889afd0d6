/* Maps as an enhancement: every map shows what a list on the page already says.
 *
 * <div class="map" data-map data-list="#results" data-tiles="..."></div>
 *   markers from the list's [data-lat][data-lng] items (data-title, data-href optional);
 *   a route line from data-line="lat,lng;lat,lng;..." on the map element itself.
 * <div class="map" data-map-picker data-lat-input="#lat" data-lng-input="#lng"></div>
 *   clicking the map fills the two inputs (for publishing a place).
 */
(function () {
  "use strict";
  // The location button needs no map: the home page and the search forms use it alone.
  document.querySelectorAll("[data-use-location]").forEach(function (button) {
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.querySelector(button.dataset.latInput).value = pos.coords.latitude.toFixed(6);
        document.querySelector(button.dataset.lngInput).value = pos.coords.longitude.toFixed(6);
        if (button.dataset.submit) { button.form.submit(); }
      });
    });
  });

  if (typeof L === "undefined") { return; }
  var attribution = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>';

  function baseMap(el, lat, lng, zoom) {
    var map = L.map(el, { scrollWheelZoom: false }).setView([lat, lng], zoom);
    L.tileLayer(el.dataset.tiles || "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      { maxZoom: 19, attribution: attribution }).addTo(map);
    return map;
  }

  function num(value) { var n = parseFloat(value); return isNaN(n) ? null : n; }

  document.querySelectorAll("[data-map]").forEach(function (el) {
    var points = [];
    var list = el.dataset.list ? document.querySelector(el.dataset.list) : null;
    var map = baseMap(el, num(el.dataset.lat) || 47.7483, num(el.dataset.lng) || -3.37, 12);
    if (list) {
      list.querySelectorAll("[data-lat][data-lng]").forEach(function (item) {
        var lat = num(item.dataset.lat), lng = num(item.dataset.lng);
        if (lat === null || lng === null) { return; }
        var marker = L.marker([lat, lng], { title: item.dataset.title || "", alt: item.dataset.title || "" }).addTo(map);
        if (item.dataset.title) {
          var link = document.createElement(item.dataset.href ? "a" : "span");
          link.textContent = item.dataset.title;
          if (item.dataset.href) { link.href = item.dataset.href; }
          marker.bindPopup(link);
        }
        points.push([lat, lng]);
      });
    }
    if (el.dataset.line) {
      var line = el.dataset.line.split(";").map(function (p) { return p.split(",").map(num); })
        .filter(function (p) { return p.length === 2 && p[0] !== null && p[1] !== null; });
      if (line.length > 1) { L.polyline(line, { color: "#0b5d4b", weight: 5 }).addTo(map); }
      points = points.concat(line);
    }
    if (el.dataset.centerLat && el.dataset.centerLng) {
      points.push([num(el.dataset.centerLat), num(el.dataset.centerLng)]);
      L.circleMarker(points[points.length - 1], { radius: 7, color: "#a33d00" }).addTo(map);
    }
    if (points.length === 1) { map.setView(points[0], 14); }
    else if (points.length > 1) { map.fitBounds(points, { padding: [24, 24], maxZoom: 15 }); }
  });

  document.querySelectorAll("[data-map-picker]").forEach(function (el) {
    var latInput = document.querySelector(el.dataset.latInput);
    var lngInput = document.querySelector(el.dataset.lngInput);
    if (!latInput || !lngInput) { return; }
    var lat = num(latInput.value), lng = num(lngInput.value);
    var map = baseMap(el, lat || 47.7483, lng || -3.37, lat ? 15 : 11);
    var marker = lat ? L.marker([lat, lng]).addTo(map) : null;
    map.on("click", function (event) {
      latInput.value = event.latlng.lat.toFixed(6);
      lngInput.value = event.latlng.lng.toFixed(6);
      if (marker) { marker.setLatLng(event.latlng); } else { marker = L.marker(event.latlng).addTo(map); }
    });
  });
})();
