// Render a Horizon HTML report in headless Chromium and check what a
// reader would see.  Uses Debian's /usr/bin/chromium (or $HZ_CHROMIUM)
// through playwright-core; no browser is ever downloaded.
//
//   node render_report.js REPORT.html OUT.png [--charts N]
//        [--expect KIND=N,KIND=N...] [--series KIND=N,...] [--width PX]
//        [--max-height PX] [--paper PX]
//
// Checks, light and dark colour schemes:
//   - no console error, no page error, no request other than the file
//   - the page is no wider than the window (no horizontal scroll bar)
//   - every text (HTML and the charts' SVG text) has a contrast of at
//     least 4.5:1 with its background, on screen and printed
//   - every chart (svg.hz-svg) is visible, has a box, and its data series
//     (g.series) alone put ink in that box: the screenshot of the box with
//     axes, grid, labels and legend hidden differs from the background
//   - data-series (what the writer says it drew) equals the g.series
//     groups found, and each of those groups holds drawn elements
//   - --paper: printed on paper of that printable width (A4 portrait:
//     718), the page is at most twice as wide (Chromium shrinks a page
//     to half its size to fit, and cuts off the rest)
//   - --charts: the number of charts; --expect: charts per data-kind;
//     --series: series of each chart of a kind
// Writes OUT.png (the full page, light) and prints a JSON summary.
// Exit 0 when every check passes, 1 otherwise, 2 on a usage error.
'use strict';
const zlib = require('zlib');
const path = require('path');
const fs = require('fs');

function usage(msg) {
    console.error(`render_report: ${msg}`);
    process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 2)
    usage('usage: node render_report.js REPORT.html OUT.png [options]');
const report = path.resolve(args[0]);
const outPng = path.resolve(args[1]);
const opt = { charts: null, expect: {}, series: {}, width: 1200,
    maxHeight: 0, paper: 0 };
function kv(s) {
    const o = {};
    for (const part of s.split(',')) {
        const [k, v] = part.split('=');
        if (!k || v === undefined || isNaN(+v)) usage(`bad list '${s}'`);
        o[k] = +v;
    }
    return o;
}
for (let i = 2; i < args.length; i += 2) {
    const v = args[i + 1];
    if (v === undefined) usage(`${args[i]} needs a value`);
    if (args[i] === '--charts') opt.charts = +v;
    else if (args[i] === '--expect') opt.expect = kv(v);
    else if (args[i] === '--series') opt.series = kv(v);
    else if (args[i] === '--width') opt.width = +v;
    else if (args[i] === '--max-height') opt.maxHeight = +v;
    else if (args[i] === '--paper') opt.paper = +v;
    else usage(`unknown option ${args[i]}`);
}

// A minimal PNG decoder: 8-bit RGB or RGBA, not interlaced (what
// Chromium writes).  Returns {width, height, channels, data}.
function decodePng(buf) {
    const sig = '89504e470d0a1a0a';
    if (buf.subarray(0, 8).toString('hex') !== sig) throw new Error('not a PNG');
    let off = 8, width = 0, height = 0, ctype = 0;
    const idat = [];
    while (off < buf.length) {
        const len = buf.readUInt32BE(off);
        const type = buf.toString('ascii', off + 4, off + 8);
        const body = buf.subarray(off + 8, off + 8 + len);
        if (type === 'IHDR') {
            width = body.readUInt32BE(0);
            height = body.readUInt32BE(4);
            if (body[8] !== 8 || body[12] !== 0) throw new Error('unsupported PNG');
            ctype = body[9];
        } else if (type === 'IDAT') {
            idat.push(body);
        }
        off += 12 + len;
    }
    const ch = ctype === 6 ? 4 : ctype === 2 ? 3 : 0;
    if (!ch) throw new Error(`unsupported PNG colour type ${ctype}`);
    const raw = zlib.inflateSync(Buffer.concat(idat));
    const stride = width * ch;
    const data = Buffer.alloc(height * stride);
    for (let y = 0; y < height; y++) {
        const f = raw[y * (stride + 1)];
        const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
        const cur = data.subarray(y * stride, (y + 1) * stride);
        const prev = y ? data.subarray((y - 1) * stride, y * stride) : null;
        for (let x = 0; x < stride; x++) {
            const a = x >= ch ? cur[x - ch] : 0;
            const b = prev ? prev[x] : 0;
            const c = prev && x >= ch ? prev[x - ch] : 0;
            let v = src[x];
            if (f === 1) v += a;
            else if (f === 2) v += b;
            else if (f === 3) v += (a + b) >> 1;
            else if (f === 4) {
                const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b),
                    pc = Math.abs(p - c);
                v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }
            cur[x] = v & 255;
        }
    }
    return { width, height, channels: ch, data };
}

// Share of pixels that differ from the background colour bg ([r,g,b]).
function inkRatio(png, bg) {
    const { data, channels } = png;
    let ink = 0;
    const n = data.length / channels;
    for (let i = 0; i < data.length; i += channels) {
        const d = Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) +
            Math.abs(data[i + 2] - bg[2]);
        if (d > 24) ink++;
    }
    return n ? ink / n : 0;
}

// Text against its background, as WCAG computes contrast: every visible
// text element (HTML text and the charts' SVG text) of the page as it is
// shown for `media` ('screen' or 'print') and the colour scheme; returns
// the pairs under 4.5:1 ("selector: ratio").
async function lowContrast(page) {
    return page.evaluate(() => {
        const rgb = (c) => {
            const m = (c || '').match(/[\d.]+/g);
            if (!m) return null;
            return { r: +m[0], g: +m[1], b: +m[2], a: m.length > 3 ? +m[3] : 1 };
        };
        const lum = (c) => {
            const f = (v) => { v /= 255;
                return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
        };
        const background = (el) => {
            for (let e = el; e; e = e.parentElement) {
                const c = rgb(getComputedStyle(e).backgroundColor);
                if (c && c.a > 0.5) return c;
            }
            return { r: 255, g: 255, b: 255, a: 1 };
        };
        const bad = new Map();
        const sel = 'h1,h2,h3,p,li,figcaption,summary,th,td,svg.hz-svg text';
        for (const el of document.querySelectorAll(sel)) {
            if (!el.textContent.trim()) continue;
            const cs = getComputedStyle(el);
            if (cs.display === 'none' || cs.visibility === 'hidden' ||
                !el.getClientRects().length) continue;
            const svg = el instanceof SVGElement;
            const fg = rgb(svg ? cs.fill : cs.color);
            if (!fg) continue;
            const bg = background(svg ? el.closest('svg').parentElement : el);
            const a = lum(fg), b = lum(bg);
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            if (ratio < 4.5) {
                const key = (svg ? 'svg text' : el.tagName.toLowerCase()) +
                    (el.className && typeof el.className === 'string'
                        ? '.' + el.className.split(' ')[0] : '');
                const old = bad.get(key);
                if (old === undefined || ratio < old) bad.set(key, ratio);
            }
        }
        return [...bad].map(([k, r]) => `${k}: ${r.toFixed(2)}:1`);
    });
}

async function checkScheme(browser, scheme, failures, screenshot) {
    const context = await browser.newContext({
        viewport: { width: opt.width, height: 900 },
        colorScheme: scheme,
        deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    const consoleErrors = [], requests = [];
    page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.route('**/*', (route) => {
        const u = route.request().url();
        if (!u.startsWith('file://')) {
            requests.push(u);
            return route.abort();
        }
        return route.continue();
    });
    await page.goto('file://' + report, { waitUntil: 'load' });
    // text readable on screen and on paper (printing from a dark-mode
    // system keeps prefers-color-scheme: dark)
    for (const media of ['screen', 'print']) {
        await page.emulateMedia({ media, colorScheme: scheme });
        for (const b of await lowContrast(page))
            failures.push(`${scheme}, ${media}: text contrast under 4.5:1: ${b}`);
    }
    // --paper PX (the printable width of the paper at 96 dpi: A4
    // portrait 718): printed, the page is no wider than Chromium shrinks
    // a page to fit (half its size); wider is cut off on paper
    if (opt.paper > 0) {
        await page.setViewportSize({ width: opt.paper, height: 1000 });
        await page.emulateMedia({ media: 'print', colorScheme: scheme });
        const w = await page.evaluate(() => document.documentElement.scrollWidth);
        if (w > 2 * opt.paper)
            failures.push(`${scheme}, print: ${w} px wide on paper ${opt.paper} px wide: cut off`);
        // a table in its scrolling box (a data table in <details>): the
        // page's width does not count it (the P(alive) table, 1805 px)
        const wide = await page.evaluate(() => [...document.querySelectorAll('table')]
            .map((t) => [t.scrollWidth, (t.querySelector('th') || {}).textContent || '']));
        for (const [tw, head] of wide)
            if (tw > 2 * opt.paper)
                failures.push(`${scheme}, print: table "${head}" ${tw} px wide on paper ${opt.paper} px wide: cut off`);
        await page.setViewportSize({ width: opt.width, height: 900 });
    }
    await page.emulateMedia({ media: 'screen', colorScheme: scheme });
    if (screenshot) {
        const h = await page.evaluate(() => document.documentElement.scrollHeight);
        const clip = opt.maxHeight > 0 && h > opt.maxHeight
            ? { x: 0, y: 0, width: opt.width, height: opt.maxHeight } : undefined;
        await page.screenshot({ path: outPng, fullPage: true, clip });
    }
    const info = await page.evaluate(() => {
        const bg = getComputedStyle(document.body).backgroundColor;
        const charts = [...document.querySelectorAll('svg.hz-svg')].map((s, i) => {
            s.setAttribute('data-test-index', String(i));
            const r = s.getBoundingClientRect();
            const groups = [...s.querySelectorAll('g.series')];
            return {
                index: i,
                kind: s.getAttribute('data-kind'),
                declared: +s.getAttribute('data-series'),
                found: groups.length,
                emptyGroups: groups.filter((g) => g.querySelectorAll(
                    'path,rect,circle').length === 0).length,
                width: r.width, height: r.height,
                title: (s.querySelector('title') || {}).textContent || '',
            };
        });
        return {
            bg, charts,
            figures: document.querySelectorAll('figure').length,
            tables: document.querySelectorAll('table').length,
            title: document.title,
            pageWidth: document.documentElement.scrollWidth,
        };
    });
    const bg = (info.bg.match(/\d+/g) || [255, 255, 255]).slice(0, 3).map(Number);
    // hide everything in the charts but the data series
    await page.addStyleTag({
        content: 'svg.hz-svg > :not(g.series){visibility:hidden !important}' +
            ' svg.hz-svg g.series title{display:none}',
    });
    for (const c of info.charts) {
        const el = await page.$(`svg[data-test-index="${c.index}"]`);
        await el.scrollIntoViewIfNeeded();
        const png = decodePng(await el.screenshot({ type: 'png' }));
        c.ink = inkRatio(png, bg);
        const where = `${scheme}: chart ${c.index} (${c.kind}, "${c.title}")`;
        if (!(c.width > 50 && c.height > 50))
            failures.push(`${where}: box ${c.width}x${c.height}`);
        if (!(c.ink > 0.002))
            failures.push(`${where}: data series left the box blank ` +
                `(ink ${c.ink.toFixed(4)})`);
        if (c.declared !== c.found)
            failures.push(`${where}: ${c.found} series drawn, ` +
                `${c.declared} declared`);
        if (c.emptyGroups)
            failures.push(`${where}: ${c.emptyGroups} empty series`);
    }
    if (info.pageWidth > opt.width)
        failures.push(`${scheme}: the page is ${info.pageWidth}px wide in a ` +
            `${opt.width}px window (a horizontal scroll bar)`);
    for (const e of consoleErrors) failures.push(`${scheme}: console error: ${e}`);
    for (const u of requests) failures.push(`${scheme}: external request: ${u}`);
    await context.close();
    return info;
}

(async () => {
    let chromium;
    try {
        ({ chromium } = require('playwright-core'));
    } catch (e) {
        console.error('render_report: playwright-core is not installed ' +
            '(scripts/test-peers.sh)');
        process.exit(77);
    }
    const exe = process.env.HZ_CHROMIUM || '/usr/bin/chromium';
    if (!fs.existsSync(exe)) {
        console.error(`render_report: no Chromium at ${exe}`);
        process.exit(77);
    }
    const browser = await chromium.launch({
        executablePath: exe,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const failures = [];
    let light;
    try {
        light = await checkScheme(browser, 'light', failures, true);
        await checkScheme(browser, 'dark', failures, false);
    } finally {
        await browser.close();
    }
    const kinds = {};
    for (const c of light.charts) kinds[c.kind] = (kinds[c.kind] || 0) + 1;
    if (opt.charts !== null && light.charts.length !== opt.charts)
        failures.push(`${light.charts.length} charts, expected ${opt.charts}`);
    for (const [k, n] of Object.entries(opt.expect))
        if ((kinds[k] || 0) !== n)
            failures.push(`${kinds[k] || 0} charts of kind ${k}, expected ${n}`);
    for (const [k, n] of Object.entries(opt.series))
        for (const c of light.charts.filter((c) => c.kind === k))
            if (c.found !== n)
                failures.push(`chart ${c.index} (${k}): ${c.found} series, expected ${n}`);
    console.log(JSON.stringify({
        title: light.title, charts: light.charts.length, kinds,
        figures: light.figures, tables: light.tables,
        minInk: Math.min(...light.charts.map((c) => c.ink)),
        failures,
    }));
    for (const f of failures) console.error(`FAIL: ${f}`);
    process.exit(failures.length ? 1 : 0);
})().catch((e) => {
    console.error(`render_report: ${e.stack || e}`);
    process.exit(1);
});
