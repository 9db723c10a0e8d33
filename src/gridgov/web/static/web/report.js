// The resident report form: a client UUID made here (a resent form is stored once) and
// "use my location".
(function () {
  "use strict";
  document.getElementById("client-uuid").value = gridgov.uuid();
  document.getElementById("locate").addEventListener("click", () => {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition((p) => {
      document.getElementById("lon").value = p.coords.longitude.toFixed(6);
      document.getElementById("lat").value = p.coords.latitude.toFixed(6);
    });
  });
})();
