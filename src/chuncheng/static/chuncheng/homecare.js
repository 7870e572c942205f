// Caregiver phone page: check in / check out through the API with the browser's position (no inline script: CSP).
(function () {
  "use strict";
  var status = document.getElementById("homecare-status");
  var csrf = document.getElementById("homecare-csrf");
  if (!csrf) { return; }

  function say(text) { if (status) { status.textContent = text; } }

  function position() {
    return new Promise(function (resolve, reject) {
      if (!navigator.geolocation) { reject(new Error("no geolocation")); return; }
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve({ lat: p.coords.latitude, lng: p.coords.longitude }); },
        reject,
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
      );
    });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf.value },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
  }

  function act(button, extra) {
    button.disabled = true;
    position().then(function (point) {
      return post(button.dataset.url, Object.assign(point, extra || {}));
    }).then(function (result) {
      if (!result.ok) {
        say(result.data.errors && result.data.errors.length ? result.data.errors[0].message : result.data.message);
        button.disabled = false;
        return;
      }
      if (result.data.confirmation_code) {
        sessionStorage.setItem("homecare-last-code", result.data.confirmation_code);
      }
      window.location.reload();
    }).catch(function () {
      say(document.documentElement.lang === "en" ? "Location unavailable." : "无法获取位置。");
      button.disabled = false;
    });
  }

  document.querySelectorAll(".homecare-check-in").forEach(function (button) {
    button.addEventListener("click", function () { act(button); });
  });
  document.querySelectorAll(".homecare-check-out").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = button.parentElement.querySelector(".homecare-code");
      act(button, { code: input ? input.value : "" });
    });
  });
})();
