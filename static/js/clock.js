// The tablet's clock, sent to the server on every page load: the server (a Raspberry Pi
// with no internet loses the time) compares it with its own and, from a logged-in tablet,
// corrects its own by it; it says on every screen when it cannot (kiosk/services/clock.py). On the admin's clock page it also keeps the
// command to type up to date, and sends the tablet's time with "set the server's clock".
export const TABLET_TIME_HEADER = "X-Kiosk-Tablet-Time";

export function tabletTime() {
  return String(Date.now());
}

function utcCommand(ms) {
  const iso = new Date(ms).toISOString(); // 2026-12-01T17:46:05.123Z
  return `sudo date -u -s '${iso.slice(0, 10)} ${iso.slice(11, 19)}'`;
}

async function check() {
  const banner = document.querySelector("[data-clock-warning]");
  let body;
  try {
    const response = await fetch("/clock", {
      credentials: "same-origin",
      headers: { [TABLET_TIME_HEADER]: tabletTime() },
    });
    body = await response.json();
  } catch {
    return; // the server is out of reach: the page says so elsewhere
  }
  if (!banner) return;
  banner.querySelector("[data-clock-message]").textContent = body.message;
  banner.hidden = body.ok;
}

const command = document.querySelector("[data-clock-command]");
if (command) {
  const tick = () => { command.textContent = utcCommand(Date.now()); };
  tick();
  setInterval(tick, 1000);
}
for (const setForm of document.querySelectorAll("[data-clock-set]")) {
  setForm.addEventListener("submit", () => {
    setForm.querySelector("[data-tablet-time-field]").value = tabletTime();
  });
}
check();
