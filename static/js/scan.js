// Reading a product's QR label, for the stock pages and the sale screen.
//
// Two ways in, one way out: a USB/Bluetooth scanner "types" the code into the scan field
// and presses Enter; or the camera button reads it with the browser's BarcodeDetector,
// falling back to the vendored jsQR decoder where the browser has none. Either way the
// root element receives a "kiosk:scan" event whose detail is {sku, raw}.
//
//   import { bindScanner } from "./scan.js";
//   bindScanner(document.querySelector("[data-scan]"), (sku) => { ... });

// Beside this module, whatever version its URL carries (/assets/VERSION/js/scan.js).
const JSQR_URL = new URL("../vendor/jsQR-1.4.0.js", import.meta.url).href;

// A label holds the bare SKU or PUBLIC_URL/p/SKU: accept both, and nothing else.
export function skuFromCode(text) {
  const raw = String(text || "").trim();
  const fromUrl = raw.match(/\/p\/([A-Za-z0-9_.-]{1,32})\/?(?:[?#].*)?$/);
  const sku = fromUrl ? fromUrl[1] : raw;
  return /^[A-Za-z0-9_.-]{1,32}$/.test(sku) ? sku.toUpperCase() : null;
}

let jsQRLoading = null;
export function loadJsQR() {
  if (window.jsQR) return Promise.resolve(window.jsQR);
  if (!jsQRLoading) {
    jsQRLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = JSQR_URL;
      script.onload = () => resolve(window.jsQR);
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  return jsQRLoading;
}

async function makeDetector() {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return async (video) => {
          const codes = await detector.detect(video);
          return codes.length ? codes[0].rawValue : null;
        };
      }
    } catch (_) { /* fall back to jsQR */ }
  }
  const jsQR = await loadJsQR();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return async (video) => {
    if (!video.videoWidth) return null;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0);
    const frame = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" });
    return code ? code.data : null;
  };
}

export function bindScanner(root, onSku = () => {}, messages = {}) {
  if (!root) return null;
  const input = root.querySelector("[data-scan-input]");
  const cameraButton = root.querySelector("[data-scan-camera]");
  const video = root.querySelector("[data-scan-video]");
  const status = root.querySelector("[data-scan-message]");
  const say = (text) => { if (status) status.textContent = text || ""; };
  const text = {
    unknown: messages.unknown || root.dataset.msgUnknown || "Ce code n'est pas une étiquette du stand.",
    noCamera: messages.noCamera || root.dataset.msgNoCamera || "La caméra n'est pas disponible : tapez la référence.",
    looking: messages.looking || root.dataset.msgLooking || "Montrez l'étiquette à la caméra…",
    insecure: messages.insecure || root.dataset.msgInsecure
      || "La caméra ne s'ouvre qu'en HTTPS : le scanner ou la recherche marchent.",
  };

  const deliver = (raw) => {
    const sku = skuFromCode(raw);
    if (!sku) { say(text.unknown); return false; }
    say("");
    root.dispatchEvent(new CustomEvent("kiosk:scan", { detail: { sku, raw }, bubbles: true }));
    onSku(sku, raw);
    return true;
  };

  if (input) {
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();  // a scanner's Enter must not submit the page's form
      if (input.value.trim()) deliver(input.value);
      input.value = "";
    });
  }

  let stream = null;
  const stop = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    if (video) { video.hidden = true; video.srcObject = null; }
  };

  // Over plain HTTP (the stall's Wi-Fi without KIOSK_TLS) the browser gives no camera:
  // the button stays, and a tap says why and what works instead.
  const hasCamera = window.isSecureContext && navigator.mediaDevices
    && navigator.mediaDevices.getUserMedia;
  if (cameraButton && video && !hasCamera) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", () => say(text.insecure));
  } else if (cameraButton && video) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", async () => {
      if (stream) { stop(); return; }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      } catch (_) { say(text.noCamera); return; }
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      say(text.looking);
      const detect = await makeDetector();
      const tick = async () => {
        if (!stream) return;
        let found = null;
        try { found = await detect(video); } catch (_) { found = null; }
        if (found && deliver(found)) { stop(); return; }
        setTimeout(tick, 200);
      };
      tick();
    });
  }
  return { deliver, stop };
}
