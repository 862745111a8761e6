// Follow a background job on its page. The element with data-status-url is polled every 2 s;
// the JSON's "show" texts go into its [data-field] elements and "percent" into its progress
// bar. When the status leaves data-active (a JSON list), the page reloads so the final
// figures and lists come from the server.
(() => {
  for (const live of document.querySelectorAll("[data-status-url][data-active]")) {
    const active = JSON.parse(live.dataset.active);
    const poll = async () => {
      try {
        const response = await fetch(live.dataset.statusUrl, {headers: {Accept: "application/json"}});
        if (response.ok) {
          const status = await response.json();
          if (!active.includes(status.status)) {
            window.location.reload();
            return;
          }
          const bar = live.querySelector("progress");
          if (bar) bar.value = status.percent;
          for (const [name, text] of Object.entries(status.show)) {
            for (const el of live.querySelectorAll(`[data-field="${name}"]`)) el.textContent = text;
          }
        }
      } catch (error) {
        // The server did not answer this time: try again at the next tick.
      }
      setTimeout(poll, 2000);
    };
    setTimeout(poll, 2000);
  }
})();
