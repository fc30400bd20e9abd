// Test-case minimisation by delta debugging (Zeller's ddmin, complement
// variant): first over the packets of the capture (shortest failing prefix,
// then ddmin), then over the bytes of each remaining packet (tail cuts, then
// ddmin over byte chunks), and for inputs that are not readable captures
// over the raw bytes of the file. `test(bytes)` must resolve to true while
// the failure still reproduces (same signature).

import { parseCapture, writeCapture } from './capture.mjs';

async function ddmin(items, test, deadline, minChunk = 1) {
  let n = 2;
  while (items.length >= 2 && Date.now() < deadline) {
    const chunk = Math.max(minChunk, Math.ceil(items.length / n));
    let reduced = false;
    for (let i = 0; i < items.length && Date.now() < deadline; i += chunk) {
      const complement = items.slice(0, i).concat(items.slice(i + chunk));
      if (complement.length > 0 && (await test(complement))) {
        items = complement;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (chunk <= minChunk || n >= items.length) break;
      n = Math.min(n * 2, items.length);
    }
  }
  return items;
}

/** Shortest prefix of `items` for which test holds (binary search; assumes the whole list fails). */
async function shortestPrefix(items, test, deadline) {
  let lo = 1;
  let hi = items.length;
  while (lo < hi && Date.now() < deadline) {
    const mid = (lo + hi) >> 1;
    if (await test(items.slice(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  return items.slice(0, hi);
}

/**
 * Minimises `bytes` while `test` holds. Returns { bytes, runs, steps }.
 */
export async function minimize(bytes, test, { seconds = 180, log = () => {} } = {}) {
  const deadline = Date.now() + seconds * 1000;
  let runs = 0;
  const t = async (b) => {
    runs++;
    return test(b);
  };
  let best = bytes;
  const steps = [];
  const parsed = parseCapture(bytes);
  if (parsed && parsed.packets.length > 0) {
    const asWritten = writeCapture(parsed.packets);
    if (asWritten.length <= bytes.length && (await t(asWritten))) {
      // packet space: the failure survives re-writing the capture
      let pkts = parsed.packets;
      const tp = (ps) => t(writeCapture(ps));
      pkts = await shortestPrefix(pkts, tp, deadline);
      steps.push(`prefix ${parsed.packets.length} -> ${pkts.length} packets`);
      const before = pkts.length;
      pkts = await ddmin(pkts, tp, deadline);
      steps.push(`ddmin ${before} -> ${pkts.length} packets`);
      log(`  minimise: ${pkts.length} packets left`);
      // bytes of each packet, largest first
      const order = pkts.map((_, i) => i).sort((a, b) => pkts[b].data.length - pkts[a].data.length);
      for (const i of order) {
        if (Date.now() > deadline) break;
        const with_ = (data) => {
          const ps = pkts.slice();
          ps[i] = { ...pkts[i], data: Uint8Array.from(data), wire: pkts[i].wire - (pkts[i].data.length - data.length) };
          return ps;
        };
        const orig = pkts[i].data;
        // tail: shortest prefix of the packet's bytes
        const cut = await shortestPrefix(Array.from(orig), (d) => tp(with_(d)), deadline);
        let data = cut;
        if (data.length > 1) data = await ddmin(data, (d) => tp(with_(d)), deadline, data.length > 256 ? 8 : 1);
        if (data.length < orig.length && (await tp(with_(data)))) pkts = with_(data);
      }
      best = writeCapture(pkts);
      steps.push(`bytes ${writeCapture(parsed.packets).length} -> ${best.length}`);
    }
  }
  if (best === bytes && Date.now() < deadline) {
    // raw bytes of the file (not readable as packets, or the failure needs the original encoding)
    const before = bytes.length;
    let arr = Array.from(bytes);
    arr = await shortestPrefix(arr, (a) => t(Uint8Array.from(a)), deadline);
    arr = await ddmin(arr, (a) => t(Uint8Array.from(a)), deadline, arr.length > 4096 ? 64 : 1);
    best = Uint8Array.from(arr);
    steps.push(`raw bytes ${before} -> ${best.length}`);
  }
  return { bytes: best, runs, steps };
}
