// Owns the app icons: rasterises the Linli mark (a white house with a door on 邻里 red) into the
// PNGs the manifest names, with 4x4 supersampling, and writes public/icons/. Run: npm run gen:icons
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '../public/icons');
const RED = [200, 22, 29];
const WHITE = [255, 255, 255];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePng(size, rgba) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in unit coordinates (0..1); `scale` shrinks the mark towards the centre.
function inRoundRect(x, y, r) {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}
function inHouse(x, y) {
  const roof = y >= 0.22 && y <= 0.48 && Math.abs(x - 0.5) <= (y - 0.22) * (0.32 / 0.26);
  const body = x >= 0.27 && x <= 0.73 && y >= 0.46 && y <= 0.78;
  const door = x >= 0.44 && x <= 0.56 && y >= 0.6 && y <= 0.78;
  return (roof || body) && !door;
}
function render(size, { maskable, corner = 0.2, scale = 1 }) {
  const rgba = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0, mark = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          const inBg = maskable || inRoundRect(x, y, corner);
          if (!inBg) continue;
          bg++;
          if (inHouse(0.5 + (x - 0.5) / scale, 0.5 + (y - 0.5) / scale)) mark++;
        }
      }
      const n = ss * ss;
      const i = (py * size + px) * 4;
      const m = bg ? mark / bg : 0;
      for (let c = 0; c < 3; c++) rgba[i + c] = Math.round(RED[c] * (1 - m) + WHITE[c] * m);
      rgba[i + 3] = Math.round((bg / n) * 255);
    }
  }
  return encodePng(size, rgba);
}

mkdirSync(outDir, { recursive: true });
const files = {
  'icon-192.png': render(192, { maskable: false }),
  'icon-512.png': render(512, { maskable: false }),
  // Maskable: full bleed, mark kept inside the 80% safe circle.
  'maskable-512.png': render(512, { maskable: true, scale: 0.75 }),
  'apple-touch-icon.png': render(180, { maskable: true, scale: 0.85 }),
};
for (const [name, png] of Object.entries(files)) {
  writeFileSync(join(outDir, name), png);
  console.log(`gen-icons: ${name} ${png.length} bytes`);
}
writeFileSync(join(outDir, 'favicon.svg'),
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="20" fill="#c8161d"/>'
  + '<path fill="#fff" fill-rule="evenodd" d="M50 22 82 48H73V78H27V48H18Z M44 60H56V78H44Z"/></svg>\n');
