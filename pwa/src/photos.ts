// Owns photos on the phone side: shrinking a camera picture before it travels (a 12-megapixel
// shot is 4–8 MB; on a slow connection that is the difference between sent and given up), and
// showing stored photos, which need the caller's token and so cannot be plain <img src> links.
import { transport } from '@/api/client';

/** The longest side a photo keeps: enough to read a meter or see a broken lamp. */
export const MAX_SIDE = 1600;
export const MAX_PHOTOS = 9;

/** A JPEG at most MAX_SIDE pixels on its longest side; small files and unreadable ones pass
 * through unchanged (the server checks and cleans every upload anyway). */
export async function shrink(file: Blob): Promise<Blob> {
  if (typeof createImageBitmap !== 'function' || typeof document === 'undefined') return file;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return file;
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && file.size < 1_500_000) {
    bitmap.close();
    return file;
  }
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const out = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  return out && out.size < file.size ? out : file;
}

const cache = new Map<string, Promise<string>>();

/** An object URL for a stored photo (or its thumbnail), fetched once with the caller's token. */
export function photoSrc(url: string): Promise<string> {
  let src = cache.get(url);
  if (!src) {
    src = transport(new Request(new URL(url, location.origin))).then(async (res) => {
      if (!res.ok) throw new Error(`photo ${res.status}`);
      return URL.createObjectURL(await res.blob());
    });
    src.catch(() => cache.delete(url));
    cache.set(url, src);
  }
  return src;
}
