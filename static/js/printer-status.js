// The receipt printer's paper, on the sale screen: a small status line fed by
// GET /api/v1/printer ("Plus de papier : changez le rouleau…"), asked at once and then
// every PERIOD ms. It only fills an element of its own ([data-printer-paper]); the sale
// screen's flow (sell.js) knows nothing of it.

const PERIOD = 20000;

export function paperLine(status) {
  // The sentence to show for an answer of GET /api/v1/printer, or "" (all is well).
  if (!status || !status.configured) return "";
  return status.message || "";
}

export function watchPaper(element, { fetchStatus = defaultFetch, period = PERIOD } = {}) {
  async function refresh() {
    const status = await fetchStatus();
    if (status === null) return; // the server is out of reach: the sale screen says so
    const line = paperLine(status);
    element.textContent = line;
    element.hidden = line === "";
    element.dataset.paper = status.paper || "unknown";
  }
  refresh();
  return setInterval(refresh, period);
}

async function defaultFetch() {
  try {
    const response = await fetch("/api/v1/printer", { credentials: "same-origin" });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

const element = document.querySelector("[data-printer-paper]");
if (element) watchPaper(element);
