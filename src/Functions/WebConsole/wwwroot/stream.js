// A deployment's timeline as it happens: GET …/logs (SSE). EventSource reconnects by itself after a dropped connection
// and sends Last-Event-ID, so the API replays only what was missed; events are still deduplicated here by their id
// (seq), so nothing is ever shown twice. The stream ends with "event: done"; it is closed then, or EventSource would
// reconnect to a finished stream.
export function follow(id, afterSeq, on) {
  const seen = new Set();
  let last = afterSeq;
  let source = null;
  let closed = false;
  let timer = null;
  let handedOver = false;

  function open() {
    const resume = last >= 0 ? `?lastEventId=${last}` : '';
    source = new EventSource(`/api/v1/deployments/${encodeURIComponent(id)}/logs${resume}`);
    source.onopen = () => on.connection?.('live');
    source.onmessage = message => {
      const event = JSON.parse(message.data);
      const seq = Number(event.seq ?? message.lastEventId);
      if (seen.has(seq) || seq <= afterSeq) return;
      seen.add(seq);
      last = Math.max(last, seq);
      on.event(event);
    };
    source.addEventListener('handover-ready', message => {
      if (handedOver) return;
      handedOver = true;
      on.handover?.(JSON.parse(message.data));
    });
    source.addEventListener('done', message => {
      stop();
      on.done?.(JSON.parse(message.data || 'null'));
    });
    source.onerror = () => {
      if (closed) return;
      on.connection?.('reconnecting');
      // CONNECTING: the browser retries by itself. CLOSED (an error status such as 429): try again shortly.
      if (source.readyState === EventSource.CLOSED) timer = setTimeout(open, 3000);
    };
  }

  function stop() {
    closed = true;
    clearTimeout(timer);
    source?.close();
  }

  open();
  return { stop, get last() { return last; } };
}
