/*
 * The console's only script (plain JS, bundled with asciinema-player by assets.ts): the player
 * with speed and idle-limit controls, the timeline that seeks the player, live follow, and the
 * reviews page's decisions and live updates. Everything works against same-origin routes; state
 * changes carry the page's CSRF token in a header.
 */
/* global AsciinemaPlayer */
(function () {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

  function setupPlayer(el) {
    const speed = document.getElementById('speed');
    const idle = document.getElementById('idle');
    const live = document.getElementById('live');
    let player;
    let following = false;
    function create(startAt) {
      if (player) player.dispose();
      el.textContent = '';
      const opts = { speed: Number(speed.value), fit: 'width', controls: true, preload: true };
      if (idle.value !== '') opts.idleTimeLimit = Number(idle.value);
      if (!following && startAt > 0) opts.startAt = startAt;
      const src = following ? { driver: 'eventsource', url: el.dataset.live } : el.dataset.cast;
      player = AsciinemaPlayer.create(src, el, opts);
      if (following) player.play();
      window.bulwarkPlayer = player;
    }
    create(0);
    const recreate = () => create(player ? player.getCurrentTime() : 0);
    speed.addEventListener('change', recreate);
    idle.addEventListener('change', recreate);
    if (live) {
      live.addEventListener('click', () => {
        following = !following;
        live.setAttribute('aria-pressed', String(following));
        live.textContent = following ? 'Stop following' : 'Follow live';
        create(0);
      });
    }
    for (const button of document.querySelectorAll('.timeline button[data-marker]')) {
      button.addEventListener('click', async () => {
        if (following) return;
        for (const b of document.querySelectorAll('.timeline button[aria-current]')) b.removeAttribute('aria-current');
        button.setAttribute('aria-current', 'true');
        // Seek by marker, not by time: with an idle limit the player's clock is compressed, and
        // each judged command has exactly one marker, in order.
        await player.seek({ marker: Number(button.dataset.marker) });
        await player.pause();
      });
    }
  }

  function setupReviews(box) {
    async function refresh() {
      const res = await fetch('/reviews/fragment', { headers: { accept: 'text/html' } });
      if (res.ok) box.innerHTML = await res.text();
    }
    box.addEventListener('submit', async (ev) => {
      const form = ev.target;
      if (!(form instanceof HTMLFormElement)) return;
      ev.preventDefault();
      const verdict = ev.submitter?.value;
      const body = JSON.stringify({ verdict, comment: form.elements.namedItem('comment').value });
      const res = await fetch(form.action, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, accept: 'application/json' }, body });
      const out = await res.json().catch(() => ({}));
      const status = document.createElement('p');
      status.setAttribute('role', 'status');
      status.textContent = res.ok ? `${verdict === 'approve' ? 'Approved' : 'Denied'} ${out.id ?? ''}` : `Refused: ${out.message ?? res.status}`;
      box.before(status);
      await refresh();
    });
    const events = new EventSource('/reviews/events');
    events.addEventListener('change', () => void refresh());
  }

  document.addEventListener('DOMContentLoaded', () => {
    const el = document.getElementById('player');
    if (el) setupPlayer(el);
    const box = document.getElementById('reviews');
    if (box) setupReviews(box);
  });
})();
